"""/nhacviec: a person pauses or resumes the early reminders (deadline-day and overdue ones always come)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.people import set_reminders_paused
from handlers.turn import Turn, handler


def _state(turn: Turn, paused: bool) -> tuple[str, InlineKeyboardMarkup]:
    _ = turn._
    if paused:
        text = _(
            "Early reminders are paused. You will still be reminded on the last day of a deadline and "
            "when it has passed."
        )
        label, data = _("▶️ Resume reminders"), "rm:on"
    else:
        text = _(
            "You are reminded before each deadline your unit has not met yet (usually 7, 3 and 1 days "
            "before and on the day, in the morning)."
        )
        label, data = _("⏸ Pause early reminders"), "rm:off"
    return text, InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


@handler
async def show(turn: Turn) -> None:
    """/nhacviec: the current setting and the button to change it."""
    actor = await turn.identify()
    await turn.reply(*_state(turn, actor.person.reminders_paused))


@handler
async def change(turn: Turn) -> None:
    """⏸/▶️: store the choice."""
    paused = turn.callback_part(1) == "off"
    async with turn.work() as uow:
        await set_reminders_paused(uow, turn.actor, paused)
    await turn.edit(*_state(turn, paused))
