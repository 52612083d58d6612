"""Choosing among the running campaigns a unit is registered for: straight in when there is one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.evidence import evidence_campaigns
from bot.services.text import display_name
from handlers.turn import Turn


async def choose_registered_campaign(
    turn: Turn, question: str, callback_prefix: str, show: Callable[[int], Awaitable[None]]
) -> None:
    """Show the only registered campaign, or ask which one (buttons `callback_prefix:<id>`)."""
    async with turn.work() as uow:
        unit, campaigns = await evidence_campaigns(uow, turn.actor)
    if len(campaigns) == 1:
        await show(campaigns[0].id)
    elif not campaigns:
        await turn.reply(
            turn._("{unit} is not registered for any running campaign yet; register with /dangky.").format(
                unit=escape(display_name(unit))
            )
        )
    else:
        rows = [
            [InlineKeyboardButton(c.name[:60], callback_data=f"{callback_prefix}:{c.id}")] for c in campaigns
        ]
        await turn.reply(question, InlineKeyboardMarkup(rows))
