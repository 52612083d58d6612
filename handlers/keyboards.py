"""Inline keyboards shared by several handlers."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator


def confirm_keyboard(t: Translator, yes_label: str, yes_data: str, cancel_data: str) -> InlineKeyboardMarkup:
    """ "Yes, …" and "Cancel" side by side: every irreversible step asks first."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes_label, callback_data=yes_data),
                InlineKeyboardButton(t.gettext("Cancel"), callback_data=cancel_data),
            ]
        ]
    )
