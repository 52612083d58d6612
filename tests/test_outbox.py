"""The durable outbox: queued once per key, drained at a set pace, every Telegram outcome recorded."""

from __future__ import annotations

import asyncio

import pytest
from telegram.ext import ExtBot

from fake_bot_api import FakeBotApi
from schedules.outbox import OutboxDrain
from schedules.rate_limits import GlobalPace, GroupWindow
from storage.models import OutboxMessage, OutboxStatus, Person
from storage.outbox import Outgoing
from tests.harness import TOKEN


@pytest.fixture
async def api():
    async with FakeBotApi(token=TOKEN, bot_username="thidua_test_bot") as fake:
        yield fake


@pytest.fixture
async def bot(api):
    async with ExtBot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as ext_bot:
        yield ext_bot


async def queue(database, *messages: Outgoing) -> int:
    async with database.unit_of_work() as uow:
        return await uow.outbox.enqueue(messages)


async def statuses(database) -> dict[str, OutboxMessage]:
    async with database.unit_of_work() as uow:
        rows = await uow.session.scalars(__import__("sqlalchemy").select(OutboxMessage))
        return {row.dedupe_key: row for row in rows}


async def test_a_key_is_queued_once(database):
    first = await queue(database, Outgoing("k1", 1, "a"), Outgoing("k2", 2, "b"))
    again = await queue(database, Outgoing("k1", 1, "a"), Outgoing("k3", 3, "c"))
    assert (first, again) == (2, 1)


async def test_drain_sends_with_buttons_and_records_the_message_id(database, api, bot):
    person = api.user(11, "A")
    await queue(
        database,
        Outgoing("hello:11", 11, "Xin <b>chào</b>", [[{"text": "✅ Đã nhận", "callback_data": "ack:1"}]]),
    )
    assert await OutboxDrain(bot, database).drain_once() == 1
    message = await person.wait_for_text("Xin chào")
    assert message.button_texts() == ["✅ Đã nhận"]
    row = (await statuses(database))["hello:11"]
    assert row.status == OutboxStatus.sent and row.message_id == message.message_id
    assert await OutboxDrain(bot, database).drain_once() == 0  # nothing is sent twice


async def test_blocked_bot_marks_the_chat_unreachable_and_the_person_inactive(database, api, bot):
    api.user(12, "B")
    api.block(12)
    async with database.unit_of_work() as uow:
        uow.people.add(Person(telegram_id=12, full_name="B"))
    await queue(database, Outgoing("x:12", 12, "hi"))
    await OutboxDrain(bot, database).drain_once()
    assert (await statuses(database))["x:12"].status == OutboxStatus.unreachable
    async with database.unit_of_work() as uow:
        assert (await uow.people.by_telegram_id(12)).active is False


async def test_migrated_group_is_followed(database, api, bot):
    group = api.group(-500, "Nhóm thôn", type="group")
    new = await api.migrate_group(group, -100500)
    await queue(database, Outgoing("g:-500", -500, "thông báo", is_group=True))
    drain = OutboxDrain(bot, database)
    await drain.drain_once()  # ChatMigrated: re-targeted, still queued
    await drain.drain_once()
    await new.wait_for_text("thông báo")
    row = (await statuses(database))["g:-500"]
    assert row.chat_id == -100500 and row.status == OutboxStatus.sent


async def test_retry_after_pauses_and_the_message_goes_out_later(database, api, bot):
    people = [api.user(100 + n, f"U{n}") for n in range(3)]
    api.set_flood_limits(global_per_second=1, per_chat_per_second=None, per_group_per_minute=None)
    await queue(database, *(Outgoing(f"r:{p.id}", p.id, "tin") for p in people))
    drain = OutboxDrain(bot, database, rate=100)  # faster than the server allows, on purpose
    await drain.drain_once()
    rows = await statuses(database)
    assert api.flood_429_count >= 1
    assert any(row.status == OutboxStatus.pending and row.attempts == 1 for row in rows.values())
    assert drain.pace.paused_until > 0
    api.set_flood_limits(None)
    for row in rows.values():  # let the retry be due now
        async with database.unit_of_work() as uow:
            await uow.outbox.retry_later(row.id, row.created_at, "test")
    drain.pace.paused_until = 0
    await drain.drain_once()
    assert all(row.status == OutboxStatus.sent for row in (await statuses(database)).values())


async def test_unknown_chat_is_unreachable_and_bad_html_fails(database, api, bot):
    await queue(database, Outgoing("nobody", 424242, "hi"), Outgoing("bad", 13, "<b>unclosed"))
    api.user(13, "C")
    await OutboxDrain(bot, database).drain_once()
    rows = await statuses(database)
    assert rows["nobody"].status == OutboxStatus.unreachable
    assert rows["bad"].status == OutboxStatus.failed and "parse" in rows["bad"].last_error


async def test_global_pace_spaces_sends_and_pauses():
    clock = [0.0]
    pace = GlobalPace(rate=10, clock=lambda: clock[0])
    await pace.wait_turn()
    assert pace.next_slot == pytest.approx(0.1)
    pace.pause(2)
    waiting = asyncio.create_task(pace.wait_turn())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    clock[0] = 2.0
    await asyncio.wait_for(waiting, 2)


def test_group_window_allows_twenty_a_minute():
    clock = [0.0]
    window = GroupWindow(limit=20, clock=lambda: clock[0])
    assert [window.wait_for(-1) for _ in range(20)] == [0.0] * 20
    assert window.wait_for(-1) == pytest.approx(60.0)
    assert window.wait_for(-2) == 0.0
    clock[0] = 60.0
    assert window.wait_for(-1) == 0.0
