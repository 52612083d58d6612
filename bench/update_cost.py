"""What one onboarding-style update costs in our bot against a bare python-telegram-bot echo bot.

Both bots run, in one process and one run, against the same fake Bot API on loopback. Each simulated
person sends a command and presses the button of the reply: our bot identifies the person, reads and
writes the database and answers in their language; the echo bot only replies and edits. Rates are
updates handled per second; the ratio (ours / echo, in time per update) is what the goal is set on.
Usage: python bench/update_cost.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.app import build_application
from bot.config import load_settings
from fake_bot_api import FakeBotApi
from storage.db import Database
from storage.migrate import upgrade

TOKEN = "123456:BENCHMARK-TOKEN-0001"
UPDATES_PER_PERSON = 2  # a command and a button press
CONCURRENT_PEOPLE = 20


async def echo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with one button, as our bot does to /ngonngu."""
    button = InlineKeyboardButton("🇻🇳 Tiếng Việt", callback_data="lang:vi")
    await update.effective_message.reply_text("Chọn ngôn ngữ:", reply_markup=InlineKeyboardMarkup([[button]]))


async def echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and edit the message, as our bot does."""
    await update.callback_query.answer()
    await update.callback_query.edit_message_text("Đã chuyển sang tiếng Việt.")


def echo_application(api: FakeBotApi) -> Application:
    """A bare python-telegram-bot bot with the same exchange and no storage."""
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(CommandHandler("ngonngu", echo_command))
    application.add_handler(CallbackQueryHandler(echo_press))
    return application


async def exchange(api: FakeBotApi, user_id: int, done_text: str) -> None:
    """One person: the command, then a press on the reply's button, then wait for the result."""
    person = api.user(user_id, f"Người {user_id}")
    await person.send("/ngonngu")
    question = await person.wait_for_text("Chọn ngôn ngữ", timeout=30)
    await person.press(question, "🇻🇳 Tiếng Việt")
    await person.wait_for_text(done_text, timeout=30)


async def measure(api: FakeBotApi, application: Application, people: range, done_text: str) -> float:
    """Updates per second while `people` do the exchange, CONCURRENT_PEOPLE at a time."""
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    gate = asyncio.Semaphore(CONCURRENT_PEOPLE)

    async def one(user_id: int) -> None:
        async with gate:
            await exchange(api, user_id, done_text)

    started = time.perf_counter()
    await asyncio.gather(*(one(user_id) for user_id in people))
    elapsed = time.perf_counter() - started
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    return len(people) * UPDATES_PER_PERSON / elapsed


async def main(quick: bool) -> None:
    logging.disable(logging.WARNING)
    per_round, rounds = (40, 3) if quick else (200, 3)
    next_user = iter(range(10_000, 10_000_000))

    def people() -> range:
        first = next(next_user)
        for _ in range(per_round - 1):
            next(next_user)
        return range(first, first + per_round)

    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotApi(token=TOKEN, bot_username="bench_bot") as api:
            database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
            await upgrade(database)
            settings = load_settings(
                {
                    "THIDUA_BOT_TOKEN": TOKEN,
                    "THIDUA_BOT_API_URL": api.url,
                    "THIDUA_DATABASE_URL": database.url,
                }
            )
            runs: dict[str, list[float]] = {"ours": [], "echo": []}
            factories: dict[str, tuple[Callable[[], Application], str]] = {
                "echo": (lambda: echo_application(api), "Đã chuyển"),
                "ours": (lambda: build_application(settings, database), "chưa được liên kết"),
            }
            for factory, done_text in factories.values():  # warm-up: imports, catalogs, query compilation
                await measure(api, factory(), people(), done_text)
            for _ in range(rounds):
                for name, (factory, done_text) in factories.items():
                    runs[name].append(await measure(api, factory(), people(), done_text))
            await database.dispose()
    ours, echo = statistics.median(runs["ours"]), statistics.median(runs["echo"])
    print(f"ours_updates_per_s: {ours:.1f}")
    print(f"echo_updates_per_s: {echo:.1f}")
    print(f"update_cost_ratio: {echo / ours:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three short rounds")
    asyncio.run(main(parser.parse_args().quick))
