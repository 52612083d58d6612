"""Queries about evidence: drafts, versions per criterion, the review queue, and duplicate lookups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Evidence, EvidenceItem, EvidenceStatus


class EvidenceRepository:
    """Evidence submissions and their items."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Any) -> None:
        """Stage a new row for insertion at the next flush."""
        self.session.add(row)

    async def get(self, evidence_id: int) -> Evidence | None:
        return await self.session.get(Evidence, evidence_id)

    async def draft_of(self, person_id: int) -> Evidence | None:
        """The draft the person is building, if any."""
        query = select(Evidence).where(
            Evidence.submitted_by_id == person_id, Evidence.status == EvidenceStatus.draft
        )
        return await self.session.scalar(query)

    async def items(self, evidence_ids: Iterable[int]) -> dict[int, list[EvidenceItem]]:
        """The items of each submission, in the order they arrived."""
        query = (
            select(EvidenceItem)
            .where(EvidenceItem.evidence_id.in_(list(evidence_ids)))
            .order_by(EvidenceItem.id)
        )
        found: dict[int, list[EvidenceItem]] = {}
        for item in await self.session.scalars(query):
            found.setdefault(item.evidence_id, []).append(item)
        return found

    async def count_items(self, evidence_id: int) -> int:
        return (
            await self.session.scalar(select(func.count()).where(EvidenceItem.evidence_id == evidence_id))
            or 0
        )

    async def latest(self, campaign_id: int, unit_ids: Iterable[int]) -> dict[tuple[int, str], Evidence]:
        """The newest submitted version per unit and criterion (drafts do not count)."""
        query = (
            select(Evidence)
            .where(
                Evidence.campaign_id == campaign_id,
                Evidence.unit_id.in_(list(unit_ids)),
                Evidence.status != EvidenceStatus.draft,
            )
            .order_by(Evidence.version)
        )
        return {(e.unit_id, e.criterion_code): e for e in await self.session.scalars(query)}

    async def versions(self, campaign_id: int, unit_id: int, criterion_code: str) -> Sequence[Evidence]:
        """Every submitted version for the criterion, oldest first."""
        query = (
            select(Evidence)
            .where(
                Evidence.campaign_id == campaign_id,
                Evidence.unit_id == unit_id,
                Evidence.criterion_code == criterion_code,
                Evidence.status != EvidenceStatus.draft,
            )
            .order_by(Evidence.version)
        )
        return (await self.session.scalars(query)).all()

    async def submitted(self, campaign_ids: Iterable[int], limit: int, offset: int = 0) -> Sequence[Evidence]:
        """Submissions waiting for review in these campaigns, oldest first."""
        query = (
            select(Evidence)
            .where(Evidence.status == EvidenceStatus.submitted, Evidence.campaign_id.in_(list(campaign_ids)))
            .order_by(Evidence.submitted_at, Evidence.id)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(query)).all()

    async def exact_matches(self, sha256: str, file_unique_id: str, exclude: int) -> Sequence[EvidenceItem]:
        """Earlier items with the same bytes or the same Telegram file, outside this submission."""
        query = select(EvidenceItem).where(
            or_(EvidenceItem.sha256 == sha256, EvidenceItem.file_unique_id == file_unique_id),
            EvidenceItem.evidence_id != exclude,
        )
        return (await self.session.scalars(query.order_by(EvidenceItem.id).limit(20))).all()

    async def near_candidates(self, bands: tuple[int, int, int, int], exclude: int) -> Sequence[EvidenceItem]:
        """Items sharing a band of the perceptual hash (an index lookup per band, no scan)."""
        columns = (EvidenceItem.band0, EvidenceItem.band1, EvidenceItem.band2, EvidenceItem.band3)
        query = select(EvidenceItem).where(
            or_(*(column == band for column, band in zip(columns, bands, strict=True))),
            EvidenceItem.evidence_id != exclude,
        )
        return (await self.session.scalars(query.limit(500))).all()

    async def move(self, evidence: Evidence, expected: EvidenceStatus, **values: Any) -> bool:
        """Change a submission still in `expected` status; False when someone changed it first."""
        result: Any = await self.session.execute(
            update(Evidence)
            .where(Evidence.id == evidence.id, Evidence.status == expected)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            for key, value in values.items():
                set_committed_value(evidence, key, value)
        return result.rowcount == 1

    async def stale_drafts(self, created_before: Any, limit: int) -> Sequence[Evidence]:
        """Drafts holding files that were started before a moment and never sent."""
        has_items = select(EvidenceItem.evidence_id)
        query = (
            select(Evidence)
            .where(
                Evidence.status == EvidenceStatus.draft,
                Evidence.created_at < created_before,
                Evidence.id.in_(has_items),
            )
            .order_by(Evidence.id)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()
