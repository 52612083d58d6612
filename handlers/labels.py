"""Names shown to people for roles and unit kinds, and HTML-safe unit names."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, Translator
from bot.services.text import display_name, fold
from storage.models import Role, Unit, UnitKind

#: What the head of each kind of unit is called ("trưởng thôn", "tổ trưởng tổ dân phố" …).
HEAD_TITLES = {
    UnitKind.province: N_("the head of"),
    UnitKind.district: N_("the head of"),
    UnitKind.commune: N_("the chairperson of"),
    UnitKind.ward: N_("the chairperson of"),
    UnitKind.town: N_("the chairperson of"),
    UnitKind.village: N_("the village head of"),
    UnitKind.residential_group: N_("the residential group leader of"),
    UnitKind.agency: N_("the head of the agency"),
    UnitKind.household: N_("the head of household"),
}

#: Villages go by several names; their heads are called after them ("trưởng làng", "xóm trưởng" …).
VILLAGE_HEAD_TITLES = {
    "lang": N_("the head of the làng"),
    "xom": N_("the head of the xóm"),
    "ban": N_("the head of the bản"),
    "ap": N_("the head of the ấp"),
    "buon": N_("the head of the buôn"),
}

#: Names of the roles that are not a unit's head (a head is named by head_title).
ROLE_NAMES = {
    Role.admin: N_("admin"),
    Role.reviewer: N_("reviewer"),
}


def unit_html(unit: Unit) -> str:
    """The unit's display name, bold and escaped for HTML messages."""
    return f"<b>{escape(display_name(unit))}</b>"


def head_title(t: Translator, unit: Unit) -> str:
    """What the head of this unit is called: "trưởng thôn", "trưởng làng", "tổ trưởng", "thủ trưởng" …"""
    first_word = (fold(unit.name).split() or [""])[0]
    if unit.kind == UnitKind.village and first_word in VILLAGE_HEAD_TITLES:
        return t.gettext(VILLAGE_HEAD_TITLES[first_word])
    return t.gettext(HEAD_TITLES[unit.kind])


def role_name(t: Translator, role: Role, unit: Unit) -> str:
    """A role in a word or two: the head's title for unit heads ("trưởng thôn"), else the role's name."""
    return head_title(t, unit) if role == Role.unit_head else t.gettext(ROLE_NAMES[role])


def role_as(t: Translator, role: Role, unit: Unit) -> str:
    """A person's role on a unit in words: "trưởng thôn Thôn 3, xã Ba Bích" or "quản trị viên của …"."""
    if role == Role.unit_head:
        return f"{head_title(t, unit)} {unit_html(unit)}"
    return t.gettext("{role} of {unit}").format(role=role_name(t, role, unit), unit=unit_html(unit))
