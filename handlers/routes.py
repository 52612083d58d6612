"""Which update goes to which handler: private chats only for now (groups come with campaigns)."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.i18n import LOCALES, Translator
from handlers import admin, join, join_review, menu, onboarding
from handlers.errors import on_error, unsupported


def skip_labels() -> list[str]:
    """The "Skip" button of the phone question, in every language (a reply keyboard sends its label)."""
    return sorted({Translator(locale).gettext("Skip") for locale in LOCALES})


def register(application: Application) -> None:
    """Attach every handler and the error handler."""
    # New messages in private chats only: an edited message must not run a step a second time.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    commands = {
        "start": onboarding.start,
        "menu": menu.show_menu,
        "donvi": menu.show_unit,
        "ngonngu": menu.choose_language,
        "trogiup": menu.show_help,
        "help": menu.show_help,
        "moi": admin.invite_command,
        "thanhvien": admin.members_command,
        "choduyet": admin.pending_command,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    callbacks = {
        r"^inv:ok:": onboarding.confirm_invite,
        r"^inv:no:": onboarding.decline_invite,
        r"^menu:unit$": menu.show_unit,
        r"^menu:help$": menu.show_help,
        r"^menu:lang$": menu.choose_language,
        r"^menu:find$": menu.prompt_search,
        r"^menu:pending$": admin.pending_command,
        r"^lang:": menu.set_language,
        r"^join:pick:": join.pick_unit,
        r"^join:ask:": join.ask_to_join,
        r"^jr:(ok|no):": join_review.decide,
        r"^adm:inv:": admin.make_invite,
        r"^adm:mem:": admin.show_members,
        r"^adm:rm:": admin.ask_remove,
        r"^adm:rmok:": admin.confirm_remove,
    }
    for pattern, callback in callbacks.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    application.add_handler(CallbackQueryHandler(menu.stale_button))
    application.add_handler(MessageHandler(private & filters.CONTACT, onboarding.receive_contact))
    application.add_handler(MessageHandler(private & filters.Text(skip_labels()), onboarding.skip_phone))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, join.on_text))
    application.add_handler(MessageHandler(private & filters.COMMAND, menu.unknown_command))
    application.add_handler(MessageHandler(private, unsupported))
    application.add_error_handler(on_error)
