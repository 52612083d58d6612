"""Excel files sent in chat to admins: the score sheet, the registrations and the evidence matrix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.services.exports import evidence_file, registrations_file, score_sheet_file
from handlers.turn import Turn, handler
from storage.db import UnitOfWork
from storage.models import Campaign

Make = Callable[[UnitOfWork, Turn, int], Awaitable[tuple[Campaign, bytes]]]


async def _send(turn: Turn, make: Make, name: str) -> None:
    """Build the file in one transaction and send it as a document named after the campaign."""
    campaign_id = turn.callback_id(2)
    await turn.answer(turn._("Preparing the file…"))
    async with turn.work() as uow:
        campaign, data = await make(uow, turn, campaign_id)
    await turn.context.bot.send_document(
        turn.chat_id, data, filename=f"{name}_{campaign.code}.xlsx", caption=campaign.name[:200]
    )


@handler
async def score_sheet(turn: Turn) -> None:
    """📥 Score sheet: criteria as rows, units as columns, totals and ranks."""

    async def make(uow: UnitOfWork, turn: Turn, campaign_id: int) -> tuple[Campaign, bytes]:
        subtitle = turn._("Score sheet as of {date}").format(date=turn.t.date(turn.services.today()))
        return await score_sheet_file(uow, turn.actor, campaign_id, turn._, subtitle)

    await _send(turn, make, "bang_diem")


@handler
async def registrations(turn: Turn) -> None:
    """📥 Registrations: every unit's registration with its status and dates."""

    async def make(uow: UnitOfWork, turn: Turn, campaign_id: int) -> tuple[Campaign, bytes]:
        return await registrations_file(uow, turn.actor, campaign_id, turn._)

    await _send(turn, make, "dang_ky")


@handler
async def evidence(turn: Turn) -> None:
    """📥 Evidence: each registered unit × criterion, the newest evidence state."""

    async def make(uow: UnitOfWork, turn: Turn, campaign_id: int) -> tuple[Campaign, bytes]:
        return await evidence_file(uow, turn.actor, campaign_id, turn._)

    await _send(turn, make, "minh_chung")
