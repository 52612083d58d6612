"""The reminder sweep: every minute, run the passes that are due, batch by batch, then the admins' digest.

Each batch is its own short transaction that moves the pass's cursor with the messages it queues, so a
restart resumes where the last batch ended and the event loop is never held for long.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application, ContextTypes

from bot.services.digests import send_digests
from bot.services.reminders import Pass, advance, behind_after, due_passes, escalate, escalates, scope_of
from handlers.reminder_texts import digest, late_list, reminder
from handlers.turn import SERVICES_KEY, BotServices
from storage.models import Unit

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


async def run_sweep(services: BotServices) -> int:
    """Queue every reminder, late list and digest due now; returns how many messages were queued."""
    now, timezone = services.clock(), services.settings.timezone
    async with services.database.unit_of_work() as uow:
        passes = await due_passes(uow, now, timezone)
    queued = 0
    for job in passes:
        try:
            queued += await _run_pass(services, job)
            if escalates(job):
                queued += await _escalate(services, job)
        except Exception:  # one broken pass must not stop the others or the digest; it is retried next time
            log.exception("reminder pass %s failed", job.key)
    async with services.database.unit_of_work() as uow:
        queued += await send_digests(
            uow, now, timezone, lambda found, locale: digest(services.translator(locale), found)
        )
    if queued:
        log.info("queued %s reminders", queued)
        services.queued()
    return queued


async def _run_pass(services: BotServices, job: Pass) -> int:
    now, timezone = services.clock(), services.settings.timezone
    async with services.database.unit_of_work() as uow:
        scope = await scope_of(uow, job)
    queued, finished = 0, False
    while not finished:
        async with services.database.unit_of_work() as uow:
            finished, count = await advance(
                uow,
                job,
                scope,
                now,
                timezone,
                lambda item, locale: reminder(services.translator(locale), item),
            )
        queued += count
        await asyncio.sleep(0)  # let updates in between batches
    return queued


async def _escalate(services: BotServices, job: Pass) -> int:
    """List the units still late the day after the deadline to the admins responsible for them."""
    late: list[Unit] = []
    cursor: int | None = 0
    async with services.database.unit_of_work() as uow:
        scope = await scope_of(uow, job)
    while cursor is not None:
        async with services.database.unit_of_work() as uow:
            found, cursor = await behind_after(uow, job, scope, cursor)
        late += [behind.unit for behind in found]
        await asyncio.sleep(0)
    async with services.database.unit_of_work() as uow:
        return await escalate(
            uow,
            job,
            late,
            services.clock(),
            lambda item, units, locale: late_list(services.translator(locale), item, units),
        )


async def sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_sweep(context.application.bot_data[SERVICES_KEY])


def schedule(application: Application) -> None:
    """Register the sweep on the JobQueue at start-up; its first run soon after catches up on downtime."""
    application.job_queue.run_repeating(sweep, interval=SWEEP_SECONDS, first=20, name="reminders")
