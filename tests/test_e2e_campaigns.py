"""End to end: an admin launches a campaign to groups and unit heads; heads acknowledge and register."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from storage.models import OutboxStatus, RegistrationStatus, Role, utcnow
from tests.factories import add_person, campaign_yaml, save_campaign_from_yaml, seed_units
from tests.harness import running_bot

ADMIN, HEAD_T3, HEAD_L1, HEAD_TH = 7100, 7101, 7102, 7103


async def people(database):
    """The example district with a district admin and three unit heads."""
    units = await seed_units(database)
    await add_person(database, ADMIN, "Phòng Nội vụ", role=Role.admin, unit_id=units["BATO"])
    await add_person(database, HEAD_T3, "Trưởng thôn 3", role=Role.unit_head, unit_id=units["BB-T3"])
    await add_person(database, HEAD_L1, "Trưởng làng Mâm", role=Role.unit_head, unit_id=units["BL-L1"])
    await add_person(database, HEAD_TH, "Hiệu trưởng", role=Role.unit_head, unit_id=units["BB-TH"])
    return units


async def registration_status(database, unit_id):
    async with database.unit_of_work() as uow:
        campaigns = await uow.campaigns.newest(1)
        live = await uow.registrations.live(campaigns[0].id, unit_id)
        return live.status if live else None


async def test_launch_to_groups_and_heads_with_acknowledgement(database):
    await people(database)
    yaml_text = campaign_yaml(registration_due=date.today() + timedelta(days=30))
    async with running_bot(database) as bot:
        admin = bot.api.user(ADMIN, "Phòng Nội vụ")
        heads = {
            tid: bot.api.user(tid, name)
            for tid, name in (
                (HEAD_T3, "Trưởng thôn 3"),
                (HEAD_L1, "Trưởng làng Mâm"),
                (HEAD_TH, "Hiệu trưởng"),
            )
        }
        group = bot.api.group(-100777, "Nhóm cán bộ xã Ba Bích")
        await bot.api.add_bot_to_group(group, by=admin)
        await group.wait_for_text("/lienket")
        await group.send(admin, "/lienket ba bich")
        await admin.press(await group.wait_for_text("Liên kết nhóm này với"), "Xã Ba Bích, huyện Ba Tơ")
        await group.wait_for_text("Nhóm đã được liên kết với Xã Ba Bích")
        bot.api.block(HEAD_TH)

        await admin.send_document(
            yaml_text.encode(), file_name="phong_trao.yaml", mime_type="application/x-yaml"
        )
        draft = await admin.wait_for_text("Đã lưu dưới dạng bản nháp")
        assert "Thi đua xây dựng thôn kiểu mẫu" in draft.text and "Thời hạn" in draft.text
        await admin.press(draft, "🚀 Phát động")
        await admin.press(await admin.wait_for_text("Phát động phong trào"), "🚀 Đồng ý phát động")
        await admin.wait_for_text("thông báo đang được gửi tới 3 người đứng đầu đơn vị và 1 nhóm chat")

        in_group = await group.wait_for_text("Phát động phong trào thi đua")
        assert in_group.buttons()[0][0][1].startswith("https://t.me/thidua_test_bot?start=camp_")
        announcement = await heads[HEAD_T3].wait_for_text("Phát động phong trào thi đua")
        assert "Hạn đăng ký" in announcement.text or "Đăng ký thi đua" in announcement.text
        query = await heads[HEAD_T3].press(announcement, "✅ Đã nhận")
        assert (await bot.api.wait_callback_answer(query))["text"] == "Cảm ơn, đã ghi nhận."
        query = await heads[HEAD_L1].press_data(
            announcement, announcement.buttons()[1][0][1]
        )  # not their own
        assert (await bot.api.wait_callback_answer(query))["text"] == "Thông báo này không gửi cho anh/chị."

        await wait_until_drained(database)
        await admin.send("/phongtrao")
        listing = await admin.wait_for_text("Các phong trào thi đua anh/chị quản lý")
        await admin.press(listing, button_with(listing, "Thi đua xây dựng thôn kiểu mẫu"))
        view = await admin.wait_for_text("đang triển khai")
        await admin.press(view, "📬 Xác nhận đã nhận")
        acks = await admin.wait_for_text("✅ Đã nhận: 1")
        assert "Thôn 3, xã Ba Bích" in acks.text
        assert (
            "⏳ Chưa xác nhận: 2" in acks.text
            and "🚫 Không gửi được (đã chặn bot hoặc bot bị xóa khỏi nhóm): 1" in acks.text
        )
        assert "Trường TH&amp;THCS" not in acks.text and "Trường TH&THCS Ba Bích" in acks.text


def button_with(message, words: str) -> str:
    """The label of the message's button that contains `words`."""
    return next(label for label in message.button_texts() if words in label)


async def wait_until_drained(database):
    """Wait (up to 5 s) until no message is left to send in the outbox."""
    for _ in range(100):
        async with database.unit_of_work() as uow:
            if not await uow.outbox.due(utcnow() + timedelta(days=1), 1):
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox was not drained")


async def launched(database, bot, registration_due: date) -> int:
    """A campaign launched by the admin through the chat; returns its id."""
    for telegram_id, name in (
        (HEAD_T3, "Trưởng thôn 3"),
        (HEAD_L1, "Trưởng làng Mâm"),
        (HEAD_TH, "Hiệu trưởng"),
    ):
        bot.api.user(telegram_id, name)  # they have opened the bot before
    campaign_id = await save_campaign_from_yaml(database, campaign_yaml(registration_due))
    admin = bot.api.user(ADMIN, "Phòng Nội vụ")
    await admin.send("/phongtrao")
    listing = await admin.wait_for_text("Các phong trào thi đua anh/chị quản lý")
    await admin.press(listing, button_with(listing, "Thi đua xây dựng"))
    await admin.press(await admin.wait_for_text("bản nháp"), "🚀 Phát động")
    await admin.press(await admin.wait_for_text("Phát động phong trào"), "🚀 Đồng ý phát động")
    await admin.wait_for_text("Đã phát động")
    return campaign_id


async def test_register_reject_with_reason_register_again_approve_and_withdraw(database):
    units = await people(database)
    async with running_bot(database) as bot:
        await launched(database, bot, date.today() + timedelta(days=10))
        admin, head = bot.api.user(ADMIN, "Phòng Nội vụ"), bot.api.user(HEAD_T3, "Trưởng thôn 3")
        announcement = await head.wait_for_text("Phát động phong trào thi đua")
        await head.press(announcement, "📝 Đăng ký")
        view = await head.wait_for_text("Thôn 3, xã Ba Bích: ➖ chưa đăng ký")
        assert view.button_texts() == ["📝 Đăng ký: Thôn kiểu mẫu"]  # the agency title is not offered
        await head.press(view, "📝 Đăng ký: Thôn kiểu mẫu")
        await head.wait_for_text("Đã đăng ký cho Thôn 3, xã Ba Bích danh hiệu “Thôn kiểu mẫu”")

        card = await admin.wait_for_text("Đăng ký mới")
        await admin.press(card, "❌ Từ chối")
        reasons = await admin.wait_for_text("Lý do từ chối đăng ký?")
        await admin.press(reasons, "Đơn vị chưa đáp ứng điều kiện của danh hiệu này")
        await admin.wait_for_text("❌ Đã từ chối: Thôn 3, xã Ba Bích")
        told = await head.wait_for_text("chưa được duyệt")
        assert "Lý do: Đơn vị chưa đáp ứng điều kiện của danh hiệu này" in told.text

        await head.send("/dangky")
        listing = await head.wait_for_text("Phong trào thi đua của Thôn 3")
        await head.press(listing, button_with(listing, "➖"))
        await head.press(await head.wait_for_text("chưa đăng ký"), "📝 Đăng ký: Thôn kiểu mẫu")
        await head.wait_for_text("Đã đăng ký cho Thôn 3")
        card = await admin.wait_for_text("Đăng ký mới")
        query = await head.press_data(card, card.buttons()[0][0][1])  # a forged Approve from the unit head
        assert (await bot.api.wait_callback_answer(query))[
            "text"
        ] == "Anh/chị không có quyền thực hiện thao tác này."
        assert await registration_status(database, units["BB-T3"]) == RegistrationStatus.pending
        approve = card.buttons()[0][0][1]
        await admin.press(card, "✅ Duyệt")
        await admin.wait_for_text("✅ Đã duyệt: Thôn 3, xã Ba Bích")
        await head.wait_for_text("đã được duyệt")
        assert await registration_status(database, units["BB-T3"]) == RegistrationStatus.approved
        query = await admin.press_data(card, approve)  # a second tap on a stale copy of the card
        assert (await bot.api.wait_callback_answer(query))["text"] == "Yêu cầu này đã được người khác xử lý."

        await head.send("/dangky")
        listing = await head.wait_for_text("Phong trào thi đua của Thôn 3")
        await head.press(listing, button_with(listing, "✅"))
        await head.press(await head.wait_for_text("đã được duyệt"), "↩️ Rút đăng ký")
        await head.press(await head.wait_for_text("Rút đăng ký của đơn vị?"), "Đồng ý rút")
        await head.wait_for_text("Đã rút đăng ký danh hiệu “Thôn kiểu mẫu” của Thôn 3")
    assert await registration_status(database, units["BB-T3"]) is None


async def test_typed_rejection_reason_and_bulk_approval(database):
    units = await people(database)
    async with running_bot(database) as bot:
        await launched(database, bot, date.today() + timedelta(days=10))
        admin = bot.api.user(ADMIN, "Phòng Nội vụ")
        for telegram_id, name, title in (
            (HEAD_T3, "Trưởng thôn 3", "Thôn kiểu mẫu"),
            (HEAD_L1, "Trưởng làng Mâm", "Thôn kiểu mẫu"),
            (HEAD_TH, "Hiệu trưởng", "Cơ quan kiểu mẫu"),
        ):
            head = bot.api.user(telegram_id, name)
            await head.press(await head.wait_for_text("Phát động phong trào"), "📝 Đăng ký")
            await head.press(await head.wait_for_text("chưa đăng ký"), f"📝 Đăng ký: {title}")
            await head.wait_for_text("Đã đăng ký")
        card = await admin.wait_for(
            lambda m: "Đăng ký mới" in m.text and "Hiệu trưởng" not in m.text and "Trường TH&THCS" in m.text
        )
        await admin.press(card, "❌ Từ chối")
        await admin.press(await admin.wait_for_text("Lý do từ chối đăng ký?"), "✏️ Nhập lý do khác")
        await admin.wait_for_text("Nhập lý do từ chối")
        await admin.send("Trường chưa có kế hoạch <xây dựng> cơ quan kiểu mẫu")
        await admin.wait_for_text("❌ Đã từ chối: Trường TH&THCS Ba Bích")
        told = await bot.api.user(HEAD_TH, "Hiệu trưởng").wait_for_text("chưa được duyệt")
        assert "Lý do: Trường chưa có kế hoạch <xây dựng> cơ quan kiểu mẫu" in told.text

        await admin.send("/phongtrao")
        listing = await admin.wait_for_text("Các phong trào thi đua anh/chị quản lý")
        await admin.press(listing, button_with(listing, "Thi đua"))
        await admin.press(await admin.wait_for_text("đang triển khai"), "📋 Chờ duyệt (2)")
        await admin.press(await admin.wait_for_text("Có 2 đăng ký đang chờ duyệt"), "✅ Duyệt tất cả 2")
        await admin.wait_for_text("Đã duyệt 2 đăng ký.")
        for telegram_id in (HEAD_T3, HEAD_L1):
            await bot.api.user(telegram_id, "").wait_for_text("đã được duyệt")
    assert await registration_status(database, units["BL-L1"]) == RegistrationStatus.approved


async def test_late_registration_is_refused_until_extended_for_the_unit(database):
    units = await people(database)
    async with running_bot(database) as bot:
        await launched(database, bot, date.today() - timedelta(days=1))
        admin, head = bot.api.user(ADMIN, "Phòng Nội vụ"), bot.api.user(HEAD_L1, "Trưởng làng Mâm")
        await head.press(await head.wait_for_text("Phát động phong trào"), "📝 Đăng ký")
        view = await head.wait_for_text("chưa đăng ký")
        query = await head.press(view, "📝 Đăng ký: Thôn kiểu mẫu")
        answer = await bot.api.wait_callback_answer(query)
        assert answer["text"].startswith("Thời hạn đăng ký đã kết thúc ngày")
        assert (date.today() - timedelta(days=1)).strftime("%d/%m/%Y") in answer["text"]

        await admin.send("/phongtrao")
        listing = await admin.wait_for_text("Các phong trào thi đua anh/chị quản lý")
        await admin.press(listing, button_with(listing, "Thi đua"))
        await admin.press(await admin.wait_for_text("đang triển khai"), "📊 Tình hình đăng ký")
        stats = await admin.wait_for_text("Đã đăng ký: 0/4 đơn vị")
        assert "Xã Ba Bích: 0/3" in stats.text and "Cụm Khu Trung: 0/4" in stats.text
        query = await admin.press(stats, "⏰ Gia hạn 7 ngày: Làng Mâm")
        assert (await bot.api.wait_callback_answer(query))["text"] == ""
        await admin.wait_for_text("đang thông báo tới 1 nơi nhận")
        notice = await head.wait_for_text("Gia hạn thời hạn")
        assert (date.today() + timedelta(days=7)).strftime("%d/%m/%Y") in notice.text
        await head.press(notice, "📣 Mở phong trào")
        await head.press(await head.wait_for_text("(đã gia hạn)"), "📝 Đăng ký: Thôn kiểu mẫu")
        await head.wait_for_text("Đã đăng ký cho Làng Mâm")
        other = bot.api.user(HEAD_T3, "Trưởng thôn 3")  # not extended for Thôn 3
        await other.press(await other.wait_for_text("Phát động phong trào"), "📝 Đăng ký")
        query = await other.press(await other.wait_for_text("chưa đăng ký"), "📝 Đăng ký: Thôn kiểu mẫu")
        assert (await bot.api.wait_callback_answer(query))["text"].startswith("Thời hạn đăng ký đã kết thúc")
    assert await registration_status(database, units["BL-L1"]) == RegistrationStatus.pending


async def test_a_migrated_group_still_gets_the_announcement_and_registration_opens_in_private(database):
    await people(database)
    async with running_bot(database) as bot:
        admin = bot.api.user(ADMIN, "Phòng Nội vụ")
        group = bot.api.group(-4455, "Nhóm xã Ba Lễ", type="group")
        await group.send(admin, "/lienket ba le")
        await admin.press(await group.wait_for_text("Liên kết nhóm này với"), "Xã Ba Lễ, huyện Ba Tơ")
        await group.wait_for_text("Nhóm đã được liên kết với Xã Ba Lễ")
        supergroup = await bot.api.migrate_group(group, -1004455)
        campaign_id = await launched(database, bot, date.today() + timedelta(days=5))
        announcement = await supergroup.wait_for_text("Phát động phong trào thi đua")
        link = announcement.buttons()[0][0][1]
        head = bot.api.user(HEAD_L1, "Trưởng làng Mâm")
        await head.send("/start " + link.split("start=", 1)[1])
        view = await head.wait_for_text("Làng Mâm, xã Ba Lễ: ➖ chưa đăng ký")
        assert f"reg:title:{campaign_id}:" in view.buttons()[0][0][1]
    async with database.unit_of_work() as uow:
        linked = await uow.group_chats.by_chat_id(-1004455)
        assert linked is not None and linked.unit.code == "BALE"
        assert (await uow.outbox.statuses([f"launch:{campaign_id}:-1004455"])) == {
            f"launch:{campaign_id}:-1004455": OutboxStatus.sent
        }


async def test_removed_from_a_group_and_non_admin_link_attempts(database):
    await people(database)
    async with running_bot(database) as bot:
        admin, head = bot.api.user(ADMIN, "Phòng Nội vụ"), bot.api.user(HEAD_T3, "Trưởng thôn 3")
        group = bot.api.group(-5566, "Nhóm thôn 3")
        await group.send(head, "/lienket thon 3")
        await group.wait_for_text("Anh/chị không có quyền thực hiện thao tác này.")
        await group.send(admin, "/lienket thon 3")
        picker = await group.wait_for_text("Liên kết nhóm này với")
        query = await head.press(picker, "Thôn 3, xã Ba Bích")
        assert (await bot.api.wait_callback_answer(query))[
            "text"
        ] == "Anh/chị không có quyền thực hiện thao tác này."
        await admin.press(picker, "Thôn 3, xã Ba Bích")
        await group.wait_for_text("Nhóm đã được liên kết với Thôn 3, xã Ba Bích")
        await bot.api.remove_bot_from_group(group, by=admin)
        for _ in range(50):
            async with database.unit_of_work() as uow:
                if not (await uow.group_chats.by_chat_id(-5566)).active:
                    break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the group was not marked inactive")
