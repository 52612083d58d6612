"""The last line of defence: an apology to the person, a report to the ops chat, a log line with context."""

from __future__ import annotations

import html
import logging
import traceback

from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes

from handlers.turn import Turn, handler, services_of

log = logging.getLogger(__name__)
REPORT_LIMIT = 3500


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure, apologise to the person and tell the ops chat (network blips are only logged)."""
    error = context.error
    if not isinstance(update, Update):
        log.warning("error outside an update: %r", error, exc_info=not isinstance(error, NetworkError))
        if isinstance(error, NetworkError):
            return
    user = update.effective_user if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    update_id = getattr(update, "update_id", None)
    log.error(
        "error while handling update %s (user %s, chat %s)",
        update_id,
        user and user.id,
        chat and chat.id,
        exc_info=error,
    )
    if chat is not None:
        await _apologise(context, chat.id, user and user.id)
    await _report(context, error, f"update {update_id}, user {user and user.id}, chat {chat and chat.id}")


async def _report(context: ContextTypes.DEFAULT_TYPE, error: BaseException | None, where: str) -> None:
    """A short summary with the end of the traceback, for the ops chat when one is configured."""
    ops_chat = services_of(context).settings.ops_chat_id
    if ops_chat is None:
        return
    trace = "".join(traceback.format_exception(error)) if error else ""
    summary = (
        f"⚠️ {html.escape(type(error).__name__)}: {html.escape(str(error)[:300])}\n"
        f"{html.escape(where)}\n<pre>{html.escape(trace[-REPORT_LIMIT:])}</pre>"
    )
    try:
        await context.bot.send_message(ops_chat, summary)
    except TelegramError:
        log.exception("could not report the error to the ops chat %s", ops_chat)


async def _apologise(context: ContextTypes.DEFAULT_TYPE, chat_id: int, telegram_id: int | None) -> None:
    services = services_of(context)
    locale = None
    try:
        async with services.database.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id) if telegram_id else None
            locale = person.locale if person else None
    except Exception:  # the database may be what failed; apologise in the default language then
        log.exception("could not read the person's language for the apology")
    t = services.translator(locale)
    try:
        await context.bot.send_message(
            chat_id,
            t.gettext("Sorry, something went wrong on our side. Please try again in a few minutes."),
        )
    except TelegramError:
        log.exception("could not send the apology to chat %s", chat_id)


@handler
async def unsupported(turn: Turn) -> None:
    """Stickers, voice notes and other messages the bot does not use: a pointer to the menu."""
    await turn.identify()
    await turn.reply(turn._("The bot does not use this kind of message. Please use the buttons of /menu."))
