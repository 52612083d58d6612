"""The command menus Telegram shows: Vietnamese descriptions, one list for everyone and one for admins."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot.i18n import LOCALES, N_, Translator

log = logging.getLogger(__name__)

USER_COMMANDS = [
    ("menu", N_("Main menu")),
    ("dangky", N_("Campaigns of your unit: register")),
    ("minhchung", N_("Send evidence for a criterion")),
    ("tuchamdiem", N_("Score your unit against the criteria")),
    ("diem", N_("Your unit's score and rank")),
    ("donvi", N_("The unit you are linked to")),
    ("nhacviec", N_("Reminders: pause or resume")),
    ("ngonngu", N_("Change language")),
    ("trogiup", N_("Help")),
]
ADMIN_COMMANDS = USER_COMMANDS + [
    ("phongtrao", N_("Manage campaigns")),
    ("duyetminhchung", N_("Review evidence")),
    ("thamdinh", N_("Verify self-scores")),
    ("moi", N_("Create an invite link for a unit")),
    ("thanhvien", N_("People linked to a unit")),
    ("choduyet", N_("Join requests waiting for a decision")),
]
GROUP_COMMANDS = [("lienket", N_("Link this group to a commune or cluster (admins)"))]


def command_list(commands: list[tuple[str, str]], locale: str) -> list[BotCommand]:
    """The commands with their descriptions in the locale."""
    t = Translator(locale)
    return [BotCommand(name, t.gettext(description)) for name, description in commands]


async def publish_user_commands(bot: Bot) -> None:
    """Register the everyday and group commands: Vietnamese by default, English for English clients."""
    for commands, scope in (
        (USER_COMMANDS, BotCommandScopeDefault()),
        (GROUP_COMMANDS, BotCommandScopeAllGroupChats()),
    ):
        await bot.set_my_commands(command_list(commands, LOCALES[0]), scope=scope)
        for locale in LOCALES[1:]:
            await bot.set_my_commands(command_list(commands, locale), scope=scope, language_code=locale)


async def publish_admin_commands(bot: Bot, chat_id: int, locale: str) -> None:
    """Show an admin the admin commands in their private chat (skipped when they never opened the bot)."""
    try:
        await bot.set_my_commands(command_list(ADMIN_COMMANDS, locale), scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:  # never let a menu stop the bot from starting
        log.info("admin commands not set for chat %s: %s", chat_id, error)


async def publish_all_admin_commands(bot: Bot, admins: Iterable[tuple[int, str]]) -> None:
    """Admin command menus for every known admin, at start-up."""
    for chat_id, locale in admins:
        await publish_admin_commands(bot, chat_id, locale)
