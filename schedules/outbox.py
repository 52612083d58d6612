"""The outbox drain: one worker sends queued messages at Telegram's limits and records every outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from schedules.rate_limits import GlobalPace, GroupWindow
from storage.db import Database
from storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

BATCH = 200
IDLE_POLL_SECONDS = 1.0  # picks up messages queued by another process (the CLI) without a nudge
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 600


def keyboard(buttons: list[list[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline buttons stored with a queued message (each a dict with text and callback_data or url)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(**button) for button in row] for row in buttons])


class OutboxDrain:
    """Sends due outbox messages, paced globally and per group; a restart resumes where it stopped."""

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
        self.groups = GroupWindow(group_per_minute)
        self.slots = asyncio.Semaphore(concurrency)
        self.wakeup = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """New messages were queued: look now instead of at the next poll."""
        self.wakeup.set()

    def start(self) -> None:
        """Run the drain in the background of the current event loop."""
        self.task = asyncio.get_running_loop().create_task(self.run(), name="outbox-drain")

    async def stop(self) -> None:
        """Stop after the sends under way (an unsent message stays queued for the next start)."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None

    async def run(self) -> None:
        """Drain forever: a batch of due messages at a time, then wait for a nudge or the next poll."""
        while True:
            self.wakeup.clear()  # a nudge during the batch below makes the wait return at once
            try:
                sent = await self.drain_once()
            except Exception:  # a database hiccup must not end the worker
                log.exception("outbox drain failed; retrying")
                sent = 0
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), IDLE_POLL_SECONDS)

    async def drain_once(self) -> int:
        """Send one batch of due messages; returns how many were attempted."""
        async with self.database.unit_of_work() as uow:
            batch = list(await uow.outbox.due(utcnow(), BATCH))
        tasks = []
        for message in batch:
            if message.is_group and (wait := self.groups.wait_for(message.chat_id)) > 0:
                await self._postpone(message, wait)
                continue
            await self.pace.wait_turn()
            await self.slots.acquire()
            tasks.append(asyncio.create_task(self._send(message)))
        await asyncio.gather(*tasks)
        return len(tasks)

    async def _send(self, message: OutboxMessage) -> None:
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
            await self._unreachable(message, str(error))
        except ChatMigrated as error:
            await self._migrated(message.chat_id, error.new_chat_id)
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                await self._unreachable(message, str(error))
            else:
                log.warning("outbox message %s refused by Telegram: %s", message.id, error)
                await self._record("mark_failed", message.id, str(error))
        except NetworkError as error:  # includes TimedOut: try again later, with backoff
            await self._retry_or_fail(message, str(error))
        else:
            await self._record("mark_sent", message.id, sent.message_id, utcnow())
        finally:
            self.slots.release()

    async def _record(self, method: str, *args: Any) -> None:
        """One small transaction per outcome, so a crash loses at most the sends in flight."""
        async with self.database.unit_of_work() as uow:
            await getattr(uow.outbox, method)(*args)

    async def _postpone(self, message: OutboxMessage, seconds: float) -> None:
        async with self.database.unit_of_work() as uow:
            await uow.outbox.retry_later(message.id, utcnow() + timedelta(seconds=seconds), "group limit")

    async def _unreachable(self, message: OutboxMessage, error: str) -> None:
        """The bot was blocked, removed or the chat is gone: stop trying, and show it to admins."""
        async with self.database.unit_of_work() as uow:
            await uow.outbox.mark_unreachable(message.id, error)
            if message.is_group:
                await uow.group_chats.deactivate(message.chat_id)
            else:
                await uow.people.set_active(message.chat_id, False)

    async def _migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: send there from now on (the message stays queued)."""
        async with self.database.unit_of_work() as uow:
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
