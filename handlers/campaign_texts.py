"""How campaigns read in chat: summaries, deadlines, announcements and notices queued in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from bot.i18n import N_, Translator
from bot.services.campaign_file import CampaignDefinition
from bot.services.campaigns import Recipient, definition_of
from bot.services.deadlines import DeadlineView
from storage.models import Campaign, CampaignStatus, Deadline, Registration, RegistrationStatus
from storage.outbox import Outgoing

DEADLINE_NAMES = {
    "registration": N_("Registration"),
    "evidence": N_("Evidence"),
    "self_scoring": N_("Self-scoring"),
    "review": N_("Review"),
    "report": N_("Report"),
}
STATUS_NAMES = {
    CampaignStatus.draft: N_("📝 draft"),
    CampaignStatus.launched: N_("📣 launched"),
    CampaignStatus.closed: N_("🔒 closed"),
}
REGISTRATION_STATES = {
    None: N_("➖ not registered"),
    RegistrationStatus.pending: N_("⏳ registered, waiting for approval"),
    RegistrationStatus.approved: N_("✅ registered and approved"),
}
CRITERIA_SHOWN = 12


def deadline_name(t: Translator, kind: str, label: str) -> str:
    """A deadline's own label (\"Báo cáo 6 tháng\"), else the name of its kind."""
    return label or t.gettext(DEADLINE_NAMES.get(kind, N_("Deadline")))


def deadline_lines(t: Translator, deadlines: Sequence[DeadlineView | Deadline]) -> list[str]:
    """One line per deadline with its date as dd/MM/yyyy, marking extended ones."""
    lines = []
    for deadline in deadlines:
        extended = t.gettext(" (extended)") if getattr(deadline, "extended", False) else ""
        lines.append(
            f"• {escape(deadline_name(t, deadline.kind, deadline.label))}: {t.date(deadline.due)}{extended}"
        )
    return lines


def scale_lines(t: Translator, definition: CampaignDefinition) -> list[str]:
    """The scale in brief: each indicator with its criteria and their maximum points."""
    lines, shown = [], 0
    for indicator in definition.indicators:
        lines.append(f"<b>{escape(indicator.code)}. {escape(indicator.name)}</b>")
        for criterion in indicator.criteria:
            if shown == CRITERIA_SHOWN:
                lines.append(t.gettext("… and more criteria"))
                return lines
            shown += 1
            points = t.ngettext("{points} point", "{points} points", int(criterion.max_points)).format(
                points=t.number(criterion.max_points)
            )
            lines.append(f"  – {escape(criterion.code)} {escape(criterion.name)} ({points})")
    return lines


def campaign_summary(t: Translator, campaign: Campaign, deadlines: Sequence[DeadlineView | Deadline]) -> str:
    """Name, period, what it asks and its deadlines: what a village head reads before registering."""
    definition = definition_of(campaign)
    lines = [
        f"📣 <b>{escape(campaign.name)}</b>",
        t.gettext("Period: {start} – {end}").format(
            start=t.date(definition.period_start), end=t.date(definition.period_end)
        ),
    ]
    if definition.description:
        lines += ["", escape(definition.description)]
    if deadlines:
        lines += ["", t.gettext("<b>Deadlines</b>"), *deadline_lines(t, deadlines)]
    if definition.indicators:
        lines += ["", t.gettext("<b>Scale</b>"), *scale_lines(t, definition)]
    return "\n".join(lines)


def registration_state(t: Translator, registration: Registration | None) -> str:
    """The unit's registration in a few words."""
    status = registration.status if registration else None
    text = t.gettext(REGISTRATION_STATES.get(status, REGISTRATION_STATES[None]))
    return f"{text}: {escape(registration.title.name)}" if registration else text


def button(text: str, callback_data: str | None = None, url: str | None = None) -> dict[str, str]:
    """An inline button as stored with a queued message."""
    return (
        {"text": text, "callback_data": callback_data} if callback_data else {"text": text, "url": url or ""}
    )


def campaign_deep_link(bot_username: str, campaign_id: int) -> str:
    """Opens the campaign in a private chat with the bot (registration never happens in a group)."""
    return f"https://t.me/{bot_username}?start=camp_{campaign_id}"


def announcement(
    campaign: Campaign, recipient: Recipient, announcement_id: int, bot_username: str, translator: Translator
) -> Outgoing:
    """The launch announcement for one chat: the summary, a "Đăng ký" button and a "Đã nhận" button."""
    t = translator
    text = (
        t.gettext("📣 <b>Campaign launched</b>")
        + "\n\n"
        + campaign_summary(t, campaign, definition_deadlines(campaign))
    )
    if recipient.group is not None:
        register = button(
            t.gettext("📝 Register (private chat)"), url=campaign_deep_link(bot_username, campaign.id)
        )
    else:
        register = button(t.gettext("📝 Register"), callback_data=f"reg:open:{campaign.id}")
    return Outgoing(
        dedupe_key=f"launch:{campaign.id}:{recipient.chat_id}",
        chat_id=recipient.chat_id,
        text=text,
        buttons=[[register], [button(t.gettext("✅ Received"), callback_data=f"ack:{announcement_id}")]],
        is_group=recipient.group is not None,
    )


def definition_deadlines(campaign: Campaign) -> list[DeadlineView]:
    """The deadlines as the campaign file set them (extensions are shown to each unit in its own view)."""
    definition = definition_of(campaign)
    return [DeadlineView(0, d.kind.value, d.label, d.due, False) for d in definition.deadlines]


def extension_notice(
    campaign: Campaign,
    deadline: Deadline,
    new_due: date,
    recipient: Recipient,
    extension_id: int,
    translator: Translator,
) -> Outgoing:
    """Tells a unit head or group that a deadline moved."""
    t = translator
    text = t.gettext("⏰ <b>Deadline extended</b>\n{campaign}: {deadline} is now {date}.").format(
        campaign=escape(campaign.name),
        deadline=escape(deadline_name(t, deadline.kind, deadline.label)),
        date=t.date(new_due),
    )
    buttons = (
        []
        if recipient.group
        else [[button(t.gettext("📣 Open the campaign"), callback_data=f"reg:open:{campaign.id}")]]
    )
    return Outgoing(
        f"extend:{extension_id}:{recipient.chat_id}",
        recipient.chat_id,
        text,
        buttons,
        is_group=recipient.group is not None,
    )
