"""The sandbox's web page and its JSON API: who you can be, each chat as the app shows it, and actions."""

from __future__ import annotations

import mimetypes
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT

from bot.i18n import Translator
from fake_bot_api.files import image_size
from fake_bot_api.state import BotMessage, ChatState
from sandbox.demo import GROUPS, PEOPLE
from sandbox.stack import Sandbox
from sandbox.texts import page_texts

STATIC = Path(__file__).with_name("static")
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
MAX_CLOCK_DAYS = 30
CONTACT_PHONE = "+8490{:07d}"  # a fictional phone number per demo person


def create_app(sandbox: Sandbox) -> web.Application:
    """The page, its static files and the API, over one running Sandbox."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 64 * 1024)
    app[SANDBOX_KEY] = sandbox
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC)
    app.router.add_static("/fonts/", FONT_ROOT / "files")  # Be Vietnam Pro: full diacritics, offline
    app.router.add_get("/api/world", _world)
    app.router.add_get("/api/chats/{chat_id}", _chat)
    app.router.add_post("/api/chats/{chat_id}/messages", _send)
    app.router.add_post("/api/chats/{chat_id}/files", _upload)
    app.router.add_post("/api/chats/{chat_id}/press", _press)
    app.router.add_get("/api/files/{file_id}", _file)
    app.router.add_post("/api/clock", _advance)
    app.router.add_post("/api/reset", _reset)
    return app


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def _translator(sandbox: Sandbox) -> Translator:
    return Translator(sandbox.settings.locale, sandbox.settings.timezone)


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def _world(request: web.Request) -> web.Response:
    """The people and groups with their chats' message counts, the clock and the page's texts."""
    sandbox = _sandbox(request)
    t = _translator(sandbox)
    chats = sandbox.api.state.chats
    linked = await sandbox.linked_people()
    people = []
    for person in PEOPLE:
        about = t.gettext(person.about).format(unit=person.unit_name)
        is_linked = person.telegram_id in linked
        people.append(
            {
                "id": person.telegram_id,
                "name": person.name,
                "about": about if is_linked else t.gettext("{about}, not linked yet").format(about=about),
                "invite": None if is_linked else sandbox.invites.get(person.telegram_id),
                "count": len(chats[person.telegram_id].messages),
            }
        )
    groups = [
        {
            "id": group.chat_id,
            "name": group.title,
            "about": t.gettext("Group chat of the commune"),
            "members": list(group.members),
            "count": len(chats[group.chat_id].messages),
        }
        for group in GROUPS
    ]
    return web.json_response(
        {
            "people": people,
            "groups": groups,
            "clock": _clock_label(t, sandbox.clock.local()),
            "bot": sandbox.api.state.bot_user["first_name"],
            "texts": page_texts(t),
        }
    )


def _clock_label(t: Translator, local: datetime) -> str:
    return t.gettext("Simulated time: {time}").format(time=t.datetime(local))


def _chat_state(request: web.Request) -> ChatState:
    try:
        chat = _sandbox(request).api.state.chats.get(int(request.match_info["chat_id"]))
    except ValueError:
        chat = None
    if chat is None:
        raise web.HTTPNotFound(text="no such chat")
    return chat


async def _chat(request: web.Request) -> web.Response:
    """One chat as the app shows it; answers `{"unchanged": true}` when the client's version is current."""
    chat = _chat_state(request)
    version = f"{len(chat.events)}.{len(chat.messages)}.{max(chat.messages, default=0)}"
    if request.query.get("version") == version:
        return web.json_response({"unchanged": True, "version": version})
    t = _translator(_sandbox(request))
    messages = [_message(t, chat, message) for message in chat.messages.values()]
    return web.json_response({"version": version, "messages": messages, "keyboard": _reply_keyboard(chat)})


def _message(t: Translator, chat: ChatState, message: dict[str, Any]) -> dict[str, Any]:
    """A message for the page: who, when, text with entities, media, buttons, whether it was edited."""
    live = chat.bot_messages.get(message["message_id"])
    sender = message.get("from") or {}
    shown: dict[str, Any] = {
        "id": message["message_id"],
        "from_bot": live is not None,
        "sender": sender.get("first_name", ""),
        "sender_id": sender.get("id"),
        "time": t.datetime(datetime.fromtimestamp(message["date"], t.timezone)),
        "text": message.get("text", message.get("caption", "")),
        "entities": message.get("entities", message.get("caption_entities", [])),
        "edited": False,
        "buttons": [],
    }
    if live is not None:
        shown.update(text=live.text, entities=live.entities, edited=live.edited > 0, buttons=_inline(live))
    if "photo" in message:
        largest = message["photo"][-1]
        shown["photo"] = {key: largest[key] for key in ("file_id", "width", "height")}
    if "document" in message:
        document = message["document"]
        shown["document"] = {"file_id": document["file_id"], "name": document.get("file_name", "")}
    if "contact" in message:
        shown["text"] = "📞 " + message["contact"]["phone_number"]
    for kind, label in (("sticker", "🙂"), ("voice", "🎤"), ("location", "📍")):
        if kind in message:
            shown["text"] = label
    return shown


def _inline(message: BotMessage) -> list[list[dict[str, str]]]:
    """Inline keyboard rows: each button's text and its callback data or URL."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [
        [{key: button[key] for key in ("text", "callback_data", "url") if key in button} for button in row]
        for row in rows
    ]


def _reply_keyboard(chat: ChatState) -> list[list[dict[str, Any]]] | None:
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


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="expected JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return body


def _sender(request: web.Request, chat: ChatState, sender: Any):
    """The demo person writing: in a private chat its owner, in a group one of its members."""
    api = _sandbox(request).api
    allowed = {chat.id} if not chat.is_group else next(set(g.members) for g in GROUPS if g.chat_id == chat.id)
    if sender not in allowed:
        raise web.HTTPForbidden(text="this person does not write in this chat")
    return api.user(sender, api.state.users[sender]["first_name"])


async def _send(request: web.Request) -> web.Response:
    """A typed text or a shared contact from a demo person."""
    sandbox = _sandbox(request)
    chat = _chat_state(request)
    body = await _body(request)
    async with sandbox.lock:
        user = _sender(request, chat, body.get("sender"))
        if body.get("contact") and not chat.is_group:
            await user.send_contact(CONTACT_PHONE.format(user.id))
        elif isinstance(body.get("text"), str) and body["text"].strip():
            if chat.is_group:
                await sandbox.api.group(chat.id, chat.json["title"]).send(user, body["text"])
            else:
                await user.send(body["text"])
        else:
            raise web.HTTPBadRequest(text="nothing to send")
    return web.json_response({"ok": True})


async def _upload(request: web.Request) -> web.Response:
    """A picture (sent as a photo) or any other file (sent as a document) from the computer."""
    sandbox = _sandbox(request)
    chat = _chat_state(request)
    if chat.is_group:
        raise web.HTTPBadRequest(text="files go to the bot's private chat")
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise web.HTTPBadRequest(text="no file")
    data = upload.file.read()
    caption = str(form.get("caption") or "") or None
    async with sandbox.lock:
        user = _sender(request, chat, _int(form.get("sender")))
        size = image_size(data)
        if upload.content_type in ("image/jpeg", "image/png") and size is not None:
            await user.send_photo(data, caption, width=size[0], height=size[1])
        else:
            mime = (
                upload.content_type or mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
            )
            await user.send_document(data, upload.filename or "tệp", mime, caption)
    return web.json_response({"ok": True})


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


async def _press(request: web.Request) -> web.Response:
    """Press an inline button; answers with the bot's callback answer (its toast or alert)."""
    sandbox = _sandbox(request)
    chat = _chat_state(request)
    body = await _body(request)
    message = chat.bot_messages.get(body.get("message_id"))
    if message is None or not isinstance(body.get("data"), str):
        raise web.HTTPNotFound(text="the message is gone")
    async with sandbox.lock:
        user = _sender(request, chat, body.get("sender"))
        query_id = await user.press_data(message, body["data"])
    try:
        answer = await sandbox.api.wait_callback_answer(query_id, timeout=15)
    except AssertionError:
        answer = {}
    return web.json_response({"text": answer.get("text", ""), "alert": bool(answer.get("show_alert"))})


async def _file(request: web.Request) -> web.Response:
    """A photo or document's bytes, for the page to show or download."""
    stored = _sandbox(request).api.state.files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound(text="no such file")
    kind = mimetypes.guess_type(stored.file_path)[0] or "application/octet-stream"
    if image_size(stored.data) is not None:
        kind = "image/png" if stored.data.startswith(b"\x89PNG") else "image/jpeg"
    return web.Response(body=stored.data, content_type=kind)


async def _advance(request: web.Request) -> web.Response:
    """Move the simulated clock forward by whole days; the reminder sweep runs at once."""
    sandbox = _sandbox(request)
    days = (await _body(request)).get("days")
    if not isinstance(days, int) or not 1 <= days <= MAX_CLOCK_DAYS:
        raise web.HTTPBadRequest(text=f"days: a whole number from 1 to {MAX_CLOCK_DAYS}")
    queued = await sandbox.advance(days)
    t = _translator(sandbox)
    return web.json_response({"clock": _clock_label(t, sandbox.clock.local()), "queued": queued})


async def _reset(request: web.Request) -> web.Response:
    """Start over with fresh demo data."""
    await _sandbox(request).reset()
    return web.json_response({"ok": True})
