"""Pending updates with Telegram's semantics: sequential ids, allowed_updates, offset, long polling."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Any

from .errors import ApiError
from .signals import Signal

OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class UpdateQueue:
    """Updates not yet confirmed by the bot, oldest first; shared by getUpdates and webhook delivery."""

    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1)
        self.allowed: frozenset[str] = frozenset()
        self.changed = Signal()
        self.closed = False
        self._poll_token = 0
        self._poll_end = TERMINATED

    def __len__(self) -> int:
        return len(self._pending)

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless allowed_updates filters its kind out; returns it."""
        wanted = kind in self.allowed if self.allowed else kind not in OPT_IN_UPDATES
        if not wanted:
            return None
        update = {"update_id": next(self._ids), kind: payload}
        self._pending.append(update)
        self.changed.fire()
        return update

    def set_allowed(self, allowed: Any) -> None:
        """Apply an allowed_updates parameter: a list replaces the filter, [] restores the default."""
        if isinstance(allowed, list):
            self.allowed = frozenset(allowed)

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset updates."""
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
        else:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()

    def clear(self) -> None:
        """Drop every pending update (drop_pending_updates)."""
        self._pending.clear()

    def first(self) -> dict[str, Any] | None:
        """The oldest pending update."""
        return self._pending[0] if self._pending else None

    def discard_first(self, update: dict[str, Any]) -> None:
        """Remove `update` if it is still the oldest (it may have been dropped meanwhile)."""
        if self._pending and self._pending[0] is update:
            self._pending.popleft()

    def end_polls(self, reason: str) -> None:
        """Make every waiting getUpdates fail with 409 and this description."""
        self._poll_token += 1
        self._poll_end = reason
        self.changed.fire()

    def close(self) -> None:
        """Release waiting long polls with an empty result (server shutdown)."""
        self.closed = True
        self.changed.fire()

    async def poll(self, offset: int | None, limit: int, seconds: float) -> list[dict[str, Any]]:
        """getUpdates: confirm by offset, then return up to `limit` updates, waiting up to `seconds`."""
        self.end_polls(TERMINATED)
        token = self._poll_token
        if offset is not None:
            self.confirm(offset)
        deadline = asyncio.get_running_loop().time() + seconds
        while not self._pending and not self.closed:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or not await self.changed.wait(remaining):
                break
            if token != self._poll_token:
                raise ApiError(409, self._poll_end)
        return list(itertools.islice(self._pending, limit))
