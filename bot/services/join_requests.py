"""Joining a unit without an invite: a person asks, an admin of the unit approves or rejects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.access import Actor, admin_scope, approver_telegram_ids, require_admin_of
from bot.services.errors import AlreadyDecided, AlreadyLinked, JoinRequestPending, UnitNotFound
from bot.services.text import display_name
from storage.db import UnitOfWork
from storage.models import JoinRequest, JoinStatus, Membership, Role, utcnow

PENDING_LIST_LIMIT = 20


@dataclass(frozen=True)
class NewJoinRequest:
    """A request just made, and the Telegram ids of the people who may decide it."""

    request: JoinRequest
    approver_telegram_ids: set[int]


async def request_to_join(
    uow: UnitOfWork, actor: Actor, unit_id: int, operator_ids: frozenset[int]
) -> NewJoinRequest:
    """Ask to become the head of a unit found by search."""
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise UnitNotFound()
    heads = [m for m in await uow.memberships.of_person(actor.id) if m.role == Role.unit_head]
    if heads:
        raise AlreadyLinked(unit=display_name(heads[0].unit))
    pending = await uow.join_requests.pending_of(actor.id)
    if pending:
        raise JoinRequestPending(unit=display_name(pending[0].unit))
    request = JoinRequest(person=actor.person, person_id=actor.id, unit=unit, unit_id=unit.id)
    uow.join_requests.add(request)
    await uow.flush()
    uow.audit.record(actor.id, "join.request", f"unit:{unit.id}", request=request.id)
    return NewJoinRequest(request, await approver_telegram_ids(uow, unit.id, operator_ids))


async def decide_join_request(
    uow: UnitOfWork, actor: Actor, request_id: int, approve: bool, now: datetime | None = None
) -> JoinRequest:
    """Approve (linking the person as unit head) or reject a pending request; a decided one is refused."""
    request = await uow.join_requests.get(request_id)
    if request is None:
        raise AlreadyDecided()
    await require_admin_of(uow, actor, request.unit_id)
    status = JoinStatus.approved if approve else JoinStatus.rejected
    if not await uow.join_requests.decide(request, status, actor.id, now or utcnow()):
        raise AlreadyDecided()
    if approve and not await uow.memberships.find(request.person_id, request.unit_id, Role.unit_head):
        uow.memberships.add(
            Membership(person_id=request.person_id, unit_id=request.unit_id, role=Role.unit_head)
        )
    uow.audit.record(actor.id, f"join.{status.value}", f"unit:{request.unit_id}", request=request.id)
    return request


async def pending_join_requests(uow: UnitOfWork, actor: Actor) -> Sequence[JoinRequest]:
    """Requests waiting for a decision within the actor's scope, oldest first."""
    scope = await admin_scope(uow, actor)
    if scope.is_empty:
        return []
    return await uow.join_requests.pending_in(
        set(scope.unit_ids) if scope.unit_ids is not None else None, PENDING_LIST_LIMIT
    )
