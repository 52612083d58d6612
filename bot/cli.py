"""The `thidua` command: run the bot (polling or webhook), migrate, import units, invite, add admins."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import default_translator
from bot.services.errors import DomainError
from storage.db import Database
from storage.models import Role

_ = default_translator().gettext
log = logging.getLogger("thidua")


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand with its help, in Vietnamese."""
    parser = argparse.ArgumentParser(
        prog="thidua",
        description=_(
            "Thi Đua Bot: emulation campaigns of local government on Telegram. Settings come from the "
            "environment or a .env file (THIDUA_BOT_TOKEN, THIDUA_DATABASE_URL …, see the README)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("COMMAND"))

    commands.add_parser(
        "run",
        help=_(
            "run the bot with long polling (upgrades the database first); without a token, run the offline "
            "sandbox"
        ),
    )

    sandbox = commands.add_parser(
        "sandbox", help=_("try the bot in a browser with demo data, offline, without a Telegram token")
    )
    sandbox.add_argument(
        "--host", default="127.0.0.1", help=_("loopback address to serve the page on (default: %(default)s)")
    )
    sandbox.add_argument("--port", type=int, default=8080, help=_("port of the page (default: %(default)s)"))
    sandbox.add_argument(
        "--data",
        type=Path,
        default=Path(".thidua-sandbox"),
        help=_("folder for the sandbox's database and files, wiped at every start (default: %(default)s)"),
    )

    webhook = commands.add_parser("webhook", help=_("run the bot behind a public HTTPS webhook"))
    webhook.add_argument(
        "--listen", default="127.0.0.1", help=_("address to listen on (default: %(default)s)")
    )
    webhook.add_argument("--port", type=int, default=8443, help=_("port to listen on (default: %(default)s)"))
    webhook.add_argument("--url", required=True, help=_("public HTTPS URL that Telegram posts updates to"))
    webhook.add_argument(
        "--secret",
        required=True,
        help=_("secret token Telegram sends in every request (1-256 of A-Z a-z 0-9 _ -)"),
    )

    database = commands.add_parser("db", help=_("database maintenance"))
    database_commands = database.add_subparsers(dest="db_command", required=True, metavar=_("COMMAND"))
    database_commands.add_parser("upgrade", help=_("create or upgrade the database tables"))

    units = commands.add_parser("units", help=_("the list of units"))
    unit_commands = units.add_subparsers(dest="units_command", required=True, metavar=_("COMMAND"))
    unit_import = unit_commands.add_parser(
        "import", help=_("import or update units from an .xlsx or .csv file")
    )
    unit_import.add_argument("file", type=Path, help=_("the .xlsx or .csv file (see examples/don_vi.csv)"))
    unit_import.add_argument(
        "--skip-bad", action="store_true", help=_("import the good rows even when some rows have errors")
    )

    invites = commands.add_parser("invites", help=_("print invite links and write their QR codes"))
    invites.add_argument(
        "--unit",
        action="append",
        metavar=_("CODE"),
        help=_("only this unit (repeatable); default: every village, residential group and agency"),
    )
    invites.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.unit_head.value,
        help=_("the role the invite gives (default: %(default)s)"),
    )
    invites.add_argument(
        "--days", type=int, help=_("days an invite stays valid (default: THIDUA_INVITE_DAYS or 30)")
    )
    invites.add_argument(
        "--out",
        type=Path,
        default=Path("invites"),
        help=_("folder for the QR code pictures (default: %(default)s)"),
    )
    invites.add_argument("--revoke", metavar=_("TOKEN"), help=_("revoke this invite token instead"))

    campaigns = commands.add_parser("campaigns", help=_("emulation campaigns"))
    campaign_commands = campaigns.add_subparsers(
        dest="campaigns_command", required=True, metavar=_("COMMAND")
    )
    campaign_import = campaign_commands.add_parser(
        "import", help=_("check a campaign file (.yaml or .xlsx) and save it as a draft")
    )
    campaign_import.add_argument("file", type=Path, help=_("the campaign file (see examples/campaigns)"))
    campaign_commands.add_parser("list", help=_("list the campaigns with their registrations"))
    for action, text in (
        ("launch", _("launch a draft: announcements go out through the running bot")),
        ("close", _("close a launched campaign")),
    ):
        campaign_action = campaign_commands.add_parser(action, help=text)
        campaign_action.add_argument("code", help=_("the campaign code"))
    campaign_export = campaign_commands.add_parser(
        "export", help=_("write an Excel file: the score sheet, the registrations or the evidence matrix")
    )
    campaign_export.add_argument("code", help=_("the campaign code"))
    campaign_export.add_argument("what", choices=("scores", "registrations", "evidence"))
    campaign_export.add_argument("--out", type=Path, required=True, help=_("the .xlsx file to write"))

    admins = commands.add_parser("admins", help=_("admins of units"))
    admin_commands = admins.add_subparsers(dest="admins_command", required=True, metavar=_("COMMAND"))
    admin_add = admin_commands.add_parser(
        "add", help=_("make a Telegram user an admin of a unit and its subtree")
    )
    admin_add.add_argument(
        "telegram_id", type=int, metavar="TELEGRAM_ID", help=_("the person's Telegram user id")
    )
    admin_add.add_argument("--unit", metavar=_("CODE"), help=_("the unit (default: the only top-level unit)"))

    reviewers = commands.add_parser("reviewers", help=_("reviewers: the offices responsible for criteria"))
    reviewer_commands = reviewers.add_subparsers(
        dest="reviewers_command", required=True, metavar=_("COMMAND")
    )
    reviewer_add = reviewer_commands.add_parser(
        "add", help=_("make a Telegram user a reviewer of an office for a unit and its subtree")
    )
    reviewer_add.add_argument(
        "telegram_id", type=int, metavar="TELEGRAM_ID", help=_("the person's Telegram user id")
    )
    reviewer_add.add_argument(
        "--unit", metavar=_("CODE"), help=_("the unit (default: the only top-level unit)")
    )
    reviewer_add.add_argument(
        "--office", required=True, help=_('the office as the campaign files name it, e.g. "Kiểm lâm địa bàn"')
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `thidua` console command."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = load_settings()
        return COMMANDS[args.command](settings, args)
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return 2
    except DomainError as error:
        print(error.render(default_translator()), file=sys.stderr)
        return 1


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.token:
        print(_("THIDUA_BOT_TOKEN is not set: starting the offline sandbox instead."))
        return _sandbox(settings, build_parser().parse_args(["sandbox"]))
    application = _prepared_application(settings)
    application.run_polling(drop_pending_updates=False)
    return 0


def _sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from sandbox.serve import PortUnavailable, serve

    def announce(url: str) -> None:
        print(_("The sandbox is running: open {url} in a browser. Stop it with Ctrl+C.").format(url=url))

    try:
        asyncio.run(serve(args.host, args.port, args.data, settings.locale, settings.timezone, announce))
    except KeyboardInterrupt:
        return 0
    except ValueError as error:  # a host that is not loopback
        raise ConfigError(f"--host: {error}") from None
    except PortUnavailable as error:
        raise ConfigError(
            f"--port {error.port}: "
            + _("cannot listen there ({reason}); choose another port with --port").format(reason=error.reason)
        ) from None
    return 0


def _webhook(settings: Settings, args: argparse.Namespace) -> int:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", args.secret):
        raise ConfigError("--secret: " + _("use 1-256 characters of A-Z a-z 0-9 _ -"))
    application = _prepared_application(settings)
    url_path = args.url.split("://", 1)[-1].partition("/")[2]
    application.run_webhook(
        listen=args.listen, port=args.port, url_path=url_path, webhook_url=args.url, secret_token=args.secret
    )
    return 0


def _prepared_application(settings: Settings):
    from bot.app import build_application

    settings.require_token()
    asyncio.run(_upgrade(settings))
    return build_application(settings, Database(settings.database_url))


async def _upgrade(settings: Settings) -> None:
    from storage.migrate import upgrade

    database = Database(settings.database_url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


def _db(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(_upgrade(settings))
    print(_("The database is up to date: {url}").format(url=_safe_url(settings.database_url)))
    return 0


def _safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _units(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_tasks import import_unit_file

    return asyncio.run(import_unit_file(settings, args.file, args.skip_bad))


def _invites(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_tasks import print_invites, revoke

    if args.revoke:
        return asyncio.run(revoke(settings, args.revoke))
    return print_invites(settings, args.unit, Role(args.role), args.days or settings.invite_days, args.out)


def _campaigns(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_campaigns import CAMPAIGN_COMMANDS

    return CAMPAIGN_COMMANDS[args.campaigns_command](settings, args)


def _admins(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_tasks import add_admin

    return asyncio.run(add_admin(settings, args.telegram_id, args.unit))


def _reviewers(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_tasks import add_reviewer

    return asyncio.run(add_reviewer(settings, args.telegram_id, args.unit, args.office))


COMMANDS = {
    "run": _run,
    "sandbox": _sandbox,
    "webhook": _webhook,
    "db": _db,
    "units": _units,
    "invites": _invites,
    "campaigns": _campaigns,
    "admins": _admins,
    "reviewers": _reviewers,
}
