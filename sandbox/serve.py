"""Start the sandbox and its web page on loopback, for `thidua sandbox` and for the browser tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.i18n import VIETNAM
from fake_bot_api.server import loopback_socket
from sandbox.stack import Sandbox
from sandbox.web import create_app

DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = Path(".thidua-sandbox")


class PortUnavailable(Exception):
    """The page's port cannot be listened on (taken, or not allowed)."""

    def __init__(self, port: int, reason: str) -> None:
        super().__init__(f"port {port}: {reason}")
        self.port, self.reason = port, reason


@asynccontextmanager
async def running_sandbox(
    host: str, port: int, data_dir: Path, locale: str = "vi", timezone: ZoneInfo = VIETNAM
) -> AsyncIterator[str]:
    """The sandbox with its page served on a loopback address; yields the page's URL."""
    # A non-loopback host is refused (ValueError), and a taken port reported, before anything starts.
    try:
        sock = loopback_socket(host, port)
    except OSError as error:
        raise PortUnavailable(port, error.strerror or str(error)) from None
    sandbox = Sandbox(data_dir, locale, timezone)
    runner = web.AppRunner(create_app(sandbox), access_log=None, shutdown_timeout=1.0)
    try:
        await sandbox.start()
        await runner.setup()
        await web.SockSite(runner, sock).start()
        bound = sock.getsockname()[1]
        yield f"http://{f'[{host}]' if ':' in host else host}:{bound}/"
    finally:
        await runner.cleanup()
        sock.close()  # the site closes it once it served; a failed start-up leaves it to us
        await sandbox.stop()


async def serve(
    host: str, port: int, data_dir: Path, locale: str, timezone: ZoneInfo, announce: Callable[[str], None]
) -> None:
    """Run until cancelled (Ctrl+C); `announce` gets the page's URL once it is up."""
    async with running_sandbox(host, port, data_dir, locale, timezone) as url:
        announce(url)
        await asyncio.Event().wait()
