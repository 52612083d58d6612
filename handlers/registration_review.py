"""Admins decide registrations in chat: a card each, Approve / Reject with a reason, approve all."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.services.campaigns import administered_campaign
from bot.services.errors import StaleButton
from bot.services.registrations import (
    approve_all,
    decide_registration,
    notify_decision,
    pending_registrations,
)
from bot.services.text import display_name
from handlers.campaign_texts import button
from handlers.turn import Turn, handler
from storage.db import UnitOfWork
from storage.models import Registration, utcnow

#: Reasons an admin can pick with one tap; "other" lets them type one.
PRESET_REASONS = (
    N_("The unit does not meet the conditions for this title"),
    N_("Please register for a title that fits the unit"),
    N_("Registered after the deadline"),
)
REJECT_WITH_TYPED_REASON = "reject_registration"


def registration_card(t: Translator, registration: Registration) -> tuple[str, list[list[dict[str, str]]]]:
    """The text and buttons an admin gets for a new registration (queued in the outbox)."""
    text = t.gettext("📝 <b>New registration</b>\n{unit} registered for “{title}” in {campaign}.").format(
        unit=escape(display_name(registration.unit)),
        title=escape(registration.title.name),
        campaign=escape(registration.campaign.name),
    )
    buttons = [
        [
            button(t.gettext("✅ Approve"), callback_data=f"rg:ok:{registration.id}"),
            button(t.gettext("❌ Reject"), callback_data=f"rg:no:{registration.id}"),
        ]
    ]
    return text, buttons


def card_keyboard(buttons: list[list[dict[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(**b) for b in row] for row in buttons])


def decision_text(t: Translator, registration: Registration) -> str:
    """What the unit head is told of the decision on the unit's registration."""
    names = {
        "unit": escape(display_name(registration.unit)),
        "title": escape(registration.title.name),
        "campaign": escape(registration.campaign.name),
    }
    if registration.status.value == "approved":
        return t.gettext("✅ The registration of {unit} for “{title}” ({campaign}) was approved.").format(
            **names
        )
    return t.gettext(
        "❌ The registration of {unit} for “{title}” ({campaign}) was not approved. Reason: {reason}"
    ).format(reason=escape(registration.reason or "–"), **names)


async def _decide(
    turn: Turn, uow: UnitOfWork, registration_id: int, approve: bool, reason: str | None
) -> Registration:
    """Record the decision and queue it to the unit's head, in their language."""
    registration = await decide_registration(uow, turn.actor, registration_id, approve, reason)
    await notify_decision(
        uow, registration, lambda locale: (decision_text(turn.services.translator(locale), registration), [])
    )
    return registration


def outcome_line(turn: Turn, registration: Registration) -> str:
    """What the admin's card turns into once decided."""
    names = {"unit": escape(display_name(registration.unit)), "title": escape(registration.title.name)}
    if registration.status.value == "approved":
        return turn._("✅ Approved: {unit} – “{title}”.").format(**names)
    return turn._("❌ Rejected: {unit} – “{title}”. Reason: {reason}").format(
        reason=escape(registration.reason or "–"), **names
    )


@handler
async def approve(turn: Turn) -> None:
    """✅ on a registration card."""
    registration_id = turn.callback_id(2)
    async with turn.work() as uow:
        registration = await _decide(turn, uow, registration_id, True, None)
    turn.services.queued()
    await turn.edit(outcome_line(turn, registration))


@handler
async def ask_reason(turn: Turn) -> None:
    """❌ on a registration card: pick a reason, or type one."""
    registration_id = turn.callback_id(2)
    await turn.identify()
    _ = turn._
    rows = [
        [InlineKeyboardButton(_(reason), callback_data=f"rg:why:{registration_id}:{n}")]
        for n, reason in enumerate(PRESET_REASONS)
    ]
    rows.append(
        [InlineKeyboardButton(_("✏️ Type another reason"), callback_data=f"rg:type:{registration_id}")]
    )
    await turn.edit(_("Why is the registration rejected?"), InlineKeyboardMarkup(rows))


@handler
async def reject_with_preset(turn: Turn) -> None:
    """A preset reason: reject with it."""
    registration_id, choice = turn.callback_id(2), turn.callback_id(3)
    if choice >= len(PRESET_REASONS):
        raise StaleButton()
    await turn.identify()
    reason = turn._(PRESET_REASONS[choice])
    async with turn.work() as uow:
        registration = await _decide(turn, uow, registration_id, False, reason)
    turn.services.queued()
    await turn.edit(outcome_line(turn, registration))


@handler
async def ask_typed_reason(turn: Turn) -> None:
    """✏️ Type another reason: the admin's next message is the reason (kept across restarts)."""
    registration_id = turn.callback_id(2)
    async with turn.work() as uow:
        await uow.pending_inputs.expect(turn.actor.id, REJECT_WITH_TYPED_REASON, registration_id, utcnow())
    await turn.edit(turn._("Type the reason for rejecting, in one message:"))


async def reject_with_typed_reason(
    turn: Turn, uow: UnitOfWork, registration_id: int, reason: str
) -> Registration:
    """The typed reason arrived: reject with it (called by the text router inside its transaction)."""
    return await _decide(turn, uow, registration_id, False, reason.strip()[:500])


@handler
async def show_queue(turn: Turn) -> None:
    """📋 Waiting for approval: a card per pending registration and an approve-all button."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign = await administered_campaign(uow, turn.actor, campaign_id)
        pending = await pending_registrations(uow, turn.actor, campaign_id)
    _ = turn._
    if not pending:
        await turn.reply(_("No registration is waiting for approval."))
        return
    for registration in pending:
        text, buttons = registration_card(turn.t, registration)
        await turn.reply(text, card_keyboard(buttons))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Approve all {count}").format(count=len(pending)),
                    callback_data=f"cmp:approveall:{campaign.id}",
                )
            ]
        ]
    )
    await turn.reply(
        _("{count} registrations are waiting for “{name}”.").format(
            count=len(pending), name=escape(campaign.name)
        ),
        keyboard,
    )


@handler
async def approve_everything(turn: Turn) -> None:
    """✅ Approve all: every pending registration the admin may decide, each unit head told."""
    campaign_id = turn.callback_id(2)
    services = turn.services
    async with turn.work() as uow:
        approved = await approve_all(uow, turn.actor, campaign_id)
        for registration in approved:
            await notify_decision(
                uow,
                registration,
                lambda locale, r=registration: (decision_text(services.translator(locale), r), []),
            )
    services.queued()
    await turn.edit(turn._("Approved {count} registrations.").format(count=len(approved)))
