"""Queries of the reminder sweep: passes and their progress, and who is behind, a batch of units at a time.

Every batch query walks an index in unit-id order after a cursor, so a sweep over 100,000 units costs one
short query per batch and never a query per unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from storage.campaign_repositories import LIVE_REGISTRATION, _Repository
from storage.models import (
    Campaign,
    CampaignStatus,
    Evidence,
    EvidenceStatus,
    Membership,
    Person,
    Registration,
    RegistrationStatus,
    ReminderRun,
    Role,
    ScoreTotal,
    Unit,
)
from storage.repositories import UnitRepository


class Head(NamedTuple):
    """A reachable unit head: where to send and in which language, and whether they paused reminders."""

    unit_id: int
    telegram_id: int
    locale: str | None
    paused: bool


class ReminderRepository(_Repository):
    """Reminder passes and the state of units they target."""

    async def runs(self, keys: Iterable[str]) -> dict[str, ReminderRun]:
        rows = await self.session.scalars(select(ReminderRun).where(ReminderRun.key.in_(list(keys))))
        return {run.key: run for run in rows}

    async def run(self, key: str, now: datetime) -> ReminderRun:
        """The pass with this key, started now if it is new."""
        found = await self.session.scalar(select(ReminderRun).where(ReminderRun.key == key))
        if found is None:
            found = ReminderRun(key=key, cursor=0, started_at=now)
            self.session.add(found)
            await self.session.flush()
        return found

    async def units_after(self, after: int, kinds: Sequence[str], limit: int) -> Sequence[Unit]:
        """Units of these kinds with ids above `after`, in id order (the primary key walks them)."""
        query = select(Unit).where(Unit.id > after, Unit.kind.in_(list(kinds))).order_by(Unit.id).limit(limit)
        return (await self.session.scalars(query)).all()

    async def registered_after(self, campaign_id: int, after: int, limit: int) -> Sequence[Unit]:
        """Units with a live registration in the campaign and ids above `after`, in id order."""
        query = (
            select(Unit)
            .join(Registration, Registration.unit_id == Unit.id)
            .where(
                Registration.campaign_id == campaign_id,
                Registration.status.in_(LIVE_REGISTRATION),
                Registration.unit_id > after,
            )
            .order_by(Registration.unit_id)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def registered_among(self, campaign_id: int, unit_ids: Sequence[int]) -> set[int]:
        query = select(Registration.unit_id).where(
            Registration.campaign_id == campaign_id,
            Registration.status.in_(LIVE_REGISTRATION),
            Registration.unit_id.in_(unit_ids),
        )
        return set(await self.session.scalars(query))

    async def self_scored_among(self, campaign_id: int, unit_ids: Sequence[int]) -> set[int]:
        query = select(ScoreTotal.unit_id).where(
            ScoreTotal.campaign_id == campaign_id,
            ScoreTotal.unit_id.in_(unit_ids),
            ScoreTotal.self_submitted_at.is_not(None),
        )
        return set(await self.session.scalars(query))

    async def approved_codes(self, campaign_id: int, unit_ids: Sequence[int]) -> dict[int, set[str]]:
        """The criteria each unit has approved evidence for."""
        query = select(Evidence.unit_id, Evidence.criterion_code).where(
            Evidence.campaign_id == campaign_id,
            Evidence.unit_id.in_(unit_ids),
            Evidence.status == EvidenceStatus.approved,
        )
        found: dict[int, set[str]] = {}
        for unit_id, code in await self.session.execute(query):
            found.setdefault(unit_id, set()).add(code)
        return found

    async def heads(self, unit_ids: Sequence[int]) -> list[Head]:
        """The active heads of these units."""
        query = (
            select(Membership.unit_id, Person.telegram_id, Person.locale, Person.reminders_paused)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.role == Role.unit_head, Membership.unit_id.in_(unit_ids), Person.active)
        )
        return [Head(*row) for row in await self.session.execute(query)]

    async def parents(self) -> dict[int, int | None]:
        """Every unit's parent id, for walking up to the admins above many units at once."""
        return {
            unit_id: parent_id
            for unit_id, parent_id in await self.session.execute(select(Unit.id, Unit.parent_id))
        }

    async def admins(self) -> dict[int, list[tuple[int, str | None]]]:
        """Active admins by the unit they administer: (Telegram id, language)."""
        query = (
            select(Membership.unit_id, Person.telegram_id, Person.locale)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.role == Role.admin, Person.active)
        )
        found: dict[int, list[tuple[int, str | None]]] = {}
        for unit_id, telegram_id, locale in await self.session.execute(query):
            found.setdefault(unit_id, []).append((telegram_id, locale))
        return found

    async def pending_registrations(self, roots: Iterable[int] | None) -> int:
        """Registrations of launched campaigns waiting for a decision, in these subtrees (None: all)."""
        query = (
            select(func.count())
            .select_from(Registration)
            .join(Campaign, Campaign.id == Registration.campaign_id)
            .where(
                Registration.status == RegistrationStatus.pending, Campaign.status == CampaignStatus.launched
            )
        )
        if roots is not None:
            query = query.where(Registration.unit_id.in_(UnitRepository.subtree(roots)))
        return int(await self.session.scalar(query) or 0)

    async def waiting_evidence(self, roots: Iterable[int] | None, sent_before: datetime | None = None) -> int:
        """Evidence waiting for review in these subtrees, sent before a moment if given."""
        query = select(func.count()).select_from(Evidence).where(Evidence.status == EvidenceStatus.submitted)
        if roots is not None:
            query = query.where(Evidence.unit_id.in_(UnitRepository.subtree(roots)))
        if sent_before is not None:
            query = query.where(Evidence.submitted_at < sent_before)
        return int(await self.session.scalar(query) or 0)
