"""Settings read from the environment and an optional `.env`, validated once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.i18n import LOCALES, default_translator

_ = default_translator().gettext

PREFIX = "THIDUA_"
DEFAULT_API_URL = "https://api.telegram.org"


class ConfigError(Exception):
    """A missing or malformed setting; its message is one line naming the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None
    database_url: str
    admin_ids: frozenset[int] = frozenset()
    ops_chat_id: int | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    locale: str = "vi"
    media_dir: Path = Path("media")
    api_url: str = DEFAULT_API_URL
    bot_username: str | None = None
    invite_days: int = 30

    @property
    def base_url(self) -> str:
        """Bot API method base, to which python-telegram-bot appends the token."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Bot API file download base, to which python-telegram-bot appends the token."""
        return f"{self.api_url}/file/bot"

    def require_token(self) -> str:
        """The bot token, or a ConfigError naming the variable when it is missing."""
        if not self.token:
            raise ConfigError(
                f"{PREFIX}BOT_TOKEN: " + _("not set; get a token from @BotFather and put it in .env")
            )
        return self.token


def load_settings(env: dict[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Build Settings from `env` (default: the process environment over the `.env` file)."""
    if env is None:
        file_values = dotenv_values(env_file) if env_file and env_file.exists() else {}
        env = {**{k: v for k, v in file_values.items() if v is not None}, **os.environ}
    get = _Reader(env)
    return Settings(
        token=get.text("BOT_TOKEN", validate=_check_token),
        database_url=normalize_database_url(get.text("DATABASE_URL") or "sqlite+aiosqlite:///thidua.db"),
        admin_ids=frozenset(get.int_list("ADMIN_IDS")),
        ops_chat_id=get.integer("OPS_CHAT_ID"),
        timezone=get.timezone("TIMEZONE", "Asia/Ho_Chi_Minh"),
        locale=get.choice("LOCALE", LOCALES, "vi"),
        media_dir=Path(get.text("MEDIA_DIR") or "media"),
        api_url=(get.text("BOT_API_URL", validate=_check_url) or DEFAULT_API_URL).rstrip("/"),
        bot_username=(get.text("BOT_USERNAME") or "").lstrip("@") or None,
        invite_days=get.integer("INVITE_DAYS") or 30,
    )


def normalize_database_url(url: str) -> str:
    """Pick the async driver for plain `sqlite://` and `postgresql://` URLs."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _check_token(value: str) -> str | None:
    bot_id, _colon, secret = value.partition(":")
    if not bot_id.isdigit() or len(secret) < 10:
        return _("not a @BotFather token of the form 123456789:ABC…")
    return None


def _check_url(value: str) -> str | None:
    return None if value.startswith(("http://", "https://")) else _("must start with http:// or https://")


class _Reader:
    """Reads prefixed variables and turns every malformed value into a one-line ConfigError."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def text(self, name: str, validate=None) -> str | None:
        value = (self.env.get(PREFIX + name) or "").strip()
        if value and validate and (problem := validate(value)):
            raise ConfigError(f"{PREFIX}{name}: {problem}")
        return value or None

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        try:
            return int(value) if value else None
        except ValueError:
            raise ConfigError(
                f"{PREFIX}{name}: " + _("must be a whole number, got {value!r}").format(value=value)
            ) from None

    def int_list(self, name: str) -> list[int]:
        value = self.text(name) or ""
        try:
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ConfigError(f"{PREFIX}{name}: " + _("must be Telegram IDs separated by commas")) from None

    def timezone(self, name: str, default: str) -> ZoneInfo:
        value = self.text(name) or default
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{PREFIX}{name}: " + _("unknown time zone {value!r}").format(value=value)
            ) from None

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(name) or default
        if value not in allowed:
            raise ConfigError(
                f"{PREFIX}{name}: " + _("must be one of {choices}").format(choices=", ".join(allowed))
            )
        return value
