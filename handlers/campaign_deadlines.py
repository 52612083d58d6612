"""Admins extend a deadline in chat, for every unit or for one, and those affected are told."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.campaigns import administered_campaign
from bot.services.deadlines import deadline_as_it_stands, deadlines_for, extend_deadline
from bot.services.errors import StaleButton
from handlers.campaign_texts import deadline_name, extension_notice
from handlers.turn import Turn, handler

EXTENSION_DAYS = (7, 14, 30)


@handler
async def choose_deadline(turn: Turn) -> None:
    """⏰ Extend: which deadline."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign = await administered_campaign(uow, turn.actor, campaign_id)
        deadlines = await deadlines_for(uow, campaign.id, None)
    rows = [
        [
            InlineKeyboardButton(
                f"{deadline_name(turn.t, d.kind, d.label)}: {turn.t.date(d.due)}"[:60],
                callback_data=f"dl:pick:{d.id}",
            )
        ]
        for d in deadlines
    ]
    await turn.reply(
        turn._("Which deadline of “{name}” do you want to extend for every unit?").format(
            name=escape(campaign.name)
        ),
        InlineKeyboardMarkup(rows),
    )


@handler
async def choose_days(turn: Turn) -> None:
    """A deadline: by how many days."""
    deadline_id = turn.callback_id(2)
    await turn.identify()
    rows = [
        [
            InlineKeyboardButton(
                turn._("+{days} days").format(days=days), callback_data=f"dl:add:{deadline_id}:{days}"
            )
            for days in EXTENSION_DAYS
        ]
    ]
    await turn.edit(
        turn._("Extend by how many days (counted from the current date of the deadline)?"),
        InlineKeyboardMarkup(rows),
    )


async def _extend(turn: Turn, deadline_id: int, days: int, unit_id: int | None) -> None:
    """Move the deadline `days` past its current date (or today, if later) and queue the notices."""
    services = turn.services
    today = services.today()
    async with turn.work() as uow:
        current = await deadline_as_it_stands(uow, deadline_id, unit_id)
        new_due = max(current.due, today) + timedelta(days=days)
        _extension, notified = await extend_deadline(
            uow,
            turn.actor,
            deadline_id,
            new_due,
            unit_id,
            lambda campaign, deadline, due, recipient, extension_id: extension_notice(
                campaign, deadline, due, recipient, extension_id, services.translator(recipient.locale)
            ),
            today,
        )
    services.queued()
    text = turn._("Extended to {date}; {count} chats are being told.").format(
        date=turn.t.date(new_due), count=notified
    )
    await (turn.edit(text) if unit_id is None else turn.reply(text))


@handler
async def extend_for_all(turn: Turn) -> None:
    """+N days for every unit."""
    deadline_id, days = turn.callback_id(2), turn.callback_id(3)
    if days not in EXTENSION_DAYS:
        raise StaleButton()
    await _extend(turn, deadline_id, days, None)


@handler
async def extend_for_unit(turn: Turn) -> None:
    """+7 days for one late unit (from the registration statistics)."""
    deadline_id, unit_id = turn.callback_id(2), turn.callback_id(3)
    await _extend(turn, deadline_id, EXTENSION_DAYS[0], unit_id)
