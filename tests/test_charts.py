"""Ranking charts: a phone-sized PNG, bars that tell close totals apart, and Vietnamese letters drawn."""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal
from functools import cache

import pytest
from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT
from PIL import Image, ImageDraw, ImageFont

from bot.services import charts
from bot.services.charts import MAX_BARS, ChartBar, ranking_chart

TITLE = "Xếp hạng Cụm Khu Trung"
SUBTITLE = "Chấm điểm thi đua năm 2024 – tổng 100 điểm"
NOTE = "Trục điểm bắt đầu từ {baseline}"


def bar(label: str, value: str, rank: str = "01", highlight: bool = False) -> ChartBar:
    """A bar whose value text is the value with a decimal comma."""
    return ChartBar(label, Decimal(value), value.replace(".", ","), rank, highlight)


def sample_bars() -> list[ChartBar]:
    return [
        bar("Xã Ba Bích", "99.7", "01", highlight=True),
        bar("Xã Ba Lễ", "99.7", "01 (đồng hạng)"),
        bar("Thị trấn Ba Tơ", "98.25", "03"),
        bar("Xã Ba Vinh", "97", "04"),
        bar("Xã Ba Thành", "95.5", "05"),
    ]


def many_bars(count: int) -> list[ChartBar]:
    return [bar(f"Thôn {index + 1}", f"{99 - index * 0.1:.1f}", f"{index + 1:02d}") for index in range(count)]


def chart(bars: list[ChartBar], scale_max: str = "100") -> bytes:
    return ranking_chart(TITLE, SUBTITLE, bars, Decimal(scale_max), NOTE)


def picture(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def bar_lengths(png: bytes) -> list[int]:
    """Each drawn bar's length in pixels, top to bottom: runs of rows holding bar-coloured pixels."""
    image = picture(png)
    pixels = image.load()
    colours = {charts._BAR, charts._ACCENT}
    lengths: list[int] = []
    in_bar = False
    for y in range(image.height):
        count = sum(1 for x in range(image.width) if pixels[x, y] in colours)
        if count and in_bar:
            lengths[-1] = max(lengths[-1], count)
        elif count:
            lengths.append(count)
        in_bar = bool(count)
    return lengths


def colour_count(png: bytes, colour: tuple[int, int, int]) -> int:
    return dict((rgb, n) for n, rgb in picture(png).getcolors(maxcolors=1 << 20)).get(colour, 0)


def test_the_chart_is_a_png_1080_pixels_wide():
    image = Image.open(io.BytesIO(chart(sample_bars())))
    assert image.format == "PNG"
    assert image.width == 1080
    assert 600 < image.height < 1000


def test_the_height_grows_by_a_row_per_bar():
    heights = [picture(chart(many_bars(count))).height for count in (1, 6, 12)]
    assert heights[0] < heights[1] < heights[2]
    per_bar = (heights[2] - heights[1]) / 6
    assert 70 <= per_bar <= 95


def test_the_viewers_unit_is_drawn_in_the_accent_colour():
    highlighted = chart(sample_bars())
    plain = chart([bar(b.label, str(b.value), b.rank_text) for b in sample_bars()])
    assert colour_count(highlighted, charts._ACCENT) > 5000
    assert colour_count(plain, charts._ACCENT) == 0
    assert colour_count(plain, charts._BAR) > colour_count(highlighted, charts._BAR)


def test_bars_keep_the_given_order_and_a_bigger_total_draws_a_longer_bar():
    lengths = bar_lengths(chart(sample_bars()))
    assert len(lengths) == 5
    assert lengths[0] == lengths[1] > lengths[2] > lengths[3] > lengths[4]
    worst_first = bar_lengths(chart([bar("Xã A", "95"), bar("Xã B", "99")]))
    assert worst_first[0] < worst_first[1]


def test_close_totals_are_told_apart_by_an_axis_starting_above_zero():
    lengths = bar_lengths(chart(sample_bars()))
    # From 0, 95,5 would be 96 % of 99,7; from the baseline 90 it is (95,5 - 90) / (99,7 - 90).
    assert lengths[4] / lengths[0] == pytest.approx(5.5 / 9.7, abs=0.01)


@pytest.mark.parametrize(
    ("values", "scale_max", "expected"),
    [
        (["99.7", "99.7", "98.25", "97", "95.5"], "100", "90"),
        (["99.9", "100"], "100", "95"),
        (["9.6", "9.4"], "10", "8.5"),
        (["97", "30"], "100", "0"),
        (["97", "97", "97"], "100", "0"),
        (["97"], "100", "0"),
        (["4", "-2"], "100", "0"),
        ([], "100", "0"),
    ],
)
def test_the_baseline_sits_a_round_step_below_the_lowest_total(values, scale_max, expected):
    assert charts._baseline([Decimal(v) for v in values], Decimal(scale_max)) == Decimal(expected)


def test_the_baseline_note_is_filled_in_with_a_decimal_comma():
    assert charts._note_text(NOTE, Decimal("90")) == "Trục điểm bắt đầu từ 90"
    assert charts._note_text("Từ {baseline} {điểm}", Decimal("8.50")) == "Từ 8,5 {điểm}"


def test_a_single_bar_or_equal_totals_are_drawn_in_proportion_to_the_scale():
    full = bar_lengths(chart([ChartBar("Xã A", Decimal(100), "x", "01")]))[0]
    half = bar_lengths(chart([ChartBar("Xã A", Decimal(50), "x", "01")]))[0]
    assert half / full == pytest.approx(0.5, abs=0.005)
    equal = bar_lengths(chart([ChartBar(name, Decimal(97), "x", "01") for name in ("A", "B", "C")]))
    assert len(set(equal)) == 1
    assert equal[0] / full == pytest.approx(0.97, abs=0.005)


def test_zero_and_negative_totals_keep_a_visible_stub():
    assert bar_lengths(chart([bar("Xã A", "0")], scale_max="0")) == [charts._MIN_BAR]
    assert bar_lengths(chart([bar("Xã A", "50"), bar("Xã B", "-3")]))[1] == charts._MIN_BAR


def test_no_more_than_forty_bars_are_drawn():
    over = chart(many_bars(MAX_BARS + 5))
    assert len(bar_lengths(over)) == MAX_BARS
    assert over == chart(many_bars(MAX_BARS))


def test_a_long_name_is_shortened_inside_the_picture():
    long_name = "Xã " + "Rất Dài Tên Đơn Vị Hành Chính " * 6
    image = picture(chart([bar(long_name, "99", highlight=True), bar(long_name, "98", "02")]))
    edge = image.crop((image.width - 40, 0, image.width, image.height))
    assert {rgb for _, rgb in edge.getcolors()} <= {charts._BACKGROUND, charts._ACCENT_BAND}
    shortened = charts._ellipsize(long_name, charts._font("Medium", 30), 600)
    assert shortened.endswith("…")
    assert charts._font("Medium", 30).getlength(shortened) <= 600


def test_decomposed_input_draws_like_composed_even_without_complex_text_layout(monkeypatch):
    @cache
    def basic_font(weight: str, size: int) -> ImageFont.FreeTypeFont:
        path = FONT_ROOT / "files" / f"BeVietnamPro-{weight}.ttf"
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)

    monkeypatch.setattr(charts, "_font", basic_font)
    composed = sample_bars()
    decomposed = [
        ChartBar(unicodedata.normalize("NFD", b.label), b.value, b.value_text, b.rank_text, b.highlight)
        for b in composed
    ]
    assert decomposed[0].label != composed[0].label
    assert ranking_chart(unicodedata.normalize("NFD", TITLE), SUBTITLE, decomposed, Decimal(100), NOTE) == (
        ranking_chart(TITLE, SUBTITLE, composed, Decimal(100), NOTE)
    )


def glyph(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    """The text drawn white on black, as raw pixels."""
    image = Image.new("L", (120, 120))
    ImageDraw.Draw(image).text((20, 20), text, font=font, fill=255)
    return image.tobytes()


@pytest.mark.parametrize("weight", ["Bold", "Medium", "Regular", "Italic"])
def test_the_chart_fonts_have_real_glyphs_for_vietnamese_letters(weight):
    font = charts._font(weight, 40)
    missing = glyph(font, "\ue000")
    assert missing == glyph(font, "\ue001")  # both are the font's "no such glyph" box
    for letter in "Đồng hạng ướt Ặ ữ".replace(" ", ""):
        assert font.getmask(letter).getbbox(), letter
        assert glyph(font, letter) != missing, letter
        base = unicodedata.normalize("NFD", letter)[0]
        if base != letter:
            assert glyph(font, letter) != glyph(font, base), letter


def test_fonts_are_loaded_once():
    assert charts._font("Bold", 30) is charts._font("Bold", 30)
