"""Numbered structure: labels ("III.", "2.10.", "a)", "-") → a tree of items.

Levels are not taken from markdown '#' depth or indentation, which real documents get
wrong, but from the label *kind*, in the order kinds first appear: a label of a kind
already open closes everything below that open item and becomes its sibling; a new kind
opens a child. That is how a reader follows "III. → 1. → 1.1. → - → +".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Table

_ROMAN_RE = re.compile(r"^(?P<l>[IVXL]{1,6})\s*(?:\.\.|[.\-–:)])\s*(?=\S)")
_SECTION_RE = re.compile(r"^(?:PHẦN|Phần)\s+(?P<l>[IVXL]+|\d+|thứ\s+\w+)\s*[.:\-–]?\s*")
_LETTER_SECTION_RE = re.compile(r"^(?P<l>[A-D])\s*[.\-–)]\s+(?=[A-ZĐÂĂÊÔƠƯ][A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ ,]{3})")
# "4.." / "I.." are OCR doubling the dot; the label is still "4." / "I."
_DECIMAL_RE = re.compile(
    r"^(?P<l>\d{1,2}(?:\.\d{1,2}){1,3})\.{0,2}\s*(?=[^\d\s/.%,])|^(?P<l1>\d{1,2})\s*(?:[.)]|\.\.)\s*(?=[^\d\s/.%,)])"
)
_LETTER_RE = re.compile(r"^(?P<l>[a-zđ])\s*[).]\s*(?=\S)")
_PAREN_RE = re.compile(r"^\(\s*(?P<l>\d{1,2}|[a-zđ])\s*\)\s*(?=\S)")
_WORD_LABEL_RE = re.compile(r"^(?P<w>Bước|Hoạt động|Nhiệm vụ|Giai đoạn|Mục)\s+(?P<l>\d{1,2}|[IVX]{1,4})\s*[.:\-–)]\s*(?=\S)")
_ARTICLE_RE = re.compile(r"^Điều\s+(?P<l>\d{1,3})\s*[.:]\s*")
_BULLET_RE = re.compile(r"^(?P<l>[-–—•+∙◦▪*])\s*(?=\S)")


_SIGNATURE_RE = re.compile(r"^(?:TM|KT|TL|TUQ|Q|T/M|K/T)\s*\.\s*[A-ZĐỦ]{2}")
_CLOSING_RE = re.compile(
    r"^(?:(?:TM|KT|TL|TUQ|T/M|K/T)\s*\.\s*[A-ZĐỦ]{2}|Trên đây là|Trong quá trình (?:tổ chức )?(?:triển khai|thực hiện)|Quá trình (?:tổ chức )?(?:triển khai|thực hiện)|"
    r"Căn cứ (?:nội dung )?Kế hoạch(?: này)?,|Rất mong|Trân trọng|Đề nghị các|Yêu cầu các|Nơi nhận)"
)


_CLOSING_FIRST = "TKQCRĐYN"  # the letters _CLOSING_RE's alternatives start with


_NEW_PART_RE = re.compile(
    r"^\s*(?:KẾ HOẠCH|PHỤ LỤC|QUY CHẾ|QUY ĐỊNH|CHƯƠNG TRÌNH|HƯỚNG DẪN|ĐỀ ÁN|BIỂU|DANH MỤC)\b[^\n]{0,60}$"
)


_LABEL_CAPITALS = frozenset("ĐPBHNGMIVXLACD")
_TOP_KINDS = frozenset({"ROMAN", "SECTION", "LSECTION", "ARTICLE"})


@dataclass(slots=True)
class Label:
    kind: str   # ROMAN, SECTION, LSECTION, DEC<n>, LETTER, PAREN, WORD:<w>, ARTICLE, DASH, PLUS
    value: str  # "III", "2.10", "a", "1", "-"
    text: str   # as printed


def parse_label(text: str, given: str | None = None) -> tuple[Label | None, str]:
    """Split a paragraph into (label, rest). `given` is a Word list label from numPr."""
    if given:
        lab, rest = parse_label(given.strip() + " x")
        if lab is not None:
            return lab, text
        return None, text
    t = text.lstrip()
    if not t:
        return None, text
    c = t[0]
    # Most paragraphs start with a plain word; the first character rules out every
    # label kind before any pattern runs (this is called once per paragraph).
    if c.islower():
        if len(t) < 2 or t[1] not in ").":
            return None, text
    elif c.isupper() and c not in _LABEL_CAPITALS:
        return None, text
    candidates = _DECIMAL_ONLY if c.isdecimal() else _BY_FIRST.get(c, ())
    for kind, regex in candidates:
        m = regex.match(t)
        if m:
            label = _make_label(kind, m, t)
            if label is not None:
                return label, t[m.end():]
    return None, text


# Label patterns in order of precedence (the first that matches wins), each with the
# characters its match can start with: a paragraph is tried only against the patterns
# its first character allows.
_PATTERNS = (
    ("ARTICLE", _ARTICLE_RE, "Đ"),
    ("SECTION", _SECTION_RE, "P"),
    ("WORD", _WORD_LABEL_RE, "BHNGM"),
    ("ROMAN", _ROMAN_RE, "IVXL"),
    ("LSECTION", _LETTER_SECTION_RE, "ABCD"),
    ("DEC", _DECIMAL_RE, ""),  # any Unicode decimal digit: see _DECIMAL_ONLY
    ("LETTER", _LETTER_RE, "abcdefghijklmnopqrstuvwxyzđ"),
    ("PAREN", _PAREN_RE, "("),
    ("BULLET", _BULLET_RE, "-–—•+∙◦▪*"),
)
_BY_FIRST: dict[str, list[tuple[str, re.Pattern]]] = {}
for _kind, _regex, _firsts in _PATTERNS:
    for _c in _firsts:
        _BY_FIRST.setdefault(_c, []).append((_kind, _regex))
_DECIMAL_ONLY = [("DEC", _DECIMAL_RE)]


def _make_label(kind: str, m: re.Match, t: str) -> Label | None:
    """The label for a match of the pattern of `kind`; None if it is not one after all."""
    if kind == "WORD":
        return Label(f"WORD:{m.group('w')}", m.group("l"), m.group(0).strip())
    if kind == "ROMAN":
        if t.startswith(("V/v", "V/V")) or not _roman_ok(m.group("l")):
            return None
    elif kind == "DEC":
        v = m.group("l") or m.group("l1")
        return Label(f"DEC{v.count('.') + 1}", v, m.group(0).strip())
    elif kind == "BULLET":
        return Label("PLUS" if m.group("l") == "+" else "DASH", m.group("l"), m.group("l"))
    return Label(kind, m.group("l"), m.group(0).strip())


_ROMAN_VALID = re.compile(r"X{0,3}(IX|IV|V?I{0,3})|XL|L")


def _roman_ok(s: str) -> bool:
    return s != "" and _ROMAN_VALID.fullmatch(s) is not None


@dataclass(slots=True)  # one per paragraph: slots make them smaller and faster to read
class Item:
    label: Label | None
    heading: str                      # the text of the labelled paragraph, without the label
    span: tuple[int, int]
    parent: "Item | None" = None
    children: list["Item"] = field(default_factory=list)
    body: list[str] = field(default_factory=list)     # unlabelled paragraphs under it
    tables: list[Table] = field(default_factory=list)
    last_line: int = 0
    bold: bool = False
    heading_level: int | None = None
    # A number or letter, not a bullet. Read many times per item while the tree is built
    # and walked, and a label never changes, so it is worked out once.
    numbered: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.numbered = self.label is not None and self.label.kind not in ("DASH", "PLUS")

    def path(self) -> list["Item"]:
        out, node = [], self
        while node is not None and node.label is not None:
            out.append(node)
            node = node.parent
        return list(reversed(out))

    def walk(self):
        for c in self.children:
            yield c
            yield from c.walk()


def build_tree(blocks: list) -> Item:
    """Arrange paragraphs into items by their labels. Tables attach to the open item."""
    root = Item(None, "", (0, 0))
    stack: list[Item] = [root]
    items: list[Item] = []  # in document order: children after their parent
    for block in blocks:
        if isinstance(block, Table):
            top = stack[-1]
            top.tables.append(block)
            if block.span[1] > top.last_line:
                top.last_line = block.span[1]
            continue
        text = block.text
        flat = text.replace("\n", " ")
        label, rest = parse_label(flat, getattr(block, "label", None))
        if label is not None and label.kind == "LETTER" and _SIGNATURE_RE.match(rest):
            label = None  # "s. KT. CHỦ TỊCH": a speck before the signature block
        if label is None:
            if text.isupper() and _NEW_PART_RE.match(text):
                # an attached plan or an appendix after a promulgating decision starts
                # its own outline: its "I." is not inside the decision's "Điều 3"
                del stack[1:]
            if text[:1] in _CLOSING_FIRST and _CLOSING_RE.match(text):
                # "Trên đây là Kế hoạch …", "Đề nghị các cơ quan … báo cáo …": the closing
                # paragraphs belong to the document, not to the last numbered item
                del stack[1:]
            top = stack[-1]
            top.body.append(flat)
            if block.span[1] > top.last_line:
                top.last_line = block.span[1]
            continue
        kind = label.kind
        if kind == "ARTICLE" or kind == "SECTION":
            # articles of a promulgating decision and "Phần" headings reset the outline
            del stack[1:]
        if kind == "DASH" or kind == "PLUS":
            # bullets nest only inside the current numbered item
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].numbered:
                    break
                if stack[depth].label.kind == kind:
                    del stack[depth:]
                    break
        else:
            # a bullet never owns a numbered item; an open item of the same kind
            # closes, and so does everything below it
            while len(stack) > 1 and not stack[-1].numbered:
                stack.pop()
            for depth in range(len(stack) - 1, 0, -1):
                if _same_kind(stack[depth].label, label):
                    del stack[depth:]
                    break
            if kind in _TOP_KINDS:
                # a section heading never sits inside a numbered item, even when the
                # section before it lost its own heading (a scan that dropped "I.")
                while len(stack) > 1 and stack[-1].label.kind not in _TOP_KINDS:
                    stack.pop()
        parent = stack[-1]
        # positional (label, heading, span, parent, children, body, tables, last_line,
        # bold, heading_level): one Item per labelled paragraph, keywords cost more
        item = Item(label, rest.strip(), block.span, parent, [], [], [], block.span[1], block.bold, block.heading)
        parent.children.append(item)
        stack.append(item)
        items.append(item)
    # An item ends where its last descendant ends. A child comes after its parent in
    # `items`, so going backwards every item is final before it passes its end up.
    for item in reversed(items):
        if item.last_line > item.parent.last_line:
            item.parent.last_line = item.last_line
    return root


def release(root: Item) -> None:
    """Drop the parent links of the tree under `root`. Every item points up to its
    parent and down to its children, so a finished tree is cyclic garbage that waits for
    the garbage collector (hundreds of objects per document, each traversed by every
    collection it survives); without the links, reference counting frees it at once."""
    stack = [root]
    while stack:
        node = stack.pop()
        node.parent = None
        stack.extend(node.children)


def _same_kind(a: Label, b: Label) -> bool:
    if a.kind == b.kind:
        return True
    # a roman section and a "PHẦN" section are peers
    return {a.kind, b.kind} == {"ROMAN", "SECTION"}


def own_text(item: Item) -> list[str]:
    """The item's heading, body and every unnumbered descendant ("-", "+"), in order."""
    out = [item.heading] if item.heading else []
    out.extend(item.body)
    for c in item.children:
        if not c.numbered:
            out.append(f"{c.label.text} {c.heading}".strip() if c.label else c.heading)
            out.extend(own_text_children(c))
    return out


def own_text_children(item: Item) -> list[str]:
    out = list(item.body)
    for c in item.children:
        out.append(f"{c.label.text} {c.heading}".strip() if c.label else c.heading)
        out.extend(own_text_children(c))
    return out


def all_text(item: Item) -> list[str]:
    out = [item.heading] + list(item.body)
    for c in item.children:
        out.extend(all_text(c))
    return [t for t in out if t]
