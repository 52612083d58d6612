"""The `thidua` command as an officer uses it: import the example, print invites with QR codes, add admins."""

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.services.access import Actor
from bot.services.invites import redeem_invite
from storage.db import Database
from storage.models import Person, Role

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """An empty working folder with its own SQLite file, as on a fresh install."""
    monkeypatch.chdir(tmp_path)
    for name in ("THIDUA_DATABASE_URL", "THIDUA_BOT_TOKEN", "THIDUA_ADMIN_IDS", "THIDUA_OPS_CHAT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("THIDUA_BOT_USERNAME", "thidua_bot")
    return tmp_path


def redeem(database_url: str, token: str) -> str:
    """Redeem a printed token as a new person; returns the unit code it linked to."""

    async def run() -> str:
        database = Database(database_url)
        try:
            async with database.unit_of_work() as uow:
                person = Person(telegram_id=555_000, full_name="Trưởng thôn")
                uow.people.add(person)
                await uow.flush()
                return (await redeem_invite(uow, Actor(person), token)).unit.code
        finally:
            await database.dispose()

    return asyncio.run(run())


def test_import_then_invites_give_working_links_and_qr_pictures(workdir, capsys):
    assert main(["units", "import", str(EXAMPLES / "don_vi.xlsx")]) == 0
    assert "Đã nhập: 13 đơn vị mới" in capsys.readouterr().out
    assert main(["units", "import", str(EXAMPLES / "don_vi.csv")]) == 0
    assert "0 đơn vị mới, 0 cập nhật, 13 không đổi" in capsys.readouterr().out

    assert main(["invites", "--out", "qr"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split("\t") for line in lines if "\t" in line]
    assert len(rows) == 9 and lines[-1] == "9 đường link mời; mã QR lưu tại qr"
    code, name, link, _valid = next(row for row in rows if row[0] == "BB-T3")
    assert name == "Thôn 3, xã Ba Bích" and link.startswith("https://t.me/thidua_bot?start=")
    assert (workdir / "qr" / "BB-T3.png").read_bytes().startswith(b"\x89PNG")
    assert redeem("sqlite+aiosqlite:///thidua.db", link.split("=", 1)[1]) == code


def test_bad_rows_are_listed_and_nothing_is_imported(workdir, capsys):
    bad = workdir / "don_vi.csv"
    bad.write_text("Mã đơn vị,Tên đơn vị,Loại\nX1,Xã Một,Xã\n,Thôn không mã,Thôn\n", encoding="utf-8")
    assert main(["units", "import", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "Dòng 3: thiếu mã đơn vị" in out and "Chưa nhập dữ liệu nào" in out


def test_admins_add_and_a_missing_token(workdir, capsys):
    main(["units", "import", str(EXAMPLES / "don_vi.csv")])
    assert main(["admins", "add", "4242", "--unit", "BABICH"]) == 0
    assert "đã được giao quyền quản trị Xã Ba Bích, huyện Ba Tơ" in capsys.readouterr().out
    assert main(["admins", "add", "4242", "--unit", "KHONGCO"]) == 1
    assert "Không có đơn vị nào mang mã KHONGCO." in capsys.readouterr().err
    assert main(["webhook", "--url", "https://thidua.example/telegram", "--secret", "s3cret"]) == 2
    assert capsys.readouterr().err.startswith("THIDUA_BOT_TOKEN: chưa được đặt")  # `run` opens the sandbox
    memberships = asyncio.run(_admin_units())
    assert memberships == [("BABICH", Role.admin)]


async def _admin_units():
    database = Database("sqlite+aiosqlite:///thidua.db")
    try:
        async with database.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(4242)
            return [(m.unit.code, m.role) for m in await uow.memberships.of_person(person.id)]
    finally:
        await database.dispose()


def test_campaign_files_are_imported_listed_launched_and_closed(workdir, capsys):
    main(["units", "import", str(EXAMPLES / "don_vi.csv")])
    for name in ("cum_khu_trung_2024.yaml", "kieu_mau_2025.xlsx", "vi_nguoi_ngheo_2025.yaml"):
        assert main(["campaigns", "import", str(EXAMPLES / "campaigns" / name)]) == 0
    assert capsys.readouterr().out.count("Đã lưu dưới dạng bản nháp") == 3
    assert main(["campaigns", "launch", "kieu_mau_2025"]) == 0
    assert "Đã phát động “Thi đua xây dựng thôn, tổ dân phố" in capsys.readouterr().out
    assert main(["campaigns", "launch", "kieu_mau_2025"]) == 1
    assert "đã được phát động; không thể sửa hoặc phát động lại" in capsys.readouterr().err
    assert main(["campaigns", "close", "kieu_mau_2025"]) == 0
    main(["campaigns", "list"])
    listing = capsys.readouterr().out
    assert "kieu_mau_2025\t🔒 đã kết thúc" in listing and "cum_khu_trung_2024\t📝 bản nháp" in listing


def test_a_broken_campaign_file_lists_each_problem_with_its_line(workdir, capsys):
    broken = workdir / "sai.yaml"
    broken.write_text(
        "code: thu\nname: Thử\nyear: 2025\nperiod_start: 2025-13-01\nmau_sac: do\n", encoding="utf-8"
    )
    assert main(["campaigns", "import", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "dòng 4" in out and "dòng 5" in out and "Tệp phong trào có" in out


def test_reviewers_get_an_office(workdir, capsys):
    main(["units", "import", str(EXAMPLES / "don_vi.csv")])
    assert main(["reviewers", "add", "777", "--unit", "BABICH", "--office", "Kiểm lâm địa bàn"]) == 0
    assert "Kiểm lâm địa bàn" in capsys.readouterr().out

    async def offices():
        database = Database("sqlite+aiosqlite:///thidua.db")
        try:
            async with database.unit_of_work() as uow:
                person = await uow.people.by_telegram_id(777)
                return [(m.unit.code, m.role, m.office) for m in await uow.memberships.of_person(person.id)]
        finally:
            await database.dispose()

    assert asyncio.run(offices()) == [("BABICH", Role.reviewer, "Kiểm lâm địa bàn")]


def test_excel_exports_are_written_from_the_cli(workdir, capsys):
    from openpyxl import load_workbook

    main(["units", "import", str(EXAMPLES / "don_vi.csv")])
    main(["campaigns", "import", str(EXAMPLES / "campaigns" / "cum_khu_trung_2024.yaml")])
    for what in ("scores", "registrations", "evidence"):
        out = workdir / f"{what}.xlsx"
        assert main(["campaigns", "export", "cum_khu_trung_2024", what, "--out", str(out)]) == 0
        sheet = load_workbook(out).active
        assert sheet["A1"].value == "Chấm điểm thi đua Cụm các xã, thị trấn Khu Trung năm 2024"
    rows = [[cell.value for cell in row] for row in load_workbook(workdir / "scores.xlsx").active.iter_rows()]
    assert ["I.2", "Tỷ lệ % tăng hoặc giảm thu ngân sách trong dự toán huyện giao", 100] in [
        r[:3] for r in rows
    ]
    assert "Đã ghi" in capsys.readouterr().out
    assert main(["campaigns", "export", "khong_co", "scores", "--out", str(workdir / "x.xlsx")]) == 1
