"""Finding units by name: the units a person may head, or the units an admin manages."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.access import Actor, require_admin_scope
from bot.services.text import search_words
from storage.db import UnitOfWork
from storage.models import Unit, UnitKind

SEARCH_LIMIT = 8
#: The kinds of unit that have a head who registers, reports and sends evidence, villages first.
HEADED_KINDS = (UnitKind.village, UnitKind.residential_group, UnitKind.agency)


async def search_headed_units(uow: UnitOfWork, query: str, limit: int = SEARCH_LIMIT) -> Sequence[Unit]:
    """Villages, residential groups and agencies whose name (with their parent's) has every query word."""
    words = search_words(query)
    return await uow.units.search(words, HEADED_KINDS, None, limit) if words else []


async def search_administered_units(
    uow: UnitOfWork, actor: Actor, query: str, limit: int = SEARCH_LIMIT
) -> Sequence[Unit]:
    """Units of any kind in the actor's admin scope matching the query; refused to non-admins."""
    scope = await require_admin_scope(uow, actor)
    words = search_words(query)
    return await uow.units.search(words, None, scope.roots, limit) if words else []
