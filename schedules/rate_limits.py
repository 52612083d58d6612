"""Pacing for Telegram's limits: a global rate with pauses after a 429, a per-group window, a per-chat gap."""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class GlobalPace:
    """Spaces sends evenly at `rate` per second, and holds everything while Telegram asks us to wait.

    Turns taken late (a busy event loop, a slow read of the outbox) are made up at up to twice the pace,
    never more than `rate` turns in any second, so the rate holds without bursts Telegram would refuse;
    after an idle spell or a pause the schedule restarts from now.
    """

    CATCH_UP_SECONDS = 1.0  # lateness made up at most; beyond that the schedule restarts

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.per_second = max(1, math.ceil(rate))
        self.clock = clock
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.recent: deque[float] = deque()  # turns of the last second

    def pause(self, seconds: float) -> None:
        """Send nothing for `seconds` (Telegram answered 429 with retry_after)."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def try_turn(self) -> float:
        """Take a turn now and return 0, or return the seconds until one may be taken."""
        now = self.clock()
        if now - self.next_slot > self.CATCH_UP_SECONDS:
            self.next_slot = now
        recent = self.recent
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        start = max(self.next_slot, self.paused_until)
        if recent:
            start = max(start, recent[-1] + self.interval / 2)
            if len(recent) >= self.per_second:
                start = max(start, recent[0] + 1.0)
        if start > now:
            return start - now
        self.next_slot += self.interval
        recent.append(now)
        return 0.0

    async def wait_turn(self) -> None:
        """Return when the next send may start."""
        while True:
            wait = self.try_turn()
            if wait <= 0:
                return
            await asyncio.sleep(wait)


class GroupWindow:
    """At most `limit` messages per group in any `period` seconds (Telegram: 20 a minute)."""

    def __init__(self, limit: int, period: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self.sent: dict[int, deque[float]] = {}

    def delay(self, chat_id: int) -> float:
        """Seconds until the group may get another message (0: now), without reserving anything."""
        window = self.sent.get(chat_id)
        if not window:
            return 0.0
        now = self.clock()
        while window and window[0] <= now - self.period:
            window.popleft()
        if not window:
            del self.sent[chat_id]  # a group seen once in a broadcast is not remembered for ever
            return 0.0
        return window[0] + self.period - now if len(window) >= self.limit else 0.0

    def record(self, chat_id: int) -> None:
        """A message to the group starts now."""
        self.sent.setdefault(chat_id, deque()).append(self.clock())

    def wait_for(self, chat_id: int) -> float:
        """Seconds until the group may get another message (0: now); reserves the slot when it is 0."""
        wait = self.delay(chat_id)
        if wait <= 0:
            self.record(chat_id)
        return wait


class ChatSpacing:
    """One message at a time per chat, and `gap` seconds from one answer of Telegram to the next send.

    Telegram allows about one message a second to a chat; counting from the answer (not from when the
    request left) keeps the gap Telegram sees at least `gap`, however long a request took to arrive.
    """

    def __init__(self, gap: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.gap = gap
        self.clock = clock
        self.busy: set[int] = set()
        self.free_at: OrderedDict[int, float] = OrderedDict()  # oldest first, so expired ones go cheaply

    def wait_for(self, chat_id: int) -> float:
        """Seconds until the chat may get another message (0: now; `gap` while one is under way)."""
        if chat_id in self.busy:
            return self.gap
        free_at = self.free_at.get(chat_id)
        return 0.0 if free_at is None else max(0.0, free_at - self.clock())

    def begin(self, chat_id: int) -> None:
        """A message to the chat is being sent."""
        self.busy.add(chat_id)

    def end(self, chat_id: int, delivered: bool = True) -> None:
        """Telegram answered: if it took the message, the next one may go `gap` seconds from now."""
        self.busy.discard(chat_id)
        if not delivered:
            return
        now = self.clock()
        self.free_at.pop(chat_id, None)
        self.free_at[chat_id] = now + self.gap
        while self.free_at and next(iter(self.free_at.values())) <= now:
            self.free_at.popitem(last=False)
