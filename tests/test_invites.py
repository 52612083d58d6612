"""Invite tokens: every way a token can be bad, single use, and no double redemption under a race."""

import asyncio
from datetime import timedelta

import pytest

from bot.services.errors import (
    AlreadyLinked,
    InviteExpired,
    InviteInvalid,
    InviteRevoked,
    InviteUsed,
    NotAuthorized,
)
from bot.services.invites import (
    check_invite,
    create_invite,
    ensure_invites,
    invite_link,
    qr_png,
    redeem_invite,
    revoke_invite,
)
from storage.models import Role, utcnow
from tests.factories import actor, add_person, seed_units


async def make_invite(database, unit_id, days=30):
    async with database.unit_of_work() as uow:
        return (await create_invite(uow, None, unit_id, Role.unit_head, days)).token


async def redeem(database, person_id, token):
    async with database.unit_of_work() as uow:
        return await redeem_invite(uow, await actor(uow, person_id), token)


async def test_redeeming_links_the_person_and_uses_the_invite(database):
    units = await seed_units(database)
    token = await make_invite(database, units["BB-T3"])
    person_id = await add_person(database, 100)
    membership = await redeem(database, person_id, token)
    assert (membership.unit.code, membership.role) == ("BB-T3", Role.unit_head)
    other = await add_person(database, 101)
    with pytest.raises(InviteUsed):
        await redeem(database, other, token)
    with pytest.raises(AlreadyLinked):
        await redeem(database, person_id, token)


@pytest.mark.parametrize("token", ["", "nonexistent-token"])
async def test_unknown_token_is_invalid(database, token):
    person_id = await add_person(database, 102)
    async with database.unit_of_work() as uow:
        with pytest.raises(InviteInvalid):
            await check_invite(uow, await actor(uow, person_id), token)


async def test_expired_token_names_its_date(database):
    units = await seed_units(database)
    token = await make_invite(database, units["BB-T3"], days=-1)
    person_id = await add_person(database, 103)
    with pytest.raises(InviteExpired) as caught:
        await redeem(database, person_id, token)
    assert caught.value.params["date"] < utcnow()


async def test_revoked_token_is_refused(database):
    units = await seed_units(database)
    token = await make_invite(database, units["BB-T3"])
    async with database.unit_of_work() as uow:
        await revoke_invite(uow, token)
    with pytest.raises(InviteRevoked):
        await redeem(database, await add_person(database, 104), token)


async def test_a_unit_head_cannot_take_a_second_unit_by_invite(database):
    units = await seed_units(database)
    person_id = await add_person(database, 105, role=Role.unit_head, unit_id=units["BL-L1"])
    token = await make_invite(database, units["BB-T3"])
    with pytest.raises(AlreadyLinked) as caught:
        await redeem(database, person_id, token)
    assert caught.value.params["unit"] == "Làng Mâm, xã Ba Lễ"


async def test_two_people_racing_for_one_invite_link_only_one(database):
    units = await seed_units(database)
    token = await make_invite(database, units["BB-T3"])
    people = [await add_person(database, 200 + n) for n in range(6)]
    results = await asyncio.gather(*(redeem(database, p, token) for p in people), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, InviteUsed) for r in results if isinstance(r, Exception))


async def test_only_an_admin_of_the_unit_creates_invites(database):
    units = await seed_units(database)
    admin_id = await add_person(database, 106, role=Role.admin, unit_id=units["BALE"])
    async with database.unit_of_work() as uow:
        admin = await actor(uow, admin_id)
        invite = await create_invite(uow, admin, units["BL-L1"], Role.unit_head, 30, utcnow())
        assert invite.expires_at - invite.created_at >= timedelta(days=29)
        with pytest.raises(NotAuthorized):
            await create_invite(uow, admin, units["BB-T3"], Role.unit_head, 30)


async def test_ensure_invites_reuses_live_invites_for_every_headed_unit(database):
    await seed_units(database)
    async with database.unit_of_work() as uow:
        first = {
            invite.unit.code: invite.token for invite in await ensure_invites(uow, None, Role.unit_head, 30)
        }
    async with database.unit_of_work() as uow:
        second = {
            invite.unit.code: invite.token for invite in await ensure_invites(uow, None, Role.unit_head, 30)
        }
    assert set(first) == {"BB-T3", "BB-T13", "BL-L1", "BB-TH"}
    assert first == second


def test_invite_link_and_qr_code():
    link = invite_link("thidua_bot", "abc")
    assert link == "https://t.me/thidua_bot?start=abc"
    assert qr_png(link).startswith(b"\x89PNG\r\n\x1a\n")


async def test_a_new_invite_replaces_the_live_ones_of_the_unit(database):
    units = await seed_units(database)
    first = await make_invite(database, units["BB-T3"])
    second = await make_invite(database, units["BB-T3"])
    with pytest.raises(InviteRevoked):
        await redeem(database, await add_person(database, 107), first)
    membership = await redeem(database, await add_person(database, 108), second)
    assert membership.unit.code == "BB-T3"


async def test_claiming_an_invite_loaded_before_someone_else_used_it_fails(database):
    units = await seed_units(database)
    token = await make_invite(database, units["BB-T3"])
    async with database.unit_of_work() as uow:
        stale = await uow.invites.by_token(token)
    await redeem(database, await add_person(database, 109), token)
    late = await add_person(database, 110)
    async with database.unit_of_work() as uow:
        assert not await uow.invites.claim(stale, late, utcnow())
    async with database.unit_of_work() as uow:
        assert (await uow.invites.by_token(token)).used_by_id != late
