"""Importing the unit list: headers, idempotence, and bad rows reported by number."""

from pathlib import Path

import pytest
from sqlalchemy import text

from bot.services.unit_import import ImportFileError, UnitRow, import_units, read_unit_file
from storage.models import UnitKind

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", ["don_vi.csv", "don_vi.xlsx"])
def test_the_shipped_examples_read_alike(name):
    rows = read_unit_file(EXAMPLES / name)
    assert rows[0] == UnitRow(2, "BATO", "Huyện Ba Tơ", "Huyện", "", "")
    assert UnitRow(8, "BB-T3", "Thôn 3", "Thôn", "BABICH", "") in rows
    assert len(rows) == 13


async def test_import_creates_the_hierarchy_and_reimport_changes_nothing(database):
    rows = read_unit_file(EXAMPLES / "don_vi.csv")
    async with database.unit_of_work() as uow:
        first = await import_units(uow, rows)
    async with database.unit_of_work() as uow:
        second = await import_units(uow, rows)
        village = await uow.units.by_code("BB-T3")
        group = await uow.units.by_code("TT-TDP1")
        cluster = await uow.clusters.by_code("cum-khu-trung")
    assert (first.created, first.updated, first.problems) == (13, 0, [])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 13)
    assert village.kind == UnitKind.village and village.parent.code == "BABICH"
    assert group.kind == UnitKind.residential_group
    assert cluster is not None and cluster.name == "Cụm Khu Trung"


async def test_reimport_updates_a_renamed_unit_by_its_code(database):
    async with database.unit_of_work() as uow:
        await import_units(
            uow, [UnitRow(2, "X1", "Xã Một", "Xã"), UnitRow(3, "T1", "Thôn Một", "Thôn", "X1")]
        )
    async with database.unit_of_work() as uow:
        report = await import_units(uow, [UnitRow(2, "T1", "Thôn Mới", "Thôn", "X1")])
        unit = await uow.units.by_code("T1")
    assert report.updated == 1
    assert unit.name == "Thôn Mới" and unit.search_text == " thon moi xa mot "


async def test_bad_rows_are_reported_by_number_and_nothing_is_written(database):
    rows = [
        UnitRow(2, "X1", "Xã Một", "Xã"),
        UnitRow(3, "", "Thôn không mã", "Thôn", "X1"),
        UnitRow(4, "T2", "", "Thôn", "X1"),
        UnitRow(5, "T3", "Thôn Ba", "Hành tinh", "X1"),
        UnitRow(6, "T4", "Thôn Bốn", "Thôn", "KHONGCO"),
        UnitRow(7, "X1", "Xã Một lần nữa", "Xã"),
        UnitRow(8, "A", "Vòng A", "Thôn", "B"),
        UnitRow(9, "B", "Vòng B", "Thôn", "A"),
    ]
    async with database.unit_of_work() as uow:
        report = await import_units(uow, rows)
    async with database.unit_of_work() as uow:
        stored = await uow.units.by_code("X1")
    reasons = {problem.number: problem.message for problem in report.problems}
    assert not report.applied and stored is None
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert reasons[3] == "the unit code is empty"
    assert "unknown unit kind" in reasons[5]
    assert "neither in the file nor in the database" in reasons[6]
    assert "already appears on row" in reasons[7]
    assert "loops back" in reasons[8]


async def test_skip_bad_imports_the_good_rows(database):
    rows = [UnitRow(2, "X1", "Xã Một", "Xã"), UnitRow(3, "T3", "Thôn Ba", "Hành tinh", "X1")]
    async with database.unit_of_work() as uow:
        report = await import_units(uow, rows, skip_bad=True)
    assert report.applied and report.created == 1 and [p.number for p in report.problems] == [3]


def test_a_child_of_a_bad_row_is_refused_too():
    from bot.services.unit_import import ImportReport, _valid_rows

    report = ImportReport()
    rows = [UnitRow(2, "X1", "", "Xã"), UnitRow(3, "T1", "Thôn", "Thôn", "X1")]
    assert _valid_rows(rows, {}, {}, report) == []
    assert [p.number for p in report.problems] == [2, 3]


def test_unsupported_file_type_and_missing_column(tmp_path):
    with pytest.raises(ImportFileError):
        read_unit_file(tmp_path / "units.pdf")
    bad = tmp_path / "units.csv"
    bad.write_text("Mã đơn vị;Tên đơn vị\nX;Y\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_unit_file(bad)
    assert caught.value.params == {"title": "Loại"}


def test_semicolon_csv_with_bom_and_accentless_headers(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffma don vi;ten don vi;loai\nX1;Xã Một;xa\n".encode())
    assert read_unit_file(path) == [UnitRow(2, "X1", "Xã Một", "xa")]


async def test_a_loop_through_units_only_in_the_database_is_refused(database):
    async with database.unit_of_work() as uow:
        await import_units(
            uow,
            [
                UnitRow(2, "H1", "Huyện", "Huyện"),
                UnitRow(3, "X1", "Xã", "Xã", "H1"),
                UnitRow(4, "T1", "Thôn", "Thôn", "X1"),
            ],
        )
    async with database.unit_of_work() as uow:
        report = await import_units(uow, [UnitRow(2, "H1", "Huyện", "Huyện", "T1")])
    assert not report.applied
    assert [p.message for p in report.problems] == ["the parent chain of {code!r} loops back to itself"]


async def test_skip_bad_refuses_the_whole_branch_under_a_bad_row(database):
    rows = [
        UnitRow(2, "X1", "Xã Một", "Hành tinh"),
        UnitRow(3, "T1", "Thôn Một", "Thôn", "X1"),
        UnitRow(4, "TO1", "Tổ Một", "Hộ gia đình", "T1"),
        UnitRow(5, "X2", "Xã Hai", "Xã"),
    ]
    async with database.unit_of_work() as uow:
        report = await import_units(uow, rows, skip_bad=True)
    async with database.unit_of_work() as uow:
        stored = await uow.units.by_codes(["X1", "T1", "TO1", "X2"])
    assert sorted(p.number for p in report.problems) == [2, 3, 4]
    assert set(stored) == {"X2"}


async def test_renaming_a_commune_refreshes_how_its_villages_are_found(database):
    async with database.unit_of_work() as uow:
        await import_units(uow, [UnitRow(2, "X1", "Xã Cũ", "Xã"), UnitRow(3, "T1", "Thôn 1", "Thôn", "X1")])
    async with database.unit_of_work() as uow:
        await import_units(uow, [UnitRow(2, "X1", "Xã Mới Sáp Nhập", "Xã")])
    async with database.unit_of_work() as uow:
        assert (await uow.units.by_code("T1")).search_text == " thon 1 xa moi sap nhap "


async def test_moving_a_unit_to_another_cluster_leaves_the_old_one(database):
    async with database.unit_of_work() as uow:
        await import_units(uow, [UnitRow(2, "X1", "Xã Một", "Xã", "", "Cụm Bắc")])
    async with database.unit_of_work() as uow:
        await import_units(uow, [UnitRow(2, "X1", "Xã Một", "Xã", "", "Cụm Nam")])
    async with database.unit_of_work() as uow:
        rows = (
            await uow.session.execute(
                text("SELECT c.code FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id")
            )
        ).all()
    assert [row[0] for row in rows] == ["cum-nam"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("units.xlsx", b"not a zip file"),
        ("units.csv", b"\xff\xfeM\x00"),
        ("units.csv", b"\x80\x81\x82,abc\n"),
    ],
)
def test_unreadable_files_give_a_clear_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        read_unit_file(path)
    assert "{name!r}" in caught.value.message or "{title!r}" in caught.value.message


def test_excel_unicode_text_export_is_read(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("Mã đơn vị\tTên đơn vị\tLoại\nX1\tXã Một\tXã\n".encode("utf-16"))
    assert read_unit_file(path) == [UnitRow(2, "X1", "Xã Một", "Xã")]
