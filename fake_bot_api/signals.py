"""Wake-all notification that plain (non-async) code can fire and coroutines can await."""

from __future__ import annotations

import asyncio


class Signal:
    """Each `fire()` wakes every coroutine currently waiting; no busy polling."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Wake all current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> bool:
        """Wait for the next `fire()`; False when `seconds` pass first (None waits forever)."""
        event = self._event
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return False
        return True
