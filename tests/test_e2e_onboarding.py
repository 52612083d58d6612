"""End to end over loopback HTTP: the real Application against the fake Bot API, as people would use it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.invites import create_invite, revoke_invite
from storage.models import JoinStatus, Role, utcnow
from tests.factories import add_person, seed_units
from tests.harness import OPERATOR_ID, OPS_CHAT_ID, running_bot


async def new_invite(database, unit_id: int, days: int = 30) -> str:
    async with database.unit_of_work() as uow:
        return (await create_invite(uow, None, unit_id, Role.unit_head, days)).token


async def memberships_of(database, telegram_id: int):
    async with database.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
        return (
            []
            if person is None
            else [(m.unit.code, m.role) for m in await uow.memberships.of_person(person.id)]
        )


async def test_invite_onboarding_links_the_village_head_and_keeps_the_phone(database):
    units = await seed_units(database)
    token = await new_invite(database, units["BB-T3"])
    async with running_bot(database) as bot:
        head = bot.api.user(1001, "Nguyễn Văn An")
        await head.send(f"/start {token}")
        question = await head.wait_for_text("Anh/chị có phải là trưởng thôn")
        assert "Thôn 3, xã Ba Bích" in question.text
        await head.press(question, "✅ Đúng, tôi đây")
        await head.wait_for_text("Hoàn tất: anh/chị đã được liên kết với tư cách trưởng thôn")
        phone_question = await head.wait_for_text("chia sẻ số điện thoại")
        assert phone_question.reply_markup["keyboard"][0][0]["request_contact"] is True
        await head.send_contact("84912345678")
        await head.wait_for_text("số điện thoại đã được lưu")
        menu = await head.wait_for_text("Trình đơn chính")
        assert "🏠 Đơn vị của tôi" in menu.button_texts()
        assert "📝 Yêu cầu chờ duyệt" not in menu.button_texts()
    assert await memberships_of(database, 1001) == [("BB-T3", Role.unit_head)]
    async with database.unit_of_work() as uow:
        assert (await uow.people.by_telegram_id(1001)).phone == "+84912345678"


async def test_someone_elses_contact_is_refused(database):
    units = await seed_units(database)
    await add_person(database, 1002, role=Role.unit_head, unit_id=units["BB-T3"])
    async with running_bot(database) as bot:
        head = bot.api.user(1002, "Trưởng thôn")
        await head.send_contact("0900000000", user_id=4242)
        await head.wait_for_text("số điện thoại của chính anh/chị")
    async with database.unit_of_work() as uow:
        assert (await uow.people.by_telegram_id(1002)).phone is None


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("invalid", "Đường link mời không hợp lệ"),
        ("expired", "đã hết hạn từ ngày"),
        ("used", "đã được sử dụng"),
        ("revoked", "đã bị thu hồi"),
    ],
)
async def test_every_bad_token_gets_its_own_message(database, case, expected):
    units = await seed_units(database)
    token = await new_invite(database, units["BB-T3"], days=-1 if case == "expired" else 30)
    if case == "invalid":
        token = "khong-ton-tai"
    elif case == "revoked":
        async with database.unit_of_work() as uow:
            await revoke_invite(uow, token)
    async with running_bot(database) as bot:
        if case == "used":
            first = bot.api.user(1100, "Người thứ nhất")
            await first.send(f"/start {token}")
            await first.press(await first.wait_for_text("có phải là"), "✅ Đúng, tôi đây")
            await first.wait_for_text("Hoàn tất")
        person = bot.api.user(1101, "Người thứ hai")
        await person.send(f"/start {token}")
        message = await person.wait_for_text(expected)
        if case == "expired":
            assert (utcnow() - timedelta(days=1)).astimezone(bot.settings.timezone).strftime(
                "%d/%m/%Y"
            ) in message.text
    assert await memberships_of(database, 1101) == []


async def test_a_linked_person_is_told_where_they_are_linked(database):
    units = await seed_units(database)
    await add_person(database, 1200, role=Role.unit_head, unit_id=units["BL-L1"])
    token = await new_invite(database, units["BB-T3"])
    async with running_bot(database) as bot:
        person = bot.api.user(1200, "Trưởng làng")
        await person.send(f"/start {token}")
        await person.wait_for_text("Anh/chị đã được liên kết với Làng Mâm, xã Ba Lễ")
    assert await memberships_of(database, 1200) == [("BL-L1", Role.unit_head)]


async def test_search_and_request_approved_by_the_commune_admin(database):
    units = await seed_units(database)
    await add_person(database, 2000, "Chủ tịch xã", role=Role.admin, unit_id=units["BABICH"])
    async with running_bot(database) as bot:
        admin = bot.api.user(2000, "Chủ tịch xã")
        head = bot.api.user(2001, "Phạm Thị Bình")
        await head.send("/start")
        await head.wait_for_text("Chào mừng")
        await head.send("thon 3 ba bich")
        results = await head.wait_for_text("Đơn vị của anh/chị là đơn vị nào?")
        await head.press(results, "Thôn 3, xã Ba Bích")
        confirm = await head.wait_for_text("Gửi yêu cầu liên kết với tư cách trưởng thôn")
        await head.press(confirm, "📨 Gửi yêu cầu")
        await head.wait_for_text("Đã gửi yêu cầu tham gia")
        card = await admin.wait_for_text("Yêu cầu tham gia")
        assert "Phạm Thị Bình" in card.text
        operator = bot.api.user(OPERATOR_ID, "Quản trị hệ thống")
        operator_card = await operator.wait_for_text("Yêu cầu tham gia")
        await admin.press(card, "✅ Duyệt")
        await admin.wait_for_text("✅ Đã duyệt: Phạm Thị Bình")
        await head.wait_for_text("Yêu cầu của anh/chị đã được duyệt")
        stale_press = await operator.press(operator_card, "❌ Từ chối")
        answer = await bot.api.wait_callback_answer(stale_press)
        assert answer["text"] == "Yêu cầu này đã được người khác xử lý."
    assert await memberships_of(database, 2001) == [("BB-T3", Role.unit_head)]


async def test_a_forged_approve_from_a_non_admin_changes_nothing(database):
    units = await seed_units(database)
    await add_person(database, 3000, role=Role.admin, unit_id=units["BABICH"])
    await add_person(database, 3001, role=Role.unit_head, unit_id=units["BL-L1"])
    async with running_bot(database) as bot:
        admin = bot.api.user(3000, "Cán bộ xã")
        asker = bot.api.user(3002, "Người xin tham gia")
        forger = bot.api.user(3001, "Người giả mạo")
        await asker.send("thon 3")
        await asker.press(await asker.wait_for_text("đơn vị nào"), "Thôn 3, xã Ba Bích")
        await asker.press(await asker.wait_for_text("Gửi yêu cầu"), "📨 Gửi yêu cầu")
        card = await admin.wait_for_text("Yêu cầu tham gia")
        request_id = card.buttons()[0][0][1].split(":")[2]
        await forger.send("/menu")
        menu = await forger.wait_for_text("Trình đơn chính")
        query_id = await forger.press_data(menu, f"jr:ok:{request_id}")
        answer = await bot.api.wait_callback_answer(query_id)
        assert answer["text"] == "Anh/chị không có quyền thực hiện thao tác này."
        assert answer.get("show_alert") in (True, "true", "True")
        for forged in ("jr:ok:not-a-number", "lang:fr", "adm:rmok:", "xyz"):
            query_id = await forger.press_data(menu, forged)
            assert "không còn hiệu lực" in (await bot.api.wait_callback_answer(query_id))["text"]
    async with database.unit_of_work() as uow:
        request = await uow.join_requests.get(int(request_id))
        assert request.status == JoinStatus.pending
    assert await memberships_of(database, 3002) == []


async def test_language_switch_to_english(database):
    async with running_bot(database) as bot:
        person = bot.api.user(4000, "Người dùng")
        await person.send("/ngonngu")
        await person.press(await person.wait_for_text("Chọn ngôn ngữ"), "🇬🇧 English")
        switched = await person.wait_for_text("Language set to English.")
        assert "You are not linked to any unit yet" in switched.text
        assert "🌐 Language" in switched.button_texts()
        await person.send("/trogiup")
        await person.wait_for_text("helps units take part in emulation campaigns")
    async with database.unit_of_work() as uow:
        assert (await uow.people.by_telegram_id(4000)).locale == "en"


async def test_an_exception_in_a_handler_apologises_and_reports_to_ops(database, monkeypatch):
    import handlers.menu

    async def broken(*_args, **_kwargs):
        raise RuntimeError("hỏng cơ sở dữ liệu giả lập")

    monkeypatch.setattr(handlers.menu, "profile", broken)
    async with running_bot(database) as bot:
        person = bot.api.user(5000, "Người dùng")
        await person.send("/donvi")
        await person.wait_for_text("Xin lỗi, hệ thống đang gặp sự cố")
        report = await bot.api.group(OPS_CHAT_ID, "Nhóm vận hành").wait_for_text("RuntimeError")
        assert "hỏng cơ sở dữ liệu giả lập" in report.text and "5000" in report.text


async def test_unsupported_messages_get_a_hint(database):
    units = await seed_units(database)
    await add_person(database, 6000, role=Role.unit_head, unit_id=units["BB-T3"])
    async with running_bot(database) as bot:
        person = bot.api.user(6000, "Trưởng thôn")
        await person.send_sticker()
        await person.wait_for_text("Bot không xử lý loại tin nhắn này")
        await person.send_voice()
        await person.wait_for_text("Bot không xử lý loại tin nhắn này")
        await person.send("xin chào")
        await person.wait_for_text("Bot chưa hiểu tin nhắn này")


async def test_start_up_registers_vietnamese_commands_for_users_and_admins(database):
    async with running_bot(database) as bot:
        person = bot.api.user(9000, "Người dùng")
        await person.send("/start")
        await person.wait_for_text("Chào mừng")
        calls = [name for name, _params in bot.api.calls]
        assert calls[:2] == ["getMe", "setMyCommands"]
        assert "getUpdates" in calls
        commands = bot.api.commands
    user_lists = [
        cmds for (scope, language), cmds in commands.items() if '"default"' in scope and not language
    ]
    assert user_lists and {"command": "donvi", "description": "Đơn vị của tôi"} in user_lists[0]
    english = [cmds for (scope, language), cmds in commands.items() if language == "en"]
    assert english and {"command": "donvi", "description": "The unit you are linked to"} in english[0]
    admin_lists = [cmds for (scope, _language), cmds in commands.items() if str(OPERATOR_ID) in scope]
    assert admin_lists and "moi" in {c["command"] for c in admin_lists[0]}
    assert all(c["command"].isascii() for lists in commands.values() for c in lists)


async def test_admin_creates_an_invite_with_qr_code_that_works(database):
    units = await seed_units(database)
    await add_person(database, 7000, role=Role.admin, unit_id=units["BABICH"])
    async with running_bot(database) as bot:
        admin = bot.api.user(7000, "Cán bộ xã")
        await admin.send("/moi thon 3")
        picker = await admin.wait_for_text("Chọn đơn vị")
        assert picker.button_texts()[0] == "Thôn 3, xã Ba Bích"
        await admin.press(picker, "Thôn 3, xã Ba Bích")
        photo = await admin.wait_for(lambda m: m.photo is not None)
        assert photo.photo.startswith(b"\x89PNG")
        link = next(
            word for word in photo.text.split() if word.startswith("https://t.me/thidua_test_bot?start=")
        )
        head = bot.api.user(7001, "Trưởng thôn mới")
        await head.send("/start " + link.split("=", 1)[1])
        await head.press(await head.wait_for_text("có phải là trưởng thôn"), "✅ Đúng, tôi đây")
        await head.wait_for_text("Hoàn tất")
        await admin.send("/moi lang mam")
        await admin.wait_for_text("Không có đơn vị nào thuộc phạm vi quản lý")
        await admin.send("/thanhvien thon 3")
        await admin.press(await admin.wait_for_text("Chọn đơn vị"), "Thôn 3, xã Ba Bích")
        members = await admin.wait_for_text("Những người liên kết với")
        assert "Trưởng thôn mới" in members.text
        await admin.press(members, "Gỡ người thứ 1")
        await admin.press(await admin.wait_for_text("Gỡ Trưởng thôn mới"), "Đồng ý gỡ")
        await admin.wait_for_text("Đã gỡ Trưởng thôn mới")
    assert await memberships_of(database, 7001) == []


async def test_admin_commands_are_refused_to_unit_heads(database):
    units = await seed_units(database)
    await add_person(database, 7100, role=Role.unit_head, unit_id=units["BB-T3"])
    async with running_bot(database) as bot:
        head = bot.api.user(7100, "Trưởng thôn")
        await head.send("/moi thon 3")
        await head.wait_for_text("Anh/chị không có quyền thực hiện thao tác này.")
        await head.send("/choduyet")
        await head.wait_for_text("Anh/chị không có quyền thực hiện thao tác này.")


async def test_webhook_mode_onboards_by_invite(database):
    units = await seed_units(database)
    token = await new_invite(database, units["BL-L1"])
    async with running_bot(database, webhook=True) as bot:
        head = bot.api.user(8000, "Trưởng làng")
        await head.send(f"/start {token}")
        await head.press(await head.wait_for_text("có phải là trưởng làng Làng Mâm"), "✅ Đúng, tôi đây")
        await head.wait_for_text("Hoàn tất")
        assert any(
            name == "setWebhook" and params.get("secret_token") == "webhook-secret"
            for name, params in bot.api.calls
        )
    assert await memberships_of(database, 8000) == [("BL-L1", Role.unit_head)]


async def test_unit_names_with_html_characters_are_shown_safely(database):
    units = await seed_units(database)
    await add_person(database, 8100, role=Role.unit_head, unit_id=units["BB-TH"])
    token = await new_invite(database, units["BB-T3"])
    async with running_bot(database) as bot:
        head = bot.api.user(8100, "Hiệu trưởng")
        await head.send(f"/start {token}")
        await head.wait_for_text("Anh/chị đã được liên kết với Trường TH&THCS Ba Bích, xã Ba Bích.")
        await head.send("/donvi")
        await head.wait_for_text("thủ trưởng Trường TH&THCS Ba Bích")


async def test_an_unknown_command_points_to_help(database):
    async with running_bot(database) as bot:
        person = bot.api.user(8200, "Người dùng")
        await person.send("/khongco")
        await person.wait_for_text("Bot không có lệnh này")
