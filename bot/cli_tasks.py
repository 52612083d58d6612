"""The work behind the `thidua` subcommands that touch the database: each opens, works, disposes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.i18n import default_translator
from bot.services.invites import ensure_invites, invite_link, qr_png, revoke_invite
from bot.services.members import grant_role
from bot.services.text import display_name
from bot.services.unit_import import ImportFileError, import_units, read_unit_file
from storage.db import Database, UnitOfWork
from storage.migrate import upgrade
from storage.models import Role

t = default_translator()
_ = t.gettext


@asynccontextmanager
async def transaction(settings: Settings) -> AsyncIterator[UnitOfWork]:
    """One transaction on an up-to-date database, closed afterwards."""
    database = Database(settings.database_url)
    try:
        await upgrade(database)
        async with database.unit_of_work() as uow:
            yield uow
    finally:
        await database.dispose()


async def import_unit_file(settings: Settings, path: Path, skip_bad: bool) -> int:
    """`thidua units import FILE`: import, then report each bad row with its number and reason."""
    try:
        rows = read_unit_file(path)
    except ImportFileError as error:
        print(_(error.message).format(**error.params))
        return 1
    except OSError as error:
        print(_("Cannot read {path}: {reason}").format(path=path, reason=error.strerror))
        return 1
    async with transaction(settings) as uow:
        report = await import_units(uow, rows, skip_bad=skip_bad)
    for problem in report.problems:
        print(
            _("Row {row}: {reason}").format(
                row=problem.number, reason=_(problem.message).format(**problem.params)
            )
        )
    if not report.applied:
        print(
            _(
                "Nothing was imported: {count} rows have errors. Fix them, or add --skip-bad to import "
                "the other rows."
            ).format(count=len(report.problems))
        )
        return 1
    print(
        _("Imported: {created} new, {updated} updated, {unchanged} unchanged, {skipped} skipped.").format(
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=len(report.problems),
        )
    )
    return 0


def print_invites(settings: Settings, codes: Sequence[str] | None, role: Role, days: int, out: Path) -> int:
    """`thidua invites`: a live link per unit, printed, and its QR code written as <code>.png."""
    lines = asyncio.run(_live_invites(settings, codes, role, days))
    out.mkdir(parents=True, exist_ok=True)
    for code, name, link, expires_at in lines:
        (out / f"{_file_stem(code)}.png").write_bytes(qr_png(link))
        valid = _("valid until {date}").format(date=t.date(expires_at))
        print(f"{code}\t{name}\t{link}\t{valid}")
    print(_("{count} invites; QR codes in {folder}").format(count=len(lines), folder=out))
    return 0


async def _live_invites(
    settings: Settings, codes: Sequence[str] | None, role: Role, days: int
) -> list[tuple[str, str, str, datetime]]:
    """Code, name, link and expiry of a live invite per unit, creating the missing ones."""
    username = settings.bot_username or await bot_username(settings)
    async with transaction(settings) as uow:
        invites = await ensure_invites(uow, codes, role, days)
        return [
            (
                invite.unit.code,
                display_name(invite.unit),
                invite_link(username, invite.token),
                invite.expires_at,
            )
            for invite in invites
        ]


def _file_stem(code: str) -> str:
    """A unit code made safe as a file name."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", code) or "unit"


async def bot_username(settings: Settings) -> str:
    """The bot's @username, asked from the Bot API when THIDUA_BOT_USERNAME is not set."""
    from telegram import Bot

    async with Bot(
        settings.require_token(), base_url=settings.base_url, base_file_url=settings.base_file_url
    ) as bot:
        return bot.username


async def revoke(settings: Settings, token: str) -> int:
    """`thidua invites --revoke TOKEN`."""
    async with transaction(settings) as uow:
        invite = await revoke_invite(uow, token)
        name = display_name(invite.unit)
    print(_("Invite for {unit} revoked.").format(unit=name))
    return 0


async def add_admin(settings: Settings, telegram_id: int, unit_code: str | None) -> int:
    """`thidua admins add TELEGRAM_ID [--unit CODE]`."""
    async with transaction(settings) as uow:
        membership = await grant_role(uow, telegram_id, unit_code, Role.admin)
        name = display_name(membership.unit)
    print(
        _("{telegram_id} is now an admin of {unit} and every unit under it.").format(
            telegram_id=telegram_id, unit=name
        )
    )
    return 0


async def add_reviewer(settings: Settings, telegram_id: int, unit_code: str | None, office: str) -> int:
    """`thidua reviewers add TELEGRAM_ID --office OFFICE [--unit CODE]`."""
    async with transaction(settings) as uow:
        membership = await grant_role(uow, telegram_id, unit_code, Role.reviewer, office.strip())
        name = display_name(membership.unit)
    print(
        _("{telegram_id} now reviews the criteria of “{office}” for {unit} and every unit under it.").format(
            telegram_id=telegram_id, office=office.strip(), unit=name
        )
    )
    return 0
