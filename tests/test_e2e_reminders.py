"""End to end: the reminder sweep under an injected clock, through the fake Bot API.

Only units behind are reminded; nothing is sent twice across reruns and restarts; quiet hours defer;
after an outage only the latest due stage goes out, worded from the real days left; late units are listed
to the nearest admins; the local date (UTC+7) decides, not the UTC one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete

from bot.services.campaigns import launch_campaign
from bot.services.registrations import register
from storage.models import Evidence, EvidenceStatus, OutboxMessage, Role, utcnow
from storage.outbox import Outgoing
from tests.factories import actor, add_person, campaign_yaml, save_campaign_from_yaml, seed_units
from tests.harness import running_bot

DISTRICT, BABICH_ADMIN, BALE_ADMIN, T3, T13, MAM = 9300, 9301, 9302, 9303, 9304, 9305
REGISTRATION_DUE = date(2030, 3, 10)
EVIDENCE_DUE = date(2030, 4, 30)


class Clock:
    """A clock the test sets: the bot reads it for every moment and date."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        return self.now

    def local(self, day: date, hour: int, minute: int = 0) -> None:
        """Set the clock to a local time in Vietnam (UTC+7)."""
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


async def campaign(database, extra: str = "") -> tuple[dict[str, int], int, dict[int, int]]:
    """The test campaign launched for Ba Bích and Ba Lễ; only Thôn 3 registers."""
    units = await seed_units(database)
    await add_person(database, DISTRICT, "Phòng Nội vụ", role=Role.admin, unit_id=units["BATO"])
    await add_person(database, BABICH_ADMIN, "UBND xã Ba Bích", role=Role.admin, unit_id=units["BABICH"])
    await add_person(database, BALE_ADMIN, "UBND xã Ba Lễ", role=Role.admin, unit_id=units["BALE"])
    heads = {
        telegram_id: await add_person(database, telegram_id, code, role=Role.unit_head, unit_id=units[code])
        for telegram_id, code in ((T3, "BB-T3"), (T13, "BB-T13"), (MAM, "BL-L1"))
    }
    campaign_id = await save_campaign_from_yaml(
        database, campaign_yaml(REGISTRATION_DUE, evidence_due=EVIDENCE_DUE) + extra
    )
    async with database.unit_of_work() as uow:
        await launch_campaign(
            uow, None, campaign_id, lambda c, r, a: Outgoing(f"launch:{c.id}:{r.chat_id}", r.chat_id, "x")
        )
        title = next(t.id for t in await uow.campaigns.titles(campaign_id) if t.code == "THON-KM")
        await register(uow, await actor(uow, heads[T3]), campaign_id, title, date(2030, 1, 5))
        await uow.session.execute(delete(OutboxMessage))  # the launch announcements are not under test
    return units, campaign_id, heads


async def evidence_of_thon_3(
    database, units, campaign_id: int, status: EvidenceStatus, sent: datetime
) -> None:
    """Thôn 3's evidence for criterion I.1, in the given state."""
    async with database.unit_of_work() as uow:
        uow.evidence.add(
            Evidence(
                campaign_id=campaign_id,
                unit_id=units["BB-T3"],
                criterion_code="I.1",
                status=status,
                submitted_at=sent,
            )
        )


def everyone(bot) -> None:
    """Open every person's chat with the bot, so nothing queued for them is found unreachable."""
    for telegram_id in (DISTRICT, BABICH_ADMIN, BALE_ADMIN, T3, T13, MAM):
        bot.api.user(telegram_id, str(telegram_id))


def reminders(bot, telegram_id: int, text: str = "") -> list[str]:
    """The reminder texts a person got so far."""
    return [
        m.text
        for m in bot.api.user(telegram_id, "").messages
        if text in m.text and ("⏰" in m.text or "⚠️" in m.text)
    ]


async def test_only_units_behind_are_reminded_once_across_reruns_and_restarts(database):
    await campaign(database)
    clock = Clock(utcnow())
    clock.local(date(2030, 3, 3), 8)  # 7 days before the registration deadline, 08:00 in Vietnam
    async with running_bot(database, clock=clock) as bot:
        everyone(bot)
        t13, mam = bot.api.user(T13, "Trưởng thôn 13"), bot.api.user(MAM, "Trưởng làng Mâm")
        bot.api.user(T3, "Trưởng thôn 3")
        assert await bot.sweep() == 5  # two reminders, and the morning digests of the three admins
        notice = await t13.wait_for_text("Còn 7 ngày")
        assert (
            "hạn đăng ký thi đua (10/03/2030)" in notice.text
            and "Thôn 13, xã Ba Bích chưa đăng ký" in notice.text
        )
        assert notice.button_texts() == ["📝 Đăng ký ngay"]
        await mam.wait_for_text("Làng Mâm, xã Ba Lễ chưa đăng ký")
        await t13.press(notice, "📝 Đăng ký ngay")
        step = await t13.wait_for_text("chưa đăng ký")  # the registration step itself
        assert "Thôn kiểu mẫu" in " ".join(step.button_texts())
        assert await bot.sweep() == 0
    async with running_bot(database, clock=clock) as bot:  # a restart in the middle of the day
        assert await bot.sweep() == 0
        clock.now += timedelta(hours=5)
        assert await bot.sweep() == 0
        assert reminders(bot, T3) == []


async def test_the_local_date_decides_and_quiet_hours_defer(database):
    await campaign(database)
    clock = Clock(utcnow())
    async with running_bot(database, clock=clock) as bot:
        everyone(bot)
        t13 = bot.api.user(T13, "Trưởng thôn 13")
        clock.now = datetime(2030, 3, 9, 23, 30, tzinfo=UTC)  # 06:30 on 10/03 in Vietnam: quiet hours
        assert await bot.sweep() == 0
        clock.local(date(2030, 3, 10), 8)  # deadline day, 08:00 local (01:00 UTC)
        assert await bot.sweep() == 5  # two reminders, three digests
        notice = await t13.wait_for_text("Hôm nay (10/03/2030) là hạn cuối đăng ký thi đua")
        assert "Còn" not in notice.text
        clock.local(date(2030, 3, 10), 22)
        assert await bot.sweep() == 0


async def test_an_outage_sends_each_due_reminder_once_with_the_right_wording(database):
    units, _campaign_id, _heads = await campaign(database)
    clock = Clock(utcnow())
    clock.local(date(2030, 3, 7), 14)  # the bot was down from 07:00 to 14:00; the 3-day stage was at 08:00
    async with running_bot(database, clock=clock) as bot:
        everyone(bot)
        t13 = bot.api.user(T13, "Trưởng thôn 13")
        assert await bot.sweep() == 5  # two reminders, three digests
        await t13.wait_for_text("Còn 3 ngày")
        await bot.api.user(MAM, "").wait_for_text("Còn 3 ngày")
    clock.local(date(2030, 3, 11), 9)  # down again across the deadline: the deadline-day stage was missed
    async with running_bot(database, clock=clock) as bot:
        everyone(bot)
        t13, babich = bot.api.user(T13, "Trưởng thôn 13"), bot.api.user(BABICH_ADMIN, "UBND xã Ba Bích")
        mam = bot.api.user(MAM, "Trưởng làng Mâm")
        bale, district = bot.api.user(BALE_ADMIN, "UBND xã Ba Lễ"), bot.api.user(DISTRICT, "Phòng Nội vụ")
        queued = await bot.sweep()
        overdue = await t13.wait_for_text("Đã quá hạn đăng ký thi đua (10/03/2030)")
        assert "Hôm nay" not in overdue.text
        await mam.wait_for_text("Đã quá hạn đăng ký thi đua")
        late = await babich.wait_for_text("Quá hạn đăng ký thi đua")
        assert (
            "• Thôn 13, xã Ba Bích" in late.text
            and "Làng Mâm" not in late.text
            and "Thôn 3," not in late.text
        )
        await bale.wait_for_text("• Làng Mâm, xã Ba Lễ")
        assert queued == 6  # two overdue reminders, two late lists, digests of Ba Bích and the district
        assert await bot.sweep() == 0
        assert not [m for m in district.messages if "Quá hạn" in m.text]
        assert [text for text in reminders(bot, T13) if "Hôm nay" in text] == []


async def test_evidence_reminders_name_the_missing_criteria_and_paused_people_hear_only_the_last_day(
    database,
):
    units, campaign_id, heads = await campaign(database)
    await evidence_of_thon_3(database, units, campaign_id, EvidenceStatus.approved, utcnow())
    clock = Clock(utcnow())
    clock.local(EVIDENCE_DUE - timedelta(days=7), 8)
    async with running_bot(database, clock=clock) as bot:
        everyone(bot)
        t3 = bot.api.user(T3, "Trưởng thôn 3")
        await bot.sweep()
        notice = await t3.wait_for_text("hạn nộp minh chứng (30/04/2030)")
        assert "Tiêu chí của Thôn 3, xã Ba Bích chưa có minh chứng được duyệt: I.2." in notice.text
        assert notice.button_texts() == ["📸 Gửi minh chứng"]
        await t3.send("/nhacviec")
        setting = await t3.wait_for_text("Anh/chị được nhắc")
        await t3.press(setting, "⏸ Tạm dừng nhắc sớm")
        await t3.wait_for_text("Đã tạm dừng nhắc sớm")
        clock.local(EVIDENCE_DUE - timedelta(days=3), 8)
        await bot.sweep()
        clock.local(EVIDENCE_DUE, 8)
        await bot.sweep()
        await t3.wait_for_text("Hôm nay (30/04/2030) là hạn cuối nộp minh chứng")
        assert [text for text in reminders(bot, T3, "minh chứng") if "Còn 3 ngày" in text] == []


async def test_admins_get_a_morning_digest_once(database):
    units, campaign_id, heads = await campaign(database)
    await evidence_of_thon_3(
        database, units, campaign_id, EvidenceStatus.submitted, datetime(2030, 3, 1, tzinfo=UTC)
    )
    clock = Clock(utcnow())
    clock.local(date(2030, 3, 5), 7, 30)
    async with running_bot(database, clock=clock) as bot:
        everyone(bot)
        babich = bot.api.user(BABICH_ADMIN, "UBND xã Ba Bích")
        await bot.sweep()
        clock.local(date(2030, 3, 5), 9)
        await bot.sweep()
        assert not [m for m in babich.messages if "Tóm tắt" in m.text]  # none before the digest hour
        digest = await babich.wait_for_text("Tóm tắt hôm nay")
        assert "Đăng ký chờ duyệt: 1" in digest.text
        assert "Minh chứng chờ thẩm định: 1 (1 chờ quá 3 ngày)" in digest.text
        assert "Đăng ký thi đua – Thi đua xây dựng thôn kiểu mẫu 2030: 10/03/2030" in digest.text
        assert await bot.sweep() == 0


async def test_the_late_list_goes_out_even_if_the_bot_stopped_right_after_the_overdue_reminders(database):
    _units, campaign_id, _heads = await campaign(database)
    async with database.unit_of_work() as uow:  # the overdue pass ended, then the bot stopped
        deadline = next(d for d in await uow.campaigns.deadlines(campaign_id) if d.kind == "registration")
        run = await uow.reminders.run(f"deadline:{deadline.id}:stage:-1", utcnow())
        run.finished_at = utcnow()
    clock = Clock(utcnow())
    clock.local(date(2030, 3, 11), 9)
    async with running_bot(database, clock=clock) as bot:
        everyone(bot)
        await bot.sweep()
        late = await bot.api.user(BABICH_ADMIN, "").wait_for_text("Quá hạn đăng ký thi đua")
        assert "• Thôn 13, xã Ba Bích" in late.text
        assert not [m for m in bot.api.user(T13, "").messages if "Đã quá hạn" in m.text]  # not sent twice
        await bot.sweep()
        assert len([m for m in bot.api.user(BABICH_ADMIN, "").messages if "Quá hạn" in m.text]) == 1
