"""Catalogs: every string used in code is in both catalogs, and Vietnamese is complete and consistent."""

import ast
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, LOCALES, Translator

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rs])?\}|%\([a-z]+\)s")


def code_messages() -> set[str]:
    """Every msgid that the code passes to gettext or marks with N_."""
    found = set()
    for folder in ("bot", "handlers", "sandbox"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder):
            found.add(singular(message))
    return found


def singular(message_id: str | tuple[str, ...]) -> str:
    """A plural message is known by its singular form."""
    return message_id if isinstance(message_id, str) else message_id[0]


def strings(message) -> tuple[str, ...]:
    """Every translation of a catalog entry (one per plural form)."""
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def load(locale: str):
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "thidua.po").open("rb") as po:
        return read_po(po, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_in_code_is_in_the_catalog(locale):
    messages = code_messages()
    assert len(messages) > 100
    ids = {singular(message.id) for message in load(locale) if message.id}
    assert sorted(messages - ids) == []


def test_vietnamese_is_complete_without_fuzzy_entries():
    catalog = load("vi")
    untranslated = [m.id for m in catalog if m.id and not all(strings(m))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_every_placeholder(locale):
    wrong = [
        m.id
        for m in load(locale)
        if m.id
        and all(strings(m))
        and any(
            sorted(PLACEHOLDER.findall(singular(m.id))) != sorted(PLACEHOLDER.findall(text))
            for text in strings(m)
        )
    ]
    assert wrong == []


def test_vietnamese_translations_have_diacritics():
    plain = [text for m in load("vi") if m.id for text in strings(m) if len(text) > 25 and text.isascii()]
    assert plain == []


def test_numbers_and_dates_the_vietnamese_way():
    t = Translator("vi")
    assert t.number(Decimal("99.7")) == "99,7"
    assert t.number(36_000_000) == "36.000.000"
    assert t.date(date(2024, 3, 12)) == "12/03/2024"
    # 23:30 UTC is already the next morning in Vietnam
    assert t.date(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)) == "01/01/2025"
    assert t.datetime(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)) == "06:30 01/01/2025"


def test_english_is_the_fallback_and_formats_its_own_way():
    t = Translator("en")
    assert t.gettext("Skip") == "Skip"
    assert t.number(Decimal("99.7")) == "99.7"
    assert Translator("fr").locale == "vi"


def test_no_translation_call_hides_inside_an_f_string():
    """Babel cannot extract from f-strings: a message there would silently stay untranslated."""
    hidden = []
    for path in [
        path for folder in ("bot", "handlers", "sandbox") for path in ROOT.joinpath(folder).rglob("*.py")
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for call in ast.walk(node):
                    name = getattr(getattr(call, "func", None), "attr", None) or getattr(
                        getattr(call, "func", None), "id", None
                    )
                    if isinstance(call, ast.Call) and name in {"_", "gettext", "ngettext", "N_"}:
                        hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert hidden == []
