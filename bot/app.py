"""Composition root: the python-telegram-bot Application wired to the database, handlers and settings."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.config import Settings
from handlers.commands import publish_all_admin_commands, publish_user_commands
from handlers.routes import register
from handlers.turn import SERVICES_KEY, BotServices
from storage.db import Database
from storage.models import Role

log = logging.getLogger(__name__)


def build_application(settings: Settings, database: Database) -> Application:
    """The bot, ready to run by polling or webhook, or to be driven by tests against the fake Bot API."""
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        tzinfo=settings.timezone,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    application = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(defaults)
        .concurrent_updates(True)
        .post_init(_on_start)
        .post_shutdown(lambda _app: database.dispose())
        .build()
    )
    application.bot_data[SERVICES_KEY] = BotServices(settings, database)
    register(application)
    return application


async def _on_start(application: Application) -> None:
    """Publish the command menus (everyday commands for all, admin commands for known admins)."""
    services: BotServices = application.bot_data[SERVICES_KEY]
    await publish_user_commands(application.bot)
    async with services.database.unit_of_work() as uow:
        admins = {
            m.person.telegram_id: m.person.locale or services.settings.locale
            for m in await uow.memberships.with_role(Role.admin)
        }
    for telegram_id in services.settings.admin_ids:
        admins.setdefault(telegram_id, services.settings.locale)
    await publish_all_admin_commands(application.bot, sorted(admins.items()))
    log.info("bot @%s started", application.bot.username)
