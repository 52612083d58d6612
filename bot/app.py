"""Composition root: the python-telegram-bot Application wired to the database, handlers and settings."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import datetime

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.config import Settings
from handlers.commands import publish_all_admin_commands, publish_user_commands
from handlers.ordering import PerChatOrder
from handlers.routes import register
from handlers.turn import SERVICES_KEY, BotServices
from schedules.drafts import schedule as schedule_unsent_drafts
from schedules.outbox import OutboxDrain
from schedules.reminders import schedule as schedule_reminders
from storage.db import Database
from storage.models import Role, utcnow

log = logging.getLogger(__name__)
MAX_CONCURRENT_UPDATES = 64


def build_application(
    settings: Settings, database: Database, clock: Callable[[], datetime] = utcnow
) -> Application:
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
        .concurrent_updates(PerChatOrder(MAX_CONCURRENT_UPDATES))
        .post_init(_on_start)
        .post_stop(_on_stop)
        .post_shutdown(lambda _app: database.dispose())
        .build()
    )
    services = BotServices(settings, database, clock=clock)
    services.outbox = OutboxDrain(application.bot, database)
    application.bot_data[SERVICES_KEY] = services
    register(application)
    schedule_unsent_drafts(application)
    schedule_reminders(application)
    return application


async def start_application(application: Application) -> None:
    """Initialize and start in a running event loop, as `run_polling` would; the caller starts the updater."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()


async def stop_application(application: Application) -> None:
    """Stop the updater and the application and release everything `start_application` took."""
    if application.updater and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_stop:
        await application.post_stop(application)
    await application.shutdown()


async def _on_start(application: Application) -> None:
    """Publish the command menus (everyday ones, and admin ones to known admins); start the outbox drain."""
    services: BotServices = application.bot_data[SERVICES_KEY]
    await publish_user_commands(application.bot)
    async with services.database.unit_of_work() as uow:
        admins = {
            m.person.telegram_id: m.person.locale or services.settings.locale
            for role in (Role.admin, Role.reviewer)
            for m in await uow.memberships.with_role(role)
        }
    for telegram_id in services.settings.admin_ids:
        admins.setdefault(telegram_id, services.settings.locale)
    await publish_all_admin_commands(application.bot, sorted(admins.items()))
    if services.outbox is not None:
        services.outbox.start()
    settle_startup_objects()
    log.info("bot @%s started", application.bot.username)


def settle_startup_objects() -> None:
    """Keep what start-up built (modules, catalogs, the application) out of later full garbage collections.

    They live as long as the bot; without this every full collection walks them again, a stall of about a
    tenth of a second in the middle of a large reminder sweep.
    """
    gc.collect()
    gc.freeze()


async def _on_stop(application: Application) -> None:
    """Stop the outbox drain (what it did not send stays queued) and let start-up objects be collected."""
    services: BotServices = application.bot_data[SERVICES_KEY]
    if services.outbox is not None:
        await services.outbox.stop()
    # Undo settle_startup_objects: a process that starts another bot (the sandbox's reset, the tests)
    # would otherwise keep every stopped bot, with its chats and files, in memory for good.
    gc.unfreeze()
