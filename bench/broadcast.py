"""A broadcast through the durable outbox at Telegram's limits: rate, 429s, reply latency, and a crash.

Part one: the outbox drain sends to many chats (5% of them groups, a few groups getting several messages)
against the fake Bot API with Telegram-like flood limits (30/s in all, 1/s per chat, 20/min per group).
`broadcast_rate_ratio` is the achieved sends per second over the drain's cap; `broadcast_429_count` the
429s the fake answered. Meanwhile simulated people write to the bot, which answers them directly (not via
the outbox) with the same Bot and HTTP pool as the drain: `reply_p95_ratio` is the 95th percentile of that
round trip during the broadcast over the same percentile measured idle, in the same run.
Part two: the drain runs in a separate process on a shared SQLite file and is killed (SIGKILL) in the
middle of a broadcast, then restarted until the outbox is empty. `crash_in_flight` counts messages the fake
had received that the database had not recorded as sent at the kill; `crash_missed` messages never
delivered; `crash_duplicates` extra deliveries (at most the in-flight ones).
Usage: python bench/broadcast.py [--quick] [--rate 25]  (--rate 250: a scaled run, the fake's global limit
scaled alike; its per-chat and per-group limits stay Telegram's)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import random
import re
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from fake_bot_api import FakeBotApi
from schedules.outbox import OutboxDrain
from storage.db import Database
from storage.migrate import upgrade
from storage.outbox import Outgoing

TOKEN = "123456:BENCHMARK-TOKEN-0001"
DEFAULT_RATE = 25.0  # the drain's default cap
TELEGRAM_GLOBAL_PER_SECOND = 30  # the fake's global limit at the default cap; scaled with --rate
GROUP_SHARE = 20  # one chat in 20 is a group
MULTI_GROUPS = 10  # groups (at most) that get several messages
MESSAGES_PER_MULTI_GROUP = 3
PROBE_PEOPLE = 200  # people who write to the bot; each writes at most once every few seconds
IDLE_PROBES = 200  # half before the broadcast, half after, so a passing disturbance weighs on both
IDLE_PROBE_GAP = (0.05, 0.15)  # seconds between idle probes
BUSY_PROBE_GAP = (0.8, 1.2)  # during the broadcast: about a reply a second, in the 5/s the cap leaves free
CRASH_RATE = 100.0  # the crash part runs faster, with the fake's global limit scaled to match
CRASH_KILL_AT = 0.4  # share of the crash broadcast taken by the fake when the drain is killed


@dataclass(frozen=True)
class Plan:
    """The messages of one broadcast, in queue order, and the texts each chat must end up with."""

    messages: list[Outgoing]
    groups: int
    expected: dict[int, Counter[str]]


def plain(html: str) -> str:
    """A message's text as the fake stores it (tags parsed away)."""
    return re.sub(r"<[^>]+>", "", html)


def plan(api: FakeBotApi, chats: int, tag: str, seed: int) -> Plan:
    """Register `chats` chats with the fake (5% groups) and the messages to queue, in queue order."""
    rng = random.Random(seed)
    groups = chats // GROUP_SHARE
    targets = [(-1_000_000_000_000 - n, True) for n in range(groups)]
    targets += [(1_000_000 + n, False) for n in range(chats - groups)]
    rng.shuffle(targets)
    first_groups = [chat_id for chat_id, is_group in targets if is_group][:MULTI_GROUPS]
    multi = set(first_groups)  # early in the queue, so their later messages fall amid the others
    messages = []
    for chat_id, is_group in targets:
        if is_group:
            api.group(chat_id, f"Nhóm {-chat_id}")
        else:
            api.user(chat_id, f"Người {chat_id}")
        for part in range(MESSAGES_PER_MULTI_GROUP if chat_id in multi else 1):
            key = f"{tag}:{chat_id}:{part}"
            messages.append(Outgoing(key, chat_id, f"Thông báo <b>{key}</b>", is_group=is_group))
    expected: dict[int, Counter[str]] = {}
    for message in messages:
        expected.setdefault(message.chat_id, Counter())[plain(message.text)] += 1
    return Plan(messages, groups, expected)


def received(api: FakeBotApi, chat_ids: list[int]) -> dict[int, Counter[str]]:
    """The texts the fake holds in each chat."""
    return {
        chat_id: Counter(m.text for m in api.state.chats[chat_id].bot_messages.values())
        for chat_id in chat_ids
    }


def delivered(api: FakeBotApi, chat_ids: list[int]) -> int:
    return sum(len(api.state.chats[chat_id].bot_messages) for chat_id in chat_ids)


async def queue(database: Database, messages: list[Outgoing]) -> None:
    async with database.unit_of_work() as uow:
        await uow.outbox.enqueue(messages)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


async def pong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot answers a person at once, outside the outbox (after a 429, once more when told to)."""
    text = update.effective_message.text.replace("ping", "pong")
    try:
        await update.effective_message.reply_text(text)
    except RetryAfter as error:  # counted in broadcast_429_count; the wait shows in the reply's time
        await asyncio.sleep(error.retry_after if isinstance(error.retry_after, int | float) else 1)
        await update.effective_message.reply_text(text)


class Prober:
    """Simulated people writing to the bot one at a time; records each reply's round trip."""

    def __init__(self, api: FakeBotApi) -> None:
        self.people = [api.user(9_000_000 + n, f"Khách {n}") for n in range(PROBE_PEOPLE)]
        self.count = 0

    async def one(self) -> float:
        person = self.people[self.count % len(self.people)]
        self.count += 1
        started = time.perf_counter()
        await person.send(f"ping {self.count}")
        await person.wait_for_text(f"pong {self.count}", timeout=30)
        return (time.perf_counter() - started) * 1000

    async def series(
        self,
        gap: tuple[float, float],
        rng: random.Random,
        count: int | None = None,
        until: asyncio.Event | None = None,
    ) -> list[float]:
        samples: list[float] = []
        while (count is None or len(samples) < count) and not (until is not None and until.is_set()):
            samples.append(await self.one())
            await asyncio.sleep(rng.uniform(*gap))
        return samples


async def broadcast_part(chats: int, rate: float, folder: Path) -> None:
    """Part one: rate, 429s and reply latency of one broadcast."""
    async with FakeBotApi(token=TOKEN, bot_username="bench_bot") as api:
        api.set_flood_limits(global_per_second=math.floor(TELEGRAM_GLOBAL_PER_SECOND * rate / DEFAULT_RATE))
        broadcast = plan(api, chats, "b", seed=1)
        chat_ids = list(broadcast.expected)
        prober = Prober(api)
        database = Database(f"sqlite+aiosqlite:///{folder / 'broadcast.db'}")
        await upgrade(database)
        application = (
            ApplicationBuilder().token(TOKEN).base_url(api.base_url).concurrent_updates(True).build()
        )
        application.add_handler(MessageHandler(filters.TEXT, pong))
        drain = OutboxDrain(application.bot, database, rate=rate)
        await application.initialize()
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        drain.start()  # idle: nothing queued, as in production between broadcasts
        rng = random.Random(2)
        try:
            await prober.series(IDLE_PROBE_GAP, rng, count=20)  # warm-up
            idle = await prober.series(IDLE_PROBE_GAP, rng, count=IDLE_PROBES // 2)
            await queue(database, broadcast.messages)
            finished = asyncio.Event()
            busy_task = asyncio.create_task(prober.series(BUSY_PROBE_GAP, rng, until=finished))
            started = time.perf_counter()
            drain.wake()
            total = len(broadcast.messages)
            while (count := delivered(api, chat_ids)) < total:  # coarse polls, then fine ones near the end
                await asyncio.sleep(0.5 if total - count > rate else 0.01)
                if time.perf_counter() - started > 3 * total / rate + 120:
                    raise RuntimeError(f"broadcast stalled: {count} of {total} delivered")
            elapsed = time.perf_counter() - started
            finished.set()
            busy = await busy_task
            flood_429 = api.flood_429_count
            idle += await prober.series(IDLE_PROBE_GAP, rng, count=IDLE_PROBES // 2)  # idle again, after
        finally:
            await drain.stop()
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
            await database.dispose()
    wrong = sum(
        (broadcast.expected[c] - got).total() + (got - broadcast.expected[c]).total()
        for c, got in received(api, chat_ids).items()
    )
    print(f"broadcast_chats: {chats}")
    print(f"broadcast_groups: {broadcast.groups}")
    print(f"broadcast_messages: {total}")
    print(f"broadcast_rate_cap: {rate:g}")
    print(f"broadcast_seconds: {elapsed:.1f}")
    print(f"broadcast_sends_per_s: {total / elapsed:.2f}")
    print(f"broadcast_rate_ratio: {total / elapsed / rate:.3f}")
    print(f"broadcast_429_count: {flood_429}")
    print(f"broadcast_wrong_deliveries: {wrong}")
    print(f"reply_samples_idle: {len(idle)}")
    print(f"reply_samples_busy: {len(busy)}")
    print(f"reply_p95_idle_ms: {p95(idle):.1f}")
    print(f"reply_p95_busy_ms: {p95(busy):.1f}")
    print(f"reply_p95_ratio: {p95(busy) / p95(idle):.2f}")


async def start_worker(db_path: Path, api: FakeBotApi, rate: float) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--worker",
        str(db_path),
        "--api",
        api.base_url,
        "--rate",
        str(rate),
        stdout=asyncio.subprocess.DEVNULL,
    )


class KillSwitch:
    """Kills the drain's process (SIGKILL) from inside the fake as it takes the `at`-th message.

    At that moment that message has reached "Telegram" and cannot be recorded as sent yet: the worst
    moment for a crash, and the one the duplicates are counted against.
    """

    def __init__(self, api: FakeBotApi, at: int) -> None:
        self.admit = api.state.flood.admit
        api.state.flood.admit = self  # the fake calls this for each message it is about to take
        self.at = at
        self.taken = 0
        self.pid: int | None = None
        self.fired = False

    def __call__(self, chat_id: int, is_group: bool, count: int = 1) -> None:
        self.admit(chat_id, is_group, count)  # a 429 raises here: that message is not taken
        self.taken += count
        if self.taken >= self.at and self.pid is not None and not self.fired:
            os.kill(self.pid, signal.SIGKILL)
            self.fired = True


def sent_in_database(db_path: Path) -> dict[int, Counter[str]]:
    """The texts the database records as sent, per chat."""
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT chat_id, text FROM outbox WHERE status = 'sent'").fetchall()
    sent: dict[int, Counter[str]] = {}
    for chat_id, text in rows:
        sent.setdefault(chat_id, Counter())[plain(text)] += 1
    return sent


async def crash_part(chats: int, folder: Path) -> None:
    """Part two: SIGKILL the drain's process mid-broadcast, restart it, count what went wrong."""
    db_path = folder / "crash.db"
    async with FakeBotApi(token=TOKEN, bot_username="bench_bot") as api:
        api.set_flood_limits(
            global_per_second=math.floor(TELEGRAM_GLOBAL_PER_SECOND * CRASH_RATE / DEFAULT_RATE)
        )
        broadcast = plan(api, chats, "c", seed=3)
        chat_ids = list(broadcast.expected)
        total = len(broadcast.messages)
        database = Database(f"sqlite+aiosqlite:///{db_path}")
        await upgrade(database)
        await queue(database, broadcast.messages)
        await database.dispose()
        switch = KillSwitch(api, at=round(CRASH_KILL_AT * total))
        worker = await start_worker(db_path, api, CRASH_RATE)
        switch.pid = worker.pid
        waiting = asyncio.create_task(worker.wait())
        await asyncio.wait([waiting], timeout=3 * total / CRASH_RATE + 60)
        if not switch.fired:
            if worker.returncode is None:
                worker.kill()
            raise RuntimeError("the drain process ended or stalled before the kill")
        await asyncio.sleep(0.5)  # requests the fake already read finish being handled
        at_kill = received(api, chat_ids)
        recorded = sent_in_database(db_path)
        in_flight = sum((got - recorded.get(c, Counter())).total() for c, got in at_kill.items())
        delivered_at_kill = sum(got.total() for got in at_kill.values())
        worker = await start_worker(db_path, api, CRASH_RATE)
        await asyncio.wait_for(worker.wait(), 3 * total / CRASH_RATE + 120)
        final = received(api, chat_ids)
        flood_429 = api.flood_429_count
    missed = sum((broadcast.expected[c] - final[c]).total() for c in chat_ids)
    duplicates = sum((final[c] - broadcast.expected[c]).total() for c in chat_ids)
    print(f"crash_chats: {chats}")
    print(f"crash_messages: {total}")
    print(f"crash_rate_cap: {CRASH_RATE:g}")
    print(f"crash_delivered_at_kill: {delivered_at_kill}")
    print(f"crash_429_count: {flood_429}")
    print(f"crash_in_flight: {in_flight}")
    print(f"crash_missed: {missed}")
    print(f"crash_duplicates: {duplicates}")


async def worker(db_path: str, api_url: str, rate: float) -> None:
    """The drain in its own process: runs until the outbox has nothing pending (or until killed)."""
    database = Database(f"sqlite+aiosqlite:///{db_path}")
    application = ApplicationBuilder().token(TOKEN).base_url(api_url).build()
    bot = application.bot
    await bot.initialize()
    drain = OutboxDrain(bot, database, rate=rate)
    drain.start()
    try:
        while True:
            await asyncio.sleep(0.2)
            async with database.unit_of_work() as uow:
                if await uow.outbox.next_due_at() is None:
                    break
    finally:
        await drain.stop()
        await bot.shutdown()
        await database.dispose()


async def main(quick: bool, rate: float) -> None:
    logging.disable(logging.WARNING)
    chats, crash_chats = (1_000, 300) if quick else (10_000, 2_000)
    with tempfile.TemporaryDirectory() as folder:
        await broadcast_part(chats, rate, Path(folder))
        await crash_part(crash_chats, Path(folder))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 chats (and 300 in the crash part)")
    parser.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_RATE,
        help="the drain's cap; the fake's global limit is scaled to match (default 25)",
    )
    parser.add_argument("--worker", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        logging.disable(logging.WARNING)
        asyncio.run(worker(arguments.worker, arguments.api, arguments.rate))
    else:
        asyncio.run(main(arguments.quick, arguments.rate))
