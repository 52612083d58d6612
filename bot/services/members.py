"""An admin's view of who is linked to a unit, and removing a link that is no longer right."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.access import Actor, require_admin_of
from bot.services.errors import (
    CannotRemoveSelf,
    MemberNotFound,
    UnitCodeNeeded,
    UnitNotFound,
    UnknownUnitCode,
)
from storage.db import UnitOfWork
from storage.models import Membership, Person, Role, Unit


async def unit_members(uow: UnitOfWork, actor: Actor, unit_id: int) -> tuple[Unit, Sequence[Membership]]:
    """The unit and everyone holding a role on it, for its admins."""
    await require_admin_of(uow, actor, unit_id)
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise UnitNotFound()
    return unit, await uow.memberships.of_unit(unit_id)


async def member_of_administered_unit(uow: UnitOfWork, actor: Actor, membership_id: int) -> Membership:
    """A membership on a unit the actor administers."""
    membership = await uow.memberships.get(membership_id)
    if membership is None:
        raise MemberNotFound()
    await require_admin_of(uow, actor, membership.unit_id)
    return membership


async def remove_member(uow: UnitOfWork, actor: Actor, membership_id: int) -> Membership:
    """End a person's role on a unit; admins may not remove their own role."""
    membership = await member_of_administered_unit(uow, actor, membership_id)
    if membership.person_id == actor.id:
        raise CannotRemoveSelf()
    await uow.memberships.delete(membership)
    uow.audit.record(
        actor.id,
        "member.remove",
        f"unit:{membership.unit_id}",
        person=membership.person_id,
        role=membership.role.value,
    )
    return membership


async def grant_role(
    uow: UnitOfWork, telegram_id: int, unit_code: str | None, role: Role, office: str | None = None
) -> Membership:
    """Give a Telegram user a role on a unit from the command line (the unit defaults to the only root)."""
    unit = await _unit_for_grant(uow, unit_code)
    person = await uow.people.by_telegram_id(telegram_id)
    if person is None:
        person = Person(telegram_id=telegram_id)
        uow.people.add(person)
        await uow.flush()
    membership = await uow.memberships.find(person.id, unit.id, role)
    if membership is not None:
        membership.office = office or membership.office
    else:
        membership = Membership(
            person=person, person_id=person.id, unit=unit, unit_id=unit.id, role=role, office=office
        )
        uow.memberships.add(membership)
        uow.audit.record(None, "member.grant", f"unit:{unit.id}", person=person.id, role=role.value)
    return membership


async def _unit_for_grant(uow: UnitOfWork, unit_code: str | None) -> Unit:
    if unit_code:
        unit = await uow.units.by_code(unit_code)
        if unit is None:
            raise UnknownUnitCode(code=unit_code)
        return unit
    roots = await uow.units.roots()
    if len(roots) != 1:
        raise UnitCodeNeeded()
    return roots[0]
