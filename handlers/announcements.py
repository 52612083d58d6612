"""The "Đã nhận" button under a launch announcement, in a private chat or a group."""

from __future__ import annotations

from bot.services.campaign_reports import acknowledge
from handlers.turn import Turn, handler


@handler
async def acknowledged(turn: Turn) -> None:
    """Record the acknowledgement (first press counts) and thank the person."""
    announcement_id = turn.callback_id(1)
    async with turn.work() as uow:
        _announcement, first = await acknowledge(uow, turn.actor, announcement_id, turn.chat_id)
    await turn.answer(turn._("Thank you, received.") if first else turn._("Already acknowledged."))
