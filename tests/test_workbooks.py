"""The downloadable workbooks read back with openpyxl: numbers stay numbers, headings, totals, sheets."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from bot.services import workbooks
from bot.services.workbooks import (
    EvidenceLine,
    RegistrationLine,
    SheetColumn,
    SheetLine,
    evidence_sheet,
    registrations_sheet,
    score_sheet,
)

LINES = (
    SheetLine("I", "Xây dựng Đảng và hệ thống chính trị", Decimal(30), 0),
    SheetLine("I.1", "Tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ", Decimal(20), 1),
    SheetLine("I.1.1", "Đảng viên được đánh giá hoàn thành nhiệm vụ", Decimal("10.5"), 2),
)
BA_BICH = SheetColumn(
    "Xã Ba Bích",
    "Cụm Khu Trung",
    {"I": Decimal("25"), "I.1": Decimal("99.7"), "I.1.1": None},
    Decimal("99.7"),
    "02/05 (đồng hạng)",
)
NHON_LOC = SheetColumn("Xã Nhơn Lộc", "Cụm Khu Trung", {}, None, "")
AN_HOA = SheetColumn("Phường An Hòa", "Cụm Khu Nam", {"I": Decimal("100")}, Decimal("100"), "01/05")


def identity(message: str) -> str:
    return message


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(data))


def row(sheet: Worksheet, number: int) -> list[object]:
    return [cell.value for cell in sheet[number]]


def merged(sheet: Worksheet) -> set[str]:
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


def three_units() -> openpyxl.Workbook:
    data = score_sheet(
        identity, "Bảng điểm 2024", "Khối xã", LINES, [BA_BICH, NHON_LOC, AN_HOA], Decimal(100)
    )
    return read(data)


def units(count: int) -> Iterator[SheetColumn]:
    for index in range(1, count + 1):
        yield SheetColumn(
            f"Xã {index}", "Cụm 1", {"I": Decimal(index)}, Decimal(index), f"{index:02d}/{count:02d}"
        )


def test_points_are_numbers_in_the_unit_columns_and_unscored_cells_stay_empty():
    sheet = three_units().active
    assert [row(sheet, number)[:3] for number in (5, 6, 7)] == [
        ["I", "Xây dựng Đảng và hệ thống chính trị", 30],
        ["I.1", "Tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ", 20],
        ["I.1.1", "Đảng viên được đánh giá hoàn thành nhiệm vụ", 10.5],
    ]
    assert [row(sheet, number)[3:] for number in (5, 6, 7)] == [
        [25, None, 100],
        [99.7, None, None],
        [None] * 3,
    ]
    assert isinstance(sheet["D6"].value, float) and sheet["D6"].data_type == "n"
    assert sheet["D6"].number_format == "General"
    assert sheet["C7"].data_type == "n"


def test_totals_and_ranks_close_the_score_sheet():
    sheet = three_units().active
    assert sheet.max_row == 9
    assert row(sheet, 8) == [None, "Total points", 100, 99.7, None, 100]
    assert row(sheet, 9) == [None, "Rank", None, "02/05 (đồng hạng)", None, "01/05"]
    assert sheet["D8"].font.b and sheet["B9"].font.b


def test_score_sheet_headings_name_each_group_once_and_every_unit():
    sheet = three_units().active
    assert sheet.title == "Score sheet"
    assert [row(sheet, 1)[0], row(sheet, 2)[0]] == ["Bảng điểm 2024", "Khối xã"]
    assert sheet["A1"].font.b and sheet["A2"].font.b
    assert row(sheet, 3) == ["Code", "Content", "Maximum points", "Cụm Khu Trung", None, "Cụm Khu Nam"]
    assert row(sheet, 4) == [None, None, None, "Xã Ba Bích", "Xã Nhơn Lộc", "Phường An Hòa"]
    assert merged(sheet) == {"A1:F1", "A2:F2", "A3:A4", "B3:B4", "C3:C4", "D3:E3"}
    assert sheet["E4"].alignment.wrap_text and sheet["E4"].font.b


def test_score_sheet_layout_keeps_labels_in_view_and_shows_the_hierarchy():
    sheet = three_units().active
    assert sheet.freeze_panes == "D5"
    assert [sheet[f"B{number}"].font.b for number in (5, 6, 7)] == [True, False, False]
    assert sheet["D5"].font.b and not sheet["D6"].font.b
    assert sheet["B5"].alignment.indent == 0 and sheet["B7"].alignment.indent > sheet["B6"].alignment.indent
    assert sheet["B6"].alignment.wrap_text
    widths = sheet.column_dimensions
    assert widths["B"].width > widths["A"].width and (widths["D"].min, widths["D"].max) == (4, 6)


def test_units_beyond_the_sheet_limit_continue_on_numbered_sheets(monkeypatch):
    monkeypatch.setattr(workbooks, "UNITS_PER_SHEET", 2)
    book = read(score_sheet(identity, "Bảng điểm", "", LINES, units(5), Decimal(100)))
    assert book.sheetnames == ["Score sheet", "Score sheet (2)", "Score sheet (3)"]
    assert [row(sheet, 4)[3:] for sheet in book] == [["Xã 1", "Xã 2"], ["Xã 3", "Xã 4"], ["Xã 5"]]
    for sheet in book:
        assert [sheet[f"A{number}"].value for number in (5, 6, 7)] == ["I", "I.1", "I.1.1"]
        assert row(sheet, 8)[:3] == [None, "Total points", 100]
    assert [row(sheet, 5)[3:] for sheet in book] == [[1, 2], [3, 4], [5]]
    assert [row(sheet, 9)[3:] for sheet in book] == [["01/05", "02/05"], ["03/05", "04/05"], ["05/05"]]
    assert merged(book["Score sheet (3)"]) >= {"A1:D1", "A3:A4"}


def test_a_full_last_sheet_is_not_followed_by_an_empty_one(monkeypatch):
    monkeypatch.setattr(workbooks, "UNITS_PER_SHEET", 2)
    book = read(score_sheet(identity, "Bảng điểm", "", LINES, units(4), Decimal(100)))
    assert book.sheetnames == ["Score sheet", "Score sheet (2)"]


def test_each_sheet_reads_its_units_after_the_previous_sheet_released_its_own(monkeypatch):
    monkeypatch.setattr(workbooks, "UNITS_PER_SHEET", 2)
    references: list[weakref.ref[SheetColumn]] = []
    alive_when_read: list[int] = []

    def tracked(column: SheetColumn) -> SheetColumn:
        alive_when_read.append(sum(reference() is not None for reference in references))
        references.append(weakref.ref(column))
        return column

    score_sheet(identity, "Bảng điểm", "", LINES, (tracked(column) for column in units(6)), Decimal(100))
    assert alive_when_read == [0, 1, 0, 1, 0, 1]


def test_without_units_the_score_sheet_still_lists_the_criteria():
    book = read(score_sheet(identity, "Bảng điểm", "Chưa có đơn vị", LINES, [], Decimal(100)))
    assert book.sheetnames == ["Score sheet"]
    sheet = book.active
    assert sheet.max_column == 3
    assert [sheet[f"A{number}"].value for number in (5, 6, 7)] == ["I", "I.1", "I.1.1"]
    assert row(sheet, 8) == [None, "Total points", 100]
    assert "A1:C1" in merged(sheet)


def test_labels_and_sheet_names_are_translated_when_written(monkeypatch):
    monkeypatch.setattr(workbooks, "UNITS_PER_SHEET", 1)
    vietnamese = {
        "Score sheet": "Bảng điểm",
        "Score sheet ({number})": "Bảng điểm ({number})",
        "Code": "Mã",
        "Total points": "Tổng điểm",
        "Rank": "Xếp hạng",
    }
    data = score_sheet(
        lambda message: vietnamese.get(message, message), "T", "", LINES, units(2), Decimal(100)
    )
    book = read(data)
    assert book.sheetnames == ["Bảng điểm", "Bảng điểm (2)"]
    assert [book["Bảng điểm (2)"][cell].value for cell in ("A3", "B8", "B9")] == [
        "Mã",
        "Tổng điểm",
        "Xếp hạng",
    ]


def test_a_long_translated_sheet_name_is_cut_to_what_excel_accepts():
    def translate(message: str) -> str:
        return "Danh sách: đăng ký [đợt 1/2024] của các đơn vị?" if message == "Registrations" else message

    name = read(registrations_sheet(translate, "Đăng ký", [])).active.title
    assert name == "Danh sách  đăng ký  đợt 1 2024"
    assert len(name) <= 31


def test_registrations_are_numbered_rows_with_real_dates():
    lines = (
        RegistrationLine("Xã Ba Bích", "Huyện Phù Cát", "Xã đạt chuẩn nông thôn mới", "Đã duyệt", *dates)
        for dates in ((date(2024, 3, 1), date(2024, 3, 15)), (date(2024, 3, 2), None))
    )
    sheet = read(registrations_sheet(identity, "Đăng ký thi đua 2024", lines)).active
    assert sheet.title == "Registrations"
    assert sheet["A1"].value == "Đăng ký thi đua 2024" and "A1:G1" in merged(sheet)
    assert row(sheet, 2) == [
        "No.",
        "Unit",
        "Parent unit",
        "Emulation title",
        "Status",
        "Registered on",
        "Decided on",
    ]
    assert row(sheet, 3) == [
        1,
        "Xã Ba Bích",
        "Huyện Phù Cát",
        "Xã đạt chuẩn nông thôn mới",
        "Đã duyệt",
        datetime(2024, 3, 1),
        datetime(2024, 3, 15),
    ]
    assert row(sheet, 4)[0] == 2 and row(sheet, 4)[5:] == [datetime(2024, 3, 2), None]
    assert sheet["F3"].number_format == "DD/MM/YYYY" and sheet["G3"].number_format == "DD/MM/YYYY"
    assert sheet.max_row == 4
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("C3", "A2:G4")
    assert sheet["B2"].font.b and sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_evidence_matrix_has_a_column_per_criterion_and_a_row_per_unit():
    criteria = [("I.1", "Tổ chức cơ sở đảng"), ("I.2", "Đảng viên"), ("I.3", "")]
    lines = [
        EvidenceLine("Xã Ba Bích", "Cụm Khu Trung", {"I.1": "Đã duyệt", "I.2": ""}),
        EvidenceLine("Phường An Hòa", "Cụm Khu Nam", {"I.2": "Chờ duyệt"}),
    ]
    sheet = read(evidence_sheet(identity, "Minh chứng", criteria, iter(lines))).active
    assert sheet.title == "Evidence status"
    assert row(sheet, 2) == ["No.", "Unit", "Group", "I.1\nTổ chức cơ sở đảng", "I.2\nĐảng viên", "I.3"]
    assert row(sheet, 3) == [1, "Xã Ba Bích", "Cụm Khu Trung", "Đã duyệt", None, None]
    assert row(sheet, 4) == [2, "Phường An Hòa", "Cụm Khu Nam", None, "Chờ duyệt", None]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("C3", "A2:F4")
    assert sheet["D2"].alignment.wrap_text and sheet.column_dimensions["D"].width == workbooks.CRITERION_WIDTH
