"""Who may act where: roles held on a unit reach its subtree; operators from the config reach everything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.errors import NotAuthorized
from storage.db import UnitOfWork
from storage.models import Membership, Person, Role


@dataclass(frozen=True)
class Actor:
    """The person behind a request, with whether the configuration makes them an operator."""

    person: Person
    is_operator: bool = False

    @property
    def id(self) -> int:
        return self.person.id


@dataclass(frozen=True)
class Scope:
    """Where an actor administers: the subtrees of `roots`, or every unit when `roots` is None."""

    roots: frozenset[int] | None

    @property
    def is_empty(self) -> bool:
        return self.roots is not None and not self.roots


async def admin_scope(
    uow: UnitOfWork, actor: Actor, memberships: Sequence[Membership] | None = None
) -> Scope:
    """The units whose subtrees the actor administers (the units where they hold the admin role)."""
    if actor.is_operator:
        return Scope(None)
    if memberships is None:
        memberships = await uow.memberships.of_person(actor.id)
    return Scope(frozenset(m.unit_id for m in memberships if m.role == Role.admin))


async def require_admin_scope(uow: UnitOfWork, actor: Actor) -> Scope:
    """The actor's admin scope; refused when they administer nothing."""
    scope = await admin_scope(uow, actor)
    if scope.is_empty:
        raise NotAuthorized()
    return scope


async def require_admin_of(uow: UnitOfWork, actor: Actor, unit_id: int) -> None:
    """Refuse unless the actor administers the unit (directly or through a unit above it)."""
    scope = await admin_scope(uow, actor)
    if scope.roots is not None and not scope.roots.intersection(await uow.units.ancestor_ids(unit_id)):
        raise NotAuthorized()


async def units_above(uow: UnitOfWork, unit_id: int) -> set[int]:
    """The units strictly above a unit: who judges a unit's own score sits there, never in the unit itself."""
    return set(await uow.units.ancestor_ids(unit_id)) - {unit_id}


async def require_admin_above(uow: UnitOfWork, actor: Actor, unit_id: int) -> None:
    """Refuse unless the actor administers a unit above this one (a commune does not judge itself)."""
    scope = await admin_scope(uow, actor)
    if scope.roots is not None and not scope.roots.intersection(await units_above(uow, unit_id)):
        raise NotAuthorized()


async def approver_telegram_ids(uow: UnitOfWork, unit_id: int, operator_ids: frozenset[int]) -> set[int]:
    """The Telegram ids of everyone who may decide for the unit: its admins above it and the operators."""
    admins = await uow.memberships.with_role_on(Role.admin, await uow.units.ancestor_ids(unit_id))
    return {m.person.telegram_id for m in admins if m.person.active} | set(operator_ids)


async def approver_locales(
    uow: UnitOfWork, unit_id: int, operator_ids: frozenset[int]
) -> dict[int, str | None]:
    """Everyone who may decide for the unit, by Telegram id, with their language (None: the default)."""
    telegram_ids = await approver_telegram_ids(uow, unit_id, operator_ids)
    people = await uow.people.by_telegram_ids(telegram_ids)
    return {tid: people[tid].locale if tid in people else None for tid in sorted(telegram_ids)}
