"""The compact notation of deduction and bonus rules in one Excel cell, read into nodes and written back.

One rule is ``Lý do: −2/vụ, tối đa 10, nghiêm trọng: 0``: the reason, a colon, the points with an optional
sign (− in "Trừ điểm", + in "Cộng điểm") and "điểm", a slash and what is counted (vụ, %, trường hợp,
đơn vị, quyết định), then options: "tối đa N" (the cap) and, for deductions, "nghiêm trọng: 0" (no points
at all when the damage is serious). Rules in one cell are separated by ";" or line breaks; a reason may
contain commas and colons but not ";".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.i18n import N_
from bot.services.campaign_file_model import (
    BonusRule,
    DeductionRule,
    FileProblem,
    Node,
    Where,
    number_text,
)
from bot.services.campaign_file_words import PER_WORDS
from bot.services.text import fold

RULE = re.compile(
    r"(?:(?P<reason>.*?)\s*:\s*)?(?P<sign>[-+−–]?)\s*(?P<points>\d+(?:[.,]\d+)?)\s*(?:điểm\s*)?"
    r"/\s*(?P<per>[^,]*?)\s*(?P<options>,.*)?",
    re.DOTALL,
)
OPTION = re.compile(r"(?P<word>[^\d:]+)\s*:?\s*(?P<value>.*)")
OPTION_SEPARATOR = re.compile(r"\s*,\s*(?!\d)")
RULE_SEPARATOR = re.compile(r"[;\n]")
MINUS, PLUS = "−", "+"
CAP_WORD, SERIOUS_WORD, SERIOUS_VALUES = "tối đa", "nghiêm trọng", ("0", "không tính điểm")

#: How the parts of a rule are named in messages about an Excel cell.
RULE_LABELS = {
    "reason": "Lý do",
    "points": "Số điểm",
    "per": "Đơn vị tính",
    "cap": "Tối đa",
    "zero_if_serious": "Nghiêm trọng",
}
EXAMPLES = {
    False: "Để xảy ra cháy rừng: −2/vụ, tối đa 10, nghiêm trọng: 0",
    True: "Trường đạt chuẩn quốc gia: +2/đơn vị, tối đa 10",
}


def read_rules(
    text: str, where: Where, column: str, bonus: bool
) -> tuple[tuple[Node, ...], list[FileProblem]]:
    """The rules written in one cell, as nodes for the validator, and the ones that cannot be read."""
    nodes: list[Node] = []
    problems: list[FileProblem] = []
    for part in (part.strip() for part in RULE_SEPARATOR.split(text)):
        if part:
            node = _rule(part, where, column, bonus, problems)
            if node is not None:
                nodes.append(node)
    return tuple(nodes), problems


def _rule(text: str, where: Where, column: str, bonus: bool, problems: list[FileProblem]) -> Node | None:
    match = RULE.fullmatch(text)
    if match is None:
        problems.append(
            FileProblem.at(
                where,
                N_("cannot read the rule {rule!r}; write it like {example!r}"),
                rule=text,
                example=EXAMPLES[bonus],
            )
        )
        return None
    if match["sign"] and (match["sign"] == PLUS) != bonus:
        problems.append(
            FileProblem.at(
                where, N_("the sign of {rule!r} does not fit the column {column!r}"), rule=text, column=column
            )
        )
        return None
    entries = {
        "reason": Node(match["reason"] or "", where),
        "points": Node(match["points"], where),
        "per": Node(match["per"], where),
    }
    for option in OPTION_SEPARATOR.split((match["options"] or "").removeprefix(",").strip()):
        if option and not _option(option, entries, where, bonus):
            problems.append(
                FileProblem.at(
                    where,
                    N_("unknown option {option!r}; expected one of: {expected}"),
                    option=option,
                    expected=_options(bonus),
                )
            )
    return Node(entries, where, labels=RULE_LABELS)


def _option(text: str, entries: dict[str, Node], where: Where, bonus: bool) -> bool:
    """Add the option written as `text` to the rule's entries; False when it is not one."""
    match = OPTION.fullmatch(text)
    if match is None:
        return False
    word, value = fold(match["word"]), match["value"]
    if word == fold(CAP_WORD):
        entries["cap"] = Node(value, where)
        return True
    if not bonus and word == fold(SERIOUS_WORD) and fold(value) in map(fold, SERIOUS_VALUES):
        entries["zero_if_serious"] = Node(True, where)
        return True
    return False


def _options(bonus: bool) -> str:
    cap = f"{CAP_WORD} 10"
    return cap if bonus else f"{cap}, {SERIOUS_WORD}: {SERIOUS_VALUES[0]}"


def write_rules(rules: Iterable[DeductionRule | BonusRule]) -> str | None:
    """The rules in the cell notation, one per line; None when there are none."""
    return ";\n".join(map(_write_rule, rules)) or None


def _write_rule(rule: DeductionRule | BonusRule) -> str:
    sign = PLUS if isinstance(rule, BonusRule) else MINUS
    text = f"{rule.reason}: {sign}{number_text(rule.points)}/{PER_WORDS[rule.per][0]}"
    if rule.cap is not None:
        text += f", {CAP_WORD} {number_text(rule.cap)}"
    if isinstance(rule, DeductionRule) and rule.zero_if_serious:
        text += f", {SERIOUS_WORD}: {SERIOUS_VALUES[0]}"
    return text
