"""Excel files officials download: the score sheet, the registration list and the evidence status matrix.

Pure functions from plain data to .xlsx bytes. Every workbook is written in openpyxl's write-only mode and
rows are sent as they are read, so even a score sheet of 100,000 units never holds more than one
worksheet's worth of unit columns in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from itertools import count, groupby, islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from bot.i18n import N_
from bot.services.campaign_file_excel import DATE_FORMAT, Column

Gettext = Callable[[str], str]

UNITS_PER_SHEET = 16_000  # Excel stops at 16,384 columns
SHEET_NAME_LENGTH = 31
NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

TITLE_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADING_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOP = Alignment(vertical="top")

NUMBER_COLUMN = Column("number", N_("No."), 6)
SCORE_COLUMNS = (
    Column("code", N_("Code"), 9),
    Column("name", N_("Content"), 55),
    Column("max_points", N_("Maximum points"), 11),
)
UNIT_WIDTH = 15
TITLE_ROWS = 2  # the title and the subtitle, above the score sheet's two heading rows
FIRST_UNIT_COLUMN = len(SCORE_COLUMNS) + 1
REGISTRATION_COLUMNS = (
    Column("unit", N_("Unit"), 32),
    Column("parent", N_("Parent unit"), 28),
    Column("title", N_("Emulation title"), 36),
    Column("status", N_("Status"), 16),
    Column("registered_on", N_("Registered on"), 14),
    Column("decided_on", N_("Decided on"), 14),
)
EVIDENCE_COLUMNS = (Column("unit", N_("Unit"), 32), Column("group", N_("Group"), 24))
CRITERION_WIDTH = 16


@dataclass(frozen=True)
class SheetLine:
    """A row of the score sheet: an indicator (level 0), a criterion (1) or a sub-criterion (2)."""

    code: str
    name: str
    max_points: Decimal
    level: int


@dataclass(frozen=True)
class SheetColumn:
    """One unit's column of the score sheet."""

    unit: str
    group: str  # its ranking group (cluster)
    points: Mapping[str, Decimal | None]  # by line code; None or missing: not scored yet
    total: Decimal | None
    rank: str  # already formatted: "02/05", "02/05 (đồng hạng)", "" if unranked


@dataclass(frozen=True)
class RegistrationLine:
    """A unit's registration for a title, as listed for the officials who approve them."""

    unit: str
    parent: str
    title: str
    status: str  # already a label, e.g. "Đã duyệt"
    registered_on: date
    decided_on: date | None


@dataclass(frozen=True)
class EvidenceLine:
    """A unit's row of the evidence matrix."""

    unit: str
    group: str
    states: Mapping[str, str]  # criterion code -> a short label such as "Đã duyệt"; "" or missing: nothing


# The score sheet ---------------------------------------------------------------------------------------


def score_sheet(
    gettext: Gettext,
    title: str,
    subtitle: str,
    lines: Sequence[SheetLine],
    columns: Iterable[SheetColumn],
    total_max: Decimal,
) -> bytes:
    """The score sheet as officials file it: criteria as rows, units as columns, totals and ranks below."""
    # Units beyond UNITS_PER_SHEET continue on further worksheets, each repeating the titles and criteria.
    workbook = Workbook(write_only=True)
    units = iter(columns)
    for number in count(1):
        if not _score_page(workbook, gettext, number, units, (title, subtitle), lines, total_max):
            break
    return _save(workbook)


def _score_page(
    workbook: Workbook,
    gettext: Gettext,
    number: int,
    units: Iterator[SheetColumn],
    titles: tuple[str, str],
    lines: Sequence[SheetLine],
    total_max: Decimal,
) -> bool:
    """Write the next worksheet's units (the first one even without any); False when none are left."""
    # Read here, so that this worksheet's units are released before the next worksheet reads its own.
    chunk = list(islice(units, UNITS_PER_SHEET))
    if number > 1 and not chunk:
        return False
    name = gettext(N_("Score sheet"))
    if number > 1:
        name = gettext(N_("Score sheet ({number})")).format(number=number)
    groups, group_merges = _group_headings(chunk)
    label_merges = [
        CellRange(min_col=index, min_row=TITLE_ROWS + 1, max_col=index, max_row=TITLE_ROWS + 2)
        for index in range(1, FIRST_UNIT_COLUMN)
    ]
    sheet = _start_sheet(
        workbook,
        name,
        titles=titles,
        headings=(
            [*(gettext(column.heading) for column in SCORE_COLUMNS), *groups],
            [*(None for _ in SCORE_COLUMNS), *(column.unit for column in chunk)],
        ),
        widths=[*((1, column.width) for column in SCORE_COLUMNS), (len(chunk), UNIT_WIDTH)],
        frozen_columns=len(SCORE_COLUMNS),
        merges=[*label_merges, *group_merges],
    )
    for line in lines:
        font = BOLD if line.level == 0 else None
        # Numbers in the General format: Excel shows 99.7 and 100 (99,7 on a Vietnamese system).
        points: list[object] = [column.points.get(line.code) for column in chunk]
        if font:
            points = [_cell(sheet, value, font=font) for value in points]
        name_alignment = Alignment(vertical="top", wrap_text=True, indent=line.level)
        sheet.append(
            [
                _cell(sheet, line.code, font=font, alignment=TOP),
                _cell(sheet, line.name, font=font, alignment=name_alignment),
                _cell(sheet, line.max_points, font=font, alignment=TOP),
                *points,
            ]
        )
    sheet.append(
        [
            None,
            _cell(sheet, gettext(N_("Total points")), font=BOLD),
            _cell(sheet, total_max, font=BOLD),
            *(_cell(sheet, column.total, font=BOLD) for column in chunk),
        ]
    )
    sheet.append([None, _cell(sheet, gettext(N_("Rank")), font=BOLD), None, *(c.rank or None for c in chunk)])
    return True


def _group_headings(chunk: Sequence[SheetColumn]) -> tuple[list[str | None], list[CellRange]]:
    """The group heading of each unit column: a run of neighbours in one group shares one merged heading."""
    headings: list[str | None] = []
    merges: list[CellRange] = []
    for group, run in groupby(column.group for column in chunk):
        first = FIRST_UNIT_COLUMN + len(headings)
        size = sum(1 for _ in run)
        headings += [group, *[None] * (size - 1)]
        if size > 1:
            merges.append(
                CellRange(
                    min_col=first, min_row=TITLE_ROWS + 1, max_col=first + size - 1, max_row=TITLE_ROWS + 1
                )
            )
    return headings, merges


# The lists ---------------------------------------------------------------------------------------------


def registrations_sheet(gettext: Gettext, title: str, lines: Iterable[RegistrationLine]) -> bytes:
    """The registrations of a campaign, one numbered row per unit and title, with their decision dates."""
    rows = ([getattr(line, column.key) for column in REGISTRATION_COLUMNS] for line in lines)
    return _table(
        gettext, gettext(N_("Registrations")), title, _headings(gettext, REGISTRATION_COLUMNS), rows
    )


def evidence_sheet(
    gettext: Gettext, title: str, criteria: Sequence[tuple[str, str]], lines: Iterable[EvidenceLine]
) -> bytes:
    """criteria: (code, name) pairs as columns; units as rows, each cell the state of that unit's evidence."""
    headings = [
        *_headings(gettext, EVIDENCE_COLUMNS),
        *((f"{code}\n{name}".rstrip(), CRITERION_WIDTH) for code, name in criteria),  # a name may be ""
    ]
    rows = ([line.unit, line.group, *(line.states.get(code) for code, _ in criteria)] for line in lines)
    return _table(gettext, gettext(N_("Evidence status")), title, headings, rows)


def _headings(gettext: Gettext, columns: Iterable[Column]) -> list[tuple[str, float]]:
    """The translated heading and the width of each fixed column."""
    return [(gettext(column.heading), column.width) for column in columns]


def _table(
    gettext: Gettext,
    name: str,
    title: str,
    headings: Sequence[tuple[str, float]],
    rows: Iterable[Sequence[object]],
) -> bytes:
    """A workbook of one numbered, filterable table under its title; rows are written as they are read."""
    workbook = Workbook(write_only=True)
    numbered = [(gettext(NUMBER_COLUMN.heading), NUMBER_COLUMN.width), *headings]
    sheet = _start_sheet(
        workbook,
        name,
        titles=(title,),
        headings=([text for text, _ in numbered],),
        widths=[(1, width) for _, width in numbered],
        frozen_columns=2,  # the number and the unit
    )
    heading_row = last_row = 2
    for last_row, values in enumerate(rows, start=heading_row + 1):
        sheet.append([last_row - heading_row, *(_cell(sheet, value) for value in values)])
    sheet.auto_filter.ref = f"A{heading_row}:{get_column_letter(len(numbered))}{last_row}"
    return _save(workbook)


# Shared ------------------------------------------------------------------------------------------------


def _start_sheet(
    workbook: Workbook,
    name: str,
    *,
    titles: Sequence[str],
    headings: Sequence[Sequence[str | None]],
    widths: Sequence[tuple[int, float]],
    frozen_columns: int,
    merges: Iterable[CellRange] = (),
) -> WriteOnlyWorksheet:
    """A streaming worksheet: widths by runs of columns, bold titles merged across, headings, frozen panes."""
    # Widths and frozen panes are written with the first row, so they are set before it.
    sheet = workbook.create_sheet(_sheet_name(name))
    last_column = 0
    for columns, width in widths:
        if columns:
            dimension = sheet.column_dimensions[get_column_letter(last_column + 1)]
            dimension.width, dimension.min, dimension.max = width, last_column + 1, last_column + columns
        last_column += columns
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{len(titles) + len(headings) + 1}"
    title_merges = [
        CellRange(min_col=1, min_row=row, max_col=last_column, max_row=row)
        for row in range(1, len(titles) + 1)
    ]
    sheet.merged_cells = MultiCellRange([*title_merges, *merges])  # at once: adding one by one is quadratic
    for title in titles:
        sheet.append([_cell(sheet, title, font=TITLE_FONT)])
    for row in headings:
        sheet.append(
            [_cell(sheet, text, font=BOLD, fill=HEADING_FILL, alignment=HEADING_ALIGNMENT) for text in row]
        )
    return sheet


def _cell(
    sheet: WriteOnlyWorksheet,
    value: object,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
) -> WriteOnlyCell | None:
    """A cell with its style (dates shown dd/mm/yyyy); None for a blank, which leaves the cell empty."""
    if value is None or value == "":
        return None
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


def _sheet_name(text: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\, no quote at either end."""
    return NOT_IN_SHEET_NAME.sub(" ", text)[:SHEET_NAME_LENGTH].strip(" '")


def _save(workbook: Workbook) -> bytes:
    """The .xlsx bytes (a write-only workbook can be saved once only)."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
