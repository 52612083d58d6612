"""How scores read in chat: points, ranks, ledger lines with their reasons, and the criterion editor card."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.services.campaign_file_model import CriterionDef, Per
from bot.services.scores import Editing
from bot.services.scoring import Change, CriterionInput, LedgerEntry
from bot.services.standings import Standing
from storage.models import ScoreStage

PER_WORDS = {
    Per.incident: N_("case(s)"),
    Per.percent: N_("percent"),
    Per.case: N_("time(s)"),
    Per.item: N_("unit(s)"),
    Per.decision: N_("decision(s)"),
}
LABEL_LENGTH = 22  # of a rule's reason on a button, so three buttons fit a phone's row


def points(t: Translator, value: Decimal) -> str:
    """Points as the locale writes them: 99,7 and 1.252."""
    return t.number(value)


def signed(t: Translator, value: Decimal) -> str:
    """A change in points with its sign: −2 or +4 (a true minus sign)."""
    return ("+" if value > 0 else "−") + t.number(abs(value))


def counted(t: Translator, count: Decimal | None, per: Per | None) -> str:
    """What a rule counted, as officials write it: 01 vụ, 5 %."""
    if count is None or per is None:
        return ""
    number = (
        f"{int(count):02d}" if count == count.to_integral_value() and per != Per.percent else t.number(count)
    )
    if per == Per.percent:
        return f"{number} %"
    word = t.gettext(PER_WORDS[per])
    return f"{number} {word}"


def shortened(text: str) -> str:
    """A rule's reason cut to fit a button beside two others, marked with an ellipsis when cut."""
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


def rank_text(rank: int, of: int) -> str:
    """A rank as officials write it: 02/05."""
    return f"{rank:02d}/{of:02d}"


def standing_rank(t: Translator, standing: Standing) -> str:
    """ "02/05", with "(tied)" when others share it."""
    text = rank_text(standing.rank, standing.of)
    return t.gettext("{rank} (tied)").format(rank=text) if standing.tied else text


def ledger_line(t: Translator, entry: LedgerEntry, criterion: CriterionDef) -> str:
    """One change to a criterion's points, with its reason and the office responsible."""
    _ = t.gettext
    change = signed(t, entry.points)
    if entry.change in (Change.deduction, Change.bonus):
        text = _("{change} points, {counted}: {reason}").format(
            change=change, counted=counted(t, entry.count, entry.per), reason=escape(entry.reason)
        )
    elif entry.change == Change.achieved:
        text = _("{change} points: {count}/{of} achieved").format(
            change=change, count=t.number(entry.count or 0), of=criterion.proportional_of
        )
    elif entry.change == Change.assessed:
        text = _("{change} points: scored {points}/{most}").format(
            change=change,
            points=points(t, criterion.max_points + entry.points),
            most=points(t, criterion.max_points),
        )
    elif entry.change == Change.serious:
        text = _("{change} points: serious damage ({reason}), no points for this criterion").format(
            change=change, reason=escape(entry.reason)
        )
    else:
        text = _("{change} points: deductions stop at zero").format(change=change)
    if entry.capped:
        text += " " + _("(capped)")
    if criterion.reviewer_office:
        text += f" – {escape(criterion.reviewer_office)}"
    return text


def _rule_lines(t: Translator, criterion: CriterionDef) -> list[str]:
    _ = t.gettext
    lines = []
    for rule in criterion.deductions:
        line = _("Deduct {points} per {per}: {reason}").format(
            points=t.number(rule.points), per=_(PER_WORDS[rule.per]), reason=escape(rule.reason)
        )
        if rule.zero_if_serious:
            line += " " + _("(serious damage: no points)")
        lines.append(f"➖ {line}")
    for rule in criterion.bonuses:
        line = _("Add {points} per {per}: {reason}").format(
            points=t.number(rule.points), per=_(PER_WORDS[rule.per]), reason=escape(rule.reason)
        )
        lines.append(f"➕ {line}")
    if criterion.proportional_of:
        lines.append(
            "📐 " + _("Scored by the share achieved, out of {of}.").format(of=criterion.proportional_of)
        )
    return lines


def editor_text(t: Translator, editing: Editing, unit_name: str) -> str:
    """The card of a criterion being scored: the rules, what was entered, the points."""
    _ = t.gettext
    criterion, entry = editing.criterion, editing.entry
    heading = (
        _("Self-scoring of {unit}") if entry.stage == ScoreStage.self_score else _("Verifying {unit}")
    ).format(unit=escape(unit_name))
    lines = [
        f"🧮 {heading}",
        _("<b>Criterion {code}</b> ({position}/{count}): {name}").format(
            code=escape(criterion.code),
            position=editing.position + 1,
            count=editing.count,
            name=escape(criterion.name),
        ),
        _("Maximum: {most} points").format(most=points(t, criterion.max_points)),
        *_rule_lines(t, criterion),
    ]
    lines += [f"• {ledger_line(t, item, criterion)}" for item in editing.score.ledger]
    lines.append(
        _("<b>Points: {points}/{most}</b>").format(
            points=points(t, editing.score.points), most=points(t, criterion.max_points)
        )
    )
    claimed = editing.self_entry
    if entry.stage == ScoreStage.verified:
        if claimed is not None and claimed.saved_at is not None:
            lines.append(_("The unit scored itself {points}.").format(points=points(t, claimed.points)))
        else:
            lines.append(_("The unit has not scored this criterion."))
    lines.append(_("✅ Saved.") if entry.saved_at is not None else _("Not saved yet."))
    return "\n".join(lines)


def _stepper(entry_id: int, slot: str, label: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton("➖", callback_data=f"sc:add:{entry_id}:{slot}:-1"),
        InlineKeyboardButton(f"✏️ {label}"[:40], callback_data=f"sc:num:{entry_id}:{slot}"),
        InlineKeyboardButton("➕", callback_data=f"sc:add:{entry_id}:{slot}:1"),
    ]


def editor_keyboard(
    t: Translator, editing: Editing, back: str, before: str, after: str
) -> InlineKeyboardMarkup:
    """Buttons to count, type, toggle and save; `back`, `before` and `after` are navigation callbacks."""
    _ = t.gettext
    criterion, entry = editing.criterion, editing.entry
    found = CriterionInput.from_dict(entry.inputs)
    rows = []
    for prefix, rules, counts in (
        ("d", criterion.deductions, found.deductions),
        ("b", criterion.bonuses, found.bonuses),
    ):
        for index, rule in enumerate(rules):
            count = found.count(counts, index)
            label = f"{shortened(rule.reason)}: {counted(t, count, rule.per)}"
            rows.append(_stepper(entry.id, f"{prefix}{index}", label))
    if criterion.proportional_of:
        achieved = found.achieved if found.achieved is not None else Decimal(criterion.proportional_of)
        label = _("Achieved {count}/{of}").format(count=t.number(achieved), of=criterion.proportional_of)
        rows.append(_stepper(entry.id, "a", label))
    if any(rule.zero_if_serious for rule in criterion.deductions):
        label = _("⚠️ Serious damage: yes") if found.serious else _("⚠️ Serious damage: no")
        rows.append([InlineKeyboardButton(label, callback_data=f"sc:add:{entry.id}:s:1")])
    given = (
        _("✏️ Points: {points}").format(points=t.number(found.points)) if found.points is not None else None
    )
    row = [InlineKeyboardButton(given or _("✏️ Type the points"), callback_data=f"sc:num:{entry.id}:p")]
    if given:
        row.append(InlineKeyboardButton(_("↺ By the rules"), callback_data=f"sc:clear:{entry.id}"))
    rows.append(row)
    save = _("💾 Save") if entry.stage == ScoreStage.self_score else _("✅ Confirm")
    rows.append([InlineKeyboardButton(save, callback_data=f"sc:save:{entry.id}")])
    navigation = [InlineKeyboardButton(_("📋 List"), callback_data=back)]
    if before:
        navigation.insert(0, InlineKeyboardButton("◀", callback_data=before))
    if after:
        navigation.append(InlineKeyboardButton("▶", callback_data=after))
    rows.append(navigation)
    return InlineKeyboardMarkup(rows)


def slot_prompt(t: Translator, editing: Editing, slot: str) -> str:
    """What to type for a slot: a count, a percentage, the number achieved, or the points."""
    _ = t.gettext
    criterion = editing.criterion
    if slot == "p":
        return _("Type the points for criterion {code}, from 0 to {most} (for example 99,5).").format(
            code=escape(criterion.code), most=points(t, criterion.max_points)
        )
    if slot == "a":
        return _("Type how many of the {of} were achieved (a whole number).").format(
            of=criterion.proportional_of
        )
    rules = criterion.deductions if slot[:1] == "d" else criterion.bonuses
    rule = rules[int(slot[1:])]
    if rule.per == Per.percent:
        return _("Type the percentage for “{reason}” (for example 4,5).").format(reason=escape(rule.reason))
    return _("Type the number of {per} for “{reason}”.").format(
        per=_(PER_WORDS[rule.per]), reason=escape(rule.reason)
    )
