"""One chat of the fake Bot API as the page draws it: messages with entities, media, keyboards, edits."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.i18n import Translator
from fake_bot_api.html_parser import utf16_len
from fake_bot_api.state import BotMessage, ChatState

# Telegram's apps make bare links tappable (the Bot API reports them as `url` entities).
BARE_LINK = re.compile(r"https?://[^\s<>\"“”]+[^\s<>\"“”.,;:!?)]")


def chat_version(chat: ChatState) -> str:
    """Changes whenever a message arrives, is edited or is deleted."""
    return f"{len(chat.events)}.{len(chat.messages)}.{max(chat.messages, default=0)}"


def chat_view(t: Translator, chat: ChatState) -> dict[str, Any]:
    """The chat's messages, oldest first, and the reply keyboard the bot left open."""
    return {
        "version": chat_version(chat),
        "messages": [message_view(t, chat, message) for message in chat.messages.values()],
        "keyboard": reply_keyboard(chat),
    }


def message_view(t: Translator, chat: ChatState, message: dict[str, Any]) -> dict[str, Any]:
    """Who sent it and when, its text with entities, media, inline buttons, whether it was edited."""
    live = chat.bot_messages.get(message["message_id"])
    sender = message.get("from") or {}
    text = message.get("text", message.get("caption", ""))
    entities = message.get("entities", message.get("caption_entities", []))
    shown: dict[str, Any] = {
        "id": message["message_id"],
        "from_bot": live is not None,
        "sender": sender.get("first_name", ""),
        "time": t.datetime(datetime.fromtimestamp(message["date"], t.timezone)),
        "edited": False,
        "buttons": [],
    }
    if live is not None:
        text, entities = live.text, live.entities
        shown.update(edited=live.edited > 0, buttons=inline_keyboard(live))
    if "photo" in message:
        largest = message["photo"][-1]
        shown["photo"] = {key: largest[key] for key in ("file_id", "width", "height")}
    if "document" in message:
        document = message["document"]
        shown["document"] = {"file_id": document["file_id"], "name": document.get("file_name", "")}
    if "contact" in message:
        text = "📞 " + message["contact"]["phone_number"]
    for kind, label in (("sticker", "🙂"), ("voice", "🎤"), ("location", "📍")):
        if kind in message:
            text = label
    shown.update(text=text, entities=with_bare_links(text, entities))
    return shown


def with_bare_links(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entities plus a `url` entity for each bare link that no other link covers."""
    covered = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in ("url", "text_link")
    ]
    found = []
    for match in BARE_LINK.finditer(text):
        offset = utf16_len(text[: match.start()])
        end = offset + utf16_len(match.group())
        if not any(start < end and offset < stop for start, stop in covered):
            found.append({"type": "url", "offset": offset, "length": end - offset})
    return [*entities, *found]


def inline_keyboard(message: BotMessage) -> list[list[dict[str, str]]]:
    """Inline keyboard rows: each button's text and its callback data or URL."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [
        [{key: button[key] for key in ("text", "callback_data", "url") if key in button} for button in row]
        for row in rows
    ]


def reply_keyboard(chat: ChatState) -> list[list[dict[str, Any]]] | None:
    """The reply keyboard the bot's latest keyboard-bearing message left open, if any."""
    keyboard = None
    for message in chat.bot_messages.values():
        markup = message.reply_markup or {}
        if "keyboard" in markup:
            keyboard = [
                [button if isinstance(button, dict) else {"text": button} for button in row]
                for row in markup["keyboard"]
            ]
        elif markup.get("remove_keyboard"):
            keyboard = None
    return keyboard
