"""End to end: evidence photos, albums and PDFs kept as they arrive, reviewed by the responsible office."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage.models import EvidenceStatus, Membership, Role
from tests.factories import add_person, campaign_yaml, save_campaign_from_yaml, seed_units
from tests.harness import running_bot
from tests.pictures import photo, resent

ADMIN, HEAD, OTHER_HEAD, POLICE, FORESTER = 9100, 9101, 9102, 9103, 9104


async def registered(database, evidence_due: date | None = None):
    """A launched campaign with Thôn 3 and Thôn 13 registered; a police reviewer and a forest ranger."""
    from bot.services.campaigns import launch_campaign
    from bot.services.registrations import register
    from storage.outbox import Outgoing
    from tests.factories import actor

    units = await seed_units(database)
    ids = {
        "admin": await add_person(database, ADMIN, "Phòng Nội vụ", role=Role.admin, unit_id=units["BATO"]),
        "head": await add_person(
            database, HEAD, "Trưởng thôn 3", role=Role.unit_head, unit_id=units["BB-T3"]
        ),
        "other": await add_person(
            database, OTHER_HEAD, "Trưởng thôn 13", role=Role.unit_head, unit_id=units["BB-T13"]
        ),
    }
    for telegram_id, name, office in (
        (POLICE, "Công an xã", "Công an xã"),
        (FORESTER, "Kiểm lâm", "Kiểm lâm địa bàn"),
    ):
        person_id = await add_person(database, telegram_id, name)
        async with database.unit_of_work() as uow:
            uow.memberships.add(
                Membership(person_id=person_id, unit_id=units["BABICH"], role=Role.reviewer, office=office)
            )
    today = date.today()
    campaign_id = await save_campaign_from_yaml(
        database,
        campaign_yaml(today + timedelta(days=30), evidence_due=evidence_due or today + timedelta(days=60)),
    )
    async with database.unit_of_work() as uow:
        await launch_campaign(
            uow, None, campaign_id, lambda c, r, a: Outgoing(f"launch:{c.id}:{r.chat_id}", r.chat_id, "x")
        )
        title = next(t.id for t in await uow.campaigns.titles(campaign_id) if t.code == "THON-KM")
        for key in ("head", "other"):
            await register(uow, await actor(uow, ids[key]), campaign_id, title, today)
    return units, campaign_id


async def choose(person, code: str = "I.1"):
    await person.send("/minhchung")
    criteria = await person.wait_for_text("Chọn tiêu chí")
    await person.press(criteria, next(label for label in criteria.button_texts() if f" {code} " in label))
    return await person.wait_for_text(f"Tiêu chí {code}")


async def evidence_rows(database):
    async with database.unit_of_work() as uow:
        rows = await uow.evidence.submitted([1], 100)
        drafts = [
            await uow.evidence.draft_of(p.id)
            for p in (await uow.people.by_telegram_ids([HEAD, OTHER_HEAD])).values()
        ]
        return rows, [d for d in drafts if d]


async def test_single_photo_to_approval(database):
    await registered(database)
    async with running_bot(database) as bot:
        head, police = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(POLICE, "Công an xã")
        bot.api.user(ADMIN, "Phòng Nội vụ")
        await choose(head)
        await head.send_photo(photo(1), caption="Thu gom rác thải")
        kept = await head.wait_for_text("Đã lưu 1 tệp")
        await head.press(kept, "✅ Gửi thẩm định")
        await head.wait_for_text("Đã gửi thẩm định: phiên bản 1 của tiêu chí I.1")
        notice = await police.wait_for_text("Minh chứng mới cần thẩm định")
        assert "Thôn 3, xã Ba Bích" in notice.text
        await police.press(notice, "👁 Xem và thẩm định")
        shown = await police.wait_for(lambda m: m.photo is not None)
        assert shown.photo == photo(1)
        card = await police.wait_for_text("Tiêu chí I.1")
        assert "Ghi chú: Thu gom rác thải" in card.text and "⚠️" not in card.text
        await police.press(card, "✅ Duyệt")
        await police.wait_for_text("Đã xử lý")
        await head.wait_for_text("Minh chứng ✅ đã được duyệt")
        await head.send("/minhchung")
        criteria = await head.wait_for_text("Chọn tiêu chí")
        assert any(label.startswith("✅ I.1") for label in criteria.button_texts())
        assert any(label.startswith("➖ I.2") for label in criteria.button_texts())


async def test_an_album_becomes_one_submission_and_a_pdf_is_accepted(database):
    await registered(database)
    async with running_bot(database) as bot:
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        await choose(head)
        for seed in range(3):
            await head.send_photo(photo(10 + seed), media_group_id="album-1")
        await head.wait_for_text("Đã lưu 3 tệp")
        await head.send_document(b"%PDF-1.4 bien ban", file_name="../../bien_ban.pdf")
        kept = await head.wait_for_text("Đã lưu 4 tệp")
        await head.press(kept, "✅ Gửi thẩm định")
        await head.wait_for_text("Đã gửi thẩm định: phiên bản 1")
        replies = [
            p["text"] for name, p in bot.api.calls if name == "sendMessage" and p["text"].startswith("Đã lưu")
        ]
    assert [reply.split(".")[0] for reply in replies] == [
        "Đã lưu 3 tệp",
        "Đã lưu 4 tệp",
    ]  # one answer per album
    async with database.unit_of_work() as uow:
        evidence = (await uow.evidence.submitted([1], 10))[0]
        items = (await uow.evidence.items([evidence.id]))[evidence.id]
    assert [i.kind for i in items] == ["photo", "photo", "photo", "document"]
    assert all("/" in i.media_key and ".." not in i.media_key for i in items)


async def test_bad_files_get_clear_answers_and_nothing_is_lost_across_a_restart(database):
    await registered(database)
    async with running_bot(database) as bot:
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        await head.send_sticker()
        await head.wait_for_text("Bot không xử lý loại tin nhắn này")
        await head.send_document(
            b"PK...",
            file_name="ke_hoach.docx",
            mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        await head.wait_for_text("Minh chứng là ảnh hoặc tệp PDF")
        await head.send_document(b"\0" * (20 * 1024 * 1024 + 1), file_name="video.pdf")
        await head.wait_for_text("Tệp quá lớn; dung lượng tối đa là 20 MB.")
        await head.send_photo(photo(2))  # before choosing a criterion
        await head.wait_for_text("Đã lưu 1 tệp. Các tệp này minh chứng cho tiêu chí nào?")
    async with running_bot(database) as bot:  # the bot restarts; the photo is still there
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        chosen = await choose(head)
        assert "1 tệp anh/chị đã gửi trước đó được giữ cho tiêu chí này" in chosen.text
        await head.press(chosen, "✅ Gửi thẩm định")
        await head.wait_for_text("Đã gửi thẩm định: phiên bản 1")


async def test_reuse_is_flagged_and_rejection_leads_to_a_second_version(database):
    await registered(database)
    async with running_bot(database) as bot:
        head, other = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(OTHER_HEAD, "Trưởng thôn 13")
        police = bot.api.user(POLICE, "Công an xã")
        bot.api.user(ADMIN, "Phòng Nội vụ")
        await choose(head)
        await head.send_photo(photo(3))
        await head.press(await head.wait_for_text("Đã lưu 1 tệp"), "✅ Gửi thẩm định")
        await police.wait_for_text("Minh chứng mới cần thẩm định")

        await choose(other)
        await other.send_photo(photo(3))  # the very same file
        await other.send_photo(resent(3))  # the same scene, resized and recompressed
        await other.send_photo(photo(4))
        await other.press(await other.wait_for_text("Đã lưu 3 tệp"), "✅ Gửi thẩm định")
        notice = await police.wait_for(lambda m: "Thôn 13" in m.text and "Minh chứng mới" in m.text)
        await police.press(notice, "👁 Xem và thẩm định")
        card = await police.wait_for_text("Tiêu chí I.1")
        assert "⚠️ Có tệp trùng hoàn toàn với minh chứng của Thôn 3, xã Ba Bích gửi ngày" in card.text
        assert "⚠️ Có ảnh trùng với minh chứng của Thôn 3, xã Ba Bích" in card.text

        await police.press(card, "❌ Từ chối")
        await police.press(await police.wait_for_text("Lý do?"), "✏️ Nhập lý do khác")
        await police.send("Ảnh đã dùng cho thôn khác")
        await other.wait_for_text("Lý do: Ảnh đã dùng cho thôn khác")
        await choose(other)
        await other.send_photo(photo(5))
        await other.press(await other.wait_for_text("Đã lưu 1 tệp"), "✅ Gửi thẩm định")
        await other.wait_for_text("Đã gửi thẩm định: phiên bản 2 của tiêu chí I.1")
        notice = await police.wait_for(lambda m: "phiên bản 2" in m.text)
        await police.press(notice, "👁 Xem và thẩm định")
        card = await police.wait_for_text("phiên bản 2")
        await police.press(card, "📝 Yêu cầu bổ sung")
        await police.press(
            await police.wait_for_text("Lý do?"), "Đề nghị bổ sung ảnh công trình đã hoàn thành"
        )
        await other.wait_for_text("📝 cần bổ sung")
    async with database.unit_of_work() as uow:
        versions = await uow.evidence.versions(1, (await uow.units.by_code("BB-T13")).id, "I.1")
    assert [(v.version, v.status) for v in versions] == [
        (1, EvidenceStatus.rejected),
        (2, EvidenceStatus.more_requested),
    ]


async def test_other_offices_and_forged_decisions_are_refused(database):
    await registered(database)
    async with running_bot(database) as bot:
        head, forester = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(FORESTER, "Kiểm lâm")
        await choose(head)
        await head.send_photo(photo(6))
        await head.press(await head.wait_for_text("Đã lưu 1 tệp"), "✅ Gửi thẩm định")
        menu = await head.wait_for_text("Đã gửi thẩm định")
        async with database.unit_of_work() as uow:
            evidence_id = (await uow.evidence.submitted([1], 1))[0].id
        await forester.send("/duyetminhchung")
        await forester.wait_for_text("Không có minh chứng nào đang chờ anh/chị thẩm định")
        for person, data in (
            (forester, f"ev:show:{evidence_id}"),
            (head, f"ev:ok:{evidence_id}"),
            (forester, f"evr:no:{evidence_id}:0"),
        ):
            query = await person.press_data(menu, data)
            assert (await bot.api.wait_callback_answer(query))[
                "text"
            ] == "Anh/chị không có quyền thực hiện thao tác này."
    async with database.unit_of_work() as uow:
        assert (await uow.evidence.get(evidence_id)).status == EvidenceStatus.submitted


async def test_evidence_after_the_deadline_is_refused(database):
    await registered(database, evidence_due=date.today() - timedelta(days=1))
    async with running_bot(database) as bot:
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        await head.send("/minhchung")
        criteria = await head.wait_for_text("Chọn tiêu chí")
        query = await head.press(
            criteria, next(label for label in criteria.button_texts() if " I.1 " in label)
        )
        answer = await bot.api.wait_callback_answer(query)
        assert answer["text"].startswith("Thời hạn nộp minh chứng đã kết thúc ngày")


async def test_the_admin_sees_the_evidence_matrix(database):
    await registered(database)
    async with running_bot(database) as bot:
        head, admin = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(ADMIN, "Phòng Nội vụ")
        await choose(head)
        await head.send_photo(photo(7))
        await head.press(await head.wait_for_text("Đã lưu 1 tệp"), "✅ Gửi thẩm định")
        await head.wait_for_text("Đã gửi thẩm định")
        await admin.send("/phongtrao")
        listing = await admin.wait_for_text("Các phong trào thi đua anh/chị quản lý")
        await admin.press(listing, listing.button_texts()[0])
        await admin.press(await admin.wait_for_text("đang triển khai"), "🗂 Minh chứng")
        matrix = await admin.wait_for_text("🗂")
    assert "Thôn 3, xã Ba Bích: ⏳I.1 ➖I.2" in matrix.text
    assert "Thôn 13, xã Ba Bích: ➖I.1 ➖I.2" in matrix.text


async def test_an_unsent_draft_is_reminded_once_and_kept(database):
    from datetime import UTC, datetime

    from bot.i18n import Translator
    from bot.services.evidence import remind_unsent_drafts
    from handlers.evidence_texts import draft_reminder

    await registered(database)
    async with running_bot(database) as bot:
        head = bot.api.user(HEAD, "Trưởng thôn 3")
        await head.send_photo(photo(8))
        await head.wait_for_text("Đã lưu 1 tệp")
    later = datetime.now(UTC) + timedelta(days=2)
    for _ in range(2):  # a second sweep (or a restart) queues nothing more
        async with database.unit_of_work() as uow:
            queued = await remind_unsent_drafts(
                uow, lambda d, n, p: draft_reminder(Translator(p.locale), d, n, p), now=later
            )
        assert queued == (1 if _ == 0 else 0)
    async with database.unit_of_work() as uow:
        rows = await uow.outbox.statuses([f"draft-reminder:{(await uow.evidence.draft_of(2)).id}"])
        assert len(rows) == 1
        draft = await uow.evidence.draft_of(2)
        assert await uow.evidence.count_items(draft.id) == 1


async def test_a_picture_sent_as_a_file_is_shown_back_to_the_reviewer_as_a_file(database):
    await registered(database)
    async with running_bot(database) as bot:
        head, police = bot.api.user(HEAD, "Trưởng thôn 3"), bot.api.user(POLICE, "Công an xã")
        await choose(head)
        await head.send_document(photo(9), file_name="anh_goc.jpg", mime_type="image/jpeg")
        await head.send_document(b"%PDF-1.4 quyet dinh", file_name="quyet_dinh.pdf")
        await head.press(await head.wait_for_text("Đã lưu 2 tệp"), "✅ Gửi thẩm định")
        await police.press(await police.wait_for_text("Minh chứng mới cần thẩm định"), "👁 Xem và thẩm định")
        await police.wait_for_text("Tiêu chí I.1")
        files = [m.document for m in police.messages if m.document]
        assert files == [photo(9), b"%PDF-1.4 quyet dinh"]  # both sent back as files, in one media group


async def test_two_sent_versions_cannot_share_a_number(database):
    from sqlalchemy.exc import IntegrityError

    from storage.models import Evidence

    units, campaign_id = await registered(database)
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            for _ in range(2):
                uow.evidence.add(
                    Evidence(
                        campaign_id=campaign_id,
                        unit_id=units["BB-T3"],
                        criterion_code="I.1",
                        version=1,
                        status=EvidenceStatus.submitted,
                    )
                )
