"""The morning digest for admins: registrations and evidence waiting (and for how long), deadlines ahead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.deadlines import DeadlineView, deadlines_for
from storage.db import UnitOfWork
from storage.models import Campaign, CampaignStatus, Role
from storage.outbox import Outgoing

DIGEST_HOUR, QUIET_FROM = 8, 21  # local hours: the digest goes out in between, once a day
REVIEW_SERVICE_DAYS = 3  # evidence waiting longer than this is called out to the admins
UPCOMING_DAYS = 7


@dataclass(frozen=True)
class Digest:
    """One admin's morning summary of their subtrees."""

    pending_registrations: int
    waiting_evidence: int
    late_evidence: int  # waiting longer than the service level
    upcoming: list[tuple[Campaign, DeadlineView]]

    @property
    def empty(self) -> bool:
        return not (self.pending_registrations or self.waiting_evidence or self.upcoming)


RenderDigest = Callable[[Digest, str | None], tuple[str, list[list[dict[str, str]]]]]


async def digest_for(uow: UnitOfWork, roots: frozenset[int], now: datetime, timezone: ZoneInfo) -> Digest:
    """The summary for an admin of these units."""
    today = now.astimezone(timezone).date()
    upcoming = []
    above = {unit_id for root in roots for unit_id in await uow.units.ancestor_ids(root)}
    campaigns = {c.id: c for c in await uow.campaigns.organized_within(roots, 100)}
    campaigns |= {c.id: c for c in await uow.campaigns.launched_covering(above | roots)}
    for campaign in campaigns.values():
        if campaign.status == CampaignStatus.launched:
            for view in await deadlines_for(uow, campaign.id, None):
                if today <= view.due <= today + timedelta(days=UPCOMING_DAYS):
                    upcoming.append((campaign, view))
    return Digest(
        await uow.reminders.pending_registrations(roots),
        await uow.reminders.waiting_evidence(roots),
        await uow.reminders.waiting_evidence(roots, now - timedelta(days=REVIEW_SERVICE_DAYS)),
        sorted(upcoming, key=lambda item: item[1].due),
    )


async def send_digests(uow: UnitOfWork, now: datetime, timezone: ZoneInfo, render: RenderDigest) -> int:
    """Queue today's digest to every admin once, after the digest hour; empty digests are not sent."""
    local = now.astimezone(timezone)
    if not DIGEST_HOUR <= local.hour < QUIET_FROM:
        return 0
    run = await uow.reminders.run(f"digest:{local.date().isoformat()}", now)
    if run.finished_at is not None:
        return 0
    roots: dict[int, tuple[str | None, set[int]]] = {}
    for membership in await uow.memberships.with_role(Role.admin):
        if membership.person.active:
            person = membership.person
            roots.setdefault(person.telegram_id, (person.locale, set()))[1].add(membership.unit_id)
    messages = []
    for telegram_id, (locale, units) in roots.items():
        digest = await digest_for(uow, frozenset(units), now, timezone)
        if not digest.empty:
            key = f"digest:{local.date().isoformat()}:{telegram_id}"
            messages.append(Outgoing(key, telegram_id, *render(digest, locale)))
    run.finished_at = now
    return await uow.outbox.enqueue(messages)
