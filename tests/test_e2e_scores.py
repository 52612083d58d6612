"""End to end: self-scoring with buttons and typed numbers, verification with a reason, contests, ranks,
the chart and the Excel score sheet, and awards."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from PIL import Image

from bot.services.scores import change_entry, open_self_score, save_entry, submit_self_scores
from storage.models import AuditEntry, Membership, RegistrationStatus, Role, ScoreStage
from tests.factories import actor, add_person, save_campaign_from_yaml, seed_units
from tests.harness import running_bot

ADMIN, HEAD, OTHER_HEAD, SCHOOL_HEAD, FORESTER = 9200, 9201, 9202, 9203, 9204
HEADS = {HEAD: "BB-T3", OTHER_HEAD: "BB-T13", SCHOOL_HEAD: "BB-TH"}


def scale_yaml(today: date) -> str:
    year = today.year
    return f"""
code: cham_diem_thon
name: Chấm điểm thi đua thôn, cơ quan {year}
year: {year}
period_start: {year}-01-01
period_end: {year}-12-31
organizer: BATO
scope: [BABICH]
eligible_kinds: [village, agency]
ranking_visible: true
contest_days: 5
titles:
  - {{code: KM, name: Đơn vị kiểu mẫu, target_percent: 50}}
deadlines:
  - {{kind: registration, due: {(today + timedelta(days=30)).isoformat()}}}
  - {{kind: self_scoring, due: {(today + timedelta(days=20)).isoformat()}}}
indicators:
  - code: I
    name: Kinh tế - xã hội
    criteria:
      - code: I.1
        name: Quản lý, bảo vệ rừng
        max_points: 100
        reviewer_office: Kiểm lâm địa bàn
        deductions:
          - {{reason: Để xảy ra cháy rừng hoặc phá rừng, points: 2, per: incident, zero_if_serious: true}}
      - code: I.2
        name: Giáo dục
        max_points: 100
        reviewer_office: Trường TH&THCS Ba Bích
        deductions:
          - {{reason: Tỷ lệ học sinh bỏ học, points: 1, per: percent}}
        bonuses:
          - {{reason: Trường đạt chuẩn quốc gia, points: 2, per: item, cap: 4}}
      - code: I.3
        name: Xây dựng nông thôn mới
        max_points: 100
        proportional_of: 19
        reviewer_office: Công chức ĐC-NN
"""


async def launched(database):
    """The scale launched for Ba Bích; Thôn 3, Thôn 13 and the school registered and approved."""
    from bot.services.campaigns import launch_campaign
    from bot.services.registrations import decide_registration, register
    from storage.outbox import Outgoing

    units = await seed_units(database)
    admin = await add_person(database, ADMIN, "Phòng Nội vụ", role=Role.admin, unit_id=units["BATO"])
    heads = {
        telegram_id: await add_person(database, telegram_id, code, role=Role.unit_head, unit_id=units[code])
        for telegram_id, code in HEADS.items()
    }
    forester = await add_person(database, FORESTER, "Kiểm lâm")
    async with database.unit_of_work() as uow:
        uow.memberships.add(
            Membership(
                person_id=forester, unit_id=units["BABICH"], role=Role.reviewer, office="Kiểm lâm địa bàn"
            )
        )
    today = date.today()
    campaign_id = await save_campaign_from_yaml(database, scale_yaml(today))
    async with database.unit_of_work() as uow:
        await launch_campaign(
            uow, None, campaign_id, lambda c, r, a: Outgoing(f"launch:{c.id}:{r.chat_id}", r.chat_id, "x")
        )
        title = (await uow.campaigns.titles(campaign_id))[0].id
        for person_id in heads.values():
            registration = await register(uow, await actor(uow, person_id), campaign_id, title, today)
            await decide_registration(
                uow, await actor(uow, admin), registration.id, RegistrationStatus.approved, None
            )
    return units, campaign_id, heads


async def self_score(database, person_id: int, campaign_id: int, found: dict[int, dict[str, Decimal | None]]):
    """Score every criterion through the services ({position: {slot: value}}) and send the self-score."""
    today = date.today()
    async with database.unit_of_work() as uow:
        me = await actor(uow, person_id)
        for position in range(3):
            editing = await open_self_score(uow, me, campaign_id, position, today)
            for slot, value in found.get(position, {}).items():
                await change_entry(uow, me, editing.entry.id, slot, value, today)
            await save_entry(uow, me, editing.entry.id, None, today)
        await submit_self_scores(uow, me, campaign_id, today)


async def ranking_actions(admin):
    """The admin opens the campaign's scores and ranking; returns the message with its further actions."""
    await admin.send("/phongtrao")
    campaigns = await admin.wait_for_text("phong trào thi đua anh/chị quản lý")
    await admin.press(campaigns, campaigns.button_texts()[0])
    view = await admin.wait_for(lambda m: "🏆 Điểm và xếp hạng" in m.button_texts())
    await admin.press(view, "🏆 Điểm và xếp hạng")
    return await admin.wait_for_text("Thêm:")


def row_with(message, text: str) -> list[tuple[str, str | None]]:
    """The keyboard row holding a button whose label contains `text`."""
    return next(row for row in message.buttons() if any(text in label for label, _ in row))


async def test_self_scoring_with_buttons_and_typed_numbers(database):
    await launched(database)
    async with running_bot(database) as bot:
        head, forester = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(FORESTER, "Kiểm lâm")
        await head.send("/tuchamdiem")
        listing = await head.wait_for_text("Tự chấm điểm")
        await head.press(listing, next(label for label in listing.button_texts() if " I.1 " in label))
        card = await head.wait_for_text("Điểm: 100/100")
        assert "Trừ 2 điểm/vụ: Để xảy ra cháy rừng hoặc phá rừng" in card.text
        plus = row_with(card, "Để xảy ra cháy")[2]
        await head.press(card, plus[1])
        card = await head.wait_for_text("Điểm: 98/100")
        assert "−2 điểm, 01 vụ: Để xảy ra cháy rừng hoặc phá rừng – Kiểm lâm địa bàn" in card.text
        await head.press(card, "💾 Lưu")
        card = await head.wait_for_text("Đã lưu tiêu chí I.1: 98 điểm")
        assert "Tiêu chí I.2" in card.text
        await head.press(card, row_with(card, "Tỷ lệ học sinh")[1][1])
        await head.wait_for_text("Nhập tỷ lệ % cho nội dung “Tỷ lệ học sinh bỏ học”")
        await head.send("một rưỡi")
        await head.wait_for_text("Vui lòng nhập một số, ví dụ 12 hoặc 99,5.")
        await head.send("1,5")  # still waited for: nothing typed is lost
        card = await head.wait_for_text("Điểm: 98,5/100")
        for _ in range(3):  # the bonus is capped at 4 points
            await head.press(card, row_with(card, "Trường đạt chuẩn")[2][1])
        card = await head.wait_for(lambda m: "Điểm: 102,5/100" in m.text and m.edited >= 3)
        assert "(đã tính mức tối đa)" in card.text
        await head.press(card, "💾 Lưu")
        card = await head.wait_for_text("Tiêu chí I.3")
        await head.press(card, row_with(card, "Đạt 19/19")[1][1])
        await head.send("25")
        await head.wait_for_text("Số phải nằm trong khoảng từ 0 đến 19.")
        await head.send("12")
        card = await head.wait_for_text("Điểm: 63,16/100")
        assert "−36,84 điểm: đạt 12/19" in card.text
        await head.press(card, "💾 Lưu")
        listing = await head.wait_for(
            lambda m: "Tự chấm điểm" in m.text and "📤 Gửi bảng tự chấm" in m.button_texts()
        )
        await head.press(listing, "📤 Gửi bảng tự chấm")
        await head.wait_for_text("Đã gửi bảng tự chấm: 263,66/300 điểm")
        notice = await forester.wait_for_text("Bảng tự chấm cần thẩm định")
        assert "Thôn 3, xã Ba Bích" in notice.text and "263,66/300" in notice.text
    async with database.unit_of_work() as uow:
        total = await uow.scores.total(1, 0) or (await uow.scores.totals(1))[0]
        assert (total.self_total, total.total, total.self_submitted_at is not None) == (
            Decimal("263.66"),
            Decimal("263.66"),
            True,
        )


async def test_sending_before_every_criterion_is_scored_is_refused(database):
    await launched(database)
    async with running_bot(database) as bot:
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        await head.send("/tuchamdiem")
        listing = await head.wait_for_text("Tự chấm điểm")
        await head.press(listing, "📤 Gửi bảng tự chấm")
        answer = await bot.api.wait_callback_answer(await head.press(listing, "📤 Gửi bảng tự chấm"))
        assert "còn thiếu: I.1, I.2, I.3" in answer["text"]


async def test_verification_with_a_reason_then_an_accepted_contest(database):
    units, campaign_id, heads = await launched(database)
    await self_score(database, heads[HEAD], campaign_id, {0: {"d0": Decimal(1)}})
    async with running_bot(database) as bot:
        head, forester = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(FORESTER, "Kiểm lâm")
        admin = bot.api.user(ADMIN, "Phòng Nội vụ")
        await forester.send("/thamdinh")
        queue = await forester.wait_for_text("Bảng tự chấm chờ anh/chị thẩm định")
        assert queue.button_texts() == ["🔍 Thôn 3, xã Ba Bích – 1 tiêu chí chờ"]
        await forester.press(queue, queue.button_texts()[0])
        criteria = await forester.wait_for_text("Thẩm định Thôn 3")
        assert criteria.button_texts() == ["⏳ I.1: 98"]  # only the forest criterion is the ranger's
        await forester.press(criteria, "⏳ I.1: 98")
        card = await forester.wait_for_text("Đơn vị tự chấm: 98 điểm.")
        await forester.press(card, row_with(card, "Để xảy ra cháy")[2][1])
        card = await forester.wait_for_text("Điểm: 96/100")
        await forester.press(card, "✅ Xác nhận")
        ask = await forester.wait_for_text("Vì sao điểm thẩm định khác điểm tự chấm?")
        await forester.press(ask, "Số liệu tự chấm chưa chính xác")
        await forester.wait_for(lambda m: "Điểm: 96/100" in m.text and "✅ Đã lưu." in m.text)
        notice = await head.wait_for_text("Điểm thẩm định có điều chỉnh")
        assert "tiêu chí I.1: tự chấm 98, thẩm định 96 (−2)" in notice.text
        assert "Lý do: Số liệu tự chấm chưa chính xác" in notice.text and "trong 5 ngày" in notice.text
        await head.press(notice, "✍️ Giải trình")
        await head.wait_for_text("Nhập nội dung giải trình cho tiêu chí I.1")
        await head.send("Vụ thứ hai xảy ra ở xã Ba Lễ, không thuộc địa bàn thôn.")
        await head.wait_for_text("Đã gửi giải trình")
        contest = await admin.wait_for_text("Giải trình điểm thi đua")
        assert "không thuộc địa bàn thôn" in contest.text and "điểm thẩm định 96" in contest.text
        dismiss = dict(contest.buttons()[0])["❌ Giữ nguyên điểm thẩm định"]
        await admin.press(contest, "✅ Chấp nhận (giữ điểm tự chấm)")
        await admin.wait_for_text("Giải trình của Thôn 3, xã Ba Bích, tiêu chí I.1: chấp nhận.")
        await head.wait_for_text("Giải trình tiêu chí I.1 được chấp nhận: điểm của tiêu chí là 98.")
        again = await bot.api.wait_callback_answer(await admin.press_data(contest, dismiss))
        assert again["show_alert"] and "đã được" in again["text"]  # the first decision stands
    async with database.unit_of_work() as uow:
        verified = await uow.scores.find(campaign_id, units["BB-T3"], "I.1", ScoreStage.verified)
        assert verified.points == Decimal(98)
        actions = {entry.action for entry in await uow.audit.latest(50) if isinstance(entry, AuditEntry)}
    assert {"score.verified", "score.contest", "score.contest.accepted"} <= actions


async def test_a_unit_cannot_touch_another_units_score_even_with_forged_buttons(database):
    units, campaign_id, heads = await launched(database)
    await self_score(database, heads[OTHER_HEAD], campaign_id, {})
    async with database.unit_of_work() as uow:
        other_entry = await uow.scores.find(campaign_id, units["BB-T13"], "I.1", ScoreStage.self_score)
    async with running_bot(database) as bot:
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        await head.send("/tuchamdiem")
        listing = await head.wait_for_text("Tự chấm điểm")
        for data in (f"sc:add:{other_entry.id}:d0:1", f"sc:save:{other_entry.id}", "sc:add:x:d0:1"):
            answer = await bot.api.wait_callback_answer(await head.press_data(listing, data))
            assert answer["show_alert"] and (
                "không có quyền" in answer["text"] or "không còn hiệu lực" in answer["text"]
            )
    async with database.unit_of_work() as uow:
        unchanged = await uow.scores.entry(other_entry.id)
        assert unchanged.points == Decimal(100) and unchanged.inputs["deductions"] == []


async def test_ties_gap_previous_period_chart_and_excel_score_sheet(database):
    units, campaign_id, heads = await launched(database)
    await self_score(database, heads[HEAD], campaign_id, {0: {"d0": Decimal(5)}})  # 290
    await self_score(database, heads[OTHER_HEAD], campaign_id, {1: {"d0": Decimal(10)}})  # 290
    await self_score(database, heads[SCHOOL_HEAD], campaign_id, {})  # 300
    async with running_bot(database) as bot:
        head, admin = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(ADMIN, "Phòng Nội vụ")
        await head.send("/diem")
        mine = await head.wait_for_text("Điểm thi đua của Thôn 3")
        assert "Tổng điểm: 290/300 điểm" in mine.text
        assert "Xếp thứ 02/03 (đồng hạng) trong xã Ba Bích" in mine.text
        assert "Cần thêm 10 điểm để lên hạng 01." in mine.text
        assert (
            "Tiêu chí I.1: −10 điểm, 05 vụ: Để xảy ra cháy rừng hoặc phá rừng – Kiểm lâm địa bàn" in mine.text
        )
        more = await head.wait_for_text("Anh/chị muốn làm gì tiếp?")
        await head.press(more, "📊 Biểu đồ")
        picture = await head.wait_for(lambda m: m.photo is not None)
        image = Image.open(BytesIO(picture.photo))
        assert image.format == "PNG" and image.width == 1080
        await head.press(more, "🏆 Bảng xếp hạng")
        table = await head.wait_for_text("01/03. Trường TH&THCS Ba Bích – 300")
        assert (
            "02/03 (đồng hạng). Thôn 3 – 290" in table.text
            and "02/03 (đồng hạng). Thôn 13 – 290" in table.text
        )

        more = await ranking_actions(admin)
        await admin.press(more, "📌 Chốt kỳ")
        confirm = await admin.wait_for_text("Chốt thứ hạng hiện tại")
        await admin.press(confirm, "📌 Đồng ý chốt kỳ")
        await admin.wait_for_text("Đã chốt kỳ: lưu thứ hạng của 3 đơn vị.")
        await admin.press(more, "📥 Bảng điểm (Excel)")
        sheet = await admin.wait_for(lambda m: m.document is not None)
    workbook = load_workbook(BytesIO(sheet.document))
    cells = {
        (row[1].value, header): value
        for row in workbook.active.iter_rows(min_row=5)
        for header, value in zip(
            [c.value for c in next(workbook.active.iter_rows(min_row=4, max_row=4))],
            [c.value for c in row],
            strict=False,
        )
    }
    assert cells[("Tổng điểm", "Thôn 3")] == 290 and cells[("Xếp hạng", "Trường TH&THCS Ba Bích")] == "01/03"
    assert cells[("Quản lý, bảo vệ rừng", "Thôn 3")] == 90

    today = date.today()
    async with database.unit_of_work() as uow:  # Thôn 3 loses 5 more points after the period closed
        me = await actor(uow, heads[HEAD])
        editing = await open_self_score(uow, me, campaign_id, 1, today)
        await change_entry(uow, me, editing.entry.id, "d0", Decimal(5), today)
        await save_entry(uow, me, editing.entry.id, None, today)
    async with running_bot(database) as bot:
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        await head.send("/diem")
        mine = await head.wait_for_text("Điểm thi đua của Thôn 3")
        assert "Xếp thứ 03/03 trong xã Ba Bích (kỳ trước 02/03, giảm 1 bậc)" in mine.text


async def test_an_award_is_recorded_and_progress_shown_against_the_target(database):
    await launched(database)
    async with running_bot(database) as bot:
        admin = bot.api.user(ADMIN, "Phòng Nội vụ")
        more = await ranking_actions(admin)
        await admin.press(more, "🏅 Khen thưởng")
        record = await admin.wait_for_text("Ghi nhận khen thưởng:")
        assert "Đơn vị kiểu mẫu: 0/3 đơn vị, đạt 0 %, chỉ tiêu 50 %" in "\n".join(
            m.text for m in admin.messages
        )
        await admin.press(record, "➕ Ghi nhận khen thưởng")
        pick = await admin.wait_for_text("Đơn vị nào đạt danh hiệu đã đăng ký?")
        await admin.press(pick, "Thôn 3, xã Ba Bích – Đơn vị kiểu mẫu")
        forms = await admin.wait_for_text("Hình thức khen thưởng?")
        await admin.press(forms, "Giấy khen")
        await admin.wait_for_text("Nhập số quyết định và ngày ban hành")
        await admin.send("quyết định hôm qua")
        await admin.wait_for_text("Vui lòng nhập số quyết định và ngày ban hành")
        await admin.send("125/QĐ-UBND ngày 20/12/2025")
        await admin.wait_for_text(
            "Đã ghi nhận: Thôn 3, xã Ba Bích, Giấy khen, Quyết định số 125/QĐ-UBND ngày 20/12/2025."
        )
        await admin.press(more, "🏅 Khen thưởng")
        await admin.wait_for_text("Đơn vị kiểu mẫu: 1/3 đơn vị, đạt 33 %, chỉ tiêu 50 %")
