"""Ranking charts as PNG pictures: large Vietnamese text and a data-driven bar axis, for phone screens.

Pure drawing: callers pass texts already formatted in the viewer's language, so this module needs
neither Telegram nor Babel.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import cache

from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT
from PIL import Image, ImageDraw, ImageFont

#: A cluster never has more units than this; more bars would not be readable on a phone anyway.
MAX_BARS = 40

_WIDTH = 1080
_PAD = 48
_ROW = 90  # one unit: its label line, then its bar
_BAR_TOP = 52  # from the top of a row
_BAR_HEIGHT = 28
_LABEL_BASELINE = 38  # from the top of a row: room for stacked marks such as "Ặ" above it
_VALUE_GAP = 14
_MIN_BAR = 8  # even a unit at the baseline keeps a visible stub

_BACKGROUND = (255, 255, 255)
_INK = (26, 32, 44)
_MUTED = (90, 100, 116)
_BAR = (47, 98, 168)
_ACCENT = (222, 88, 20)
_ACCENT_BAND = (255, 239, 226)


@dataclass(frozen=True)
class ChartBar:
    """One unit's bar: its name, total and the texts shown beside it."""

    label: str
    value: Decimal
    value_text: str
    rank_text: str
    highlight: bool = False


@cache
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """Be Vietnam Pro in one weight and size, loaded once: it has every Vietnamese precomposed letter."""
    return ImageFont.truetype(str(FONT_ROOT / "files" / f"BeVietnamPro-{weight}.ttf"), size)


def _nfc(text: str) -> str:
    """Composed letters, so "ạ" typed as "a" + combining dot (NFD, e.g. from macOS) draws as one glyph."""
    return unicodedata.normalize("NFC", text)


def _nice_step(top: Decimal) -> Decimal:
    """A round axis step of about a twentieth of the scale: 5 for 100, 50 for 1000, 0,5 for 10."""
    target = top / 20
    unit = Decimal(1).scaleb(target.adjusted())
    return next(unit * m for m in (1, 2, 5, 10) if unit * m >= target)


def _baseline(values: Sequence[Decimal], scale_max: Decimal) -> Decimal:
    """Where bars start: under the lowest total by the spread, on a round step; 0 if far apart or equal."""
    top = max([scale_max, *values])
    low = min(values, default=Decimal(0))
    spread = top - low
    if low <= 0 or len(set(values)) < 2 or spread * 2 >= top:
        return Decimal(0)
    step = _nice_step(top)
    return max(Decimal(0), ((low - spread) / step).to_integral_value(rounding=ROUND_FLOOR) * step)


def _decimal_comma(number: Decimal) -> str:
    """A number as Vietnamese write it: "90", "8,5"."""
    return format(number.normalize(), "f").replace(".", ",")


def _note_text(template: str, baseline: Decimal) -> str:
    """The caller's note with its "{baseline}" filled in (plain replace: other braces stay as written)."""
    return template.replace("{baseline}", _decimal_comma(baseline))


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The text cut at a word (or letter) with "…" so it fits the width; unchanged when it fits."""
    if font.getlength(text) <= width:
        return text
    words = text.split()
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:–-") + "…"
        if font.getlength(candidate) <= width:
            return candidate
    letters = text
    while letters and font.getlength(letters + "…") > width:
        letters = letters[:-1]
    return letters.rstrip() + "…"


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Words laid into lines no wider than the width (a single over-long word is ellipsized)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_ellipsize(word, font, width))
    return lines


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    """Distance between baselines of wrapped lines, with room for Vietnamese marks above capitals."""
    ascent, descent = font.getmetrics()
    return ascent + descent


def ranking_chart(
    title: str, subtitle: str, bars: Sequence[ChartBar], scale_max: Decimal, baseline_note: str
) -> bytes:
    """The ranking of one cluster as a PNG: horizontal bars, best first, labelled in Vietnamese."""
    bars = bars[:MAX_BARS]
    title_font, subtitle_font = _font("Bold", 46), _font("Regular", 30)
    label_font, bold_font = _font("Medium", 30), _font("Bold", 30)
    note_font = _font("Italic", 24)
    inner = _WIDTH - 2 * _PAD

    title_lines = _wrap(_nfc(title), title_font, inner)
    subtitle_lines = _wrap(_nfc(subtitle), subtitle_font, inner)
    header = (
        _PAD
        + len(title_lines) * _line_height(title_font)
        + len(subtitle_lines) * _line_height(subtitle_font)
        + 28
    )
    rows_bottom = header + len(bars) * _ROW
    height = rows_bottom + 20 + _line_height(note_font) + _PAD // 2

    image = Image.new("RGB", (_WIDTH, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = _PAD
    for line in title_lines:
        draw.text((_PAD, y), line, font=title_font, fill=_INK)
        y += _line_height(title_font)
    for line in subtitle_lines:
        draw.text((_PAD, y), line, font=subtitle_font, fill=_MUTED)
        y += _line_height(subtitle_font)

    baseline = _baseline([bar.value for bar in bars], scale_max)
    axis_top = max([scale_max, *(bar.value for bar in bars)])
    value_width = max((bold_font.getlength(_nfc(bar.value_text)) for bar in bars), default=0)
    bar_room = inner - _VALUE_GAP - value_width
    span = axis_top - baseline
    rank_slot = 2 * max(bold_font.getlength(digit) for digit in "0123456789")  # labels align after "01"…"40"

    for index, bar in enumerate(bars):
        top = header + index * _ROW
        if bar.highlight:
            draw.rounded_rectangle(
                (_PAD - 16, top, _WIDTH - _PAD + 16, top + _ROW - 4), radius=14, fill=_ACCENT_BAND
            )
        rank = _nfc(bar.rank_text)
        draw.text((_PAD, top + _LABEL_BASELINE), rank, font=bold_font, fill=_MUTED, anchor="ls")
        label_x = _PAD + max(rank_slot, bold_font.getlength(rank)) + 16
        name_font = bold_font if bar.highlight else label_font
        label = _ellipsize(_nfc(bar.label), name_font, _WIDTH - _PAD - label_x)
        draw.text((label_x, top + _LABEL_BASELINE), label, font=name_font, fill=_INK, anchor="ls")

        fraction = (bar.value - baseline) / span if span > 0 else Decimal(0)
        length = max(_MIN_BAR, round(bar_room * float(min(max(fraction, Decimal(0)), Decimal(1)))))
        bar_y = top + _BAR_TOP
        draw.rectangle(
            (_PAD, bar_y, _PAD + length - 1, bar_y + _BAR_HEIGHT - 1), fill=_ACCENT if bar.highlight else _BAR
        )
        draw.text(
            (_PAD + length + _VALUE_GAP, bar_y + _BAR_HEIGHT / 2),
            _nfc(bar.value_text),
            font=bold_font,
            fill=_INK,
            anchor="lm",
        )

    note = _ellipsize(_nfc(_note_text(baseline_note, baseline)), note_font, inner)
    draw.text((_PAD, rows_bottom + 20), note, font=note_font, fill=_MUTED)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
