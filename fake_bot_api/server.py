"""aiohttp routes: /bot<token>/<method> for Bot API calls and /file/bot<token>/<path> for downloads."""

from __future__ import annotations

import functools
import ipaddress
import json
import socket

from aiohttp import web

from .errors import ApiError
from .methods import HANDLERS, Handler
from .params import read_params
from .state import BotState

MAX_REQUEST_BYTES = 60 * 1024 * 1024
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.code, dumps=_dumps)


def loopback_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to a loopback address; refuses any other host."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    if not ipaddress.ip_address(address[0]).is_loopback:
        raise ValueError(f"refusing to listen on non-loopback host {host!r}")
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


class ApiServer:
    """HTTP front end for one BotState."""

    def __init__(self, state: BotState) -> None:
        self.state = state
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in HANDLERS.items()
        }
        self._runner: web.AppRunner | None = None

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/bot{token}/{method}", self._call)
        return app

    async def start(self, host: str, port: int) -> int:
        """Listen on a loopback host; returns the bound port (useful with port 0)."""
        sock = loopback_socket(host, port)
        self.state.updates.closed = False
        self._runner = web.AppRunner(self._app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        return int(sock.getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and release pending long polls."""
        self.state.updates.close()
        await self.state.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return _error(UNAUTHORIZED)
        requested = request.match_info["method"]
        name, handler = self._handlers.get(requested.lower(), (requested, None))
        try:
            params = await read_params(request)
            self.state.calls.append((name, params.record()))
            if handler is None:
                return _error(NOT_FOUND)
            result = await handler(self.state, params)
        except ApiError as error:
            return _error(error)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return _error(UNAUTHORIZED)
        stored = self.state.files.by_path(request.match_info["path"])
        if stored is None:
            return _error(NOT_FOUND)
        return web.Response(body=stored.data, content_type="application/octet-stream")
