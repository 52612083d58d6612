"""The sandbox's web page and its JSON API: who you can be, each chat as the app shows it, and actions."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT
from PIL import Image, UnidentifiedImageError

from bot.i18n import N_, Translator
from fake_bot_api import FakeBotApi, FakeUser
from fake_bot_api.state import ChatState
from sandbox.chat_view import chat_version, chat_view
from sandbox.demo import GROUPS, PEOPLE
from sandbox.stack import BOT_USERNAME, NotReady, Sandbox
from sandbox.texts import page_texts

STATIC = Path(__file__).with_name("static")
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
MAX_PHOTO_PIXELS = 40_000_000
MAX_CLOCK_DAYS = 30
CONTACT_PHONE = "+8490{:07d}"  # a fictional phone number per demo person
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PAGE_POLICY = "default-src 'self'; img-src 'self'; object-src 'none'; frame-ancestors 'none'"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(sandbox: Sandbox) -> web.Application:
    """The page, its static files and the API, over one Sandbox."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 64 * 1024, middlewares=[_guard])
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


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Only this page may drive the sandbox: loopback Host (no DNS rebinding), same-origin POSTs."""
    sandbox = request.app[SANDBOX_KEY]
    t = sandbox.translator()
    if request.url.host not in LOOPBACK_NAMES:
        raise _refuse(
            web.HTTPForbidden, t, N_("The sandbox answers on this computer's loopback address only.")
        )
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin is not None and origin != f"{request.scheme}://{request.host}":
        raise _refuse(web.HTTPForbidden, t, N_("Only the sandbox's own page can send this."))
    try:
        return await handler(request)
    except NotReady:
        raise web.HTTPServiceUnavailable(text=t.gettext("The sandbox is starting over; try again.")) from None


def _refuse(status: type[web.HTTPException], t: Translator, message: str) -> web.HTTPException:
    """An error whose text the page shows as it is, in the sandbox's language."""
    return status(text=t.gettext(message))


async def _index(request: web.Request) -> web.FileResponse:
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": PAGE_POLICY}
    return web.FileResponse(STATIC / "index.html", headers=headers)


async def _world(request: web.Request) -> web.Response:
    """The people and groups with their chats' message counts, the clock and the page's texts."""
    sandbox = request.app[SANDBOX_KEY]
    chats = sandbox.running().state.chats
    t = sandbox.translator()
    links = await sandbox.links()
    people = []
    for person in PEOPLE:
        about = t.gettext(person.about).format(unit=person.unit_name)
        if person.telegram_id not in links.linked:
            about = t.gettext("{about}, not linked yet").format(about=about)
        people.append(
            {
                "id": person.telegram_id,
                "name": person.name,
                "about": about,
                "invite": links.invites.get(person.telegram_id),
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
            "clock": _clock_label(t, sandbox),
            "bot_username": BOT_USERNAME,
            "locale": sandbox.locale,
            "texts": page_texts(t),
        }
    )


def _clock_label(t: Translator, sandbox: Sandbox) -> str:
    return t.gettext("Simulated time: {time}").format(time=t.datetime(sandbox.clock.local()))


def _chat_of(api: FakeBotApi, request: web.Request, t: Translator) -> ChatState:
    chat_id = request.match_info["chat_id"]
    chat = api.state.chats.get(int(chat_id)) if chat_id.lstrip("-").isdigit() else None
    if chat is None:
        raise _refuse(web.HTTPNotFound, t, N_("There is no such chat."))
    return chat


async def _chat(request: web.Request) -> web.Response:
    """One chat as the app shows it; `{"unchanged": true}` when the client's version is current."""
    sandbox = request.app[SANDBOX_KEY]
    t = sandbox.translator()
    chat = _chat_of(sandbox.running(), request, t)
    if request.query.get("version") == chat_version(chat):
        return web.json_response({"unchanged": True})
    return web.json_response(chat_view(t, chat))


async def _body(request: web.Request, t: Translator) -> dict[str, Any]:
    """The JSON object of a POST; a form or plain text (what another site could send) is refused."""
    if request.content_type != "application/json":
        raise _refuse(web.HTTPUnsupportedMediaType, t, N_("Expected a JSON request."))
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _refuse(web.HTTPBadRequest, t, N_("Expected a JSON request."))
    return body


def _whole(value: Any) -> int | None:
    """An integer from JSON or a form field, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value if isinstance(value, str) else ""
    return int(text) if text.lstrip("-").isdigit() else None


def _writer(api: FakeBotApi, chat: ChatState, sender: Any, t: Translator) -> FakeUser:
    """The demo person writing: in a private chat its owner, in a group one of its members."""
    person = _whole(sender)
    members = next((set(g.members) for g in GROUPS if g.chat_id == chat.id), set())
    if person != chat.id and person not in members:
        raise _refuse(web.HTTPForbidden, t, N_("This person does not write in this chat."))
    return api.user(person, api.state.users[person]["first_name"])


async def _send(request: web.Request) -> web.Response:
    """A typed text or a shared contact from a demo person."""
    sandbox = request.app[SANDBOX_KEY]
    t = sandbox.translator()
    body = await _body(request, t)
    text = body.get("text")
    async with sandbox.lock:
        api = sandbox.running()
        chat = _chat_of(api, request, t)
        user = _writer(api, chat, body.get("sender"), t)
        if body.get("contact") is True and not chat.is_group:
            await user.send_contact(CONTACT_PHONE.format(user.id))
        elif isinstance(text, str) and text.strip():
            if chat.is_group:
                await api.group(chat.id, chat.json["title"]).send(user, text)
            else:
                await user.send(text)
        else:
            raise _refuse(web.HTTPBadRequest, t, N_("There is nothing to send."))
    return web.json_response({"ok": True})


async def _upload(request: web.Request) -> web.Response:
    """A picture (sent as a photo, as Telegram's apps do) or any other file (sent as a document)."""
    sandbox = request.app[SANDBOX_KEY]
    t = sandbox.translator()
    try:
        form = await request.post()
    except (ValueError, web.HTTPRequestEntityTooLarge):
        too_large = t.gettext("The file is too large (at most 20 MB).")
        raise web.HTTPRequestEntityTooLarge(
            MAX_UPLOAD_BYTES, request.content_length or 0, text=too_large
        ) from None
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise _refuse(web.HTTPBadRequest, t, N_("Choose a file to send."))
    data = upload.file.read()
    caption = str(form.get("caption") or "") or None
    size = await asyncio.to_thread(_picture_size, data)  # decoding a large photo would stall the bot
    async with sandbox.lock:
        api = sandbox.running()
        chat = _chat_of(api, request, t)
        if chat.is_group:
            raise _refuse(web.HTTPBadRequest, t, N_("Send files in the private chat with the bot."))
        user = _writer(api, chat, form.get("sender"), t)
        if size is not None:
            await user.send_photo(data, caption, width=size[0], height=size[1])
        else:
            name = upload.filename or "file"
            await user.send_document(data, name, upload.content_type or "application/octet-stream", caption)
    return web.json_response({"ok": True})


def _picture_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG or PNG that really decodes, else None (it goes as a document)."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format not in ("JPEG", "PNG") or picture.width * picture.height > MAX_PHOTO_PIXELS:
                return None
            picture.load()
            return picture.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


async def _press(request: web.Request) -> web.Response:
    """Press an inline button; answers with the bot's callback answer (its toast or alert)."""
    sandbox = request.app[SANDBOX_KEY]
    t = sandbox.translator()
    body = await _body(request, t)
    async with sandbox.lock:
        api = sandbox.running()
        chat = _chat_of(api, request, t)
        message = chat.bot_messages.get(_whole(body.get("message_id")))
        if message is None or not isinstance(body.get("data"), str):
            raise _refuse(web.HTTPNotFound, t, N_("This message is no longer there."))
        user = _writer(api, chat, body.get("sender"), t)
        query_id = await user.press_data(message, body["data"])
    try:
        answer = await api.wait_callback_answer(query_id, timeout=15)
    except AssertionError:  # the bot did not answer in time; Telegram's apps just stop the spinner
        answer = {}
    return web.json_response({"text": answer.get("text", ""), "alert": bool(answer.get("show_alert"))})


async def _file(request: web.Request) -> web.Response:
    """A photo to show, or a document to download (never shown in the page's origin)."""
    sandbox = request.app[SANDBOX_KEY]
    stored = sandbox.running().state.files.get(request.match_info["file_id"])
    if stored is None:
        raise _refuse(web.HTTPNotFound, sandbox.translator(), N_("There is no such file."))
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    if stored.data.startswith(b"\x89PNG"):
        return web.Response(body=stored.data, content_type="image/png", headers=headers)
    if stored.data.startswith(b"\xff\xd8"):
        return web.Response(body=stored.data, content_type="image/jpeg", headers=headers)
    headers["Content-Disposition"] = "attachment"
    return web.Response(body=stored.data, content_type="application/octet-stream", headers=headers)


async def _advance(request: web.Request) -> web.Response:
    """Move the simulated clock forward by whole days; the reminder sweep runs at once."""
    sandbox = request.app[SANDBOX_KEY]
    t = sandbox.translator()
    days = _whole((await _body(request, t)).get("days"))
    if days is None or not 1 <= days <= MAX_CLOCK_DAYS:
        raise _refuse(web.HTTPBadRequest, t, N_("The clock moves forward by 1 to 30 days."))
    queued = await sandbox.advance(days)
    message = t.ngettext(
        "A new day has started; {count} reminder is queued.",
        "A new day has started; {count} reminders are queued.",
        queued,
    ).format(count=queued)
    return web.json_response({"clock": _clock_label(t, sandbox), "queued": queued, "message": message})


async def _reset(request: web.Request) -> web.Response:
    """Start over with fresh demo data."""
    sandbox = request.app[SANDBOX_KEY]
    t = sandbox.translator()
    await _body(request, t)
    await sandbox.reset()
    return web.json_response({"ok": True, "message": t.gettext("Started over with fresh demo data.")})
