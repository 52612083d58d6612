"""Bot API methods that create, edit or delete messages: text, photos, documents, albums, chat actions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from .errors import bad_request
from .html_parser import FormattedText
from .params import Params, Upload, resolve_file
from .state import JSON, BotMessage, BotState, ChatState
from .validation import caption_text, check_chat_action, check_reply_markup, message_text

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
ALBUM_SIZE = range(2, 11)


@dataclass(frozen=True)
class _Media:
    """A photo (PhotoSize array) or document ready to attach to a message."""

    kind: str
    json: Any
    file_id: str
    data: bytes


def _inline(markup: JSON | None) -> JSON | None:
    """The markup if it is an inline keyboard (the only kind Message objects carry)."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def _markup_field(markup: JSON | None) -> JSON:
    inline = _inline(markup)
    return {"reply_markup": inline} if inline else {}


def _body(field: str, formatted: FormattedText) -> JSON:
    """Message fields for a text or caption and its entities; empty parts omitted."""
    body: JSON = {field: formatted.text} if formatted.text else {}
    if formatted.entities:
        body["entities" if field == "text" else "caption_entities"] = formatted.entities
    return body


def _target(state: BotState, p: Params) -> ChatState:
    return state.target_chat(p.require("chat_id", "chat_id is empty"))


def _reply(chat: ChatState, p: Params) -> JSON:
    """The reply_to_message field from reply_parameters or reply_to_message_id."""
    parameters = p.get("reply_parameters", {})
    parameters = parameters if isinstance(parameters, dict) else {}
    message_id = parameters.get("message_id", p.get("reply_to_message_id"))
    if message_id is None:
        return {}
    replied = chat.messages.get(message_id)
    if replied is None:
        if parameters.get("allow_sending_without_reply", p.get("allow_sending_without_reply")):
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": {key: value for key, value in replied.items() if key != "reply_to_message"}}


def _media(state: BotState, kind: str, ref: Upload | str | None) -> _Media:
    """Store an uploaded photo/document, or look up a file_id to re-send."""
    if ref is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(ref, Upload) and kind == "photo":
        value: Any = state.files.photo_sizes(ref.data)
    elif isinstance(ref, Upload):
        mime_type = ref.content_type or "application/octet-stream"
        value = state.files.document(ref.data, ref.filename or "file", mime_type)
    else:
        value = state.files.media(ref)
        if value is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(value, list) != (kind == "photo"):
            raise bad_request("type of file mismatch")
    file_id = value[-1]["file_id"] if kind == "photo" else value["file_id"]
    stored = state.files.get(file_id)
    assert stored is not None
    return _Media(kind, value, file_id, stored.data)


def _post_media(
    state: BotState,
    chat: ChatState,
    media: _Media,
    caption: FormattedText,
    parse_mode: str | None,
    markup: JSON | None,
    reply: JSON,
    media_group_id: str | None = None,
) -> BotMessage:
    content = {media.kind: media.json, **_body("caption", caption), **reply, **_markup_field(markup)}
    if media_group_id is not None:
        content["media_group_id"] = media_group_id
    return chat.add_bot_message(
        state.bot_user,
        content,
        text=caption.text,
        entities=caption.entities,
        parse_mode=parse_mode,
        reply_markup=markup,
        file_id=media.file_id,
        media_group_id=media_group_id,
        **{media.kind: media.data},
    )


async def send_message(state: BotState, p: Params) -> JSON:
    """sendMessage."""
    chat = _target(state, p)
    text = message_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
    markup = check_reply_markup(p.get("reply_markup"))
    content = {**_body("text", text), **_reply(chat, p), **_markup_field(markup)}
    state.flood.admit(chat.id, chat.is_group)
    return chat.add_bot_message(
        state.bot_user,
        content,
        text=text.text,
        entities=text.entities,
        parse_mode=p.get("parse_mode"),
        reply_markup=markup,
    ).json


async def _send_file(state: BotState, p: Params, kind: str) -> JSON:
    chat = _target(state, p)
    caption = caption_text(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
    markup = check_reply_markup(p.get("reply_markup"))
    reply = _reply(chat, p)
    media = _media(state, kind, p.file(kind))
    state.flood.admit(chat.id, chat.is_group)
    return _post_media(state, chat, media, caption, p.get("parse_mode"), markup, reply).json


async def send_photo(state: BotState, p: Params) -> JSON:
    """sendPhoto (upload or file_id)."""
    return await _send_file(state, p, "photo")


async def send_document(state: BotState, p: Params) -> JSON:
    """sendDocument (upload or file_id)."""
    return await _send_file(state, p, "document")


async def send_media_group(state: BotState, p: Params) -> list[JSON]:
    """sendMediaGroup of 2-10 photos or 2-10 documents, uploaded via attach:// or by file_id."""
    chat = _target(state, p)
    items = p.require("media", 'parameter "media" is required')
    if not isinstance(items, list):
        raise bad_request("expected an Array of InputMedia")
    if len(items) not in ALBUM_SIZE:
        raise bad_request("media group must contain 2-10 items")
    album = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
            raise bad_request("can't parse InputMedia: only photo and document are supported")
        caption = caption_text(item.get("caption"), item.get("parse_mode"), item.get("caption_entities"))
        media = _media(state, item["type"], resolve_file(item.get("media"), p.files))
        album.append((media, caption, item.get("parse_mode")))
    if len({media.kind for media, _, _ in album}) > 1:
        raise bad_request("document can't be mixed with other media types")
    reply = _reply(chat, p)
    state.flood.admit(chat.id, chat.is_group, len(album))
    group_id = str(secrets.randbelow(10**18))
    return [
        _post_media(state, chat, media, caption, parse_mode, None, reply, group_id).json
        for media, caption, parse_mode in album
    ]


def _editable(state: BotState, p: Params) -> tuple[ChatState, BotMessage]:
    """The bot message an edit targets; inline messages are not simulated."""
    if p.get("inline_message_id") is not None:
        raise bad_request("message to edit not found")
    chat = _target(state, p)
    message_id = p.require("message_id", "message identifier is not specified")
    message = chat.bot_messages.get(message_id)
    if message is None:
        known = message_id in chat.messages
        raise bad_request("message can't be edited" if known else "message to edit not found")
    return chat, message


def _apply_edit(
    chat: ChatState,
    message: BotMessage,
    field: str,
    formatted: FormattedText | None,
    parse_mode: str | None,
    markup: JSON | None,
) -> JSON:
    """Edit text/caption and inline markup in place; omitted markup removes the inline keyboard."""
    old = (message.text, message.entities, _inline(message.reply_markup))
    new_text = formatted if formatted is not None else FormattedText(message.text, message.entities)
    if (new_text.text, new_text.entities, _inline(markup)) == old:
        raise bad_request(NOT_MODIFIED)
    json = message.json
    for key in (field, "entities" if field == "text" else "caption_entities", "reply_markup"):
        json.pop(key, None)
    json.update({**_body(field, new_text), **_markup_field(markup), "edit_date": chat.clock()})
    if formatted is not None:
        message.text, message.entities, message.parse_mode = formatted.text, formatted.entities, parse_mode
    if markup is not None or _inline(message.reply_markup):
        message.reply_markup = markup
    message.edited += 1
    chat.record(message)
    return json


async def edit_message_text(state: BotState, p: Params) -> JSON:
    """editMessageText."""
    chat, message = _editable(state, p)
    if message.has_media:
        raise bad_request("there is no text in the message to edit")
    text = message_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
    markup = check_reply_markup(p.get("reply_markup"))
    return _apply_edit(chat, message, "text", text, p.get("parse_mode"), markup)


async def edit_message_caption(state: BotState, p: Params) -> JSON:
    """editMessageCaption."""
    chat, message = _editable(state, p)
    if not message.has_media:
        raise bad_request("there is no caption in the message to edit")
    caption = caption_text(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
    markup = check_reply_markup(p.get("reply_markup"))
    return _apply_edit(chat, message, "caption", caption, p.get("parse_mode"), markup)


async def edit_message_reply_markup(state: BotState, p: Params) -> JSON:
    """editMessageReplyMarkup."""
    chat, message = _editable(state, p)
    field = "caption" if message.has_media else "text"
    return _apply_edit(chat, message, field, None, None, check_reply_markup(p.get("reply_markup")))


async def delete_message(state: BotState, p: Params) -> bool:
    """deleteMessage (bot or user message)."""
    chat = _target(state, p)
    chat.delete(p.require("message_id", "message identifier is not specified"))
    return True


async def send_chat_action(state: BotState, p: Params) -> bool:
    """sendChatAction."""
    _target(state, p)
    check_chat_action(p.get("action"))
    return True


HANDLERS = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendMediaGroup": send_media_group,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
}
