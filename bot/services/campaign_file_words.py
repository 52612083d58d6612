"""The words officials write for the closed sets of a campaign file; the first of each is what we write."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from bot.services.campaign_file_model import Aggregation, DeadlineKind, EscalateTo, Per
from bot.services.text import fold
from storage.models import UnitKind

E = TypeVar("E", bound=StrEnum)

#: How a unit kind is written in the Excel form (read back by `unit_import.parse_kind`).
KIND_LABELS = {
    UnitKind.province: "Tỉnh",
    UnitKind.district: "Huyện",
    UnitKind.commune: "Xã",
    UnitKind.ward: "Phường",
    UnitKind.town: "Thị trấn",
    UnitKind.village: "Thôn",
    UnitKind.residential_group: "Tổ dân phố",
    UnitKind.agency: "Cơ quan",
    UnitKind.household: "Hộ gia đình",
}

DEADLINE_WORDS = {
    DeadlineKind.registration: ("Đăng ký thi đua", "Đăng ký", "Giao ước thi đua"),
    DeadlineKind.evidence: ("Nộp minh chứng", "Minh chứng", "Nộp hồ sơ"),
    DeadlineKind.self_scoring: ("Tự chấm điểm",),
    DeadlineKind.review: ("Kiểm tra, đánh giá", "Thẩm định", "Kiểm tra"),
    DeadlineKind.report: ("Báo cáo",),
}

AGGREGATION_WORDS = {
    Aggregation.sum: ("Tổng điểm", "Cộng điểm", "Tổng"),
    Aggregation.weighted: ("Theo trọng số", "Trọng số"),
}

ESCALATE_WORDS = {
    EscalateTo.nearest: ("Cấp quản lý trực tiếp", "Cấp trên trực tiếp", "Xã"),
    EscalateTo.organizer: ("Đơn vị phát động",),
}

PER_WORDS = {
    Per.incident: ("vụ", "vụ việc"),
    Per.percent: ("%", "phần trăm"),
    Per.case: ("trường hợp", "lần", "văn bản"),
    Per.item: ("đơn vị", "trường", "mô hình"),
    Per.decision: ("quyết định",),
}


def word_key(text: str) -> str:
    """The key a word is looked up by: folded, or the bare symbol for "%"."""
    return fold(text) or text.strip()


def lookup(text: str, words: dict[E, tuple[str, ...]]) -> E | None:
    """The member named by `text`: its English value or any of its Vietnamese words."""
    key = word_key(text)
    for member, names in words.items():
        if key in {word_key(member.value), *map(word_key, names)}:
            return member
    return None


def expected(words: dict[E, tuple[str, ...]]) -> str:
    """The canonical words, for an "expected one of" message."""
    return "; ".join(names[0] for names in words.values())
