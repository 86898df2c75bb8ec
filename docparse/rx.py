"""Regex helpers for searching many words in Vietnamese text quickly.

The regex engine can skip ahead to the letters a pattern starts with only when the
pattern starts with a literal, a character class or a choice of literals. A pattern
that starts with a look-behind ("(?<!\\w)") is tried in full at every position, which
made such searches the costliest lines of the parser. The helpers here keep the
look-behind out of the pattern and check it in Python, only where a word was found.
"""
from __future__ import annotations

import re
from collections.abc import Iterator


def alternation(words) -> str:
    """A regex (no groups) matching exactly the strings in `words`, factored by common
    prefixes: "Ban|Báo|Bộ" becomes "B(?:an|áo|ộ)". The regex engine tries alternatives
    one by one, so a search for one of many words is several times faster this way.
    Where several words match at one position, the longest is tried first, as in a
    plain "|" join sorted longest first."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return emit(trie)


def lowered(text: str) -> str | None:
    """`text.lower()` when positions in it are positions in `text`, else None.

    Every character must lower-case to exactly one character (true of Vietnamese; not
    of "İ"), and "ı" is out because a case-insensitive "I" matches it but its lower
    case is not "i". Lower-casing keeps what `\\w`, `\\d` and `\\s` match, so a
    case-insensitive pattern in lower case, run case-sensitively on the lowered text,
    finds the same matches (a case-insensitive search cannot skip ahead to the letters
    its words start with, and is several times slower on Vietnamese)."""
    low = text.lower()
    if len(low) != len(text) or "ı" in text:
        return None
    return low


def search_lowered(rx: re.Pattern, rx_low: re.Pattern, text: str) -> re.Match | None:
    """`rx.search(text)` for a case-insensitive `rx`, its positions those of `text`:
    `rx_low` (the same pattern in lower case, case-sensitive) on `lowered(text)` where
    that exists. Read groups from `text` by their spans."""
    low = lowered(text)
    return rx.search(text) if low is None else rx_low.search(low)


def finditer_lowered(rx: re.Pattern, rx_low: re.Pattern, text: str) -> Iterator[re.Match]:
    """`rx.finditer(text)` in the way of search_lowered."""
    low = lowered(text)
    return rx.finditer(text) if low is None else rx_low.finditer(low)


def is_word_char(c: str) -> bool:
    """What "\\w" matches in a str pattern."""
    return c.isalnum() or c == "_"


def word_matches(rx: re.Pattern, text: str, also: str = "") -> Iterator[re.Match]:
    """The matches of `rx.finditer(text)` that do not follow a word character or a
    character of `also`: the same matches, in the same order, as finditer with
    "(?<![\\w<also>])" in front of the pattern (a pattern that never matches empty)."""
    m = rx.search(text)
    while m is not None:
        s = m.start()
        c = text[s - 1] if s else ""
        if c and (c.isalnum() or c == "_" or c in also):  # is_word_char, inline: one call less
            m = rx.search(text, s + 1)
            continue
        yield m
        m = rx.search(text, m.end())
