"""The responsible office reviews evidence in chat: the photos, reuse warnings, and a one-tap decision."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaDocument, InputMediaPhoto

from bot.i18n import N_
from bot.services.errors import StaleButton
from bot.services.evidence_review import (
    decide_evidence,
    evidence_for_review,
    evidence_matrix,
    notify_outcome,
    reuses,
    review_queue,
)
from bot.services.text import display_name
from handlers.evidence_texts import STATE_MARKS, decision_buttons, evidence_title, outcome_notice, review_card
from handlers.registration_review import card_keyboard
from handlers.turn import Turn, handler
from storage.db import UnitOfWork
from storage.models import Evidence, utcnow

PRESET_REASONS = {
    "no": (
        N_("The photos do not show what the criterion asks"),
        N_("The photos are unclear"),
        N_("These photos were already used as evidence"),
    ),
    "more": (N_("Please add photos of the finished work"), N_("Please add the signed minutes or decision")),
}
TYPED_REASON = "evidence_reason"  # pending-input action; the outcome is stored as its sign (see below)


@handler
async def show_queue(turn: Turn) -> None:
    """/duyetminhchung: submissions waiting for the reviewer, oldest first."""
    async with turn.work() as uow:
        queue = await review_queue(uow, turn.actor)
    _ = turn._
    if not queue:
        await turn.reply(_("No evidence is waiting for your review."))
        return
    rows = [
        [
            InlineKeyboardButton(
                f"👁 {display_name(e.unit)} – {e.criterion_code}"[:60], callback_data=f"ev:show:{e.id}"
            )
        ]
        for e in queue
    ]
    await turn.reply(_("Evidence waiting for review, oldest first:"), InlineKeyboardMarkup(rows))


@handler
async def show(turn: Turn) -> None:
    """👁: the photos and documents, then the card with reuse warnings and the decision buttons."""
    evidence_id = turn.callback_id(2)
    async with turn.work() as uow:
        evidence, items = await evidence_for_review(uow, turn.actor, evidence_id)
        found = await reuses(uow, evidence, items)
    bot, chat = turn.context.bot, turn.chat_id
    photos = [InputMediaPhoto(item.telegram_file_id) for item in items if item.kind == "photo"]
    documents = [InputMediaDocument(item.telegram_file_id) for item in items if item.kind == "document"]
    for group in (photos, documents):
        if len(group) == 1:
            await (
                bot.send_photo(chat, group[0].media)
                if group is photos
                else bot.send_document(chat, group[0].media)
            )
        elif group:
            await bot.send_media_group(chat, group[:10])
    for reuse in found:  # the other picture, so the reviewer can compare
        send = bot.send_photo if reuse.other.kind == "photo" else bot.send_document
        await send(
            chat,
            reuse.other.telegram_file_id,
            caption=turn._("⚠️ The earlier evidence of {unit}").format(
                unit=escape(display_name(reuse.other_evidence.unit))
            ),
        )
    await turn.reply(
        review_card(turn.t, evidence, found), card_keyboard(decision_buttons(turn.t, evidence.id))
    )


async def _decide(
    turn: Turn, uow: UnitOfWork, evidence_id: int, outcome: str, reason: str | None
) -> Evidence:
    """Record the decision and queue the outcome to the unit's heads, in their language."""
    evidence = await decide_evidence(uow, turn.actor, evidence_id, outcome, reason)
    await notify_outcome(
        uow, evidence, lambda locale: (outcome_notice(turn.services.translator(locale), evidence), [])
    )
    return evidence


async def _decided(turn: Turn, evidence: Evidence) -> None:
    turn.services.queued()
    await turn.edit(
        turn._("Decided: {title}").format(title=evidence_title(turn.t, evidence))
        + "\n"
        + outcome_notice(turn.t, evidence).split("\n", 1)[0]
    )


@handler
async def approve(turn: Turn) -> None:
    evidence_id = turn.callback_id(2)
    async with turn.work() as uow:
        evidence = await _decide(turn, uow, evidence_id, "ok", None)
    await _decided(turn, evidence)


@handler
async def ask_reason(turn: Turn) -> None:
    """❌ or 📝: pick a reason or type one."""
    outcome, evidence_id = turn.callback_part(1), turn.callback_id(2)
    if outcome not in PRESET_REASONS:
        raise StaleButton()
    await turn.identify()
    _ = turn._
    rows = [
        [InlineKeyboardButton(_(reason), callback_data=f"evr:{outcome}:{evidence_id}:{n}")]
        for n, reason in enumerate(PRESET_REASONS[outcome])
    ]
    rows.append(
        [InlineKeyboardButton(_("✏️ Type another reason"), callback_data=f"evt:{outcome}:{evidence_id}")]
    )
    await turn.edit(_("Reason?"), InlineKeyboardMarkup(rows))


@handler
async def decide_with_preset(turn: Turn) -> None:
    outcome, evidence_id, choice = turn.callback_part(1), turn.callback_id(2), turn.callback_id(3)
    if outcome not in PRESET_REASONS or choice >= len(PRESET_REASONS[outcome]):
        raise StaleButton()
    await turn.identify()
    reason = turn._(PRESET_REASONS[outcome][choice])
    async with turn.work() as uow:
        evidence = await _decide(turn, uow, evidence_id, outcome, reason)
    await _decided(turn, evidence)


@handler
async def ask_typed_reason(turn: Turn) -> None:
    """✏️: the reviewer's next message is the reason (a positive id rejects, a negative one asks for more)."""
    outcome, evidence_id = turn.callback_part(1), turn.callback_id(2)
    if outcome not in PRESET_REASONS:
        raise StaleButton()
    async with turn.work() as uow:
        await uow.pending_inputs.expect(
            turn.actor.id, TYPED_REASON, evidence_id if outcome == "no" else -evidence_id, utcnow()
        )
    await turn.edit(turn._("Type the reason, in one message:"))


async def decide_with_typed_reason(turn: Turn, uow: UnitOfWork, signed_id: int, reason: str) -> Evidence:
    """The typed reason arrived (called by the text router inside its transaction)."""
    return await _decide(turn, uow, abs(signed_id), "no" if signed_id > 0 else "more", reason.strip()[:500])


MATRIX_UNITS_SHOWN = 40


@handler
async def show_matrix(turn: Turn) -> None:
    """🗂 Evidence: for each registered unit, the state of each criterion (✅ ⏳ ❌ 📝 ➖)."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign, matrix = await evidence_matrix(uow, turn.actor, campaign_id)
    _ = turn._
    lines = [
        f"🗂 <b>{escape(campaign.name)}</b>",
        _("✅ approved · ⏳ waiting · ❌ rejected · 📝 more asked · ➖ nothing"),
    ]
    if not matrix.units:
        lines.append(_("No unit is registered yet."))
    for unit in matrix.units[:MATRIX_UNITS_SHOWN]:
        cells = " ".join(
            f"{STATE_MARKS[matrix.cells.get((unit.id, code))]}{escape(code)}" for code in matrix.criteria
        )
        lines.append(f"<b>{escape(display_name(unit))}</b>: {cells}")
    if len(matrix.units) > MATRIX_UNITS_SHOWN:
        lines.append(_("… and {count} more.").format(count=len(matrix.units) - MATRIX_UNITS_SHOWN))
    await turn.reply_lines(lines)
