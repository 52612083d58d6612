"""Headless Chromium driven by Selenium for the sandbox's browser tests, and checks on its screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageStat

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WINDOW = (1280, 900)
# Without the networking flags Chromium keeps dialling Google's hosts, which this closed network refuses.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=vi",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
)


def chrome(profile: Path):
    """A headless Chromium; skipped where it is not installed, but never in CI, which installs it."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """(r, g, b) of a CSS hex colour."""
    value = hex_colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def check_screenshot(path: Path, colours: tuple[str, ...]) -> None:
    """The picture is a full, non-blank page that shows the page's own colours (header, bubbles…)."""
    with Image.open(path) as image:
        picture = image.convert("RGB")
    assert picture.size[0] >= WINDOW[0] - 20, picture.size
    assert max(ImageStat.Stat(picture).stddev) > 20, f"{path.name} looks blank"
    present = {colour for _count, colour in picture.getcolors(maxcolors=1 << 20)}
    missing = [colour for colour in colours if rgb(colour) not in present]
    assert missing == [], f"{path.name} lacks the colours {missing}"
