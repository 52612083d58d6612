"""Reviewing evidence: only the office responsible for a criterion (or an admin) decides; reuse is flagged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.access import Actor, admin_scope
from bot.services.campaigns import administered_campaign, definition_of
from bot.services.errors import EvidenceNotFound, NotAuthorized
from bot.services.evidence import criteria_for, criterion_of
from bot.services.media import NEAR_DISTANCE, bands, hamming, to_unsigned
from bot.services.notices import Render, notify, unit_head_locales
from bot.services.text import fold
from storage.db import UnitOfWork
from storage.models import Campaign, Evidence, EvidenceItem, EvidenceStatus, Role, Unit, utcnow

QUEUE_LIMIT = 10
REVIEW_PAGE = 500
OUTCOMES = {
    "ok": EvidenceStatus.approved,
    "no": EvidenceStatus.rejected,
    "more": EvidenceStatus.more_requested,
}


@dataclass(frozen=True)
class ReviewScope:
    """Where a person reviews: admin subtrees (all criteria) and reviewer posts (their office's criteria)."""

    everything: bool
    admin_roots: frozenset[int]
    offices: tuple[tuple[int, str], ...]  # (unit id, folded office name)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.admin_roots and not self.offices


async def review_scope(uow: UnitOfWork, actor: Actor) -> ReviewScope:
    """The actor's admin and reviewer roles."""
    memberships = await uow.memberships.of_person(actor.id)
    scope = await admin_scope(uow, actor, memberships)
    offices = tuple(
        (m.unit_id, fold(m.office or "")) for m in memberships if m.role == Role.reviewer and m.office
    )
    return ReviewScope(scope.roots is None, scope.roots or frozenset(), offices)


async def may_review(
    uow: UnitOfWork, scope: ReviewScope, evidence: Evidence, above: set[int] | None = None
) -> bool:
    """Whether the scope covers the evidence's unit and, for reviewers, the criterion's office."""
    if above is None and not scope.everything:
        above = set(await uow.units.ancestor_ids(evidence.unit_id))
    return covers(scope, criterion_of(evidence).reviewer_office, above or set())


def covers(scope: ReviewScope, office: str | None, above: set[int]) -> bool:
    """Whether the scope covers a unit (given the ids above it) and, for reviewers, this office's criteria."""
    if scope.everything or scope.admin_roots & above:
        return True
    folded = fold(office or "")
    return bool(folded) and any(unit in above and name == folded for unit, name in scope.offices)


async def review_queue(uow: UnitOfWork, actor: Actor) -> list[Evidence]:
    """Submissions the actor may review, oldest first (read page by page until the queue is full)."""
    scope = await review_scope(uow, actor)
    if scope.is_empty:
        raise NotAuthorized()
    campaign_ids = [c.id for c in await uow.campaigns.newest(200) if c.status == "launched"]
    ancestors: dict[int, set[int]] = {}  # one lookup per unit, however many submissions it has
    queue: list[Evidence] = []
    offset = 0
    while len(queue) < QUEUE_LIMIT:
        page = await uow.evidence.submitted(campaign_ids, REVIEW_PAGE, offset)
        for evidence in page:
            if evidence.unit_id not in ancestors:
                ancestors[evidence.unit_id] = set(await uow.units.ancestor_ids(evidence.unit_id))
            if await may_review(uow, scope, evidence, ancestors[evidence.unit_id]):
                queue.append(evidence)
                if len(queue) == QUEUE_LIMIT:
                    break
        if len(page) < REVIEW_PAGE:
            break
        offset += REVIEW_PAGE
    return queue


async def evidence_for_review(
    uow: UnitOfWork, actor: Actor, evidence_id: int
) -> tuple[Evidence, list[EvidenceItem]]:
    """A submission and its items, for someone who may review it."""
    evidence = await uow.evidence.get(evidence_id)
    if evidence is None or evidence.campaign is None:
        raise EvidenceNotFound()
    if not await may_review(uow, await review_scope(uow, actor), evidence):
        raise NotAuthorized()
    return evidence, (await uow.evidence.items([evidence.id])).get(evidence.id, [])


async def decide_evidence(
    uow: UnitOfWork,
    actor: Actor,
    evidence_id: int,
    outcome: str,
    reason: str | None,
    now: datetime | None = None,
) -> Evidence:
    """Approve, reject or ask for more; a submission already decided by someone else is refused."""
    evidence, _items = await evidence_for_review(uow, actor, evidence_id)
    status = OUTCOMES.get(outcome)
    if status is None:
        raise EvidenceNotFound()
    moved = await uow.evidence.move(
        evidence,
        EvidenceStatus.submitted,
        status=status,
        decided_by_id=actor.id,
        decided_at=now or utcnow(),
        decision_reason=(reason or None) and reason[:500],
    )
    if not moved:
        raise EvidenceNotFound()
    uow.audit.record(actor.id, f"evidence.{status.value}", f"evidence:{evidence.id}", reason=reason)
    return evidence


@dataclass(frozen=True)
class Reuse:
    """An item of this submission that matches an earlier picture of any unit and campaign."""

    item: EvidenceItem
    other: EvidenceItem
    other_evidence: Evidence
    distance: int  # differing bits of the perceptual hash
    exact: bool  # the same bytes or the same Telegram file


async def reuses(uow: UnitOfWork, evidence: Evidence, items: Sequence[EvidenceItem]) -> list[Reuse]:
    """Exact (same bytes or Telegram file) and near (perceptual hash) matches with earlier evidence."""
    found: dict[tuple[int, int], Reuse] = {}
    for item in items:
        exact = await uow.evidence.exact_matches(item.sha256, item.file_unique_id, evidence.id)
        matches = [(other, 0, True) for other in exact]
        if item.phash is not None:
            for other in await uow.evidence.near_candidates(bands(to_unsigned(item.phash)), evidence.id):
                distance = hamming(item.phash, other.phash) if other.phash is not None else NEAR_DISTANCE + 1
                if distance <= NEAR_DISTANCE:
                    matches.append((other, distance, False))
        for other, distance, is_exact in sorted(matches, key=lambda match: (not match[2], match[1])):
            if (item.id, other.id) in found:
                continue
            other_evidence = await uow.evidence.get(other.evidence_id)
            if other_evidence is not None and other_evidence.status != EvidenceStatus.draft:
                found[(item.id, other.id)] = Reuse(item, other, other_evidence, distance, is_exact)
    return sorted(found.values(), key=lambda reuse: (not reuse.exact, reuse.distance, reuse.other.id))[:5]


async def reviewer_ids(
    uow: UnitOfWork, evidence: Evidence, operator_ids: frozenset[int]
) -> dict[int, str | None]:
    """Who hears of a new submission (Telegram id → language): its office's reviewers and the admins."""
    above = await uow.units.ancestor_ids(evidence.unit_id)
    office = fold(criterion_of(evidence).reviewer_office or "")
    people: dict[int, str | None] = {}
    for membership in await uow.memberships.with_role_on(Role.admin, above):
        people[membership.person.telegram_id] = membership.person.locale
    for membership in await uow.memberships.with_role_on(Role.reviewer, above):
        if office and fold(membership.office or "") == office:
            people[membership.person.telegram_id] = membership.person.locale
    for telegram_id in operator_ids:
        people.setdefault(telegram_id, None)
    return people


@dataclass(frozen=True)
class EvidenceMatrix:
    """Units × criteria of a campaign: the newest evidence status of each cell (None: nothing yet)."""

    units: Sequence[Unit]
    criteria: list[str]
    cells: dict[tuple[int, str], EvidenceStatus]


async def evidence_matrix(uow: UnitOfWork, actor: Actor, campaign_id: int) -> tuple[Campaign, EvidenceMatrix]:
    """The matrix of the registered units of a campaign, for its admins."""
    campaign = await administered_campaign(uow, actor, campaign_id)
    registered = await uow.registrations.live_unit_ids(campaign.id)
    kinds = [kind.value for kind in definition_of(campaign).eligible_kinds]
    units = [u for u in await uow.campaigns.eligible_units(campaign.id, kinds) if u.id in registered]
    codes: list[str] = []
    for unit in units:
        codes += [c.code for c in criteria_for(definition_of(campaign), unit) if c.code not in codes]
    latest = await uow.evidence.latest(campaign.id, [u.id for u in units])
    return campaign, EvidenceMatrix(units, codes, {key: e.status for key, e in latest.items()})


async def notify_reviewers(
    uow: UnitOfWork, evidence: Evidence, operator_ids: frozenset[int], render: Render
) -> int:
    """Queue a new submission to its office's reviewers and the admins, each in their language."""
    return await notify(
        uow, f"evidence:{evidence.id}", await reviewer_ids(uow, evidence, operator_ids), render
    )


async def notify_outcome(uow: UnitOfWork, evidence: Evidence, render: Render) -> int:
    """Queue the decision to every reachable head of the unit."""
    key = f"evidence:{evidence.id}:{evidence.status.value}"
    return await notify(uow, key, await unit_head_locales(uow, evidence.unit_id), render)
