"""Self-scoring and verification: an entry per criterion, scored by the engine, the unit's total kept current.

A unit head opens a criterion (its entry starts at the maximum), counts incidents and items with buttons or
types a number, and saves; once every criterion is saved the unit sends its self-score. The responsible
office then agrees or adjusts each criterion; an adjustment that changes the points needs a reason and is
told to the unit, which may contest it (see contests.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from bot.services.access import Actor, units_above
from bot.services.campaign_file_model import CampaignDefinition, CriterionDef, Per
from bot.services.campaigns import definition_of
from bot.services.deadlines import deadlines_for
from bot.services.errors import (
    CampaignNotFound,
    CriterionNotFound,
    NotAuthorized,
    NumberNeeded,
    NumberOutOfRange,
    ReasonNeeded,
    ScoreNotFound,
    ScoresIncomplete,
    ScoringClosed,
)
from bot.services.evidence import criteria_for, registered_campaign
from bot.services.evidence_review import covers, review_scope
from bot.services.notices import Render, notify, unit_head_locales
from bot.services.registrations import headed_unit
from bot.services.scoring import CriterionInput, CriterionScore, Scorecard, score_criterion, score_unit
from bot.services.text import fold
from storage.db import UnitOfWork
from storage.models import Campaign, CampaignStatus, Role, ScoreEntry, ScoreStage, ScoreTotal, Unit, utcnow

SELF_SCORING = "self_scoring"
NUMBER = re.compile(r"\d{1,7}(?:[.,]\d{1,4})?")
MOST_OCCURRENCES = Decimal(1000)


def parse_number(text: str) -> Decimal:
    """A number as officials type it: 99,5 or 99.5 or 4 (a trailing % is allowed)."""
    cleaned = text.strip().removesuffix("%").strip()
    if not NUMBER.fullmatch(cleaned):
        raise NumberNeeded()
    return Decimal(cleaned.replace(",", "."))


@dataclass(frozen=True)
class Editing:
    """A criterion being scored: its entry, the engine's result, and where it is in the unit's list."""

    campaign: Campaign
    entry: ScoreEntry
    criterion: CriterionDef
    score: CriterionScore
    position: int
    count: int
    self_entry: ScoreEntry | None  # what the unit claimed, when a reviewer is verifying

    @property
    def differs(self) -> bool:
        """Whether a verified entry gives other points than the unit's own saved score."""
        claimed = self.self_entry
        return self.entry.stage == ScoreStage.verified and (
            claimed is None or claimed.saved_at is None or claimed.points != self.entry.points
        )


@dataclass(frozen=True)
class UnitScores:
    """A unit's criteria in a campaign with both stages' entries and its current total."""

    campaign: Campaign
    unit: Unit
    criteria: list[CriterionDef]
    self_entries: dict[str, ScoreEntry]
    verified: dict[str, ScoreEntry]
    total: ScoreTotal | None
    due: date | None

    @property
    def missing(self) -> list[str]:
        """Criteria without a saved self-score."""
        return [c.code for c in self.criteria if not _saved(self.self_entries.get(c.code))]


def _saved(entry: ScoreEntry | None) -> bool:
    return entry is not None and entry.saved_at is not None


async def scoring_due(uow: UnitOfWork, campaign_id: int, unit_id: int) -> date | None:
    """The last day of self-scoring for the unit (None: the campaign sets no such deadline)."""
    views = await deadlines_for(uow, campaign_id, unit_id)
    return next((d.due for d in views if d.kind == SELF_SCORING), None)


async def unit_scores(uow: UnitOfWork, campaign: Campaign, unit: Unit) -> UnitScores:
    """Everything scored for a unit so far."""
    entries = await uow.scores.of_unit(campaign.id, unit.id)
    by_stage: dict[ScoreStage, dict[str, ScoreEntry]] = {stage: {} for stage in ScoreStage}
    for entry in entries:
        by_stage[entry.stage][entry.criterion_code] = entry
    return UnitScores(
        campaign,
        unit,
        list(criteria_for(definition_of(campaign), unit)),
        by_stage[ScoreStage.self_score],
        by_stage[ScoreStage.verified],
        await uow.scores.total(campaign.id, unit.id),
        await scoring_due(uow, campaign.id, unit.id),
    )


async def own_scores(uow: UnitOfWork, actor: Actor, campaign_id: int) -> UnitScores:
    """The scores of the unit the person heads, in a campaign it is registered for."""
    campaign, unit = await registered_campaign(uow, actor, campaign_id)
    return await unit_scores(uow, campaign, unit)


async def _check_scoring_open(uow: UnitOfWork, campaign: Campaign, unit_id: int, today: date) -> None:
    if campaign.status != CampaignStatus.launched:
        raise ScoreNotFound()
    due = await scoring_due(uow, campaign.id, unit_id)
    if due is not None and today > due:
        raise ScoringClosed(date=due)


def _criterion(criteria: list[CriterionDef], position: int) -> CriterionDef:
    if not 0 <= position < len(criteria):
        raise CriterionNotFound()
    return criteria[position]


async def open_self_score(
    uow: UnitOfWork, actor: Actor, campaign_id: int, position: int, today: date
) -> Editing:
    """The unit's entry for its criterion number `position`, created at the maximum on first opening."""
    scores = await own_scores(uow, actor, campaign_id)
    await _check_scoring_open(uow, scores.campaign, scores.unit.id, today)
    criterion = _criterion(scores.criteria, position)
    entry = scores.self_entries.get(criterion.code)
    if entry is None:
        entry = await _new_entry(uow, scores, criterion, ScoreStage.self_score, CriterionInput(), actor)
    return _editing(entry, scores, None)


async def open_verification(
    uow: UnitOfWork, actor: Actor, campaign_id: int, unit_id: int, position: int
) -> Editing:
    """The reviewer's entry for a unit's criterion, starting from what the unit claimed."""
    campaign = await uow.campaigns.get(campaign_id)
    unit = await uow.units.get(unit_id)
    if campaign is None or unit is None:
        raise CampaignNotFound()
    scores = await reviewed_scores(uow, campaign, unit)
    if scores.total is None or scores.total.self_submitted_at is None:  # only a sent self-score is verified
        raise ScoreNotFound()
    criterion = _criterion(scores.criteria, position)
    await _check_reviewer(uow, actor, scores.unit.id, criterion)
    entry = scores.verified.get(criterion.code)
    if entry is None:
        claimed = scores.self_entries.get(criterion.code)
        start = CriterionInput.from_dict(claimed.inputs) if _saved(claimed) else CriterionInput()
        entry = await _new_entry(uow, scores, criterion, ScoreStage.verified, start, actor)
    return _editing(entry, scores, scores.self_entries.get(criterion.code))


async def reviewed_scores(uow: UnitOfWork, campaign: Campaign, unit: Unit) -> UnitScores:
    """A unit's scores in a running campaign, for those who verify them."""
    if campaign.status != CampaignStatus.launched:
        raise ScoreNotFound()
    return await unit_scores(uow, campaign, unit)


async def _check_reviewer(uow: UnitOfWork, actor: Actor, unit_id: int, criterion: CriterionDef) -> None:
    above = await units_above(uow, unit_id)  # a unit's own admins do not verify its score
    if not covers(await review_scope(uow, actor), criterion.reviewer_office, above):
        raise NotAuthorized()


async def _new_entry(
    uow: UnitOfWork,
    scores: UnitScores,
    criterion: CriterionDef,
    stage: ScoreStage,
    start: CriterionInput,
    actor: Actor,
) -> ScoreEntry:
    entry = ScoreEntry(
        campaign_id=scores.campaign.id,
        unit_id=scores.unit.id,
        unit=scores.unit,
        criterion_code=criterion.code,
        stage=stage,
        inputs=start.to_dict(),
        points=score_criterion(criterion, start).points,
        updated_by_id=actor.id,
    )
    uow.scores.add(entry)
    await uow.flush()  # one chat's updates are handled in order; the unique key catches other races
    (scores.self_entries if stage == ScoreStage.self_score else scores.verified)[criterion.code] = entry
    return entry


def _editing(entry: ScoreEntry, scores: UnitScores, claimed: ScoreEntry | None) -> Editing:
    codes = [c.code for c in scores.criteria]
    if entry.criterion_code not in codes:
        raise ScoreNotFound()
    position = codes.index(entry.criterion_code)
    criterion = scores.criteria[position]
    score = score_criterion(criterion, CriterionInput.from_dict(entry.inputs))
    return Editing(scores.campaign, entry, criterion, score, position, len(codes), claimed)


async def editing(uow: UnitOfWork, actor: Actor, entry_id: int, today: date) -> Editing:
    """An entry the person may change now: their unit's before the deadline, or one their office verifies."""
    entry = await uow.scores.entry(entry_id)
    if entry is None:
        raise ScoreNotFound()
    campaign = await uow.campaigns.get(entry.campaign_id)
    if campaign is None:
        raise ScoreNotFound()
    scores = await unit_scores(uow, campaign, entry.unit)
    if entry.stage == ScoreStage.self_score:
        if (await headed_unit(uow, actor)).id != entry.unit_id:
            raise NotAuthorized()
        if await uow.registrations.live(campaign.id, entry.unit_id) is None:  # withdrawn since
            raise ScoreNotFound()
        await _check_scoring_open(uow, campaign, entry.unit_id, today)
        return _editing(entry, scores, None)
    if campaign.status != CampaignStatus.launched:
        raise ScoreNotFound()
    found = _editing(entry, scores, scores.self_entries.get(entry.criterion_code))
    await _check_reviewer(uow, actor, entry.unit_id, found.criterion)
    return found


def _changed(
    criterion: CriterionDef, found: CriterionInput, slot: str, value: Decimal | None
) -> CriterionInput:
    """The inputs with one slot set: d<i>/b<i> a rule's count, a achieved, p points, s serious."""
    if slot == "s":
        return CriterionInput(
            found.deductions, found.bonuses, found.achieved, found.points, not found.serious
        )
    if slot == "p":
        _check_range(value, criterion.max_points, whole=False, allow_none=True)
        return CriterionInput(found.deductions, found.bonuses, found.achieved, value, found.serious)
    if slot == "a" and criterion.proportional_of:
        _check_range(value, Decimal(criterion.proportional_of), whole=True, allow_none=True)
        return CriterionInput(found.deductions, found.bonuses, value, found.points, found.serious)
    rules = criterion.deductions if slot[:1] == "d" else criterion.bonuses if slot[:1] == "b" else ()
    index = int(slot[1:]) if slot[1:].isdigit() else len(rules)
    if index >= len(rules):
        raise ScoreNotFound()
    rule = rules[index]
    whole = rule.per != Per.percent
    _check_range(value, Decimal(100) if not whole else MOST_OCCURRENCES, whole=whole, allow_none=False)
    assert value is not None
    counts = list(found.deductions if slot[:1] == "d" else found.bonuses)
    counts += [Decimal(0)] * (len(rules) - len(counts))
    counts[index] = value
    if slot[:1] == "d":
        return CriterionInput(tuple(counts), found.bonuses, found.achieved, found.points, found.serious)
    return CriterionInput(found.deductions, tuple(counts), found.achieved, found.points, found.serious)


def _check_range(value: Decimal | None, high: Decimal, whole: bool, allow_none: bool) -> None:
    if value is None:
        if not allow_none:
            raise NumberNeeded()
        return
    if whole and value != value.to_integral_value():
        raise NumberNeeded()
    if not 0 <= value <= high:
        raise NumberOutOfRange(low="0", high=format(high.normalize(), "f").replace(".", ","))


def current_value(editing: Editing, slot: str) -> Decimal | None:
    """The value a slot holds now (for the +/− buttons)."""
    found = CriterionInput.from_dict(editing.entry.inputs)
    if slot == "p":
        return found.points
    if slot == "a":
        return found.achieved
    counts = found.deductions if slot[:1] == "d" else found.bonuses
    index = int(slot[1:]) if slot[1:].isdigit() else 0
    return found.count(counts, index)


async def change_entry(
    uow: UnitOfWork, actor: Actor, entry_id: int, slot: str, value: Decimal | None, today: date
) -> Editing:
    """Set one slot of an entry; the entry stops counting until it is saved again."""
    found = await editing(uow, actor, entry_id, today)
    inputs = _changed(found.criterion, CriterionInput.from_dict(found.entry.inputs), slot, value)
    entry = found.entry
    entry.inputs = inputs.to_dict()
    entry.points = score_criterion(found.criterion, inputs).points
    entry.saved_at, entry.updated_by_id, entry.updated_at = None, actor.id, utcnow()
    await recompute(uow, entry.campaign_id, entry.unit)
    return replace(found, score=score_criterion(found.criterion, inputs))


async def save_entry(
    uow: UnitOfWork, actor: Actor, entry_id: int, reason: str | None, today: date, now: datetime | None = None
) -> Editing:
    """Save an entry so it counts; a verified score other than the unit's needs a reason."""
    found = await editing(uow, actor, entry_id, today)
    reason = (reason or "").strip()[:500] or None
    if found.differs and reason is None:
        raise ReasonNeeded()
    entry = found.entry
    entry.saved_at, entry.updated_at, entry.updated_by_id = now or utcnow(), now or utcnow(), actor.id
    entry.reason = reason if found.differs else None
    entry.revision += 1
    await recompute(uow, entry.campaign_id, entry.unit)
    uow.audit.record(
        actor.id,
        f"score.{entry.stage.value}",
        f"score_entry:{entry.id}",
        points=format(entry.points, "f"),
        inputs=entry.inputs,
        reason=reason,
    )
    return found


def saved_inputs(
    entries: Iterable[ScoreEntry],
) -> tuple[dict[str, CriterionInput], dict[str, CriterionInput]]:
    """The saved self-scores and verified scores, by criterion code."""
    claimed: dict[str, CriterionInput] = {}
    verified: dict[str, CriterionInput] = {}
    for entry in entries:
        if entry.saved_at is not None:
            stage = claimed if entry.stage == ScoreStage.self_score else verified
            stage[entry.criterion_code] = CriterionInput.from_dict(entry.inputs)
    return claimed, verified


def standing_card(definition: CampaignDefinition, unit: Unit, entries: Iterable[ScoreEntry]) -> Scorecard:
    """The unit's scorecard as it stands: each criterion verified where it is, else as self-scored."""
    claimed, verified = saved_inputs(entries)
    return score_unit(definition, unit.kind, claimed | verified)


async def recompute(uow: UnitOfWork, campaign_id: int, unit: Unit) -> ScoreTotal:
    """Keep the unit's total current after one of its entries changed."""
    campaign = await uow.campaigns.get(campaign_id)
    assert campaign is not None
    definition = definition_of(campaign)
    claimed, verified = saved_inputs(await uow.scores.of_unit(campaign_id, unit.id))
    card = score_unit(definition, unit.kind, claimed | verified)
    own = score_unit(definition, unit.kind, claimed)
    total = await uow.scores.total(campaign_id, unit.id)
    if total is None:
        total = ScoreTotal(campaign_id=campaign_id, unit_id=unit.id)
        uow.scores.add(total)
    total.total, total.total_max, total.self_total = card.total, card.total_max, own.total
    total.unscored, total.verified, total.updated_at = len(card.unscored), len(verified), utcnow()
    return total


async def submit_self_scores(
    uow: UnitOfWork, actor: Actor, campaign_id: int, today: date, now: datetime | None = None
) -> UnitScores:
    """Send the unit's self-score for verification once every criterion is saved."""
    scores = await own_scores(uow, actor, campaign_id)
    await _check_scoring_open(uow, scores.campaign, scores.unit.id, today)
    if scores.missing:
        raise ScoresIncomplete(missing=", ".join(scores.missing[:10]))
    total = await recompute(uow, scores.campaign.id, scores.unit)
    total.self_submitted_at = now or utcnow()
    uow.audit.record(actor.id, "score.submit", f"campaign:{campaign_id}", unit=scores.unit.id)
    return UnitScores(
        scores.campaign, scores.unit, scores.criteria, scores.self_entries, scores.verified, total, scores.due
    )


async def verifier_locales(
    uow: UnitOfWork, definition: CampaignDefinition, unit: Unit, operator_ids: frozenset[int]
) -> dict[int, str | None]:
    """Who verifies the unit's scores (Telegram id → language): offices of its criteria, and its admins."""
    above = await uow.units.ancestor_ids(unit.id)
    offices = {fold(c.reviewer_office or "") for c in criteria_for(definition, unit)} - {""}
    people: dict[int, str | None] = dict.fromkeys(operator_ids)
    for membership in await uow.memberships.with_role_on(Role.admin, above):
        people[membership.person.telegram_id] = membership.person.locale
    for membership in await uow.memberships.with_role_on(Role.reviewer, above):
        if fold(membership.office or "") in offices:
            people[membership.person.telegram_id] = membership.person.locale
    return people


async def notify_submitted(
    uow: UnitOfWork, scores: UnitScores, operator_ids: frozenset[int], render: Render
) -> int:
    """Queue the news of a sent self-score to those who verify it."""
    assert scores.total is not None and scores.total.self_submitted_at is not None
    key = f"selfscore:{scores.campaign.id}:{scores.unit.id}:{scores.total.self_submitted_at.isoformat()}"
    recipients = await verifier_locales(uow, definition_of(scores.campaign), scores.unit, operator_ids)
    return await notify(uow, key, recipients, render)


async def notify_adjusted(uow: UnitOfWork, entry: ScoreEntry, render: Render) -> int:
    """Queue a verified score that differs from the self-score to the unit's heads."""
    key = f"score:{entry.id}:{entry.revision}"
    return await notify(uow, key, await unit_head_locales(uow, entry.unit_id), render)
