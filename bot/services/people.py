"""People: who is talking to the bot, their language, phone and the units they are linked to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import LOCALES
from bot.services.access import Actor, admin_scope
from bot.services.errors import ForeignContact
from storage.db import UnitOfWork
from storage.models import Membership, Role


@dataclass(frozen=True)
class TelegramIdentity:
    """The plain facts a channel tells about the sender."""

    telegram_id: int
    full_name: str
    username: str | None = None


async def identify(uow: UnitOfWork, who: TelegramIdentity, operator_ids: frozenset[int]) -> Actor:
    """The actor for a sender, registering them on first contact and refreshing their name."""
    person = await uow.people.ensure(who.telegram_id, who.full_name, who.username)
    if (person.full_name, person.username) != (who.full_name, who.username):
        person.full_name, person.username = who.full_name, who.username
    return Actor(person, is_operator=who.telegram_id in operator_ids)


async def set_locale(uow: UnitOfWork, actor: Actor, locale: str) -> str:
    """Store the person's language; an unknown one is refused by keeping the current."""
    if locale in LOCALES:
        actor.person.locale = locale
        uow.audit.record(actor.id, "person.locale", f"person:{actor.id}", locale=locale)
    return actor.person.locale or LOCALES[0]


async def set_reminders_paused(uow: UnitOfWork, actor: Actor, paused: bool) -> bool:
    """Pause or resume the early reminders; deadline-day and overdue ones always come."""
    actor.person.reminders_paused = paused
    uow.audit.record(actor.id, "person.reminders", f"person:{actor.id}", paused=paused)
    return paused


async def set_phone(uow: UnitOfWork, actor: Actor, phone: str, contact_user_id: int | None) -> None:
    """Store the person's own phone number (a contact card of someone else is refused)."""
    if contact_user_id != actor.person.telegram_id:
        raise ForeignContact()
    actor.person.phone = phone if phone.startswith("+") or not phone.isdigit() else f"+{phone}"
    uow.audit.record(actor.id, "person.phone", f"person:{actor.id}")


@dataclass(frozen=True)
class Profile:
    """What the person is: their links to units, and whether they administer anything."""

    memberships: Sequence[Membership]
    is_admin: bool

    @property
    def is_linked(self) -> bool:
        return bool(self.memberships) or self.is_admin

    @property
    def is_unit_head(self) -> bool:
        return any(m.role == Role.unit_head for m in self.memberships)

    @property
    def is_reviewer(self) -> bool:
        return any(m.role == Role.reviewer for m in self.memberships)


async def profile(uow: UnitOfWork, actor: Actor) -> Profile:
    """The person's memberships and admin standing, for menus and help."""
    memberships = await uow.memberships.of_person(actor.id)
    return Profile(memberships, not (await admin_scope(uow, actor, memberships)).is_empty)
