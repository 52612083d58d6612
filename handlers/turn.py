"""One update's work: a transaction with the sender identified, their translator, and reply helpers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.i18n import Translator
from bot.services.access import Actor
from bot.services.errors import DomainError, StaleButton
from bot.services.people import TelegramIdentity, identify
from schedules.outbox import OutboxDrain
from storage.db import Database, UnitOfWork
from storage.models import utcnow

log = logging.getLogger(__name__)
SERVICES_KEY = "thidua"
ALERT_LIMIT = 200  # characters Telegram shows in a callback alert
MESSAGE_BUDGET = 3800  # under Telegram's 4096, leaving room for HTML tags counted differently

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass
class BotServices:
    """What handlers need from the composition root."""

    settings: Settings
    database: Database
    outbox: OutboxDrain | None = None
    clock: Callable[[], datetime] = utcnow  # injectable, so tests (and the sandbox) can move time
    _translators: dict[str, Translator] = field(default_factory=dict, repr=False)

    def translator(self, locale: str | None) -> Translator:
        """The translator for a language (None: the default), made once per language."""
        chosen = locale or self.settings.locale
        if chosen not in self._translators:
            self._translators[chosen] = Translator(chosen, self.settings.timezone)
        return self._translators[chosen]

    def today(self) -> date:
        """Today's date where the bot's users live: deadlines are local dates."""
        return self.clock().astimezone(self.settings.timezone).date()

    def queued(self) -> None:
        """Messages were queued in the outbox: let the drain send them now."""
        if self.outbox is not None:
            self.outbox.wake()


def services_of(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    """The services the composition root put in bot_data."""
    return context.application.bot_data[SERVICES_KEY]


class Turn:
    """The handling of one update: opens the transaction, knows the sender, replies in their language."""

    def __init__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.update = update
        self.context = context
        self.services = services_of(context)
        self.t = self.services.translator(None)
        self._ = self.t.gettext
        self.actor: Actor | None = None
        self.answered = update.callback_query is None

    @asynccontextmanager
    async def work(self) -> AsyncIterator[UnitOfWork]:
        """A transaction in which the sender is identified; it commits before any reply is sent."""
        user = self.update.effective_user
        assert user is not None
        async with self.services.database.unit_of_work() as uow:
            self.actor = await identify(
                uow,
                TelegramIdentity(user.id, user.full_name, user.username),
                self.services.settings.admin_ids,
            )
            self.speak(self.actor.person.locale)
            yield uow

    def speak(self, locale: str | None) -> None:
        """Reply in this locale from now on (the configured default when None)."""
        self.t = self.services.translator(locale)
        self._ = self.t.gettext

    async def identify(self) -> Actor:
        """Know the sender (and so their language) when the handler needs nothing else from storage."""
        async with self.work():
            pass
        assert self.actor is not None
        return self.actor

    @property
    def chat_id(self) -> int:
        chat = self.update.effective_chat
        assert chat is not None
        return chat.id

    def callback_part(self, index: int) -> str:
        """Part `index` of the button's "prefix:action:argument" data; forged or stale data is refused."""
        query = self.update.callback_query
        parts = (query.data or "").split(":") if query else []
        if index >= len(parts) or not parts[index]:
            raise StaleButton()
        return parts[index]

    def callback_id(self, index: int) -> int:
        """A numeric record id carried in the button's data (checked again by the service)."""
        part = self.callback_part(index)
        if not part.isdigit():
            raise StaleButton()
        return int(part)

    async def reply(self, text: str, markup: Markup | None = None) -> Message:
        """Send a new message to the sender's chat."""
        return await self.context.bot.send_message(self.chat_id, text, reply_markup=markup)

    async def reply_lines(self, lines: list[str]) -> None:
        """Send lines as one message, or several when they exceed what one message holds."""
        chunk: list[str] = []
        for line in lines:
            if chunk and sum(len(part) + 1 for part in chunk) + len(line) > MESSAGE_BUDGET:
                await self.reply("\n".join(chunk))
                chunk = []
            chunk.append(line[:MESSAGE_BUDGET])
        if chunk:
            await self.reply("\n".join(chunk))

    async def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the message whose button was pressed (buttons of a finished step disappear)."""
        query = self.update.callback_query
        assert query is not None
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error):
                raise

    async def answer(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the pressed button (a toast, or an alert for refusals); at most once."""
        query = self.update.callback_query
        if query is not None and not self.answered:
            self.answered = True
            await query.answer(text, show_alert=alert)

    async def refuse(self, error: DomainError) -> None:
        """Tell the sender, in their language, why the domain refused: an alert on a button, else a reply."""
        if self.update.callback_query is not None:
            text = error.render(self.t)
            if len(text) <= ALERT_LIMIT:
                await self.answer(text, alert=True)
                return
        await self.reply(error.render(self.t, html=True))


HandlerBody = Callable[[Turn], Awaitable[None]]


def handler(body: HandlerBody) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """Wrap a handler body: domain refusals become replies, and every pressed button gets an answer."""

    @wraps(body)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        turn = Turn(update, context)
        try:
            await body(turn)
        except DomainError as error:
            user = update.effective_user
            log.info("refused %s for user %s: %s", body.__name__, user and user.id, type(error).__name__)
            await turn.refuse(error)
        finally:
            await turn.answer()

    return run
