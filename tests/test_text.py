"""Search folding and display names."""

import unicodedata

from bot.services.text import display_name, fold, search_text, search_words
from storage.models import Unit, UnitKind


def test_fold_removes_accents_case_and_d_stroke():
    assert fold("Thôn 3, xã Ba Bích") == "thon 3 xa ba bich"
    assert fold("ĐỒNG LÂM") == "dong lam"


def test_fold_gives_the_same_words_for_nfc_and_nfd_input():
    nfc = unicodedata.normalize("NFC", "Tổ dân phố Tân Long Đông")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert fold(nfc) == fold(nfd) == "to dan pho tan long dong"


def test_search_words_are_distinct_and_longest_first():
    assert search_words("thon 3 Ba  bích ba") == ["bich", "thon", "ba", "3"]


def test_search_text_is_padded_for_word_prefix_matching():
    assert search_text("Thôn 3", "Xã Ba Bích") == " thon 3 xa ba bich "


def test_display_name_adds_the_parent_in_lower_case():
    commune = Unit(code="BABICH", name="Xã Ba Bích", kind=UnitKind.commune)
    village = Unit(code="BB-T3", name="Thôn 3", kind=UnitKind.village, parent=commune)
    assert display_name(village) == "Thôn 3, xã Ba Bích"
    assert display_name(commune) == "Xã Ba Bích"
