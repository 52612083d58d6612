"""Telegram's limits and shape checks for texts, captions, keyboards, commands and chat actions."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .html_parser import FormattedText, parse_html, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_COMMANDS = 100
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_URL = re.compile(r"(https?|tg)://\S+", re.IGNORECASE)
_SPECIAL_BUTTONS = (
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def format_text(text: str | None, parse_mode: str | None, entities: Any) -> FormattedText:
    """Apply parse_mode (HTML only) or explicit entities, then trim surrounding whitespace."""
    source = text or ""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(source).stripped()
    if mode:
        raise bad_request("unsupported parse_mode")
    if entities is not None and not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    return FormattedText(source, entities or []).stripped()


def message_text(text: str | None, parse_mode: str | None, entities: Any) -> FormattedText:
    """A message text that is non-empty and at most 4096 UTF-16 units after parsing."""
    formatted = format_text(text, parse_mode, entities)
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return formatted


def caption_text(caption: str | None, parse_mode: str | None, entities: Any) -> FormattedText:
    """A media caption (possibly empty) of at most 1024 UTF-16 units after parsing."""
    formatted = format_text(caption, parse_mode, entities)
    if utf16_len(formatted.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return formatted


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate any of the four reply_markup kinds; returns it unchanged."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        if not _is_rows(markup["keyboard"]):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _is_rows(rows: Any) -> bool:
    return isinstance(rows, list) and all(isinstance(row, list) for row in rows)


def _check_inline_keyboard(rows: Any) -> None:
    if not _is_rows(rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
        elif "url" in button:
            if not isinstance(button["url"], str) or not _BUTTON_URL.fullmatch(button["url"]):
                raise bad_request("BUTTON_URL_INVALID")
        elif not any(kind in button for kind in _SPECIAL_BUTTONS):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )


def check_commands(commands: Any) -> list[dict[str, str]]:
    """Validate setMyCommands' list: at most 100, names [a-z0-9_]{1,32}, descriptions 1-256 chars."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    result = []
    for item in commands:
        command = item.get("command") if isinstance(item, dict) else None
        description = item.get("description") if isinstance(item, dict) else None
        if not isinstance(command, str) or not _COMMAND.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": command, "description": description})
    return result


def scope_key(scope: Any) -> str:
    """Canonical JSON of a BotCommandScope (default scope when None), used to key stored commands."""
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_chat_action(action: Any) -> str:
    """One of Telegram's chat actions."""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return str(action)
