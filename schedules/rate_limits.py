"""Pacing for Telegram's limits: a global rate with pauses after a 429, and a per-group window."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class GlobalPace:
    """Spaces sends evenly at `rate` per second, and holds everything while Telegram asks us to wait."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.clock = clock
        self.next_slot = 0.0
        self.paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Send nothing for `seconds` (Telegram answered 429 with retry_after)."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    async def wait_turn(self) -> None:
        """Return when the next send may start."""
        while True:
            now = self.clock()
            start = max(self.next_slot, self.paused_until, now)
            if start <= now:
                self.next_slot = max(self.next_slot, now) + self.interval  # no burst after an idle spell
                return
            await asyncio.sleep(start - now)


class GroupWindow:
    """At most `limit` messages per group in any `period` seconds (Telegram: 20 a minute)."""

    def __init__(self, limit: int, period: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self.sent: dict[int, deque[float]] = {}

    def wait_for(self, chat_id: int) -> float:
        """Seconds until the group may get another message (0: now); reserves the slot when it is 0."""
        now = self.clock()
        window = self.sent.setdefault(chat_id, deque())
        while window and window[0] <= now - self.period:
            window.popleft()
        if len(window) >= self.limit:
            return window[0] + self.period - now
        window.append(now)
        return 0.0
