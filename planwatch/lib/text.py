"""Vietnamese text keys for matching and search.

`fold` drops diacritics (đ → d included), case and punctuation runs, so "Đắk Nông",
"dak nong" and "ĐĂK NÔNG" share one key. Used by unit resolution and search.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s&]")


def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation (except &) turned into spaces, one space."""
    s = unicodedata.normalize("NFD", text or "")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    s = s.replace("đ", "d").replace("Đ", "D").lower()
    s = _PUNCT.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


def normalize(text: str) -> str:
    """NFC, one space, and "Uỷ" spelled "Ủy": the key for exact alias matching."""
    s = unicodedata.normalize("NFC", text or "")
    s = s.replace("uỷ", "ủy").replace("Uỷ", "Ủy").replace("UỶ", "ỦY")
    s = s.replace("hoá", "hóa").replace("Hoá", "Hóa")
    return _SPACES.sub(" ", s).strip(" .,;:-–").lower()
