"""Rank within each cluster: ties share a rank (đồng hạng), the change since the last period, the gap upward.

Units are ranked in their cluster (cụm thi đua), or with the other units under the same parent when they
belong to no cluster (the villages of a commune). Ranking reads the totals kept by scores.py, in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from bot.services.access import Actor, require_admin_scope
from bot.services.campaigns import administered_campaign, definition_of
from bot.services.errors import NotAuthorized
from bot.services.scores import UnitScores, own_scores, standing_card
from bot.services.scoring import Scorecard
from storage.db import UnitOfWork
from storage.models import Campaign, ScoreEntry
from storage.score_repositories import StandingRow


class Standing(NamedTuple):
    """A unit's place in its group: rank of `of`, shared with others when `tied`, and the gap upward.

    A named tuple of plain values, which the garbage collector stops tracking: a province's ranking makes
    100,000 of them.
    """

    unit_id: int
    name: str
    total: Decimal
    total_max: Decimal
    rank: int
    of: int
    tied: bool
    gap: Decimal | None  # points to reach the next better total (None: first)
    previous_rank: int | None
    previous_of: int | None
    unscored: int


@dataclass(frozen=True)
class Group:
    """The units ranked together, best first."""

    key: str
    name: str
    standings: list[Standing]


def rank_group(rows: Sequence[StandingRow]) -> list[Standing]:
    """Competition ranking (1, 2, 2, 4) by total; equal totals share a rank and keep their given order."""
    ordered = sorted(rows, key=lambda row: -row.total)
    counts: dict[Decimal, int] = defaultdict(int)
    for row in ordered:
        counts[row.total] += 1
    standings: list[Standing] = []
    rank, better = 0, None
    for position, row in enumerate(ordered, start=1):
        if position == 1 or row.total != ordered[position - 2].total:
            rank, better = position, (ordered[position - 2].total if position > 1 else None)
        standings.append(
            Standing(
                row.unit_id,
                row.name,
                row.total,
                row.total_max,
                rank,
                len(ordered),
                counts[row.total] > 1,
                None if better is None else better - row.total,
                row.previous_rank,
                row.previous_of,
                row.unscored,
            )
        )
    return standings


def group_rows(rows: Sequence[StandingRow]) -> list[Group]:
    """Rank every group; groups in name order."""
    grouped: dict[str, list[StandingRow]] = defaultdict(list)
    for row in rows:
        grouped[row.group].append(row)
    groups = [Group(key, members[0].group_name, rank_group(members)) for key, members in grouped.items()]
    return sorted(groups, key=lambda group: (group.name, group.key))


async def campaign_groups(uow: UnitOfWork, campaign_id: int) -> list[Group]:
    """Every ranking group of a campaign."""
    return group_rows(await uow.scores.standing_rows(campaign_id))


async def administered_ranking(
    uow: UnitOfWork, actor: Actor, campaign_id: int
) -> tuple[Campaign, list[Group]]:
    """The ranking groups an admin oversees (those with a unit in their subtrees)."""
    campaign = await administered_campaign(uow, actor, campaign_id)
    scope = await require_admin_scope(uow, actor)
    groups = await campaign_groups(uow, campaign.id)
    if scope.roots is None:
        return campaign, groups
    mine = set(await uow.units.subtree_ids(scope.roots))
    return campaign, [g for g in groups if any(s.unit_id in mine for s in g.standings)]


@dataclass(frozen=True)
class Adjustment:
    """A criterion the office scored differently from the unit, and whether the unit may still contest it."""

    code: str
    claimed: Decimal | None
    verified: Decimal
    reason: str | None
    entry_id: int
    contested: bool


@dataclass(frozen=True)
class MyStanding:
    """What a unit head sees under "Điểm của tôi"."""

    scores: UnitScores
    card: Scorecard
    group: Group | None
    standing: Standing | None
    adjustments: list[Adjustment]

    @property
    def table_visible(self) -> bool:
        """Whether the campaign shows unit heads their whole cluster's table."""
        return definition_of(self.scores.campaign).ranking_visible


async def my_standing(uow: UnitOfWork, actor: Actor, campaign_id: int) -> MyStanding:
    """The unit's total, rank, every point lost with its reason, and the office's adjustments."""
    scores = await own_scores(uow, actor, campaign_id)
    entries: list[ScoreEntry] = [*scores.self_entries.values(), *scores.verified.values()]
    card = standing_card(definition_of(scores.campaign), scores.unit, entries)
    group = standing = None
    mine = await uow.scores.standing_rows(scores.campaign.id, [scores.unit.id])
    if mine:
        groups = group_rows(await uow.scores.standing_rows(scores.campaign.id, group=mine[0].group))
        group = groups[0] if groups else None
        standing = next((s for s in group.standings if s.unit_id == scores.unit.id), None) if group else None
    adjustments = []
    for code, entry in scores.verified.items():
        claimed = scores.self_entries.get(code)
        claimed_points = claimed.points if claimed is not None and claimed.saved_at is not None else None
        if entry.saved_at is not None and claimed_points != entry.points:
            contested = await uow.scores.open_contest(entry.id) is not None
            adjustments.append(
                Adjustment(code, claimed_points, entry.points, entry.reason, entry.id, contested)
            )
    return MyStanding(scores, card, group, standing, adjustments)


async def visible_group(uow: UnitOfWork, actor: Actor, campaign_id: int) -> tuple[Campaign, Group]:
    """The cluster table for a unit head, when the campaign makes it public."""
    mine = await my_standing(uow, actor, campaign_id)
    if not mine.table_visible or mine.group is None:
        raise NotAuthorized()
    return mine.scores.campaign, mine.group


async def close_period(uow: UnitOfWork, actor: Actor, campaign_id: int) -> int:
    """Keep the current ranks as the previous period's, to show the change next time; returns units kept."""
    campaign, groups = await administered_ranking(uow, actor, campaign_id)
    ranks = {s.unit_id: (s.rank, s.of) for group in groups for s in group.standings}
    await uow.scores.close_period(campaign.id, ranks)
    uow.audit.record(actor.id, "score.close_period", f"campaign:{campaign.id}", units=len(ranks))
    return len(ranks)
