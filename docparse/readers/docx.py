"""DOCX reader: paragraphs (with the list labels Word draws), tables and footnotes.

The package is read with zipfile + lxml rather than python-docx so that every limit is
ours: a DOCX is a zip, and a zip can claim small sizes and expand to gigabytes.

Decisions a caller may rely on:
- Body order is document order; content controls (w:sdt) and w:customXml wrappers are
  transparent. Text boxes (w:txbxContent) are read too: their paragraphs follow the
  paragraph that anchors them (only the DrawingML branch of mc:AlternateContent is read,
  so a box is never seen twice).
- Counters of automatic numbering are shared by every w:num that points at the same
  w:abstractNum, and a w:startOverride restarts them where its w:num is first used;
  that is what Word does (ECMA-376 §17.9), and documents rely on it to continue a list
  across interruptions.
- Empty paragraphs are not blocks, and `Document.text` has no blank lines between blocks.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from ..errors import CorruptFile, EmptyDocument, TooLarge
from ..model import Document, Paragraph, Table

EXTENSIONS = (".docx",)

MiB = 1024 * 1024
# A plan is a few hundred KB of XML; these limits leave room for large annexes and
# images while refusing zip bombs before anything is inflated.
MAX_MEMBERS = 10_000
MAX_TOTAL_UNCOMPRESSED = 200 * MiB  # sum of the sizes the zip declares
MAX_PART_BYTES = 64 * MiB  # bytes actually inflated for one XML part (headers can lie)
MAX_RATIO = 200  # real WordprocessingML deflates about 5-30 times
RATIO_FLOOR = 1 * MiB  # tiny members may have any ratio; they cannot hurt
MAX_GRID_SPAN = 64  # Word allows 63 columns; a larger gridSpan only amplifies memory

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


W_P, W_R, W_T, W_TBL, W_TR, W_TC = map(_w, ("p", "r", "t", "tbl", "tr", "tc"))
W_PPR, W_RPR, W_TCPR, W_TRPR = map(_w, ("pPr", "rPr", "tcPr", "trPr"))
W_SDT, W_SDTCONTENT, W_CUSTOMXML = map(_w, ("sdt", "sdtContent", "customXml"))
W_TXBX = _w("txbxContent")
W_VAL = _w("val")
MC_FALLBACK = f"{{{MC}}}Fallback"

# Inline elements whose content a reader does not see: deletions, field codes,
# properties, and comment/annotation marks.
_SKIP_INLINE = frozenset(
    map(_w, ("pPr", "rPr", "del", "moveFrom", "sdtPr", "sdtEndPr", "instrText", "delText",
             "delInstrText", "commentReference", "annotationRef"))
)
_BREAKS = frozenset(map(_w, ("br", "cr")))
_SPACES = frozenset(map(_w, ("tab", "ptab")))
_EMBEDS = frozenset(map(_w, ("drawing", "pict", "object"))) | {f"{{{MC}}}AlternateContent"}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.I)


# ---------------------------------------------------------------------------
# Package: zip limits and safe XML


def _too_large(name: str, what: str) -> TooLarge:
    return TooLarge(
        f"{name}: tệp DOCX {what}, vượt giới hạn an toàn "
        "(the DOCX expands beyond the safety limit; possible zip bomb)"
    )


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """Open the zip and check what its directory declares. Raises CorruptFile/TooLarge."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        if data.startswith(_OLE_MAGIC):
            raise CorruptFile(
                f"{name}: không phải DOCX mà là tệp Word cũ (.doc) hoặc tệp đặt mật khẩu; "
                "hãy lưu lại thành .docx (not a DOCX: an old .doc or a password-protected file)"
            ) from exc
        raise CorruptFile(
            f"{name}: tệp DOCX bị hỏng, không mở được như tệp zip (corrupt DOCX: not a readable zip)"
        ) from exc
    if len(infos) > MAX_MEMBERS:
        raise _too_large(name, f"có {len(infos)} thành phần")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _too_large(name, f"giải nén ra {total // MiB} MB (> {MAX_TOTAL_UNCOMPRESSED // MiB} MB)")
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise _too_large(name, f"có thành phần {info.filename} nén {ratio} lần")
    return zf


def _read_member(zf: zipfile.ZipFile, member: str, name: str, limit: int = MAX_PART_BYTES) -> bytes:
    """Inflate one member, stopping once `limit` bytes came out whatever the header said."""
    out = bytearray()
    try:
        with zf.open(member) as fh:
            while chunk := fh.read(256 * 1024):
                out += chunk
                if len(out) > limit:
                    raise _too_large(name, f"có phần {member} lớn hơn {limit / MiB:.2g} MB khi giải nén")
    # zipfile raises NotImplementedError for a compression method it cannot inflate
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise CorruptFile(f"{name}: phần {member} trong tệp DOCX bị hỏng (corrupt member: {exc})") from exc
    return bytes(out)


_ENTITY_REFUSAL = (
    "chứa khai báo DOCTYPE/ENTITY, DOCX hợp lệ không có "
    "(DTD/entity declarations are not allowed in DOCX; possible entity-expansion attack)"
)


def parse_xml(raw: bytes, part: str, name: str) -> etree._Element:
    """Parse one package part without entities, DTDs or network. A DOCTYPE never occurs
    in OOXML, so its presence (e.g. an entity-expansion bomb) is refused outright.
    Raises CorruptFile."""
    # "<!" cannot start character data in well-formed XML, so a plain byte search finds
    # every declaration (UTF-16 parts are caught by the docinfo check below).
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise CorruptFile(f"{name}: phần {part} {_ENTITY_REFUSAL}")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        remove_comments=True, remove_pis=True, collect_ids=False,
    )
    try:
        root = etree.fromstring(raw.replace(_STRICT_W, W.encode()), parser)
    except etree.XMLSyntaxError as exc:
        reason = str(exc).splitlines()[0]
        if "entity" in reason.lower():
            raise CorruptFile(f"{name}: phần {part} {_ENTITY_REFUSAL}") from exc
        raise CorruptFile(f"{name}: phần {part} không phải XML hợp lệ (invalid XML: {reason})") from exc
    if root.getroottree().docinfo.doctype:
        raise CorruptFile(f"{name}: phần {part} {_ENTITY_REFUSAL}")
    return root


class _Package:
    """The parts of a DOCX this reader uses, found through the package relationships."""

    def __init__(self, data: bytes, name: str):
        self.name = name
        self.zf = _open_zip(data, name)
        self.members = {i.filename.replace("\\", "/").lstrip("/"): i.filename for i in self.zf.infolist()}
        self.lower = {k.lower(): v for k, v in self.members.items()}
        main = self._rel_target("_rels/.rels", "", "/officeDocument") or "word/document.xml"
        raw = self.get(main)
        if raw is None:
            raise CorruptFile(
                f"{name}: tệp zip không chứa word/document.xml, không phải DOCX (no word/document.xml: not a DOCX)"
            )
        self.document = parse_xml(raw, main, name)
        rels = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
        base = posixpath.dirname(main)
        self.parts = {}
        for kind, default in (("styles", "styles.xml"), ("numbering", "numbering.xml"), ("footnotes", "footnotes.xml")):
            target = self._rel_target(rels, base, "/" + kind) or posixpath.join(base, default)
            raw = self.get(target)
            self.parts[kind] = parse_xml(raw, target, name) if raw is not None else None

    def get(self, part: str) -> bytes | None:
        member = self.members.get(part) or self.lower.get(part.lower())
        return _read_member(self.zf, member, self.name) if member else None

    def _rel_target(self, rels_part: str, base: str, type_suffix: str) -> str | None:
        raw = self.get(rels_part)
        if raw is None:
            return None
        for rel in parse_xml(raw, rels_part, self.name).iter(f"{{{_REL}}}Relationship"):
            if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
                return posixpath.normpath(path)
        return None


# ---------------------------------------------------------------------------
# Styles


def _on(el: etree._Element | None) -> bool | None:
    """A toggle property (<w:b/>, <w:b w:val="0"/>): None when absent."""
    if el is None:
        return None
    return el.get(W_VAL, "true").lower() not in ("0", "false", "off", "none")


def _int(el: etree._Element | None, default: int | None = None) -> int | None:
    if el is None:
        return default
    try:
        return int(el.get(W_VAL, ""))
    except ValueError:
        return default


def _val(parent: etree._Element | None, tag: str, default: str | None = None) -> str | None:
    """The w:val of `parent`'s child `tag`, or `default` when either is missing."""
    child = parent.find(_w(tag)) if parent is not None else None
    return child.get(W_VAL, default) if child is not None else default


def _index(el: etree._Element) -> int:
    """The w:ilvl attribute of a level or override (0 when missing or malformed)."""
    raw = el.get(_w("ilvl"), "0")
    return int(raw) if raw.isdigit() and len(raw) < 3 else 0


@dataclass
class _Style:
    name: str = ""
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int | None = None
    bold: bool | None = None
    outline: int | None = None


class _Styles:
    """Style lookups that follow w:basedOn (cycle-safe)."""

    def __init__(self, root: etree._Element | None):
        self.styles: dict[str, _Style] = {}
        self.default_para: str | None = None
        self.default_bold = False
        if root is None:
            return
        rpr_default = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{W_RPR}")
        if rpr_default is not None:
            self.default_bold = bool(_on(rpr_default.find(_w("b"))))
        for el in root.iter(_w("style")):
            sid = el.get(_w("styleId"), "")
            ppr, rpr = el.find(W_PPR), el.find(W_RPR)
            numpr = ppr.find(_w("numPr")) if ppr is not None else None
            style = _Style(
                name=_val(el, "name", "") or "",
                based_on=_val(el, "basedOn"),
                bold=_on(rpr.find(_w("b"))) if rpr is not None else None,
                outline=_int(ppr.find(_w("outlineLvl"))) if ppr is not None else None,
            )
            if numpr is not None:
                style.num_id = _val(numpr, "numId")
                style.ilvl = _int(numpr.find(_w("ilvl")))
            self.styles[sid] = style
            if el.get(_w("type")) == "paragraph" and el.get(_w("default")) in ("1", "true", "on"):
                self.default_para = sid

    def chain(self, sid: str | None):
        """The style and its ancestors, nearest first."""
        seen = set()
        while sid and sid in self.styles and sid not in seen and len(seen) < 32:
            seen.add(sid)
            yield sid, self.styles[sid]
            sid = self.styles[sid].based_on

    def first(self, sid: str | None, attr: str):
        for _, style in self.chain(sid):
            if getattr(style, attr) is not None:
                return getattr(style, attr)
        return None

    def numpr(self, sid: str | None) -> tuple[str | None, int | None, str | None]:
        """(numId, ilvl, the style that carries them) inherited by a paragraph style."""
        for found, style in self.chain(sid):
            if style.num_id is not None:
                return style.num_id, style.ilvl, found
        return None, None, None

    def heading(self, sid: str | None) -> int | None:
        for found, style in self.chain(sid):
            m = _HEADING_NAME.match(style.name.strip()) or _HEADING_NAME.match(found)
            if m:
                return int(m.group(1))
        outline = self.first(sid, "outline")
        return outline + 1 if outline is not None and 0 <= outline < 9 else None


# ---------------------------------------------------------------------------
# Automatic numbering


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart: 0 = never, n = after level n (1-based) is used
    legal: bool = False
    style: str | None = None
    font: str | None = None  # the bullet's font: Symbol-font code points need it


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # lvlOverride/startOverride
    levels: dict[int, _Level] = field(default_factory=dict)  # lvlOverride/lvl


def _level(el: etree._Element) -> _Level:
    fonts = el.find(f"{W_RPR}/{_w('rFonts')}")
    return _Level(
        start=_int(el.find(_w("start")), 1),
        fmt=_val(el, "numFmt", "decimal") or "decimal",
        text=_val(el, "lvlText", "") or "",
        restart=_int(el.find(_w("lvlRestart"))),
        legal=bool(_on(el.find(_w("isLgl")))),
        style=_val(el, "pStyle"),
        font=fonts.get(_w("ascii")) if fonts is not None else None,
    )


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(digits * count)
    return "".join(out)


def _letters(n: int) -> str:
    # Word goes a…z, aa…zz, aaa…: the letter repeats, it does not carry like a base.
    if n <= 0:
        return ""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """Render counter `n` in a w:numFmt (unknown formats fall back to decimal)."""
    if fmt == "none":
        return ""
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    return str(n)


def bullet_label(text: str, font: str | None = None) -> str:
    """The reader keeps '-' and '+' bullets; any other glyph (U+F0B7, '•', '–'…) becomes '-'.
    Symbol-font bullets are stored in the private-use area (U+F02B is the Symbol "+";
    LibreOffice writes "+" bullets that way), so they are mapped back first."""
    if len(text) == 1 and 0xF020 <= ord(text) <= 0xF07E and (font or "Symbol") == "Symbol":
        text = chr(ord(text) - 0xF000)
    return text if text in ("-", "+") else "-"


class _Numbering:
    """Turns (numId, ilvl) into the label Word draws, keeping Word's counters."""

    def __init__(self, root: etree._Element | None, styles: _Styles):
        self.abstracts: dict[str, dict[int, _Level]] = {}
        self.links: dict[str, str] = {}  # abstractNum -> numbering style it defers to
        self.nums: dict[str, _Num] = {}
        self.styles = styles
        self.counters: dict[str, dict[int, int]] = {}
        self.seen: set[tuple[str, int]] = set()
        self.unknown: set[str] = set()
        if root is None:
            return
        for el in root.iter(_w("abstractNum")):
            aid = el.get(_w("abstractNumId"), "")
            self.abstracts[aid] = {_index(lvl): _level(lvl) for lvl in el.iter(_w("lvl"))}
            if _val(el, "numStyleLink"):
                self.links[aid] = _val(el, "numStyleLink")
        for el in root.iter(_w("num")):
            num = _Num(_val(el, "abstractNumId", "") or "")
            for over in el.iter(_w("lvlOverride")):
                ilvl = _index(over)
                start = _int(over.find(_w("startOverride")))
                if start is not None:
                    num.starts[ilvl] = start
                if over.find(_w("lvl")) is not None:
                    num.levels[ilvl] = _level(over.find(_w("lvl")))
            self.nums[el.get(_w("numId"), "")] = num

    def _abstract(self, num: _Num) -> str:
        """Follow w:numStyleLink (abstract -> numbering style -> num -> abstract)."""
        aid = num.abstract
        for _ in range(4):
            if aid not in self.links:
                break
            linked_num = self.styles.numpr(self.links[aid])[0]
            if linked_num not in self.nums or self.nums[linked_num].abstract == aid:
                break
            aid = self.nums[linked_num].abstract
        return aid

    def level_for_style(self, num_id: str, style_id: str) -> int:
        """The level whose w:pStyle names the paragraph style (style-linked lists)."""
        num = self.nums.get(num_id)
        if num is not None:
            for ilvl, level in self.abstracts.get(self._abstract(num), {}).items():
                if level.style == style_id:
                    return ilvl
        return 0

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counters for one numbered paragraph and return its label."""
        num = self.nums.get(num_id)
        if num is None:
            if num_id != "0":
                self.unknown.add(num_id)
            return None
        aid = self._abstract(num)
        levels = {**self.abstracts.get(aid, {}), **num.levels}
        level = levels.get(ilvl)
        if level is None:
            return None
        counters = self.counters.setdefault(aid, {})
        if (num_id, ilvl) not in self.seen and ilvl in num.starts:
            counters[ilvl] = num.starts[ilvl]
        elif ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = level.start
        self.seen.add((num_id, ilvl))
        for deeper in [k for k in counters if k > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is not None and restart > deeper:  # names a lower level: ignored (§17.9.10)
                restart = None
            if restart is None or (restart > 0 and ilvl < restart):
                del counters[deeper]
        if level.fmt == "bullet":
            return bullet_label(level.text.strip(), level.font)
        if level.fmt == "none" and "%" not in level.text:
            return level.text.strip() or None

        def level_value(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            other = levels.get(k, _Level())
            value = counters.get(k, num.starts.get(k, other.start))
            return format_number(value, "decimal" if level.legal and other.fmt != "none" else other.fmt)

        return re.sub(r"%([1-9])", level_value, level.text).strip() or None


# ---------------------------------------------------------------------------
# Paragraph and table content


@dataclass
class _Para:
    text: str
    label: str | None
    bold: bool
    heading: int | None


def _text_boxes(el: etree._Element) -> list[etree._Element]:
    """Outermost w:txbxContent under `el`, skipping mc:Fallback copies."""
    found = []
    for child in el:
        if not isinstance(child.tag, str) or child.tag == MC_FALLBACK:
            continue
        if child.tag == W_TXBX:
            found.append(child)
        else:
            found.extend(_text_boxes(child))
    return found


def _block_children(el: etree._Element):
    """Block-level children, seeing through content controls and custom XML."""
    for child in el:
        if child.tag in (W_SDT, W_CUSTOMXML, W_SDTCONTENT, _w("ins"), _w("moveTo")):
            yield from _block_children(child)
        elif child.tag in (W_P, W_TBL, W_TR, W_TC):
            yield child


class _Reader:
    def __init__(self, pkg: _Package):
        self.styles = _Styles(pkg.parts["styles"])
        self.numbering_root = pkg.parts["numbering"]
        self.numbering = _Numbering(self.numbering_root, self.styles)
        self.footnote_ids: dict[str, str] = {}  # w:id -> the number a reader sees
        self.in_footnote = False

    # -- runs -------------------------------------------------------------------
    def _run_bold(self, rpr: etree._Element | None, pstyle: str | None) -> bool:
        direct = _on(rpr.find(_w("b"))) if rpr is not None else None
        if direct is not None:
            return direct
        rstyle = rpr.find(_w("rStyle")) if rpr is not None else None
        for sid in ((rstyle.get(W_VAL) if rstyle is not None else None), pstyle):
            inherited = self.styles.first(sid, "bold")
            if inherited is not None:
                return inherited
        return self.styles.default_bold

    def _footnote_mark(self, ref: etree._Element) -> str:
        """The superscript number Word shows: footnotes count in order of reference."""
        if ref.get(_w("customMarkFollows"), "0") in ("1", "true", "on"):
            return ""  # the author typed the mark in the next run
        fid = ref.get(_w("id"), "")
        number = self.footnote_ids.setdefault(fid, str(len(self.footnote_ids) + 1))
        return number.translate(_SUPERSCRIPT)

    def _run(self, r: etree._Element, pstyle: str | None, pieces: list, boxes: list) -> None:
        rpr = r.find(W_RPR)
        if _on(rpr.find(_w("vanish")) if rpr is not None else None):
            return  # hidden text is not what a reader sees
        bold = self._run_bold(rpr, pstyle)
        for child in r:
            tag = child.tag
            if tag == W_T:
                pieces.append((child.text or "", bold))
            elif tag in _SPACES:
                pieces.append((" ", bold))
            elif tag in _BREAKS:
                pieces.append(("\n", bold))
            elif tag == _w("noBreakHyphen"):
                pieces.append(("-", bold))
            elif tag == _w("footnoteReference") and not self.in_footnote:
                pieces.append((self._footnote_mark(child), None))  # marks do not decide boldness
            elif tag in _EMBEDS:
                boxes.extend(_text_boxes(child))

    def _inline(self, el: etree._Element, pstyle: str | None, pieces: list, boxes: list) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_INLINE or tag == MC_FALLBACK:
                continue
            if tag == W_R:
                self._run(child, pstyle, pieces, boxes)
            elif tag == W_TXBX:
                boxes.append(child)
            else:  # hyperlink, smartTag, sdt/sdtContent, ins, moveTo, fldSimple, customXml…
                self._inline(child, pstyle, pieces, boxes)

    # -- paragraphs -------------------------------------------------------------
    def _label(self, ppr: etree._Element | None, style_id: str | None) -> str | None:
        numpr = ppr.find(_w("numPr")) if ppr is not None else None
        num_el = numpr.find(_w("numId")) if numpr is not None else None
        ilvl = _int(numpr.find(_w("ilvl"))) if numpr is not None else None
        style_num, style_ilvl, carrier = self.styles.numpr(style_id)
        num_id = num_el.get(W_VAL) if num_el is not None else style_num
        if not num_id or num_id == "0":
            return None
        if ilvl is None:
            ilvl = style_ilvl if num_el is None else None
        if ilvl is None:
            ilvl = self.numbering.level_for_style(num_id, carrier) if num_el is None and carrier else 0
        return self.numbering.label(num_id, ilvl)

    def paragraph(self, p: etree._Element) -> tuple[_Para, list[etree._Element]]:
        """One w:p: its text, label, boldness, heading level, and the text boxes it anchors."""
        ppr = p.find(W_PPR)
        pstyle_el = ppr.find(_w("pStyle")) if ppr is not None else None
        style_id = pstyle_el.get(W_VAL) if pstyle_el is not None else self.styles.default_para
        label = self._label(ppr, style_id)
        outline = _int(ppr.find(_w("outlineLvl"))) if ppr is not None else None
        heading = outline + 1 if outline is not None and 0 <= outline < 9 else self.styles.heading(style_id)
        pieces: list[tuple[str, bool | None]] = []
        boxes: list[etree._Element] = []
        self._inline(p, style_id, pieces, boxes)
        text = "\n".join(line.strip() for line in "".join(t for t, _ in pieces).split("\n")).strip("\n")
        weighted = [b for t, b in pieces if b is not None and t.strip()]
        return _Para(text, label, bool(weighted) and all(weighted), heading), boxes

    # -- tables -----------------------------------------------------------------
    def _cell_text(self, tc: etree._Element) -> str:
        lines = []
        for item in self.blocks(tc):
            if isinstance(item, _Para):
                lines.append(f"{item.label} {item.text}".strip() if item.label else item.text)
            else:
                lines.extend(" | ".join(cell.replace("\n", " / ") for cell in row) for row in item[0])
        return "\n".join(line for line in lines if line.strip())

    def table(self, tbl: etree._Element) -> tuple[list[list[str]], list[list[bool]]]:
        """Grid of cell texts; merged cells repeat their text, vmerged marks continuations."""
        rows: list[list[str]] = []
        merged: list[list[bool]] = []
        for tr in _block_children(tbl):
            if tr.tag != W_TR:
                continue
            trpr = tr.find(W_TRPR)
            if trpr is not None and trpr.find(_w("del")) is not None:
                continue
            before = min(_int(trpr.find(_w("gridBefore")), 0) if trpr is not None else 0, MAX_GRID_SPAN)
            slots, flags = [""] * before, [False] * before
            for tc in _block_children(tr):
                if tc.tag != W_TC:
                    continue
                tcpr = tc.find(W_TCPR)
                span = max(1, min(_int(tcpr.find(_w("gridSpan")), 1) if tcpr is not None else 1, MAX_GRID_SPAN))
                vmerge = tcpr.find(_w("vMerge")) if tcpr is not None else None
                hmerge = tcpr.find(_w("hMerge")) if tcpr is not None else None
                col, above = len(slots), rows[-1] if rows else []
                continues = vmerge is not None and vmerge.get(W_VAL, "continue") != "restart" and col < len(above)
                if continues:
                    text = above[col]
                elif hmerge is not None and hmerge.get(W_VAL, "continue") != "restart" and slots:
                    text = slots[-1]
                else:
                    text = self._cell_text(tc)
                slots.extend([text] * span)
                flags.extend([continues] * span)
            after = min(_int(trpr.find(_w("gridAfter")), 0) if trpr is not None else 0, MAX_GRID_SPAN)
            rows.append(slots + [""] * after)
            merged.append(flags + [False] * after)
        width = max((len(r) for r in rows), default=0)
        for row, flags in zip(rows, merged):
            row.extend([""] * (width - len(row)))
            flags.extend([False] * (width - len(flags)))
        return rows, merged

    # -- body -------------------------------------------------------------------
    def blocks(self, container: etree._Element) -> list:
        """Paragraphs (as _Para) and tables (as (rows, vmerged)) in document order."""
        out: list = []
        for el in _block_children(container):
            if el.tag == W_P:
                para, boxes = self.paragraph(el)
                if para.text:
                    out.append(para)
                for box in boxes:
                    out.extend(self.blocks(box))
            elif el.tag == W_TBL:
                rows, merged = self.table(el)
                if any(cell for row in rows for cell in row):
                    out.append((rows, merged))
        return out

    def footnotes(self, root: etree._Element | None) -> dict[str, str]:
        """Footnote texts keyed by the number the body shows, in reference order."""
        if root is None or not self.footnote_ids:
            return {}
        self.in_footnote = True
        # Lists inside footnotes count on their own, apart from the body's lists.
        self.numbering = _Numbering(self.numbering_root, self.styles)
        texts = {}
        for note in root.iter(_w("footnote")):
            fid = note.get(_w("id"), "")
            if note.get(_w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            if fid in self.footnote_ids:
                paras = [p for p in self.blocks(note) if isinstance(p, _Para)]
                texts[self.footnote_ids[fid]] = "\n".join(
                    f"{p.label} {p.text}" if p.label else p.text for p in paras
                ).strip()
        return dict(sorted(texts.items(), key=lambda kv: int(kv[0])))


# ---------------------------------------------------------------------------
# Document assembly


def assemble(items: list) -> tuple[list, str]:
    """Turn reader items into model blocks with spans, and the text they index into:
    a paragraph gives "label text" and one more line per soft break; a table row gives
    one line of cells joined by " | " (cell line breaks shown as " / ")."""
    lines: list[str] = []
    blocks: list = []
    for item in items:
        first = len(lines) + 1
        if isinstance(item, _Para):
            body = item.text.split("\n")
            if item.label:
                body[0] = f"{item.label} {body[0]}".rstrip()
            lines.extend(body)
            blocks.append(Paragraph(item.text, (first, len(lines)), item.label, item.bold, item.heading))
        else:
            rows, merged = item
            lines.extend(" | ".join(cell.replace("\n", " / ") for cell in row) for row in rows)
            blocks.append(Table(rows, (first, len(lines)), merged))
    return blocks, "\n".join(lines)


def read(data: bytes, name: str) -> Document:
    """Read a DOCX. Raises CorruptFile (not a readable DOCX), TooLarge (over a size
    limit, e.g. a zip bomb) or EmptyDocument (no text)."""
    pkg = _Package(data, name)
    reader = _Reader(pkg)
    body = pkg.document.find(_w("body"))
    if body is None:
        raise CorruptFile(f"{name}: word/document.xml không có phần thân w:body (no document body)")
    items = reader.blocks(body)
    unknown = sorted(reader.numbering.unknown)
    footnotes = reader.footnotes(pkg.parts["footnotes"])
    blocks, text = assemble(items)
    if not text.strip():
        raise EmptyDocument(f"{name}: tài liệu không có nội dung chữ (the document holds no text)")
    warnings = []
    if unknown:
        warnings.append(
            "Đánh số tự động tham chiếu định nghĩa không tồn tại, bỏ qua nhãn "
            f"(numbering refers to missing numId {', '.join(unknown)})"
        )
    return Document(blocks=blocks, text=text, format="docx", footnotes=footnotes, warnings=warnings)
