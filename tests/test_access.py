"""Roles reach the subtree of the unit that holds them, and nothing else."""

import pytest

from bot.services.access import admin_scope, approver_telegram_ids, require_admin_of
from bot.services.errors import NotAuthorized
from bot.services.units import search_administered_units
from storage.models import Role
from storage.repositories import UnitRepository
from tests.factories import actor, add_person, seed_units


async def test_commune_admin_manages_its_villages_but_not_another_commune(database):
    units = await seed_units(database)
    admin_id = await add_person(database, 10, role=Role.admin, unit_id=units["BABICH"])
    async with database.unit_of_work() as uow:
        admin = await actor(uow, admin_id)
        await require_admin_of(uow, admin, units["BB-T3"])
        await require_admin_of(uow, admin, units["BABICH"])
        with pytest.raises(NotAuthorized):
            await require_admin_of(uow, admin, units["BL-L1"])
        with pytest.raises(NotAuthorized):
            await require_admin_of(uow, admin, units["BATO"])
        scope = await admin_scope(uow, admin)
    assert scope.roots == {units["BABICH"]}


async def test_district_admin_reaches_every_commune_and_village(database):
    units = await seed_units(database)
    admin_id = await add_person(database, 11, role=Role.admin, unit_id=units["BATO"])
    async with database.unit_of_work() as uow:
        admin = await actor(uow, admin_id)
        for unit_id in units.values():
            await require_admin_of(uow, admin, unit_id)
        found = {unit.code for unit in await search_administered_units(uow, admin, "ba")}
    assert {"BABICH", "BALE", "BB-T3", "BL-L1"} <= found


async def test_unit_head_and_stranger_administer_nothing(database):
    units = await seed_units(database)
    head_id = await add_person(database, 12, role=Role.unit_head, unit_id=units["BB-T3"])
    async with database.unit_of_work() as uow:
        head = await actor(uow, head_id)
        assert (await admin_scope(uow, head)).is_empty
        with pytest.raises(NotAuthorized):
            await require_admin_of(uow, head, units["BB-T3"])
        with pytest.raises(NotAuthorized):
            await search_administered_units(uow, head, "thon")


async def test_operator_reaches_everything(database):
    units = await seed_units(database)
    person_id = await add_person(database, 13)
    async with database.unit_of_work() as uow:
        operator = await actor(uow, person_id, operator=True)
        await require_admin_of(uow, operator, units["BL-L1"])
        assert (await admin_scope(uow, operator)).roots is None


async def test_approvers_are_the_admins_above_the_unit_and_the_operators(database):
    units = await seed_units(database)
    await add_person(database, 20, role=Role.admin, unit_id=units["BABICH"])
    await add_person(database, 21, role=Role.admin, unit_id=units["BALE"])
    await add_person(database, 22, role=Role.admin, unit_id=units["BATO"])
    async with database.unit_of_work() as uow:
        approvers = await approver_telegram_ids(uow, units["BB-T3"], frozenset({99}))
    assert approvers == {20, 22, 99}


async def test_a_loop_in_the_stored_hierarchy_does_not_hang_the_tree_queries(database):
    units = await seed_units(database)
    async with database.unit_of_work() as uow:  # data damaged outside the import, which refuses loops
        (await uow.units.get(units["BATO"])).parent_id = units["BB-T3"]
    async with database.unit_of_work() as uow:
        assert set(await uow.units.ancestor_ids(units["BB-T3"])) == {
            units["BB-T3"],
            units["BABICH"],
            units["BATO"],
        }
        assert set(await uow.session.scalars(UnitRepository.subtree([units["BABICH"]]))) >= {
            units["BB-T3"],
            units["BATO"],
            units["BALE"],
        }
