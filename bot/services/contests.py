"""Contesting a verified score (giải trình): the unit explains within the campaign's days, an admin decides.

Accepting restores the unit's own score for the criterion as the verified one; dismissing keeps the
verified score. Both are audit-logged and told to the unit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.access import Actor, approver_locales, require_admin_above
from bot.services.campaigns import definition_of
from bot.services.errors import (
    AlreadyDecided,
    ContestClosed,
    ContestNotNeeded,
    ContestOpen,
    NotAuthorized,
    ScoreNotFound,
)
from bot.services.notices import Render, notify, unit_head_locales
from bot.services.registrations import headed_unit
from bot.services.scores import recompute
from bot.services.scoring import CriterionInput
from storage.db import UnitOfWork
from storage.models import ContestStatus, ScoreContest, ScoreEntry, ScoreStage, utcnow


async def contestable(uow: UnitOfWork, actor: Actor, entry_id: int, now: datetime) -> ScoreEntry:
    """A verified entry of the person's unit that differs from its self-score, still within the window."""
    entry = await uow.scores.entry(entry_id)
    if entry is None or entry.stage != ScoreStage.verified or entry.saved_at is None:
        raise ScoreNotFound()
    if (await headed_unit(uow, actor)).id != entry.unit_id:
        raise NotAuthorized()
    claimed = await uow.scores.find(
        entry.campaign_id, entry.unit_id, entry.criterion_code, ScoreStage.self_score
    )
    if claimed is None or claimed.saved_at is None or claimed.points == entry.points:
        raise ContestNotNeeded()
    campaign = await uow.campaigns.get(entry.campaign_id)
    assert campaign is not None
    closes = entry.saved_at + timedelta(days=definition_of(campaign).contest_days)
    if now > closes:
        raise ContestClosed(date=closes)
    if await uow.scores.open_contest(entry.id) is not None:
        raise ContestOpen()
    return entry


async def open_contest(
    uow: UnitOfWork, actor: Actor, entry_id: int, text: str, now: datetime | None = None
) -> ScoreContest:
    """Record the unit's explanation against a verified score."""
    now = now or utcnow()
    entry = await contestable(uow, actor, entry_id, now)
    contest = ScoreContest(entry_id=entry.id, entry=entry, text=text.strip()[:1000], opened_by_id=actor.id)
    contest.opened_at = now
    uow.scores.add(contest)
    await uow.flush()
    uow.audit.record(actor.id, "score.contest", f"score_entry:{entry.id}", text=contest.text)
    return contest


async def resolve_contest(
    uow: UnitOfWork, actor: Actor, contest_id: int, accept: bool, now: datetime | None = None
) -> ScoreContest:
    """Accept (the unit's own score becomes the verified one) or dismiss; the first decision wins."""
    contest = await uow.scores.contest(contest_id)
    if contest is None:
        raise ScoreNotFound()
    entry = contest.entry
    await require_admin_above(uow, actor, entry.unit_id)  # not the contesting unit's own admins
    status = ContestStatus.accepted if accept else ContestStatus.dismissed
    if not await uow.scores.resolve(contest, status, actor.id, now or utcnow()):
        raise AlreadyDecided()
    if accept:
        claimed = await uow.scores.find(
            entry.campaign_id, entry.unit_id, entry.criterion_code, ScoreStage.self_score
        )
        if claimed is None or claimed.saved_at is None:  # the unit is changing its self-score right now
            raise ScoreNotFound()
        entry.inputs = CriterionInput.from_dict(claimed.inputs).to_dict()
        entry.points, entry.reason, entry.revision = claimed.points, None, entry.revision + 1
        entry.updated_by_id, entry.updated_at = actor.id, now or utcnow()
        await recompute(uow, entry.campaign_id, entry.unit)
    uow.audit.record(actor.id, f"score.contest.{status.value}", f"score_contest:{contest.id}")
    return contest


async def notify_contest(
    uow: UnitOfWork, contest: ScoreContest, operator_ids: frozenset[int], render: Render
) -> int:
    """Queue a new explanation to the admins above the unit."""
    unit = contest.entry.unit
    recipients = await approver_locales(
        uow, unit.parent_id or unit.id, operator_ids
    )  # the units above decide
    return await notify(uow, f"contest:{contest.id}", recipients, render)


async def notify_resolution(uow: UnitOfWork, contest: ScoreContest, render: Render) -> int:
    """Queue the admin's decision to the unit's heads."""
    key = f"contest:{contest.id}:{contest.status.value}"
    return await notify(uow, key, await unit_head_locales(uow, contest.entry.unit_id), render)
