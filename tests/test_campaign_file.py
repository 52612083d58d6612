"""Campaign files: YAML and the Excel form through one validator, every problem with its line or cell."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.services.campaign_file import (
    BonusRule,
    CampaignDefinition,
    CampaignFileError,
    DeadlineKind,
    DeductionRule,
    FileProblem,
    Per,
    definition_from_dict,
    definition_to_dict,
    load_campaign_file,
    parse_campaign_yaml,
    write_campaign_workbook,
)
from storage.models import UnitKind

CAMPAIGNS = Path(__file__).resolve().parent.parent / "examples" / "campaigns"
TEMPLATES = ["cum_khu_trung_2024", "kieu_mau_2025", "vi_nguoi_ngheo_2025"]

# Line numbers matter: tests point at them.
BASE = """\
code: thu_nghiem
name: Thử nghiệm
year: 2024
period_start: 2024-01-01
period_end: 31/12/2024
organizer: BABICH
eligible_kinds: [Thôn, Tổ dân phố]
titles:
  - code: TKM
    name: Thôn kiểu mẫu
deadlines:
  - kind: registration
    due: 2024-01-31
indicators:
  - code: I
    name: Chỉ tiêu một
    criteria:
      - code: I.1
        name: Tiêu chí một
        max_points: 100
"""

CRITERION_WITH_RULES = """\
      - code: I.1
        name: Tiêu chí một
        max_points: 100
        deductions:
          - reason: Cháy rừng
            points: {points}
            per: vụ
            cap: {cap}
"""


def problems_of(text: str) -> list[tuple[int | None, str, dict[str, str]]]:
    """The problems the YAML validator reports, as (line, message, params)."""
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign_yaml(text)
    return [(problem.line, problem.message, problem.params) for problem in caught.value.problems]


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def rules_yaml(points: str, cap: str) -> str:
    old = "      - code: I.1\n        name: Tiêu chí một\n        max_points: 100\n"
    return edit(BASE, old, CRITERION_WITH_RULES.format(points=points, cap=cap))


# The shipped templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_loads_alike_from_yaml_and_excel(name):
    from_yaml = load_campaign_file(CAMPAIGNS / f"{name}.yaml")
    assert from_yaml.code == name
    assert load_campaign_file(CAMPAIGNS / f"{name}.xlsx") == from_yaml


@pytest.mark.parametrize("name", TEMPLATES)
def test_written_workbook_loads_back_equal(name, tmp_path):
    definition = load_campaign_file(CAMPAIGNS / f"{name}.yaml")
    write_campaign_workbook(definition, tmp_path / "form.xlsx")
    assert load_campaign_file(tmp_path / "form.xlsx") == definition


@pytest.mark.parametrize("name", TEMPLATES)
def test_dict_round_trip_is_lossless_and_json_able(name):
    definition = load_campaign_file(CAMPAIGNS / f"{name}.yaml")
    stored = json.loads(json.dumps(definition_to_dict(definition)))
    assert definition_from_dict(stored) == definition


def test_cluster_template_has_the_rules_of_seed_003():
    scale = load_campaign_file(CAMPAIGNS / "cum_khu_trung_2024.yaml")
    criteria = {
        criterion.code: criterion for indicator in scale.indicators for criterion in indicator.criteria
    }
    forest, school, rural = criteria["I.4"], criteria["I.6"], criteria["I.10"]
    assert forest.deductions[0].points == 2 and forest.deductions[0].per == Per.incident
    assert forest.deductions[0].zero_if_serious and forest.reviewer_office == "Kiểm lâm địa bàn"
    assert school.bonuses == (BonusRule("Trường đạt chuẩn quốc gia trong năm", Decimal(2), Per.item),)
    assert rural.proportional_of == 19 and rural.bonuses[0].points == 5
    assert criteria["III.4"].deductions[0].points == 4
    assert criteria["I.2"].deductions[0].per == Per.percent
    reports = [item.due for item in scale.deadlines if item.kind == DeadlineKind.report]
    assert reports == [date(2024, 6, 15), date(2024, 9, 15), date(2024, 11, 15)]
    assert scale.scope == ("BABICH", "BALE", "TTBATO")
    assert scale.eligible_kinds == (UnitKind.commune, UnitKind.town)


def test_model_campaign_titles_are_per_kind_and_poverty_indicators_per_kind():
    model = load_campaign_file(CAMPAIGNS / "kieu_mau_2025.yaml")
    assert {title.name: title.unit_kinds for title in model.titles}["Tổ dân phố kiểu mẫu"] == (
        UnitKind.residential_group,
    )
    poverty = load_campaign_file(CAMPAIGNS / "vi_nguoi_ngheo_2025.yaml")
    assert [indicator.unit_kinds for indicator in poverty.indicators] == [
        (UnitKind.village,),
        (UnitKind.agency,),
    ]
    assert poverty.titles[-1].unit_kinds == (UnitKind.village, UnitKind.agency)


# What a valid file gives ------------------------------------------------------------------------------


def test_base_file_with_its_defaults():
    definition = parse_campaign_yaml(BASE)
    assert isinstance(definition, CampaignDefinition)
    assert definition.scope == ("BABICH",)
    assert definition.period_end == date(2024, 12, 31)
    assert definition.eligible_kinds == (UnitKind.village, UnitKind.residential_group)
    assert definition.titles[0].unit_kinds == definition.eligible_kinds
    assert definition.aggregation == "sum" and definition.description == ""
    criterion = definition.indicators[0].criteria[0]
    assert (criterion.evidence_photos, criterion.evidence_documents, criterion.reviewer_office) == (
        1,
        0,
        None,
    )


@pytest.mark.parametrize(
    ("written", "kinds"),
    [
        ("[Thôn, Tổ dân phố, Cơ quan]", (UnitKind.village, UnitKind.residential_group, UnitKind.agency)),
        ("Xã, Thị trấn", (UnitKind.commune, UnitKind.town)),
        ("[village, residential_group]", (UnitKind.village, UnitKind.residential_group)),
        ("Cơ quan, đơn vị", (UnitKind.agency,)),
    ],
)
def test_unit_kinds_in_vietnamese_or_english(written, kinds):
    definition = parse_campaign_yaml(edit(BASE, "[Thôn, Tổ dân phố]", written))
    assert definition.eligible_kinds == kinds


@pytest.mark.parametrize("written", ["99,5", "99.5", '"99,5"'])
def test_numbers_accept_the_decimal_comma(written):
    definition = parse_campaign_yaml(edit(BASE, "max_points: 100", f"max_points: {written}"))
    assert definition.indicators[0].criteria[0].max_points == Decimal("99.5")


@pytest.mark.parametrize("written", ["2024-01-31", "31/01/2024", '"31/1/2024"'])
def test_dates_iso_or_day_month_year(written):
    definition = parse_campaign_yaml(edit(BASE, "due: 2024-01-31", f"due: {written}"))
    assert definition.deadlines[0].due == date(2024, 1, 31)


def test_several_report_deadlines_are_allowed():
    reports = (
        "\n  - kind: Báo cáo\n    due: 15/06/2024\n    label: Báo cáo 6 tháng"
        "\n  - kind: report\n    due: 15/09/2024"
    )
    definition = parse_campaign_yaml(edit(BASE, "    due: 2024-01-31", "    due: 2024-01-31" + reports))
    assert [item.kind for item in definition.deadlines] == ["registration", "report", "report"]
    assert definition.deadlines[1].label == "Báo cáo 6 tháng"


# Validation rules, each with the line it points at ---------------------------------------------------


def test_a_missing_required_field_is_reported_at_its_mapping():
    assert problems_of(edit(BASE, "name: Thử nghiệm\n", "")) == [
        (1, "{field!r} is required", {"field": "name"})
    ]


def test_an_empty_required_value_is_reported_at_its_line():
    assert problems_of(edit(BASE, "max_points: 100", "max_points:")) == [
        (20, "{field!r} is required", {"field": "max_points"})
    ]


def test_unknown_keys_are_typos_reported_at_the_key():
    [typo, missing] = problems_of(edit(BASE, "        max_points: 100", "        max_point: 100"))
    assert typo[:2] == (20, "unknown key {key!r}; expected one of: {expected}")
    assert typo[2]["key"] == "max_point" and "max_points" in typo[2]["expected"]
    assert missing == (18, "{field!r} is required", {"field": "max_points"})


def test_a_key_written_twice():
    assert problems_of(edit(BASE, "year: 2024\n", "year: 2024\nyear: 2025\n")) == [
        (4, "{key!r} appears twice", {"key": "year"})
    ]


def test_every_problem_is_collected_not_only_the_first():
    text = edit(
        edit(edit(BASE, "year: 2024", "year: hai"), "due: 2024-01-31", "due: 32/01/2024"), "100", "-5"
    )
    assert [(line, message) for line, message, _ in problems_of(text)] == [
        (3, "{field!r} must be a whole number, not {value!r}"),
        (13, "{field!r} is not a real date: {value!r}"),
        (20, "{field!r} must be greater than 0"),
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2024-02-30", "{field!r} is not a real date: {value!r}"),
        ("31/02/2024", "{field!r} is not a real date: {value!r}"),
        ("mai", "{field!r} must be a date such as 31/12/2024, not {value!r}"),
        ("2024", "{field!r} must be a date such as 31/12/2024, not {value!r}"),
    ],
)
def test_dates_must_be_real(written, message):
    assert problems_of(edit(BASE, "period_end: 31/12/2024", f"period_end: {written}"))[0][:2] == (5, message)


def test_the_period_runs_forwards():
    assert problems_of(edit(BASE, "period_end: 31/12/2024", "period_end: 31/12/2023")) == [
        (
            4,
            "the period starts on {start}, after it ends on {end}",
            {"start": "01/01/2024", "end": "31/12/2023"},
        )
    ]


def test_the_year_is_within_the_period():
    assert problems_of(edit(BASE, "year: 2024", "year: 2025"))[0][:2] == (
        3,
        "the year {year} is outside the period {start} – {end}",
    )


def test_deadlines_are_not_before_the_period_starts():
    assert problems_of(edit(BASE, "due: 2024-01-31", "due: 2023-12-31")) == [
        (
            13,
            "the deadline {due} is before the period starts on {start}",
            {"due": "31/12/2023", "start": "01/01/2024"},
        )
    ]


def test_a_registration_deadline_is_required():
    assert problems_of(edit(BASE, "kind: registration", "kind: evidence")) == [
        (11, "a registration deadline is required", {})
    ]


def test_only_one_deadline_of_each_kind_but_reports():
    twice = "    due: 2024-01-31\n  - kind: Đăng ký thi đua\n    due: 2024-02-01"
    assert problems_of(edit(BASE, "    due: 2024-01-31", twice)) == [
        (14, "only one deadline of this kind is allowed", {})
    ]


def test_unknown_deadline_kind_lists_the_known_ones():
    [(line, message, params)] = problems_of(edit(BASE, "kind: registration", "kind: họp"))
    assert (line, message, params["value"]) == (
        12,
        "{field!r} cannot be {value!r}; expected one of: {expected}",
        "họp",
    )
    assert "Đăng ký thi đua" in params["expected"]


@pytest.mark.parametrize("written", ["abc", "1.000,5", "10 điểm", "true"])
def test_nonsense_numbers_are_refused(written):
    assert problems_of(edit(BASE, "max_points: 100", f"max_points: {written}"))[0][:2] == (
        20,
        "{field!r} must be a number such as 12 or 99,5, not {value!r}",
    )


def test_unknown_unit_kind():
    assert problems_of(edit(BASE, "[Thôn, Tổ dân phố]", "[Thôn, Hành tinh]")) == [
        (7, "unknown unit kind {kind!r} (for example: Xã, Thôn, Tổ dân phố, Cơ quan)", {"kind": "Hành tinh"})
    ]


def test_a_title_only_for_eligible_kinds():
    text = edit(BASE, "    name: Thôn kiểu mẫu\n", "    name: Thôn kiểu mẫu\n    unit_kinds: [Cơ quan]\n")
    assert problems_of(text) == [
        (11, "{value!r} is not one of the campaign's eligible unit kinds", {"value": "Cơ quan"})
    ]


def test_the_campaign_code_is_an_ascii_slug():
    assert problems_of(edit(BASE, "code: thu_nghiem", "code: Thử nghiệm"))[0][:2] == (
        1,
        "{field!r} must use only a-z, 0-9, - and _, not {value!r}",
    )


def test_duplicate_codes_across_the_scale():
    second = (
        "\n  - code: II\n    name: Hai\n    criteria:"
        "\n      - code: I.1\n        name: Lặp\n        max_points: 5"
    )
    text = edit(BASE, "        max_points: 100\n", "        max_points: 100" + second + "\n")
    assert problems_of(text) == [
        (24, "the code {code!r} does not belong under {parent!r}; expected a code such as {example!r}",
         {"code": "I.1", "parent": "II", "example": "II.1"}),
        (24, "duplicate code {code!r}", {"code": "I.1"}),
    ]  # fmt: skip


def test_duplicate_title_codes():
    twice = "    name: Thôn kiểu mẫu\n  - code: TKM\n    name: Tổ dân phố kiểu mẫu\n"
    assert problems_of(edit(BASE, "    name: Thôn kiểu mẫu\n", twice)) == [
        (11, "duplicate code {code!r}", {"code": "TKM"})
    ]


def test_indicator_codes_are_roman_numerals():
    text = edit(edit(BASE, "  - code: I\n", "  - code: A\n"), "code: I.1", "code: A.1")
    assert problems_of(text) == [
        (15, "the indicator code {code!r} is not a Roman numeral (I, II, III …)", {"code": "A"})
    ]


TITLES = "titles:\n  - code: TKM\n    name: Thôn kiểu mẫu\n"


def test_at_least_one_title():
    assert problems_of(edit(BASE, TITLES, "titles: []\n")) == [
        (8, "{field!r} must not be empty", {"field": "titles"})
    ]


def test_at_least_one_indicator():
    text = BASE[: BASE.index("indicators:")] + "indicators: []\n"
    assert problems_of(text) == [(14, "{field!r} must not be empty", {"field": "indicators"})]


def test_every_indicator_has_a_criterion():
    text = BASE[: BASE.index("    criteria:")] + "    criteria: []\n"
    assert problems_of(text) == [(17, "{field!r} must not be empty", {"field": "criteria"})]


def test_cap_must_not_be_below_the_points():
    assert problems_of(rules_yaml("3", "2")) == [
        (25, "the cap {cap} is less than the points {points}", {"cap": "2", "points": "3"})
    ]


def test_points_must_not_exceed_the_maximum():
    assert problems_of(rules_yaml("150", "200")) == [
        (23, "the points {points} exceed the criterion's maximum {max}", {"points": "150", "max": "100"}),
        (25, "the cap {cap} exceeds the criterion's maximum {max}", {"cap": "200", "max": "100"}),
    ]


def test_rules_use_a_known_unit():
    text = edit(rules_yaml("2", "10"), "per: vụ", "per: con")
    assert problems_of(text)[0][:2] == (24, "{field!r} cannot be {value!r}; expected one of: {expected}")


def test_a_bonus_has_no_serious_damage_flag():
    text = edit(rules_yaml("2", "10"), "deductions:", "bonuses:")
    text = edit(text, "            cap: 10\n", "            cap: 10\n            zero_if_serious: true\n")
    assert problems_of(text)[0][:2] == (26, "unknown key {key!r}; expected one of: {expected}")


def test_the_rules_parse_into_dataclasses():
    text = edit(
        rules_yaml("0,5", "10"),
        "            cap: 10\n",
        "            cap: 10\n            zero_if_serious: true\n",
    )
    rule = parse_campaign_yaml(text).indicators[0].criteria[0].deductions[0]
    assert rule == DeductionRule("Cháy rừng", Decimal("0.5"), Per.incident, Decimal(10), True)


CHILDREN = """\
        children:
          - code: I.1.1
            name: Một
            max_points: 60
          - code: I.1.2
            name: Hai
            max_points: {second}
"""


def test_a_parents_maximum_is_the_sum_of_its_children():
    assert (
        parse_campaign_yaml(BASE + CHILDREN.format(second=40)).indicators[0].criteria[0].children[1].code
        == "I.1.2"
    )
    assert problems_of(BASE + CHILDREN.format(second=30)) == [
        (
            20,
            "the maximum {max} must equal the sum of the sub-criteria, {total}",
            {"max": "100", "total": "90"},
        )
    ]


def test_a_parent_has_no_rules_of_its_own():
    text = edit(BASE, "max_points: 100", "max_points: 100\n        proportional_of: 19") + CHILDREN.format(
        second=40
    )
    assert problems_of(text) == [
        (18, "a criterion with sub-criteria cannot have its own rules; put them on the sub-criteria", {})
    ]


def test_sub_criterion_codes_extend_their_parent():
    assert problems_of(BASE + CHILDREN.format(second=40).replace("I.1.2", "I.2"))[0][:2] == (
        25,
        "the code {code!r} does not belong under {parent!r}; expected a code such as {example!r}",
    )


WEIGHTED = edit(BASE, "indicators:\n", "aggregation: Theo trọng số\nindicators:\n")


def test_weighted_needs_a_weight_on_every_indicator():
    assert problems_of(WEIGHTED) == [(16, "{field!r} is required", {"field": "weight"})]


def test_weighted_weights_add_up_to_100_for_each_kind():
    assert (
        parse_campaign_yaml(edit(WEIGHTED, "    criteria:", "    weight: 100\n    criteria:")).aggregation
        == "weighted"
    )
    assert problems_of(edit(WEIGHTED, "    criteria:", "    weight: 60\n    criteria:")) == [
        (
            15,
            "the weights of the indicators for {kinds} add up to {total}, not 100",
            {"kinds": "Thôn, Tổ dân phố", "total": "60"},
        )
    ]


def test_a_weight_without_weighted_total_is_a_mistake():
    assert problems_of(edit(BASE, "    criteria:", "    weight: 100\n    criteria:")) == [
        (17, "{field!r} is only used when the total is weighted", {"field": "weight"})
    ]


def test_every_eligible_kind_is_scored_by_some_indicator():
    text = edit(BASE, "    name: Chỉ tiêu một\n", "    name: Chỉ tiêu một\n    unit_kinds: Thôn\n")
    assert problems_of(text) == [(14, "no indicator applies to {kinds}", {"kinds": "Tổ dân phố"})]


def test_evidence_counts_are_not_negative():
    text = edit(BASE, "max_points: 100", "max_points: 100\n        evidence_photos: -1")
    assert problems_of(text) == [(21, "{field!r} must not be negative", {"field": "evidence_photos"})]


def test_yaml_syntax_errors_have_a_line():
    [(line, message, _)] = problems_of(edit(BASE, "name: Thử nghiệm", "name: [Thử nghiệm"))
    assert message == "the file is not valid YAML: {error}" and line is not None


@pytest.mark.parametrize("text", ["", "- a\n- b\n"])
def test_the_document_must_be_a_mapping(text):
    assert problems_of(text) == [(1, "{field!r} must be a mapping of keys and values", {"field": "campaign"})]


# The Excel form: problems point at cells --------------------------------------------------------------


@pytest.fixture
def form(tmp_path) -> Path:
    """The base campaign as the Excel form."""
    path = tmp_path / "form.xlsx"
    write_campaign_workbook(parse_campaign_yaml(BASE), path)
    return path


def edit_cells(path: Path, **cells: dict[str, object]) -> Path:
    """Set cells per sheet: edit_cells(path, **{"Thang điểm": {"C3": "abc"}})."""
    workbook = load_workbook(path)
    for sheet, values in cells.items():
        for coordinate, value in values.items():
            workbook[sheet][coordinate] = value
    workbook.save(path)
    return path


def cell_problems(path: Path) -> list[tuple[str | None, str, dict[str, str]]]:
    with pytest.raises(CampaignFileError) as caught:
        load_campaign_file(path)
    return [(problem.cell, problem.message, problem.params) for problem in caught.value.problems]


def test_the_form_has_bold_headings_and_a_guide(form):
    workbook = load_workbook(form)
    assert workbook.sheetnames == ["Thông tin", "Danh hiệu", "Thời hạn", "Thang điểm", "Hướng dẫn"]
    scale = workbook["Thang điểm"]
    assert [cell.value for cell in scale[1]][:4] == ["Mã", "Nội dung", "Điểm tối đa", "Trừ điểm"]
    assert scale["A1"].font.bold and scale["A2"].font.bold and not scale["A3"].font.bold
    assert workbook["Thông tin"]["A4"].value == "Năm"


def test_the_form_accepts_text_dates_and_decimal_commas(form):
    edit_cells(form, **{"Thông tin": {"B6": "31/12/2024"}, "Thang điểm": {"C3": "99,5"}})
    definition = load_campaign_file(form)
    assert definition.period_end == date(2024, 12, 31)
    assert definition.indicators[0].criteria[0].max_points == Decimal("99.5")


def test_form_problems_name_their_cells(form):
    edit_cells(
        form,
        **{
            "Thông tin": {"B4": "năm nay"},
            "Danh hiệu": {"C2": "Hành tinh"},
            "Thời hạn": {"B2": "31/12/2023"},
            "Thang điểm": {"C3": "abc", "G3": -2},
        },
    )
    assert [(cell, message) for cell, message, _ in cell_problems(form)] == [
        ("Thông tin!B4", "{field!r} must be a whole number, not {value!r}"),
        ("Danh hiệu!C2", "unknown unit kind {kind!r} (for example: Xã, Thôn, Tổ dân phố, Cơ quan)"),
        ("Thời hạn!B2", "the deadline {due} is before the period starts on {start}"),
        ("Thang điểm!C3", "{field!r} must be a number such as 12 or 99,5, not {value!r}"),
        ("Thang điểm!G3", "{field!r} must not be negative"),
    ]


def test_form_messages_use_the_vietnamese_headings(form):
    edit_cells(form, **{"Thang điểm": {"C3": None}, "Thông tin": {"A4": None, "B4": None}})
    assert cell_problems(form) == [
        (None, "{field!r} is required", {"field": "Năm"}),
        ("Thang điểm!C3", "{field!r} is required", {"field": "Điểm tối đa"}),
    ]


def test_rule_notation_is_read_into_rules(form):
    notation = "Để xảy ra cháy rừng, phá rừng: −2/vụ, tối đa 10, nghiêm trọng: 0;\nTỷ lệ bỏ học: -1,5 điểm/%"
    edit_cells(form, **{"Thang điểm": {"D3": notation, "E3": "Trường đạt chuẩn: +2/trường, tối đa 10,5"}})
    criterion = load_campaign_file(form).indicators[0].criteria[0]
    assert criterion.deductions == (
        DeductionRule("Để xảy ra cháy rừng, phá rừng", Decimal(2), Per.incident, Decimal(10), True),
        DeductionRule("Tỷ lệ bỏ học", Decimal("1.5"), Per.percent),
    )
    assert criterion.bonuses == (BonusRule("Trường đạt chuẩn", Decimal(2), Per.item, Decimal("10.5")),)


def test_bad_rule_notation_points_at_its_cell(form):
    edit_cells(
        form,
        **{
            "Thang điểm": {
                "D3": "Cháy rừng: +2/vụ; Bỏ học: −1/%, tối đa 0,5",
                "E3": "thưởng thêm; Có quyết định: +5/quyết định, nghiêm trọng: 0",
            }
        },
    )
    assert [(cell, message) for cell, message, _ in cell_problems(form)] == [
        ("Thang điểm!D3", "the sign of {rule!r} does not fit the column {column!r}"),
        ("Thang điểm!E3", "cannot read the rule {rule!r}; write it like {example!r}"),
        ("Thang điểm!E3", "unknown option {option!r}; expected one of: {expected}"),
        ("Thang điểm!D3", "the cap {cap} is less than the points {points}"),
    ]


def test_a_rule_without_reason(form):
    edit_cells(form, **{"Thang điểm": {"D3": "−2/vụ"}})
    assert cell_problems(form) == [("Thang điểm!D3", "{field!r} is required", {"field": "Lý do"})]


def test_rows_nest_by_code_and_orphans_are_reported(form):
    edit_cells(form, **{"Thang điểm": {"A4": "I.1.1.1", "B4": "Mồ côi", "C4": 5}})
    assert cell_problems(form) == [
        ("Thang điểm!A4", "there is no row {parent!r} above {code!r}", {"parent": "I.1.1", "code": "I.1.1.1"})
    ]


def test_an_indicator_row_without_criteria(form):
    edit_cells(form, **{"Thang điểm": {"A4": "II", "B4": "Chỉ tiêu hai"}})
    assert cell_problems(form) == [("Thang điểm!A4", "{field!r} is required", {"field": "Tiêu chí"})]


def test_unknown_headings_and_labels(form):
    edit_cells(form, **{"Thang điểm": {"L1": "Ghi chu"}, "Thông tin": {"A12": "Nam hoc", "B12": 2024}})
    assert [(cell, message) for cell, message, _ in cell_problems(form)] == [
        ("Thông tin!A12", "unknown heading {heading!r}; expected one of: {expected}"),
        ("Thang điểm!L1", "unknown heading {heading!r}; expected one of: {expected}"),
    ]


def test_a_missing_sheet(form):
    workbook = load_workbook(form)
    del workbook["Thời hạn"]
    workbook.save(form)
    assert cell_problems(form) == [(None, "the sheet {sheet!r} is missing", {"sheet": "Thời hạn"})]


# Files and rendering ---------------------------------------------------------------------------------


def test_only_yaml_and_xlsx_files(tmp_path):
    with pytest.raises(CampaignFileError) as caught:
        load_campaign_file(tmp_path / "plan.docx")
    assert caught.value.problems[0].params == {"suffix": ".docx"}


def test_a_broken_workbook_is_a_file_problem(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CampaignFileError) as caught:
        load_campaign_file(path)
    assert caught.value.problems[0].message == "the file {name!r} cannot be read as {suffix}"


def test_a_problem_renders_its_place_through_gettext():
    vietnamese = {
        "line {line}": "dòng {line}",
        "cell {cell}": "ô {cell}",
        "{field!r} is required": "thiếu {field!r}",
    }

    def translate(message: str) -> str:
        return vietnamese.get(message, message)

    assert (
        FileProblem("{field!r} is required", {"field": "Năm"}, line=3).render(translate)
        == "dòng 3: thiếu 'Năm'"
    )
    assert FileProblem("{field!r} is required", {"field": "Năm"}, cell="Thông tin!B4").render() == (
        "cell Thông tin!B4: 'Năm' is required"
    )
    assert FileProblem("{field!r} is required", {"field": "Năm"}).render(translate) == "thiếu 'Năm'"


def test_decimals_survive_the_form(tmp_path):
    definition = parse_campaign_yaml(edit(rules_yaml("0,5", "10,25"), "max_points: 100", "max_points: 99,5"))
    write_campaign_workbook(definition, tmp_path / "form.xlsx")
    assert load_campaign_file(tmp_path / "form.xlsx") == definition
    assert definition.indicators[0].criteria[0].deductions[0].cap == Decimal("10.25")


def test_stored_data_is_checked_again():
    stored = definition_to_dict(parse_campaign_yaml(BASE))
    stored["indicators"][0]["criteria"][0]["max_points"] = "nhiều"
    with pytest.raises(CampaignFileError) as caught:
        definition_from_dict(stored)
    assert caught.value.problems[0].params["value"] == "nhiều"


def test_scope_as_a_list_or_text():
    definition = parse_campaign_yaml(
        edit(BASE, "organizer: BABICH\n", "organizer: BATO\nscope: BABICH, BALE\n")
    )
    assert definition.scope == ("BABICH", "BALE")


def test_ranking_visibility_contest_days_and_title_targets_are_read_from_both_formats(tmp_path):
    from bot.services.campaign_file import load_campaign_file
    from bot.services.campaign_file_excel import write_campaign_workbook

    definition = load_campaign_file(CAMPAIGNS / "cum_khu_trung_2024.yaml")
    assert (definition.ranking_visible, definition.contest_days) == (True, 7)
    model = load_campaign_file(CAMPAIGNS / "kieu_mau_2025.xlsx")
    assert model.titles[0].target_percent == 26 and model.ranking_visible is False
    path = tmp_path / "lai.xlsx"
    write_campaign_workbook(definition, path)
    assert load_campaign_file(path) == definition
