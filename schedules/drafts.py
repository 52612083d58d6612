"""A sweep over the database: one reminder for evidence drafts left unsent (kept until the deadline)."""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from bot.services.evidence import remind_unsent_drafts
from handlers.evidence_texts import draft_reminder
from handlers.turn import SERVICES_KEY, BotServices

log = logging.getLogger(__name__)
SWEEP_SECONDS = 600


async def sweep_unsent_drafts(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the reminders that are due; a rerun or a restart sends nothing twice (outbox keys)."""
    services: BotServices = context.application.bot_data[SERVICES_KEY]
    async with services.database.unit_of_work() as uow:
        queued = await remind_unsent_drafts(
            uow,
            lambda draft, count, person: draft_reminder(
                services.translator(person.locale), draft, count, person
            ),
        )
    if queued:
        log.info("queued %s reminders of unsent evidence drafts", queued)
        services.queued()


def schedule(application: Application) -> None:
    """Register the sweep on the JobQueue at start-up; its first run soon after catches up on downtime."""
    application.job_queue.run_repeating(
        sweep_unsent_drafts, interval=SWEEP_SECONDS, first=30, name="unsent-drafts"
    )
