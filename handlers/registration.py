"""A unit head opens the campaigns of the unit, reads what they ask, registers for a title or withdraws."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.registrations import campaign_for_unit, notify_approvers, open_campaigns, register, withdraw
from bot.services.text import display_name
from handlers.campaign_texts import campaign_summary, registration_state
from handlers.keyboards import confirm_keyboard
from handlers.registration_review import registration_card
from handlers.turn import Turn, handler
from storage.models import RegistrationStatus


@handler
async def list_open(turn: Turn) -> None:
    """/dangky and "Campaigns" in the menu."""
    await show_open_campaigns(turn)


async def show_open_campaigns(turn: Turn) -> None:
    """The launched campaigns the unit takes part in, with its registration state."""
    async with turn.work() as uow:
        unit, campaigns = await open_campaigns(uow, turn.actor)
    _ = turn._
    if not campaigns:
        await turn.reply(
            _("No campaign is open to {unit} right now.").format(unit=escape(display_name(unit)))
        )
        return
    marks = {None: "➖", RegistrationStatus.pending: "⏳", RegistrationStatus.approved: "✅"}
    rows = [
        [
            InlineKeyboardButton(
                f"{marks[r.status if r else None]} {c.name[:55]}", callback_data=f"reg:open:{c.id}"
            )
        ]
        for c, r in campaigns
    ]
    await turn.reply(
        _("Campaigns of {unit}:").format(unit=escape(display_name(unit))), InlineKeyboardMarkup(rows)
    )


async def show_campaign(turn: Turn, campaign_id: int) -> None:
    """The campaign as the unit head sees it, with a button per title or a withdraw button."""
    async with turn.work() as uow:
        view = await campaign_for_unit(uow, turn.actor, campaign_id)
    _ = turn._
    lines = [
        campaign_summary(turn.t, view.campaign, view.deadlines),
        "",
        _("{unit}: {state}").format(
            unit=escape(display_name(view.unit)), state=registration_state(turn.t, view.registration)
        ),
    ]
    rows = []
    if view.registration is None:
        rows = [
            [
                InlineKeyboardButton(
                    _("📝 Register for: {title}").format(title=t.name[:40]),
                    callback_data=f"reg:title:{view.campaign.id}:{t.id}",
                )
            ]
            for t in view.titles
        ]
    else:
        rows = [
            [
                InlineKeyboardButton(
                    _("↩️ Withdraw the registration"), callback_data=f"reg:withdraw:{view.registration.id}"
                )
            ]
        ]
    await turn.reply("\n".join(lines), InlineKeyboardMarkup(rows))


@handler
async def open_campaign(turn: Turn) -> None:
    """A campaign button (from the list or an announcement)."""
    await show_campaign(turn, turn.callback_id(2))


@handler
async def register_title(turn: Turn) -> None:
    """A title button: register the unit, then put the registration in front of its admins."""
    campaign_id, title_id = turn.callback_id(2), turn.callback_id(3)
    services = turn.services
    async with turn.work() as uow:
        registration = await register(uow, turn.actor, campaign_id, title_id, services.today())
        await notify_approvers(
            uow,
            registration,
            services.settings.admin_ids,
            lambda locale: registration_card(services.translator(locale), registration),
        )
    services.queued()
    await turn.edit(
        turn._(
            "Registered {unit} for “{title}”. The commune will review it; you will be told the decision here."
        ).format(unit=escape(display_name(registration.unit)), title=escape(registration.title.name))
    )


@handler
async def ask_withdraw(turn: Turn) -> None:
    """↩️ Withdraw: confirm first."""
    registration_id = turn.callback_id(2)
    await turn.identify()
    _ = turn._
    keyboard = confirm_keyboard(
        turn.t, _("Yes, withdraw"), f"reg:withdrawok:{registration_id}", "menu:campaigns"
    )
    await turn.edit(
        _("Withdraw your unit's registration? You can register again while registration is open."), keyboard
    )


@handler
async def confirm_withdraw(turn: Turn) -> None:
    """Confirmed withdrawal (only the unit's own head, before the deadline)."""
    registration_id = turn.callback_id(2)
    async with turn.work() as uow:
        registration = await withdraw(uow, turn.actor, registration_id, turn.services.today())
    await turn.edit(
        turn._("The registration of {unit} for “{title}” was withdrawn.").format(
            unit=escape(display_name(registration.unit)), title=escape(registration.title.name)
        )
    )
