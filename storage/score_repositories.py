"""Queries about scores: entries per criterion, each unit's standing, contests and recognitions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from storage.campaign_repositories import _Repository
from storage.models import (
    Cluster,
    ClusterMember,
    ContestStatus,
    Recognition,
    ScoreContest,
    ScoreEntry,
    ScoreStage,
    ScoreTotal,
    Unit,
)

STREAM_ROWS = 5000


class StandingRow(NamedTuple):
    """A unit's total as ranking reads it, with its group (cluster "c<id>", else parent "u<id>")."""

    unit_id: int
    name: str
    group: str
    group_name: str
    total: Decimal
    total_max: Decimal
    unscored: int
    previous_rank: int | None
    previous_of: int | None


class ScoreRepository(_Repository):
    """Score entries and the standings computed from them."""

    async def entry(self, entry_id: int) -> ScoreEntry | None:
        return await self.session.get(ScoreEntry, entry_id)

    async def find(self, campaign_id: int, unit_id: int, code: str, stage: ScoreStage) -> ScoreEntry | None:
        """The entry of one criterion at one stage, if it was ever opened."""
        return await self.session.scalar(
            select(ScoreEntry).where(
                ScoreEntry.campaign_id == campaign_id,
                ScoreEntry.unit_id == unit_id,
                ScoreEntry.criterion_code == code,
                ScoreEntry.stage == stage,
            )
        )

    async def of_unit(self, campaign_id: int, unit_id: int) -> Sequence[ScoreEntry]:
        """Every entry of a unit in a campaign, saved or not."""
        query = select(ScoreEntry).where(ScoreEntry.campaign_id == campaign_id, ScoreEntry.unit_id == unit_id)
        return (await self.session.scalars(query)).all()

    async def total(self, campaign_id: int, unit_id: int) -> ScoreTotal | None:
        return await self.session.get(ScoreTotal, (campaign_id, unit_id))

    async def totals(self, campaign_id: int, unit_ids: Iterable[int] | None = None) -> Sequence[ScoreTotal]:
        """The standings of a campaign's units (of some of them when `unit_ids` is given)."""
        query = select(ScoreTotal).where(ScoreTotal.campaign_id == campaign_id)
        if unit_ids is not None:
            query = query.where(ScoreTotal.unit_id.in_(list(unit_ids)))
        return (await self.session.scalars(query)).all()

    async def submitted(self, campaign_id: int) -> Sequence[ScoreTotal]:
        """Units that sent their self-score, oldest first."""
        query = (
            select(ScoreTotal)
            .where(ScoreTotal.campaign_id == campaign_id, ScoreTotal.self_submitted_at.is_not(None))
            .order_by(ScoreTotal.self_submitted_at)
        )
        return (await self.session.scalars(query)).all()

    async def standing_rows(
        self, campaign_id: int, unit_ids: Sequence[int] | None = None, group: str | None = None
    ) -> list[StandingRow]:
        """Each scored unit's total with its ranking group: its cluster, else its parent unit (some: the
        units given, or the members of one group)."""
        member = (
            select(ClusterMember.unit_id, Cluster.id.label("cluster_id"), Cluster.name.label("cluster_name"))
            .join(Cluster, Cluster.id == ClusterMember.cluster_id)
            .subquery()
        )
        parent = aliased(Unit)
        query = (
            select(
                ScoreTotal.unit_id,
                Unit.name,
                member.c.cluster_id,
                member.c.cluster_name,
                Unit.parent_id,
                parent.name,
                ScoreTotal.total,
                ScoreTotal.total_max,
                ScoreTotal.unscored,
                ScoreTotal.previous_rank,
                ScoreTotal.previous_of,
            )
            .join(Unit, Unit.id == ScoreTotal.unit_id)
            .outerjoin(parent, parent.id == Unit.parent_id)
            .outerjoin(member, member.c.unit_id == Unit.id)
            .where(ScoreTotal.campaign_id == campaign_id)
        )
        if unit_ids is not None:
            query = query.where(ScoreTotal.unit_id.in_(list(unit_ids)))
        if group is not None and group.startswith("c"):
            query = query.where(member.c.cluster_id == int(group[1:]))
        elif group is not None:
            parent_id = int(group[1:]) or None
            same_parent = Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
            query = query.where(member.c.cluster_id.is_(None), same_parent)
        # Read at once, as plain rows: a row-by-row async stream costs a task switch per row, ORM results a
        # wrapper per row.
        result = await (await self.session.connection()).execute(query)
        rows = []
        for unit_id, name, cluster_id, cluster, parent_id, parent_name, *figures in result:
            group = f"c{cluster_id}" if cluster_id is not None else f"u{parent_id or 0}"
            rows.append(StandingRow(unit_id, name, group, cluster or _in_sentence(parent_name), *figures))
        return rows

    async def saved_points(
        self, campaign_id: int, unit_ids: Sequence[int]
    ) -> AsyncIterator[tuple[int, str, ScoreStage, Decimal]]:
        """(unit, criterion, stage, points) of the saved entries of these units, streamed."""
        for start in range(0, len(unit_ids), 500):
            query = select(
                ScoreEntry.unit_id, ScoreEntry.criterion_code, ScoreEntry.stage, ScoreEntry.points
            ).where(
                ScoreEntry.campaign_id == campaign_id,
                ScoreEntry.unit_id.in_(unit_ids[start : start + 500]),
                ScoreEntry.saved_at.is_not(None),
            )
            result = await self.session.stream(query.execution_options(yield_per=STREAM_ROWS))
            async for partition in result.partitions():  # a task switch per partition, not per row
                for row in partition:
                    yield row.unit_id, row.criterion_code, row.stage, row.points

    async def close_period(self, campaign_id: int, ranks: dict[int, tuple[int, int]]) -> None:
        """Keep each unit's current rank as the previous period's."""
        for unit_id, (rank, of) in ranks.items():
            await self.session.execute(
                update(ScoreTotal)
                .where(ScoreTotal.campaign_id == campaign_id, ScoreTotal.unit_id == unit_id)
                .values(previous_rank=rank, previous_of=of)
            )

    async def contest(self, contest_id: int) -> ScoreContest | None:
        return await self.session.get(ScoreContest, contest_id)

    async def open_contest(self, entry_id: int) -> ScoreContest | None:
        return await self.session.scalar(
            select(ScoreContest).where(
                ScoreContest.entry_id == entry_id, ScoreContest.status == ContestStatus.open
            )
        )

    async def resolve(self, contest: ScoreContest, status: ContestStatus, by_id: int, now: datetime) -> bool:
        """Resolve an open contest; False when someone resolved it first."""
        result = await self.session.execute(
            update(ScoreContest)
            .where(ScoreContest.id == contest.id, ScoreContest.status == ContestStatus.open)
            .values(status=status, resolved_by_id=by_id, resolved_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        await self.session.refresh(contest)
        return True

    async def recognitions(self, campaign_id: int) -> Sequence[Recognition]:
        query = (
            select(Recognition)
            .where(Recognition.campaign_id == campaign_id)
            .order_by(Recognition.decided_on, Recognition.id)
        )
        return (await self.session.scalars(query)).all()


def _in_sentence(name: str | None) -> str:
    """A parent unit's name as it reads inside a sentence: "xã Ba Bích" (as in "Thôn 3, xã Ba Bích")."""
    return f"{name[:1].lower()}{name[1:]}" if name else ""
