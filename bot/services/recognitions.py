"""Recognition and awards: which unit earned a title, by which decision, and progress against the target."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.services.access import Actor, require_admin_of, require_admin_scope
from bot.services.campaigns import administered_campaign, definition_of
from bot.services.errors import DecisionNeeded, RegistrationNotFound
from storage.db import UnitOfWork
from storage.models import AwardForm, Recognition, Registration, RegistrationStatus, utcnow

DECISION = re.compile(
    r"(?P<number>\S.*?)\s*(?:,|ngày|ngay)?\s+(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\s*"
)


def parse_decision(text: str) -> tuple[str, date]:
    """A decision as officials write it: "125/QĐ-UBND 20/12/2024" or "125/QĐ-UBND ngày 20/12/2024"."""
    match = DECISION.fullmatch(text.strip())
    if match is None:
        raise DecisionNeeded()
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError as error:
        raise DecisionNeeded() from error
    return match["number"][:100], day


async def record_recognition(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: int,
    award_form: AwardForm,
    decision_number: str,
    decided_on: date,
) -> Recognition:
    """Record that a registered unit earned its title, with the award and the decision."""
    registration = await uow.registrations.get(registration_id)
    if registration is None or registration.status != RegistrationStatus.approved:
        raise RegistrationNotFound()
    await require_admin_of(uow, actor, registration.unit_id)
    recognition = Recognition(
        campaign_id=registration.campaign_id,
        unit_id=registration.unit_id,
        unit=registration.unit,
        title_id=registration.title_id,
        title=registration.title,
        award_form=award_form,
        decision_number=decision_number,
        decided_on=decided_on,
        recorded_by_id=actor.id,
        recorded_at=utcnow(),
    )
    uow.scores.add(recognition)
    await uow.flush()
    uow.audit.record(
        actor.id,
        "recognition.add",
        f"registration:{registration.id}",
        award=award_form.value,
        decision=decision_number,
        on=decided_on.isoformat(),
    )
    return recognition


@dataclass(frozen=True)
class TitleProgress:
    """How many eligible units earned a title, as a share, against the campaign's target."""

    name: str
    recognized: int
    eligible: int
    target_percent: Decimal | None

    @property
    def percent(self) -> Decimal:
        """The share recognized, in whole percent as officials report it (114/392 → 29)."""
        if not self.eligible:
            return Decimal(0)
        share = Decimal(100) * self.recognized / self.eligible
        return share.quantize(Decimal(1), rounding=ROUND_HALF_UP)

    @property
    def reached(self) -> bool:
        return self.target_percent is not None and self.percent >= self.target_percent


async def recognitions_of(
    uow: UnitOfWork, actor: Actor, campaign_id: int
) -> tuple[list[Recognition], list[TitleProgress]]:
    """A campaign's recognitions and, per title, the progress against its target."""
    campaign = await administered_campaign(uow, actor, campaign_id)
    recognitions = list(await uow.scores.recognitions(campaign.id))
    progress = []
    titles = {t.code: t for t in await uow.campaigns.titles(campaign.id)}
    for title in definition_of(campaign).titles:
        stored = titles.get(title.code)
        eligible = await uow.campaigns.eligible_units(campaign.id, [k.value for k in title.unit_kinds])
        earned = {r.unit_id for r in recognitions if stored is not None and r.title_id == stored.id}
        progress.append(TitleProgress(title.name, len(earned), len(eligible), title.target_percent))
    return recognitions, progress


async def awardable(uow: UnitOfWork, actor: Actor, campaign_id: int) -> list[Registration]:
    """The approved registrations of a campaign within the admin's scope, by unit name."""
    campaign = await administered_campaign(uow, actor, campaign_id)
    scope = await require_admin_scope(uow, actor)
    mine = None if scope.roots is None else set(await uow.units.subtree_ids(scope.roots))
    approved = [
        r
        for r in await uow.registrations.of_campaign(campaign.id)
        if r.status == RegistrationStatus.approved and (mine is None or r.unit_id in mine)
    ]
    return sorted(approved, key=lambda r: r.unit.name)
