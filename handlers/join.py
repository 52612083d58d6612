"""Onboarding without an invite: type a unit's name, pick it from buttons, ask to be linked to it."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.join_requests import request_to_join, unit_to_join
from bot.services.text import display_name
from bot.services.units import SEARCH_LIMIT
from handlers.join_review import notify_approvers
from handlers.labels import head_title, unit_html
from handlers.turn import Turn, handler
from storage.models import Unit


def unit_label(unit: Unit) -> str:
    """A search result button: the unit with its parent, cut to what fits on a phone."""
    label = display_name(unit)
    return label if len(label) <= 60 else label[:59] + "…"


def unit_buttons(units: Sequence[Unit], prefix: str) -> InlineKeyboardMarkup:
    """One button per unit, its callback data `prefix:<unit id>`."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(unit_label(u), callback_data=f"{prefix}:{u.id}")] for u in units]
    )


def results_heading(turn: Turn, question: str, count: int) -> str:
    """The question above search results, with a hint when the list was cut at the limit."""
    if count < SEARCH_LIMIT:
        return question
    return f"{question}\n" + turn._("Only the first {count} are shown; type more words to narrow.").format(
        count=count
    )


@handler
async def pick_unit(turn: Turn) -> None:
    """A search result: ask the person to confirm they are the unit's head."""
    unit_id = turn.callback_id(2)
    async with turn.work() as uow:
        unit = await unit_to_join(uow, unit_id)
    _ = turn._
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("📨 Send the request"), callback_data=f"join:ask:{unit.id}")],
            [InlineKeyboardButton(_("🔎 Search again"), callback_data="menu:find")],
        ]
    )
    await turn.edit(
        _("Ask to be linked as {title} {unit}? An admin of the commune will review the request.").format(
            title=head_title(turn.t, unit), unit=unit_html(unit)
        ),
        keyboard,
    )


@handler
async def ask_to_join(turn: Turn) -> None:
    """The "Send the request" button: record it and put Approve/Reject before the unit's admins."""
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
