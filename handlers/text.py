"""Plain text: the answer the bot is waiting for, a unit search for someone not linked, or a hint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from bot.services.errors import BadInput
from bot.services.people import profile
from bot.services.units import search_headed_units
from handlers import awards, scoring, standings
from handlers.evidence_review import TYPED_REASON, decide_with_typed_reason
from handlers.evidence_texts import outcome_notice
from handlers.join import results_heading, unit_buttons
from handlers.menu import main_menu
from handlers.registration_review import REJECT_WITH_TYPED_REASON, outcome_line, reject_with_typed_reason
from handlers.turn import Turn, handler
from storage.models import PendingInput, utcnow


async def _registration_reason(turn: Turn, subject_id: int, argument: str, text: str) -> None:
    async with turn.work() as uow:
        registration = await reject_with_typed_reason(turn, uow, subject_id, text)
    turn.services.queued()
    await turn.reply(outcome_line(turn, registration))


async def _evidence_reason(turn: Turn, subject_id: int, argument: str, text: str) -> None:
    async with turn.work() as uow:
        evidence = await decide_with_typed_reason(turn, uow, subject_id, text)
    turn.services.queued()
    await turn.reply(outcome_notice(turn.t, evidence))


async def _score_reason(turn: Turn, subject_id: int, argument: str, text: str) -> None:
    await scoring.reason_typed(turn, subject_id, text)


#: What a typed answer is for (the pending input's action, before any ":argument"), and who takes it.
TYPED_ANSWERS: dict[str, Callable[[Turn, int, str, str], Awaitable[None]]] = {
    REJECT_WITH_TYPED_REASON: _registration_reason,
    TYPED_REASON: _evidence_reason,
    scoring.TYPED_NUMBER: scoring.number_typed,
    scoring.TYPED_REASON: _score_reason,
    standings.CONTEST_TEXT: standings.contest_typed,
    awards.TYPED_DECISION: awards.decision_typed,
}


@handler
async def on_text(turn: Turn) -> None:
    """Route a text message by what the person is doing."""
    text = turn.update.effective_message.text or ""
    async with turn.work() as uow:
        waiting = await uow.pending_inputs.take(turn.actor.id)  # taken even if acting on it fails below
    answer = TYPED_ANSWERS.get(waiting.action.partition(":")[0]) if waiting is not None else None
    if waiting is not None and answer is not None:
        try:
            await answer(turn, waiting.subject_id, waiting.action.partition(":")[2], text)
        except BadInput:  # keep waiting: the person only has to type it again
            await _wait_again(turn, waiting)
            raise
        return
    await search_or_hint(turn, text)


async def _wait_again(turn: Turn, waiting: PendingInput) -> None:
    async with turn.work() as uow:
        await uow.pending_inputs.expect(turn.actor.id, waiting.action, waiting.subject_id, utcnow())


async def search_or_hint(turn: Turn, query: str) -> None:
    """A unit search for someone not linked yet, otherwise a pointer to the menu."""
    async with turn.work() as uow:
        me = await profile(uow, turn.actor)
        units = [] if me.is_linked else await search_headed_units(uow, query)
    _ = turn._
    if me.is_linked:
        await turn.reply(
            _("I did not understand that message. Please use the buttons of the menu."), main_menu(turn, me)
        )
    elif not units:
        await turn.reply(
            _(
                "No unit matches “{query}”. Check the name, or type fewer words "
                "(for example: thon 3 ba bich)."
            ).format(query=escape(query[:100]))
        )
    else:
        await turn.reply(
            results_heading(turn, _("Which one is your unit?"), len(units)), unit_buttons(units, "join:pick")
        )
