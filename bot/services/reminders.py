"""Deadline reminders: which pass is due now, who is behind, and the late units told to their admins.

A pass is one stage of one deadline: 7, 3 and 1 days before it and on the day (as the campaign sets), then
"overdue" the day after, each at the campaign's hour, never in its quiet hours. A pass walks the units in
id order a batch at a time and keeps its cursor in `reminder_runs`, so a restart resumes it and nothing is
sent twice (the outbox key is a second guard). When the bot was down, only the latest stage that came due
is sent, worded from the real number of days left; a stage more than two days old is not started at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.campaign_file_model import CampaignDefinition, DeadlineKind, EscalateTo
from bot.services.campaigns import definition_of
from bot.services.deadlines import effective_due
from bot.services.evidence import criteria_for
from storage.db import UnitOfWork
from storage.models import Campaign, CampaignStatus, Deadline, Unit
from storage.outbox import Outgoing

OVERDUE = -1
CATCH_UP_DAYS = 2
BATCH = 250  # units per transaction: the work between two awaits stays a few milliseconds
REMINDED = (DeadlineKind.registration, DeadlineKind.evidence, DeadlineKind.self_scoring, DeadlineKind.report)
ALWAYS_SENT = (0, OVERDUE)  # stages that reach people who paused reminders


@dataclass(frozen=True)
class Policy:
    """When a campaign reminds: days before a deadline, local hour, quiet hours, who hears of delays."""

    days: tuple[int, ...]
    hour: int
    quiet_start: time
    quiet_end: time
    escalate_to: EscalateTo

    @classmethod
    def of(cls, definition: CampaignDefinition) -> Policy:
        start, end = (time.fromisoformat(part) for part in definition.quiet_hours.split("-"))
        return cls(definition.reminder_days, definition.reminder_hour, start, end, definition.escalate_to)

    def quiet(self, local: datetime) -> bool:
        """Whether nothing may be sent at this local moment (the span may cross midnight)."""
        now = local.time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= now < self.quiet_end
        return now >= self.quiet_start or now < self.quiet_end

    def stage(self, due: date, local: datetime) -> int | None:
        """The latest stage whose moment has come (days before, or OVERDUE), unless it is days old."""
        moments = [(due - timedelta(days=days), days) for days in sorted(self.days, reverse=True)]
        moments.append((due + timedelta(days=1), OVERDUE))
        reached = [(day, stage) for day, stage in moments if (day, self.hour) <= (local.date(), local.hour)]
        if not reached or (local.date() - reached[-1][0]).days > CATCH_UP_DAYS:
            return None
        return reached[-1][1]


@dataclass(frozen=True)
class Pass:
    """One stage of one deadline, for every unit (or for the one unit whose deadline was extended alone)."""

    key: str
    campaign: Campaign
    definition: CampaignDefinition
    deadline: Deadline
    due: date
    stage: int
    unit_id: int | None = None
    excluded: frozenset[int] = frozenset()  # units whose deadline was extended alone: passes of their own


async def due_passes(uow: UnitOfWork, now: datetime, timezone: ZoneInfo) -> list[Pass]:
    """The passes that should run now and have not finished."""
    local = now.astimezone(timezone)
    passes: list[Pass] = []
    for campaign in await uow.campaigns.newest(500):
        if campaign.status != CampaignStatus.launched:
            continue
        definition = definition_of(campaign)
        policy = Policy.of(definition)
        if policy.quiet(local):
            continue
        deadlines = [d for d in await uow.campaigns.deadlines(campaign.id) if d.kind in REMINDED]
        extensions = await uow.campaigns.extensions(d.id for d in deadlines)
        for deadline in deadlines:
            own = [e for e in extensions if e.deadline_id == deadline.id]
            alone = frozenset(e.unit_id for e in own if e.unit_id is not None)
            due = effective_due(deadline.due, own, None)
            stage = policy.stage(due, local)
            if stage is not None:
                key = f"deadline:{deadline.id}:stage:{stage}"
                passes.append(Pass(key, campaign, definition, deadline, due, stage, None, alone))
            for unit_id in sorted(alone):
                unit_due = effective_due(deadline.due, own, unit_id)
                unit_stage = policy.stage(unit_due, local)
                if unit_stage is not None:
                    key = f"deadline:{deadline.id}:unit:{unit_id}:stage:{unit_stage}"
                    passes.append(Pass(key, campaign, definition, deadline, unit_due, unit_stage, unit_id))
    keys = [p.key for p in passes] + [escalation_key(p) for p in passes if escalates(p)]
    finished = {key for key, run in (await uow.reminders.runs(keys)).items() if run.finished_at}
    # An overdue pass stays due until its late list went out too, even if the bot stopped in between.
    return [
        p for p in passes if p.key not in finished or (escalates(p) and escalation_key(p) not in finished)
    ]


def escalates(job: Pass) -> bool:
    """Whether the pass ends with the late units listed to their admins (the campaign-wide overdue pass)."""
    return job.stage == OVERDUE and job.unit_id is None


@dataclass(frozen=True)
class Behind:
    """A unit behind on a deadline; for evidence, the criteria still without approved evidence."""

    unit: Unit
    missing: tuple[str, ...] = ()


async def behind_after(
    uow: UnitOfWork, job: Pass, scope: set[int] | None, after: int, limit: int = BATCH
) -> tuple[list[Behind], int | None]:
    """The units behind after the cursor, and the cursor to continue from (None: the pass is done)."""
    campaign_id, kind = job.campaign.id, job.deadline.kind
    if job.unit_id is not None:  # a pass for one unit looks at that unit only
        after, limit = job.unit_id - 1, 1
    if kind == DeadlineKind.registration:
        kinds = [k.value for k in job.definition.eligible_kinds]
        units = await uow.reminders.units_after(after, kinds, limit)
        candidates = [u for u in units if scope is None or u.id in scope]
        done = await uow.reminders.registered_among(campaign_id, [u.id for u in candidates])
    else:
        units = await uow.reminders.registered_after(campaign_id, after, limit)
        candidates = list(units)
        done = set()
        if kind == DeadlineKind.self_scoring:
            done = await uow.reminders.self_scored_among(campaign_id, [u.id for u in units])
    cursor = units[-1].id if len(units) == limit and job.unit_id is None else None
    wanted = [
        u
        for u in candidates
        if u.id not in done and (u.id == job.unit_id if job.unit_id is not None else u.id not in job.excluded)
    ]
    if kind != DeadlineKind.evidence:
        return [Behind(u) for u in wanted], cursor
    approved = await uow.reminders.approved_codes(campaign_id, [u.id for u in wanted])
    behind = []
    for unit in wanted:
        missing = tuple(
            c.code for c in criteria_for(job.definition, unit) if c.code not in approved.get(unit.id, ())
        )
        if missing:
            behind.append(Behind(unit, missing))
    return behind, cursor


@dataclass(frozen=True)
class Reminder:
    """What one reminder says: the campaign, the deadline, the days left (negative: overdue), the unit."""

    campaign: Campaign
    deadline: Deadline
    due: date
    days_left: int
    behind: Behind


RenderReminder = Callable[[Reminder, str | None], tuple[str, list[list[dict[str, str]]]]]


async def scope_of(uow: UnitOfWork, job: Pass) -> set[int] | None:
    """The units in the campaign's scope, needed only to find those who have not registered."""
    if job.deadline.kind != DeadlineKind.registration:
        return None
    return set(await uow.units.subtree_ids(await uow.campaigns.scope_roots(job.campaign.id)))


async def advance(
    uow: UnitOfWork,
    job: Pass,
    scope: set[int] | None,
    now: datetime,
    timezone: ZoneInfo,
    render: RenderReminder,
    limit: int = BATCH,
) -> tuple[bool, int]:
    """Remind the next batch of units behind; returns whether the pass is finished and messages queued."""
    run = await uow.reminders.run(job.key, now)
    if run.finished_at is not None:
        return True, 0
    found, cursor = await behind_after(uow, job, scope, run.cursor, limit)
    days_left = (job.due - now.astimezone(timezone).date()).days
    queued = 0
    if job.stage == OVERDUE or days_left >= 0:  # a missed "days before" stage after the due date says nothing
        queued = await _remind(uow, job, found, days_left, render)
    if cursor is None:
        run.finished_at = now
    else:
        run.cursor = cursor
    return cursor is None, queued


async def _remind(
    uow: UnitOfWork, job: Pass, found: list[Behind], days_left: int, render: RenderReminder
) -> int:
    by_unit = {behind.unit.id: behind for behind in found}
    messages = []
    for head in await uow.reminders.heads(list(by_unit)):
        if head.paused and job.stage not in ALWAYS_SENT:
            continue
        reminder = Reminder(job.campaign, job.deadline, job.due, days_left, by_unit[head.unit_id])
        key = f"remind:{job.key}:{head.unit_id}:{head.telegram_id}"
        messages.append(Outgoing(key, head.telegram_id, *render(reminder, head.locale)))
    return await uow.outbox.enqueue(messages)


@dataclass
class LateList:
    """The late units one admin hears of, for one deadline."""

    locale: str | None
    units: list[Unit] = field(default_factory=list)


async def late_lists(uow: UnitOfWork, job: Pass, late: Sequence[Unit]) -> dict[int, LateList]:
    """Who hears of the late units: the admins nearest above each, or the organizer's admins."""
    admins = await uow.reminders.admins()
    parents = await uow.reminders.parents()
    lists: dict[int, LateList] = {}
    for unit in late:
        for telegram_id, locale in _responsible(unit.id, job, admins, parents):
            lists.setdefault(telegram_id, LateList(locale)).units.append(unit)
    return lists


def _responsible(
    unit_id: int, job: Pass, admins: dict[int, list[tuple[int, str | None]]], parents: dict[int, int | None]
) -> list[tuple[int, str | None]]:
    if job.definition.escalate_to == EscalateTo.organizer:
        return admins.get(job.campaign.organizer_unit_id, [])
    current, seen = parents.get(unit_id), set()
    while current is not None and current not in seen:  # the nearest unit above with admins
        if current in admins:
            return admins[current]
        seen.add(current)
        current = parents.get(current)
    return []


def escalation_key(job: Pass) -> str:
    return f"{job.key}:escalate"


RenderLate = Callable[[Pass, list[Unit], str | None], tuple[str, list[list[dict[str, str]]]]]


async def escalate(
    uow: UnitOfWork, job: Pass, late: Sequence[Unit], now: datetime, render: RenderLate
) -> int:
    """Tell the responsible admins which units are late, once per deadline (the run records it)."""
    run = await uow.reminders.run(escalation_key(job), now)
    if run.finished_at is not None:
        return 0
    lists = await late_lists(uow, job, late)
    messages = [
        Outgoing(f"late:{job.key}:{telegram_id}", telegram_id, *render(job, found.units, found.locale))
        for telegram_id, found in lists.items()
    ]
    run.finished_at = now
    return await uow.outbox.enqueue(messages)
