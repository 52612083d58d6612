"""The running sandbox: the fake Bot API, the real bot polling it, the demo data and the simulated clock."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

from telegram.ext import Application

from bot.app import build_application, start_application, stop_application
from bot.config import Settings, load_settings
from bot.i18n import Translator
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


class Sandbox:
    """Everything behind the page; `reset` starts over with fresh demo data and a fresh clock."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.lock = asyncio.Lock()  # one reset or clock jump at a time, and no sends in between
        self.api: FakeBotApi | None = None
        self.application: Application | None = None
        self.database: Database | None = None
        self.settings: Settings | None = None
        self.clock: SandboxClock | None = None
        self.invites: dict[int, str] = {}

    async def start(self) -> None:
        """Wipe the sandbox's folder, then start the fake Bot API, seed the demo and start the bot."""
        self._wipe()
        self.api = FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME, bot_name="Thi Đua (thử nghiệm)")
        await self.api.start()
        self.settings = settings = load_settings(
            {
                "THIDUA_BOT_TOKEN": TOKEN,
                "THIDUA_BOT_API_URL": self.api.url,
                "THIDUA_BOT_USERNAME": BOT_USERNAME,
                "THIDUA_DATABASE_URL": f"sqlite+aiosqlite:///{self.data_dir / DATABASE_FILE}",
                "THIDUA_MEDIA_DIR": str(self.data_dir / "media"),
            },
            env_file=None,
        )
        self.clock = SandboxClock(settings.timezone)
        self.clock.start()
        self.api.state.clock = self.clock.unix
        for person in PEOPLE:
            self.api.user(person.telegram_id, person.name)
        for group in GROUPS:
            self.api.group(group.chat_id, group.title)
        self.database = Database(settings.database_url)
        await upgrade(self.database)
        self.invites = await seed_demo(
            self.database,
            BOT_USERNAME,
            lambda locale: Translator(locale or settings.locale, settings.timezone),
            utcnow(),
        )
        self.application = build_application(settings, self.database)
        await start_application(self.application)
        await self.application.updater.start_polling(poll_interval=0.0, timeout=10)

    async def stop(self) -> None:
        """Stop the bot and the fake Bot API; the folder is wiped at the next start."""
        if self.application is not None:
            await stop_application(self.application)
        if self.database is not None:
            await self.database.dispose()
        if self.api is not None:
            await self.api.stop()
        if self.clock is not None:
            self.clock.stop()
        self.api = self.application = self.database = self.clock = None

    async def reset(self) -> None:
        """Start over: fresh demo data, empty chats, the clock back to this morning."""
        async with self.lock:
            await self.stop()
            await self.start()

    async def advance(self, days: int) -> int:
        """Move the clock forward and run the reminder sweep at once; returns the messages it queued."""
        async with self.lock:
            self.clock.advance(timedelta(days=days))
            return await run_sweep(self.application.bot_data[SERVICES_KEY])

    async def linked_people(self) -> set[int]:
        """Telegram ids of the people who hold a role on a unit now (an invite, once used, links one)."""
        async with self.database.unit_of_work() as uow:
            return {
                membership.person.telegram_id
                for role in Role
                for membership in await uow.memberships.with_role(role)
            }

    def _wipe(self) -> None:
        """Remove the previous run's database and evidence copies (the folder is the sandbox's own)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm"):
            (self.data_dir / name).unlink(missing_ok=True)
        shutil.rmtree(self.data_dir / "media", ignore_errors=True)
