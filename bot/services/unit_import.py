"""Import of units (villages, residential groups, agencies …) from the .xlsx or .csv file a commune keeps."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.i18n import N_
from bot.services.text import fold, search_text
from storage.db import UnitOfWork
from storage.models import Cluster, Unit, UnitKind

#: Column headers (folded) → field; the Vietnamese headers of the shipped example come first.
HEADERS = {
    "ma don vi": "code",
    "ma": "code",
    "code": "code",
    "ten don vi": "name",
    "ten": "name",
    "name": "name",
    "loai": "kind",
    "loai don vi": "kind",
    "cap": "kind",
    "kind": "kind",
    "ma don vi cap tren": "parent",
    "don vi cap tren": "parent",
    "ma cap tren": "parent",
    "parent": "parent",
    "cum thi dua": "cluster",
    "khoi thi dua": "cluster",
    "cluster": "cluster",
}

#: Kind names as officials write them (folded) → UnitKind.
KIND_NAMES = {
    "tinh": UnitKind.province,
    "thanh pho truc thuoc trung uong": UnitKind.province,
    "huyen": UnitKind.district,
    "quan": UnitKind.district,
    "thi xa": UnitKind.district,
    "xa": UnitKind.commune,
    "dac khu": UnitKind.commune,
    "phuong": UnitKind.ward,
    "thi tran": UnitKind.town,
    "thon": UnitKind.village,
    "lang": UnitKind.village,
    "xom": UnitKind.village,
    "ban": UnitKind.village,
    "ap": UnitKind.village,
    "buon": UnitKind.village,
    "plei": UnitKind.village,
    "to dan pho": UnitKind.residential_group,
    "khu pho": UnitKind.residential_group,
    "co quan": UnitKind.agency,
    "don vi": UnitKind.agency,
    "co quan don vi": UnitKind.agency,
    "truong hoc": UnitKind.agency,
    "tram y te": UnitKind.agency,
    "ho gia dinh": UnitKind.household,
} | {kind.value.replace("_", " "): kind for kind in UnitKind}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header row, a required column missing)."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message.format(**params))
        self.message, self.params = message, params


@dataclass(frozen=True)
class UnitRow:
    """One data row of the file, with its row number as the spreadsheet shows it."""

    number: int
    code: str
    name: str
    kind: str
    parent: str = ""
    cluster: str = ""


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be imported: a gettext id and its parameters."""

    number: int
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did, or would have done, and the rows it refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False


def read_unit_file(path: Path) -> list[UnitRow]:
    """The rows of a .xlsx or .csv unit list, by its Vietnamese (or English) headers."""
    suffix = path.suffix.lower()
    readers = {".xlsx": _xlsx_rows, ".csv": _csv_rows}
    if suffix not in readers:
        raise ImportFileError(N_("Only .xlsx and .csv files can be imported, not {suffix!r}."), suffix=suffix)
    try:
        table = readers[suffix](path)
    except (csv.Error, UnicodeError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise ImportFileError(
            N_("The file {name!r} cannot be read as {suffix}: save it from Excel as .xlsx or CSV UTF-8."),
            name=path.name,
            suffix=suffix,
        ) from None
    return _rows_by_header(table)


def _xlsx_rows(path: Path) -> list[list[str]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [
            ["" if cell is None else _cell_text(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    # Excel saves "CSV UTF-8" with a byte-order mark and "Unicode Text" as UTF-16.
    text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    lines = text.splitlines()
    header = lines[0] if lines else ""
    delimiter = max(",;\t", key=header.count) if header else ","
    return [[cell.strip() for cell in row] for row in csv.reader(lines, delimiter=delimiter)]


def _rows_by_header(table: list[list[str]]) -> list[UnitRow]:
    if not table:
        raise ImportFileError(N_("The file is empty."))
    columns = {HEADERS[fold(title)]: index for index, title in enumerate(table[0]) if fold(title) in HEADERS}
    for required, title in (("code", "Mã đơn vị"), ("name", "Tên đơn vị"), ("kind", "Loại")):
        if required not in columns:
            raise ImportFileError(N_("The header row has no column {title!r}."), title=title)

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    return [
        UnitRow(
            number,
            cell(row, "code"),
            cell(row, "name"),
            cell(row, "kind"),
            cell(row, "parent"),
            cell(row, "cluster"),
        )
        for number, row in enumerate(table[1:], start=2)
        if any(value.strip() for value in row)
    ]


def parse_kind(text: str) -> UnitKind | None:
    """The unit kind named by an official's word for it ("Thôn", "Tổ dân phố", "Cơ quan" …)."""
    return KIND_NAMES.get(fold(text))


async def import_units(
    uow: UnitOfWork, rows: Sequence[UnitRow], skip_bad: bool = False, actor_id: int | None = None
) -> ImportReport:
    """Create or update units by code; with any bad row nothing is written unless `skip_bad`."""
    report = ImportReport()
    existing = await uow.units.by_codes(
        {row.code for row in rows if row.code} | {r.parent for r in rows if r.parent}
    )
    good = _valid_rows(rows, existing, await uow.units.parent_codes(), report)
    if report.problems and not skip_bad:
        return report
    units = dict(existing)
    renamed = []
    for row in _parents_first(good):
        if _apply_row(row, units, report, uow):
            renamed.append(units[row.code])
    await uow.flush()
    await _refresh_children_search(uow, renamed)
    await _apply_clusters(uow, good, units)
    uow.audit.record(
        actor_id,
        "units.import",
        "units",
        created=report.created,
        updated=report.updated,
        skipped=len(report.problems),
    )
    report.applied = True
    return report


def _valid_rows(
    rows: Sequence[UnitRow], existing: dict[str, Unit], stored_parents: dict[str, str], report: ImportReport
) -> list[UnitRow]:
    """The rows that can be imported; every other row gets a RowProblem in the report."""
    seen: dict[str, int] = {}
    file_codes = {row.code for row in rows if row.code}
    good: list[UnitRow] = []
    for row in rows:
        problem = _row_problem(row, seen, file_codes, existing)
        if problem:
            report.problems.append(problem)
        else:
            good.append(row)
        seen.setdefault(row.code, row.number)
    cycles = list(_cycle_problems(good, stored_parents))
    report.problems.extend(cycles)
    refused = {problem.number for problem in cycles}
    good = [row for row in good if row.number not in refused]
    while True:  # a row whose parent is refused is refused too, down to the grandchildren
        good_codes = {row.code for row in good}
        orphans = [
            row for row in good if row.parent and row.parent not in good_codes and row.parent not in existing
        ]
        if not orphans:
            return good
        report.problems.extend(
            RowProblem(
                row.number, N_("parent unit {code!r} is on a row that has errors"), {"code": row.parent}
            )
            for row in orphans
        )
        good = [row for row in good if row not in orphans]


def _row_problem(
    row: UnitRow, seen: dict[str, int], file_codes: set[str], existing: dict[str, Unit]
) -> RowProblem | None:
    if not row.code:
        return RowProblem(row.number, N_("the unit code is empty"))
    if len(row.code) > 50:
        return RowProblem(row.number, N_("the unit code is longer than 50 characters"))
    if row.code in seen:
        return RowProblem(
            row.number,
            N_("the code {code!r} already appears on row {row}"),
            {"code": row.code, "row": str(seen[row.code])},
        )
    if not row.name:
        return RowProblem(row.number, N_("the unit name is empty"))
    if len(row.name) > 200:
        return RowProblem(row.number, N_("the unit name is longer than 200 characters"))
    if parse_kind(row.kind) is None:
        return RowProblem(
            row.number,
            N_("unknown unit kind {kind!r} (for example: Xã, Thôn, Tổ dân phố, Cơ quan)"),
            {"kind": row.kind},
        )
    if row.parent == row.code:
        return RowProblem(row.number, N_("a unit cannot be its own parent"))
    if row.parent and row.parent not in file_codes and row.parent not in existing:
        return RowProblem(
            row.number,
            N_("parent unit {code!r} is neither in the file nor in the database"),
            {"code": row.parent},
        )
    return None


def _cycle_problems(rows: list[UnitRow], stored_parents: dict[str, str]) -> Iterable[RowProblem]:
    """Rows whose chain of parents, through the file and the database, loops back to themselves."""
    parent_of = dict(stored_parents)
    parent_of.update({row.code: row.parent for row in rows})
    for row in rows:
        code, steps = row.parent, 0
        while code and steps <= len(parent_of):
            if code == row.code:
                yield RowProblem(
                    row.number, N_("the parent chain of {code!r} loops back to itself"), {"code": row.code}
                )
                break
            code, steps = parent_of.get(code, ""), steps + 1


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    """The rows ordered so that a parent in the file is written before its children."""
    by_code = {row.code: row for row in rows}
    ordered: list[UnitRow] = []
    placed: set[str] = set()

    def place(row: UnitRow) -> None:
        if row.code in placed:
            return
        placed.add(row.code)
        if row.parent in by_code:
            place(by_code[row.parent])
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def _apply_row(row: UnitRow, units: dict[str, Unit], report: ImportReport, uow: UnitOfWork) -> bool:
    """Create or update the row's unit; True when an existing unit got a new name."""
    kind = parse_kind(row.kind)
    assert kind is not None  # rows were validated
    parent = units[row.parent] if row.parent else None
    wanted = {
        "name": row.name,
        "kind": kind,
        "parent": parent,
        "search_text": search_text(row.name, parent.name if parent else None),
    }
    unit = units.get(row.code)
    if unit is None:
        units[row.code] = Unit(code=row.code, **wanted)
        uow.units.add(units[row.code])
        report.created += 1
        return False
    if all(getattr(unit, key) is value or getattr(unit, key) == value for key, value in wanted.items()):
        report.unchanged += 1
        return False
    renamed = unit.name != row.name
    for key, value in wanted.items():
        setattr(unit, key, value)
    report.updated += 1
    return renamed


async def _refresh_children_search(uow: UnitOfWork, renamed: list[Unit]) -> None:
    """Children are found by their parent's name too: refresh theirs after a rename (communes merge)."""
    for parent in renamed:
        for child in await uow.units.children(parent.id):
            child.search_text = search_text(child.name, parent.name)


async def _apply_clusters(uow: UnitOfWork, rows: list[UnitRow], units: dict[str, Unit]) -> None:
    """Create the clusters named in the file and make each unit a member of its named cluster only."""
    named = [row for row in rows if row.cluster]
    clusters = await uow.clusters.by_codes({cluster_code(row.cluster) for row in named})
    for row in named:
        code = cluster_code(row.cluster)
        if code not in clusters:
            clusters[code] = Cluster(code=code, name=row.cluster)
            uow.clusters.add(clusters[code])
    await uow.flush()
    for row in named:
        await uow.clusters.place(units[row.code].id, clusters[cluster_code(row.cluster)].id)


def cluster_code(name: str) -> str:
    """A cluster's key, from its name as written in the file ("Cụm Khu Trung" → "cum-khu-trung")."""
    return fold(name).replace(" ", "-")[:50]
