"""Fictional demo data: a district with a cluster of communes, their villages and agencies, the shipped
campaign templates re-dated to today, an admin, a reviewer, unit heads and a commune group chat."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.i18n import N_, Translator
from bot.services.campaign_file import (
    CampaignDefinition,
    definition_from_dict,
    definition_to_dict,
    load_campaign_file,
)
from bot.services.campaigns import launch_campaign, save_campaign
from bot.services.groups import bot_joined, link_group
from bot.services.invites import create_invite
from bot.services.members import grant_role
from bot.services.people import TelegramIdentity, identify
from bot.services.unit_import import import_units, read_unit_file
from handlers.campaign_texts import announcement
from storage.db import Database
from storage.models import Role

UNITS_FILE = Path(__file__).with_name("demo_units.csv")
TEMPLATES = Path(__file__).resolve().parent.parent / "examples" / "campaigns"
# The templates name the real units of their seed plans; the demo puts its fictional ones in their place.
UNIT_CODES = {"BATO": "MH", "BABICH": "MH-AH", "BALE": "MH-TP", "TTBATO": "MH-TT"}
PLACE_NAMES = {"Ba Bích": "An Hòa", "Ba Lễ": "Tân Phú", "Ba Tơ": "Minh Họa", "Khu Trung": "số 1"}
LAUNCHED = ("kieu_mau", "vi_nguoi_ngheo")  # open for registration at once; the cluster one stays a draft
TEMPLATE_NAMES = ("kieu_mau", "vi_nguoi_ngheo", "cum_khu_trung")
FIRST_DEADLINE_DAYS = 2  # the first deadline is two days away, so "advance by 1 day" soon shows reminders
DEADLINE_SPACING_DAYS = 3
INVITE_DAYS = 30


@dataclass(frozen=True)
class DemoPerson:
    """Someone the page lets you be: their Telegram identity and the role the demo gives them."""

    telegram_id: int
    name: str
    about: str  # gettext message id, shown under the name; {unit} is the unit's name
    unit_code: str
    unit_name: str
    role: Role
    office: str | None = None
    linked: bool = True  # False: has an invite link to open instead


@dataclass(frozen=True)
class DemoGroup:
    """A group chat of the demo, linked to a unit, with the people who write in it."""

    chat_id: int
    title: str
    unit_code: str
    members: tuple[int, ...]


PEOPLE = (
    DemoPerson(
        7001, "Nguyễn Văn Bình", N_("Village head of {unit}"), "AH-T1",
        "Thôn 1, xã An Hòa", Role.unit_head, linked=False,
    ),
    DemoPerson(
        7002, "Lê Thị Mai", N_("Village head of {unit}"), "AH-T2", "Thôn 2, xã An Hòa", Role.unit_head
    ),
    DemoPerson(
        7003, "Đinh Văn Sơn", N_("Village head of {unit}"), "AH-T3", "Thôn Đồng Tâm, xã An Hòa",
        Role.unit_head,
    ),
    DemoPerson(
        7004, "Hoàng Thị Lan", N_("Head of {unit}"), "AH-TH", "Trường Tiểu học An Hòa", Role.unit_head
    ),
    DemoPerson(
        7010, "Trần Thị Hoa", N_("Commune admin, {unit}"), "MH-AH", "Xã An Hòa", Role.admin
    ),
    DemoPerson(
        7011, "Phạm Văn Đức", N_("Reviewer (Culture and Society office), {unit}"), "MH-AH", "Xã An Hòa",
        Role.reviewer, office="Công chức Văn hóa - Xã hội",
    ),
    DemoPerson(
        7020, "Võ Minh Tâm", N_("District admin (Home Affairs office), {unit}"), "MH", "Huyện Minh Họa",
        Role.admin,
    ),
)  # fmt: skip
GROUPS = (DemoGroup(-1007001, "Thi đua xã An Hòa", "MH-AH", (7010, 7002, 7003, 7001)),)
ADMIN_OF_GROUPS = 7010


async def seed_demo(
    database: Database, bot_username: str, translator_for: Callable[[str | None], Translator], now: datetime
) -> None:
    """Fill an empty, migrated database with the demo; the unlinked people get an invite each."""
    today = now.astimezone(translator_for(None).timezone).date()
    async with database.unit_of_work() as uow:
        await import_units(uow, read_unit_file(UNITS_FILE))
        actors = {
            person.telegram_id: await identify(
                uow, TelegramIdentity(person.telegram_id, person.name), frozenset()
            )
            for person in PEOPLE
        }
        for person in PEOPLE:
            if person.linked:
                await grant_role(uow, person.telegram_id, person.unit_code, person.role, person.office)
            else:
                unit = await uow.units.by_code(person.unit_code)
                await create_invite(uow, None, unit.id, person.role, INVITE_DAYS, now)
        await uow.flush()
        for group in GROUPS:
            await bot_joined(uow, group.chat_id, group.title)
            unit = await uow.units.by_code(group.unit_code)
            await link_group(uow, actors[ADMIN_OF_GROUPS], group.chat_id, unit_id=unit.id)
        for name in TEMPLATE_NAMES:
            campaign = await save_campaign(uow, None, demo_campaign(template(name), today))
            if name in LAUNCHED:
                await launch_campaign(
                    uow,
                    None,
                    campaign.id,
                    lambda c, recipient, announcement_id: announcement(
                        c, recipient, announcement_id, bot_username, translator_for(recipient.locale)
                    ),
                    now,
                )


def template(name: str) -> CampaignDefinition:
    """The shipped campaign template whose code starts with `name`."""
    paths = sorted(TEMPLATES.glob(f"{name}_*.yaml"))
    if not paths:
        raise FileNotFoundError(f"no campaign template {name}_*.yaml in {TEMPLATES}")
    return load_campaign_file(paths[0])


def demo_campaign(definition: CampaignDefinition, today: date) -> CampaignDefinition:
    """A template moved to the demo's places and to this year, its deadlines a few days apart from today."""
    text = json.dumps(definition_to_dict(definition), ensure_ascii=False)
    for old, new in (*PLACE_NAMES.items(), (str(definition.year), str(today.year))):
        text = text.replace(old, new)
    renamed = definition_from_dict(json.loads(text))
    ordered = sorted(renamed.deadlines, key=lambda deadline: deadline.due)
    deadlines = tuple(
        dataclasses.replace(
            deadline, due=today + timedelta(days=FIRST_DEADLINE_DAYS + DEADLINE_SPACING_DAYS * i)
        )
        for i, deadline in enumerate(ordered)
    )
    return dataclasses.replace(
        renamed,
        year=today.year,
        period_start=date(today.year, 1, 1),
        period_end=max(date(today.year, 12, 31), deadlines[-1].due if deadlines else today),
        organizer=UNIT_CODES.get(definition.organizer, definition.organizer),
        scope=tuple(UNIT_CODES.get(code, code) for code in definition.scope),
        deadlines=deadlines,
    )
