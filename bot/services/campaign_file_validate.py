"""The one validator of campaign files: raw nodes (from YAML, Excel or the database) in, a definition out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import TypeVar

from bot.i18n import N_
from bot.services.campaign_file_model import (
    Aggregation,
    BonusRule,
    CampaignDefinition,
    CriterionDef,
    DeadlineDef,
    DeadlineKind,
    DeductionRule,
    EscalateTo,
    FileProblem,
    IndicatorDef,
    Node,
    TitleDef,
    Where,
    date_text,
    number_text,
)
from bot.services.campaign_file_words import (
    AGGREGATION_WORDS,
    DEADLINE_WORDS,
    ESCALATE_WORDS,
    KIND_LABELS,
    PER_WORDS,
    E,
    expected,
    lookup,
)
from bot.services.text import fold
from bot.services.unit_import import parse_kind
from storage.models import UnitKind

T = TypeVar("T")

CAMPAIGN_KEYS = (
    "code",
    "name",
    "year",
    "period_start",
    "period_end",
    "organizer",
    "scope",
    "eligible_kinds",
    "aggregation",
    "description",
    "ranking_visible",
    "contest_days",
    "reminder_days",
    "reminder_hour",
    "quiet_hours",
    "escalate_to",
    "titles",
    "deadlines",
    "indicators",
)
TITLE_KEYS = ("code", "name", "unit_kinds", "target_percent")
DEADLINE_KEYS = ("kind", "due", "label")
INDICATOR_KEYS = ("code", "name", "weight", "unit_kinds", "criteria")
CRITERION_KEYS = (
    "code",
    "name",
    "max_points",
    "deductions",
    "bonuses",
    "proportional_of",
    "evidence_photos",
    "evidence_documents",
    "reviewer_office",
    "children",
)
DEDUCTION_KEYS = ("reason", "points", "per", "cap", "zero_if_serious")
BONUS_KEYS = ("reason", "points", "per", "cap")

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,49}")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
WHOLE = re.compile(r"[+-]?\d+")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
HOURS = re.compile(r"(\d{1,2})(?:[:h](\d{2})|h)?\s*[-–]\s*(\d{1,2})(?:[:h](\d{2})|h)?")
FLAG_WORDS = {"co": True, "khong": False, "yes": True, "no": False}
ROMAN = re.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")
LIST_SEPARATORS = re.compile(r"[,;\n]")


def validate(root: Node) -> tuple[CampaignDefinition | None, list[FileProblem]]:
    """The definition the nodes describe, or None with every problem found."""
    checker = _Checker()
    definition = checker.campaign(root)
    return (None if checker.problems else definition), checker.problems


class _Fields:
    """The entries of one mapping node; unknown keys are reported when it is opened."""

    def __init__(
        self, checker: _Checker, node: Node, entries: dict[str, Node], keys: tuple[str, ...]
    ) -> None:
        self.checker, self.node, self.entries = checker, node, entries
        for key, entry in entries.items():
            if key not in keys:
                checker.report(
                    entry.key_where or entry.where,
                    N_("unknown key {key!r}; expected one of: {expected}"),
                    key=key,
                    expected=", ".join(map(self.name, keys)),
                )

    def name(self, key: str) -> str:
        """The key as the source names it (the Excel heading, or the YAML key)."""
        return self.node.labels.get(key, key)

    def where(self, key: str) -> Where:
        """Where the value of `key` is (a list: where its key is), or the mapping itself when it is absent."""
        entry = self.entries.get(key)
        if entry is None:
            return self.node.where
        return entry.key_where if isinstance(entry.value, tuple) and entry.key_where else entry.where

    def value(
        self,
        key: str,
        parse: Callable[[Node, str], T | None],
        required: bool = False,
        default: T | None = None,
    ) -> T | None:
        """The parsed value of `key`; `default` when it is absent or empty (a problem if `required`)."""
        entry = self.entries.get(key)
        if entry is None or entry.value is None or (isinstance(entry.value, str) and not entry.value.strip()):
            if required:
                self.checker.report(self.where(key), N_("{field!r} is required"), field=self.name(key))
            return default
        return parse(entry, self.name(key))

    def items(self, key: str, build: Callable[[Node], T | None], required: bool = False) -> tuple[T, ...]:
        """The built items of the list under `key`, leaving out the ones with problems."""
        entry = self.entries.get(key)
        if entry is None or entry.value is None:
            if required:
                self.checker.report(self.where(key), N_("{field!r} is required"), field=self.name(key))
            return ()
        if not isinstance(entry.value, tuple):
            self.checker.report(entry.where, N_("{field!r} must be a list"), field=self.name(key))
            return ()
        if required and not entry.value:
            self.checker.report(entry.where, N_("{field!r} must not be empty"), field=self.name(key))
        return tuple(item for item in map(build, entry.value) if item is not None)


class _Checker:
    """Builds the definition from nodes, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[FileProblem] = []
        self.used_codes: dict[str, set[str]] = {"title": set(), "indicator": set(), "criterion": set()}

    def report(self, where: Where, message: str, **params: str) -> None:
        """Record a problem at `where`."""
        self.problems.append(FileProblem.at(where, message, **params))

    def clean_since(self, count: int) -> bool:
        """Whether no problem was found since there were `count`."""
        return len(self.problems) == count

    def fields(self, node: Node, keys: tuple[str, ...], name: str) -> _Fields | None:
        """The mapping `node` opened for reading, or None (reported) when it is not a mapping."""
        if not isinstance(node.value, dict):
            self.report(node.where, N_("{field!r} must be a mapping of keys and values"), field=name)
            return None
        return _Fields(self, node, node.value, keys)

    # Values ----------------------------------------------------------------------------------------------

    def text(self, node: Node, name: str) -> str | None:
        """Text; a number written where text is expected (a code like 1) is taken as written."""
        value = node.value
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            self.report(node.where, N_("{field!r} must be text"), field=name)
            return None
        return str(value).strip()

    def slug(self, node: Node, name: str) -> str | None:
        """A short ASCII code usable in commands and links."""
        value = self.text(node, name)
        if value is not None and not SLUG.fullmatch(value):
            self.report(
                node.where,
                N_("{field!r} must use only a-z, 0-9, - and _, not {value!r}"),
                field=name,
                value=value,
            )
            return None
        return value

    def whole(self, node: Node, name: str) -> int | None:
        """A whole number, from a number or its digits."""
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return int(value)
        if isinstance(value, str) and WHOLE.fullmatch(value.strip()):
            return int(value)
        self.report(
            node.where, N_("{field!r} must be a whole number, not {value!r}"), field=name, value=str(value)
        )
        return None

    def number(self, node: Node, name: str) -> Decimal | None:
        """A decimal number; text may use the Vietnamese decimal comma (99,5)."""
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, Decimal) and value.is_finite():
            return value
        if isinstance(value, str) and NUMBER.fullmatch(value.strip()):
            return Decimal(value.strip().replace(",", "."))
        self.report(
            node.where,
            N_("{field!r} must be a number such as 12 or 99,5, not {value!r}"),
            field=name,
            value=str(value),
        )
        return None

    def positive(self, node: Node, name: str) -> Decimal | None:
        """A number greater than 0."""
        return self._above(node, name, self.number(node, name))

    def positive_whole(self, node: Node, name: str) -> int | None:
        """A whole number greater than 0."""
        return self._above(node, name, self.whole(node, name))

    def _above(self, node: Node, name: str, value: T | None) -> T | None:
        if value is not None and value <= 0:
            self.report(node.where, N_("{field!r} must be greater than 0"), field=name)
            return None
        return value

    def percent(self, node: Node, name: str) -> Decimal | None:
        """A share from 0 to 100 ("26" or "26 %")."""
        if isinstance(node.value, str):
            node = Node(node.value.removesuffix("%").strip(), node.where)
        value = self.number(node, name)
        if value is not None and not 0 <= value <= 100:
            self.report(node.where, N_("{field!r} must be between 0 and 100"), field=name)
            return None
        return value

    def days_before(self, node: Node, name: str) -> tuple[int, ...] | None:
        """Days before a deadline ("7, 3, 1, 0"), each from 0 to 60, latest reminder last."""
        items = self.listed(node, name)
        if items is None:
            return None
        days = [self.count(item, name) for item in items]
        if None in days:
            return None
        if any(day > 60 for day in days if day is not None):
            self.report(node.where, N_("{field!r} must be days from 0 to 60"), field=name)
            return None
        return tuple(sorted({day for day in days if day is not None}, reverse=True))

    def hour(self, node: Node, name: str) -> int | None:
        """An hour of the day, 0 to 23."""
        value = self.whole(node, name)
        if value is not None and not 0 <= value <= 23:
            self.report(node.where, N_("{field!r} must be an hour from 0 to 23"), field=name)
            return None
        return value

    def hours(self, node: Node, name: str) -> str | None:
        """A span of local hours such as 21:00-07:00, written back as HH:MM-HH:MM."""
        text = self.text(node, name)
        if text is None:
            return None
        match = HOURS.fullmatch(text)
        parts = [int(part or 0) for part in match.groups()] if match else []
        if not parts or max(parts[0], parts[2]) > 23 or max(parts[1], parts[3]) > 59:
            self.report(
                node.where,
                N_("{field!r} must be hours such as 21:00-07:00, not {value!r}"),
                field=name,
                value=text,
            )
            return None
        return "{:02d}:{:02d}-{:02d}:{:02d}".format(*parts)

    def count(self, node: Node, name: str) -> int | None:
        """A whole number, 0 or more."""
        value = self.whole(node, name)
        if value is not None and value < 0:
            self.report(node.where, N_("{field!r} must not be negative"), field=name)
            return None
        return value

    def flag(self, node: Node, name: str) -> bool | None:
        """Yes or no: a boolean, or the words có / không (yes / no) as a spreadsheet holds them."""
        if isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, str) and fold(node.value) in FLAG_WORDS:
            return FLAG_WORDS[fold(node.value)]
        self.report(node.where, N_("{field!r} must be true or false"), field=name)
        return None

    def day(self, node: Node, name: str) -> date | None:
        """A real date: a date value, or text as 31/12/2024 or 2024-12-31."""
        value = node.value
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = value.strip() if isinstance(value, str) else ""
        iso, vietnamese = ISO_DATE.fullmatch(text), VN_DATE.fullmatch(text)
        if not (iso or vietnamese):
            self.report(
                node.where,
                N_("{field!r} must be a date such as 31/12/2024, not {value!r}"),
                field=name,
                value=str(value),
            )
            return None
        year, month, day_ = map(int, iso.groups() if iso else reversed(vietnamese.groups()))
        try:
            return date(year, month, day_)
        except ValueError:
            self.report(node.where, N_("{field!r} is not a real date: {value!r}"), field=name, value=text)
            return None

    def choice(self, words: dict[E, tuple[str, ...]], node: Node, name: str) -> E | None:
        """A member of a closed set, by its English value or a Vietnamese word for it."""
        text = self.text(node, name)
        if text is None:
            return None
        member = lookup(text, words)
        if member is None:
            self.report(
                node.where,
                N_("{field!r} cannot be {value!r}; expected one of: {expected}"),
                field=name,
                value=text,
                expected=expected(words),
            )
        return member

    def listed(self, node: Node, name: str) -> list[Node] | None:
        """The items of a list, or of text separated by commas ("Xã, Thị trấn")."""
        if isinstance(node.value, tuple):
            return list(node.value)
        if isinstance(node.value, str):
            parts = (part.strip() for part in LIST_SEPARATORS.split(node.value))
            return [Node(part, node.where) for part in parts if part]
        self.report(node.where, N_("{field!r} must be a list"), field=name)
        return None

    def codes(self, node: Node, name: str) -> tuple[str, ...] | None:
        """Unit codes, each once."""
        items = self.listed(node, name)
        if items is None:
            return None
        texts = [self.text(item, name) for item in items]
        return None if None in texts else tuple(dict.fromkeys(texts))

    def kinds(
        self, node: Node, name: str, eligible: tuple[UnitKind, ...] | None = None
    ) -> tuple[UnitKind, ...] | None:
        """Unit kinds, each once, by English value or Vietnamese name; limited to `eligible` if given."""
        items = self.listed(node, name)
        if items is None:
            return None
        found = [self._kind(item, name, eligible) for item in items]
        return None if None in found else tuple(dict.fromkeys(found))

    def _kind(self, node: Node, name: str, eligible: tuple[UnitKind, ...] | None) -> UnitKind | None:
        text = self.text(node, name)
        kind = parse_kind(text) if text is not None else None
        if text is not None and kind is None:
            self.report(
                node.where,
                N_("unknown unit kind {kind!r} (for example: Xã, Thôn, Tổ dân phố, Cơ quan)"),
                kind=text,
            )
        elif kind is not None and eligible is not None and kind not in eligible:
            self.report(
                node.where, N_("{value!r} is not one of the campaign's eligible unit kinds"), value=text or ""
            )
            return None
        return kind

    def unique(self, namespace: str, code: str, where: Where) -> None:
        """Report a code already used by another title, indicator or criterion."""
        if code in self.used_codes[namespace]:
            self.report(where, N_("duplicate code {code!r}"), code=code)
        self.used_codes[namespace].add(code)

    # Structure -------------------------------------------------------------------------------------------

    def campaign(self, root: Node) -> CampaignDefinition | None:
        """The whole campaign."""
        f = self.fields(root, CAMPAIGN_KEYS, "campaign")
        if f is None:
            return None
        code = f.value("code", self.slug, required=True)
        name = f.value("name", self.text, required=True)
        year = f.value("year", self.whole, required=True)
        start = f.value("period_start", self.day, required=True)
        end = f.value("period_end", self.day, required=True)
        organizer = f.value("organizer", self.text, required=True)
        scope = f.value("scope", self.codes)
        kinds = f.value("eligible_kinds", self.kinds, required=True) or ()
        aggregation = f.value("aggregation", partial(self.choice, AGGREGATION_WORDS), default=Aggregation.sum)
        description = f.value("description", self.text, default="")
        ranking_visible = f.value("ranking_visible", self.flag, default=False)
        contest_days = f.value("contest_days", self.count, default=7)
        reminder_days = f.value("reminder_days", self.days_before, default=(7, 3, 1, 0))
        reminder_hour = f.value("reminder_hour", self.hour, default=8)
        quiet_hours = f.value("quiet_hours", self.hours, default="21:00-07:00")
        escalate_to = f.value("escalate_to", partial(self.choice, ESCALATE_WORDS), default=EscalateTo.nearest)
        titles = f.items("titles", partial(self.title, eligible=kinds), required=True)
        deadlines = self.deadlines(f, start)
        indicators = self.indicators(f, kinds, aggregation)
        self.check_period(f, year, start, end)
        if self.problems:
            return None
        return CampaignDefinition(
            code,
            name,
            year,
            start,
            end,
            organizer,
            scope or (organizer,),
            kinds,
            titles,
            deadlines,
            indicators,
            aggregation,
            description,
            ranking_visible,
            contest_days,
            reminder_days,
            reminder_hour,
            quiet_hours,
            escalate_to,
        )

    def check_period(self, f: _Fields, year: int | None, start: date | None, end: date | None) -> None:
        """The period runs forwards and contains the campaign's year."""
        if start is None or end is None:
            return
        if start > end:
            self.report(
                f.where("period_start"),
                N_("the period starts on {start}, after it ends on {end}"),
                start=date_text(start),
                end=date_text(end),
            )
        elif year is not None and not start.year <= year <= end.year:
            self.report(
                f.where("year"),
                N_("the year {year} is outside the period {start} – {end}"),
                year=str(year),
                start=date_text(start),
                end=date_text(end),
            )

    def title(self, node: Node, eligible: tuple[UnitKind, ...]) -> TitleDef | None:
        """A title; it is open to every eligible kind unless it names some."""
        start = len(self.problems)
        f = self.fields(node, TITLE_KEYS, "titles")
        if f is None:
            return None
        code = f.value("code", self.text, required=True)
        if code:
            self.unique("title", code, f.where("code"))
        name = f.value("name", self.text, required=True)
        kinds = f.value("unit_kinds", partial(self.kinds, eligible=eligible), default=eligible)
        target = f.value("target_percent", self.percent)
        if not self.clean_since(start):
            return None
        return TitleDef(code, name, kinds, target)

    def deadlines(self, f: _Fields, period_start: date | None) -> tuple[DeadlineDef, ...]:
        """The deadlines: registration required, several reports, at most one of each other kind."""
        start, seen = len(self.problems), set[DeadlineKind]()
        build = partial(self.deadline, period_start=period_start, seen=seen)
        deadlines = f.items("deadlines", build, required=True)
        if deadlines and self.clean_since(start) and DeadlineKind.registration not in seen:
            self.report(f.where("deadlines"), N_("a registration deadline is required"))
        return deadlines

    def deadline(self, node: Node, period_start: date | None, seen: set[DeadlineKind]) -> DeadlineDef | None:
        """One deadline, on or after the start of the period."""
        start = len(self.problems)
        f = self.fields(node, DEADLINE_KEYS, "deadlines")
        if f is None:
            return None
        kind = f.value("kind", partial(self.choice, DEADLINE_WORDS), required=True)
        due = f.value("due", self.day, required=True)
        label = f.value("label", self.text, default="")
        if kind in seen and kind != DeadlineKind.report:
            self.report(f.where("kind"), N_("only one deadline of this kind is allowed"))
        if kind is not None:
            seen.add(kind)
        if due is not None and period_start is not None and due < period_start:
            self.report(
                f.where("due"),
                N_("the deadline {due} is before the period starts on {start}"),
                due=date_text(due),
                start=date_text(period_start),
            )
        if not self.clean_since(start):
            return None
        return DeadlineDef(kind, due, label)

    def indicators(
        self, f: _Fields, kinds: tuple[UnitKind, ...], aggregation: Aggregation | None
    ) -> tuple[IndicatorDef, ...]:
        """The indicators; every eligible kind is scored by some, with weights of 100 when weighted."""
        start = len(self.problems)
        build = partial(self.indicator, eligible=kinds, aggregation=aggregation)
        indicators = f.items("indicators", build, required=True)
        if indicators and self.clean_since(start):
            self.check_coverage(f.where("indicators"), indicators, kinds, aggregation)
        return indicators

    def check_coverage(
        self,
        where: Where,
        indicators: Iterable[IndicatorDef],
        kinds: tuple[UnitKind, ...],
        aggregation: Aggregation | None,
    ) -> None:
        """Each eligible kind has indicators; weighted, their weights add up to 100 for each kind."""
        totals: dict[Decimal, list[str]] = {}
        unscored = []
        for kind in kinds:
            weights = [item.weight or Decimal(0) for item in indicators if kind in item.unit_kinds]
            if not weights:
                unscored.append(KIND_LABELS[kind])
            elif aggregation == Aggregation.weighted:
                totals.setdefault(sum(weights, Decimal(0)), []).append(KIND_LABELS[kind])
        if unscored:
            self.report(where, N_("no indicator applies to {kinds}"), kinds=", ".join(unscored))
        for total, names in totals.items():
            if total != 100:
                self.report(
                    where,
                    N_("the weights of the indicators for {kinds} add up to {total}, not 100"),
                    kinds=", ".join(names),
                    total=number_text(total),
                )

    def indicator(
        self, node: Node, eligible: tuple[UnitKind, ...], aggregation: Aggregation | None
    ) -> IndicatorDef | None:
        """An indicator (chỉ tiêu) with a Roman-numeral code and its criteria."""
        start = len(self.problems)
        f = self.fields(node, INDICATOR_KEYS, "indicators")
        if f is None:
            return None
        code = f.value("code", self.text, required=True)
        if code:
            if not ROMAN.fullmatch(code):
                self.report(
                    f.where("code"),
                    N_("the indicator code {code!r} is not a Roman numeral (I, II, III …)"),
                    code=code,
                )
            self.unique("indicator", code, f.where("code"))
        name = f.value("name", self.text, required=True)
        weighted = aggregation == Aggregation.weighted
        weight = f.value("weight", self.positive, required=weighted)
        if weight is not None and aggregation == Aggregation.sum:
            self.report(
                f.where("weight"),
                N_("{field!r} is only used when the total is weighted"),
                field=f.name("weight"),
            )
        kinds = f.value("unit_kinds", partial(self.kinds, eligible=eligible), default=eligible)
        criteria = f.items("criteria", partial(self.criterion, parent=code or ""), required=True)
        if not self.clean_since(start):
            return None
        return IndicatorDef(code, name, weight, criteria, kinds)

    def criterion(self, node: Node, parent: str) -> CriterionDef | None:
        """A criterion or sub-criterion: its code extends its parent's ("I.4", "I.4.1")."""
        start = len(self.problems)
        f = self.fields(node, CRITERION_KEYS, "criteria")
        if f is None:
            return None
        code = f.value("code", self.text, required=True)
        if code:
            self.check_code(code, parent, f.where("code"))
            self.unique("criterion", code, f.where("code"))
        name = f.value("name", self.text, required=True)
        most = f.value("max_points", self.positive, required=True)
        deductions = f.items("deductions", partial(self.rule, most=most, bonus=False))
        bonuses = f.items("bonuses", partial(self.rule, most=most, bonus=True))
        proportional_of = f.value("proportional_of", self.positive_whole)
        photos = f.value("evidence_photos", self.count, default=1)
        documents = f.value("evidence_documents", self.count, default=0)
        office = f.value("reviewer_office", self.text)
        before_children = len(self.problems)
        children = f.items("children", partial(self.criterion, parent=code or ""))
        if children and self.clean_since(before_children):
            self.check_children(f, most, children, bool(deductions or bonuses or proportional_of))
        if not self.clean_since(start):
            return None
        return CriterionDef(
            code,
            name,
            most,
            deductions,
            bonuses,
            proportional_of,
            photos,
            documents,
            office,
            children,
        )

    def check_code(self, code: str, parent: str, where: Where) -> None:
        """A criterion's code is its parent's code and one more part."""
        rest = code.removeprefix(f"{parent}.")
        if parent and (rest == code or not rest or "." in rest):
            self.report(
                where,
                N_("the code {code!r} does not belong under {parent!r}; expected a code such as {example!r}"),
                code=code,
                parent=parent,
                example=f"{parent}.1",
            )

    def check_children(
        self, f: _Fields, most: Decimal | None, children: tuple[CriterionDef, ...], has_rules: bool
    ) -> None:
        """A parent is scored by its sub-criteria: its maximum is theirs added up, and it has no rules."""
        total = sum((child.max_points for child in children), Decimal(0))
        if most is not None and most != total:
            self.report(
                f.where("max_points"),
                N_("the maximum {max} must equal the sum of the sub-criteria, {total}"),
                max=number_text(most),
                total=number_text(total),
            )
        if has_rules:
            self.report(
                f.where("code"),
                N_("a criterion with sub-criteria cannot have its own rules; put them on the sub-criteria"),
            )

    def rule(self, node: Node, most: Decimal | None, bonus: bool) -> DeductionRule | BonusRule | None:
        """A deduction or bonus; one occurrence stays within the criterion's maximum."""
        start = len(self.problems)
        f = self.fields(node, BONUS_KEYS if bonus else DEDUCTION_KEYS, "bonuses" if bonus else "deductions")
        if f is None:
            return None
        reason = f.value("reason", self.text, required=True)
        points = f.value("points", self.positive, required=True)
        per = f.value("per", partial(self.choice, PER_WORDS), required=True)
        cap = f.value("cap", self.positive)
        serious = f.value("zero_if_serious", self.flag, default=False)
        self.check_rule(f, points, cap, most, bonus)
        if not self.clean_since(start):
            return None
        if bonus:
            return BonusRule(reason, points, per, cap)
        return DeductionRule(reason, points, per, cap, serious)

    def check_rule(
        self, f: _Fields, points: Decimal | None, cap: Decimal | None, most: Decimal | None, bonus: bool
    ) -> None:
        """Cap ≥ points; points ≤ the criterion's maximum, and a deduction's cap too."""
        if points is not None and cap is not None and cap < points:
            self.report(
                f.where("cap"),
                N_("the cap {cap} is less than the points {points}"),
                cap=number_text(cap),
                points=number_text(points),
            )
        if most is None:
            return
        if points is not None and points > most:
            self.report(
                f.where("points"),
                N_("the points {points} exceed the criterion's maximum {max}"),
                points=number_text(points),
                max=number_text(most),
            )
        if not bonus and cap is not None and cap > most:
            self.report(
                f.where("cap"),
                N_("the cap {cap} exceeds the criterion's maximum {max}"),
                cap=number_text(cap),
                max=number_text(most),
            )
