"""The sandbox in a real headless Chromium: a village head onboards, registers and sends a photo; the
commune admin approves; the head sees the result. Screenshots of each main screen are taken and checked."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from sandbox.serve import running_sandbox
from tests.browser import check_screenshot, chrome

HEADER = "#2b6cb0"  # the sidebar's title band
MY_BUBBLE = "#e1f7cb"  # the person's own messages
BINH, HOA, MAI, GROUP = 7001, 7010, 7002, -1007001
TIMEOUT = 15


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sandbox serving its page, in a thread of its own (Selenium's calls block)."""
    data_dir = tmp_path_factory.mktemp("sandbox")
    ready = threading.Event()
    box: dict[str, object] = {}

    async def serve() -> None:
        box["stop"] = stop = asyncio.Event()
        try:
            async with running_sandbox("127.0.0.1", 0, data_dir) as url:
                box["url"] = url
                ready.set()
                await stop.wait()
        except BaseException as error:  # reported to the test instead of dying silently in the thread
            box["error"] = error
            ready.set()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(60), "the sandbox did not start within 60 s"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    yield str(box["url"])
    loop.call_soon_threadsafe(box["stop"].set)  # type: ignore[attr-defined]
    thread.join(30)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: THIDUA_SCREENSHOTS if set (to keep them), else a temporary folder."""
    folder = os.environ.get("THIDUA_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(sandbox_url: str, screenshots: Path, tmp_path: Path):
    driver = chrome(tmp_path / "profile")
    try:
        driver.get(sandbox_url)
        yield Page(driver, screenshots)
    finally:
        driver.quit()


class Page:
    """The sandbox page as a person uses it: choose who you are, read, tap, type, send a file."""

    def __init__(self, driver, screenshots: Path) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.folder, self.by = driver, screenshots, By
        self.wait = WebDriverWait(driver, TIMEOUT)

    def be(self, chat_id: int) -> None:
        """Choose a person or group in the sidebar."""
        self.click(f"li[data-chat='{chat_id}']", lambda element: True, f"chat {chat_id}")
        self.wait.until(
            lambda d: d.execute_script("return state.current === arguments[0] && state.rendered", chat_id)
        )

    def click(self, selector: str, wanted, what: str) -> None:
        """Click the last element matching; the page redraws as messages arrive, so retry stale finds."""
        from selenium.common.exceptions import StaleElementReferenceException

        def clicked(driver) -> bool:
            try:
                matching = [e for e in driver.find_elements(self.by.CSS_SELECTOR, selector) if wanted(e)]
                if not matching:
                    return False
                driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", matching[-1])
                matching[-1].click()
                return True
            except StaleElementReferenceException:
                return False

        try:
            self.wait.until(clicked)
        except Exception:
            raise AssertionError(f"cannot click {what}; chat: {self.chat_text()[-800:]!r}") from None

    def chat_text(self) -> str:
        return self.driver.find_element(self.by.ID, "messages").text

    def sees(self, text: str) -> None:
        """Wait until the open chat shows `text`."""
        try:
            self.wait.until(lambda d: text in self.chat_text())
        except Exception:
            raise AssertionError(f"{text!r} not in the chat: {self.chat_text()[-1500:]!r}") from None

    def tap(self, label: str, prefix: bool = False) -> None:
        """Tap the newest button (inline or reply keyboard) with this label (or starting with it)."""
        self.click(
            "#messages button, #reply-keyboard button",
            lambda button: button.text.startswith(label) if prefix else button.text == label,
            f"the button {label!r}",
        )

    def type(self, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.driver.find_element(self.by.ID, "text")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def attach(self, path: Path, caption: str) -> None:
        """Type a caption, then choose a file from the computer: it is sent with the caption."""
        self.driver.find_element(self.by.ID, "text").send_keys(caption)
        self.driver.find_element(self.by.ID, "file").send_keys(str(path))

    def shot(self, name: str, *colours: str) -> Path:
        """A screenshot of the whole window, checked to be a real, non-blank page."""
        path = self.folder / f"{name}.png"
        self.driver.execute_script("document.getElementById('toast').hidden = true")
        assert self.driver.save_screenshot(str(path))
        check_screenshot(path, (HEADER, *colours))
        return path


def village_road(path: Path) -> None:
    """A small picture of a village road: sky, fields in the evidence green, a grey road to the horizon."""
    picture = Image.new("RGB", (640, 480), (150, 200, 235))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 200, 640, 480), fill=(52, 140, 80))
    draw.polygon([(300, 200), (340, 200), (520, 480), (120, 480)], fill=(120, 120, 120))
    for x in range(40, 640, 120):
        draw.ellipse((x, 140, x + 60, 210), fill=(30, 100, 50))
    picture.save(path, "PNG")


def test_a_village_head_onboards_registers_and_sends_a_photo_that_the_admin_approves(
    page: Page, tmp_path: Path
) -> None:
    by = page.by
    page.wait.until(lambda d: d.find_elements(by.CSS_SELECTOR, "li[data-chat]"))
    assert "không có thật" in page.driver.find_element(by.ID, "fictional").text
    assert "Giờ mô phỏng" in page.driver.find_element(by.ID, "clock").text
    page.shot("01_chon_nguoi_dung")

    # The village head opens the invite link the commune gave him and confirms who he is.
    page.be(BINH)
    page.wait.until(lambda d: d.find_elements(by.ID, "open-invite"))
    page.shot("02_link_moi")
    page.driver.find_element(by.ID, "open-invite").click()
    page.sees("Anh/chị có phải là trưởng thôn Thôn 1, xã An Hòa không?")
    page.tap("✅ Đúng, tôi đây")
    page.sees("Hoàn tất: anh/chị đã được liên kết")
    page.tap("📱 Chia sẻ số điện thoại")  # a reply keyboard button
    page.sees("Trình đơn chính")
    page.shot("03_lien_ket_xong", MY_BUBBLE)

    # He registers Thôn 1 for the model-village title.
    page.tap("📣 Phong trào thi đua")
    page.tap("➖ Thi đua xây dựng thôn", prefix=True)
    page.tap("📝 Đăng ký: Thôn kiểu mẫu")
    page.sees("Đã đăng ký cho Thôn 1, xã An Hòa danh hiệu “Thôn kiểu mẫu”")
    page.shot("04_dang_ky", MY_BUBBLE)

    # The commune admin approves the registration in her own chat.
    page.be(HOA)
    page.sees("Thôn 1, xã An Hòa đăng ký danh hiệu “Thôn kiểu mẫu”")
    page.shot("05_quan_tri_nhan_dang_ky")
    page.tap("✅ Duyệt")
    page.sees("✅ Đã duyệt: Thôn 1, xã An Hòa – “Thôn kiểu mẫu”.")

    # He sees the approval, then sends a photo for criterion II.3.1 from the computer.
    page.be(BINH)
    page.sees("đã được duyệt")
    page.type("/minhchung")
    page.tap("➖ II.3.1", prefix=True)
    page.sees("Gửi ảnh (một ảnh hoặc một album)")
    photo = tmp_path / "duong_lang.png"
    village_road(photo)
    page.attach(photo, "Đường làng sau buổi tổng vệ sinh")
    page.sees("Đã lưu 1 tệp")
    drawn = "const img = document.querySelector('.message.mine img'); return img ? img.naturalWidth : 0"
    page.wait.until(lambda d: d.execute_script(drawn) == 640)  # the picture arrived whole
    page.shot("06_gui_anh_minh_chung", MY_BUBBLE, "#348c50")
    page.tap("✅ Gửi thẩm định")
    page.sees("Đã gửi thẩm định")

    # The admin opens the evidence, sees the photo, and approves it.
    page.be(HOA)
    page.sees("Minh chứng mới cần thẩm định")
    page.tap("👁 Xem và thẩm định")
    page.sees("Ghi chú: Đường làng sau buổi tổng vệ sinh")
    page.wait.until(lambda d: d.find_elements(by.CSS_SELECTOR, ".message:not(.mine) img"))
    page.shot("07_tham_dinh_minh_chung", "#348c50")
    page.tap("✅ Duyệt")
    page.sees("Đã duyệt")

    # The village head sees the result.
    page.be(BINH)
    page.sees("II.3.1")
    page.sees("được duyệt")
    page.shot("08_ket_qua", MY_BUBBLE)


def test_the_group_chat_and_the_clock_control_show_the_schedule_at_work(page: Page) -> None:
    by = page.by
    page.be(GROUP)
    page.sees("Phát động phong trào thi đua")
    assert page.driver.find_element(by.ID, "send-as").is_displayed()
    page.shot("09_nhom_chat_xa")

    before = page.driver.find_element(by.ID, "clock").text
    page.driver.find_element(by.ID, "advance").click()
    page.wait.until(lambda d: d.find_element(by.ID, "clock").text != before)
    page.be(MAI)
    page.sees("⏰ Còn 1 ngày đến hạn")
    page.shot("10_nhac_viec_sau_1_ngay")
