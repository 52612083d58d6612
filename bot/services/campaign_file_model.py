"""The campaign definition read from a YAML or Excel file: immutable dataclasses, problems, raw nodes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from bot.i18n import N_
from storage.models import UnitKind


class DeadlineKind(StrEnum):
    """What is due on a deadline; several `report` deadlines are allowed, at most one of the others."""

    registration = "registration"
    evidence = "evidence"
    self_scoring = "self_scoring"
    review = "review"
    report = "report"


class Aggregation(StrEnum):
    """How criterion scores make the total.

    sum: the total is the sum of the criterion scores (out of the sum of their maxima);
    weighted: each indicator adds weight × its points ÷ its maximum, so the total is out of 100.
    """

    sum = "sum"
    weighted = "weighted"


class EscalateTo(StrEnum):
    """Who hears of the units late for a deadline."""

    nearest = "nearest"  # the admins closest above each late unit (its commune)
    organizer = "organizer"  # the admins of the unit that launched the campaign


class Per(StrEnum):
    """What a deduction or bonus is counted in: points × the number of these."""

    incident = "incident"  # vụ: a forest fire, a logging case, a security incident
    percent = "percent"  # %: each percent short of plan, each percent of drop-outs
    case = "case"  # trường hợp / lần: a written reminder, an official breaking the rules
    item = "item"  # đơn vị: a school reaching the national standard, a model replicated
    decision = "decision"  # quyết định: a recognition decision


@dataclass(frozen=True)
class DeductionRule:
    """Points removed from a criterion per counted occurrence, with the reason officials read."""

    reason: str
    points: Decimal
    per: Per
    cap: Decimal | None = None
    zero_if_serious: bool = False


@dataclass(frozen=True)
class BonusRule:
    """Points added to a criterion per counted occurrence."""

    reason: str
    points: Decimal
    per: Per
    cap: Decimal | None = None


@dataclass(frozen=True)
class CriterionDef:
    """A scored item (tiêu chí) or sub-criterion; a parent's maximum is the sum of its children's."""

    code: str
    name: str
    max_points: Decimal
    deductions: tuple[DeductionRule, ...] = ()
    bonuses: tuple[BonusRule, ...] = ()
    proportional_of: int | None = None
    evidence_photos: int = 1
    evidence_documents: int = 0
    reviewer_office: str | None = None
    children: tuple[CriterionDef, ...] = ()


@dataclass(frozen=True)
class IndicatorDef:
    """A group of criteria (chỉ tiêu I, II …); `unit_kinds` are the kinds it scores (all eligible ones)."""

    code: str
    name: str
    weight: Decimal | None
    criteria: tuple[CriterionDef, ...]
    unit_kinds: tuple[UnitKind, ...] = ()


@dataclass(frozen=True)
class TitleDef:
    """A title units aim for (Thôn kiểu mẫu …) and the kinds of unit that may aim for it."""

    code: str
    name: str
    unit_kinds: tuple[UnitKind, ...]
    target_percent: Decimal | None = None  # the share of eligible units meant to earn it (chỉ tiêu)


@dataclass(frozen=True)
class DeadlineDef:
    """A date by which something is due."""

    kind: DeadlineKind
    due: date
    label: str = ""


@dataclass(frozen=True)
class CampaignDefinition:
    """A campaign as its file defines it, validated: what the bot launches and scores."""

    code: str
    name: str
    year: int
    period_start: date
    period_end: date
    organizer: str
    scope: tuple[str, ...]
    eligible_kinds: tuple[UnitKind, ...]
    titles: tuple[TitleDef, ...]
    deadlines: tuple[DeadlineDef, ...]
    indicators: tuple[IndicatorDef, ...]
    aggregation: Aggregation = Aggregation.sum
    description: str = ""
    ranking_visible: bool = False  # unit heads see their whole cluster's table, not only their own rank
    contest_days: int = 7  # days after a verified score during which the unit may contest it (giải trình)
    reminder_days: tuple[int, ...] = (7, 3, 1, 0)  # days before a deadline when those behind are reminded
    reminder_hour: int = 8  # local hour reminders go out
    quiet_hours: str = "21:00-07:00"  # local hours when nothing is sent (reminders wait for the morning)
    escalate_to: EscalateTo = EscalateTo.nearest


def _same(message: str) -> str:
    return message


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in a campaign file: where (a YAML line or an Excel cell) and a gettext message."""

    message: str
    params: dict[str, str] = field(default_factory=dict)
    line: int | None = None
    cell: str | None = None

    @classmethod
    def at(cls, where: Where, message: str, **params: str) -> FileProblem:
        """A problem at a place in the file."""
        return cls(message, params, where.line, where.cell)

    def location(self, gettext: Callable[[str], str] = _same) -> str:
        """Where the problem is, in the reader's language ("dòng 12", "ô Thang điểm!C7"), or ""."""
        if self.line is not None:
            return gettext(N_("line {line}")).format(line=self.line)
        if self.cell is not None:
            return gettext(N_("cell {cell}")).format(cell=self.cell)
        return ""

    def render(self, gettext: Callable[[str], str] = _same) -> str:
        """The problem as one line in the reader's language."""
        text = gettext(self.message).format(**self.params)
        where = self.location(gettext)
        return gettext(N_("{location}: {problem}")).format(location=where, problem=text) if where else text


class CampaignFileError(Exception):
    """The file does not define a valid campaign; `problems` lists everything found, in file order."""

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__("\n".join(problem.render() for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Where:
    """A place in the source file: a 1-based YAML line or an Excel cell reference."""

    line: int | None = None
    cell: str | None = None


Scalar = str | int | Decimal | date | bool | None


@dataclass(frozen=True)
class Node:
    """A value read from a file, before validation, with where it was found.

    Lists are tuples of nodes, mappings are dicts of nodes. `key_where` is where the key naming this value
    is; `labels` (mappings only) are the names the source uses for its keys, for messages.
    """

    value: Scalar | tuple[Node, ...] | dict[str, Node]
    where: Where = Where()
    key_where: Where | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


def number_text(value: Decimal) -> str:
    """A number the way officials write it: 99,5 and 10 (no exponent, decimal comma)."""
    return format(value, "f").replace(".", ",")


def date_text(value: date) -> str:
    """A date as dd/MM/yyyy."""
    return value.strftime("%d/%m/%Y")
