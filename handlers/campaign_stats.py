"""Admins follow registration: registered out of eligible by commune and cluster, and who is missing."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.campaign_reports import registration_stats
from bot.services.text import display_name
from handlers.turn import Turn, handler

UNITS_SHOWN = 30
EXTEND_BUTTONS = 10


@handler
async def show_stats(turn: Turn) -> None:
    """📊 Registrations: tallies and the units not yet registered, each with a one-unit extension button."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        stats = await registration_stats(uow, turn.actor, campaign_id)
        registration_deadline = next(
            (d for d in await uow.campaigns.deadlines(campaign_id) if d.kind == "registration"), None
        )
    _ = turn._
    lines = [
        f"📊 <b>{escape(stats.campaign.name)}</b>",
        _("Registered: {registered}/{eligible} units").format(
            registered=stats.registered, eligible=stats.eligible
        ),
    ]
    for heading, tallies in (
        (_("<b>By commune</b>"), stats.by_parent),
        (_("<b>By cluster</b>"), stats.by_cluster),
    ):
        if tallies:
            lines += ["", heading, *(f"• {escape(t.name)}: {t.registered}/{t.eligible}" for t in tallies)]
    missing = stats.not_registered
    if missing:
        lines += ["", _("<b>Not registered yet</b> ({count})").format(count=len(missing))]
        lines += [f"• {escape(display_name(unit))}" for unit in missing[:UNITS_SHOWN]]
        if len(missing) > UNITS_SHOWN:
            lines.append(_("… and {count} more.").format(count=len(missing) - UNITS_SHOWN))
    rows = []
    if registration_deadline is not None and stats.campaign.status.value == "launched":
        rows = [
            [
                InlineKeyboardButton(
                    _("⏰ +7 days for {unit}").format(unit=unit.name[:30]),
                    callback_data=f"dl:unit:{registration_deadline.id}:{unit.id}",
                )
            ]
            for unit in missing[:EXTEND_BUTTONS]
        ]
    await turn.reply("\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)
