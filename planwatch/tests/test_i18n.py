"""The English translation: the catalogue is complete, the committed .mo matches the
.po, and the language switch works while Vietnamese stays the default.

The .po is read with the small parser below (polib is not a dependency) and the .mo
with the standard library's gettext, so these tests need no GNU gettext tools.
"""
from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(literal: str) -> str:
    # PO string literals use C escapes, which for the escapes gettext emits (\" \\ \n \t)
    # read the same as a Python string literal.
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file, in order; obsolete (#~) entries are left out.

    Each entry: msgctxt (or None), msgid, msgid_plural (or None), msgstr (a dict
    {index: text}; index 0 for a singular entry), flags (a set) and line (1-based).
    """
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple | None = None

    def finish():
        nonlocal entry, field
        if entry is not None and entry["msgid"] is not None:
            entries.append(entry)
        entry, field = None, None

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        m = _KEYWORD.match(line)
        if line.startswith("#") or (m and m.group(1) in ("msgctxt", "msgid")):
            if entry is not None and entry["msgstr"]:
                finish()  # no blank line between two entries
            if entry is None:
                entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {},
                         "flags": set(), "line": n}
        if line.startswith("#"):
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if m:
            keyword, index, literal = m.groups()
            assert entry is not None, f"{path.name}:{n}: {keyword} outside an entry"
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else 0)
                entry["msgstr"][field[1]] = _unquote(literal)
            else:
                field = (keyword,)
                entry[keyword] = _unquote(literal)
            continue
        assert line.startswith('"') and entry is not None and field is not None, (
            f"{path.name}:{n}: cannot parse {raw!r}")
        if field[0] == "msgstr":
            entry["msgstr"][field[1]] += _unquote(line)
        else:
            entry[field[0]] += _unquote(line)
    finish()
    for e in entries:
        assert e["msgid"] is not None and e["msgstr"], f"{path.name}:{e['line']}: incomplete entry"
    return entries


def _messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] != ""]


def _header(entries: list[dict]) -> dict[str, str]:
    [head] = [e for e in entries if e["msgid"] == "" and e["msgctxt"] is None]
    fields = {}
    for line in head["msgstr"][0].splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def _catalog_from_po(entries: list[dict]) -> dict:
    """What msgfmt puts in the .mo, keyed the way gettext.GNUTranslations keys it."""
    catalog = {}
    for e in _messages(entries):
        if "fuzzy" in e["flags"]:
            continue
        msgid = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            catalog[msgid] = e["msgstr"][0]
        else:
            for i, text in e["msgstr"].items():
                catalog[(msgid, i)] = text
    return catalog


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs%]|\{[A-Za-z_][\w.]*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


@pytest.fixture(scope="module")
def po_entries():
    assert PO.exists(), "run makemessages -l en first"
    return parse_po(PO)


# --- (a) the catalogue is complete ------------------------------------------------------


def test_po_header_is_english_utf8(po_entries):
    header = _header(po_entries)
    assert header["Language"] == "en"
    assert header["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_message_is_translated_and_not_fuzzy(po_entries):
    messages = _messages(po_entries)
    assert len(messages) > 300  # the whole UI, not a stub
    fuzzy = [(e["line"], e["msgid"]) for e in po_entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries (ignored at runtime): {fuzzy}"
    untranslated = []
    for e in messages:
        expected = {0, 1} if e["msgid_plural"] is not None else {0}
        if set(e["msgstr"]) != expected or not all(s.strip() for s in e["msgstr"].values()):
            untranslated.append((e["line"], e["msgid"]))
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_keep_placeholders_and_tags(po_entries):
    wrong = []
    for e in _messages(po_entries):
        sources = [e["msgid"]] if e["msgid_plural"] is None else [e["msgid"], e["msgid_plural"]]
        for i, text in e["msgstr"].items():
            source = sources[min(i, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((e["line"], e["msgid"], text, "placeholders"))
            if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
                wrong.append((e["line"], e["msgid"], text, "HTML tags"))
    assert not wrong, wrong


# --- (b) the committed .mo is the compiled .po ------------------------------------------


def test_mo_is_up_to_date_with_po(po_entries):
    assert MO.exists(), "run compilemessages -l en"
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    assert mo.info().get("language") == "en"
    assert mo.info().get("plural-forms") == "nplurals=2; plural=(n != 1);"
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}
    expected = _catalog_from_po(po_entries)
    missing = sorted(str(k) for k in expected.keys() - compiled.keys())
    stale = sorted(str(k) for k in compiled.keys() - expected.keys())
    changed = sorted(str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not (missing or stale or changed), (
        "django.mo is out of date; run `manage.py compilemessages -l en` and commit it. "
        f"missing: {missing[:10]} stale: {stale[:10]} changed: {changed[:10]}")


# --- (c) English when chosen -------------------------------------------------------------


def test_gettext_in_english():
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Log in"
        assert translation.gettext("Kế hoạch") == "Plans"
        assert translation.gettext("Chủ trì") == "Lead"
        assert translation.gettext("Phối hợp") == "Support"
        assert translation.ngettext("%(n)s đơn vị", "%(n)s đơn vị", 1) % {"n": 1} == "1 unit"
        assert translation.ngettext("%(n)s đơn vị", "%(n)s đơn vị", 3) % {"n": 3} == "3 units"
    with translation.override("vi"):
        assert translation.gettext("Đăng nhập") == "Đăng nhập"


def _lang_attr(html: str) -> str:
    m = re.search(r'<html lang="([^"]*)"', html)
    assert m, "no <html lang=...>"
    return m.group(1)


@pytest.mark.django_db
def test_login_page_in_english_after_choosing_it(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    html = client.get("/accounts/login/").content.decode()
    assert _lang_attr(html) == "en"
    for text in ("Log in", "Username", "Password", "Language"):
        assert text in html
    assert "Đăng nhập" not in html
    assert "Mật khẩu" not in html


def test_pages_for_an_officer_in_english(client_for, officer):
    client = client_for(officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/plans/"})
    html = client.get("/plans/").content.decode()
    assert _lang_attr(html) == "en"
    for text in ("Plans", "Import plan", "Units", "Log out", "Department officer", "No plans yet."):
        assert text in html, text
    assert "Đăng xuất" not in html


# --- (d) Vietnamese by default -----------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_vietnamese_by_default(client):
    html = client.get("/accounts/login/").content.decode()
    assert _lang_attr(html) == "vi"
    assert "Đăng nhập" in html
    assert "Mật khẩu" in html
    assert "Log in" not in html


def test_pages_for_an_officer_are_vietnamese_by_default(client_for, officer):
    html = client_for(officer).get("/plans/").content.decode()
    assert _lang_attr(html) == "vi"
    for text in ("Kế hoạch", "Nhập kế hoạch", "Đăng xuất", "Cán bộ Sở"):
        assert text in html, text
    assert "Log out" not in html
