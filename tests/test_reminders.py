"""The reminder policy: which stage is due at a local moment, quiet hours across midnight, file settings."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.services.campaign_file import parse_campaign_yaml
from bot.services.campaign_file_model import CampaignFileError, EscalateTo
from bot.services.reminders import OVERDUE, Policy
from tests.factories import campaign_yaml

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = date(2030, 3, 10)
POLICY = Policy((7, 3, 1, 0), 8, time(21), time(7), EscalateTo.nearest)


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2030, month, day, hour, tzinfo=VN)


@pytest.mark.parametrize(
    ("moment", "stage"),
    [
        (at(3, 7), None),  # the first stage comes at 08:00
        (at(3, 8), 7),
        (at(5, 9), 7),
        (at(6, 23), None),  # the 7-day stage is three days old: the 3-day one comes next morning
        (at(7, 8), 3),
        (at(9, 12), 1),
        (at(10, 8), 0),
        (at(11, 7), 0),
        (at(11, 8), OVERDUE),
        (at(13, 9), OVERDUE),
        (at(14, 9), None),  # days late: nothing is started any more
    ],
)
def test_the_latest_stage_reached_is_due(moment, stage):
    assert POLICY.stage(DUE, moment) == stage


def test_quiet_hours_cross_midnight_and_a_daytime_span_works_too():
    assert [POLICY.quiet(at(10, hour)) for hour in (6, 7, 12, 20, 21, 23)] == [
        True,
        False,
        False,
        False,
        True,
        True,
    ]
    lunch = Policy((0,), 8, time(11, 30), time(13), EscalateTo.nearest)
    assert [lunch.quiet(datetime(2030, 3, 10, h, m, tzinfo=VN)) for h, m in ((11, 0), (12, 0), (13, 0))] == [
        False,
        True,
        False,
    ]


def test_campaign_files_set_reminder_days_hour_quiet_hours_and_escalation():
    definition = parse_campaign_yaml(
        campaign_yaml(DUE)
        + "reminder_days: 5, 1, 5\nreminder_hour: 7\nquiet_hours: 22h-6h30\nescalate_to: Đơn vị phát động\n"
    )
    policy = Policy.of(definition)
    assert (policy.days, policy.hour, policy.quiet_start, policy.quiet_end) == (
        (5, 1),
        7,
        time(22),
        time(6, 30),
    )
    assert policy.escalate_to == EscalateTo.organizer
    defaults = Policy.of(parse_campaign_yaml(campaign_yaml(DUE)))
    assert (defaults.days, defaults.hour, defaults.quiet_start) == ((7, 3, 1, 0), 8, time(21))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("reminder_days: 7, 90", "từ 0 đến 60"),
        ("reminder_hour: 24", "từ 0 đến 23"),
        ("quiet_hours: buổi tối", "21:00-07:00"),
        ("escalate_to: ai đó", "escalate_to"),
    ],
)
def test_bad_reminder_settings_are_reported(line, problem):
    from bot.i18n import Translator

    with pytest.raises(CampaignFileError) as raised:
        parse_campaign_yaml(campaign_yaml(DUE) + line + "\n")
    assert problem in raised.value.problems[0].render(Translator("vi").gettext)
