"""Start the sandbox and its web page on loopback, for `thidua sandbox` and for the browser tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from fake_bot_api.server import loopback_socket
from sandbox.stack import Sandbox
from sandbox.web import create_app

DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = Path(".thidua-sandbox")


@asynccontextmanager
async def running_sandbox(host: str, port: int, data_dir: Path) -> AsyncIterator[str]:
    """The sandbox with its page served on a loopback address; yields the page's URL."""
    sock = loopback_socket(host, port)  # refuses a non-loopback host before anything starts
    sandbox = Sandbox(data_dir)
    await sandbox.start()
    runner = web.AppRunner(create_app(sandbox), access_log=None, shutdown_timeout=1.0)
    try:
        await runner.setup()
        await web.SockSite(runner, sock).start()
        bound = sock.getsockname()[1]
        yield f"http://{f'[{host}]' if ':' in host else host}:{bound}/"
    finally:
        await runner.cleanup()
        await sandbox.stop()


async def serve(host: str, port: int, data_dir: Path, announce) -> None:
    """Run until cancelled (Ctrl+C); `announce` gets the page's URL once it is up."""
    async with running_sandbox(host, port, data_dir) as url:
        announce(url)
        await asyncio.Event().wait()
