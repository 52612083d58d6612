"""Queries the services need, one repository per aggregate, all inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Select, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    AuditEntry,
    Cluster,
    ClusterMember,
    Invite,
    JoinRequest,
    JoinStatus,
    Membership,
    Person,
    Role,
    Unit,
    UnitKind,
    utcnow,
)


def _set_loaded(row: Any, **values: Any) -> None:
    """Reflect values that a conditional UPDATE already wrote, without marking the row dirty."""
    for key, value in values.items():
        set_committed_value(row, key, value)


class _Repository:
    """Holds the session of the unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Any) -> None:
        """Stage a new row for insertion at the next flush."""
        self.session.add(row)

    async def _rowcount(self, statement: Any) -> int:
        result: CursorResult[Any] = await self.session.execute(statement)  # type: ignore[assignment]
        return result.rowcount


class UnitRepository(_Repository):
    """Units and their hierarchy."""

    async def get(self, unit_id: int) -> Unit | None:
        return await self.session.get(Unit, unit_id)

    async def by_code(self, code: str) -> Unit | None:
        return await self.session.scalar(select(Unit).where(Unit.code == code))

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Unit]:
        codes = list(codes)
        if not codes:
            return {}
        rows = await self.session.scalars(select(Unit).where(Unit.code.in_(codes)))
        return {unit.code: unit for unit in rows}

    async def of_kinds(self, kinds: Iterable[UnitKind]) -> Sequence[Unit]:
        return (
            await self.session.scalars(select(Unit).where(Unit.kind.in_(list(kinds))).order_by(Unit.code))
        ).all()

    async def roots(self) -> Sequence[Unit]:
        return (
            await self.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
        ).all()

    async def parent_codes(self) -> dict[str, str]:
        """Every unit's code → its parent's code, to check a whole import for loops."""
        parent = aliased(Unit)
        rows = await self.session.execute(
            select(Unit.code, parent.code).join(parent, Unit.parent_id == parent.id)
        )
        return {code: parent_code for code, parent_code in rows}

    async def ancestor_ids(self, unit_id: int) -> list[int]:
        """The unit and every unit above it, nearest first (UNION stops on a loop in the data)."""
        chain = select(Unit.id, Unit.parent_id).where(Unit.id == unit_id).cte("chain", recursive=True)
        chain = chain.union(select(Unit.id, Unit.parent_id).join(chain, Unit.id == chain.c.parent_id))
        rows = (await self.session.execute(select(chain.c.id, chain.c.parent_id))).all()
        parents = {row.id: row.parent_id for row in rows}
        ordered, current = [], unit_id
        while current is not None and current in parents and current not in ordered:
            ordered.append(current)
            current = parents[current]
        return ordered

    async def children(self, parent_id: int) -> Sequence[Unit]:
        return (await self.session.scalars(select(Unit).where(Unit.parent_id == parent_id))).all()

    async def subtree_ids(self, root_ids: Iterable[int]) -> list[int]:
        """The ids of the given units and of every unit below them (read in parts: a province has many)."""
        result = await self.session.stream_scalars(self.subtree(root_ids).execution_options(yield_per=2000))
        return [unit_id async for part in result.partitions() for unit_id in part]

    @staticmethod
    def subtree(root_ids: Iterable[int]) -> Select[tuple[int]]:
        """A query of the ids of the given units and every unit below them, to use as a subquery."""
        tree = select(Unit.id).where(Unit.id.in_(list(root_ids))).cte("tree", recursive=True)
        tree = tree.union(select(Unit.id).join(tree, Unit.parent_id == tree.c.id))
        return select(tree.c.id)

    async def search(
        self,
        word_prefixes: Sequence[str],
        kinds: Sequence[UnitKind] | None,
        within_roots: Iterable[int] | None,
        limit: int,
    ) -> Sequence[Unit]:
        """Units whose folded search text has every word prefix: of the first kind given, shortest first."""
        query = select(Unit)
        for prefix in word_prefixes:
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Unit.search_text.like(f"% {escaped}%", escape="\\"))
        if kinds is not None:
            query = query.where(Unit.kind.in_(kinds))
        if within_roots is not None:
            query = query.where(Unit.id.in_(self.subtree(within_roots)))
        order = kinds or list(UnitKind)
        rank = case({kind: position for position, kind in enumerate(order)}, value=Unit.kind)
        query = query.order_by(rank, func.length(Unit.name), Unit.name).limit(limit)
        return (await self.session.scalars(query)).all()


class ClusterRepository(_Repository):
    """Clusters of units ranked together."""

    async def by_code(self, code: str) -> Cluster | None:
        return await self.session.scalar(select(Cluster).where(Cluster.code == code))

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Cluster]:
        rows = await self.session.scalars(select(Cluster).where(Cluster.code.in_(list(codes))))
        return {cluster.code: cluster for cluster in rows}

    async def search(
        self, word_prefixes: Sequence[str], within_roots: Iterable[int] | None, limit: int
    ) -> Sequence[Cluster]:
        """Clusters whose folded name has every word prefix, with a member in the given subtrees."""
        query = select(Cluster)
        for prefix in word_prefixes:
            query = query.where(func.lower(Cluster.code).like(f"%{prefix}%"))
        if within_roots is not None:
            members = select(ClusterMember.cluster_id).where(
                ClusterMember.unit_id.in_(UnitRepository.subtree(within_roots))
            )
            query = query.where(Cluster.id.in_(members))
        return (await self.session.scalars(query.order_by(Cluster.name).limit(limit))).all()

    async def of_units(self, unit_ids: Sequence[int]) -> dict[int, str]:
        """The cluster name of each unit that is in a cluster."""
        found: dict[int, str] = {}
        for start in range(0, len(unit_ids), 500):
            rows = await self.session.execute(
                select(ClusterMember.unit_id, Cluster.name)
                .join(Cluster, Cluster.id == ClusterMember.cluster_id)
                .where(ClusterMember.unit_id.in_(unit_ids[start : start + 500]))
            )
            found.update({unit_id: name for unit_id, name in rows})
        return found

    async def member_ids(self, cluster_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(ClusterMember.unit_id).where(ClusterMember.cluster_id == cluster_id)
        )
        return list(rows)

    async def place(self, unit_id: int, cluster_id: int) -> None:
        """Make the unit a member of this cluster and of no other."""
        await self.session.execute(
            delete(ClusterMember).where(
                ClusterMember.unit_id == unit_id, ClusterMember.cluster_id != cluster_id
            )
        )
        if await self.session.get(ClusterMember, (cluster_id, unit_id)) is None:
            self.session.add(ClusterMember(cluster_id=cluster_id, unit_id=unit_id))


class PersonRepository(_Repository):
    """People known to the bot."""

    async def get(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.telegram_id == telegram_id))

    async def by_ids(self, person_ids: Iterable[int]) -> dict[int, Person]:
        rows = await self.session.scalars(select(Person).where(Person.id.in_(list(person_ids))))
        return {person.id: person for person in rows}

    async def by_telegram_ids(self, telegram_ids: Iterable[int]) -> dict[int, Person]:
        rows = await self.session.scalars(select(Person).where(Person.telegram_id.in_(list(telegram_ids))))
        return {person.telegram_id: person for person in rows}

    async def set_active(self, telegram_id: int, active: bool) -> None:
        """Mark whether the person can be reached (False once they blocked the bot)."""
        await self.session.execute(
            update(Person).where(Person.telegram_id == telegram_id).values(active=active)
        )

    async def ensure(self, telegram_id: int, full_name: str, username: str | None) -> Person:
        """The person with this Telegram id, inserted if new, even when two updates race to insert."""
        person = await self.by_telegram_id(telegram_id)
        if person is not None:
            return person
        dialect = self.session.bind.dialect.name
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        await self.session.execute(
            insert(Person)
            .values(
                telegram_id=telegram_id,
                full_name=full_name,
                username=username,
                active=True,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=[Person.telegram_id])
        )
        person = await self.by_telegram_id(telegram_id)
        assert person is not None
        return person


class MembershipRepository(_Repository):
    """Roles of people on units."""

    async def get(self, membership_id: int) -> Membership | None:
        return await self.session.get(Membership, membership_id)

    async def of_person(self, person_id: int) -> Sequence[Membership]:
        query = select(Membership).where(Membership.person_id == person_id).order_by(Membership.id)
        return (await self.session.scalars(query)).all()

    async def of_unit(self, unit_id: int) -> Sequence[Membership]:
        query = (
            select(Membership).where(Membership.unit_id == unit_id).order_by(Membership.role, Membership.id)
        )
        return (await self.session.scalars(query)).all()

    async def find(self, person_id: int, unit_id: int, role: Role) -> Membership | None:
        return await self.session.scalar(
            select(Membership).where(
                Membership.person_id == person_id, Membership.unit_id == unit_id, Membership.role == role
            )
        )

    async def head_of(self, person_id: int) -> Membership | None:
        """The unit-head membership of the person (a person heads one unit at most)."""
        return await self.session.scalar(
            select(Membership).where(Membership.person_id == person_id, Membership.role == Role.unit_head)
        )

    async def with_role_on(self, role: Role, unit_ids: Iterable[int]) -> Sequence[Membership]:
        query = select(Membership).where(Membership.role == role, Membership.unit_id.in_(list(unit_ids)))
        return (await self.session.scalars(query.order_by(Membership.id))).all()

    async def with_role(self, role: Role) -> Sequence[Membership]:
        return (await self.session.scalars(select(Membership).where(Membership.role == role))).all()

    async def delete(self, membership: Membership) -> None:
        await self.session.delete(membership)


def _live_invites(unit_id: int, role: Role, now: datetime) -> tuple[Any, ...]:
    """Conditions of an invite of the unit for the role that can still be used."""
    return (
        Invite.unit_id == unit_id,
        Invite.role == role,
        Invite.used_at.is_(None),
        Invite.revoked_at.is_(None),
        Invite.expires_at > now,
    )


class InviteRepository(_Repository):
    """Invite tokens."""

    async def by_token(self, token: str) -> Invite | None:
        return await self.session.scalar(select(Invite).where(Invite.token == token))

    async def live_for(self, unit_id: int, role: Role, now: datetime) -> Invite | None:
        """An unused, unrevoked, unexpired invite of the unit for the role, if one exists."""
        query = select(Invite).where(*_live_invites(unit_id, role, now)).order_by(Invite.id.desc()).limit(1)
        return await self.session.scalar(query)

    async def revoke_live(self, unit_id: int, role: Role, now: datetime) -> int:
        """Revoke every unused, unexpired invite of the unit for the role; returns how many."""
        statement = (
            update(Invite)
            .where(*_live_invites(unit_id, role, now))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        return await self._rowcount(statement)

    async def claim(self, invite: Invite, person_id: int, now: datetime) -> bool:
        """Mark a single-use invite used, only if nobody used, revoked or outlived it meanwhile."""
        statement = (
            update(Invite)
            .where(
                Invite.id == invite.id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
            .values(used_by_id=person_id, used_at=now)
            .execution_options(synchronize_session=False)
        )
        claimed = await self._rowcount(statement) == 1
        if claimed:
            _set_loaded(invite, used_by_id=person_id, used_at=now)
        return claimed


class JoinRequestRepository(_Repository):
    """Requests to join a unit."""

    async def get(self, request_id: int) -> JoinRequest | None:
        return await self.session.get(JoinRequest, request_id)

    async def pending_of(self, person_id: int) -> Sequence[JoinRequest]:
        query = select(JoinRequest).where(
            JoinRequest.person_id == person_id, JoinRequest.status == JoinStatus.pending
        )
        return (await self.session.scalars(query)).all()

    async def pending_in(self, within_roots: Iterable[int] | None, limit: int) -> Sequence[JoinRequest]:
        """Pending requests, oldest first, for the subtrees of the given units (None: all units)."""
        query = select(JoinRequest).where(JoinRequest.status == JoinStatus.pending)
        if within_roots is not None:
            query = query.where(JoinRequest.unit_id.in_(UnitRepository.subtree(within_roots)))
        return (await self.session.scalars(query.order_by(JoinRequest.created_at).limit(limit))).all()

    async def decide(
        self, request: JoinRequest, status: JoinStatus, decided_by_id: int, now: datetime
    ) -> bool:
        """Record the decision, only if nobody decided the request meanwhile."""
        statement = (
            update(JoinRequest)
            .where(
                JoinRequest.id == request.id,
                JoinRequest.status == JoinStatus.pending,
            )
            .values(status=status, decided_by_id=decided_by_id, decided_at=now)
            .execution_options(synchronize_session=False)
        )
        decided = await self._rowcount(statement) == 1
        if decided:
            _set_loaded(request, status=status, decided_by_id=decided_by_id, decided_at=now)
        return decided


class AuditRepository(_Repository):
    """The audit log."""

    def record(self, actor_id: int | None, action: str, subject: str, **details: Any) -> None:
        """Append who did what to which record."""
        self.session.add(AuditEntry(actor_id=actor_id, action=action, subject=subject, details=details))

    async def latest(self, limit: int = 50) -> Sequence[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()
