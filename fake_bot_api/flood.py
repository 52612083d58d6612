"""Sliding-window flood control producing Telegram's 429 "Too Many Requests: retry after N"."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from .errors import ApiError


@dataclass(frozen=True)
class FloodLimits:
    """Message limits; None disables that limit."""

    global_per_second: int | None = 30
    per_chat_per_second: int | None = 1
    per_group_per_minute: int | None = 20


class _Window:
    """Timestamps of accepted messages within the last `seconds`; amortised O(1) per message."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.stamps: deque[float] = deque()

    def retry_after(self, limit: int, now: float) -> int:
        """Seconds until one more message fits, 0 when it fits now."""
        while self.stamps and self.stamps[0] <= now - self.seconds:
            self.stamps.popleft()
        if len(self.stamps) < limit:
            return 0
        return max(1, math.ceil(self.stamps[-limit] + self.seconds - now))


class FloodControl:
    """Per-bot, per-chat and per-group message rate limits (disabled until configured)."""

    def __init__(self) -> None:
        self.rejected = 0
        self.configure(None)

    def configure(self, limits: FloodLimits | None) -> None:
        """Enforce these limits from now on (None disables flood control); forgets past messages."""
        self.limits = limits
        self._global = _Window(1.0)
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}

    def _windows(self, chat_id: int, is_group: bool) -> list[tuple[_Window, int]]:
        limits = self.limits
        assert limits is not None
        windows = []
        if limits.global_per_second is not None:
            windows.append((self._global, limits.global_per_second))
        if limits.per_chat_per_second is not None:
            windows.append((self._chats.setdefault(chat_id, _Window(1.0)), limits.per_chat_per_second))
        if is_group and limits.per_group_per_minute is not None:
            windows.append((self._groups.setdefault(chat_id, _Window(60.0)), limits.per_group_per_minute))
        return windows

    def admit(self, chat_id: int, is_group: bool, count: int = 1) -> None:
        """Record `count` messages to a chat, or raise 429 if any window has no room for one more."""
        if self.limits is None:
            return
        now = time.monotonic()
        windows = self._windows(chat_id, is_group)
        wait = max(window.retry_after(limit, now) for window, limit in windows) if windows else 0
        if wait:
            self.rejected += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        for window, _limit in windows:
            window.stamps.extend([now] * count)
