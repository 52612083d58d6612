"""Run the fake Bot API standalone: `python -m fake_bot_api --host 127.0.0.1 --port 8081 --token T`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .api import FakeBotApi


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fake_bot_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--bot-username", default="thidua_test_bot")
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    api = FakeBotApi(token=args.token, bot_username=args.bot_username)
    await api.start(args.host, args.port)
    print(f"Fake Bot API listening: base_url={api.base_url} base_file_url={api.base_file_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def main() -> None:
    """Serve until Ctrl+C; exits with an error for non-loopback hosts."""
    args = _parse_args()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args))
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
