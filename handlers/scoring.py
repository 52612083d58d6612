"""Scoring a criterion in chat, for the unit (self-scoring) and for the office that verifies it.

The unit head counts incidents and items with ➖/➕, types a number where needed (99,5 with a decimal
comma), saves criterion after criterion, then sends the whole self-score. A reviewer uses the same card on
the unit's entry; a changed score needs a reason and is told to the unit.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_
from bot.services.campaigns import definition_of
from bot.services.errors import ReasonNeeded, StaleButton
from bot.services.scores import (
    Editing,
    UnitScores,
    change_entry,
    current_value,
    editing,
    notify_adjusted,
    notify_submitted,
    open_self_score,
    own_scores,
    parse_number,
    save_entry,
    submit_self_scores,
)
from bot.services.text import display_name
from handlers.campaign_texts import button
from handlers.registered import choose_registered_campaign
from handlers.score_texts import editor_keyboard, editor_text, points, signed, slot_prompt
from handlers.turn import Turn, handler
from storage.models import ScoreStage, utcnow

TYPED_NUMBER = "score_number"  # pending-input action, followed by ":<slot>"
TYPED_REASON = "score_reason"
PRESET_REASONS = (
    N_("According to the confirmation of the responsible office"),
    N_("The figures of the self-score are not right"),
    N_("The evidence does not support the self-score"),
)


def keyboard(turn: Turn, found: Editing) -> InlineKeyboardMarkup:
    """The editor's buttons, with navigation that fits the stage."""
    entry = found.entry
    if entry.stage == ScoreStage.verified:
        return editor_keyboard(turn.t, found, f"sv:unit:{entry.campaign_id}:{entry.unit_id}", "", "")
    base = f"sc:open:{entry.campaign_id}"
    before = f"{base}:{found.position - 1}" if found.position > 0 else ""
    after = f"{base}:{found.position + 1}" if found.position + 1 < found.count else ""
    return editor_keyboard(turn.t, found, f"sc:camp:{entry.campaign_id}", before, after)


def card(turn: Turn, found: Editing) -> tuple[str, InlineKeyboardMarkup]:
    return editor_text(turn.t, found, display_name(found.entry.unit)), keyboard(turn, found)


@handler
async def list_campaigns(turn: Turn) -> None:
    """/tuchamdiem and "Self-scoring": the registered campaigns, or straight to the criteria."""
    await choose_registered_campaign(
        turn,
        turn._("Self-scoring for which campaign?"),
        "sc:camp",
        lambda campaign_id: show_criteria(turn, campaign_id, edit=False),
    )


async def show_criteria(turn: Turn, campaign_id: int, edit: bool) -> None:
    """Each criterion with its saved points (✅), unsaved changes (✏️) or nothing yet (➖)."""
    async with turn.work() as uow:
        scores = await own_scores(uow, turn.actor, campaign_id)
    _, t = turn._, turn.t
    lines = [
        _("🧮 <b>Self-scoring</b> – {campaign}, {unit}").format(
            campaign=escape(scores.campaign.name), unit=escape(display_name(scores.unit))
        )
    ]
    if scores.due is not None:
        lines.append(_("Self-scoring closes on {date}.").format(date=t.date(scores.due)))
    if scores.total is not None and scores.total.self_submitted_at is not None:
        lines.append(
            _("Sent for verification at {time}.").format(time=t.datetime(scores.total.self_submitted_at))
        )
    lines.append(_("Choose a criterion; each starts from its maximum and loses points by the rules."))
    rows = []
    for position, criterion in enumerate(scores.criteria):
        entry = scores.self_entries.get(criterion.code)
        mark = "➖" if entry is None else "✅" if entry.saved_at else "✏️"
        value = f" – {points(t, entry.points)}" if entry is not None else ""
        label = f"{mark} {criterion.code}{value} {criterion.name}"[:60]
        rows.append([InlineKeyboardButton(label, callback_data=f"sc:open:{campaign_id}:{position}")])
    rows.append([InlineKeyboardButton(_("📤 Send the self-score"), callback_data=f"sc:send:{campaign_id}")])
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await turn.edit("\n".join(lines), markup)
    else:
        await turn.reply("\n".join(lines), markup)


@handler
async def campaign_chosen(turn: Turn) -> None:
    await show_criteria(turn, turn.callback_id(2), edit=True)


@handler
async def open_criterion(turn: Turn) -> None:
    """A criterion's card; its entry starts at the maximum the first time."""
    campaign_id, position = turn.callback_id(2), turn.callback_id(3)
    async with turn.work() as uow:
        found = await open_self_score(uow, turn.actor, campaign_id, position, turn.services.today())
    await turn.edit(*card(turn, found))


@handler
async def step(turn: Turn) -> None:
    """➖/➕ on a count, or the serious-damage switch."""
    entry_id, slot, delta = turn.callback_id(2), turn.callback_part(3), turn.callback_part(4)
    if delta not in ("1", "-1"):
        raise StaleButton()
    today = turn.services.today()
    async with turn.work() as uow:
        if slot == "s":
            found = await change_entry(uow, turn.actor, entry_id, slot, None, today)
        else:
            now = current_value(await editing(uow, turn.actor, entry_id, today), slot)
            start = now if now is not None else Decimal(0)
            found = await change_entry(
                uow, turn.actor, entry_id, slot, max(start + int(delta), Decimal(0)), today
            )
    await turn.edit(*card(turn, found))


@handler
async def clear_points(turn: Turn) -> None:
    """↺: score by the rules again instead of the typed points."""
    async with turn.work() as uow:
        found = await change_entry(uow, turn.actor, turn.callback_id(2), "p", None, turn.services.today())
    await turn.edit(*card(turn, found))


@handler
async def ask_number(turn: Turn) -> None:
    """✏️: wait for the person to type the value of a slot."""
    entry_id, slot = turn.callback_id(2), turn.callback_part(3)
    async with turn.work() as uow:
        found = await editing(uow, turn.actor, entry_id, turn.services.today())
        prompt = slot_prompt(turn.t, found, slot)
        await uow.pending_inputs.expect(turn.actor.id, f"{TYPED_NUMBER}:{slot}", entry_id, utcnow())
    await turn.reply(prompt)


async def number_typed(turn: Turn, entry_id: int, slot: str, text: str) -> None:
    """The typed value; one that cannot be read is explained and waited for again (see text.py)."""
    async with turn.work() as uow:
        found = await change_entry(uow, turn.actor, entry_id, slot, parse_number(text), turn.services.today())
    await turn.reply(*card(turn, found))


@handler
async def save(turn: Turn) -> None:
    """💾/✅: the entry counts from now; a changed verified score first asks for the reason."""
    entry_id = turn.callback_id(2)
    try:
        await _save(turn, entry_id, None, edit=True)
    except ReasonNeeded:
        await ask_reason(turn, entry_id)


async def ask_reason(turn: Turn, entry_id: int) -> None:
    _ = turn._
    rows = [
        [InlineKeyboardButton(_(reason)[:60], callback_data=f"sc:why:{entry_id}:{index}")]
        for index, reason in enumerate(PRESET_REASONS)
    ]
    rows.append([InlineKeyboardButton(_("✍️ Type a reason"), callback_data=f"sc:type:{entry_id}")])
    await turn.reply(_("Why does the verified score differ from the self-score?"), InlineKeyboardMarkup(rows))


@handler
async def save_with_preset(turn: Turn) -> None:
    entry_id, index = turn.callback_id(2), turn.callback_id(3)
    if index >= len(PRESET_REASONS):
        raise ReasonNeeded()
    await _save(turn, entry_id, turn.t.gettext(PRESET_REASONS[index]), edit=True)


@handler
async def ask_typed_reason(turn: Turn) -> None:
    entry_id = turn.callback_id(2)
    async with turn.work() as uow:
        await editing(uow, turn.actor, entry_id, turn.services.today())
        await uow.pending_inputs.expect(turn.actor.id, TYPED_REASON, entry_id, utcnow())
    await turn.reply(turn._("Type the reason in one message."))


async def _save(turn: Turn, entry_id: int, reason: str | None, edit: bool) -> None:
    """Save, tell the unit of a changed verified score, and move on."""
    services = turn.services
    async with turn.work() as uow:
        found = await save_entry(uow, turn.actor, entry_id, reason, services.today())
        if found.differs:
            await notify_adjusted(uow, found.entry, lambda locale: adjusted_notice(turn, found, locale))
    services.queued()
    entry = found.entry
    if entry.stage == ScoreStage.self_score and found.position + 1 < found.count:
        async with turn.work() as uow:
            following = await open_self_score(
                uow, turn.actor, entry.campaign_id, found.position + 1, services.today()
            )
        text, markup = card(turn, following)
        text = (
            turn._("✅ Saved {code}: {points} points.").format(
                code=escape(entry.criterion_code), points=points(turn.t, entry.points)
            )
            + "\n\n"
            + text
        )
    elif entry.stage == ScoreStage.self_score:
        await show_criteria(turn, entry.campaign_id, edit=edit)
        return
    else:
        text, markup = card(turn, found)
    await (turn.edit(text, markup) if edit else turn.reply(text, markup))


async def reason_typed(turn: Turn, entry_id: int, text: str) -> None:
    await _save(turn, entry_id, text, edit=False)


def adjusted_notice(turn: Turn, found: Editing, locale: str | None) -> tuple[str, list[list[dict[str, str]]]]:
    """The queued message telling the unit its score for a criterion was changed, with the contest button."""
    t = turn.services.translator(locale)
    entry, claimed = found.entry, found.self_entry
    own = points(t, claimed.points) if claimed is not None and claimed.saved_at else "–"
    text = t.gettext(
        "📝 <b>Verified score changed</b>\n{unit}, criterion {code}: self-score {claimed}, "
        "verified {verified} ({change}).\nReason: {reason}\nIf you disagree, you may contest it within "
        "{days} days."
    ).format(
        unit=escape(display_name(entry.unit)),
        code=escape(entry.criterion_code),
        claimed=own,
        verified=points(t, entry.points),
        change=signed(t, entry.points - (claimed.points if claimed is not None else entry.points)),
        reason=escape(entry.reason or ""),
        days=definition_of(found.campaign).contest_days,
    )
    return text, [[button(t.gettext("✍️ Contest"), callback_data=f"ct:open:{entry.id}")]]


@handler
async def submit(turn: Turn) -> None:
    """📤: the self-score goes to the offices that verify it."""
    campaign_id = turn.callback_id(2)
    services = turn.services
    async with turn.work() as uow:
        scores = await submit_self_scores(uow, turn.actor, campaign_id, services.today())
        await notify_submitted(
            uow, scores, services.settings.admin_ids, lambda locale: submitted_notice(turn, scores, locale)
        )
    services.queued()
    total = scores.total
    assert total is not None
    await turn.edit(
        turn._(
            "📤 Self-score sent: {points}/{most} points. The offices will verify it; "
            "you will be told of any change."
        ).format(points=points(turn.t, total.self_total), most=points(turn.t, total.total_max))
    )


def submitted_notice(
    turn: Turn, scores: UnitScores, locale: str | None
) -> tuple[str, list[list[dict[str, str]]]]:
    """The queued message telling verifiers that a unit sent its self-score."""
    t = turn.services.translator(locale)
    total = scores.total
    text = t.gettext("🧮 <b>Self-score to verify</b>\n{unit} – {campaign}: {points}/{most} points.").format(
        unit=escape(display_name(scores.unit)),
        campaign=escape(scores.campaign.name),
        points=points(t, total.self_total),
        most=points(t, total.total_max),
    )
    return text, [
        [button(t.gettext("🔍 Verify"), callback_data=f"sv:unit:{scores.campaign.id}:{scores.unit.id}")]
    ]
