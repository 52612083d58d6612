"""Evidence benchmarks: near-duplicate lookup as the archive grows, and albums grouped into one submission.

- Perceptual duplicate lookup against 10,000 and 100,000 stored picture hashes, through the same query and
  Hamming filter the reviewer's card uses: the time per lookup at each size and their ratio (an indexed band
  lookup, not a scan, keeps it near 1; goal ≤ 3).
- 10-photo albums sent with jittered arrival through the real bot and the fake Bot API: the share of albums
  that end up as one draft of 10 files acknowledged by one answer (goal ≥ 0.99).
Usage: python bench/evidence.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from PIL import Image
from sqlalchemy import delete, insert

from bot.app import build_application
from bot.config import load_settings
from bot.services.access import Actor
from bot.services.campaign_file import parse_campaign_yaml
from bot.services.campaigns import launch_campaign, save_campaign
from bot.services.media import NEAR_DISTANCE, bands, hamming, to_signed
from bot.services.registrations import register
from bot.services.unit_import import UnitRow, import_units
from fake_bot_api import FakeBotApi
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Evidence, EvidenceItem, Membership, OutboxMessage, Person, Role, Unit, UnitKind
from storage.outbox import Outgoing

TOKEN = "123456:BENCHMARK-TOKEN-0002"
LOOKUPS = 300
ALBUM_SIZE = 10
ALBUMS_AT_ONCE = 20


async def stored_hashes(database: Database, count: int, rng: random.Random) -> list[int]:
    """`count` picture rows with random 64-bit hashes; returns the hashes."""
    async with database.unit_of_work() as uow:
        unit = Unit(code="U", name="Thôn", kind=UnitKind.village, search_text=" thon ")
        uow.units.add(unit)
        await uow.flush()
        evidence = Evidence(unit_id=unit.id, criterion_code="I.1", status="submitted")
        uow.evidence.add(evidence)
        await uow.flush()
        evidence_id = evidence.id
    hashes = [rng.getrandbits(64) for _ in range(count)]
    for start in range(0, count, 5000):
        rows = []
        for n, value in enumerate(hashes[start : start + 5000], start):
            b = bands(value)
            rows.append(
                {
                    "evidence_id": evidence_id,
                    "kind": "photo",
                    "telegram_file_id": f"f{n}",
                    "file_unique_id": f"u{n}",
                    "sha256": f"{n:064x}",
                    "media_key": f"k{n}",
                    "size": 1,
                    "phash": to_signed(value),
                    "band0": b[0],
                    "band1": b[1],
                    "band2": b[2],
                    "band3": b[3],
                }
            )
        async with database.unit_of_work() as uow:
            await uow.session.execute(insert(EvidenceItem), rows)
    return hashes


async def lookup_ms(database: Database, hashes: list[int], rng: random.Random) -> float:
    """Mean time of a near-duplicate lookup, half of them for a stored picture with a few bits changed."""
    probes = []
    for n in range(LOOKUPS):
        base = rng.choice(hashes) if n % 2 else rng.getrandbits(64)
        probes.append(base ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64)))
    found = 0
    started = time.perf_counter()
    async with database.unit_of_work() as uow:
        for probe in probes:
            for item in await uow.evidence.near_candidates(bands(probe), exclude=0):
                found += hamming(to_signed(probe), item.phash) <= NEAR_DISTANCE
    elapsed = time.perf_counter() - started
    assert found >= LOOKUPS // 2, "planted near duplicates must be found"
    return elapsed / LOOKUPS * 1000


async def duplicate_lookup(folder: Path) -> tuple[float, float]:
    rng = random.Random(7)
    times = []
    for count in (10_000, 100_000):
        database = Database(f"sqlite+aiosqlite:///{folder / f'dups{count}.db'}")
        await upgrade(database)
        hashes = await stored_hashes(database, count, rng)
        await lookup_ms(database, hashes, rng)  # warm the cache
        times.append(await lookup_ms(database, hashes, rng))
        await database.dispose()
    return times[0], times[1]


def tiny_jpeg(seed: int) -> bytes:
    image = Image.new("RGB", (64, 48), (seed % 256, (seed * 7) % 256, (seed * 13) % 256))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


async def albums(folder: Path, runs: int) -> float:
    """Share of albums that become one draft of ALBUM_SIZE files with a single acknowledgement."""
    database = Database(f"sqlite+aiosqlite:///{folder / 'albums.db'}")
    await upgrade(database)
    heads = await _registered_heads(database, runs)
    rng = random.Random(11)
    async with FakeBotApi(token=TOKEN, bot_username="bench_bot") as api:
        settings = load_settings(
            {
                "THIDUA_BOT_TOKEN": TOKEN,
                "THIDUA_BOT_API_URL": api.url,
                "THIDUA_DATABASE_URL": database.url,
                "THIDUA_MEDIA_DIR": str(folder / "media"),
            }
        )
        application = build_application(settings, database)
        await application.initialize()
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        grouped = 0
        for start in range(0, runs, ALBUMS_AT_ONCE):
            batch = heads[start : start + ALBUMS_AT_ONCE]
            results = await asyncio.gather(*(_one_album(api, database, tid, rng) for tid in batch))
            grouped += sum(results)
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    await database.dispose()
    return grouped / runs


async def _one_album(api: FakeBotApi, database: Database, telegram_id: int, rng: random.Random) -> bool:
    person = api.user(telegram_id, f"Trưởng thôn {telegram_id}")
    for n in range(ALBUM_SIZE):
        await asyncio.sleep(rng.uniform(0, 0.25))  # phones upload album photos one by one, unevenly
        await person.send_photo(tiny_jpeg(telegram_id * 100 + n), media_group_id=f"album-{telegram_id}")
    try:
        await person.wait_for_text("Đã lưu", timeout=15)
    except AssertionError:
        return False
    await asyncio.sleep(2)  # a second, late answer would show here
    answers = [m.text for m in person.messages if m.text.startswith("Đã lưu")]
    async with database.unit_of_work() as uow:
        owner = await uow.people.by_telegram_id(telegram_id)
        draft = await uow.evidence.draft_of(owner.id)
        count = await uow.evidence.count_items(draft.id) if draft else 0
    return count == ALBUM_SIZE and len(answers) == 1 and answers[0].startswith(f"Đã lưu {ALBUM_SIZE} tệp")


def next_year_template() -> str:
    """The shipped model-village campaign, moved to next year so that registration is open."""
    text = (
        Path(__file__).resolve().parent.parent / "examples" / "campaigns" / "kieu_mau_2025.yaml"
    ).read_text("utf-8")
    return text.replace("2025", str(date.today().year + 1))


async def _registered_heads(database: Database, count: int) -> list[int]:
    """`count` villages with a head each, all registered for one launched campaign."""
    rows = [
        UnitRow(2, "BATO", "Huyện Ba Tơ", "Huyện"),
        UnitRow(3, "BABICH", "Xã Ba Bích", "Xã", "BATO"),
        UnitRow(4, "BALE", "Xã Ba Lễ", "Xã", "BATO"),
        UnitRow(5, "TTBATO", "Thị trấn Ba Tơ", "Thị trấn", "BATO"),
    ]
    rows += [UnitRow(6 + n, f"V{n}", f"Thôn {n}", "Thôn", "BABICH") for n in range(count)]
    today = date.today()
    async with database.unit_of_work() as uow:
        await import_units(uow, rows)
        campaign = await save_campaign(uow, None, parse_campaign_yaml(next_year_template()))
        units = await uow.units.by_codes(f"V{n}" for n in range(count))
        heads = []
        for n in range(count):
            person = Person(telegram_id=50_000 + n, full_name=f"Trưởng thôn {n}")
            uow.people.add(person)
            await uow.flush()
            uow.memberships.add(
                Membership(person_id=person.id, unit_id=units[f"V{n}"].id, role=Role.unit_head)
            )
            heads.append((person, units[f"V{n}"]))
        await uow.flush()
        await launch_campaign(
            uow, None, campaign.id, lambda c, r, a: Outgoing(f"l:{r.chat_id}", r.chat_id, "x")
        )
        title = next(t.id for t in await uow.campaigns.titles(campaign.id) if t.code == "THON-KM")
        for person, _unit in heads:
            await register(uow, Actor(person), campaign.id, title, today)
        await uow.session.execute(delete(OutboxMessage))  # the launch announcements are not measured here
    return [person.telegram_id for person, _unit in heads]


async def main(quick: bool) -> None:
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small, large = await duplicate_lookup(folder)
        runs = 20 if quick else 200
        rate = await albums(folder, runs)
    print(f"dup_lookup_10k_ms: {small:.3f}")
    print(f"dup_lookup_100k_ms: {large:.3f}")
    print(f"dup_lookup_growth_ratio: {large / small:.2f}")
    print(f"album_runs: {runs}")
    print(f"album_grouping_rate: {rate:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 albums instead of 200")
    asyncio.run(main(parser.parse_args().quick))
