"""The real Application, polling (or on a webhook) against the fake Bot API over loopback HTTP."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from telegram.ext import Application

from bot.app import build_application, start_application, stop_application
from bot.config import Settings, load_settings
from fake_bot_api import FakeBotApi
from storage.db import Database
from storage.models import utcnow

TOKEN = "123456:TEST-TOKEN-FOR-THE-FAKE"
BOT_USERNAME = "thidua_test_bot"
OPERATOR_ID = 900
OPS_CHAT_ID = 901


@dataclass
class RunningBot:
    """What an end-to-end test talks to: the fake server, the bot's database and the Application."""

    api: FakeBotApi
    database: Database
    application: Application
    settings: Settings

    async def sweep(self) -> int:
        """Run the reminder sweep now (as the JobQueue does every minute); returns messages queued."""
        from handlers.turn import SERVICES_KEY
        from schedules.reminders import run_sweep

        return await run_sweep(self.application.bot_data[SERVICES_KEY])


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def running_bot(
    database: Database, webhook: bool = False, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[RunningBot]:
    """Start the fake Bot API and the bot against it; stop both afterwards."""
    api = FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME)
    await api.start()
    media = tempfile.TemporaryDirectory(prefix="thidua-media-")  # evidence copies stay out of the work tree
    api.user(OPERATOR_ID, "Quản trị hệ thống")
    api.group(OPS_CHAT_ID, "Nhóm vận hành")
    settings = load_settings(
        {
            "THIDUA_BOT_TOKEN": TOKEN,
            "THIDUA_BOT_API_URL": api.url,
            "THIDUA_DATABASE_URL": database.url,
            "THIDUA_ADMIN_IDS": str(OPERATOR_ID),
            "THIDUA_OPS_CHAT_ID": str(OPS_CHAT_ID),
            "THIDUA_MEDIA_DIR": media.name,
        }
    )
    application = build_application(settings, database, clock or utcnow)
    await start_application(application)
    if webhook:
        port = free_port()
        await application.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            secret_token="webhook-secret",
        )
    else:
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield RunningBot(api, database, application, settings)
    finally:
        await stop_application(application)
        await api.stop()
        media.cleanup()
