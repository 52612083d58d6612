"""How evidence reads in chat: state marks, the reviewer's notice and card, the outcome for the unit head."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, Translator
from bot.services.evidence import criterion_of
from bot.services.evidence_review import Reuse
from bot.services.text import display_name
from handlers.campaign_texts import button
from storage.models import Evidence, EvidenceStatus, Person
from storage.outbox import Outgoing

STATE_MARKS = {
    None: "➖",
    EvidenceStatus.submitted: "⏳",
    EvidenceStatus.approved: "✅",
    EvidenceStatus.rejected: "❌",
    EvidenceStatus.more_requested: "📝",
}
OUTCOME_NAMES = {
    EvidenceStatus.approved: N_("✅ approved"),
    EvidenceStatus.rejected: N_("❌ rejected"),
    EvidenceStatus.more_requested: N_("📝 more evidence requested"),
}


def evidence_title(t: Translator, evidence: Evidence) -> str:
    """Unit, campaign and criterion of a submission, with its version."""
    criterion = criterion_of(evidence)
    return t.gettext("{unit} – {campaign}\nCriterion {code}: {name} (version {version})").format(
        unit=escape(display_name(evidence.unit)),
        campaign=escape(evidence.campaign.name),
        code=escape(criterion.code),
        name=escape(criterion.name),
        version=evidence.version,
    )


def review_notice(t: Translator, evidence: Evidence) -> tuple[str, list[list[dict[str, str]]]]:
    """The queued message telling a reviewer that evidence waits for them."""
    text = t.gettext("🖼 <b>New evidence to review</b>") + "\n" + evidence_title(t, evidence)
    return text, [[button(t.gettext("👁 View and decide"), callback_data=f"ev:show:{evidence.id}")]]


def review_card(t: Translator, evidence: Evidence, reuses: list[Reuse]) -> str:
    """What the reviewer reads under the photos: who, what, when, the caption and any reuse warning."""
    lines = [evidence_title(t, evidence)]
    if evidence.submitted_at:
        lines.append(t.gettext("Sent at {time}").format(time=t.datetime(evidence.submitted_at)))
    if evidence.caption:
        lines.append(t.gettext("Caption: {caption}").format(caption=escape(evidence.caption)))
    if evidence.latitude is not None:
        lines.append(
            t.gettext("📍 Location: {lat}, {lon}").format(
                lat=t.number(round(evidence.latitude, 5)), lon=t.number(round(evidence.longitude, 5))
            )
        )
    for reuse in reuses:
        other = reuse.other_evidence
        when = t.date(other.submitted_at or other.created_at)
        key = (
            N_("⚠️ A file is identical to evidence of {unit} sent on {date}.")
            if reuse.exact
            else N_("⚠️ A photo matches evidence of {unit} sent on {date}.")
        )
        lines.append(t.gettext(key).format(unit=escape(display_name(other.unit)), date=when))
    return "\n".join(lines)


def decision_buttons(t: Translator, evidence_id: int) -> list[list[dict[str, str]]]:
    return [
        [
            button(t.gettext("✅ Approve"), callback_data=f"ev:ok:{evidence_id}"),
            button(t.gettext("❌ Reject"), callback_data=f"ev:no:{evidence_id}"),
        ],
        [button(t.gettext("📝 Ask for more"), callback_data=f"ev:more:{evidence_id}")],
    ]


def outcome_notice(t: Translator, evidence: Evidence) -> str:
    """What the unit head is told of the decision."""
    text = t.gettext("Evidence {outcome}:").format(outcome=t.gettext(OUTCOME_NAMES[evidence.status]))
    text += "\n" + evidence_title(t, evidence)
    if evidence.decision_reason:
        text += "\n" + t.gettext("Reason: {reason}").format(reason=escape(evidence.decision_reason))
    if evidence.status != EvidenceStatus.approved:
        text += "\n" + t.gettext("Send a new version with /minhchung.")
    return text


def draft_reminder(t: Translator, draft: Evidence, count: int, person: Person) -> Outgoing:
    """The one reminder of a draft left unsent."""
    text = t.gettext(
        "📸 You have {count} evidence files that were not sent for review yet. They are kept; "
        "open /minhchung, choose the criterion and press “Send for review”."
    ).format(count=count)
    return Outgoing(f"draft-reminder:{draft.id}", person.telegram_id, text)
