"""Campaign services: drafts, launch, registration rules, deadlines and extensions, reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.services.campaign_file import parse_campaign_yaml
from bot.services.campaign_reports import acknowledge, acknowledgements, registration_stats
from bot.services.campaigns import Recipient, close_campaign, launch_campaign, save_campaign
from bot.services.deadlines import deadlines_for, effective_due, extend_deadline
from bot.services.errors import (
    AlreadyRegistered,
    AnnouncementNotFound,
    CampaignNotDraft,
    ExtensionTooEarly,
    NotAuthorized,
    NotLinked,
    NotUnitHead,
    RegistrationClosed,
    TitleNotAvailable,
    UnitNotEligible,
    UnknownUnitCode,
)
from bot.services.registrations import campaign_for_unit, open_campaigns, register, withdraw
from storage.models import DeadlineExtension, GroupChat, Membership, RegistrationStatus, Role
from storage.outbox import Outgoing
from tests.factories import actor, add_person, campaign_yaml, save_campaign_from_yaml, seed_units

TODAY = date(2026, 3, 1)


def announce(campaign, recipient: Recipient, announcement_id: int) -> Outgoing:
    return Outgoing(f"launch:{campaign.id}:{recipient.chat_id}", recipient.chat_id, f"ann {announcement_id}")


def notice(campaign, deadline, due, recipient: Recipient, extension_id: int) -> Outgoing:
    return Outgoing(f"extend:{extension_id}:{recipient.chat_id}", recipient.chat_id, f"{deadline.kind} {due}")


async def setup(database, registration_due: date = TODAY + timedelta(days=10)):
    """Units, an admin of the district, three heads, a linked group, and a launched campaign."""
    units = await seed_units(database)
    ids = {
        "admin": await add_person(database, 1, role=Role.admin, unit_id=units["BATO"]),
        "t3": await add_person(database, 2, role=Role.unit_head, unit_id=units["BB-T3"]),
        "l1": await add_person(database, 3, role=Role.unit_head, unit_id=units["BL-L1"]),
        "th": await add_person(database, 4, role=Role.unit_head, unit_id=units["BB-TH"]),
        "commune_admin": await add_person(database, 5, role=Role.admin, unit_id=units["BALE"]),
    }
    async with database.unit_of_work() as uow:
        uow.session.add(GroupChat(telegram_chat_id=-100, title="Nhóm xã", unit_id=units["BABICH"]))
    campaign_id = await save_campaign_from_yaml(database, campaign_yaml(registration_due))
    async with database.unit_of_work() as uow:
        result = await launch_campaign(uow, await actor(uow, ids["admin"]), campaign_id, announce)
    assert (result.unit_heads, result.groups) == (3, 1)
    return units, ids, campaign_id


async def test_saving_checks_units_and_the_organizer_admin(database):
    units = await seed_units(database)
    outsider = await add_person(database, 9, role=Role.admin, unit_id=units["BALE"])
    definition = parse_campaign_yaml(campaign_yaml(TODAY))
    async with database.unit_of_work() as uow:
        with pytest.raises(NotAuthorized):
            await save_campaign(uow, await actor(uow, outsider), definition)
    broken = parse_campaign_yaml(campaign_yaml(TODAY).replace("organizer: BATO", "organizer: KHONGCO"))
    async with database.unit_of_work() as uow:
        with pytest.raises(UnknownUnitCode):
            await save_campaign(uow, None, broken)
    first = await save_campaign_from_yaml(database, campaign_yaml(TODAY))
    again = await save_campaign_from_yaml(
        database, campaign_yaml(TODAY).replace("Thôn kiểu mẫu", "Thôn văn hóa")
    )
    async with database.unit_of_work() as uow:
        titles = [t.name for t in await uow.campaigns.titles(first)]
    assert first == again and titles == ["Thôn văn hóa", "Cơ quan kiểu mẫu"]


async def test_launch_queues_one_announcement_per_chat_and_only_once(database):
    _units, ids, campaign_id = await setup(database)
    async with database.unit_of_work() as uow:
        keys = {a.outbox_key for a in await uow.announcements.of_campaign(campaign_id)}
        with pytest.raises(CampaignNotDraft):
            await launch_campaign(uow, await actor(uow, ids["admin"]), campaign_id, announce)
    assert keys == {f"launch:{campaign_id}:{chat}" for chat in (2, 3, 4, -100)}
    with pytest.raises(CampaignNotDraft):
        await save_campaign_from_yaml(database, campaign_yaml(TODAY + timedelta(days=10)))


async def test_registration_rules(database):
    units, ids, campaign_id = await setup(database)
    async with database.unit_of_work() as uow:
        titles = {t.code: t.id for t in await uow.campaigns.titles(campaign_id)}
        head = await actor(uow, ids["t3"])
        unit, campaigns = await open_campaigns(uow, head)
        assert unit.code == "BB-T3" and [c.id for c, r in campaigns] == [campaign_id]
        view = await campaign_for_unit(uow, head, campaign_id)
        assert [t.code for t in view.titles] == ["THON-KM"] and view.registration_due == TODAY + timedelta(
            days=10
        )
        with pytest.raises(TitleNotAvailable):
            await register(uow, head, campaign_id, titles["CQ-KM"], TODAY)
        registration = await register(uow, head, campaign_id, titles["THON-KM"], TODAY)
        with pytest.raises(AlreadyRegistered):
            await register(uow, head, campaign_id, titles["THON-KM"], TODAY)
        with pytest.raises(NotLinked):
            await register(uow, await actor(uow, ids["admin"]), campaign_id, titles["THON-KM"], TODAY)
        with pytest.raises(NotUnitHead):
            await withdraw(uow, await actor(uow, ids["l1"]), registration.id, TODAY)
        with pytest.raises(RegistrationClosed):
            await withdraw(uow, head, registration.id, TODAY + timedelta(days=11))
        assert (await withdraw(uow, head, registration.id, TODAY)).status == RegistrationStatus.withdrawn
        await close_campaign(uow, await actor(uow, ids["admin"]), campaign_id)
        with pytest.raises(UnitNotEligible):
            await campaign_for_unit(uow, head, campaign_id)


async def test_a_unit_outside_the_scope_or_kind_is_not_eligible(database):
    units, ids, campaign_id = await setup(database)
    outsider = await add_person(database, 6, role=Role.unit_head, unit_id=units["BB-T13"])
    async with database.unit_of_work() as uow:
        # Thôn 13 is in scope: eligible; a commune head is not of an eligible kind
        assert (await campaign_for_unit(uow, await actor(uow, outsider), campaign_id)).unit.code == "BB-T13"
        uow.memberships.add(
            Membership(person_id=ids["commune_admin"], unit_id=units["BALE"], role=Role.unit_head)
        )
    async with database.unit_of_work() as uow:
        with pytest.raises(UnitNotEligible):
            await campaign_for_unit(uow, await actor(uow, ids["commune_admin"]), campaign_id)


def test_the_newest_applicable_extension_wins():
    ext = [
        DeadlineExtension(unit_id=None, due=date(2026, 2, 1)),
        DeadlineExtension(unit_id=7, due=date(2026, 2, 9)),
    ]
    assert effective_due(date(2026, 1, 31), ext, 7) == date(2026, 2, 9)
    assert effective_due(date(2026, 1, 31), ext, 8) == date(2026, 2, 1)
    assert effective_due(date(2026, 1, 31), [], None) == date(2026, 1, 31)


async def test_extensions_notify_who_they_concern(database):
    units, ids, campaign_id = await setup(database, registration_due=TODAY - timedelta(days=1))
    async with database.unit_of_work() as uow:
        admin = await actor(uow, ids["admin"])
        deadline = next(d for d in await uow.campaigns.deadlines(campaign_id) if d.kind == "registration")
        with pytest.raises(ExtensionTooEarly):
            await extend_deadline(uow, admin, deadline.id, TODAY - timedelta(days=1), None, notice, TODAY)
        _ext, told = await extend_deadline(
            uow, admin, deadline.id, TODAY + timedelta(days=5), units["BL-L1"], notice, TODAY
        )
        assert told == 1
        views = {d.kind: d for d in await deadlines_for(uow, campaign_id, units["BL-L1"])}
        assert views["registration"].due == TODAY + timedelta(days=5) and views["registration"].extended
        titles = {t.code: t.id for t in await uow.campaigns.titles(campaign_id)}
        await register(uow, await actor(uow, ids["l1"]), campaign_id, titles["THON-KM"], TODAY)
        with pytest.raises(RegistrationClosed):
            await register(uow, await actor(uow, ids["t3"]), campaign_id, titles["THON-KM"], TODAY)
        _ext, told = await extend_deadline(
            uow, admin, deadline.id, TODAY + timedelta(days=7), None, notice, TODAY
        )
    assert told == 3  # the two heads not registered yet, and the group


async def test_reports_and_acknowledgements(database):
    units, ids, campaign_id = await setup(database)
    async with database.unit_of_work() as uow:
        admin = await actor(uow, ids["admin"])
        titles = {t.code: t.id for t in await uow.campaigns.titles(campaign_id)}
        await register(uow, await actor(uow, ids["t3"]), campaign_id, titles["THON-KM"], TODAY)
        stats = await registration_stats(uow, admin, campaign_id)
        announcements = {a.chat_id: a for a in await uow.announcements.of_campaign(campaign_id)}
        with pytest.raises(AnnouncementNotFound):
            await acknowledge(uow, await actor(uow, ids["l1"]), announcements[2].id, 2)
        assert (await acknowledge(uow, await actor(uow, ids["t3"]), announcements[2].id, 2))[1] is True
        assert (await acknowledge(uow, await actor(uow, ids["t3"]), announcements[2].id, 2))[1] is False
        assert (await acknowledge(uow, await actor(uow, ids["l1"]), announcements[-100].id, -100))[1] is True
        _campaign, report = await acknowledgements(uow, admin, campaign_id)
        with pytest.raises(NotAuthorized):
            await registration_stats(uow, await actor(uow, ids["t3"]), campaign_id)
    assert (stats.registered, stats.eligible) == (1, 4)
    assert [(t.name, t.registered, t.eligible) for t in stats.by_parent] == [
        ("Xã Ba Bích", 1, 3),
        ("Xã Ba Lễ", 0, 1),
    ]
    assert [(t.name, t.eligible) for t in stats.by_cluster] == [("Cụm Khu Trung", 4)]
    assert {u.code for u in stats.not_registered} == {"BB-T13", "BB-TH", "BL-L1"}
    assert (len(report.acknowledged), len(report.waiting), len(report.unreachable)) == (2, 2, 0)


def test_a_later_extension_for_one_unit_is_not_shortened_by_one_for_everyone():
    ext = [
        DeadlineExtension(unit_id=7, due=date(2026, 2, 20)),
        DeadlineExtension(unit_id=None, due=date(2026, 2, 10)),
    ]
    assert effective_due(date(2026, 1, 31), ext, 7) == date(2026, 2, 20)
    assert effective_due(date(2026, 1, 31), ext, 8) == date(2026, 2, 10)
