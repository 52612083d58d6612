"""The admins' side of join requests: the request card with Approve/Reject, and the decision."""

from __future__ import annotations

import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.services.join_requests import decide_join_request
from handlers.labels import head_title, unit_html
from handlers.turn import Turn, handler
from storage.models import JoinRequest

log = logging.getLogger(__name__)


def join_request_card(t: Translator, request: JoinRequest) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons an approver sees for a pending request."""
    person = request.person
    who = escape(person.full_name or str(person.telegram_id))
    if person.username:
        who += f" (@{escape(person.username)})"
    text = t.gettext("📝 <b>Join request</b>\n{person} asks to be linked as {title} {unit}.").format(
        person=who, title=head_title(t, request.unit), unit=unit_html(request.unit)
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t.gettext("✅ Approve"), callback_data=f"jr:ok:{request.id}"),
                InlineKeyboardButton(t.gettext("❌ Reject"), callback_data=f"jr:no:{request.id}"),
            ]
        ]
    )
    return text, keyboard


async def notify_approvers(turn: Turn, request: JoinRequest, telegram_ids: set[int]) -> None:
    """Send the request card to each approver, in their own language."""
    async with turn.services.database.unit_of_work() as uow:
        people = await uow.people.by_telegram_ids(telegram_ids)
    for telegram_id in sorted(telegram_ids):
        person = people.get(telegram_id)
        text, keyboard = join_request_card(turn.services.translator(person and person.locale), request)
        try:
            await turn.context.bot.send_message(telegram_id, text, reply_markup=keyboard)
        except TelegramError as error:
            log.warning("join request %s not delivered to %s: %s", request.id, telegram_id, error)


@handler
async def decide(turn: Turn) -> None:
    """Approve or Reject on a join request: checked on the server, then the person is told."""
    approve = turn.callback_part(1) == "ok"
    request_id = turn.callback_id(2)
    async with turn.work() as uow:
        request = await decide_join_request(uow, turn.actor, request_id, approve)
    _ = turn._
    outcome = _("✅ Approved") if approve else _("❌ Rejected")
    await turn.edit(
        _("{outcome}: {person} for {unit}.").format(
            outcome=outcome, person=escape(request.person.full_name), unit=unit_html(request.unit)
        )
    )
    t = turn.services.translator(request.person.locale)
    text = (
        t.gettext("✅ Your request was approved: you are now linked to {unit}. Open /menu to begin.")
        if approve
        else t.gettext("❌ Your request to join {unit} was not approved. Please contact the commune office.")
    )
    try:
        await turn.context.bot.send_message(
            request.person.telegram_id, text.format(unit=unit_html(request.unit))
        )
    except TelegramError as error:
        log.warning("join decision %s not delivered: %s", request.id, error)
