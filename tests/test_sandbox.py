"""The sandbox's web API and demo data, without a browser: what the page relies on, and what it refuses."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot import cli
from bot.i18n import VIETNAM
from sandbox import serve as sandbox_serve
from sandbox.demo import demo_campaign, template
from sandbox.serve import running_sandbox
from storage.models import utcnow

MAI, BINH = 7002, 7001
STATIC = Path(__file__).resolve().parent.parent / "sandbox" / "static"


class Client:
    """The page's side of the API."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url.rstrip("/")

    async def get(self, path: str) -> dict:
        async with self.session.get(self.url + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, body: dict | aiohttp.FormData, status: int = 200) -> dict | str:
        kwargs = {"data": body} if isinstance(body, aiohttp.FormData) else {"json": body}
        async with self.session.post(self.url + path, **kwargs) as response:
            assert response.status == status, await response.text()
            return await response.json() if status == 200 else await response.text()

    async def messages(self, chat_id: int) -> list[dict]:
        return (await self.get(f"/api/chats/{chat_id}"))["messages"]

    async def last_sent(self, chat_id: int) -> dict:
        """The newest message a person sent in the chat (the bot may have answered since)."""
        return [message for message in await self.messages(chat_id) if not message["from_bot"]][-1]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    async with (
        running_sandbox("127.0.0.1", 0, tmp_path / "sandbox") as url,
        aiohttp.ClientSession() as session,
    ):
        yield Client(session, url)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until `check()` holds (the bot answers through its own polling loop)."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 - the replies arrive over HTTP, not as an event
            await asyncio.sleep(0.1)


async def test_the_page_loads_nothing_from_outside_the_sandbox(client: Client) -> None:
    async with client.session.get(client.url + "/") as response:
        page = await response.text()
    assert 'src="/static/sandbox.js"' in page
    for name in ("sandbox.js", "sandbox.css"):
        async with client.session.get(f"{client.url}/static/{name}") as response:
            assert response.status == 200
    async with client.session.get(client.url + "/fonts/BeVietnamPro-Regular.ttf") as response:
        assert response.status == 200 and len(await response.read()) > 50_000
    for path in STATIC.iterdir():
        loads = re.findall(r"""(?:src=|href=|url\()\s*["']?(\w+:)?//""", path.read_text(encoding="utf-8"))
        assert loads == [], f"{path.name} loads an outside resource"


async def test_the_demo_is_fictional_and_has_everyone_the_page_offers(client: Client) -> None:
    world = await client.get("/api/world")
    assert "không có thật" in world["texts"]["fictional"]
    assert world["clock"].startswith("Giờ mô phỏng: 08:")
    people = {person["id"]: person for person in world["people"]}
    assert len(people) == 7 and [group["name"] for group in world["groups"]] == ["Thi đua xã An Hòa"]
    assert people[BINH]["about"] == "Trưởng thôn Thôn 1, xã An Hòa, chưa liên kết tài khoản"
    assert people[BINH]["invite"].startswith("https://t.me/thidua_sandbox_bot?start=")
    assert people[MAI]["invite"] is None

    async def announced() -> bool:
        texts = [message["text"] for message in await client.messages(MAI)]
        return len(texts) == 2 and all("Phát động phong trào thi đua" in text for text in texts)

    await eventually(announced)  # the two launched campaigns reached the linked village heads


async def test_an_invite_link_opened_on_the_page_links_the_person(client: Client) -> None:
    invite = (await client.get("/api/world"))["people"][0]["invite"]
    await client.post(
        f"/api/chats/{BINH}/messages", {"sender": BINH, "text": "/start " + invite.split("=")[1]}
    )

    async def asked() -> bool:
        return any(m["buttons"] for m in await client.messages(BINH))

    await eventually(asked)
    question = next(m for m in await client.messages(BINH) if m["buttons"])
    assert question["text"] == "Anh/chị có phải là trưởng thôn Thôn 1, xã An Hòa không?"
    button = question["buttons"][0][0]
    answer = await client.post(
        f"/api/chats/{BINH}/press",
        {"sender": BINH, "message_id": question["id"], "data": button["callback_data"]},
    )
    assert answer == {"text": "", "alert": False}

    async def linked() -> bool:
        person = (await client.get("/api/world"))["people"][0]
        return person["invite"] is None and person["about"] == "Trưởng thôn Thôn 1, xã An Hòa"

    await eventually(linked)
    keyboard = (await client.get(f"/api/chats/{BINH}"))["keyboard"]
    assert keyboard[0][0] == {"text": "📱 Chia sẻ số điện thoại", "request_contact": True}


async def test_nobody_writes_as_someone_else_and_bad_requests_are_refused(client: Client) -> None:
    refused = await client.post(
        f"/api/chats/{MAI}/messages", {"sender": BINH, "text": "xin chào"}, status=403
    )
    assert refused == "Người này không nhắn tin trong khung chat này."
    await client.post("/api/chats/-1007001/messages", {"sender": 7011, "text": "xin chào"}, status=403)
    await client.post(f"/api/chats/{MAI}/messages", {"sender": MAI, "text": "   "}, status=400)
    await client.post(f"/api/chats/{MAI}/press", {"sender": MAI, "message_id": 999, "data": "x"}, status=404)
    await client.post("/api/chats/12345/messages", {"sender": MAI, "text": "xin chào"}, status=404)
    await client.post(f"/api/chats/{MAI}/messages", {"sender": [MAI], "text": "xin chào"}, status=403)
    await client.post(f"/api/chats/{MAI}/messages", {"sender": True, "text": "xin chào"}, status=403)
    await client.post(f"/api/chats/{MAI}/press", {"sender": MAI, "message_id": [1], "data": "x"}, status=404)
    await client.post("/api/chats/abc/messages", {"sender": MAI, "text": "xin chào"}, status=404)
    await client.post("/api/clock", {"days": 0}, status=400)
    await client.post("/api/clock", {"days": True}, status=400)
    shown = await client.messages(MAI)
    assert shown == [message for message in shown if message["from_bot"]]


async def test_only_the_page_itself_can_drive_the_sandbox(client: Client) -> None:
    """Another web site open in the same browser cannot post to it, nor reach it by a rebound name."""
    url = f"{client.url}/api/chats/{MAI}/messages"
    body = '{"sender": 7002, "text": "xin chào"}'
    async with client.session.post(url, data=body, headers={"Content-Type": "text/plain"}) as response:
        assert response.status == 415  # what a cross-site form can send without asking first
    headers = {"Origin": "https://example.com"}
    async with client.session.post(
        url, json={"sender": MAI, "text": "xin chào"}, headers=headers
    ) as response:
        assert response.status == 403
    async with client.session.get(f"{client.url}/api/world", headers={"Host": "rebound.example"}) as response:
        assert response.status == 403
    async with client.session.get(client.url + "/") as response:
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    shown = await client.messages(MAI)
    assert shown == [message for message in shown if message["from_bot"]]


async def test_a_file_from_the_computer_is_a_document_and_a_picture_is_a_photo(client: Client) -> None:
    pdf = b"%PDF-1.4 bien ban hop thon"
    form = aiohttp.FormData()
    form.add_field("sender", str(MAI))
    form.add_field("caption", "Biên bản họp thôn")
    form.add_field("file", pdf, filename="bien_ban.pdf", content_type="application/pdf")
    await client.post(f"/api/chats/{MAI}/files", form)
    sent = await client.last_sent(MAI)
    assert sent["document"]["name"] == "bien_ban.pdf" and sent["text"] == "Biên bản họp thôn"
    async with client.session.get(f"{client.url}/api/files/{sent['document']['file_id']}") as response:
        assert await response.read() == pdf
        assert response.headers["Content-Disposition"] == "attachment"  # never shown in the page's origin

    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (320, 200), (200, 40, 40)).save(picture, "PNG")
    form = aiohttp.FormData()
    form.add_field("sender", str(MAI))
    form.add_field("file", picture.getvalue(), filename="anh.png", content_type="image/png")
    await client.post(f"/api/chats/{MAI}/files", form)
    photo = (await client.last_sent(MAI))["photo"]
    assert (photo["width"], photo["height"]) == (320, 200)
    async with client.session.get(f"{client.url}/api/files/{photo['file_id']}") as response:
        assert response.content_type == "image/png" and await response.read() == picture.getvalue()

    broken = aiohttp.FormData()
    broken.add_field("sender", str(MAI))
    broken.add_field("file", picture.getvalue()[:40], filename="hong.png", content_type="image/png")
    await client.post(f"/api/chats/{MAI}/files", broken)
    sent = await client.last_sent(MAI)
    assert "photo" not in sent and sent["document"]["name"] == "hong.png"  # a picture that does not decode


async def test_advancing_the_clock_runs_the_reminders_of_the_new_day(client: Client) -> None:
    before = utcnow()
    result = await client.post("/api/clock", {"days": 1})
    assert timedelta(hours=23, minutes=59) < utcnow() - before < timedelta(days=1, minutes=1)
    tomorrow = (before + timedelta(days=1)).astimezone(VIETNAM).strftime("%d/%m/%Y")
    assert tomorrow in result["clock"] and result["queued"] > 0
    assert result["message"] == f"Đã sang ngày mới; {result['queued']} tin nhắc việc đang chờ gửi."

    async def reminded() -> bool:
        return any("⏰ Còn 1 ngày đến hạn" in m["text"] for m in await client.messages(MAI))

    await eventually(reminded)
    dated = [m for m in await client.messages(MAI) if "Còn 1 ngày" in m["text"]]
    assert all(tomorrow in message["time"] for message in dated)


async def test_starting_over_gives_fresh_data_and_the_morning_clock(client: Client) -> None:
    first = (await client.get("/api/world"))["people"][0]["invite"]
    await client.post(f"/api/chats/{MAI}/messages", {"sender": MAI, "text": "/diem"})
    await client.post("/api/clock", {"days": 2})
    await client.post("/api/reset", {})
    world = await client.get("/api/world")
    assert world["people"][0]["invite"] != first
    today = datetime.now(VIETNAM).strftime("%d/%m/%Y")
    assert world["clock"] == f"Giờ mô phỏng: 08:30 {today}"  # back from two days ahead
    assert all(message["from_bot"] for message in await client.messages(MAI))


async def test_the_real_clock_comes_back_when_the_sandbox_stops(tmp_path: Path) -> None:
    async with running_sandbox("127.0.0.1", 0, tmp_path) as url, aiohttp.ClientSession() as session:
        await Client(session, url).post("/api/clock", {"days": 3})
        assert utcnow() - datetime.now(UTC) > timedelta(days=2)
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=1)


async def test_the_sandbox_listens_on_loopback_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        async with running_sandbox("0.0.0.0", 0, tmp_path):
            pass


def test_run_without_a_token_opens_the_sandbox(monkeypatch, tmp_path: Path, capsys) -> None:
    calls = []

    async def serve(host, port, data_dir, locale, timezone, announce) -> None:
        calls.append((host, port, data_dir, locale, timezone.key))
        announce("http://127.0.0.1:8080/")

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THIDUA_BOT_TOKEN", raising=False)
    monkeypatch.setattr(sandbox_serve, "serve", serve)
    assert cli.main(["run"]) == 0
    assert calls == [("127.0.0.1", 8080, Path(".thidua-sandbox"), "vi", "Asia/Ho_Chi_Minh")]
    out = capsys.readouterr().out
    assert "Chưa đặt THIDUA_BOT_TOKEN: chạy bản thử nghiệm ngoại tuyến." in out
    assert "Bản thử nghiệm đang chạy: mở http://127.0.0.1:8080/ trong trình duyệt." in out


def test_templates_move_to_the_demo_places_and_to_days_from_today() -> None:
    today = date(2026, 12, 30)
    campaign = demo_campaign(template("cum_khu_trung"), today)
    assert campaign.code == "cum_khu_trung_2026" and campaign.year == 2026
    assert campaign.name == "Chấm điểm thi đua Cụm các xã, thị trấn số 1 năm 2026"
    assert (campaign.organizer, campaign.scope) == ("MH", ("MH-AH", "MH-TP", "MH-TT"))
    dues = [deadline.due for deadline in campaign.deadlines]
    assert dues[0] == date(2027, 1, 1) and dues == sorted(dues)
    assert campaign.period_start == date(2026, 1, 1) and campaign.period_end == dues[-1]
    assert "Ba Bích" not in campaign.description and "An Hòa" in campaign.description
