"""Group chats: the bot joins or leaves a group, a group migrates, an admin links it to a unit or cluster."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.access import Actor, require_admin_of, require_admin_scope
from bot.services.errors import GroupNotFound, UnitNotFound
from bot.services.text import search_words
from storage.db import UnitOfWork
from storage.models import Cluster, GroupChat, Unit

SEARCH_LIMIT = 8


async def bot_joined(uow: UnitOfWork, telegram_chat_id: int, title: str) -> GroupChat:
    """Remember a group the bot was added to (again), not yet linked to anything."""
    group = await uow.group_chats.by_chat_id(telegram_chat_id)
    if group is None:
        group = GroupChat(telegram_chat_id=telegram_chat_id, title=title[:255])
        uow.session.add(group)
    group.title, group.active = title[:255], True
    await uow.flush()
    return group


async def bot_left(uow: UnitOfWork, telegram_chat_id: int) -> None:
    """The bot was removed from a group: send nothing there any more."""
    await uow.group_chats.deactivate(telegram_chat_id)


async def group_migrated(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup with a new id: keep its link and its queued messages."""
    await uow.group_chats.migrate(old_chat_id, new_chat_id)
    await uow.outbox.retarget(old_chat_id, new_chat_id)


@dataclass(frozen=True)
class LinkTargets:
    units: Sequence[Unit]
    clusters: Sequence[Cluster]


async def link_targets(uow: UnitOfWork, actor: Actor, query: str) -> LinkTargets:
    """Units the admin manages and clusters of such units, matching the query, to link a group to."""
    scope = await require_admin_scope(uow, actor)
    words = search_words(query)
    if not words:
        return LinkTargets([], [])
    units = await uow.units.search(words, None, scope.roots, SEARCH_LIMIT)
    clusters = await uow.clusters.search(words, scope.roots, SEARCH_LIMIT)
    return LinkTargets(units, clusters)


async def link_group(
    uow: UnitOfWork,
    actor: Actor,
    telegram_chat_id: int,
    unit_id: int | None = None,
    cluster_id: int | None = None,
) -> GroupChat:
    """Link the group to a unit (by its admin) or a cluster (by an admin of every member unit)."""
    group = await uow.group_chats.by_chat_id(telegram_chat_id)
    if group is None or not group.active:
        raise GroupNotFound()
    if unit_id is not None:
        await require_admin_of(uow, actor, unit_id)
        group.unit_id, group.cluster_id = unit_id, None
    else:
        members = await uow.clusters.member_ids(cluster_id or 0)
        if not members:
            raise UnitNotFound()
        for member in members:
            await require_admin_of(uow, actor, member)
        group.cluster_id, group.unit_id = cluster_id, None
    group.linked_by_id = actor.id
    uow.audit.record(actor.id, "group.link", f"group:{group.id}", unit=unit_id, cluster=cluster_id)
    await uow.flush()
    await uow.session.refresh(group)
    return group
