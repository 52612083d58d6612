"""Evidence (minh chứng): a unit head sends photos or documents for a criterion; each item is kept at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.services.access import Actor
from bot.services.campaign_file import CampaignDefinition, CriterionDef
from bot.services.campaigns import definition_of
from bot.services.deadlines import deadlines_for
from bot.services.errors import (
    CampaignNotFound,
    CriterionNotFound,
    EvidenceClosed,
    EvidenceEmpty,
    NoCriterionChosen,
    NotRegistered,
    TooManyItems,
    VersionTaken,
)
from bot.services.media import FileFacts, bands, to_signed
from bot.services.registrations import headed_unit
from storage.db import UnitOfWork
from storage.models import (
    Campaign,
    CampaignStatus,
    Evidence,
    EvidenceItem,
    EvidenceStatus,
    Person,
    Unit,
    utcnow,
)
from storage.outbox import Outgoing

MAX_ITEMS = 10  # Telegram albums hold 10; a criterion rarely needs more
MAX_FILE_BYTES = 20 * 1024 * 1024  # the Bot API does not let bots download bigger files
CAPTION_LIMIT = 1000


def criteria_for(definition: CampaignDefinition, unit: Unit) -> Iterator[CriterionDef]:
    """The criteria (sub-criteria where a criterion has them) that score a unit of this kind."""

    def leaves(criterion: CriterionDef) -> Iterator[CriterionDef]:
        if criterion.children:
            for child in criterion.children:
                yield from leaves(child)
        else:
            yield criterion

    for indicator in definition.indicators:
        if not indicator.unit_kinds or unit.kind in indicator.unit_kinds:
            for criterion in indicator.criteria:
                yield from leaves(criterion)


def find_criterion(definition: CampaignDefinition, unit: Unit, code: str) -> CriterionDef:
    """The criterion with this code, if it scores the unit."""
    criterion = next((c for c in criteria_for(definition, unit) if c.code == code), None)
    if criterion is None:
        raise CriterionNotFound()
    return criterion


@dataclass(frozen=True)
class CriterionState:
    """A criterion as the unit head sees it: the newest evidence version's status (None: nothing yet)."""

    criterion: CriterionDef
    status: EvidenceStatus | None


async def registered_campaign(uow: UnitOfWork, actor: Actor, campaign_id: int) -> tuple[Campaign, Unit]:
    """A running campaign the person's unit is registered for (evidence is sent only then)."""
    unit = await headed_unit(uow, actor)
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    if (
        campaign.status != CampaignStatus.launched
        or await uow.registrations.live(campaign.id, unit.id) is None
    ):
        raise NotRegistered(campaign=campaign.name)
    return campaign, unit


async def evidence_campaigns(uow: UnitOfWork, actor: Actor) -> tuple[Unit, list[Campaign]]:
    """The running campaigns the person's unit is registered for."""
    unit = await headed_unit(uow, actor)
    candidates = await uow.campaigns.launched_covering(await uow.units.ancestor_ids(unit.id))
    registered = await uow.registrations.of_unit(unit.id, [c.id for c in candidates])
    return unit, [c for c in candidates if c.id in registered]


async def criterion_states(
    uow: UnitOfWork, actor: Actor, campaign_id: int
) -> tuple[Campaign, Unit, list[CriterionState]]:
    """Each criterion of the campaign with the state of the unit's evidence for it."""
    campaign, unit = await registered_campaign(uow, actor, campaign_id)
    latest = await uow.evidence.latest(campaign.id, [unit.id])
    states = [
        CriterionState(c, (e.status if (e := latest.get((unit.id, c.code))) else None))
        for c in criteria_for(definition_of(campaign), unit)
    ]
    return campaign, unit, states


async def _check_open(uow: UnitOfWork, campaign: Campaign, unit: Unit, today: date) -> None:
    """Refuse once the evidence deadline (as extended for the unit) has passed."""
    due = next((d.due for d in await deadlines_for(uow, campaign.id, unit.id) if d.kind == "evidence"), None)
    if due is not None and today > due:
        raise EvidenceClosed(date=due)


async def _draft(uow: UnitOfWork, actor: Actor, unit: Unit) -> Evidence:
    """The person's draft, created on first use (a photo may come before the criterion is chosen)."""
    draft = await uow.evidence.draft_of(actor.id)
    if draft is None:
        draft = Evidence(unit_id=unit.id, unit=unit, criterion_code="", submitted_by_id=actor.id)
        uow.evidence.add(draft)
        await uow.flush()  # updates of one chat are handled in order, so an album cannot race here
    return draft


async def choose_criterion(
    uow: UnitOfWork, actor: Actor, campaign_id: int, position: int, today: date
) -> tuple[Evidence, CriterionDef, int]:
    """Point the person's draft (and what it holds) at the unit's criterion number `position`."""
    campaign, unit = await registered_campaign(uow, actor, campaign_id)
    criteria = list(criteria_for(definition_of(campaign), unit))
    if not 0 <= position < len(criteria):
        raise CriterionNotFound()
    criterion = criteria[position]
    code = criterion.code
    await _check_open(uow, campaign, unit, today)
    draft = await _draft(uow, actor, unit)
    draft.campaign_id, draft.campaign, draft.unit_id, draft.criterion_code = (
        campaign.id,
        campaign,
        unit.id,
        code,
    )
    return draft, criterion, await uow.evidence.count_items(draft.id)


@dataclass(frozen=True)
class IncomingFile:
    """A file as the channel received it."""

    kind: str  # "photo" or "document"
    telegram_file_id: str
    file_unique_id: str
    mime_type: str = ""
    caption: str = ""
    media_group_id: str | None = None


async def add_item(
    uow: UnitOfWork, actor: Actor, incoming: IncomingFile, facts: FileFacts, media_key: str
) -> tuple[Evidence, int]:
    """Keep one received file in the person's draft at once; returns the draft and its item count."""
    unit = await headed_unit(uow, actor)
    draft = await _draft(uow, actor, unit)
    count = await uow.evidence.count_items(draft.id)
    if count >= MAX_ITEMS:
        raise TooManyItems(limit=str(MAX_ITEMS))
    hashed = bands(facts.phash) if facts.phash is not None else (None, None, None, None)
    uow.evidence.add(
        EvidenceItem(
            evidence_id=draft.id,
            kind=incoming.kind,
            telegram_file_id=incoming.telegram_file_id,
            file_unique_id=incoming.file_unique_id,
            sha256=facts.sha256,
            media_key=media_key,
            size=facts.size,
            mime_type=incoming.mime_type,
            width=facts.width,
            height=facts.height,
            phash=to_signed(facts.phash) if facts.phash is not None else None,
            band0=hashed[0],
            band1=hashed[1],
            band2=hashed[2],
            band3=hashed[3],
            media_group_id=incoming.media_group_id,
        )
    )
    if incoming.caption and not draft.caption:
        draft.caption = incoming.caption[:CAPTION_LIMIT]
    return draft, count + 1


async def set_location(uow: UnitOfWork, actor: Actor, latitude: float, longitude: float) -> Evidence:
    """Attach where the photos were taken to the draft."""
    draft = await _draft(uow, actor, await headed_unit(uow, actor))
    draft.latitude, draft.longitude = latitude, longitude
    return draft


async def submit_draft(uow: UnitOfWork, actor: Actor, today: date) -> Evidence:
    """Send the draft for review as the next version for its criterion."""
    draft = await uow.evidence.draft_of(actor.id)
    if draft is None or not await uow.evidence.count_items(draft.id):
        raise EvidenceEmpty()
    if draft.campaign_id is None or not draft.criterion_code:
        raise NoCriterionChosen()
    campaign, unit = await registered_campaign(uow, actor, draft.campaign_id)
    find_criterion(definition_of(campaign), unit, draft.criterion_code)
    await _check_open(uow, campaign, unit, today)
    versions = await uow.evidence.versions(campaign.id, unit.id, draft.criterion_code)
    try:
        moved = await uow.evidence.move(
            draft,
            EvidenceStatus.draft,
            status=EvidenceStatus.submitted,
            submitted_at=utcnow(),
            version=len(versions) + 1,
        )
    except IntegrityError:  # another head of the unit sent this version at the same moment
        raise VersionTaken() from None
    if not moved:
        raise EvidenceEmpty()
    uow.audit.record(actor.id, "evidence.submit", f"evidence:{draft.id}", criterion=draft.criterion_code)
    return draft


def criterion_of(evidence: Evidence) -> CriterionDef:
    """The criterion a submission is for, from its campaign's definition."""
    assert evidence.campaign is not None
    return find_criterion(definition_of(evidence.campaign), evidence.unit, evidence.criterion_code)


#: A draft left this long gets one reminder.
DRAFT_REMINDER_AFTER = timedelta(hours=24)


async def remind_unsent_drafts(
    uow: UnitOfWork, render: Callable[[Evidence, int, Person], Outgoing], now: datetime | None = None
) -> int:
    """Queue one reminder per draft left unsent for a day (the outbox key makes it once); drafts are kept."""
    now = now or utcnow()
    drafts = await uow.evidence.stale_drafts(now - DRAFT_REMINDER_AFTER, 500)
    counts = {draft.id: await uow.evidence.count_items(draft.id) for draft in drafts}
    people = await uow.people.by_ids([d.submitted_by_id for d in drafts if d.submitted_by_id])
    return await uow.outbox.enqueue(
        render(draft, counts[draft.id], people[draft.submitted_by_id])
        for draft in drafts
        if draft.submitted_by_id in people
    )
