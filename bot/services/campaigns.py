"""Campaign lifecycle: save a definition as a draft, launch it to the units, extend deadlines, close it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.access import Actor, require_admin_of
from bot.services.campaign_file import (
    CampaignDefinition,
    definition_from_dict,
    definition_to_dict,
)
from bot.services.errors import CampaignNotDraft, CampaignNotFound, CampaignNotLaunched, UnknownUnitCode
from storage.db import UnitOfWork
from storage.models import (
    Announcement,
    Campaign,
    CampaignStatus,
    Deadline,
    GroupChat,
    Title,
    utcnow,
)
from storage.outbox import Outgoing

CAMPAIGN_LIST_LIMIT = 20


async def save_campaign(uow: UnitOfWork, actor: Actor | None, definition: CampaignDefinition) -> Campaign:
    """Store a checked definition as a new draft, or replace the draft with its code (`actor` None: CLI)."""
    units = await uow.units.by_codes({definition.organizer, *definition.scope})
    missing = sorted({definition.organizer, *definition.scope} - set(units))
    if missing:
        raise UnknownUnitCode(code=", ".join(missing))
    organizer = units[definition.organizer]
    if actor is not None:
        await require_admin_of(uow, actor, organizer.id)
    campaign = await uow.campaigns.by_code(definition.code)
    if campaign is not None and campaign.status != CampaignStatus.draft:
        raise CampaignNotDraft(name=campaign.name)
    if campaign is None:
        campaign = Campaign(code=definition.code, created_by_id=actor.id if actor else None)
        uow.campaigns.add(campaign)
    campaign.name, campaign.year = definition.name, definition.year
    campaign.organizer_unit_id, campaign.organizer = organizer.id, organizer
    campaign.definition = definition_to_dict(definition)
    await uow.flush()
    await uow.campaigns.set_scope(campaign.id, [units[code].id for code in definition.scope])
    await uow.campaigns.replace_titles(
        campaign.id,
        [
            Title(
                campaign_id=campaign.id, code=t.code, name=t.name, unit_kinds=[k.value for k in t.unit_kinds]
            )
            for t in definition.titles
        ],
    )
    await uow.campaigns.replace_deadlines(
        campaign.id,
        [
            Deadline(campaign_id=campaign.id, kind=d.kind.value, label=d.label, due=d.due)
            for d in definition.deadlines
        ],
    )
    uow.audit.record(
        actor.id if actor else None, "campaign.save", f"campaign:{campaign.id}", code=campaign.code
    )
    return campaign


def definition_of(campaign: Campaign) -> CampaignDefinition:
    """The campaign's definition as it was loaded from its file."""
    return definition_from_dict(campaign.definition)


async def administered_campaign(uow: UnitOfWork, actor: Actor, campaign_id: int) -> Campaign:
    """A campaign whose organizing unit the actor administers."""
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    await require_admin_of(uow, actor, campaign.organizer_unit_id)
    return campaign


@dataclass(frozen=True)
class Recipient:
    """Someone a launch announcement goes to: a unit head in private, or a linked group chat."""

    chat_id: int
    locale: str | None
    unit_id: int | None = None
    group: GroupChat | None = None


#: Turns a recipient into the message it gets (rendered by the channel, which knows its buttons).
Announce = Callable[[Campaign, Recipient, int], Outgoing]


@dataclass(frozen=True)
class LaunchResult:
    campaign: Campaign
    unit_heads: int
    groups: int


async def launch_campaign(
    uow: UnitOfWork, actor: Actor | None, campaign_id: int, announce: Announce, now: datetime | None = None
) -> LaunchResult:
    """Open a draft and queue its announcement to every eligible unit head and every linked group."""
    now = now or utcnow()
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    if actor is not None:
        await require_admin_of(uow, actor, campaign.organizer_unit_id)
    if not await uow.campaigns.set_status(
        campaign, CampaignStatus.draft, CampaignStatus.launched, "launched_at", now
    ):
        raise CampaignNotDraft(name=campaign.name)
    kinds = [kind.value for kind in definition_of(campaign).eligible_kinds]
    # Heads who blocked the bot are included: the outbox marks them unreachable for the admins to see.
    heads = await uow.campaigns.eligible_heads(campaign.id, kinds)
    recipients = [Recipient(m.person.telegram_id, m.person.locale, unit_id=m.unit_id) for m in heads]
    groups = await uow.group_chats.linked_within(campaign.id)
    recipients += [Recipient(g.telegram_chat_id, None, unit_id=g.unit_id, group=g) for g in groups]
    await _announce(uow, campaign, recipients, announce, now)
    uow.audit.record(
        actor.id if actor else None,
        "campaign.launch",
        f"campaign:{campaign.id}",
        heads=len(heads),
        groups=len(groups),
    )
    return LaunchResult(campaign, len(heads), len(groups))


async def _announce(
    uow: UnitOfWork, campaign: Campaign, recipients: Sequence[Recipient], announce: Announce, now: datetime
) -> None:
    """One announcement row and one queued message per chat (a chat reached twice is announced once)."""
    seen = await uow.announcements.existing_chats(campaign.id)
    rows = []
    for recipient in recipients:
        if recipient.chat_id in seen:
            continue
        seen.add(recipient.chat_id)
        row = Announcement(
            campaign_id=campaign.id,
            chat_id=recipient.chat_id,
            unit_id=recipient.unit_id,
            group_chat_id=recipient.group.id if recipient.group else None,
            outbox_key=f"launch:{campaign.id}:{recipient.chat_id}",
        )
        uow.announcements.add(row)
        rows.append((row, recipient))
    await uow.flush()
    await uow.outbox.enqueue([announce(campaign, recipient, row.id) for row, recipient in rows], now)


async def close_campaign(
    uow: UnitOfWork, actor: Actor | None, campaign_id: int, now: datetime | None = None
) -> Campaign:
    """End a launched campaign: nothing can be registered any more."""
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    if actor is not None:
        await require_admin_of(uow, actor, campaign.organizer_unit_id)
    if not await uow.campaigns.set_status(
        campaign, CampaignStatus.launched, CampaignStatus.closed, "closed_at", now or utcnow()
    ):
        raise CampaignNotLaunched(name=campaign.name)
    uow.audit.record(actor.id if actor else None, "campaign.close", f"campaign:{campaign.id}")
    return campaign
