"""The scoring engine against seed 003's worked figures and the rules' edge cases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.services.campaign_file import load_campaign_file, parse_campaign_yaml
from bot.services.scoring import Change, CriterionInput, score_criterion, score_unit
from storage.models import UnitKind

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "campaigns"
D = Decimal


@pytest.fixture(scope="module")
def khu_trung():
    return load_campaign_file(EXAMPLES / "cum_khu_trung_2024.yaml")


def criterion(definition, code):
    return next(c for i in definition.indicators for c in i.criteria if c.code == code)


def test_budget_revenue_at_95_percent_of_plan_scores_95(khu_trung):
    score = score_criterion(criterion(khu_trung, "I.2"), CriterionInput(deductions=(D(5),)))
    assert score.points == D(95)
    [entry] = score.ledger
    assert (entry.change, entry.points, entry.count) == (Change.deduction, D(-5), D(5))
    assert entry.reason.startswith("Thu ngân sách")


def test_one_logging_case_costs_two_points_and_serious_damage_voids_the_criterion(khu_trung):
    forest = criterion(khu_trung, "I.4")
    assert score_criterion(forest, CriterionInput(deductions=(D(1),))).points == D(98)
    serious = score_criterion(forest, CriterionInput(deductions=(D(1),), serious=True))
    assert serious.points == 0
    assert [(e.change, e.points) for e in serious.ledger] == [(Change.serious, D(-100))]


def test_drop_outs_at_one_percent_score_99_and_each_standard_school_adds_two(khu_trung):
    education = criterion(khu_trung, "I.6")
    assert score_criterion(education, CriterionInput(deductions=(D(1),))).points == D(99)
    with_schools = score_criterion(education, CriterionInput(deductions=(D(1),), bonuses=(D(2),)))
    assert with_schools.points == D(103)
    assert [e.points for e in with_schools.ledger] == [D(-1), D(4)]


def test_twelve_of_nineteen_countryside_criteria_scores_60_and_a_decision_adds_five(khu_trung):
    countryside = criterion(khu_trung, "I.10")
    twelve = score_criterion(countryside, CriterionInput(achieved=D(12)))
    assert twelve.points == D("63.16")  # 100 × 12/19, two decimals
    seed = score_criterion(countryside, CriterionInput(points=D(60)))  # the seed's figure, given directly
    assert seed.points == D(60)
    assert [(e.change, e.points) for e in seed.ledger] == [(Change.assessed, D(-40))]
    decided = score_criterion(countryside, CriterionInput(achieved=D(19), bonuses=(D(1),)))
    assert decided.points == D(105)


def test_written_reminders_cost_four_points_each(khu_trung):
    reminders = criterion(khu_trung, "III.4")
    assert score_criterion(reminders, CriterionInput(deductions=(D(1),))).points == D(96)


def test_deductions_stop_at_zero_and_the_ledger_still_adds_up(khu_trung):
    reminders = criterion(khu_trung, "III.4")
    score = score_criterion(reminders, CriterionInput(deductions=(D(30),)))
    assert score.points == 0
    assert reminders.max_points + sum(e.points for e in score.ledger) == score.points


CAPPED = """
code: gioi_han
name: Giới hạn
year: 2025
period_start: 2025-01-01
period_end: 2025-12-31
organizer: BATO
eligible_kinds: [village, agency]
titles: [{code: T, name: Thôn kiểu mẫu}]
deadlines: [{kind: registration, due: 2025-01-31}]
indicators:
  - code: I
    name: Kinh tế
    criteria:
      - code: I.1
        name: An ninh
        max_points: 20
        deductions: [{reason: Vụ trộm, points: 3, per: incident, cap: 7}]
        bonuses: [{reason: Mô hình hay, points: 2, per: item, cap: 3}]
      - code: I.2
        name: Văn hóa
        max_points: 10
        children:
          - {code: I.2.1, name: Lễ hội, max_points: 4}
          - {code: I.2.2, name: Thư viện, max_points: 6}
  - code: II
    name: Cơ quan
    unit_kinds: [agency]
    criteria:
      - {code: II.1, name: Cải cách, max_points: 10}
"""


def test_caps_limit_deductions_and_bonuses_and_say_so():
    definition = parse_campaign_yaml(CAPPED)
    score = score_criterion(criterion(definition, "I.1"), CriterionInput((D(5),), (D(4),)))
    assert score.points == D(16)  # 20 − min(15, 7) + min(8, 3)
    assert [(e.points, e.capped) for e in score.ledger] == [(D(-7), True), (D(3), True)]


def test_sum_totals_add_sub_criteria_and_skip_indicators_of_other_kinds():
    definition = parse_campaign_yaml(CAPPED)
    found = {"I.1": CriterionInput((D(1),)), "I.2.1": CriterionInput(points=D("3.5"))}
    village = score_unit(definition, UnitKind.village, found)
    assert (village.total, village.total_max) == (D("20.5"), D(30))
    assert village.unscored == ("I.2.2",)
    agency = score_unit(
        definition, UnitKind.agency, {**found, "I.2.2": CriterionInput(), "II.1": CriterionInput()}
    )
    assert (agency.total, agency.total_max, agency.unscored) == (D("36.5"), D(40), ())
    assert [e.criterion for e in agency.ledger()] == ["I.1", "I.2.1"]


def test_weighted_total_is_exact_for_seed_003(khu_trung):
    codes = [c.code for i in khu_trung.indicators for c in i.criteria]
    found = {code: CriterionInput() for code in codes}
    found |= {"II.1.1": CriterionInput(), "II.1.2": CriterionInput()}
    perfect = score_unit(khu_trung, UnitKind.commune, found)
    assert (perfect.total, perfect.total_max, perfect.unscored) == (D(100), D(100), ())
    found |= {
        "I.2": CriterionInput(deductions=(D(5),)),
        "I.4": CriterionInput(deductions=(D(1),)),
        "I.6": CriterionInput(deductions=(D(1),)),
        "I.10": CriterionInput(points=D(60)),
        "III.4": CriterionInput(deductions=(D(1),)),
    }
    card = score_unit(khu_trung, UnitKind.commune, found)
    # I: 50 × 1252/1300 = 48.1538…; II: 25; III: 25 × 496/500 = 24.8 → 97.95 (rounded once, at the end)
    assert card.total == D("97.95")
    assert [i.points for i in card.indicators] == [D(1252), D(600), D(496)]


def test_inputs_survive_their_stored_form():
    found = CriterionInput((D("4.5"),), (D(2),), D(12), D("99.5"), True)
    assert CriterionInput.from_dict(found.to_dict()) == found
