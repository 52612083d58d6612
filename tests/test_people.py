"""People: first contact, racing first contacts, language and phone."""

import asyncio

import pytest

from bot.services.errors import ForeignContact
from bot.services.people import TelegramIdentity, identify, set_locale, set_phone


async def test_two_first_updates_at_once_make_one_person(database):
    async def first_contact() -> int:
        async with database.unit_of_work() as uow:
            return (await identify(uow, TelegramIdentity(77, "Lê Văn Cường"), frozenset())).id

    ids = await asyncio.gather(*(first_contact() for _ in range(5)))
    assert len(set(ids)) == 1


async def test_identify_refreshes_the_name_and_knows_operators(database):
    async with database.unit_of_work() as uow:
        await identify(uow, TelegramIdentity(78, "Tên cũ"), frozenset())
    async with database.unit_of_work() as uow:
        actor = await identify(uow, TelegramIdentity(78, "Tên mới", "tenmoi"), frozenset({78}))
    assert actor.is_operator and (actor.person.full_name, actor.person.username) == ("Tên mới", "tenmoi")


async def test_locale_and_own_phone_are_stored(database):
    async with database.unit_of_work() as uow:
        actor = await identify(uow, TelegramIdentity(79, "A"), frozenset())
        assert await set_locale(uow, actor, "en") == "en"
        assert await set_locale(uow, actor, "xx") == "en"
        await set_phone(uow, actor, "84912345678", 79)
        with pytest.raises(ForeignContact):
            await set_phone(uow, actor, "0900000000", 80)
    assert actor.person.phone == "+84912345678"
