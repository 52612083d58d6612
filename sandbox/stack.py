"""The running sandbox: the fake Bot API, the real bot polling it, the demo data and the simulated clock."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.app import build_application, start_application, stop_application
from bot.config import load_settings
from bot.i18n import VIETNAM, Translator
from bot.services.invites import invite_link
from fake_bot_api import FakeBotApi
from handlers.turn import SERVICES_KEY
from sandbox.clock import SandboxClock
from sandbox.demo import GROUPS, PEOPLE, seed_demo
from schedules.reminders import run_sweep
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Role, utcnow

TOKEN = "700000001:SANDBOX-NOT-A-REAL-TOKEN"
BOT_USERNAME = "thidua_sandbox_bot"
DATABASE_FILE = "sandbox.db"


class NotReady(Exception):
    """The sandbox is starting over (or stopped): ask again in a moment."""


@dataclass(frozen=True)
class Links:
    """Who holds a role on a unit now, and the live invite link of each demo person who does not."""

    linked: frozenset[int]
    invites: dict[int, str]


class Sandbox:
    """Everything behind the page; `reset` starts over with fresh demo data and a fresh clock."""

    def __init__(self, data_dir: Path, locale: str = "vi", timezone: ZoneInfo = VIETNAM) -> None:
        self.data_dir = data_dir
        self.locale, self.timezone = locale, timezone
        self.lock = asyncio.Lock()  # resets, clock jumps and the people's actions happen one at a time
        self.api: FakeBotApi | None = None
        self.application: Application | None = None
        self.database: Database | None = None
        self.clock: SandboxClock | None = None
        self.ready = False

    def translator(self) -> Translator:
        """For the page's texts, in the sandbox's language and time zone."""
        return Translator(self.locale, self.timezone)

    def running(self) -> FakeBotApi:
        """The fake Bot API of the running sandbox; NotReady while it starts over."""
        if not self.ready or self.api is None:
            raise NotReady()
        return self.api

    async def start(self) -> None:
        """Wipe the sandbox's folder, start the fake Bot API, seed the demo and start the bot."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise
        self.ready = True

    async def _start(self) -> None:
        self._wipe()
        self.api = FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME, bot_name="Thi Đua (thử nghiệm)")
        await self.api.start()
        settings = load_settings(
            {
                "THIDUA_LOCALE": self.locale,
                "THIDUA_TIMEZONE": self.timezone.key,
                "THIDUA_BOT_TOKEN": TOKEN,
                "THIDUA_BOT_API_URL": self.api.url,
                "THIDUA_BOT_USERNAME": BOT_USERNAME,
                "THIDUA_DATABASE_URL": f"sqlite+aiosqlite:///{self.data_dir / DATABASE_FILE}",
                "THIDUA_MEDIA_DIR": str(self.data_dir / "media"),
            },
            env_file=None,
        )
        self.clock = SandboxClock(self.timezone)
        self.clock.start()
        self.api.state.clock = self.clock.unix
        for person in PEOPLE:
            self.api.user(person.telegram_id, person.name)
        for group in GROUPS:
            self.api.group(group.chat_id, group.title)
        self.database = Database(settings.database_url)
        await upgrade(self.database)
        await seed_demo(
            self.database,
            BOT_USERNAME,
            lambda locale: Translator(locale or self.locale, self.timezone),
            utcnow(),
        )
        self.application = build_application(settings, self.database)
        await start_application(self.application)
        await self.application.updater.start_polling(poll_interval=0.0, timeout=10)

    async def stop(self) -> None:
        """Stop the bot and the fake Bot API and give back the real clock, even after a failed start."""
        self.ready = False
        application, database, api, clock = self.application, self.database, self.api, self.clock
        self.application = self.database = self.api = self.clock = None
        try:
            if application is not None:
                await stop_application(application)
        finally:
            try:
                if database is not None:
                    await database.dispose()
            finally:
                if api is not None:
                    await api.stop()
                if clock is not None:
                    clock.stop()

    async def reset(self) -> None:
        """Start over: fresh demo data, empty chats, the clock back to this morning."""
        async with self.lock:
            await self.stop()
            await self.start()

    async def advance(self, days: int) -> int:
        """Move the clock forward and run the reminder sweep at once; returns the messages it queued."""
        async with self.lock:
            self.running()
            self.clock.advance(timedelta(days=days))
            return await run_sweep(self.application.bot_data[SERVICES_KEY])

    async def links(self) -> Links:
        """Who is linked now, and the live invite of each unlinked demo person (an admin may renew it)."""
        self.running()
        async with self.database.unit_of_work() as uow:
            linked = frozenset(
                {
                    membership.person.telegram_id
                    for role in Role
                    for membership in await uow.memberships.with_role(role)
                }
            )
            invites = {}
            for person in PEOPLE:
                if person.telegram_id in linked:
                    continue
                unit = await uow.units.by_code(person.unit_code)
                invite = await uow.invites.live_for(unit.id, person.role, utcnow()) if unit else None
                if invite is not None:
                    invites[person.telegram_id] = invite_link(BOT_USERNAME, invite.token)
        return Links(linked, invites)

    def _wipe(self) -> None:
        """Remove the previous run's database and evidence copies (the folder is the sandbox's own)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm"):
            (self.data_dir / name).unlink(missing_ok=True)
        shutil.rmtree(self.data_dir / "media", ignore_errors=True)
