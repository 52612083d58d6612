"""The sandbox's simulated time: it starts on a morning in the bot's time zone and jumps forward on request.

It shifts `storage.models.utcnow`, the clock every part of the bot reads, so records, reminders and the
messages' times agree. Only the sandbox moves it, and it puts it back when it stops.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.models import set_clock_offset, utcnow

START_HOUR = 8
START_MINUTE = 30  # just after the default reminder hour, so the day's reminders and digests are due


class SandboxClock:
    """Simulated time for one sandbox run."""

    def __init__(self, timezone: ZoneInfo) -> None:
        self.timezone = timezone
        self.offset = timedelta(0)

    def start(self, today: date | None = None) -> None:
        """Set the time to this morning (or `today`'s), at START_HOUR:START_MINUTE local."""
        today = today or datetime.now(self.timezone).date()
        morning = datetime(today.year, today.month, today.day, START_HOUR, START_MINUTE, tzinfo=self.timezone)
        self._set(morning.astimezone(UTC) - datetime.now(UTC))

    def advance(self, delta: timedelta) -> None:
        """Jump forward; the next reminder sweep sees the new time."""
        if delta <= timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._set(self.offset + delta)

    def stop(self) -> None:
        """Give the process back its real time."""
        self._set(timedelta(0))

    def unix(self) -> int:
        """Now as Unix seconds, for the `date` of messages in the fake Bot API."""
        return int(utcnow().timestamp())

    def local(self) -> datetime:
        """Now in the bot's time zone, as the page shows it."""
        return utcnow().astimezone(self.timezone)

    def _set(self, offset: timedelta) -> None:
        self.offset = offset
        set_clock_offset(offset)
