"""Onboarding without an invite: type a unit's name, pick it, ask to join; an admin approves with one tap."""

from __future__ import annotations

import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.services.join_requests import decide_join_request, request_to_join
from bot.services.people import profile
from bot.services.text import display_name
from bot.services.units import search_units
from handlers.labels import head_title, unit_html
from handlers.menu import main_menu
from handlers.turn import Turn, handler
from storage.models import JoinRequest, Unit

log = logging.getLogger(__name__)


@handler
async def on_text(turn: Turn) -> None:
    """Plain text: a unit search for someone not linked yet, otherwise a pointer to the menu."""
    query = turn.update.effective_message.text or ""
    async with turn.work() as uow:
        me = await profile(uow, turn.actor)
        units = [] if me.is_linked else await search_units(uow, query)
    _ = turn._
    if me.is_linked:
        await turn.reply(
            _("I did not understand that message. Please use the buttons of the menu."), main_menu(turn, me)
        )
    elif not units:
        await turn.reply(
            _(
                "No unit matches “{query}”. Check the name, or type fewer words "
                "(for example: thon 3 ba bich)."
            ).format(query=escape(query[:100]))
        )
    else:
        rows = [
            [InlineKeyboardButton(unit_label(unit), callback_data=f"join:pick:{unit.id}")] for unit in units
        ]
        await turn.reply(_("Which one is your unit?"), InlineKeyboardMarkup(rows))


def unit_label(unit: Unit) -> str:
    """A search result button: the unit with its parent, cut to what fits on a phone."""
    label = display_name(unit)
    return label if len(label) <= 60 else label[:59] + "…"


@handler
async def pick_unit(turn: Turn) -> None:
    """A search result: ask the person to confirm they are the unit's head."""
    unit_id = turn.callback_id(2)
    async with turn.work() as uow:
        unit = await uow.units.get(unit_id)
    _ = turn._
    if unit is None:
        await turn.edit(_("This unit no longer exists."))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("📨 Send the request"), callback_data=f"join:ask:{unit.id}")],
            [InlineKeyboardButton(_("🔎 Search again"), callback_data="menu:find")],
        ]
    )
    await turn.edit(
        _("Ask to be linked as {title} {unit}? An admin of the commune will check and approve.").format(
            title=head_title(turn.t, unit), unit=unit_html(unit)
        ),
        keyboard,
    )


@handler
async def ask_to_join(turn: Turn) -> None:
    """ "Send the request": record it and put Approve/Reject in front of the unit's admins."""
    unit_id = turn.callback_id(2)
    async with turn.work() as uow:
        new = await request_to_join(uow, turn.actor, unit_id, turn.services.settings.admin_ids)
    request = new.request
    _ = turn._
    if not new.approver_telegram_ids:
        await turn.edit(
            _(
                "Your request to join {unit} was recorded, but no admin is set up for it yet. "
                "Please contact the commune office."
            ).format(unit=unit_html(request.unit))
        )
        return
    await turn.edit(
        _("Your request to join {unit} was sent. You will be told as soon as an admin decides.").format(
            unit=unit_html(request.unit)
        )
    )
    await notify_approvers(turn, request, new.approver_telegram_ids)


async def notify_approvers(turn: Turn, request: JoinRequest, telegram_ids: set[int]) -> None:
    """Send the request with Approve/Reject buttons to each approver, in their own language."""
    async with turn.services.database.unit_of_work() as uow:
        locales = {
            tid: (p.locale if (p := await uow.people.by_telegram_id(tid)) else None) for tid in telegram_ids
        }
    for telegram_id, locale in locales.items():
        t = turn.services.translator(locale)
        text, keyboard = join_request_card(t, request)
        try:
            await turn.context.bot.send_message(telegram_id, text, reply_markup=keyboard)
        except TelegramError as error:
            log.warning("join request %s not delivered to %s: %s", request.id, telegram_id, error)


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


@handler
async def decide(turn: Turn) -> None:
    """Approve or Reject on a join request: checked on the server, then the person is told."""
    approve = turn.callback_part(1) == "ok"
    request_id = turn.callback_id(2)
    async with turn.work() as uow:
        request = await decide_join_request(uow, turn.actor, request_id, approve)
        person_locale = request.person.locale
    _ = turn._
    outcome = _("✅ Approved") if approve else _("❌ Rejected")
    await turn.edit(
        _("{outcome}: {person} for {unit}.").format(
            outcome=outcome, person=escape(request.person.full_name), unit=unit_html(request.unit)
        )
    )
    t = turn.services.translator(person_locale)
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
