"""End-to-end tests of fake_bot_api driven by a real python-telegram-bot `Bot`/`Application` over HTTP."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from fake_bot_api import BotMessage, FakeBotApi
from fake_bot_api.html_parser import parse_html

pytestmark = pytest.mark.asyncio

REPO_ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\xc0" + b"pixels" * 20
JPEG = b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x40\x00\x80" + b"\x00" * 40
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Đồng ý", callback_data="vote:yes"),
            InlineKeyboardButton("Web", url="https://a.vn"),
        ]
    ]
)


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token="123456:TEST", bot_username="thidua_test_bot", bot_id=123456) as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


async def drain(bot: Bot) -> tuple[Update, ...]:
    """All pending updates, confirmed so the next call starts fresh."""
    updates = await bot.get_updates(timeout=0)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


async def expect_bad_request(call: Awaitable[object], description: str) -> None:
    """The call fails with BadRequest carrying Telegram's description (PTB strips and capitalizes it)."""
    with pytest.raises(BadRequest) as caught:
        await call
    assert caught.value.message == description.capitalize()


async def test_get_me_token_and_method_routing(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (123456, "thidua_test_bot", "Thi Đua", True)
    wrong = Bot("999:WRONG", base_url=api.base_url)
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        await wrong.initialize()
    await wrong.shutdown()
    async with httpx.AsyncClient() as http:
        unauthorized = await http.get(f"{api.base_url}999:WRONG/getMe")
        unknown = await http.post(f"{api.base_url}{api.token}/sendUnicorn")
        upper = await http.get(f"{api.base_url}{api.token}/GETME")
    assert unauthorized.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert upper.json()["result"]["username"] == "thidua_test_bot"
    # the fixture's initialize() + get_me, the unknown method (recorded too), then GETME
    assert [name for name, _ in api.calls] == ["getMe", "getMe", "sendUnicorn", "getMe"]


async def test_params_accept_json_form_and_query(api: FakeBotApi) -> None:
    user = api.user(1001, "Nguyễn Văn An")
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    url = f"{api.base_url}{api.token}/sendMessage"
    async with httpx.AsyncClient() as http:
        as_json = await http.post(url, json={"chat_id": 1001, "text": "json", "reply_markup": markup})
        as_form = await http.post(url, data={"chat_id": "1001", "text": "form", "reply_markup": markup})
        as_query = await http.get(url, params={"chat_id": "1001", "text": "query"})
        empty = await http.post(url, data={"chat_id": "1001", "text": "  "})
    assert [r.json()["result"]["text"] for r in (as_json, as_form, as_query)] == ["json", "form", "query"]
    assert as_form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert empty.status_code == 400
    assert empty.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
    assert [m.text for m in user.messages] == ["json", "form", "query"]
    assert api.calls[1] == (
        "sendMessage",
        {
            "chat_id": 1001,
            "text": "form",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        },
    )


async def test_inline_keyboard_press_and_callback_answer(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "Nguyễn Văn An", username="an")
    sent = await bot.send_message(1001, "<b>Bình chọn</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    assert sent.reply_markup == KEYBOARD and sent.from_user.id == 123456 and sent.chat.id == 1001
    message = await user.wait_for_text("Bình chọn")
    assert message.buttons() == [[("Đồng ý", "vote:yes"), ("Web", "https://a.vn")]]
    assert message.button_texts() == ["Đồng ý", "Web"]
    by_text = await user.press(message, "Đồng ý")
    by_data = await user.press(message, "vote:yes")
    forged = await user.press_data(message, "vote:forged")
    with pytest.raises(AssertionError, match="no callback button"):
        await user.press(message, "Web")
    updates = await drain(bot)
    queries = [update.callback_query for update in updates]
    assert [q.id for q in queries] == [by_text, by_data, forged]
    assert [q.data for q in queries] == ["vote:yes", "vote:yes", "vote:forged"]
    assert queries[0].from_user.username == "an" and queries[0].message.message_id == sent.message_id
    assert queries[0].message.reply_markup == KEYBOARD
    assert await bot.answer_callback_query(by_text, text="Đã ghi nhận", show_alert=True)
    answer = await api.wait_callback_answer(by_text, timeout=1)
    assert (answer["text"], answer["show_alert"]) == ("Đã ghi nhận", True)
    too_old = "query is too old and response timeout expired or query ID is invalid"
    await expect_bad_request(bot.answer_callback_query(by_text), too_old)  # answered already
    await expect_bad_request(bot.answer_callback_query("nope"), too_old)
    with pytest.raises(AssertionError, match="not answered"):
        await api.wait_callback_answer(by_data, timeout=0.05)
    assert await bot.answer_callback_query(forged)
    assert (await api.wait_callback_answer(forged))["text"] == ""


async def test_user_messages_de_json_in_ptb(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "Nguyễn Văn An", last_name="Trần")
    raw = await user.send("/start abc")
    await user.send("/diem@thidua_test_bot 5")
    await user.send_contact("0912345678")
    await user.send_contact("0987654321", user_id=4242)
    await user.send_document(b"%PDF-1.4", file_name="bao_cao.pdf", caption="Báo cáo")
    await user.send_location(21.0, 105.8)
    await user.send_sticker()
    await user.send_voice()
    messages = [update.message for update in await drain(bot)]
    assert raw["text"] == "/start abc" and raw["chat"]["id"] == 1001
    assert messages[0].text == "/start abc"
    assert messages[0].parse_entities(["bot_command"]) == {messages[0].entities[0]: "/start"}
    assert list(messages[1].parse_entities(["bot_command"]).values()) == ["/diem@thidua_test_bot"]
    assert (messages[2].contact.phone_number, messages[2].contact.user_id) == ("0912345678", 1001)
    assert messages[2].contact.last_name == "Trần"
    assert messages[3].contact.user_id == 4242
    assert (messages[4].document.file_name, messages[4].caption) == ("bao_cao.pdf", "Báo cáo")
    assert (messages[5].location.latitude, messages[5].location.longitude) == (21.0, 105.8)
    assert messages[6].sticker is not None and messages[7].voice.duration == 3
    assert [m.message_id for m in messages] == list(range(1, 9))


async def test_text_validation_errors(api: FakeBotApi, bot: Bot) -> None:
    api.user(1001, "An")
    await expect_bad_request(bot.send_message(1001, ""), "message text is empty")
    await expect_bad_request(bot.send_message(1001, "<b> </b>", parse_mode="HTML"), "message text is empty")
    await expect_bad_request(bot.send_message(1001, "x" * 4097), "message is too long")
    await expect_bad_request(bot.send_message(1001, "😀" * 2049), "message is too long")
    assert len((await bot.send_message(1001, "😀" * 2048)).text) == 2048
    fits = await bot.send_message(1001, "&amp;" * 4096 + "<b></b>", parse_mode="HTML")
    assert fits.text == "&" * 4096
    await expect_bad_request(bot.send_message(999, "hi"), "chat not found")
    markdown = bot.send_message(1001, "*hi*", parse_mode="MarkdownV2")
    await expect_bad_request(markdown, "unsupported parse_mode")


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("Điểm < 5", 'Unsupported start tag "" at byte offset 8'),
        ("A & B", 'Unescaped "&" at byte offset 2; use "&amp;"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_malformed_html_is_rejected(api: FakeBotApi, bot: Bot, html: str, error: str) -> None:
    api.user(1001, "An")
    sent = bot.send_message(1001, html, parse_mode="HTML")
    await expect_bad_request(sent, f"can't parse entities: {error}")


async def test_html_entities_match_telegram() -> None:
    parsed = parse_html(
        '😀 <b>B <i>I</i></b> <a href="https://x.vn/?a=1&amp;b=2">L</a>'
        ' <pre><code class="language-py">c</code></pre>'
        ' <span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler> <blockquote expandable>q</blockquote>'
        ' <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&#65;&#x42;&quot;&gt; <u>u</u><s>s</s>'
    )
    assert parsed.text == '😀 B I L c st q 👍 <AB"> us'
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "italic", "offset": 5, "length": 1},
        {"type": "text_link", "offset": 7, "length": 1, "url": "https://x.vn/?a=1&b=2"},
        {"type": "pre", "offset": 9, "length": 1, "language": "py"},
        {"type": "spoiler", "offset": 11, "length": 1},
        {"type": "spoiler", "offset": 12, "length": 1},
        {"type": "expandable_blockquote", "offset": 14, "length": 1},
        {"type": "custom_emoji", "offset": 16, "length": 2, "custom_emoji_id": "5368324170671202286"},
        {"type": "underline", "offset": 25, "length": 1},
        {"type": "strikethrough", "offset": 26, "length": 1},
    ]


async def test_keyboard_and_caption_validation(api: FakeBotApi, bot: Bot) -> None:
    api.user(1001, "An")

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]])

    for data in ("a" * 65, "đ" * 33, ""):  # 65 bytes, 66 UTF-8 bytes, empty
        sent = bot.send_message(1001, "k", reply_markup=keyboard(data))
        await expect_bad_request(sent, "BUTTON_DATA_INVALID")
    assert (await bot.send_message(1001, "k", reply_markup=keyboard("a" * 64))).reply_markup is not None
    await expect_bad_request(bot.send_photo(1001, PNG, caption="c" * 1025), "message caption is too long")
    assert (await bot.send_photo(1001, PNG, caption="c" * 1024)).caption == "c" * 1024


async def test_reply_keyboard_is_stored_but_not_in_message_json(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Chia sẻ số", request_contact=True)], ["Huỷ"]])
    sent = await bot.send_message(1001, "Số điện thoại?", reply_markup=keyboard)
    assert sent.reply_markup is None
    stored = await user.wait_for_text("Số điện thoại")
    assert stored.buttons() == [[("Chia sẻ số", None)], [("Huỷ", None)]]
    assert stored.reply_markup is not None
    assert stored.reply_markup["keyboard"][0][0]["request_contact"] is True


async def test_edits_update_in_place_and_log_events(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    sent = await bot.send_message(1001, "Đang xử lý", reply_markup=KEYBOARD)
    await bot.edit_message_text("Xong <i>rồi</i>", 1001, sent.message_id, parse_mode="HTML")
    first = await user.wait_for_text("Đang xử lý")
    assert first.text == "Xong rồi" and first.edited == 1 and first.reply_markup is None
    assert first.entities == [{"type": "italic", "offset": 5, "length": 3}]
    assert await user.wait_for_text("Xong") is first
    not_modified = (
        "message is not modified: specified new message content and reply markup are exactly the same "
        "as a current content and reply markup of the message"
    )
    await expect_bad_request(
        bot.edit_message_text("Xong <i>rồi</i>", 1001, sent.message_id, parse_mode="HTML"), not_modified
    )
    edited = await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=KEYBOARD)
    assert edited.reply_markup == KEYBOARD and edited.edit_date is not None and first.reply_markup is not None
    await expect_bad_request(bot.edit_message_text("x", 1001, 999), "message to edit not found")
    photo = await bot.send_photo(1001, PNG, caption="Ảnh 1")
    await expect_bad_request(
        bot.edit_message_text("x", 1001, photo.message_id), "there is no text in the message to edit"
    )
    recaptioned = await bot.edit_message_caption(1001, photo.message_id, caption="Ảnh 2")
    assert recaptioned.caption == "Ảnh 2" and user.messages[-1].text == "Ảnh 2"


async def test_wait_for_times_out_listing_seen_texts(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    await bot.send_message(1001, "Một")
    await bot.send_message(1001, "Hai")
    assert (await user.wait_for_text("Một")).text == "Một"
    with pytest.raises(AssertionError, match=r"seen: \['Hai'\]"):
        await user.wait_for_text("Ba", timeout=0.05)
    later = asyncio.create_task(user.wait_for(lambda m: m.text.startswith("Ba"), timeout=2))
    await asyncio.sleep(0.05)
    await bot.send_message(1001, "Ba mươi")
    assert (await later).text == "Ba mươi"


async def test_delete_message(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    sent = await bot.send_message(1001, "Tạm")
    incoming = await user.send("xin chào")
    assert await bot.delete_message(1001, sent.message_id)
    assert await bot.delete_message(1001, incoming["message_id"])
    assert user.messages == []
    await expect_bad_request(bot.delete_message(1001, sent.message_id), "message to delete not found")


async def test_long_poll_returns_promptly_and_offset_confirms(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    started = time.monotonic()
    assert await bot.get_updates(timeout=0) == ()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    await user.send("ping")
    updates = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates] == ["ping"]
    assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["ping"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_second_get_updates_terminates_the_first(api: FakeBotApi) -> None:
    url = f"{api.base_url}{api.token}/getUpdates"
    async with httpx.AsyncClient(timeout=5) as http:
        first = asyncio.create_task(http.post(url, data={"timeout": "5"}))
        await asyncio.sleep(0.1)
        second = await http.post(url, data={"timeout": "0"})
        terminated = await first
    assert second.json() == {"ok": True, "result": []}
    assert terminated.status_code == 409
    assert "terminated by other getUpdates" in terminated.json()["description"]


class WebhookReceiver:
    """Tiny aiohttp app recording webhook POSTs; answers 500 to the first `failures` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: asyncio.Queue[tuple[dict[str, Any], str | None]] = asyncio.Queue()
        self.runner = web.AppRunner(web.Application())
        self.runner.app.router.add_post("/hook", self.handle)
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures:
            self.failures -= 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await self.received.put((await request.json(), secret))
        return web.Response(text="ok")

    async def __aenter__(self) -> WebhookReceiver:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await self.runner.setup()
        await web.SockSite(self.runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.runner.cleanup()


async def test_webhook_delivery_with_secret_retry_and_conflict(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    await user.send("trước webhook")
    async with WebhookReceiver(failures=2) as receiver:
        assert await bot.set_webhook(receiver.url, secret_token="s3cret-Token_1", drop_pending_updates=True)
        for text in ("một", "hai", "ba"):
            await user.send(text)
        delivered = [await asyncio.wait_for(receiver.received.get(), 5) for _ in range(3)]
        assert [Update.de_json(body, bot).message.text for body, _ in delivered] == ["một", "hai", "ba"]
        assert {secret for _, secret in delivered} == {"s3cret-Token_1"}
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (receiver.url, 0)
        assert info.last_error_message and "500" in info.last_error_message
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        await expect_bad_request(
            bot.set_webhook("http://example.com/hook"),
            ("bad webhook: the fake Bot API only delivers to loopback hosts"),
        )
        assert await bot.delete_webhook()
    await user.send("sau webhook")
    assert [u.message.text for u in await drain(bot)] == ["sau webhook"]
    assert (await bot.get_webhook_info()).url == ""


async def test_send_photo_upload_get_file_download_and_reuse(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    sent = await bot.send_photo(1001, PNG, caption="<b>Ảnh</b>", parse_mode="HTML")
    assert [(p.width, p.height) for p in sent.photo] == [(90, 68), (256, 192)]
    assert sent.caption == "Ảnh" and sent.caption_entities[0].type == "bold"
    file = await sent.photo[-1].get_file()
    assert file.file_path.startswith(f"{api.base_file_url}{api.token}/photos/")
    assert bytes(await file.download_as_bytearray()) == PNG
    again = await bot.send_photo(1001, sent.photo[-1].file_id)
    assert again.photo == sent.photo
    stored = user.messages[0]
    assert stored.photo == PNG and stored.file_id == sent.photo[-1].file_id and stored.text == "Ảnh"
    document = await bot.send_document(1001, b"a,b\n1,2\n", filename="diem.csv")
    assert document.document.file_name == "diem.csv"
    assert bytes(await (await document.document.get_file()).download_as_bytearray()) == b"a,b\n1,2\n"
    assert user.messages[-1].document == b"a,b\n1,2\n"
    await expect_bad_request(bot.send_photo(1001, document.document.file_id), "type of file mismatch")
    await expect_bad_request(bot.send_photo(1001, "no-such-id"), "wrong file identifier/HTTP URL specified")
    await expect_bad_request(bot.get_file("no-such-id"), "invalid file_id")


async def test_user_photo_is_downloadable_by_the_bot(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    await user.send_photo(JPEG, caption="/nop ảnh", width=1280, height=960)
    (update,) = await drain(bot)
    photo = update.message.photo
    assert [(size.width, size.height) for size in photo] == [(90, 68), (1280, 960)]
    assert update.message.caption_entities[0].type == "bot_command"
    assert bytes(await (await photo[-1].get_file()).download_as_bytearray()) == JPEG
    async with httpx.AsyncClient() as http:
        path = (await bot.get_file(photo[0].file_id)).file_path
        wrong_token = await http.get(path.replace(api.token, "1:BAD"))
        missing = await http.get(f"{api.base_file_url}{api.token}/photos/nothing.jpg")
    assert (wrong_token.status_code, missing.status_code) == (401, 404)


async def test_send_media_group_with_two_uploads(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    album = await bot.send_media_group(1001, [InputMediaPhoto(PNG, caption="Một"), InputMediaPhoto(JPEG)])
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id is not None
    assert (album[0].caption, album[1].caption) == ("Một", None)
    downloads = [bytes(await (await m.photo[-1].get_file()).download_as_bytearray()) for m in album]
    assert downloads == [PNG, JPEG]
    assert [m.photo for m in user.messages] == [PNG, JPEG]
    media = api.calls[-3][1]["media"]
    assert all(item["media"].startswith("attach://") for item in media)
    single = bot.send_media_group(1001, [InputMediaPhoto(PNG)])
    await expect_bad_request(single, "media group must contain 2-10 items")


async def test_flood_limits_raise_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.user(1001, "An")
    api.user(1002, "Bình")
    api.set_flood_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    await bot.send_message(1001, "1")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "2")
    assert caught.value.retry_after == 1
    await bot.send_message(1002, "other chat is independent")
    assert api.flood_429_count == 1
    async with httpx.AsyncClient() as http:
        raw = await http.post(f"{api.base_url}{api.token}/sendMessage", data={"chat_id": "1001", "text": "3"})
    assert raw.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    group = api.group(-100123, "Nhóm xã Ba Bích")
    await api.add_bot_to_group(group, by=api.user(1001, "An"))
    api.set_flood_limits(global_per_second=100, per_chat_per_second=100, per_group_per_minute=2)
    await bot.send_message(-100123, "a")
    await bot.send_message(-100123, "b")
    with pytest.raises(RetryAfter) as group_flood:
        await bot.send_message(-100123, "c")
    assert 55 <= group_flood.value.retry_after <= 60 and api.flood_429_count == 3
    api.set_flood_limits(None)
    assert (await bot.send_message(-100123, "free")).text == "free"


async def test_commands_stored_per_scope_and_language(api: FakeBotApi, bot: Bot) -> None:
    commands = [BotCommand("start", "Bắt đầu"), BotCommand("diem", "Xem điểm")]
    assert await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats(), language_code="vi")
    key = ('{"type":"all_private_chats"}', "vi")
    assert api.commands[key] == [
        {"command": "start", "description": "Bắt đầu"},
        {"command": "diem", "description": "Xem điểm"},
    ]
    assert api.commands_for({"type": "all_private_chats"}, "vi") == api.commands[key]
    got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="vi")
    assert [c.command for c in got] == ["start", "diem"]
    assert await bot.get_my_commands() == ()
    await expect_bad_request(bot.set_my_commands([BotCommand("Start", "x")]), "BOT_COMMAND_INVALID")
    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="vi")
    assert api.commands == {}


async def test_group_membership_lifecycle(api: FakeBotApi, bot: Bot) -> None:
    admin = api.user(1001, "An")
    member = api.user(1002, "Bình")
    group = api.group(-100123, "Nhóm xã Ba Bích")
    assert (await bot.send_message(-100123, "đã ở trong nhóm")).chat.type == "supergroup"
    await api.add_bot_to_group(group, by=admin)
    await group.send(member, "/diem@thidua_test_bot")
    group.set_member_status(admin, "administrator")
    updates = await drain(bot)
    change = updates[0].my_chat_member
    assert (change.chat.title, change.old_chat_member.status, change.new_chat_member.status) == (
        "Nhóm xã Ba Bích",
        "left",
        "member",
    )
    assert updates[1].message.new_chat_members[0].id == 123456
    assert (updates[2].message.from_user.id, updates[2].message.chat.id) == (1002, -100123)
    assert (await bot.get_chat_member(-100123, 1001)).status == "administrator"
    assert (await bot.get_chat_member(-100123, 123456)).status == "member"
    assert (await bot.get_chat(-100123)).title == "Nhóm xã Ba Bích"
    await bot.send_message(-100123, "Chào cả nhóm")
    assert (await group.wait_for_text("Chào cả nhóm")).chat_id == -100123
    await bot.send_chat_action(-100123, "typing")
    await api.remove_bot_from_group(group, by=admin)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(-100123, "hi")
    with pytest.raises(AssertionError, match="not in group"):
        await group.send(member, "bot cannot see this")
    await api.add_bot_to_group(group, by=admin)
    changes = [u.my_chat_member for u in await drain(bot) if u.my_chat_member]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        ("member", "kicked"),
        ("kicked", "member"),
    ]
    assert (await bot.send_message(-100123, "trở lại")).text == "trở lại"


async def test_migrate_group_to_supergroup(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    group = api.group(-4001, "Nhóm cũ", type="group")
    await api.add_bot_to_group(group, by=user)
    supergroup = await api.migrate_group(group, -1004001, by=user)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4001, "hi")
    assert caught.value.new_chat_id == -1004001
    messages = [u.message for u in await drain(bot) if u.message]
    assert messages[-2].migrate_to_chat_id == -1004001 and messages[-1].migrate_from_chat_id == -4001
    await bot.send_message(-1004001, "đã chuyển")
    assert (await supergroup.wait_for_text("đã chuyển")).chat_id == -1004001
    assert await bot.leave_chat(-1004001)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(-1004001, "hi")


async def test_block_and_unblock(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(1001, "An")
    api.block(1001)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "hi")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(1001, "typing")
    api.unblock(1001)
    assert (await bot.send_message(1001, "lại")).text == "lại"
    statuses = [u.my_chat_member.new_chat_member.status for u in await drain(bot)]
    assert statuses == ["kicked", "member"] and user.messages[0].text == "lại"


async def test_application_polling_end_to_end(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_html(f"Xin chào <b>{context.args[0]}</b>", reply_markup=KEYBOARD)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Đã nhận")
        await update.callback_query.edit_message_text("Cảm ơn")

    builder = ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url)
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    user = api.user(1001, "Nguyễn Văn An")
    async with app:
        await app.updater.start_polling(timeout=5)
        await app.start()
        await user.send("/start An")
        greeting: BotMessage = await user.wait_for_text("Xin chào An")
        query_id = await user.press(greeting, "Đồng ý")
        assert (await api.wait_callback_answer(query_id))["text"] == "Đã nhận"
        assert await user.wait_for_text("Cảm ơn") is greeting and greeting.reply_markup is None
        await app.updater.stop()
        await app.stop()
    used = {name for name, _ in api.calls}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage", "editMessageText"} <= used


async def test_cli_refuses_non_loopback_and_serves_on_loopback() -> None:
    refused = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fake_bot_api",
        "--host",
        "0.0.0.0",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(refused.communicate(), 20)
    assert refused.returncode != 0 and b"non-loopback" in stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fake_bot_api",
        "--port",
        str(port),
        "--token",
        "7:T",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), 20)
        assert f"base_url=http://127.0.0.1:{port}/bot".encode() in line
        async with httpx.AsyncClient() as http:
            me = await http.get(f"http://127.0.0.1:{port}/bot7:T/getMe")
        assert me.json()["result"]["is_bot"] is True
    finally:
        server.terminate()
        await server.wait()
