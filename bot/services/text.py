"""Text folding for search ("thon 3 ba bich" finds "Thôn 3, xã Ba Bích") and unit display names."""

from __future__ import annotations

import re
import unicodedata

from storage.models import Unit

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII words of `text`: accents, đ, case and NFC/NFD differences removed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _NON_WORD.sub(" ", stripped).strip()


def search_words(query: str) -> list[str]:
    """The folded words of a search query, longest first so the most selective filter runs first."""
    return sorted(set(fold(query).split()), key=lambda word: (-len(word), word))


def search_text(name: str, parent_name: str | None) -> str:
    """What a unit is found by: its name and its parent's, folded, padded for word-prefix matching."""
    return f" {fold(name)} {fold(parent_name or '')} "


def display_name(unit: Unit) -> str:
    """A unit as officials write it, with its parent: "Thôn 3, xã Ba Bích"."""
    if unit.parent is None:
        return unit.name
    parent = unit.parent.name
    return f"{unit.name}, {parent[:1].lower()}{parent[1:]}"
