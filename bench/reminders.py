"""Reminder benchmarks: one due-reminder sweep as the number of units grows, its query plans, its stalls.

- A district of villages (100 per commune), each with a head, and one campaign with five deadlines
  (registration, evidence, self-scoring and two reports) all due in 7 days; the clock is 08:00 local, so
  one sweep runs five passes over every unit, then the district admin's digest. Half the villages are
  registered (a quarter of the others withdrew); of the registered, half have approved evidence for one
  criterion or both, a quarter a submitted self-score. The wall time of one sweep over a fresh outbox at
  two sizes and their ratio (goal ≤ 12); what it queued must be what the data implies, and a second sweep
  must queue nothing.
- The SQLite plan of every query a sweep sends, captured during a warm-up sweep and explained on the large
  database; the plan rows that scan a table without an index, in the queries sent for every batch of units
  (goal: 0) and in those sent once per sweep; and for each batch query, its time at the large size over
  its time at the small one for the same first batch (about 1 when its index bounds the work to the batch).
- The longest and the 99th-percentile lateness of a 5 ms ticker on the same event loop during the sweep
  over the larger size (goal: under 100 ms).
Usage: python bench/reminders.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import greenlet
from sqlalchemy import delete, event, insert

from bot.app import settle_startup_objects
from bot.config import load_settings
from bot.services.campaign_file import parse_campaign_yaml
from bot.services.campaigns import launch_campaign, save_campaign
from handlers.turn import BotServices
from schedules.reminders import run_sweep
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Evidence,
    EvidenceStatus,
    Membership,
    OutboxMessage,
    Person,
    Registration,
    RegistrationStatus,
    ReminderRun,
    Role,
    ScoreTotal,
    Unit,
    UnitKind,
)
from storage.outbox import Outgoing

TOKEN = "123456:BENCHMARK-TOKEN-0004"
DUE = date(2030, 6, 15)
SEND_DAY = DUE - timedelta(days=7)  # the 7-days-before stage of every deadline, at the 08:00 send hour
VILLAGES_PER_COMMUNE = 100
ADMIN_TELEGRAM_ID = 900
HEAD_TELEGRAM_BASE = 1_000_000
INSERT_BATCH = 10_000
TICK_S = 0.005
STORAGE = Path(__file__).resolve().parent.parent / "storage"

CAMPAIGN_YAML = f"""
code: nhac_han
name: Thi đua xây dựng thôn kiểu mẫu {DUE.year}
year: {DUE.year}
period_start: {DUE.year}-01-01
period_end: {DUE.year}-12-31
organizer: HUYEN
scope: [HUYEN]
eligible_kinds: [village]
titles:
  - code: THON-KM
    name: Thôn kiểu mẫu
    unit_kinds: [village]
deadlines:
  - kind: registration
    due: {DUE.isoformat()}
  - kind: evidence
    due: {DUE.isoformat()}
  - kind: self_scoring
    due: {DUE.isoformat()}
  - kind: report
    due: {DUE.isoformat()}
    label: Báo cáo 6 tháng
  - kind: report
    due: {DUE.isoformat()}
    label: Báo cáo quý II
indicators:
  - code: I
    name: Đời sống văn hóa
    criteria:
      - code: I.1
        name: Giữ gìn vệ sinh môi trường
        max_points: 60
      - code: I.2
        name: An ninh trật tự
        max_points: 40
"""


class Clock:
    """A fixed moment: 08:00 in Vietnam on the day every deadline is 7 days away."""

    def __call__(self) -> datetime:
        return datetime(SEND_DAY.year, SEND_DAY.month, SEND_DAY.day, 1, tzinfo=UTC)  # 08:00 at UTC+7


@dataclass
class Expected:
    """The units behind on each deadline, as the generated data implies."""

    unregistered: int = 0
    evidence_missing: int = 0
    not_self_scored: int = 0
    registered: int = 0

    @property
    def messages(self) -> int:
        """One reminder per unit behind per deadline (two report deadlines) and the admin's digest."""
        return self.unregistered + self.evidence_missing + self.not_self_scored + 2 * self.registered + 1


@dataclass
class Captured:
    """The statements a sweep sent, by the storage function that sent them."""

    statements: dict[str, tuple[str, Any]] = field(default_factory=dict)
    shapes: set[str] = field(default_factory=set)
    batch: set[str] = field(default_factory=set)  # sent once per batch of units, not once per pass


async def _insert(database: Database, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Bulk-insert rows of a model, INSERT_BATCH per transaction."""
    for start in range(0, len(rows), INSERT_BATCH):
        async with database.unit_of_work() as uow:
            await uow.session.execute(insert(model), rows[start : start + INSERT_BATCH])


async def build(database: Database, count: int) -> Expected:
    """A district of `count` villages and their heads, the campaign launched, half the villages registered."""
    communes = -(-count // VILLAGES_PER_COMMUNE)
    first_village, first_commune = 2, 2 + count  # village ids do not depend on the size: same first batch
    root = {"id": 1, "code": "HUYEN", "name": "Huyện Ba Tơ", "kind": UnitKind.district, "parent_id": None}
    units = [root | {"search_text": " huyen ba to "}]
    units += [
        {
            "id": first_commune + c,
            "code": f"X{c}",
            "name": f"Xã {c}",
            "kind": UnitKind.commune,
            "parent_id": 1,
            "search_text": f" xa {c} ",
        }
        for c in range(communes)
    ]
    units += [
        {
            "id": first_village + k,
            "code": f"T{k}",
            "name": f"Thôn {k}",
            "kind": UnitKind.village,
            "parent_id": first_commune + k // VILLAGES_PER_COMMUNE,
            "search_text": f" thon {k} ",
        }
        for k in range(count)
    ]
    await _insert(database, Unit, units)
    async with database.unit_of_work() as uow:
        campaign = await save_campaign(uow, None, parse_campaign_yaml(CAMPAIGN_YAML))
        await launch_campaign(
            uow, None, campaign.id, lambda c, r, a: Outgoing(f"l:{r.chat_id}", r.chat_id, "x")
        )
        title_id = next(t.id for t in await uow.campaigns.titles(campaign.id))
        campaign_id = campaign.id
    people = [{"id": 1, "telegram_id": ADMIN_TELEGRAM_ID, "full_name": "Phòng Nội vụ"}]
    people += [
        {"id": 2 + k, "telegram_id": HEAD_TELEGRAM_BASE + k, "full_name": f"Trưởng thôn {k}"}
        for k in range(count)
    ]
    await _insert(database, Person, people)
    memberships = [{"person_id": 1, "unit_id": 1, "role": Role.admin}]
    memberships += [
        {"person_id": 2 + k, "unit_id": first_village + k, "role": Role.unit_head} for k in range(count)
    ]
    await _insert(database, Membership, memberships)
    registrations, evidence, totals = [], [], []
    expected = Expected()
    moment = Clock()() - timedelta(days=30)
    for k in range(count):
        unit_id = first_village + k
        base = {"campaign_id": campaign_id, "unit_id": unit_id, "title_id": title_id}
        if k % 2:
            expected.unregistered += 1
            if k % 4 == 1:  # a withdrawn registration is not a live one: still behind on registering
                registrations.append(base | {"status": RegistrationStatus.withdrawn})
            continue
        registrations.append(base | {"status": RegistrationStatus.approved})
        expected.registered += 1
        r = k // 2
        codes = ("I.1", "I.2") if r % 4 == 0 else ("I.1",) if r % 2 == 0 else ()
        for code in codes:
            evidence.append(
                {
                    "campaign_id": campaign_id,
                    "unit_id": unit_id,
                    "criterion_code": code,
                    "status": EvidenceStatus.approved,
                    "submitted_at": moment,
                }
            )
        expected.evidence_missing += len(codes) < 2
        scored = r % 4 == 1
        expected.not_self_scored += not scored
        if scored:
            total = {"campaign_id": campaign_id, "unit_id": unit_id, "self_submitted_at": moment}
            totals.append(
                total | {"total": Decimal(70), "total_max": Decimal(100), "self_total": Decimal(70)}
            )
    await _insert(database, Registration, registrations)
    await _insert(database, Evidence, evidence)
    await _insert(database, ScoreTotal, totals)
    await reset(database)
    return expected


async def reset(database: Database) -> None:
    """Empty the outbox and the record of passes, as before a day's first sweep."""
    async with database.unit_of_work() as uow:
        await uow.session.execute(delete(OutboxMessage))
        await uow.session.execute(delete(ReminderRun))


def services_for(database: Database) -> BotServices:
    """The bot's services on this database, without an outbox drain, under the fixed clock."""
    settings = load_settings({"THIDUA_BOT_TOKEN": TOKEN, "THIDUA_DATABASE_URL": database.url}, env_file=None)
    return BotServices(settings, database, None, Clock())


def _callers() -> list[tuple[Path, str]]:
    """(file, function) of each frame of the coroutine whose statement is being sent, innermost first."""
    parent = greenlet.getcurrent().parent  # SQLAlchemy runs the driver call in a child greenlet
    frame = parent.gr_frame if parent is not None else None
    found = []
    while frame is not None:
        found.append((Path(frame.f_code.co_filename), frame.f_code.co_name))
        frame = frame.f_back
    return found


async def capture(services: BotServices) -> tuple[int, Captured]:
    """Run a sweep and keep one example of every distinct query it sent, named by the function sending it."""
    found = Captured()

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")) or "1!=1" in sql:
            return  # inserts have no plan to read; an empty IN list is the same query
        shape = re.sub(r"\?(?:, \?)*", "?", sql)  # IN lists of any length
        if shape in found.shapes:
            return
        found.shapes.add(shape)
        callers = _callers()
        functions = {function for _path, function in callers}
        storage = [f for path, f in callers if path.parent == STORAGE and path.name != "db.py"]
        table = re.search(r"(?:UPDATE|FROM)\s+(\w+)", sql)
        name = storage[0] if storage else f"{sql.split()[0].lower()}_{table.group(1) if table else 'query'}"
        name = next(n for n in (name, *(f"{name}_{k}" for k in range(2, 99))) if n not in found.statements)
        if "advance" in functions or ("_run_pass" in functions and "scope_of" not in functions):
            found.batch.add(name)
        found.statements[name] = (sql, params)

    engine = services.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        queued = await run_sweep(services)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return queued, found


@dataclass
class Plans:
    """The plan of each query, the plan rows that scan a table without an index, how batch queries grow."""

    rows: dict[str, list[str]] = field(default_factory=dict)
    batch_scans: list[str] = field(default_factory=list)
    other_scans: list[str] = field(default_factory=list)
    growth: dict[str, float] = field(default_factory=dict)


def _query_ms(connection: sqlite3.Connection, sql: str, params: Any) -> float:
    """Best time of a query, rows fetched, over seven runs."""
    times = []
    for _ in range(7):
        started = time.perf_counter()
        connection.execute(sql, params).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def analyse(small: Path, large: Path, captured: Captured) -> Plans:
    """Explain every captured query on the large database; time each batch query on both databases."""
    found = Plans()
    with closing(sqlite3.connect(small)) as before, closing(sqlite3.connect(large)) as after:
        tables = {row[0] for row in after.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for name, (sql, params) in captured.statements.items():
            found.rows[name] = [row[3] for row in after.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            for detail in found.rows[name]:
                scanned = re.match(r"SCAN (\w+)", detail)
                if scanned and scanned.group(1) in tables and "USING" not in detail:
                    scans = found.batch_scans if name in captured.batch else found.other_scans
                    scans.append(f"{name} ({detail})")
            if name in captured.batch and sql.lstrip().upper().startswith("SELECT"):
                # the same work (the first batch) against 10 times the rows: ~1 when the index bounds it
                found.growth[name] = _query_ms(after, sql, params) / _query_ms(before, sql, params)
    return found


@dataclass
class Sweep:
    """What one sweep over fresh state took: its wall time, what it queued, the ticker's lateness (ms)."""

    seconds: float
    queued: int
    max_stall_ms: float
    p99_stall_ms: float


async def timed_sweep(services: BotServices, expected: Expected) -> Sweep:
    """One sweep on a fresh outbox, a 5 ms ticker on the loop; checks it, and that a rerun queues nothing."""
    late: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(TICK_S)
            late.append((time.perf_counter() - started - TICK_S) * 1000)

    settle_startup_objects()  # as the bot does once it has started
    task = asyncio.create_task(ticker())
    await asyncio.sleep(TICK_S * 4)
    started = time.perf_counter()
    try:
        queued = await run_sweep(services)
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        await task
    assert queued == expected.messages, f"queued {queued}, expected {expected.messages}"
    assert await run_sweep(services) == 0, "a second sweep must queue nothing"
    return Sweep(elapsed, queued, max(late), statistics.quantiles(late, n=100)[98])


async def sweep_at(path: Path, count: int, warm_up: bool) -> tuple[Sweep, Captured]:
    """Build the data for `count` villages and time a sweep, after a captured warm-up sweep if asked."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(database)
        expected = await build(database, count)
        services = services_for(database)
        captured = Captured()
        if warm_up:  # imports, catalogs and query compilation; and the queries to explain
            queued, captured = await capture(services)
            assert queued == expected.messages, f"queued {queued}, expected {expected.messages}"
            await reset(database)
        return await timed_sweep(services, expected), captured
    finally:
        await database.dispose()


async def main(quick: bool) -> None:
    """Sweep at both sizes, analyse the queries, print one `metric: value` line per figure."""
    logging.disable(logging.WARNING)
    small, large = (1_000, 10_000) if quick else (10_000, 100_000)
    with tempfile.TemporaryDirectory() as name:
        paths = {count: Path(name) / f"reminders{count}.db" for count in (small, large)}
        first, captured = await sweep_at(paths[small], small, warm_up=True)
        second, _ = await sweep_at(paths[large], large, warm_up=False)
        plans = analyse(paths[small], paths[large], captured)
    for count, sweep in ((small, first), (large, second)):
        print(f"reminder_sweep_{count}_s: {sweep.seconds:.3f}")
        print(f"reminders_queued_{count}: {sweep.queued}")
    print(f"reminder_growth_ratio: {second.seconds / first.seconds:.2f}")
    for name, rows in plans.rows.items():
        print(f"query_plan_{name}: {' | '.join(rows) or '(no table read)'}")
    print(f"query_plan_full_scans: {len(plans.batch_scans)}")
    print(f"query_plan_full_scans_once_per_sweep: {len(plans.other_scans)}")
    if plans.batch_scans or plans.other_scans:
        print(f"query_plan_full_scan_rows: {'; '.join(plans.batch_scans + plans.other_scans)}")
    for name, ratio in plans.growth.items():
        print(f"query_growth_{name}: {ratio:.2f}")
    print(f"sweep_max_stall_ms: {second.max_stall_ms:.1f}")
    print(f"sweep_p99_stall_ms: {second.p99_stall_ms:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1,000 and 10,000 units instead of 10,000 and 100,000"
    )
    asyncio.run(main(parser.parse_args().quick))
