"""Small builders of domain rows for tests: units from the example hierarchy, people, roles."""

from __future__ import annotations

from datetime import date

from bot.services.access import Actor
from bot.services.unit_import import UnitRow, import_units
from storage.db import Database
from storage.models import Membership, Person, Role

EXAMPLE_UNITS = [
    UnitRow(2, "BATO", "Huyện Ba Tơ", "Huyện"),
    UnitRow(3, "BABICH", "Xã Ba Bích", "Xã", "BATO", "Cụm Khu Trung"),
    UnitRow(4, "BALE", "Xã Ba Lễ", "Xã", "BATO", "Cụm Khu Trung"),
    UnitRow(5, "BB-T3", "Thôn 3", "Thôn", "BABICH"),
    UnitRow(6, "BB-T13", "Thôn 13", "Thôn", "BABICH"),
    UnitRow(7, "BL-L1", "Làng Mâm", "Làng", "BALE"),
    UnitRow(8, "BB-TH", "Trường TH&THCS Ba Bích", "Cơ quan", "BABICH"),
]


async def seed_units(database: Database) -> dict[str, int]:
    """Import the example hierarchy; returns unit ids by code."""
    async with database.unit_of_work() as uow:
        report = await import_units(uow, EXAMPLE_UNITS)
        assert report.applied and not report.problems
        units = await uow.units.by_codes(row.code for row in EXAMPLE_UNITS)
        return {code: unit.id for code, unit in units.items()}


async def add_person(
    database: Database,
    telegram_id: int,
    name: str = "Người thử",
    role: Role | None = None,
    unit_id: int | None = None,
) -> int:
    """A person, optionally holding a role on a unit; returns the person id."""
    async with database.unit_of_work() as uow:
        person = Person(telegram_id=telegram_id, full_name=name)
        uow.people.add(person)
        await uow.flush()
        if role is not None and unit_id is not None:
            uow.memberships.add(Membership(person_id=person.id, unit_id=unit_id, role=role))
        return person.id


async def actor(uow, person_id: int, operator: bool = False) -> Actor:
    """The actor for a stored person, inside the caller's transaction."""
    return Actor(await uow.people.get(person_id), is_operator=operator)


def campaign_yaml(registration_due: date, code: str = "thi_dua_thu", evidence_due: date | None = None) -> str:
    """A small campaign for villages and agencies of the example district, its registration due on a date."""
    year = registration_due.year
    evidence_due = evidence_due or date(year, 12, 31)
    return f"""
code: {code}
name: Thi đua xây dựng thôn kiểu mẫu {year}
year: {year}
period_start: {year}-01-01
period_end: {year}-12-31
organizer: BATO
scope: [BABICH, BALE]
eligible_kinds: [village, agency]
description: Các thôn, cơ quan đăng ký danh hiệu kiểu mẫu.
titles:
  - code: THON-KM
    name: Thôn kiểu mẫu
    unit_kinds: [village]
  - code: CQ-KM
    name: Cơ quan kiểu mẫu
    unit_kinds: [agency]
deadlines:
  - kind: registration
    due: {registration_due.isoformat()}
  - kind: evidence
    due: {evidence_due.isoformat()}
  - kind: report
    due: {year}-12-15
    label: Báo cáo năm
indicators:
  - code: I
    name: Đời sống văn hóa
    criteria:
      - code: I.1
        name: Giữ gìn vệ sinh môi trường
        max_points: 60
        reviewer_office: Công an xã
        deductions:
          - reason: Để xảy ra ô nhiễm
            points: 2
            per: incident
      - code: I.2
        name: An ninh trật tự
        max_points: 40
"""


async def save_campaign_from_yaml(database: Database, text: str) -> int:
    """Store a campaign definition as a draft; returns its id."""
    from bot.services.campaign_file import parse_campaign_yaml
    from bot.services.campaigns import save_campaign

    async with database.unit_of_work() as uow:
        return (await save_campaign(uow, None, parse_campaign_yaml(text))).id
