"""Queries about campaigns: scope, titles, deadlines, registrations, announcements and group chats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    Announcement,
    Campaign,
    CampaignScope,
    CampaignStatus,
    ClusterMember,
    Deadline,
    DeadlineExtension,
    GroupChat,
    Membership,
    PendingInput,
    Registration,
    RegistrationStatus,
    Role,
    Title,
    Unit,
)
from storage.repositories import UnitRepository

LIVE_REGISTRATION = (RegistrationStatus.pending, RegistrationStatus.approved)


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Any) -> None:
        """Stage a new row for insertion at the next flush."""
        self.session.add(row)

    async def _changed(self, statement: Any) -> bool:
        """Run a conditional UPDATE; whether it changed a row (False: someone got there first)."""
        result: Any = await self.session.execute(statement.execution_options(synchronize_session=False))
        return result.rowcount == 1


class CampaignRepository(_Repository):
    """Campaigns, their scope, titles and deadlines."""

    async def get(self, campaign_id: int) -> Campaign | None:
        return await self.session.get(Campaign, campaign_id)

    async def by_code(self, code: str) -> Campaign | None:
        return await self.session.scalar(select(Campaign).where(Campaign.code == code))

    async def newest(self, limit: int) -> Sequence[Campaign]:
        return (await self.session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(limit))).all()

    async def organized_within(self, root_ids: Iterable[int] | None, limit: int) -> Sequence[Campaign]:
        """Campaigns organized by a unit in the given subtrees (None: all), newest first."""
        query = select(Campaign).order_by(Campaign.id.desc()).limit(limit)
        if root_ids is not None:
            query = query.where(Campaign.organizer_unit_id.in_(UnitRepository.subtree(root_ids)))
        return (await self.session.scalars(query)).all()

    async def set_scope(self, campaign_id: int, unit_ids: Iterable[int]) -> None:
        """Replace the units whose subtrees take part."""
        await self.session.execute(delete(CampaignScope).where(CampaignScope.campaign_id == campaign_id))
        self.session.add_all(
            CampaignScope(campaign_id=campaign_id, unit_id=unit_id) for unit_id in set(unit_ids)
        )

    async def scope_roots(self, campaign_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(CampaignScope.unit_id).where(CampaignScope.campaign_id == campaign_id)
        )
        return list(rows)

    async def launched_covering(self, unit_ids: Iterable[int]) -> Sequence[Campaign]:
        """Launched campaigns whose scope includes one of these units (pass a unit and its ancestors)."""
        covering = select(CampaignScope.campaign_id).where(CampaignScope.unit_id.in_(list(unit_ids)))
        query = (
            select(Campaign)
            .where(Campaign.status == CampaignStatus.launched, Campaign.id.in_(covering))
            .order_by(Campaign.id.desc())
        )
        return (await self.session.scalars(query)).all()

    def eligible_units_query(self, campaign_id: int, kinds: Sequence[str]) -> Any:
        """Units of the eligible kinds anywhere in the campaign's scope."""
        roots = select(CampaignScope.unit_id).where(CampaignScope.campaign_id == campaign_id)
        tree = select(Unit.id).where(Unit.id.in_(roots)).cte("scope_tree", recursive=True)
        tree = tree.union(select(Unit.id).join(tree, Unit.parent_id == tree.c.id))
        return select(Unit).where(Unit.id.in_(select(tree.c.id)), Unit.kind.in_(list(kinds)))

    async def eligible_units(self, campaign_id: int, kinds: Sequence[str]) -> Sequence[Unit]:
        query = self.eligible_units_query(campaign_id, kinds).order_by(Unit.parent_id, Unit.name)
        return (await self.session.scalars(query)).all()

    async def eligible_heads(self, campaign_id: int, kinds: Sequence[str]) -> Sequence[Membership]:
        """Unit-head memberships (with their people and units) of the campaign's eligible units."""
        eligible = self.eligible_units_query(campaign_id, kinds).with_only_columns(Unit.id)
        query = select(Membership).where(Membership.role == Role.unit_head, Membership.unit_id.in_(eligible))
        return (await self.session.scalars(query.order_by(Membership.id))).all()

    async def titles(self, campaign_id: int) -> Sequence[Title]:
        return (
            await self.session.scalars(
                select(Title).where(Title.campaign_id == campaign_id).order_by(Title.id)
            )
        ).all()

    async def replace_titles(self, campaign_id: int, titles: Iterable[Title]) -> None:
        await self.session.execute(delete(Title).where(Title.campaign_id == campaign_id))
        self.session.add_all(titles)

    async def deadlines(self, campaign_id: int) -> Sequence[Deadline]:
        query = (
            select(Deadline).where(Deadline.campaign_id == campaign_id).order_by(Deadline.due, Deadline.id)
        )
        return (await self.session.scalars(query)).all()

    async def replace_deadlines(self, campaign_id: int, deadlines: Iterable[Deadline]) -> None:
        await self.session.execute(delete(Deadline).where(Deadline.campaign_id == campaign_id))
        self.session.add_all(deadlines)

    async def deadline(self, deadline_id: int) -> Deadline | None:
        return await self.session.get(Deadline, deadline_id)

    async def extensions(self, deadline_ids: Iterable[int]) -> Sequence[DeadlineExtension]:
        query = select(DeadlineExtension).where(DeadlineExtension.deadline_id.in_(list(deadline_ids)))
        return (await self.session.scalars(query.order_by(DeadlineExtension.id))).all()

    async def set_status(
        self, campaign: Campaign, expected: str, status: str, column: str, now: datetime
    ) -> bool:
        """Move the campaign from `expected` to `status`, stamping `column`; False if it had moved already."""
        changed = await self._changed(
            update(Campaign)
            .where(Campaign.id == campaign.id, Campaign.status == expected)
            .values({"status": status, column: now})
        )
        if changed:
            set_committed_value(campaign, "status", status)
            set_committed_value(campaign, column, now)
        return changed


class RegistrationRepository(_Repository):
    """Registrations of units for campaigns."""

    async def get(self, registration_id: int) -> Registration | None:
        return await self.session.get(Registration, registration_id)

    async def live(self, campaign_id: int, unit_id: int) -> Registration | None:
        """The unit's pending or approved registration for the campaign."""
        query = select(Registration).where(
            Registration.campaign_id == campaign_id,
            Registration.unit_id == unit_id,
            Registration.status.in_(LIVE_REGISTRATION),
        )
        return await self.session.scalar(query)

    async def of_unit(self, unit_id: int, campaign_ids: Iterable[int]) -> dict[int, Registration]:
        """The unit's live registration per campaign."""
        query = select(Registration).where(
            Registration.unit_id == unit_id,
            Registration.campaign_id.in_(list(campaign_ids)),
            Registration.status.in_(LIVE_REGISTRATION),
        )
        return {r.campaign_id: r for r in await self.session.scalars(query)}

    async def pending(
        self, campaign_id: int, within_roots: Iterable[int] | None, limit: int
    ) -> Sequence[Registration]:
        """Pending registrations, oldest first, of units in the given subtrees (None: all units)."""
        query = select(Registration).where(
            Registration.campaign_id == campaign_id, Registration.status == RegistrationStatus.pending
        )
        if within_roots is not None:
            query = query.where(Registration.unit_id.in_(UnitRepository.subtree(within_roots)))
        query = query.order_by(Registration.registered_at, Registration.id).limit(limit)
        return (await self.session.scalars(query)).all()

    async def counts_by_campaign(
        self, campaign_ids: Iterable[int]
    ) -> dict[int, dict[RegistrationStatus, int]]:
        """Registrations by status for each campaign, in one query."""
        query = (
            select(Registration.campaign_id, Registration.status, func.count())
            .where(Registration.campaign_id.in_(list(campaign_ids)))
            .group_by(Registration.campaign_id, Registration.status)
        )
        counts: dict[int, dict[RegistrationStatus, int]] = {}
        for campaign_id, status, count in await self.session.execute(query):
            counts.setdefault(campaign_id, {})[status] = count
        return counts

    async def of_campaign(self, campaign_id: int) -> Sequence[Registration]:
        """Every registration of a campaign, withdrawn and rejected ones too, in order of arrival."""
        query = select(Registration).where(Registration.campaign_id == campaign_id).order_by(Registration.id)
        return (await self.session.scalars(query)).all()

    async def live_unit_ids(self, campaign_id: int) -> dict[int, RegistrationStatus]:
        query = select(Registration.unit_id, Registration.status).where(
            Registration.campaign_id == campaign_id, Registration.status.in_(LIVE_REGISTRATION)
        )
        return {unit_id: status for unit_id, status in await self.session.execute(query)}

    async def move(self, registration: Registration, expected: RegistrationStatus, **values: Any) -> bool:
        """Change a registration that is still in `expected` status; False if someone changed it first."""
        changed = await self._changed(
            update(Registration)
            .where(Registration.id == registration.id, Registration.status == expected)
            .values(**values)
        )
        if changed:
            for key, value in values.items():
                set_committed_value(registration, key, value)
        return changed


class AnnouncementRepository(_Repository):
    """Launch announcements and their acknowledgements."""

    async def get(self, announcement_id: int) -> Announcement | None:
        return await self.session.get(Announcement, announcement_id)

    async def of_campaign(self, campaign_id: int) -> Sequence[Announcement]:
        query = select(Announcement).where(Announcement.campaign_id == campaign_id).order_by(Announcement.id)
        return (await self.session.scalars(query)).all()

    async def existing_chats(self, campaign_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(Announcement.chat_id).where(Announcement.campaign_id == campaign_id)
        )
        return set(rows)

    async def acknowledge(self, announcement: Announcement, person_id: int, now: datetime) -> bool:
        """Record the first acknowledgement; False when it was acknowledged already."""
        changed = await self._changed(
            update(Announcement)
            .where(Announcement.id == announcement.id, Announcement.acknowledged_at.is_(None))
            .values(acknowledged_at=now, acknowledged_by_id=person_id)
        )
        if changed:
            set_committed_value(announcement, "acknowledged_at", now)
        return changed


class GroupChatRepository(_Repository):
    """Group chats the bot is in."""

    async def by_chat_id(self, telegram_chat_id: int) -> GroupChat | None:
        return await self.session.scalar(
            select(GroupChat).where(GroupChat.telegram_chat_id == telegram_chat_id)
        )

    async def linked_within(self, campaign_id: int) -> Sequence[GroupChat]:
        """Active groups linked to a unit in the campaign's scope, or to a cluster with a unit there."""
        roots = select(CampaignScope.unit_id).where(CampaignScope.campaign_id == campaign_id)
        tree = select(Unit.id).where(Unit.id.in_(roots)).cte("group_scope", recursive=True)
        tree = tree.union(select(Unit.id).join(tree, Unit.parent_id == tree.c.id))
        in_scope = select(tree.c.id)
        clusters = select(ClusterMember.cluster_id).where(ClusterMember.unit_id.in_(in_scope))
        query = select(GroupChat).where(
            GroupChat.active.is_(True),
            GroupChat.unit_id.in_(in_scope) | GroupChat.cluster_id.in_(clusters),
        )
        return (await self.session.scalars(query.order_by(GroupChat.id))).all()

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """Follow a group that became a supergroup (Telegram gives it a new id)."""
        await self.session.execute(
            update(GroupChat)
            .where(GroupChat.telegram_chat_id == old_chat_id)
            .values(telegram_chat_id=new_chat_id)
        )

    async def deactivate(self, telegram_chat_id: int) -> None:
        await self.session.execute(
            update(GroupChat).where(GroupChat.telegram_chat_id == telegram_chat_id).values(active=False)
        )


class PendingInputRepository(_Repository):
    """What the bot waits for each person to type."""

    async def of(self, person_id: int) -> PendingInput | None:
        return await self.session.get(PendingInput, person_id)

    async def expect(self, person_id: int, action: str, subject_id: int, now: datetime) -> None:
        """Wait for the person's next text as input to `action` on `subject_id`, replacing earlier waits."""
        await self.clear(person_id)
        self.session.add(
            PendingInput(person_id=person_id, action=action, subject_id=subject_id, created_at=now)
        )

    async def take(self, person_id: int) -> PendingInput | None:
        """The input the bot waits for from the person, no longer waited for afterwards."""
        waiting = await self.of(person_id)
        if waiting is not None:
            await self.clear(person_id)
        return waiting

    async def clear(self, person_id: int) -> None:
        await self.session.execute(delete(PendingInput).where(PendingInput.person_id == person_id))
