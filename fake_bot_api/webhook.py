"""Webhook mode: POST pending updates one at a time, in order, to the bot's URL with the secret header."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .errors import bad_request
from .updates import UpdateQueue

RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass
class WebhookConfig:
    """The webhook set by setWebhook, plus delivery error info for getWebhookInfo."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


def check_webhook(url: str, secret_token: Any) -> None:
    """Accept only http(s) URLs on loopback hosts and Telegram-valid secret tokens."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: An HTTP(S) URL must be provided for webhook")
    host = parts.hostname
    if host != "localhost" and not (_is_ip(host) and ipaddress.ip_address(host).is_loopback):
        raise bad_request("bad webhook: the fake Bot API only delivers to loopback hosts")
    if secret_token is not None and not _valid_secret(secret_token):
        raise bad_request("secret token contains unallowed characters")


def _valid_secret(secret_token: Any) -> bool:
    if not isinstance(secret_token, str):
        return False
    return 1 <= len(secret_token) <= 256 and set(secret_token) <= _SECRET_CHARS


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class WebhookDelivery:
    """Background task delivering the queue's updates while a webhook is set."""

    def __init__(self, queue: UpdateQueue) -> None:
        self.queue = queue
        self.config: WebhookConfig | None = None
        self._task: asyncio.Task[None] | None = None

    def set(self, config: WebhookConfig | None) -> None:
        """Install (or with None remove) the webhook; starts the delivery task on first use."""
        self.config = config
        if config is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        self.queue.changed.fire()

    async def stop(self) -> None:
        """Cancel the delivery task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while True:
                config, update = self.config, self.queue.first()
                if config is None or update is None:
                    await self.queue.changed.wait(None)
                elif await self._deliver(session, config, update):
                    self.queue.discard_first(update)

    async def _deliver(
        self, session: aiohttp.ClientSession, config: WebhookConfig, update: dict[str, Any]
    ) -> bool:
        """POST one update with retries; True once it is done with (delivered or given up on)."""
        headers = {SECRET_HEADER: config.secret_token} if config.secret_token else {}
        for delay in (*RETRY_DELAYS, None):
            try:
                async with session.post(config.url, json=update, headers=headers) as response:
                    if response.status < 300:
                        return True
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc!r}"
            config.last_error_date, config.last_error_message = int(time.time()), error
            if self.config is not config:
                return False
            if delay is not None:
                await asyncio.sleep(delay)
        return True
