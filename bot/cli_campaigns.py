"""The `thidua campaigns` subcommands: import a campaign file, list, launch and close campaigns."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date

from bot.cli_tasks import bot_username, transaction
from bot.config import Settings
from bot.i18n import Translator, default_translator
from bot.services.access import Actor
from bot.services.campaign_file import CampaignFileError, load_campaign_file
from bot.services.campaigns import close_campaign, launch_campaign, save_campaign
from bot.services.errors import CampaignNotFound
from bot.services.exports import evidence_file, registrations_file, score_sheet_file
from handlers.campaign_texts import STATUS_NAMES, announcement
from storage.models import Person, RegistrationStatus

t = default_translator()
_ = t.gettext


def import_file(settings: Settings, args: argparse.Namespace) -> int:
    """`thidua campaigns import FILE`: every problem with its line or cell, or the saved draft."""
    try:
        definition = load_campaign_file(args.file)
    except CampaignFileError as error:
        for problem in error.problems:
            print(problem.render(_))
        print(
            _("The campaign file has {count} problems; nothing was saved:").format(count=len(error.problems))
        )
        return 1
    except OSError as error:
        print(_("Cannot read {path}: {reason}").format(path=args.file, reason=error.strerror))
        return 1

    async def save() -> str:
        async with transaction(settings) as uow:
            return (await save_campaign(uow, None, definition)).name

    print(_("Saved as a draft:") + " " + asyncio.run(save()))
    return 0


def list_campaigns(settings: Settings, args: argparse.Namespace) -> int:
    """`thidua campaigns list`: code, status, registrations."""

    async def rows() -> list[str]:
        async with transaction(settings) as uow:
            campaigns = await uow.campaigns.newest(100)
            counts = await uow.registrations.counts_by_campaign([c.id for c in campaigns])
            return [
                "\t".join(
                    (
                        c.code,
                        _(STATUS_NAMES[c.status]),
                        c.name,
                        _("{approved} approved, {pending} waiting").format(
                            approved=counts.get(c.id, {}).get(RegistrationStatus.approved, 0),
                            pending=counts.get(c.id, {}).get(RegistrationStatus.pending, 0),
                        ),
                    )
                )
                for c in campaigns
            ]

    for row in asyncio.run(rows()):
        print(row)
    return 0


def launch(settings: Settings, args: argparse.Namespace) -> int:
    """`thidua campaigns launch CODE`: queue the announcements; the running bot sends them."""

    async def run() -> str:
        username = settings.bot_username or await bot_username(settings)
        async with transaction(settings) as uow:
            campaign = await uow.campaigns.by_code(args.code)
            if campaign is None:
                raise CampaignNotFound()
            result = await launch_campaign(
                uow,
                None,
                campaign.id,
                lambda c, recipient, announcement_id: announcement(
                    c,
                    recipient,
                    announcement_id,
                    username,
                    Translator(recipient.locale or settings.locale, settings.timezone),
                ),
            )
            return _(
                "Launched “{name}”: the announcement is being sent to {heads} unit heads and "
                "{groups} group chats."
            ).format(name=result.campaign.name, heads=result.unit_heads, groups=result.groups)

    print(asyncio.run(run()))
    return 0


def close(settings: Settings, args: argparse.Namespace) -> int:
    """`thidua campaigns close CODE`."""

    async def run() -> str:
        async with transaction(settings) as uow:
            campaign = await uow.campaigns.by_code(args.code)
            if campaign is None:
                raise CampaignNotFound()
            return (await close_campaign(uow, None, campaign.id)).name

    print(_("“{name}” is closed.").format(name=asyncio.run(run())))
    return 0


EXPORTS = {"scores": score_sheet_file, "registrations": registrations_file, "evidence": evidence_file}
OPERATOR = Actor(Person(telegram_id=0, full_name="thidua"), is_operator=True)  # the CLI acts as an operator


def export(settings: Settings, args: argparse.Namespace) -> int:
    """`thidua campaigns export CODE WHAT --out FILE`: the score sheet, registrations or evidence matrix."""

    async def run() -> bytes:
        async with transaction(settings) as uow:
            campaign = await uow.campaigns.by_code(args.code)
            if campaign is None:
                raise CampaignNotFound()
            if args.what == "scores":
                subtitle = _("Score sheet as of {date}").format(date=t.date(date.today()))
                return (await score_sheet_file(uow, OPERATOR, campaign.id, _, subtitle))[1]
            return (await EXPORTS[args.what](uow, OPERATOR, campaign.id, _))[1]

    data = asyncio.run(run())
    args.out.write_bytes(data)
    print(_("Written {path} ({size} bytes).").format(path=args.out, size=len(data)))
    return 0


CAMPAIGN_COMMANDS = {
    "import": import_file,
    "list": list_campaigns,
    "launch": launch,
    "close": close,
    "export": export,
}
