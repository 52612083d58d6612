"""The durable outbox: queued once per key, drained at a set pace, every Telegram outcome recorded."""

from __future__ import annotations

import asyncio

import pytest
from telegram.ext import ExtBot

from fake_bot_api import FakeBotApi
from schedules.outbox import OutboxDrain
from schedules.rate_limits import ChatSpacing, GlobalPace, GroupWindow
from storage.models import OutboxMessage, OutboxStatus, Person, utcnow
from storage.outbox import OutboxRepository, Outgoing
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


async def eventually(condition, timeout: float = 30.0) -> None:  # noqa: ASYNC109 - a guard, not a check
    """Wait until `condition()` (plain or async) holds."""
    async with asyncio.timeout(timeout):
        while True:
            result = condition()
            if (await result) if asyncio.iscoroutine(result) else result:
                return
            await asyncio.sleep(0.02)


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


async def test_global_pace_keeps_its_schedule_after_a_late_wakeup():
    clock = [0.0]
    pace = GlobalPace(rate=10, clock=lambda: clock[0])
    await pace.wait_turn()
    clock[0] = 0.15  # the turn due at 0.1 is taken late
    await pace.wait_turn()
    assert pace.next_slot == pytest.approx(0.2)  # not 0.25: a busy event loop does not lower the rate
    clock[0] = 10.0  # after an idle spell no turn is made up: no burst
    await pace.wait_turn()
    assert pace.next_slot == pytest.approx(10.1)
    pace.pause(2)
    clock[0] = 12.0
    await pace.wait_turn()
    assert pace.next_slot == pytest.approx(12.1)
    assert pace.try_turn() == pytest.approx(0.1)


def test_global_pace_makes_up_a_stall_without_exceeding_the_rate_in_any_second():
    clock = 0.0
    pace = GlobalPace(rate=10, clock=lambda: clock)
    turns = []
    while clock < 5.0:
        if 1.0 <= clock < 1.6:  # the event loop is stuck for 0.6 s
            clock = 1.6
        wait = pace.try_turn()
        if wait == 0:
            turns.append(clock)
        clock += wait
    assert 47 <= len(turns) <= 50  # 50 without the stall, 44 if none of its 6 turns were made up
    assert max(sum(start <= t < start + 1.0 for t in turns) for start in turns) <= 10
    assert min(b - a for a, b in zip(turns, turns[1:], strict=False)) >= 0.05 - 1e-9  # twice the pace at most


def test_group_window_delay_reserves_nothing_and_forgets_quiet_groups():
    clock = [0.0]
    window = GroupWindow(limit=2, clock=lambda: clock[0])
    assert window.delay(-1) == window.delay(-1) == 0.0
    window.record(-1)
    window.record(-1)
    assert window.delay(-1) == pytest.approx(60.0)
    clock[0] = 60.0
    assert window.delay(-1) == 0.0 and -1 not in window.sent


def test_chat_spacing_counts_from_telegrams_answer():
    clock = [0.0]
    chats = ChatSpacing(gap=1.0, clock=lambda: clock[0])
    assert chats.wait_for(5) == 0.0
    chats.begin(5)
    assert chats.wait_for(5) == 1.0  # one at a time
    clock[0] = 3.0  # a slow answer: the gap starts now
    chats.end(5)
    assert chats.wait_for(5) == pytest.approx(1.0)
    clock[0] = 3.5
    assert chats.wait_for(5) == pytest.approx(0.5)
    chats.begin(6)
    chats.end(6, delivered=False)  # refused (429, blocked...): nothing reached the chat
    assert chats.wait_for(6) == 0.0
    clock[0] = 4.0
    chats.begin(7)
    chats.end(7)
    assert 5 not in chats.free_at and chats.wait_for(5) == 0.0  # chats past their gap are forgotten


async def test_a_busy_chat_is_skipped_without_writing_and_a_full_group_is_postponed(database, api, bot):
    group = api.group(-100701, "Nhóm thôn")
    person = api.user(14, "D")
    await queue(
        database,
        Outgoing("g:1", group.id, "một", is_group=True),
        Outgoing("g:2", group.id, "hai", is_group=True),
        Outgoing("p:1", person.id, "một"),
        Outgoing("p:2", person.id, "hai"),
    )
    drain = OutboxDrain(bot, database, group_per_minute=1)
    drain.chats.clock = lambda: 0.0  # the gap after a send never passes here
    assert await drain.drain_once() == 2
    rows = await statuses(database)
    assert rows["g:1"].status == rows["p:1"].status == OutboxStatus.sent
    assert rows["p:2"].status == OutboxStatus.pending and rows["p:2"].attempts == 0  # held, read again later
    assert (
        rows["g:2"].status == OutboxStatus.pending and rows["g:2"].attempts == 1
    )  # the group's minute is full
    assert rows["g:2"].not_before > utcnow()
    assert [m.text for m in person.messages] == [m.text for m in group.messages] == ["một"]


async def test_run_sends_each_message_once_at_telegrams_limits(database, api, bot, monkeypatch):
    monkeypatch.setattr("schedules.outbox.BATCH", 4)  # many batches read while sends are under way
    api.set_flood_limits()  # Telegram's: 30/s, 1/s per chat, 20/min per group
    group = api.group(-100800, "Nhóm huyện")
    people = [api.user(200 + n, f"P{n}") for n in range(30)]
    await queue(
        database,
        *(Outgoing(f"g:{n}", group.id, f"tin {n}", is_group=True) for n in range(3)),
        *(Outgoing(f"p:{person.id}", person.id, "chào") for person in people),
    )
    drain = OutboxDrain(bot, database)
    drain.start()
    drain.wake()
    try:
        await eventually(lambda: _all_sent(database))
    finally:
        await drain.stop()
    assert api.flood_429_count == 0
    assert [message.text for message in group.messages] == ["tin 0", "tin 1", "tin 2"]
    assert [len(person.messages) for person in people] == [1] * len(people)


async def test_stop_lets_the_sends_under_way_be_recorded(database, api, bot):
    people = [api.user(300 + n, f"Q{n}") for n in range(20)]
    await queue(database, *(Outgoing(f"q:{person.id}", person.id, "chào") for person in people))
    drain = OutboxDrain(bot, database, rate=1000)
    drain.start()
    await eventually(lambda: drain.sending)
    await drain.stop()
    rows = await statuses(database)
    assert not drain.sending
    assert any(person.messages for person in people)
    for person in people:  # whatever reached a chat is recorded; the rest stays queued
        assert (rows[f"q:{person.id}"].status == OutboxStatus.sent) == bool(person.messages)


async def test_a_failed_write_of_an_outcome_is_tried_again(database, api, bot, monkeypatch):
    person = api.user(15, "E")
    await queue(database, Outgoing("x:15", 15, "một lần"))
    monkeypatch.setattr("schedules.outbox.RECORD_RETRY_SECONDS", 0)
    original, calls = OutboxRepository.mark_sent, []

    async def flaky(self, *args):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        await original(self, *args)

    monkeypatch.setattr(OutboxRepository, "mark_sent", flaky)
    assert await OutboxDrain(bot, database).drain_once() == 1
    assert (await statuses(database))["x:15"].status == OutboxStatus.sent
    assert len(calls) == 2 and len(person.messages) == 1


async def test_an_outcome_that_cannot_be_written_is_not_sent_again(database, api, bot, monkeypatch):
    person = api.user(16, "F")
    await queue(database, Outgoing("x:16", 16, "một lần"))
    monkeypatch.setattr("schedules.outbox.RECORD_RETRY_SECONDS", 0)

    async def down(self, *args):
        raise RuntimeError("database down")

    monkeypatch.setattr(OutboxRepository, "mark_sent", down)
    drain = OutboxDrain(bot, database)
    assert await drain.drain_once() == 1
    assert await drain.drain_once() == 0  # still pending in the outbox, but this process sent it
    assert len(person.messages) == 1
    assert (await statuses(database))["x:16"].status == OutboxStatus.pending  # a restart sends it again


async def _all_sent(database) -> bool:
    return all(row.status == OutboxStatus.sent for row in (await statuses(database)).values())
