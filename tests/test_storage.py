"""Storage behaviour: UTC times, SQLite tuned for concurrent writers, migrations on an empty database."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from storage.models import Person, utcnow
from tests.conftest import POSTGRES_URL


async def test_times_come_back_aware_in_utc(database):
    local = datetime(2026, 3, 12, 8, 30, tzinfo=timezone(timedelta(hours=7)))
    async with database.unit_of_work() as uow:
        person = Person(telegram_id=1, full_name="A", created_at=local)
        uow.people.add(person)
    async with database.unit_of_work() as uow:
        stored = await uow.people.by_telegram_id(1)
    assert stored.created_at == local
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.created_at.hour == 1


async def test_naive_times_are_refused(database):
    with pytest.raises(Exception, match="naive"):
        async with database.unit_of_work() as uow:
            uow.people.add(Person(telegram_id=2, created_at=datetime(2026, 1, 1)))


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite pragmas")
async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(database):
    async with database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000


async def test_concurrent_read_then_write_transactions_do_not_fail(database):
    async with database.unit_of_work() as uow:
        uow.people.add(Person(telegram_id=3, full_name="0"))

    async def increment() -> None:
        async with database.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(3)
            await asyncio.sleep(0.005)  # hold the transaction open while others start theirs
            person.full_name = str(int(person.full_name) + 1)
            uow.audit.record(person.id, "test.increment", "person:3")

    await asyncio.gather(*(increment() for _ in range(20)))
    async with database.unit_of_work() as uow:
        assert len(await uow.audit.latest(100)) == 20
        counter = (await uow.people.by_telegram_id(3)).full_name
    if not POSTGRES_URL:  # SQLite's immediate transactions serialize writers; PostgreSQL reads committed data
        assert counter == "20"


def test_utcnow_is_aware():
    assert utcnow().tzinfo is not None
