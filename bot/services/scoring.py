"""The scoring engine: a campaign's scale applied to what was found for a unit, explained line by line.

Pure functions over exact decimals. Each criterion starts from its maximum (or from the share of it that
was achieved, or from points given directly), loses points by its deduction rules (never below zero), and
gains points by its bonus rules, which seed 003 adds on top ("cộng riêng"). Every figure returned is the
maximum plus the points of its ledger entries, so every point lost or gained has a rule and a reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from storage.models import UnitKind

from .campaign_file_model import Aggregation, CampaignDefinition, CriterionDef, IndicatorDef, Per

ZERO = Decimal(0)
HUNDREDTH = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    """A score to two decimals, half up, as officials round (99,705 → 99,71)."""
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP).normalize() + ZERO


@dataclass(frozen=True)
class CriterionInput:
    """What was found for one criterion: occurrences per rule (in the scale's order) and direct figures.

    `achieved` is the count out of `proportional_of` (12 of 19 new-countryside criteria); `points` are
    points given directly instead of the maximum; `serious` is the damage that voids the criterion.
    """

    deductions: tuple[Decimal, ...] = ()
    bonuses: tuple[Decimal, ...] = ()
    achieved: Decimal | None = None
    points: Decimal | None = None
    serious: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, decimals as text so nothing drifts."""
        return {
            "deductions": [str(n) for n in self.deductions],
            "bonuses": [str(n) for n in self.bonuses],
            "achieved": None if self.achieved is None else str(self.achieved),
            "points": None if self.points is None else str(self.points),
            "serious": self.serious,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CriterionInput:
        """The input stored by `to_dict`."""

        def number(value: Any) -> Decimal | None:
            return None if value is None else Decimal(value)

        return cls(
            tuple(Decimal(n) for n in data.get("deductions", ())),
            tuple(Decimal(n) for n in data.get("bonuses", ())),
            number(data.get("achieved")),
            number(data.get("points")),
            bool(data.get("serious", False)),
        )

    def count(self, counts: tuple[Decimal, ...], index: int) -> Decimal:
        """The count for rule `index` (zero when not given)."""
        return counts[index] if index < len(counts) else ZERO


class Change(StrEnum):
    """Why a criterion's points differ from its maximum."""

    achieved = "achieved"  # only part of a proportional criterion was achieved
    assessed = "assessed"  # points were given directly
    deduction = "deduction"
    serious = "serious"  # serious damage: no points for the criterion
    floor = "floor"  # deductions beyond zero are not counted
    bonus = "bonus"


@dataclass(frozen=True)
class LedgerEntry:
    """One change to a criterion's points, with the rule's reason and what was counted."""

    criterion: str
    change: Change
    points: Decimal  # signed: −2 for a deduction, +4 for a bonus
    reason: str = ""
    count: Decimal | None = None
    per: Per | None = None
    capped: bool = False


@dataclass(frozen=True)
class CriterionScore:
    """A criterion's points out of its maximum, and the ledger that explains them."""

    criterion: CriterionDef
    points: Decimal
    ledger: tuple[LedgerEntry, ...]
    scored: bool
    children: tuple[CriterionScore, ...] = ()

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def max_points(self) -> Decimal:
        return self.criterion.max_points


@dataclass(frozen=True)
class IndicatorScore:
    """An indicator's points: its criteria added up, and what it contributes to the total."""

    indicator: IndicatorDef
    points: Decimal
    max_points: Decimal
    contribution: Decimal
    criteria: tuple[CriterionScore, ...]


@dataclass(frozen=True)
class Scorecard:
    """A unit's total out of the scale's total, per indicator, and the criteria not scored yet."""

    total: Decimal
    total_max: Decimal
    indicators: tuple[IndicatorScore, ...]
    unscored: tuple[str, ...] = field(default=())

    def criteria(self) -> Iterator[CriterionScore]:
        """Every criterion and sub-criterion, in the scale's order."""

        def walk(score: CriterionScore) -> Iterator[CriterionScore]:
            yield score
            for child in score.children:
                yield from walk(child)

        for indicator in self.indicators:
            for criterion in indicator.criteria:
                yield from walk(criterion)

    def ledger(self) -> Iterator[LedgerEntry]:
        """Every change, criterion by criterion (leaves only: parents repeat their children's)."""
        for score in self.criteria():
            if not score.children:
                yield from score.ledger


def score_criterion(criterion: CriterionDef, found: CriterionInput | None) -> CriterionScore:
    """Apply a criterion's rules to what was found; a criterion with sub-criteria adds theirs up."""
    if criterion.children:
        children = tuple(score_criterion(child, None) for child in criterion.children)
        return _parent(criterion, children)
    if found is None:
        return CriterionScore(criterion, ZERO, (), scored=False)
    code, top = criterion.code, criterion.max_points
    if found.serious and any(rule.zero_if_serious for rule in criterion.deductions):
        reason = next(rule.reason for rule in criterion.deductions if rule.zero_if_serious)
        return CriterionScore(criterion, ZERO, (LedgerEntry(code, Change.serious, -top, reason),), True)
    ledger: list[LedgerEntry] = []
    base = _base(criterion, found, ledger)
    lost = ZERO
    for index, rule in enumerate(criterion.deductions):
        count = found.count(found.deductions, index)
        amount, capped = _capped(rule.points * count, rule.cap)
        if amount:
            ledger.append(LedgerEntry(code, Change.deduction, -amount, rule.reason, count, rule.per, capped))
            lost += amount
    if lost > base:
        ledger.append(LedgerEntry(code, Change.floor, lost - base))
    points = max(base - lost, ZERO)
    for index, rule in enumerate(criterion.bonuses):
        count = found.count(found.bonuses, index)
        amount, capped = _capped(rule.points * count, rule.cap)
        if amount:
            ledger.append(LedgerEntry(code, Change.bonus, amount, rule.reason, count, rule.per, capped))
            points += amount
    return CriterionScore(criterion, points, tuple(ledger), True)


def _base(criterion: CriterionDef, found: CriterionInput, ledger: list[LedgerEntry]) -> Decimal:
    """The points before rules: given directly, the achieved share, or the maximum."""
    top = criterion.max_points
    if found.points is not None:
        base = min(max(found.points, ZERO), top)
        change = Change.assessed
        count = None
    elif criterion.proportional_of and found.achieved is not None:
        count = min(max(found.achieved, ZERO), Decimal(criterion.proportional_of))
        base = rounded(top * count / criterion.proportional_of)
        change = Change.achieved
    else:
        return top
    if base != top:
        ledger.append(LedgerEntry(criterion.code, change, base - top, count=count))
    return base


def _capped(amount: Decimal, cap: Decimal | None) -> tuple[Decimal, bool]:
    if cap is not None and amount > cap:
        return cap, True
    return amount, False


def _parent(criterion: CriterionDef, children: tuple[CriterionScore, ...]) -> CriterionScore:
    return CriterionScore(
        criterion,
        sum((child.points for child in children), ZERO),
        tuple(entry for child in children for entry in child.ledger),
        scored=all(child.scored for child in children),
        children=children,
    )


def applies(indicator: IndicatorDef, kind: UnitKind) -> bool:
    """Whether an indicator scores units of this kind (an indicator naming no kinds scores all)."""
    return not indicator.unit_kinds or kind in indicator.unit_kinds


def score_unit(
    definition: CampaignDefinition, kind: UnitKind, found: Mapping[str, CriterionInput]
) -> Scorecard:
    """A unit's scorecard from what was found per criterion code (sub-criteria by their own codes)."""
    indicators = []
    unscored: list[str] = []
    for indicator in definition.indicators:
        if not applies(indicator, kind):
            continue
        criteria = tuple(_scored(criterion, found) for criterion in indicator.criteria)
        points = sum((c.points for c in criteria), ZERO)
        most = sum((c.max_points for c in criteria), ZERO)
        for criterion in criteria:
            unscored.extend(_unscored(criterion))
        indicators.append(
            IndicatorScore(
                indicator, points, most, _contribution(definition, indicator, points, most), criteria
            )
        )
    if definition.aggregation == Aggregation.weighted:
        total_max = sum((i.indicator.weight or ZERO for i in indicators), ZERO)
    else:
        total_max = sum((i.max_points for i in indicators), ZERO)
    total = rounded(sum((i.contribution for i in indicators), ZERO))
    return Scorecard(total, total_max, tuple(indicators), tuple(unscored))


def _scored(criterion: CriterionDef, found: Mapping[str, CriterionInput]) -> CriterionScore:
    if criterion.children:
        return _parent(criterion, tuple(_scored(child, found) for child in criterion.children))
    return score_criterion(criterion, found.get(criterion.code))


def _unscored(score: CriterionScore) -> Iterator[str]:
    if score.children:
        for child in score.children:
            yield from _unscored(child)
    elif not score.scored:
        yield score.code


def _contribution(
    definition: CampaignDefinition, indicator: IndicatorDef, points: Decimal, most: Decimal
) -> Decimal:
    """What an indicator adds to the total: its points, or its weight times its share when weighted."""
    if definition.aggregation != Aggregation.weighted:
        return points
    if not most:
        return ZERO
    return (indicator.weight or ZERO) * points / most
