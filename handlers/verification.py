"""The office verifies a unit's self-score in chat: the units waiting, their criteria, one card each."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.scores import open_verification
from bot.services.text import display_name
from bot.services.verification import criteria_to_verify, verification_queue
from handlers.score_texts import points
from handlers.scoring import card
from handlers.turn import Turn, handler


@handler
async def show_queue(turn: Turn) -> None:
    """/thamdinh: units whose self-score has criteria waiting for the person's verification."""
    async with turn.work() as uow:
        queue = await verification_queue(uow, turn.actor)
    _ = turn._
    if not queue:
        await turn.reply(_("No self-score is waiting for your verification."))
        return
    rows = [
        [
            InlineKeyboardButton(
                _("🔍 {unit} – {count} to verify").format(unit=display_name(w.unit), count=w.waiting)[:60],
                callback_data=f"sv:unit:{w.campaign.id}:{w.unit.id}",
            )
        ]
        for w in queue
    ]
    await turn.reply(
        _("Self-scores waiting for your verification, oldest first:"), InlineKeyboardMarkup(rows)
    )


@handler
async def show_unit(turn: Turn) -> None:
    """A unit's criteria that the person verifies: the unit's points and the verified ones."""
    campaign_id, unit_id = turn.callback_id(2), turn.callback_id(3)
    async with turn.work() as uow:
        scores, positions = await criteria_to_verify(uow, turn.actor, campaign_id, unit_id)
    _, t = turn._, turn.t
    rows = []
    for position in positions:
        criterion = scores.criteria[position]
        claimed = scores.self_entries.get(criterion.code)
        checked = scores.verified.get(criterion.code)
        own = points(t, claimed.points) if claimed is not None and claimed.saved_at else "–"
        if checked is not None and checked.saved_at is not None:
            mark = "✅" if claimed is not None and checked.points == claimed.points else "✏️"
            label = f"{mark} {criterion.code}: {own} → {points(t, checked.points)}"
        else:
            label = f"⏳ {criterion.code}: {own}"
        rows.append(
            [InlineKeyboardButton(label[:60], callback_data=f"sv:open:{campaign_id}:{unit_id}:{position}")]
        )
    heading = _(
        "🔍 <b>Verifying</b> {unit} – {campaign}\nChoose a criterion: ✅ confirmed · ✏️ changed · ⏳ waiting"
    ).format(unit=escape(display_name(scores.unit)), campaign=escape(scores.campaign.name))
    await turn.reply(heading, InlineKeyboardMarkup(rows))


@handler
async def open_criterion(turn: Turn) -> None:
    """The card of one criterion, starting from what the unit claimed."""
    campaign_id, unit_id, position = turn.callback_id(2), turn.callback_id(3), turn.callback_id(4)
    async with turn.work() as uow:
        found = await open_verification(uow, turn.actor, campaign_id, unit_id, position)
    await turn.edit(*card(turn, found))
