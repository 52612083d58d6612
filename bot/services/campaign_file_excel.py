"""The Excel form of a campaign (the "thang điểm" workbook officials fill): read into nodes, written back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import N_
from bot.services.campaign_file_model import (
    CampaignDefinition,
    CriterionDef,
    FileProblem,
    IndicatorDef,
    Node,
    Scalar,
    Where,
)
from bot.services.campaign_file_rules import read_rules, write_rules
from bot.services.campaign_file_words import AGGREGATION_WORDS, DEADLINE_WORDS, ESCALATE_WORDS, KIND_LABELS
from bot.services.text import fold
from storage.models import UnitKind


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: the key it fills, its heading and its width."""

    key: str
    heading: str
    width: int


INFO, TITLES, DEADLINES, SCALE, GUIDE = "Thông tin", "Danh hiệu", "Thời hạn", "Thang điểm", "Hướng dẫn"
INFO_COLUMNS = (Column("field", "Thông tin", 24), Column("value", "Nội dung", 70))
INFO_FIELDS = {
    "code": "Mã phong trào",
    "name": "Tên phong trào",
    "year": "Năm",
    "period_start": "Từ ngày",
    "period_end": "Đến ngày",
    "organizer": "Đơn vị phát động",
    "scope": "Phạm vi",
    "eligible_kinds": "Đối tượng tham gia",
    "aggregation": "Cách tính tổng",
    "description": "Mô tả",
    "ranking_visible": "Công khai bảng xếp hạng",
    "contest_days": "Số ngày giải trình",
    "reminder_days": "Nhắc trước hạn (ngày)",
    "reminder_hour": "Giờ gửi nhắc việc",
    "quiet_hours": "Giờ không gửi tin",
    "escalate_to": "Báo đơn vị chậm cho",
}
TITLE_COLUMNS = (
    Column("code", "Mã", 14),
    Column("name", "Tên danh hiệu", 44),
    Column("unit_kinds", "Loại đơn vị", 30),
    Column("target_percent", "Chỉ tiêu (%)", 12),
)
DEADLINE_COLUMNS = (Column("kind", "Loại", 22), Column("due", "Ngày", 14), Column("label", "Nội dung", 50))
SCALE_COLUMNS = (
    Column("code", "Mã", 9),
    Column("name", "Nội dung", 60),
    Column("max_points", "Điểm tối đa", 11),
    Column("deductions", "Trừ điểm", 44),
    Column("bonuses", "Cộng điểm", 40),
    Column("proportional_of", "Tính theo tỷ lệ (trên)", 13),
    Column("evidence_photos", "Số ảnh", 8),
    Column("evidence_documents", "Số tài liệu", 10),
    Column("reviewer_office", "Bộ phận chủ trì tham mưu", 30),
    Column("weight", "Trọng số (%)", 11),
    Column("unit_kinds", "Loại đơn vị", 22),
)
INDICATOR_ONLY = {"weight", "unit_kinds"}
RULE_COLUMNS = {"deductions": False, "bonuses": True}
DATE_FORMAT = "DD/MM/YYYY"
WRAPPED = {"name", "label", "deductions", "bonuses", "reviewer_office", "value", "unit_kinds", "text"}
GUIDE_COLUMNS = (Column("field", "Mục", 24), Column("text", "Hướng dẫn", 110))


def _labels(columns: tuple[Column, ...]) -> dict[str, str]:
    return {column.key: column.heading for column in columns}


ROOT_LABELS = INFO_FIELDS | {"titles": TITLES, "deadlines": DEADLINES, "indicators": SCALE}
SCALE_LABELS = _labels(SCALE_COLUMNS) | {"criteria": "Tiêu chí", "children": "Tiêu chí thành phần"}

GUIDE_ROWS = (
    (
        "Cách điền",
        "Mỗi trang có dòng tiêu đề ở dòng 1; không đổi tên trang và tên cột. Ô để trống là không có.",
    ),
    (
        INFO,
        "Cột A là tên mục, cột B là nội dung. Ngày ghi dạng 31/12/2024. Phạm vi: mã các đơn vị tham gia "
        "(cùng các đơn vị trực thuộc), cách nhau bởi dấu phẩy; để trống là đơn vị phát động. Đối tượng "
        "tham gia: Xã, Thị trấn, Phường, Thôn, Tổ dân phố, Cơ quan, Hộ gia đình. Cách tính tổng: Tổng "
        "điểm, hoặc Theo trọng số (mỗi chỉ tiêu có trọng số, tổng các trọng số bằng 100). Công khai bảng "
        "xếp hạng: Có (trưởng thôn, thủ trưởng đơn vị xem cả bảng của Cụm) hoặc Không (chỉ xem thứ hạng của "
        "mình). Số ngày giải trình: số ngày đơn vị được giải trình sau khi có điểm thẩm định (mặc định 7). "
        "Nhắc trước hạn (ngày): ví dụ 7, 3, 1, 0 (0 là đúng ngày hạn). Giờ gửi nhắc việc: giờ trong ngày "
        "(mặc định 8). Giờ không gửi tin: ví dụ 21:00-07:00. Báo đơn vị chậm cho: Cấp quản lý trực tiếp "
        "hoặc Đơn vị phát động.",
    ),
    (
        TITLES,
        "Mỗi dòng một danh hiệu; Loại đơn vị là các loại đơn vị được đăng ký danh hiệu đó (để trống: mọi "
        "đối tượng tham gia). Chỉ tiêu (%): tỷ lệ đơn vị phấn đấu đạt danh hiệu (ví dụ 26), có thể để trống.",
    ),
    (
        DEADLINES,
        "Loại: Đăng ký thi đua (bắt buộc); Nộp minh chứng; Tự chấm điểm; Kiểm tra, đánh giá; Báo cáo. "
        "Được có nhiều hạn Báo cáo; mỗi loại khác chỉ có một hạn.",
    ),
    (
        SCALE,
        "Dòng chỉ tiêu có mã số La Mã (I, II, III); dòng tiêu chí có mã một dấu chấm (I.2); tiêu chí "
        "thành phần có mã hai dấu chấm (I.4.1), nằm ngay dưới tiêu chí của nó. Điểm tối đa của tiêu chí "
        "có tiêu chí thành phần bằng tổng điểm tối đa của các tiêu chí thành phần. Trên dòng chỉ tiêu chỉ"
        " đọc Mã, Nội dung, Trọng số và Loại đơn vị (để trống: mọi đối tượng tham gia).",
    ),
    (
        "Trừ điểm",
        "Lý do: −số điểm/đơn vị tính, tối đa N, nghiêm trọng: 0. Ví dụ: “Để xảy ra cháy rừng, phá rừng: "
        "−2/vụ, nghiêm trọng: 0” (nếu thiệt hại nghiêm trọng thì không tính điểm tiêu chí); “Tỷ lệ học "
        "sinh bỏ học: −1/%”. Nhiều quy định cách nhau bởi dấu chấm phẩy hoặc xuống dòng; lý do không chứa"
        " dấu chấm phẩy.",
    ),
    (
        "Cộng điểm",
        "Lý do: +số điểm/đơn vị tính, tối đa N. Ví dụ: “Trường đạt chuẩn quốc gia trong năm: +2/đơn vị, "
        "tối đa 10”; “Có quyết định công nhận: +5/quyết định”.",
    ),
    (
        "Đơn vị tính",
        "vụ; % (mỗi phần trăm); trường hợp (hoặc lần, văn bản); đơn vị (hoặc trường, mô hình); quyết định.",
    ),
    (
        "Tính theo tỷ lệ (trên)",
        "Ví dụ 19: đạt 12/19 tiêu chí thì được 12/19 số điểm tối đa.",
    ),
    (
        "Số ảnh, Số tài liệu",
        "Số ảnh và số tài liệu minh chứng tối thiểu của tiêu chí (để trống: 1 ảnh, 0 tài liệu).",
    ),
)


@dataclass
class _Row:
    """A row of the scale and the rows nested under it."""

    where: Where
    entries: dict[str, Node]
    children: list[_Row] = field(default_factory=list)


def read_workbook(workbook: Workbook) -> tuple[Node | None, list[FileProblem]]:
    """The workbook's campaign as nodes (open it with data_only=True), or None when a sheet is missing."""
    sheets = {fold(sheet.title): sheet for sheet in workbook.worksheets}
    missing = [name for name in (INFO, TITLES, DEADLINES, SCALE) if fold(name) not in sheets]
    if missing:
        return None, [FileProblem(N_("the sheet {sheet!r} is missing"), {"sheet": name}) for name in missing]
    problems: list[FileProblem] = []
    entries = _info(sheets[fold(INFO)], problems)
    entries["titles"] = _list(sheets[fold(TITLES)], TITLE_COLUMNS, problems)
    entries["deadlines"] = _list(sheets[fold(DEADLINES)], DEADLINE_COLUMNS, problems)
    entries["indicators"] = _scale(sheets[fold(SCALE)], problems)
    return Node(entries, labels=ROOT_LABELS), problems


def _where(cell: Cell) -> Where:
    return Where(cell=f"{cell.parent.title}!{cell.coordinate}")


def _value(value: object) -> Scalar:
    """A cell's value as the validator takes it: trimmed text, exact decimals, dates without time."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(repr(value))
    return value if isinstance(value, int | date | Decimal) else None


def _info(sheet: Worksheet, problems: list[FileProblem]) -> dict[str, Node]:
    """The "Thông tin" sheet: a label in column A, its value in column B."""
    keys = {fold(label): key for key, label in INFO_FIELDS.items()}
    entries: dict[str, Node] = {}
    for label, value in sheet.iter_rows(min_row=2, max_col=2):
        if label.value is None and value.value is None:
            continue
        key = keys.get(fold(str(label.value or "")))
        if key is None:
            problems.append(_unknown_heading(label, INFO_FIELDS.values()))
        elif key in entries:
            problems.append(FileProblem.at(_where(label), N_("{key!r} appears twice"), key=str(label.value)))
        else:
            entries[key] = Node(_value(value.value), _where(value), key_where=_where(label))
    return entries


def _unknown_heading(cell: Cell, known: Iterable[str]) -> FileProblem:
    return FileProblem.at(
        _where(cell),
        N_("unknown heading {heading!r}; expected one of: {expected}"),
        heading=str(cell.value or ""),
        expected=", ".join(known),
    )


def _table(sheet: Worksheet, columns: tuple[Column, ...], problems: list[FileProblem]) -> Iterator[_Row]:
    """The non-empty rows of a sheet whose first row holds the headings."""
    by_heading = {fold(column.heading): column.key for column in columns}
    keys: dict[int, str] = {}
    for cell in sheet[1]:
        if cell.value is None:
            continue
        key = by_heading.get(fold(str(cell.value)))
        if key is None:
            problems.append(_unknown_heading(cell, [column.heading for column in columns]))
        else:
            keys[cell.column] = key
    for row in sheet.iter_rows(min_row=2):
        entries = {
            keys[cell.column]: Node(_value(cell.value), _where(cell)) for cell in row if cell.column in keys
        }
        if any(node.value is not None for node in entries.values()):
            yield _Row(_where(row[0]), entries)


def _list(sheet: Worksheet, columns: tuple[Column, ...], problems: list[FileProblem]) -> Node:
    rows = [Node(row.entries, row.where, labels=_labels(columns)) for row in _table(sheet, columns, problems)]
    return Node(tuple(rows), Where(cell=f"{sheet.title}!A1"))


def _scale(sheet: Worksheet, problems: list[FileProblem]) -> Node:
    """The scale: indicator rows (I), criterion rows (I.2) and sub-criterion rows (I.4.1) nested by code."""
    indicators: list[_Row] = []
    last: list[_Row] = []  # the latest row at each depth
    for row in _table(sheet, SCALE_COLUMNS, problems):
        code = row.entries.get("code")
        if code is None or code.value is None:
            problems.append(
                FileProblem.at(row.where, N_("{field!r} is required"), field=SCALE_LABELS["code"])
            )
            continue
        text = str(code.value).strip()
        depth = text.count(".")
        if depth > len(last):
            parent = text.rsplit(".", 1)[0]
            problems.append(
                FileProblem.at(
                    code.where, N_("there is no row {parent!r} above {code!r}"), parent=parent, code=text
                )
            )
            continue
        row.entries = _row_entries(row.entries, depth == 0, problems)
        (indicators if depth == 0 else last[depth - 1].children).append(row)
        del last[depth:]
        last.append(row)
    return Node(tuple(_scale_node(row, 0) for row in indicators), Where(cell=f"{sheet.title}!A1"))


def _row_entries(entries: dict[str, Node], indicator: bool, problems: list[FileProblem]) -> dict[str, Node]:
    """The cells a row of its depth uses (see GUIDE_ROWS), rule cells read as lists of rules."""
    if indicator:
        return {key: node for key, node in entries.items() if key in INDICATOR_ONLY | {"code", "name"}}
    kept = {key: node for key, node in entries.items() if key not in INDICATOR_ONLY}
    for key, bonus in RULE_COLUMNS.items():
        node = kept.get(key)
        if node is not None and node.value is not None:
            rules, rule_problems = read_rules(str(node.value), node.where, SCALE_LABELS[key], bonus)
            problems.extend(rule_problems)
            kept[key] = Node(rules, node.where)
    return kept


def _scale_node(row: _Row, depth: int) -> Node:
    entries = dict(row.entries)
    if row.children:
        nested = tuple(_scale_node(child, depth + 1) for child in row.children)
        entries["criteria" if depth == 0 else "children"] = Node(nested, row.children[0].where)
    return Node(entries, row.where, labels=SCALE_LABELS)


# Writing ---------------------------------------------------------------------------------------------------


def write_campaign_workbook(definition: CampaignDefinition, path: Path) -> None:
    """Write the Excel form that `load_campaign_file` reads back to an equal definition."""
    workbook = Workbook()
    info = workbook.active
    info.title = INFO
    _fill(
        info,
        INFO_COLUMNS,
        [{"field": INFO_FIELDS[key], "value": value} for key, value in _info_values(definition)],
    )
    titles = [
        {
            "code": title.code,
            "name": title.name,
            "unit_kinds": _kinds(title.unit_kinds),
            "target_percent": title.target_percent,
        }
        for title in definition.titles
    ]
    _fill(workbook.create_sheet(TITLES), TITLE_COLUMNS, titles)
    deadlines = [
        {"kind": DEADLINE_WORDS[item.kind][0], "due": item.due, "label": item.label or None}
        for item in definition.deadlines
    ]
    _fill(workbook.create_sheet(DEADLINES), DEADLINE_COLUMNS, deadlines)
    scale = workbook.create_sheet(SCALE)
    _fill(scale, SCALE_COLUMNS, list(_scale_rows(definition)))
    _bold_indicator_rows(scale)
    guide = [{"field": topic, "text": text} for topic, text in GUIDE_ROWS]
    _fill(workbook.create_sheet(GUIDE), GUIDE_COLUMNS, guide)
    workbook.save(path)


def _info_values(definition: CampaignDefinition) -> list[tuple[str, object]]:
    return [
        ("code", definition.code),
        ("name", definition.name),
        ("year", definition.year),
        ("period_start", definition.period_start),
        ("period_end", definition.period_end),
        ("organizer", definition.organizer),
        ("scope", ", ".join(definition.scope)),
        ("eligible_kinds", _kinds(definition.eligible_kinds)),
        ("aggregation", AGGREGATION_WORDS[definition.aggregation][0]),
        ("description", definition.description or None),
        ("ranking_visible", "Có" if definition.ranking_visible else "Không"),
        ("contest_days", definition.contest_days),
        ("reminder_days", ", ".join(str(day) for day in definition.reminder_days)),
        ("reminder_hour", definition.reminder_hour),
        ("quiet_hours", definition.quiet_hours),
        ("escalate_to", ESCALATE_WORDS[definition.escalate_to][0]),
    ]


def _kinds(kinds: tuple[UnitKind, ...]) -> str:
    return ", ".join(KIND_LABELS[kind] for kind in kinds)


def _scale_rows(definition: CampaignDefinition) -> Iterator[dict[str, object]]:
    for indicator in definition.indicators:
        yield _indicator_row(indicator, definition.eligible_kinds)
        for criterion in indicator.criteria:
            yield from _criterion_rows(criterion)


def _indicator_row(indicator: IndicatorDef, eligible: tuple[UnitKind, ...]) -> dict[str, object]:
    kinds = None if indicator.unit_kinds == eligible else _kinds(indicator.unit_kinds)
    return {"code": indicator.code, "name": indicator.name, "weight": indicator.weight, "unit_kinds": kinds}


def _criterion_rows(criterion: CriterionDef) -> Iterator[dict[str, object]]:
    yield {
        "code": criterion.code,
        "name": criterion.name,
        "max_points": criterion.max_points,
        "deductions": write_rules(criterion.deductions),
        "bonuses": write_rules(criterion.bonuses),
        "proportional_of": criterion.proportional_of,
        "evidence_photos": criterion.evidence_photos,
        "evidence_documents": criterion.evidence_documents,
        "reviewer_office": criterion.reviewer_office,
    }
    for child in criterion.children:
        yield from _criterion_rows(child)


def _fill(sheet: Worksheet, columns: tuple[Column, ...], rows: list[dict[str, object]]) -> None:
    """Headings in bold on row 1, then one row per dict; dates as real dates, long text wrapped."""
    for index, column in enumerate(columns, start=1):
        heading = sheet.cell(1, index, column.heading)
        heading.font = Font(bold=True)
        heading.fill = PatternFill("solid", fgColor="DDEBF7")
        heading.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(number, index, row.get(column.key))
            cell.alignment = Alignment(wrap_text=column.key in WRAPPED, vertical="top")
            if isinstance(cell.value, date | datetime):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"


def _bold_indicator_rows(sheet: Worksheet) -> None:
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        if "." not in str(cell.value):
            for other in sheet[cell.row]:
                other.font = Font(bold=True)
