"""Queueing notices to people in their own language: one outbox message per person, keyed against repeats."""

from __future__ import annotations

from collections.abc import Callable

from storage.db import UnitOfWork
from storage.models import Role
from storage.outbox import Outgoing

Buttons = list[list[dict[str, str]]]
#: Renders a notice for a reader's locale (None: the default): its text and inline buttons.
Render = Callable[[str | None], tuple[str, Buttons]]


async def notify(uow: UnitOfWork, key: str, recipients: dict[int, str | None], render: Render) -> int:
    """Queue the notice for each Telegram id (its locale alongside); `key` plus the id dedupes it."""
    return await uow.outbox.enqueue(
        Outgoing(f"{key}:{telegram_id}", telegram_id, *render(locale))
        for telegram_id, locale in recipients.items()
    )


async def unit_head_locales(uow: UnitOfWork, unit_id: int) -> dict[int, str | None]:
    """The reachable heads of a unit, by Telegram id with their language."""
    return {
        m.person.telegram_id: m.person.locale
        for m in await uow.memberships.of_unit(unit_id)
        if m.role == Role.unit_head and m.person.active
    }
