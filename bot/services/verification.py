"""What waits for an office's verification: units that sent their self-score, and their criteria to check."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.access import Actor, units_above
from bot.services.errors import NotAuthorized
from bot.services.evidence_review import ReviewScope, covers, review_scope
from bot.services.scores import UnitScores, reviewed_scores
from storage.db import UnitOfWork
from storage.models import Campaign, CampaignStatus, Unit

QUEUE_LIMIT = 20


@dataclass(frozen=True)
class Waiting:
    """A unit whose self-score has criteria the person verifies and has not confirmed yet."""

    campaign: Campaign
    unit: Unit
    waiting: int


def _mine(scope: ReviewScope, scores: UnitScores, above: set[int]) -> list[int]:
    """Positions of the criteria the scope verifies for the unit."""
    return [
        position
        for position, criterion in enumerate(scores.criteria)
        if covers(scope, criterion.reviewer_office, above)
    ]


async def verification_queue(uow: UnitOfWork, actor: Actor) -> list[Waiting]:
    """Units that sent a self-score with criteria still to verify by the person, oldest first."""
    scope = await review_scope(uow, actor)
    if scope.is_empty:
        raise NotAuthorized()
    campaigns = [c for c in await uow.campaigns.newest(200) if c.status == CampaignStatus.launched]
    queue: list[Waiting] = []
    for campaign in campaigns:
        for total in await uow.scores.submitted(campaign.id):
            unit = await uow.units.get(total.unit_id)
            if unit is None:
                continue
            scores = await reviewed_scores(uow, campaign, unit)
            above = await units_above(uow, unit.id)
            codes = [scores.criteria[p].code for p in _mine(scope, scores, above)]
            left = [code for code in codes if (e := scores.verified.get(code)) is None or e.saved_at is None]
            if left:
                queue.append(Waiting(campaign, unit, len(left)))
            if len(queue) == QUEUE_LIMIT:
                return queue
    return queue


async def criteria_to_verify(
    uow: UnitOfWork, actor: Actor, campaign_id: int, unit_id: int
) -> tuple[UnitScores, list[int]]:
    """A unit's scores and the positions of the criteria the person verifies."""
    campaign = await uow.campaigns.get(campaign_id)
    unit = await uow.units.get(unit_id)
    if campaign is None or unit is None:
        raise NotAuthorized()
    scores = await reviewed_scores(uow, campaign, unit)
    positions = _mine(await review_scope(uow, actor), scores, await units_above(uow, unit.id))
    if not positions:
        raise NotAuthorized()
    return scores, positions
