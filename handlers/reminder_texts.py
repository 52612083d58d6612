"""How reminders, late lists and digests read: short, in the reader's language, with the button to act."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, Translator
from bot.services.campaign_file_model import DeadlineKind
from bot.services.digests import REVIEW_SERVICE_DAYS, Digest
from bot.services.reminders import Pass, Reminder
from bot.services.text import display_name
from handlers.campaign_texts import button
from storage.models import Deadline, Unit

Buttons = list[list[dict[str, str]]]
MISSING_SHOWN = 8
LATE_SHOWN = 40
WHAT = {
    DeadlineKind.registration: N_("registration"),
    DeadlineKind.evidence: N_("evidence"),
    DeadlineKind.self_scoring: N_("self-scoring"),
    DeadlineKind.report: N_("report"),
}
ACTION = {
    DeadlineKind.registration: (N_("📝 Register now"), "reg:open:{campaign}"),
    DeadlineKind.evidence: (N_("📸 Send evidence"), "ev:camp:{campaign}"),
    DeadlineKind.self_scoring: (N_("🧮 Score now"), "sc:camp:{campaign}"),
}


def what(t: Translator, deadline: Deadline) -> str:
    """The deadline as people name it: its label ("Báo cáo 6 tháng"), else its kind."""
    return deadline.label or t.gettext(WHAT.get(DeadlineKind(deadline.kind), N_("report")))


def reminder(t: Translator, item: Reminder) -> tuple[str, Buttons]:
    """A reminder worded from the real days left: “còn 3 ngày”, “hôm nay”, or “đã quá hạn”."""
    _ = t.gettext
    params = {
        "what": escape(what(t, item.deadline)),
        "campaign": escape(item.campaign.name),
        "date": t.date(item.due),
        "days": item.days_left,
        "unit": escape(display_name(item.behind.unit)),
    }
    if item.days_left > 0:
        head = t.ngettext(
            "⏰ {days} day left for {what} ({date}) in “{campaign}”.",
            "⏰ {days} days left for {what} ({date}) in “{campaign}”.",
            item.days_left,
        )
    elif item.days_left == 0:
        head = _("⏰ Today ({date}) is the last day for {what} in “{campaign}”.")
    else:
        head = _("⚠️ The deadline for {what} ({date}) in “{campaign}” has passed.")
    lines = [head.format(**params)]
    kind = DeadlineKind(item.deadline.kind)
    if kind == DeadlineKind.registration:
        lines.append(_("{unit} has not registered yet.").format(**params))
    elif kind == DeadlineKind.self_scoring:
        lines.append(_("{unit} has not sent its self-score yet.").format(**params))
    elif kind == DeadlineKind.evidence:
        codes = ", ".join(item.behind.missing[:MISSING_SHOWN])
        if len(item.behind.missing) > MISSING_SHOWN:
            codes += _(" and {count} more").format(count=len(item.behind.missing) - MISSING_SHOWN)
        lines.append(
            _("Criteria of {unit} without approved evidence: {codes}.").format(codes=codes, **params)
        )
    if item.days_left < 0:
        lines.append(_("Please finish as soon as possible or contact the commune."))
    action = ACTION.get(kind)
    buttons = (
        [[button(_(action[0]), callback_data=action[1].format(campaign=item.campaign.id))]] if action else []
    )
    return "\n".join(lines), buttons


def late_list(t: Translator, job: Pass, units: list[Unit]) -> tuple[str, Buttons]:
    """The units late for a deadline, for the admins responsible for them."""
    _ = t.gettext
    lines = [
        _("📋 <b>Late for {what}</b> ({date}) – {campaign}: {count} units").format(
            what=escape(what(t, job.deadline)),
            date=t.date(job.due),
            campaign=escape(job.campaign.name),
            count=len(units),
        )
    ]
    names = sorted(display_name(unit) for unit in units)
    lines += [f"• {escape(name)}" for name in names[:LATE_SHOWN]]
    if len(names) > LATE_SHOWN:
        lines.append(_("… and {count} more.").format(count=len(names) - LATE_SHOWN))
    return "\n".join(lines), [[button(_("🗂 Open the campaign"), callback_data=f"cmp:view:{job.campaign.id}")]]


def digest(t: Translator, found: Digest) -> tuple[str, Buttons]:
    """The admin's morning summary."""
    _ = t.gettext
    lines = [_("☀️ <b>Today's summary</b>")]
    if found.pending_registrations:
        lines.append(
            _("📋 Registrations waiting for approval: {count}").format(count=found.pending_registrations)
        )
    if found.waiting_evidence:
        line = _("🖼 Evidence waiting for review: {count}").format(count=found.waiting_evidence)
        if found.late_evidence:
            line += " " + _("({count} waiting more than {days} days)").format(
                count=found.late_evidence, days=REVIEW_SERVICE_DAYS
            )
        lines.append(line)
    for campaign, view in found.upcoming:
        name = view.label or _(WHAT.get(DeadlineKind(view.kind), N_("report")))
        lines.append(
            _("⏰ {what} – {campaign}: {date}").format(
                what=escape(name[:1].upper() + name[1:]),
                campaign=escape(campaign.name),
                date=t.date(view.due),
            )
        )
    buttons = [[button(_("🗂 Manage campaigns"), callback_data="menu:manage")]]
    if found.waiting_evidence:
        buttons.append([button(_("🖼 Review evidence"), callback_data="menu:review")])
    return "\n".join(lines), buttons
