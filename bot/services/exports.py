"""Excel files for admins: the score sheet, the registrations and the evidence matrix of a campaign.

The score sheet streams: a worker thread writes the workbook while the event loop reads the next units'
points, so a province-wide sheet neither holds every point in memory nor stalls the bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.i18n import N_
from bot.services.access import Actor, require_admin_scope
from bot.services.campaign_file_model import CampaignDefinition, CriterionDef
from bot.services.campaigns import administered_campaign, definition_of
from bot.services.evidence_review import evidence_matrix
from bot.services.standings import Group, Standing, administered_ranking
from bot.services.text import display_name
from bot.services.workbooks import (
    EvidenceLine,
    RegistrationLine,
    SheetColumn,
    SheetLine,
    evidence_sheet,
    registrations_sheet,
    score_sheet,
)
from storage.db import UnitOfWork
from storage.models import Campaign, EvidenceStatus, RegistrationStatus, ScoreStage

Gettext = Callable[[str], str]
POINTS_CHUNK = 2000  # units whose points are read at once while the sheet is written
REGISTRATION_STATUS = {
    RegistrationStatus.pending: N_("Waiting"),
    RegistrationStatus.approved: N_("Approved"),
    RegistrationStatus.rejected: N_("Rejected"),
    RegistrationStatus.withdrawn: N_("Withdrawn"),
}
EVIDENCE_STATUS = {
    EvidenceStatus.submitted: N_("Waiting"),
    EvidenceStatus.approved: N_("Approved"),
    EvidenceStatus.rejected: N_("Rejected"),
    EvidenceStatus.more_requested: N_("More asked"),
}


@dataclass(frozen=True)
class _Line:
    """A sheet row with the leaf criteria whose points add up to it."""

    line: SheetLine
    leaves: tuple[str, ...]


def _lines(definition: CampaignDefinition) -> list[_Line]:
    def leaves(criterion: CriterionDef) -> tuple[str, ...]:
        if not criterion.children:
            return (criterion.code,)
        return tuple(code for child in criterion.children for code in leaves(child))

    def rows(criterion: CriterionDef, level: int) -> Iterator[_Line]:
        yield _Line(SheetLine(criterion.code, criterion.name, criterion.max_points, level), leaves(criterion))
        for child in criterion.children:
            yield from rows(child, level + 1)

    lines: list[_Line] = []
    for indicator in definition.indicators:
        most = sum((c.max_points for c in indicator.criteria), Decimal(0))
        codes = tuple(code for c in indicator.criteria for code in leaves(c))
        lines.append(_Line(SheetLine(indicator.code, indicator.name, most, 0), codes))
        for criterion in indicator.criteria:
            lines.extend(rows(criterion, 1))
    return lines


def _column(lines: list[_Line], group: Group, standing: Standing, leaf: dict[str, Decimal]) -> SheetColumn:
    points: dict[str, Decimal | None] = {}
    for row in lines:
        found = [leaf[code] for code in row.leaves if code in leaf]
        points[row.line.code] = sum(found, Decimal(0)) if found else None
    rank = f"{standing.rank:02d}/{standing.of:02d}"
    heading = group.name[:1].upper() + group.name[1:]  # "Xã Ba Bích" heads its column group
    return SheetColumn(standing.name, heading, points, standing.total, rank)


async def _leaf_points(
    uow: UnitOfWork, campaign_id: int, unit_ids: Sequence[int]
) -> dict[int, dict[str, Decimal]]:
    """Saved points per unit and criterion: verified where there is one, else the self-score."""
    found: dict[int, dict[str, Decimal]] = {unit_id: {} for unit_id in unit_ids}
    verified: set[tuple[int, str]] = set()
    async for unit_id, code, stage, value in uow.scores.saved_points(campaign_id, unit_ids):
        if stage == ScoreStage.verified:
            verified.add((unit_id, code))
            found[unit_id][code] = value
        elif (unit_id, code) not in verified:
            found[unit_id][code] = value
    return found


async def score_sheet_of(
    uow: UnitOfWork, campaign: Campaign, groups: list[Group], gettext: Gettext, subtitle: str
) -> bytes:
    """The score sheet of these ranking groups, units as columns in rank order."""
    definition = definition_of(campaign)
    lines = _lines(definition)
    ordered = [(group, standing) for group in groups for standing in group.standings]
    loop = asyncio.get_running_loop()

    def columns() -> Iterator[SheetColumn]:
        for start in range(0, len(ordered), POINTS_CHUNK):
            chunk = ordered[start : start + POINTS_CHUNK]
            ids = [standing.unit_id for _, standing in chunk]
            leaf = asyncio.run_coroutine_threadsafe(_leaf_points(uow, campaign.id, ids), loop).result()
            for group, standing in chunk:
                yield _column(lines, group, standing, leaf[standing.unit_id])

    most = ordered[0][1].total_max if ordered else Decimal(100)
    return await asyncio.to_thread(
        score_sheet, gettext, campaign.name, subtitle, [row.line for row in lines], columns(), most
    )


async def score_sheet_file(
    uow: UnitOfWork, actor: Actor, campaign_id: int, gettext: Gettext, subtitle: str
) -> tuple[Campaign, bytes]:
    """The score sheet of the groups the admin oversees."""
    campaign, groups = await administered_ranking(uow, actor, campaign_id)
    return campaign, await score_sheet_of(uow, campaign, groups, gettext, subtitle)


async def registrations_file(
    uow: UnitOfWork, actor: Actor, campaign_id: int, gettext: Gettext
) -> tuple[Campaign, bytes]:
    """Every registration of the campaign within the admin's scope, with its status and dates."""
    campaign = await administered_campaign(uow, actor, campaign_id)
    scope = await require_admin_scope(uow, actor)
    mine = None if scope.roots is None else set(await uow.units.subtree_ids(scope.roots))
    lines = []
    for registration in await uow.registrations.of_campaign(campaign.id):
        unit = registration.unit
        if mine is not None and unit.id not in mine:
            continue
        lines.append(
            RegistrationLine(
                display_name(unit),
                unit.parent.name if unit.parent else "",  # loaded with the unit
                registration.title.name,
                gettext(REGISTRATION_STATUS[registration.status]),
                registration.registered_at.date(),
                registration.decided_at.date() if registration.decided_at else None,
            )
        )
    return campaign, await asyncio.to_thread(registrations_sheet, gettext, campaign.name, lines)


async def evidence_file(
    uow: UnitOfWork, actor: Actor, campaign_id: int, gettext: Gettext
) -> tuple[Campaign, bytes]:
    """The newest evidence state of each registered unit and criterion."""
    campaign, matrix = await evidence_matrix(uow, actor, campaign_id)
    clusters = await uow.clusters.of_units([unit.id for unit in matrix.units])
    names = {row.line.code: row.line.name for row in _lines(definition_of(campaign))}
    lines = [
        EvidenceLine(
            display_name(unit),
            clusters.get(unit.id, ""),
            {
                code: gettext(EVIDENCE_STATUS[status])
                for code in matrix.criteria
                if (status := matrix.cells.get((unit.id, code))) in EVIDENCE_STATUS
            },
        )
        for unit in matrix.units
    ]
    criteria = [(code, names.get(code, "")) for code in matrix.criteria]
    return campaign, await asyncio.to_thread(evidence_sheet, gettext, campaign.name, criteria, lines)
