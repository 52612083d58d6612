"""Admins run campaigns in chat: send the campaign file, launch, follow acknowledgements, close."""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.services.access import require_admin_scope
from bot.services.campaign_file import CampaignFileError, FileProblem, load_campaign_file
from bot.services.campaign_reports import acknowledgements, admin_campaigns
from bot.services.campaigns import administered_campaign, close_campaign, launch_campaign, save_campaign
from bot.services.deadlines import deadlines_for
from bot.services.errors import FileTooLarge, UnsupportedCampaignFile
from bot.services.text import display_name
from handlers.campaign_texts import STATUS_NAMES, announcement, campaign_summary
from handlers.keyboards import confirm_keyboard
from handlers.turn import Turn, handler
from storage.models import Campaign, CampaignStatus, RegistrationStatus

CAMPAIGN_FILE_SUFFIXES = (".yaml", ".yml", ".xlsx")
CAMPAIGN_FILE_MAX_BYTES = 2 * 1024 * 1024
PROBLEMS_SHOWN = 15
NAMES_SHOWN = 30


def problem_line(t: Translator, problem: FileProblem) -> str:
    """Where and what is wrong in a campaign file, in the reader's language."""
    return f"• {escape(problem.render(t.gettext))}"


def admin_keyboard(t: Translator, campaign: Campaign, pending: int = 0) -> InlineKeyboardMarkup:
    """What an admin can do with the campaign now."""
    cid = campaign.id
    rows: list[list[InlineKeyboardButton]] = []
    if campaign.status == CampaignStatus.draft:
        rows.append([InlineKeyboardButton(t.gettext("🚀 Launch"), callback_data=f"cmp:launch:{cid}")])
    if campaign.status == CampaignStatus.launched:
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("📋 Waiting for approval ({count})").format(count=pending),
                    callback_data=f"cmp:queue:{cid}",
                )
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(t.gettext("📬 Acknowledgements"), callback_data=f"cmp:acks:{cid}"),
                InlineKeyboardButton(t.gettext("⏰ Extend"), callback_data=f"cmp:extend:{cid}"),
            ]
        )
    if campaign.status != CampaignStatus.draft:
        rows.append(
            [
                InlineKeyboardButton(t.gettext("📊 Registrations"), callback_data=f"cmp:stats:{cid}"),
                InlineKeyboardButton(t.gettext("🗂 Evidence"), callback_data=f"cmp:evidence:{cid}"),
            ]
        )
        rows.append(
            [InlineKeyboardButton(t.gettext("🏆 Scores and ranking"), callback_data=f"cmp:rank:{cid}")]
        )
        rows.append(
            [
                InlineKeyboardButton(t.gettext("📥 Registrations (Excel)"), callback_data=f"cmp:regx:{cid}"),
                InlineKeyboardButton(t.gettext("📥 Evidence (Excel)"), callback_data=f"cmp:evx:{cid}"),
            ]
        )
    if campaign.status == CampaignStatus.launched:
        rows.append(
            [InlineKeyboardButton(t.gettext("🔒 Close the campaign"), callback_data=f"cmp:close:{cid}")]
        )
    return InlineKeyboardMarkup(rows)


@handler
async def receive_campaign_file(turn: Turn) -> None:
    """A document from an admin: a campaign file (.yaml or .xlsx), checked and saved as a draft."""
    document = turn.update.effective_message.document
    name = document.file_name or ""
    async with turn.work() as uow:
        await require_admin_scope(uow, turn.actor)
    if not name.lower().endswith(CAMPAIGN_FILE_SUFFIXES):
        raise UnsupportedCampaignFile()
    if (document.file_size or 0) > CAMPAIGN_FILE_MAX_BYTES:
        raise FileTooLarge(size="2 MB")
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"campaign{suffix}"  # never the sender's file name on disk
        await (await document.get_file()).download_to_drive(path)
        try:
            definition = load_campaign_file(path)
        except CampaignFileError as error:
            await _report_problems(turn, error)
            return
    async with turn.work() as uow:
        campaign = await save_campaign(uow, turn.actor, definition)
        deadlines = await deadlines_for(uow, campaign.id, None)
    _ = turn._
    text = _("Saved as a draft:") + "\n\n" + campaign_summary(turn.t, campaign, deadlines)
    await turn.reply(text, admin_keyboard(turn.t, campaign))


async def _report_problems(turn: Turn, error: CampaignFileError) -> None:
    lines = [
        turn._("The campaign file has {count} problems; nothing was saved:").format(count=len(error.problems))
    ]
    lines += [problem_line(turn.t, problem) for problem in error.problems[:PROBLEMS_SHOWN]]
    if len(error.problems) > PROBLEMS_SHOWN:
        lines.append(turn._("… and {count} more.").format(count=len(error.problems) - PROBLEMS_SHOWN))
    await turn.reply_lines(lines)


@handler
async def list_campaigns(turn: Turn) -> None:
    """ "Manage campaigns" in the menu."""
    await show_admin_campaigns(turn)


async def show_admin_campaigns(turn: Turn) -> None:
    """The campaigns organized by the admin's units, with registration counts."""
    async with turn.work() as uow:
        lines = await admin_campaigns(uow, turn.actor)
    _ = turn._
    if not lines:
        await turn.reply(
            _(
                "No campaign yet. Send the campaign file (.yaml or .xlsx) here to create one; "
                "templates are in examples/campaigns."
            )
        )
        return
    rows = []
    for line in lines:
        counts = line.registrations
        label = _("{name} – {status}, {approved} approved, {pending} waiting").format(
            name=line.campaign.name[:40],
            status=_(STATUS_NAMES[line.campaign.status]),
            approved=counts.get(RegistrationStatus.approved, 0),
            pending=counts.get(RegistrationStatus.pending, 0),
        )
        rows.append([InlineKeyboardButton(label, callback_data=f"cmp:view:{line.campaign.id}")])
    await turn.reply(_("Campaigns you manage:"), InlineKeyboardMarkup(rows))


@handler
async def view_campaign(turn: Turn) -> None:
    """A campaign in the admin's list: summary, state and the actions that fit its state."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign = await administered_campaign(uow, turn.actor, campaign_id)
        deadlines = await deadlines_for(uow, campaign.id, None)
        counts = await uow.registrations.counts_by_campaign([campaign.id])
    pending = counts.get(campaign.id, {}).get(RegistrationStatus.pending, 0)
    status = turn._(STATUS_NAMES[campaign.status])
    await turn.reply(
        f"{campaign_summary(turn.t, campaign, deadlines)}\n\n{status}",
        admin_keyboard(turn.t, campaign, pending),
    )


@handler
async def ask_launch(turn: Turn) -> None:
    """🚀 Launch: confirm first, it sends to every eligible unit head and group."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign = await administered_campaign(uow, turn.actor, campaign_id)
    _ = turn._
    keyboard = confirm_keyboard(
        turn.t, _("🚀 Yes, launch"), f"cmp:launchok:{campaign.id}", f"cmp:view:{campaign.id}"
    )
    await turn.edit(
        _(
            "Launch “{name}”? The announcement goes to every eligible unit head and every linked group chat."
        ).format(name=escape(campaign.name)),
        keyboard,
    )


@handler
async def launch(turn: Turn) -> None:
    """Confirmed launch: open the campaign and queue the announcements."""
    campaign_id = turn.callback_id(2)
    username = turn.context.bot.username
    services = turn.services

    def render(campaign, recipient, announcement_id):
        return announcement(
            campaign, recipient, announcement_id, username, services.translator(recipient.locale)
        )

    async with turn.work() as uow:
        result = await launch_campaign(uow, turn.actor, campaign_id, render)
    services.queued()
    await turn.edit(
        turn._(
            "Launched “{name}”: the announcement is being sent to {heads} unit heads and "
            "{groups} group chats."
        ).format(name=escape(result.campaign.name), heads=result.unit_heads, groups=result.groups)
    )


@handler
async def show_acknowledgements(turn: Turn) -> None:
    """📬 Who acknowledged the announcement, who has not yet, and who cannot be reached."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign, report = await acknowledgements(uow, turn.actor, campaign_id)
    _ = turn._

    def names(announcements) -> str:
        shown = [
            escape(a.group_chat.title if a.group_chat else display_name(a.unit) if a.unit else str(a.chat_id))
            for a in announcements[:NAMES_SHOWN]
        ]
        more = len(announcements) - len(shown)
        return ", ".join(shown) + (_(" and {count} more").format(count=more) if more > 0 else "")

    lines = [
        f"📬 <b>{escape(campaign.name)}</b>",
        _("✅ Acknowledged: {count}").format(count=len(report.acknowledged)),
        names(report.acknowledged),
        _("⏳ Not yet: {count}").format(count=len(report.waiting)),
        names(report.waiting),
        _("🚫 Unreachable (bot blocked or removed): {count}").format(count=len(report.unreachable)),
        names(report.unreachable),
    ]
    await turn.reply_lines([line for line in lines if line])


@handler
async def ask_close(turn: Turn) -> None:
    """🔒 Close: confirm first."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign = await administered_campaign(uow, turn.actor, campaign_id)
    _ = turn._
    keyboard = confirm_keyboard(
        turn.t, _("🔒 Yes, close"), f"cmp:closeok:{campaign.id}", f"cmp:view:{campaign.id}"
    )
    await turn.edit(
        _("Close “{name}”? Units can no longer register.").format(name=escape(campaign.name)), keyboard
    )


@handler
async def close(turn: Turn) -> None:
    """Confirmed close."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign = await close_campaign(uow, turn.actor, campaign_id)
    await turn.edit(turn._("“{name}” is closed.").format(name=escape(campaign.name)))
