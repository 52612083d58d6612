"""Joining without an invite: one pending request per person, decided once, only by an admin of the unit."""

import pytest
from sqlalchemy.exc import IntegrityError

from bot.services.errors import AlreadyDecided, JoinRequestPending, NotAuthorized, PersonAlreadyHead
from bot.services.join_requests import decide_join_request, pending_join_requests, request_to_join
from bot.services.units import search_administered_units, search_headed_units
from storage.models import JoinRequest, JoinStatus, Membership, Role, utcnow
from tests.factories import actor, add_person, seed_units


async def test_request_then_approval_links_the_person(database):
    units = await seed_units(database)
    admin_id = await add_person(database, 1, role=Role.admin, unit_id=units["BABICH"])
    person_id = await add_person(database, 2, "Trưởng thôn")
    async with database.unit_of_work() as uow:
        new = await request_to_join(uow, await actor(uow, person_id), units["BB-T3"], frozenset())
        request_id = new.request.id
    assert new.approver_telegram_ids == {1}
    async with database.unit_of_work() as uow:
        with pytest.raises(JoinRequestPending):
            await request_to_join(uow, await actor(uow, person_id), units["BB-T13"], frozenset())
    async with database.unit_of_work() as uow:
        admin = await actor(uow, admin_id)
        assert [r.id for r in await pending_join_requests(uow, admin)] == [request_id]
        request = await decide_join_request(uow, admin, request_id, approve=True)
    assert request.status == JoinStatus.approved
    async with database.unit_of_work() as uow:
        assert await uow.memberships.find(person_id, units["BB-T3"], Role.unit_head) is not None
        with pytest.raises(AlreadyDecided):
            await decide_join_request(uow, await actor(uow, admin_id), request_id, approve=False)


async def test_an_admin_of_another_commune_cannot_decide(database):
    units = await seed_units(database)
    outsider_id = await add_person(database, 3, role=Role.admin, unit_id=units["BALE"])
    person_id = await add_person(database, 4)
    async with database.unit_of_work() as uow:
        request_id = (
            await request_to_join(uow, await actor(uow, person_id), units["BB-T3"], frozenset())
        ).request.id
    async with database.unit_of_work() as uow:
        with pytest.raises(NotAuthorized):
            await decide_join_request(uow, await actor(uow, outsider_id), request_id, approve=True)
    async with database.unit_of_work() as uow:
        request = await uow.join_requests.get(request_id)
        assert request.status == JoinStatus.pending
        assert await uow.memberships.find(person_id, units["BB-T3"], Role.unit_head) is None


@pytest.mark.parametrize("query", ["thon 3 ba bich", "THÔN 3", "Thôn 3 Ba Bích", "tho 3 bi"])
async def test_search_is_insensitive_to_accents_and_case(database, query):
    await seed_units(database)
    async with database.unit_of_work() as uow:
        found = [unit.code for unit in await search_headed_units(uow, query)]
    assert found[0] == "BB-T3"
    assert "BL-L1" not in found


async def test_search_matches_word_prefixes_not_inner_text(database):
    await seed_units(database)
    async with database.unit_of_work() as uow:
        assert [u.code for u in await search_headed_units(uow, "hon")] == []
        assert {u.code for u in await search_headed_units(uow, "thon 1")} == {"BB-T13"}
        assert await search_headed_units(uow, "  ,, ") == []


async def test_admin_search_stays_within_scope(database):
    units = await seed_units(database)
    admin_id = await add_person(database, 5, role=Role.admin, unit_id=units["BALE"])
    async with database.unit_of_work() as uow:
        admin = await actor(uow, admin_id)
        assert [u.code for u in await search_administered_units(uow, admin, "lang mam")] == ["BL-L1"]
        assert await search_administered_units(uow, admin, "thon 3") == []


async def test_approving_someone_who_became_head_elsewhere_is_refused(database):
    units = await seed_units(database)
    admin_id = await add_person(database, 6, role=Role.admin, unit_id=units["BATO"])
    person_id = await add_person(database, 7)
    async with database.unit_of_work() as uow:
        request_id = (
            await request_to_join(uow, await actor(uow, person_id), units["BB-T3"], frozenset())
        ).request.id
    async with database.unit_of_work() as uow:
        uow.memberships.add(Membership(person_id=person_id, unit_id=units["BL-L1"], role=Role.unit_head))
    async with database.unit_of_work() as uow:
        with pytest.raises(PersonAlreadyHead) as caught:
            await decide_join_request(uow, await actor(uow, admin_id), request_id, approve=True)
    assert caught.value.params["unit"] == "Làng Mâm, xã Ba Lễ"


async def test_the_database_allows_one_pending_request_and_one_headed_unit_per_person(database):
    units = await seed_units(database)
    person_id = await add_person(database, 8)
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            uow.join_requests.add(JoinRequest(person_id=person_id, unit_id=units["BB-T3"]))
            uow.join_requests.add(JoinRequest(person_id=person_id, unit_id=units["BB-T13"]))
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            uow.memberships.add(Membership(person_id=person_id, unit_id=units["BB-T3"], role=Role.unit_head))
            uow.memberships.add(Membership(person_id=person_id, unit_id=units["BL-L1"], role=Role.unit_head))


async def test_a_stale_decision_changes_nothing(database):
    units = await seed_units(database)
    admin_id = await add_person(database, 9, role=Role.admin, unit_id=units["BATO"])
    person_id = await add_person(database, 10)
    async with database.unit_of_work() as uow:
        stale = (await request_to_join(uow, await actor(uow, person_id), units["BB-T3"], frozenset())).request
    async with database.unit_of_work() as uow:
        await decide_join_request(uow, await actor(uow, admin_id), stale.id, approve=False)
    async with database.unit_of_work() as uow:  # a second admin acting on what they loaded before
        assert not await uow.join_requests.decide(stale, JoinStatus.approved, admin_id, utcnow())
    async with database.unit_of_work() as uow:
        assert (await uow.join_requests.get(stale.id)).status == JoinStatus.rejected


async def test_join_search_offers_only_units_with_a_head_villages_first(database):
    await seed_units(database)
    async with database.unit_of_work() as uow:
        found = [unit.code for unit in await search_headed_units(uow, "ba bich")]
    assert found[:2] == ["BB-T3", "BB-T13"]
    assert "BABICH" not in found and "BB-TH" in found
