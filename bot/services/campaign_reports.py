"""What admins see of a campaign: the list with counts, acknowledgements, and who has registered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.services.access import Actor, require_admin_scope
from bot.services.campaigns import CAMPAIGN_LIST_LIMIT, administered_campaign, definition_of
from bot.services.errors import AnnouncementNotFound
from storage.db import UnitOfWork
from storage.models import Announcement, Campaign, OutboxStatus, RegistrationStatus, Unit, utcnow


@dataclass(frozen=True)
class CampaignLine:
    """A campaign in the admin's list, with its registrations by status."""

    campaign: Campaign
    registrations: dict[RegistrationStatus, int]


async def admin_campaigns(uow: UnitOfWork, actor: Actor) -> list[CampaignLine]:
    """The campaigns organized within the admin's scope, newest first, with their counts."""
    scope = await require_admin_scope(uow, actor)
    campaigns = await uow.campaigns.organized_within(scope.roots, CAMPAIGN_LIST_LIMIT)
    counts = await uow.registrations.counts_by_campaign([c.id for c in campaigns])
    return [CampaignLine(c, counts.get(c.id, {})) for c in campaigns]


@dataclass(frozen=True)
class Acknowledgements:
    """Where a launch announcement stands for each chat it went to."""

    acknowledged: list[Announcement] = field(default_factory=list)
    waiting: list[Announcement] = field(default_factory=list)
    unreachable: list[Announcement] = field(default_factory=list)


async def acknowledgements(
    uow: UnitOfWork, actor: Actor, campaign_id: int
) -> tuple[Campaign, Acknowledgements]:
    """Acknowledged, not yet, and unreachable (blocked bot, removed from the group) announcements."""
    campaign = await administered_campaign(uow, actor, campaign_id)
    announcements = await uow.announcements.of_campaign(campaign.id)
    statuses = await uow.outbox.statuses(a.outbox_key for a in announcements)
    report = Acknowledgements()
    for announcement in announcements:
        if announcement.acknowledged_at is not None:
            report.acknowledged.append(announcement)
        elif statuses.get(announcement.outbox_key) in (OutboxStatus.unreachable, OutboxStatus.failed):
            report.unreachable.append(announcement)
        else:
            report.waiting.append(announcement)
    return campaign, report


async def acknowledge(
    uow: UnitOfWork, actor: Actor, announcement_id: int, chat_id: int
) -> tuple[Announcement, bool]:
    """ "Đã nhận" on an announcement, pressed in the chat it went to; True the first time."""
    announcement = await uow.announcements.get(announcement_id)
    in_own_chat = announcement is not None and announcement.chat_id == chat_id
    if not in_own_chat or (announcement.group_chat_id is None and chat_id != actor.person.telegram_id):
        raise AnnouncementNotFound()
    first = await uow.announcements.acknowledge(announcement, actor.id, utcnow())
    if first:
        uow.audit.record(actor.id, "announcement.ack", f"announcement:{announcement.id}")
    return announcement, first


@dataclass(frozen=True)
class Tally:
    """Registered out of eligible units, for one commune or cluster."""

    name: str
    registered: int = 0
    eligible: int = 0


@dataclass(frozen=True)
class RegistrationStats:
    campaign: Campaign
    by_parent: list[Tally]
    by_cluster: list[Tally]
    not_registered: Sequence[Unit]
    registered: int
    eligible: int


async def registration_stats(uow: UnitOfWork, actor: Actor, campaign_id: int) -> RegistrationStats:
    """Registered / eligible units by commune (the parent unit) and by cluster, and who has not registered."""
    campaign = await administered_campaign(uow, actor, campaign_id)
    kinds = [kind.value for kind in definition_of(campaign).eligible_kinds]
    units = await uow.campaigns.eligible_units(campaign.id, kinds)
    registered = await uow.registrations.live_unit_ids(campaign.id)
    # Clusters usually group communes: a village counts in its own cluster, else in its commune's.
    clusters = await uow.clusters.of_units(
        sorted({u.id for u in units} | {u.parent_id for u in units if u.parent_id})
    )
    by_parent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_cluster: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for unit in units:
        done = int(unit.id in registered)
        for key, table in (
            (unit.parent.name if unit.parent else unit.name, by_parent),
            (clusters.get(unit.id) or clusters.get(unit.parent_id), by_cluster),
        ):
            if key:
                table[key][0] += done
                table[key][1] += 1
    return RegistrationStats(
        campaign,
        [Tally(name, r, e) for name, (r, e) in sorted(by_parent.items())],
        [Tally(name, r, e) for name, (r, e) in sorted(by_cluster.items())],
        [u for u in units if u.id not in registered],
        sum(1 for u in units if u.id in registered),
        len(units),
    )
