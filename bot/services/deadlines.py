"""Deadlines of a campaign as they stand for a unit, and extensions (for everyone or one unit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.services.access import Actor
from bot.services.campaigns import Recipient, administered_campaign, definition_of
from bot.services.errors import CampaignNotLaunched, DeadlineNotFound, ExtensionTooEarly, UnitNotFound
from storage.db import UnitOfWork
from storage.models import Campaign, CampaignStatus, Deadline, DeadlineExtension
from storage.outbox import Outgoing

REGISTRATION = "registration"


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as it stands for one unit: its date after any extension."""

    id: int
    kind: str
    label: str
    due: date
    extended: bool


def effective_due(original: date, extensions: Sequence[DeadlineExtension], unit_id: int | None) -> date:
    """The later of the newest extension for everyone and the newest for this unit (else the original)."""
    for_all = [e.due for e in extensions if e.unit_id is None]
    own = [e.due for e in extensions if unit_id is not None and e.unit_id == unit_id]
    return max(for_all[-1] if for_all else original, own[-1] if own else original)


async def deadlines_for(uow: UnitOfWork, campaign_id: int, unit_id: int | None) -> list[DeadlineView]:
    """Every deadline of the campaign as it stands for the unit (None: for units without an extension)."""
    deadlines = await uow.campaigns.deadlines(campaign_id)
    extensions = await uow.campaigns.extensions(d.id for d in deadlines)
    views = []
    for deadline in deadlines:
        own = [e for e in extensions if e.deadline_id == deadline.id]
        due = effective_due(deadline.due, own, unit_id)
        views.append(DeadlineView(deadline.id, deadline.kind, deadline.label, due, due != deadline.due))
    return sorted(views, key=lambda view: (view.due, view.id))


async def deadline_as_it_stands(uow: UnitOfWork, deadline_id: int, unit_id: int | None) -> DeadlineView:
    """One deadline as it stands for the unit (None: for every unit)."""
    deadline = await uow.campaigns.deadline(deadline_id)
    if deadline is None:
        raise DeadlineNotFound()
    return next(d for d in await deadlines_for(uow, deadline.campaign_id, unit_id) if d.id == deadline_id)


async def registration_due(uow: UnitOfWork, campaign_id: int, unit_id: int) -> date | None:
    """The last day the unit may register (None: the campaign sets no such deadline)."""
    return next(
        (d.due for d in await deadlines_for(uow, campaign_id, unit_id) if d.kind == REGISTRATION), None
    )


#: Renders the notice of an extension for one recipient (the channel knows its wording and buttons).
NotifyExtension = Callable[[Campaign, Deadline, date, Recipient, int], Outgoing]


async def extend_deadline(
    uow: UnitOfWork,
    actor: Actor,
    deadline_id: int,
    new_due: date,
    unit_id: int | None,
    notify: NotifyExtension,
    today: date,
    now: datetime | None = None,
) -> tuple[DeadlineExtension, int]:
    """Move a deadline for everyone or for one unit, and queue a notice to those it affects."""
    deadline = await uow.campaigns.deadline(deadline_id)
    if deadline is None:
        raise DeadlineNotFound()
    campaign = await administered_campaign(uow, actor, deadline.campaign_id)
    if campaign.status != CampaignStatus.launched:
        raise CampaignNotLaunched(name=campaign.name)
    if new_due < today:
        raise ExtensionTooEarly()
    if unit_id is not None and await uow.units.get(unit_id) is None:
        raise UnitNotFound()
    extension = DeadlineExtension(
        deadline_id=deadline.id, unit_id=unit_id, due=new_due, created_by_id=actor.id
    )
    uow.session.add(extension)
    await uow.flush()
    recipients = await _affected(uow, campaign, deadline, unit_id)
    await uow.outbox.enqueue([notify(campaign, deadline, new_due, r, extension.id) for r in recipients], now)
    uow.audit.record(
        actor.id, "deadline.extend", f"deadline:{deadline.id}", unit=unit_id, due=new_due.isoformat()
    )
    return extension, len(recipients)


async def _affected(
    uow: UnitOfWork, campaign: Campaign, deadline: Deadline, unit_id: int | None
) -> list[Recipient]:
    """Who hears of an extension: the one unit's head, or every head it changes something for, and groups."""
    kinds = [kind.value for kind in definition_of(campaign).eligible_kinds]
    heads = [m for m in await uow.campaigns.eligible_heads(campaign.id, kinds) if m.person.active]
    if unit_id is not None:
        heads = [m for m in heads if m.unit_id == unit_id]
    else:
        registered = await uow.registrations.live_unit_ids(campaign.id)
        wanted = (
            (lambda u: u not in registered) if deadline.kind == REGISTRATION else (lambda u: u in registered)
        )
        heads = [m for m in heads if wanted(m.unit_id)]
    recipients = [Recipient(m.person.telegram_id, m.person.locale, unit_id=m.unit_id) for m in heads]
    if unit_id is None:
        groups = await uow.group_chats.linked_within(campaign.id)
        recipients += [Recipient(g.telegram_chat_id, None, unit_id=g.unit_id, group=g) for g in groups]
    return recipients
