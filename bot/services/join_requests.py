"""Joining a unit without an invite: a person asks, an admin of the unit approves or rejects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.services.access import Actor, approver_telegram_ids, require_admin_of, require_admin_scope
from bot.services.errors import (
    AlreadyDecided,
    AlreadyLinked,
    JoinRequestPending,
    PersonAlreadyHead,
    UnitNotFound,
)
from bot.services.text import display_name
from storage.db import UnitOfWork
from storage.models import JoinRequest, JoinStatus, Membership, Role, Unit, utcnow

PENDING_LIST_LIMIT = 20


@dataclass(frozen=True)
class NewJoinRequest:
    """A request just made, and the Telegram ids of the people who may decide it."""

    request: JoinRequest
    approver_telegram_ids: set[int]


async def unit_to_join(uow: UnitOfWork, unit_id: int) -> Unit:
    """A unit picked from search results, if it still exists."""
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise UnitNotFound()
    return unit


async def request_to_join(
    uow: UnitOfWork, actor: Actor, unit_id: int, operator_ids: frozenset[int]
) -> NewJoinRequest:
    """Ask to become the head of a unit found by search."""
    unit = await unit_to_join(uow, unit_id)
    head = await uow.memberships.head_of(actor.id)
    if head is not None:
        raise AlreadyLinked(unit=display_name(head.unit))
    pending = await uow.join_requests.pending_of(actor.id)
    if pending:
        raise JoinRequestPending(unit=display_name(pending[0].unit))
    request = JoinRequest(person=actor.person, person_id=actor.id, unit=unit, unit_id=unit.id)
    uow.join_requests.add(request)
    try:
        await uow.flush()
    except IntegrityError:  # another request of the same person arrived at the same moment
        raise JoinRequestPending(unit=display_name(unit)) from None
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
    if approve and (head := await uow.memberships.head_of(request.person_id)) is not None:
        raise PersonAlreadyHead(unit=display_name(head.unit))
    status = JoinStatus.approved if approve else JoinStatus.rejected
    if not await uow.join_requests.decide(request, status, actor.id, now or utcnow()):
        raise AlreadyDecided()
    if approve:
        uow.memberships.add(
            Membership(person_id=request.person_id, unit_id=request.unit_id, role=Role.unit_head)
        )
        try:
            await uow.flush()
        except IntegrityError:  # the person redeemed an invite at the same moment
            raise PersonAlreadyHead(unit=display_name(request.unit)) from None
    uow.audit.record(actor.id, f"join.{status.value}", f"unit:{request.unit_id}", request=request.id)
    return request


async def pending_join_requests(uow: UnitOfWork, actor: Actor) -> Sequence[JoinRequest]:
    """Requests waiting for a decision within the actor's scope, oldest first; refused to non-admins."""
    scope = await require_admin_scope(uow, actor)
    return await uow.join_requests.pending_in(scope.roots, PENDING_LIST_LIMIT)
