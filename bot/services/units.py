"""Finding units by name, within the whole tree or an admin's scope."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.access import Actor, admin_scope
from bot.services.text import search_words
from storage.db import UnitOfWork
from storage.models import Unit

SEARCH_LIMIT = 8


async def search_units(uow: UnitOfWork, query: str, limit: int = SEARCH_LIMIT) -> Sequence[Unit]:
    """Units whose name (with their parent's) has every word of the query, accents ignored."""
    words = search_words(query)
    return await uow.units.search(words, None, limit) if words else []


async def search_administered_units(
    uow: UnitOfWork, actor: Actor, query: str, limit: int = SEARCH_LIMIT
) -> Sequence[Unit]:
    """Like search_units, but only units the actor administers."""
    words = search_words(query)
    scope = await admin_scope(uow, actor)
    if not words or scope.is_empty:
        return []
    within = set(scope.unit_ids) if scope.unit_ids is not None else None
    return await uow.units.search(words, within, limit)
