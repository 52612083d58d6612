"""The outbox drain: one worker sends queued messages at Telegram's limits and records every outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from schedules.rate_limits import ChatSpacing, GlobalPace, GroupWindow
from storage.db import Database, UnitOfWork
from storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

BATCH = 200
IDLE_POLL_SECONDS = 1.0  # picks up messages queued by another process (the CLI) without a nudge
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 600
HOLD_SECONDS = 5.0  # a chat free within this long is skipped for now; a longer wait is written to the outbox
CHAT_GAP_SECONDS = 1.05  # Telegram: about one message a second per chat
GROUP_WINDOW_MARGIN_SECONDS = 1.0  # our window starts at the send, Telegram's when the message arrives
RECORD_ATTEMPTS = 3  # tries to write one outcome
RECORD_RETRY_SECONDS = 0.5  # the first wait between them (doubling)


def keyboard(buttons: list[list[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline buttons stored with a queued message (each a dict with text and callback_data or url)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(**button) for button in row] for row in buttons])


class OutboxDrain:
    """Sends due outbox messages, paced globally, per chat and per group; a restart resumes where it stopped.

    At most `concurrency` sends are under way at once, each recorded in its own transaction as soon as
    Telegram answers, so a crash can only repeat the sends that were under way. While the sends of one
    batch are under way the next batch is read, so the pace has no gaps between batches.
    """

    def __init__(
        self,
        bot: Bot,
        database: Database,
        rate: float = 25.0,
        group_per_minute: int = 20,
        concurrency: int = 8,
    ) -> None:
        self.bot = bot
        self.database = database
        self.pace = GlobalPace(rate)
        self.groups = GroupWindow(group_per_minute, period=60.0 + GROUP_WINDOW_MARGIN_SECONDS)
        self.chats = ChatSpacing(CHAT_GAP_SECONDS)
        self.slots = asyncio.Semaphore(concurrency)
        # Outbox id -> its send, from the start until the outcome is recorded: never read as due meanwhile.
        self.sending: dict[int, asyncio.Task[None]] = {}
        self.unrecorded: set[int] = set()  # sent (maybe) but the outcome could not be written: not sent again
        self.dispatching = asyncio.Lock()  # one pass at a time picks messages (run and drain_once alike)
        self.wakeup = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """New messages were queued: look now instead of at the next poll."""
        self.wakeup.set()

    def start(self) -> None:
        """Run the drain in the background of the current event loop."""
        self.task = asyncio.get_running_loop().create_task(self.run(), name="outbox-drain")

    async def stop(self) -> None:
        """Stop after the sends under way are recorded (an unsent message stays queued for the next start)."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None
        await asyncio.gather(*self.sending.values(), return_exceptions=True)

    async def run(self) -> None:
        """Drain forever: batch after batch of due messages, then wait for a nudge, a poll or a free chat."""
        while True:
            self.wakeup.clear()  # a nudge during the batch below makes the wait return at once
            try:
                started, retry_in = await self._dispatch()
            except Exception:  # a database hiccup must not end the worker
                log.exception("outbox drain failed; retrying")
                started, retry_in = 0, IDLE_POLL_SECONDS
            if not started:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), min(max(retry_in, 0.01), IDLE_POLL_SECONDS))

    async def drain_once(self) -> int:
        """Send one batch of due messages and wait for their outcomes; returns how many were attempted."""
        tasks: list[asyncio.Task[None]] = []
        started, _retry_in = await self._dispatch(tasks)
        await asyncio.gather(*tasks)
        return started

    async def _dispatch(self, tasks: list[asyncio.Task[None]] | None = None) -> tuple[int, float]:
        """Start a send for each due message whose chat may get one now, oldest first, at the global pace.

        Returns how many sends were started and the seconds until a skipped chat is free. A message whose
        chat is free again soon is skipped for now and sent later in the batch, or read again with the next
        one; a longer wait (a group's minute is full) is written to the outbox, to be read when it is over.
        """
        async with self.dispatching:
            # Taken before the read: a send recorded during the read must not look unsent afterwards.
            skip = self.sending.keys() | self.unrecorded
            async with self.database.unit_of_work() as uow:
                due = await uow.outbox.due(utcnow(), BATCH + len(skip))
            held: list[OutboxMessage] = []
            started = 0
            for message in due:
                if message.id in skip:
                    continue
                started += await self._start_ready(held, tasks)
                wait = self._wait(message)
                if wait > HOLD_SECONDS:
                    await self._postpone(message, wait)
                elif wait > 0:
                    held.append(message)
                else:
                    await self._start(message, tasks)
                    started += 1
            started += await self._start_ready(held, tasks)
            retry_in = min((self._wait(message) for message in held), default=IDLE_POLL_SECONDS)
            return started, retry_in

    def _wait(self, message: OutboxMessage) -> float:
        """Seconds until the message's chat may get it (0: now)."""
        wait = self.chats.wait_for(message.chat_id)
        if message.is_group:
            wait = max(wait, self.groups.delay(message.chat_id))
        return wait

    async def _start_ready(self, held: list[OutboxMessage], tasks: list[asyncio.Task[None]] | None) -> int:
        """Start the skipped messages whose chat has become free, oldest first."""
        started = 0
        for message in list(held):
            if self._wait(message) <= 0:
                held.remove(message)
                await self._start(message, tasks)
                started += 1
        return started

    async def _start(self, message: OutboxMessage, tasks: list[asyncio.Task[None]] | None) -> None:
        await self.slots.acquire()
        try:
            await self.pace.wait_turn()
        except BaseException:
            self.slots.release()
            raise
        self.chats.begin(message.chat_id)
        if message.is_group:
            self.groups.record(message.chat_id)
        task = asyncio.create_task(self._send(message), name=f"outbox-send-{message.id}")
        self.sending[message.id] = task
        if tasks is not None:
            tasks.append(task)

    async def _send(self, message: OutboxMessage) -> None:
        delivered = True  # unless known otherwise
        try:
            delivered = await self._deliver(message)
        except Exception:
            self.unrecorded.add(message.id)
            log.exception(
                "outcome of outbox message %s not recorded; not sent again until a restart", message.id
            )
        finally:
            self.chats.end(message.chat_id, delivered)
            self.sending.pop(message.id, None)
            self.slots.release()

    async def _deliver(self, message: OutboxMessage) -> bool:
        """Send one message and record the outcome; returns whether Telegram took the message."""
        try:
            sent = await self.bot.send_message(
                message.chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message.buttons),
            )
        except RetryAfter as error:
            seconds = _seconds(error.retry_after)
            self.pace.pause(seconds)
            await self._record("retry_later", message.id, utcnow() + timedelta(seconds=seconds), str(error))
        except Forbidden as error:
            await self._write(partial(self._unreachable, message=message, error=str(error)))
        except ChatMigrated as error:
            await self._write(
                partial(self._migrated, old_chat_id=message.chat_id, new_chat_id=error.new_chat_id)
            )
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                await self._write(partial(self._unreachable, message=message, error=str(error)))
            else:
                log.warning("outbox message %s refused by Telegram: %s", message.id, error)
                await self._record("mark_failed", message.id, str(error))
        except TelegramError as error:  # NetworkError, TimedOut or anything unforeseen: retry, with backoff
            await self._retry_or_fail(message, str(error))
        else:
            await self._record("mark_sent", message.id, sent.message_id, utcnow())
            return True
        return False

    async def _write(self, work: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """One small transaction per outcome, so a crash loses at most the sends in flight.

        A failing database is tried again a few times: giving up leaves a sent message looking unsent.
        """
        for attempt in range(RECORD_ATTEMPTS):
            try:
                async with self.database.unit_of_work() as uow:
                    await work(uow)
                return
            except Exception:
                if attempt + 1 == RECORD_ATTEMPTS:
                    raise
                log.warning("recording an outbox outcome failed; trying again", exc_info=True)
                await asyncio.sleep(RECORD_RETRY_SECONDS * 2**attempt)

    async def _record(self, method: str, *args: Any) -> None:
        await self._write(lambda uow: getattr(uow.outbox, method)(*args))

    async def _postpone(self, message: OutboxMessage, seconds: float) -> None:
        async with self.database.unit_of_work() as uow:
            await uow.outbox.retry_later(message.id, utcnow() + timedelta(seconds=seconds), "group limit")

    @staticmethod
    async def _unreachable(uow: UnitOfWork, message: OutboxMessage, error: str) -> None:
        """The bot was blocked, removed or the chat is gone: stop trying, and show it to admins."""
        await uow.outbox.mark_unreachable(message.id, error)
        if message.is_group:
            await uow.group_chats.deactivate(message.chat_id)
        else:
            await uow.people.set_active(message.chat_id, False)

    @staticmethod
    async def _migrated(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: send there from now on (the message stays queued)."""
        await uow.outbox.retarget(old_chat_id, new_chat_id)
        await uow.group_chats.migrate(old_chat_id, new_chat_id)

    async def _retry_or_fail(self, message: OutboxMessage, error: str) -> None:
        if message.attempts + 1 >= MAX_ATTEMPTS:
            await self._record("mark_failed", message.id, error)
            return
        delay = min(2 ** (message.attempts + 1), MAX_BACKOFF_SECONDS)
        await self._record("retry_later", message.id, utcnow() + timedelta(seconds=delay), error)


def _seconds(retry_after: int | float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
