"""Invite links: created by admins (or the CLI) per unit, redeemed once by the person they were meant for."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import segno
from sqlalchemy.exc import IntegrityError

from bot.services.access import Actor, require_admin_of
from bot.services.errors import (
    AlreadyLinked,
    InviteExpired,
    InviteInvalid,
    InviteRevoked,
    InviteUsed,
    UnitNotFound,
    UnknownUnitCode,
)
from bot.services.text import display_name
from bot.services.units import HEADED_KINDS
from storage.db import UnitOfWork
from storage.models import Invite, Membership, Role, utcnow

#: Deep-link parameters allow A-Z, a-z, 0-9, _ and - up to 64 characters; 16 random bytes are plenty.
TOKEN_BYTES = 16


def invite_link(bot_username: str, token: str) -> str:
    """The deep link that opens the bot with the invite token."""
    return f"https://t.me/{bot_username}?start={token}"


def qr_png(link: str) -> bytes:
    """A QR code picture of the link, large enough to scan from a printed sheet."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=3)
    return buffer.getvalue()


def new_token() -> str:
    """A fresh unguessable deep-link token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


async def create_invite(
    uow: UnitOfWork, actor: Actor | None, unit_id: int, role: Role, days: int, now: datetime | None = None
) -> Invite:
    """A new invite for the unit, replacing its live ones; `actor` None means the operator at the CLI."""
    now = now or utcnow()
    if actor is not None:
        await require_admin_of(uow, actor, unit_id)
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise UnitNotFound()
    await uow.invites.revoke_live(unit.id, role, now)  # a new link replaces the ones handed out before
    invite = Invite(
        token=new_token(),
        unit=unit,
        unit_id=unit.id,
        role=role,
        created_at=now,
        expires_at=now + timedelta(days=days),
        created_by_id=actor.id if actor else None,
    )
    uow.invites.add(invite)
    uow.audit.record(actor.id if actor else None, "invite.create", f"unit:{unit.id}", role=role.value)
    return invite


async def ensure_invites(
    uow: UnitOfWork, unit_codes: Iterable[str] | None, role: Role, days: int, now: datetime | None = None
) -> Sequence[Invite]:
    """A live invite per unit (the given codes, or every village, group and agency), reusing live ones."""
    now = now or utcnow()
    if unit_codes is None:
        units = list(await uow.units.of_kinds(HEADED_KINDS))
    else:
        codes = list(unit_codes)
        found = await uow.units.by_codes(codes)
        missing = [code for code in codes if code not in found]
        if missing:
            raise UnknownUnitCode(code=", ".join(missing))
        units = [found[code] for code in codes]
    invites = []
    for unit in units:
        invite = await uow.invites.live_for(unit.id, role, now)
        invites.append(invite or await create_invite(uow, None, unit.id, role, days, now))
    return invites


async def check_invite(uow: UnitOfWork, actor: Actor, token: str, now: datetime | None = None) -> Invite:
    """The invite behind a token, if the person may still redeem it; otherwise the precise reason why not."""
    now = now or utcnow()
    invite = await uow.invites.by_token(token) if token else None
    if invite is None:
        raise InviteInvalid()
    if invite.used_by_id == actor.id:
        raise AlreadyLinked(unit=display_name(invite.unit))
    if invite.revoked_at is not None:
        raise InviteRevoked()
    if invite.used_at is not None:
        raise InviteUsed()
    if invite.expires_at <= now:
        raise InviteExpired(date=invite.expires_at)
    if invite.role == Role.unit_head:
        head = await uow.memberships.head_of(actor.id)
        if head is not None:
            raise AlreadyLinked(unit=display_name(head.unit))
    elif await uow.memberships.find(actor.id, invite.unit_id, invite.role):
        raise AlreadyLinked(unit=display_name(invite.unit))
    return invite


async def redeem_invite(uow: UnitOfWork, actor: Actor, token: str, now: datetime | None = None) -> Membership:
    """Link the person to the invite's unit with its role; the invite is then used up."""
    now = now or utcnow()
    invite = await check_invite(uow, actor, token, now)
    if invite.single_use and not await uow.invites.claim(invite, actor.id, now):
        raise InviteUsed()
    membership = Membership(
        person=actor.person, person_id=actor.id, unit=invite.unit, unit_id=invite.unit_id, role=invite.role
    )
    uow.memberships.add(membership)
    try:
        await uow.flush()
    except IntegrityError:  # linked to another unit at the same moment (a join request approved)
        raise AlreadyLinked(unit=display_name(invite.unit)) from None
    uow.audit.record(
        actor.id, "invite.redeem", f"unit:{invite.unit_id}", role=invite.role.value, invite=invite.id
    )
    return membership


async def revoke_invite(uow: UnitOfWork, token: str, now: datetime | None = None) -> Invite:
    """Make a token unusable, for a link that reached the wrong person."""
    invite = await uow.invites.by_token(token)
    if invite is None:
        raise InviteInvalid()
    invite.revoked_at = invite.revoked_at or now or utcnow()
    uow.audit.record(None, "invite.revoke", f"unit:{invite.unit_id}", invite=invite.id)
    return invite
