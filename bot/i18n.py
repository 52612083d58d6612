"""Gettext catalogs (compiled from locales/*.po at first use) and Babel formatting for a person's locale."""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DOMAIN = "thidua"
LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where it is shown)."""
    return message


@cache
def catalog(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of `locale`, built from its .po so a stale .mo can never be served."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        messages = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Translates and formats for one locale and time zone: what a handler needs to render a reply."""

    def __init__(self, locale: str = DEFAULT_LOCALE, timezone: ZoneInfo = VIETNAM) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self.timezone = timezone
        self._catalog = catalog(self.locale)
        self._babel = Locale.parse(self.locale)  # parsed once, not on every number and date

    def gettext(self, message: str) -> str:
        """The translation of `message`."""
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The translation of a message that depends on a count."""
        return self._catalog.ngettext(singular, plural, n)

    def number(self, value: int | float | Decimal) -> str:
        """A number the way the locale writes it (vi: 99,7 and 36.000.000)."""
        return format_decimal(value, locale=self._babel)

    def date(self, value: date | datetime) -> str:
        """A date as dd/MM/yyyy, in the configured time zone when a moment is given."""
        if isinstance(value, datetime):
            value = value.astimezone(self.timezone).date()
        return format_date(value, "dd/MM/yyyy", locale=self._babel)

    def datetime(self, value: datetime) -> str:
        """A moment as HH:mm dd/MM/yyyy in the configured time zone."""
        return format_datetime(value, "HH:mm dd/MM/yyyy", tzinfo=self.timezone, locale=self._babel)


def default_translator() -> Translator:
    """The translator for messages shown before a person is known (CLI, start-up errors)."""
    return Translator(DEFAULT_LOCALE)
