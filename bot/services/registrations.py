"""Registration (đăng ký thi đua): a unit head registers the unit for a title; admins approve or reject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from bot.services.access import Actor, approver_locales, require_admin_of, require_admin_scope
from bot.services.campaigns import definition_of
from bot.services.deadlines import DeadlineView, deadlines_for, registration_due
from bot.services.errors import (
    AlreadyDecided,
    AlreadyRegistered,
    CampaignNotFound,
    NotLinked,
    NotUnitHead,
    RegistrationClosed,
    RegistrationNotFound,
    TitleNotAvailable,
    UnitNotEligible,
)
from bot.services.notices import Render, notify, unit_head_locales
from bot.services.text import display_name
from storage.db import UnitOfWork
from storage.models import (
    Campaign,
    CampaignStatus,
    Registration,
    RegistrationStatus,
    Title,
    Unit,
    utcnow,
)

PENDING_LIST_LIMIT = 30


async def headed_unit(uow: UnitOfWork, actor: Actor) -> Unit:
    """The unit the person heads; registration and reports are done for it."""
    head = await uow.memberships.head_of(actor.id)
    if head is None:
        raise NotLinked()
    return head.unit


async def _open_to(uow: UnitOfWork, campaign: Campaign, unit: Unit) -> bool:
    """Whether the campaign is launched and the unit is of an eligible kind within its scope."""
    if campaign.status != CampaignStatus.launched:
        return False
    kinds = definition_of(campaign).eligible_kinds
    roots = set(await uow.campaigns.scope_roots(campaign.id))
    return unit.kind in kinds and bool(roots.intersection(await uow.units.ancestor_ids(unit.id)))


@dataclass(frozen=True)
class CampaignForUnit:
    """A launched campaign as a unit head sees it: titles open to the unit, dates, and its registration."""

    campaign: Campaign
    unit: Unit
    titles: Sequence[Title]
    deadlines: Sequence[DeadlineView]
    registration: Registration | None
    registration_due: date | None


async def open_campaigns(
    uow: UnitOfWork, actor: Actor
) -> tuple[Unit, list[tuple[Campaign, Registration | None]]]:
    """The launched campaigns the person's unit takes part in, each with the unit's registration."""
    unit = await headed_unit(uow, actor)
    candidates = await uow.campaigns.launched_covering(await uow.units.ancestor_ids(unit.id))
    campaigns = [c for c in candidates if unit.kind in definition_of(c).eligible_kinds]
    registrations = await uow.registrations.of_unit(unit.id, [c.id for c in campaigns])
    return unit, [(c, registrations.get(c.id)) for c in campaigns]


async def campaign_for_unit(uow: UnitOfWork, actor: Actor, campaign_id: int) -> CampaignForUnit:
    """What the unit head needs to decide on registering: summary, titles, deadlines, current state."""
    unit = await headed_unit(uow, actor)
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    if not await _open_to(uow, campaign, unit):
        raise UnitNotEligible(unit=display_name(unit), campaign=campaign.name)
    titles = [t for t in await uow.campaigns.titles(campaign.id) if unit.kind.value in t.unit_kinds]
    return CampaignForUnit(
        campaign,
        unit,
        titles,
        await deadlines_for(uow, campaign.id, unit.id),
        await uow.registrations.live(campaign.id, unit.id),
        await registration_due(uow, campaign.id, unit.id),
    )


async def _check_before_deadline(uow: UnitOfWork, campaign: Campaign, unit: Unit, today: date) -> None:
    due = await registration_due(uow, campaign.id, unit.id)
    if due is not None and today > due:
        raise RegistrationClosed(date=due)


async def register(
    uow: UnitOfWork, actor: Actor, campaign_id: int, title_id: int, today: date
) -> Registration:
    """Register the person's own unit for a title, before the (possibly extended) registration deadline."""
    view = await campaign_for_unit(uow, actor, campaign_id)
    title = next((t for t in view.titles if t.id == title_id), None)
    if title is None:
        raise TitleNotAvailable()
    if view.registration is not None:
        raise AlreadyRegistered(title=view.registration.title.name)
    await _check_before_deadline(uow, view.campaign, view.unit, today)
    registration = Registration(
        campaign_id=view.campaign.id,
        campaign=view.campaign,
        unit_id=view.unit.id,
        unit=view.unit,
        title_id=title.id,
        title=title,
        registered_by_id=actor.id,
    )
    uow.session.add(registration)
    try:
        await uow.flush()
    except IntegrityError:  # the same unit registered from another phone at the same moment
        raise AlreadyRegistered(title=title.name) from None
    uow.audit.record(actor.id, "registration.create", f"registration:{registration.id}", title=title.code)
    return registration


async def withdraw(uow: UnitOfWork, actor: Actor, registration_id: int, today: date) -> Registration:
    """Take back the unit's registration, while registration is still open."""
    registration = await uow.registrations.get(registration_id)
    head = await uow.memberships.head_of(actor.id)
    if registration is None or head is None or head.unit_id != registration.unit_id:
        raise NotUnitHead()
    await _check_before_deadline(uow, registration.campaign, registration.unit, today)
    previous = registration.status
    if previous not in (
        RegistrationStatus.pending,
        RegistrationStatus.approved,
    ) or not await uow.registrations.move(registration, previous, status=RegistrationStatus.withdrawn):
        raise RegistrationNotFound()
    uow.audit.record(actor.id, "registration.withdraw", f"registration:{registration.id}")
    return registration


async def decide_registration(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: int,
    approve: bool,
    reason: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """Approve, or reject with a reason, a pending registration of a unit the admin manages."""
    registration = await uow.registrations.get(registration_id)
    if registration is None:
        raise RegistrationNotFound()
    await require_admin_of(uow, actor, registration.unit_id)
    status = RegistrationStatus.approved if approve else RegistrationStatus.rejected
    moved = await uow.registrations.move(
        registration,
        RegistrationStatus.pending,
        status=status,
        reason=(reason or None) and reason[:500],
        decided_by_id=actor.id,
        decided_at=now or utcnow(),
    )
    if not moved:
        raise AlreadyDecided()
    uow.audit.record(
        actor.id, f"registration.{status.value}", f"registration:{registration.id}", reason=reason
    )
    return registration


async def pending_registrations(uow: UnitOfWork, actor: Actor, campaign_id: int) -> Sequence[Registration]:
    """Pending registrations of the campaign for units the admin manages, oldest first."""
    scope = await require_admin_scope(uow, actor)
    return await uow.registrations.pending(campaign_id, scope.roots, PENDING_LIST_LIMIT)


async def approve_all(
    uow: UnitOfWork, actor: Actor, campaign_id: int, now: datetime | None = None
) -> list[Registration]:
    """Approve every pending registration of the campaign that the admin may decide (one list at a time)."""
    now = now or utcnow()
    approved = []
    for registration in await pending_registrations(uow, actor, campaign_id):
        if await uow.registrations.move(
            registration,
            RegistrationStatus.pending,
            status=RegistrationStatus.approved,
            decided_by_id=actor.id,
            decided_at=now,
        ):
            approved.append(registration)
    uow.audit.record(actor.id, "registration.approve_all", f"campaign:{campaign_id}", count=len(approved))
    return approved


async def notify_approvers(
    uow: UnitOfWork, registration: Registration, operator_ids: frozenset[int], render: Render
) -> int:
    """Queue the registration, rendered in each approver's language, for everyone who may decide it."""
    approvers = await approver_locales(uow, registration.unit_id, operator_ids)
    return await notify(uow, f"registration:{registration.id}", approvers, render)


async def notify_decision(uow: UnitOfWork, registration: Registration, render: Render) -> int:
    """Queue the admin's decision to every reachable head of the registered unit."""
    key = f"registration:{registration.id}:{registration.status.value}"
    return await notify(uow, key, await unit_head_locales(uow, registration.unit_id), render)
