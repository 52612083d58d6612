"""Score services: typed numbers, deadlines, the contest window, ranking with ties, recognition progress."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.services.contests import open_contest
from bot.services.errors import (
    ContestClosed,
    ContestNotNeeded,
    DecisionNeeded,
    NumberNeeded,
    NumberOutOfRange,
    ReasonNeeded,
    ScoreNotFound,
    ScoringClosed,
)
from bot.services.recognitions import TitleProgress, parse_decision
from bot.services.scores import change_entry, open_self_score, open_verification, parse_number, save_entry
from bot.services.standings import rank_group
from storage.score_repositories import StandingRow
from tests.factories import actor
from tests.test_e2e_scores import FORESTER, HEAD, launched, self_score

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"), [("99,5", D("99.5")), ("99.5", D("99.5")), (" 4 ", D(4)), ("5%", D(5))]
)
def test_numbers_take_the_vietnamese_decimal_comma(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1.000,5", "-3", "9,9,9", "1e3"])
def test_nonsense_is_not_a_number(text):
    with pytest.raises(NumberNeeded):
        parse_number(text)


def row(unit_id: int, total: str) -> StandingRow:
    return StandingRow(unit_id, f"Xã {unit_id}", "c1", "Cụm Khu Trung", D(total), D(100), 0, None, None)


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranked = rank_group([row(1, "97"), row(2, "99.7"), row(3, "99.7"), row(4, "95.5"), row(5, "98.25")])
    assert [(s.unit_id, s.rank, s.tied) for s in ranked] == [
        (2, 1, True),
        (3, 1, True),
        (5, 3, False),
        (1, 4, False),
        (4, 5, False),
    ]
    assert [s.gap for s in ranked] == [None, None, D("1.45"), D("1.25"), D("1.5")]
    assert {s.of for s in ranked} == {5}


def test_decisions_are_read_as_officials_write_them():
    assert parse_decision("125/QĐ-UBND 20/12/2024") == ("125/QĐ-UBND", date(2024, 12, 20))
    assert parse_decision("Số 7/QĐ-CT ngày 1/2/2025") == ("Số 7/QĐ-CT", date(2025, 2, 1))
    for text in ("125/QĐ-UBND", "125/QĐ-UBND 31/02/2024", "20/12/2024"):
        with pytest.raises(DecisionNeeded):
            parse_decision(text)


def test_progress_is_a_whole_percentage_against_the_target():
    progress = TitleProgress("Thôn kiểu mẫu", 114, 392, D(26))
    assert (progress.percent, progress.reached) == (D(29), True)
    assert TitleProgress("Thôn kiểu mẫu", 0, 0, None).percent == 0


async def test_self_scoring_closes_after_its_deadline_and_checks_ranges(database):
    _units, campaign_id, heads = await launched(database)
    today = date.today()
    async with database.unit_of_work() as uow:
        me = await actor(uow, heads[HEAD])
        editing = await open_self_score(uow, me, campaign_id, 2, today)
        with pytest.raises(NumberOutOfRange):
            await change_entry(uow, me, editing.entry.id, "a", D(20), today)
        with pytest.raises(NumberNeeded):
            await change_entry(uow, me, editing.entry.id, "a", D("3.5"), today)
        with pytest.raises(ScoringClosed):
            await open_self_score(uow, me, campaign_id, 0, today + timedelta(days=21))


async def test_a_changed_verified_score_needs_a_reason_and_may_be_contested_only_in_time(database):
    units, campaign_id, heads = await launched(database)
    today = date.today()
    await self_score(database, heads[HEAD], campaign_id, {})
    async with database.unit_of_work() as uow:
        head = await actor(uow, heads[HEAD])
        forester = await actor(uow, (await uow.people.by_telegram_id(FORESTER)).id)
        checked = await open_verification(uow, forester, campaign_id, units["BB-T3"], 0)
        await save_entry(uow, forester, checked.entry.id, None, today)  # agreeing needs no reason
        with pytest.raises(ContestNotNeeded):
            await open_contest(uow, head, checked.entry.id, "Không đồng ý")
        await change_entry(uow, forester, checked.entry.id, "d0", D(3), today)
        with pytest.raises(ReasonNeeded):
            await save_entry(uow, forester, checked.entry.id, "  ", today)
        saved = await save_entry(uow, forester, checked.entry.id, "Biên bản kiểm lâm", today)
        assert (saved.entry.points, saved.entry.reason, saved.entry.revision) == (
            D(94),
            "Biên bản kiểm lâm",
            2,
        )
        late = saved.entry.saved_at + timedelta(days=6)
        with pytest.raises(ContestClosed):
            await open_contest(uow, head, checked.entry.id, "Quá hạn", now=late)
        total = await uow.scores.total(campaign_id, units["BB-T3"])
        assert (total.total, total.self_total, total.verified) == (D(294), D(300), 1)  # I.1 verified at 94


async def test_only_a_sent_self_score_is_verified_so_no_unit_enters_the_ranking_unasked(database):
    units, campaign_id, _heads = await launched(database)
    async with database.unit_of_work() as uow:
        forester = await actor(uow, (await uow.people.by_telegram_id(FORESTER)).id)
        with pytest.raises(ScoreNotFound):
            await open_verification(uow, forester, campaign_id, units["BB-T13"], 0)
        assert await uow.scores.totals(campaign_id) == []


async def test_a_units_own_admins_neither_verify_nor_judge_its_score(database):
    from bot.services.access import require_admin_above
    from bot.services.errors import NotAuthorized
    from storage.models import Role
    from tests.factories import add_person

    units, campaign_id, heads = await launched(database)
    await self_score(database, heads[HEAD], campaign_id, {})
    village_admin = await add_person(database, 9299, "Thôn 3", role=Role.admin, unit_id=units["BB-T3"])
    async with database.unit_of_work() as uow:
        own = await actor(uow, village_admin)
        with pytest.raises(NotAuthorized):
            await open_verification(uow, own, campaign_id, units["BB-T3"], 0)
        with pytest.raises(NotAuthorized):
            await require_admin_above(uow, own, units["BB-T3"])


async def test_the_registrations_file_lists_each_unit_with_its_parent_and_status(database):
    from io import BytesIO

    from openpyxl import load_workbook

    from bot.services.access import Actor
    from bot.services.exports import registrations_file
    from storage.models import Person

    await launched(database)
    async with database.unit_of_work() as uow:
        operator = Actor(Person(telegram_id=0, full_name="thidua"), is_operator=True)
        _campaign, data = await registrations_file(uow, operator, 1, lambda text: text)
    rows = [[cell.value for cell in row] for row in load_workbook(BytesIO(data)).active.iter_rows()]
    assert [1, "Thôn 3, xã Ba Bích", "Xã Ba Bích", "Đơn vị kiểu mẫu", "Approved"] in [row[:5] for row in rows]
