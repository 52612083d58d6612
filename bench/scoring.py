"""Scoring benchmarks: cluster ranking and the score sheet as a campaign grows tenfold, twice.

- A district of N communes in clusters of 10, one campaign of 4 indicators × 10 criteria (40 leaves, some
  with deduction rules), every commune self-scored on all 40 and a quarter of them also verified on 10;
  about half the clusters hold a tie. Built with bulk inserts, then measured through the real services.
- Ranking (`campaign_groups`, best of 3, each in a fresh unit of work, in a fresh process per size as a
  bot would rank, not the process that generated the data) at N, 10 N and 100 N, checked for
  every unit ranked once and every cluster ranked from 1: the times and `ranking_growth_ratio`, the larger
  of the two tenfold time ratios (one streamed query and in-memory ranking keep it near-linear; goal ≤ 12).
- The score sheet (`score_sheet_of` over every group, once) at N and 10 N and their ratio. Not at 100 N:
  the sheet of 100,000 units took over 5 minutes, which would stretch the full run past 7.
- The peak RSS of that fresh process at the largest size (generating the data does not count), and the
  units ranked per second there.
Usage: python bench/scoring.py [--quick]   (--quick: 200 / 2,000 / 20,000 units, well under a minute)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Dialect

from bot.app import settle_startup_objects
from bot.services.campaign_file import parse_campaign_yaml
from bot.services.campaigns import save_campaign
from bot.services.exports import score_sheet_of
from bot.services.standings import Group, campaign_groups
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Cluster, ClusterMember, ScoreEntry, ScoreStage, ScoreTotal, Unit, UnitKind

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 2_000, 20_000)
SHEET_SIZES = 2  # the sheet is measured at the two smaller sizes only (see above)
CLUSTER_SIZE = 10
INDICATORS = ("I", "II", "III", "IV")
CRITERIA_PER_INDICATOR = 10
CODES = [f"{i}.{n}" for i in INDICATORS for n in range(1, CRITERIA_PER_INDICATOR + 1)]
VERIFIED_PER_UNIT = 10  # criteria the office verified, in a quarter of the units
RANKING_RUNS = 3
ROOT_ID = 1
UNITS_PER_BATCH = 2_500  # about 110,000 entry rows per executemany and transaction
POINTS = [Decimal(n) / 100 for n in range(1001)]  # 0 to 10 in hundredths
SAVED_AT = datetime(2025, 11, 20, 8, 30, tzinfo=UTC)
ENTRY_COLUMNS = ("campaign_id", "unit_id", "criterion_code", "stage", "inputs", "points")
ENTRY_COLUMNS += ("revision", "saved_at", "updated_at")
TOTAL_COLUMNS = ("campaign_id", "unit_id", "total", "total_max", "self_total", "unscored", "verified")
TOTAL_COLUMNS += ("self_submitted_at", "updated_at")


def campaign_yaml() -> str:
    """A campaign for the district's communes: 4 indicators of 10 criteria of 10 points, a few deductions."""
    indicators = []
    for number, code in enumerate(INDICATORS, 1):
        criteria = []
        for n in range(1, CRITERIA_PER_INDICATOR + 1):
            criteria.append(f"      - code: {code}.{n}\n        name: Tiêu chí {code}.{n}\n")
            criteria.append("        max_points: 10\n")
            if n % 4 == 1:
                criteria.append(
                    "        deductions:\n"
                    "          - reason: Để xảy ra vụ việc\n"
                    "            points: 1\n"
                    "            per: incident\n"
                )
        indicators.append(f"  - code: {code}\n    name: Chỉ tiêu {number}\n    criteria:\n")
        indicators += criteria
    return (
        "code: bench_scoring\n"
        "name: Chấm điểm thi đua các xã\n"
        "year: 2025\n"
        "period_start: 2025-01-01\n"
        "period_end: 2025-12-31\n"
        "organizer: ROOT\n"
        "scope: [ROOT]\n"
        "eligible_kinds: [commune]\n"
        "titles:\n"
        "  - code: CO\n"
        "    name: Cờ thi đua\n"
        "deadlines:\n"
        "  - kind: registration\n"
        "    due: 2025-02-28\n"
        "  - kind: evidence\n"
        "    due: 2025-12-31\n"
        "indicators:\n" + "".join(indicators)
    )


Scores = tuple[list[int], dict[int, int]]  # self-scores in hundredths by criterion; verified ones by index


def _unit_scores(rng: random.Random) -> Scores:
    """Random self-scores of the 40 criteria; for a quarter of the units, lower verified scores of 10."""
    own = rng.choices(range(len(POINTS)), k=len(CODES))
    verified: dict[int, int] = {}
    if rng.random() < 0.25:
        for index in rng.sample(range(len(CODES)), VERIFIED_PER_UNIT):
            verified[index] = max(0, own[index] - rng.randrange(300))
    return own, verified


class Stored:
    """Values as their columns' own bind processors store them, each rendered once instead of per row."""

    def __init__(self, dialect: Dialect, campaign_id: int) -> None:
        entry = ScoreEntry.__table__.c
        self.campaign_id = campaign_id
        self.at = entry.saved_at.type.bind_processor(dialect)(SAVED_AT)
        self.no_inputs = entry.inputs.type.bind_processor(dialect)({})
        self.stages = {stage: entry.stage.type.bind_processor(dialect)(stage) for stage in ScoreStage}
        self.decimal = entry.points.type.bind_processor(dialect)
        self.points = [self.decimal(value) for value in POINTS]

    def entry(self, unit_id: int, code: str, stage: ScoreStage, hundredths: int) -> tuple[Any, ...]:
        """A score entry row, in ENTRY_COLUMNS order."""
        stored = (self.stages[stage], self.no_inputs, self.points[hundredths], 1, self.at, self.at)
        return (self.campaign_id, unit_id, code, *stored)

    def total(self, unit_id: int, scores: Scores) -> tuple[Any, ...]:
        """A unit's total row, in TOTAL_COLUMNS order: verified points where there are some, else its own."""
        own, verified = scores
        total = sum(own) + sum(value - own[index] for index, value in verified.items())
        figures = (Decimal(total) / 100, Decimal(10 * len(CODES)), Decimal(sum(own)) / 100)
        return (self.campaign_id, unit_id, *map(self.decimal, figures), 0, len(verified), self.at, self.at)


def _score_rows(
    stored: Stored, first_unit: int, count: int, rng: random.Random
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Entry and total rows of `count` units, UNITS_PER_BATCH units at a time."""
    entries: list[tuple[Any, ...]] = []
    totals: list[tuple[Any, ...]] = []
    scores: Scores = ([], {})
    for n in range(count):
        unit_id = first_unit + n
        tie = n % CLUSTER_SIZE == 1 and rng.random() < 0.5  # the cluster's second unit scores as its first
        scores = scores if tie else _unit_scores(rng)
        own, verified = scores
        entries += (stored.entry(unit_id, CODES[i], ScoreStage.self_score, p) for i, p in enumerate(own))
        entries += (stored.entry(unit_id, CODES[i], ScoreStage.verified, p) for i, p in verified.items())
        totals.append(stored.total(unit_id, scores))
        if len(totals) == UNITS_PER_BATCH or n == count - 1:
            yield entries, totals
            entries, totals = [], []


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """An INSERT of these columns with qmark parameters, for the driver's executemany."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def _unsynced(dbapi_connection: Any, _record: Any) -> None:
    """Generation only: no fsync (runs after the project's own connect listener, which sets NORMAL)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


async def generate(path: Path, count: int, seed: int) -> int:
    """A database of `count` scored communes in clusters of CLUSTER_SIZE; returns the campaign id."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    event.listen(database.engine.sync_engine, "connect", _unsynced)
    await upgrade(database)
    async with database.unit_of_work() as uow:
        uow.units.add(
            Unit(id=ROOT_ID, code="ROOT", name="Huyện Thử", kind=UnitKind.district, search_text=" huyen thu ")
        )
        await uow.flush()
        campaign_id = (await save_campaign(uow, None, parse_campaign_yaml(campaign_yaml()))).id
    first = ROOT_ID + 1
    units = [
        {
            "id": first + n,
            "code": f"X{n:06d}",
            "name": f"Xã {n}",
            "kind": UnitKind.commune,
            "parent_id": ROOT_ID,
            "search_text": f" xa {n} ",
            "created_at": SAVED_AT,
        }
        for n in range(count)
    ]
    clusters = [
        {"id": k + 1, "code": f"C{k:05d}", "name": f"Cụm {k:05d}", "lead_unit_id": first + k * CLUSTER_SIZE}
        for k in range(count // CLUSTER_SIZE)
    ]
    members = [{"cluster_id": n // CLUSTER_SIZE + 1, "unit_id": first + n} for n in range(count)]
    async with database.engine.begin() as connection:
        for table, rows in ((Unit, units), (Cluster, clusters), (ClusterMember, members)):
            for start in range(0, len(rows), 50_000):
                await connection.execute(insert(table), rows[start : start + 50_000])
    # Millions of entries go through the driver's executemany with values already in stored form: insert()
    # would bind every row's datetimes, JSON and decimals again, so 100,000 units took about 3 minutes.
    stored = Stored(database.engine.dialect, campaign_id)
    entry_sql = _insert_sql(ScoreEntry.__tablename__, ENTRY_COLUMNS)
    total_sql = _insert_sql(ScoreTotal.__tablename__, TOTAL_COLUMNS)
    for entries, totals in _score_rows(stored, first, count, random.Random(seed)):
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(entry_sql, entries)
            await connection.exec_driver_sql(total_sql, totals)
    await database.dispose()
    return campaign_id


def check_ranking(groups: list[Group], count: int) -> None:
    """Every unit ranked once, one group per cluster ranked from 1 in order, ties sharing a rank."""
    ranked = [standing for group in groups for standing in group.standings]
    assert len(ranked) == count and len({s.unit_id for s in ranked}) == count, "every unit ranked once"
    assert len(groups) == count // CLUSTER_SIZE, "one group per cluster"
    for group in groups:
        ranks = [s.rank for s in group.standings]
        assert len(ranks) == CLUSTER_SIZE and ranks[0] == 1 and ranks == sorted(ranks), group.name
        assert all(s.of == CLUSTER_SIZE for s in group.standings), group.name
    assert any(s.tied for s in ranked), "the data has ties"


async def ranking_ms(database: Database, campaign_id: int, count: int) -> tuple[float, list[Group]]:
    """Best time of `campaign_groups` over RANKING_RUNS runs, each in a fresh unit of work."""
    best, groups = float("inf"), []
    for _ in range(RANKING_RUNS):
        started = time.perf_counter()
        async with database.unit_of_work() as uow:
            groups = await campaign_groups(uow, campaign_id)
        best = min(best, time.perf_counter() - started)
        check_ranking(groups, count)
    return best * 1000, groups


async def sheet_s(database: Database, campaign_id: int, groups: list[Group]) -> float:
    """Time to write the score sheet of every group."""
    started = time.perf_counter()
    async with database.unit_of_work() as uow:
        campaign = await uow.campaigns.get(campaign_id)
        assert campaign is not None
        data = await score_sheet_of(uow, campaign, groups, lambda text: text, "Bench")
    elapsed = time.perf_counter() - started
    assert data.startswith(b"PK") and len(data) > 1000, "an .xlsx file"
    return elapsed


def ranking_process(path: Path, campaign_id: int, count: int) -> dict[str, float]:
    """The figures of a fresh process that only opens the database at `path` and ranks it."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--rank-only",
        str(path),
        str(campaign_id),
        str(count),
    ]
    project = Path(__file__).resolve().parent.parent
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=project).stdout
    figures = {key: float(value) for key, value in (line.split(": ") for line in output.splitlines())}
    assert figures["units"] == count, "the fresh process ranked every unit"
    return figures


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB."""
    # On Linux VmHWM, not ru_maxrss: a child's ru_maxrss keeps its parent's peak across fork and exec, so the
    # bench's own memory from generating the data would be reported as the ranking's.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, kilobytes elsewhere


async def rank_only(path: str, campaign_id: int, count: int) -> None:
    """In the fresh process: rank (best of 3, checked); print the time, units ranked and peak RSS."""
    before = peak_rss_mb()
    settle_startup_objects()  # as the bot does once it has started
    database = Database(f"sqlite+aiosqlite:///{path}")
    elapsed, groups = await ranking_ms(database, campaign_id, count)
    await database.dispose()
    print(f"ranking_ms: {elapsed:.3f}")
    print(f"units: {sum(len(group.standings) for group in groups)}")
    print(f"rss_before_mb: {before:.1f}")
    print(f"peak_rss_mb: {peak_rss_mb():.1f}")


def growth(times: list[float]) -> float:
    """The larger of the tenfold steps' time ratios."""
    return max(later / earlier for earlier, later in zip(times, times[1:], strict=False))


async def main(quick: bool) -> None:
    """Generate, rank and write the sheet at each size, then print the figures."""
    logging.disable(logging.WARNING)
    sizes = QUICK_SIZES if quick else SIZES
    ranking: list[float] = []
    sheets: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes:
            path = Path(folder) / f"scores{count}.db"
            campaign_id = await generate(path, count, seed=count)
            # Ranked in a fresh process, as a bot would: generating the data leaves this one's heap and
            # garbage collector in a state no bot is in.
            figures = ranking_process(path, campaign_id, count)
            ranking.append(figures["ranking_ms"])
            if len(sheets) < SHEET_SIZES:
                database = Database(f"sqlite+aiosqlite:///{path}")
                async with database.unit_of_work() as uow:
                    groups = await campaign_groups(uow, campaign_id)
                sheets.append(await sheet_s(database, campaign_id, groups))
                await database.dispose()
        largest = figures
    for count, elapsed in zip(sizes, ranking, strict=True):
        print(f"ranking_{count}_ms: {elapsed:.1f}")
    print(f"ranking_growth_ratio: {growth(ranking):.2f}")
    print(f"ranking_units_per_s: {sizes[-1] / ranking[-1] * 1000:.0f}")
    print(f"ranking_peak_rss_mb: {largest['peak_rss_mb']:.1f}")
    print(f"ranking_rss_before_mb: {largest['rss_before_mb']:.1f}")
    for count, elapsed in zip(sizes, sheets, strict=False):  # the sheet: the smaller sizes only
        print(f"sheet_{count}_s: {elapsed:.2f}")
    print(f"sheet_growth_ratio: {growth(sheets):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 / 2,000 / 20,000 units")
    parser.add_argument(
        "--rank-only",
        nargs=3,
        metavar=("DB", "CAMPAIGN", "UNITS"),
        help="rank a database, print time and RSS",
    )
    arguments = parser.parse_args()
    if arguments.rank_only:
        asyncio.run(
            rank_only(arguments.rank_only[0], int(arguments.rank_only[1]), int(arguments.rank_only[2]))
        )
    else:
        asyncio.run(main(arguments.quick))
