"""Plain dataclasses shared by the readers and the extraction stages.

Readers turn a file into a `Document` (blocks plus the text a review screen shows);
the extraction stages turn a `Document` into a `Plan`. Nothing here imports Django.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(slots=True)  # one per paragraph: smaller, and quicker to make and read
class Paragraph:
    """One paragraph (or one hard line for PDF/OCR) of running text.

    `label` is the list label Word draws from `numPr` ("1.1.", "a)", "-"), which is
    not part of `text`; readers of formats without automatic numbering leave it None.
    `span` is the (first, last) line, 1-based and inclusive, in `Document.text`.
    `text` may hold "\n" where the source has a soft line break (Word's w:br).
    """

    text: str
    span: tuple[int, int]
    label: str | None = None
    bold: bool = False
    heading: int | None = None  # markdown '#' depth or Word heading level


@dataclass(slots=True)
class Table:
    """A table as a grid of cell texts. A merged cell repeats its text in every slot it
    covers, horizontally and vertically; `vmerged[r][c]` is True where a vertical merge
    continues from the row above (so a group column can tell a new value from a repeat).
    A cell of several paragraphs joins them with "\n"."""

    rows: list[list[str]]
    span: tuple[int, int]
    vmerged: list[list[bool]] = field(default_factory=list)


Block = Paragraph | Table


@dataclass
class OcrPage:
    page: int
    confidence: float  # mean word confidence, 0–100


@dataclass
class Document:
    """What a reader returns: blocks in reading order and the text they index into."""

    blocks: list[Block]
    text: str
    format: str
    footnotes: dict[str, str] = field(default_factory=dict)
    ocr_pages: list[OcrPage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What a publishing site states about the document, as labelled there (thuvienphapluat.vn:
    # "Số hiệu", "Loại văn bản", "Ngày ban hành"): the header's fallback when the page
    # lacks the document's own header.
    site_fields: dict[str, str] = field(default_factory=dict)
    # Set True (on the instance) by a reader that knows every Paragraph's text is NFC,
    # so extraction can skip checking it. A class attribute, not a field: it is a hint
    # for the extraction step, not part of the document (asdict/repr leave it out).
    paragraphs_nfc: ClassVar[bool] = False


@dataclass
class Signer:
    authority: str | None = None  # "TM.", "KT.", "Q.", "TL.", "TUQ."
    position: str | None = None
    name: str | None = None
    on_behalf_of: str | None = None  # "ỦY BAN NHÂN DÂN" in "TM. ỦY BAN NHÂN DÂN"


@dataclass
class Reference:
    kind: str | None
    number: str | None
    date: str | None
    issuer: str | None
    text: str


@dataclass
class Period:
    start: str | None
    end: str | None
    text: str


@dataclass
class Recurrence:
    frequency: str  # "daily" | "weekly" | "monthly" | "quarterly" | "yearly" | "periodic"
    quota: int | None
    unit: str | None  # "chuyên mục", "tin, bài" …
    text: str


@dataclass
class UnitMention:
    name: str
    is_group: bool = False


@dataclass
class Activity:
    ref: str
    title: str
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    deadline: str | None = None
    content: str = ""
    form: str | None = None
    location: str | None = None
    duration: str | None = None
    audience: str | None = None
    funding: str | None = None
    time_text: str | None = None
    recurrence: Recurrence | None = None
    groups: list[str] = field(default_factory=list)  # lead/support names that are collective
    span: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    number: str | None = None
    issuer: str | None = None
    date: str | None = None
    title: str | None = None
    kind: str | None = None
    place: str | None = None
    parent_issuer: str | None = None
    signer: Signer | None = None
    recipients: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    window: Period | None = None
    peaks: list[Period] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)  # file name, format, OCR pages, warnings
    text: str = ""

    def to_dict(self, include_text: bool = True) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for a in d["activities"]:
            if a["span"] is not None:
                a["span"] = list(a["span"])
        if not include_text:
            d.pop("text")
        return d

    def to_json(self, include_text: bool = True, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(include_text), ensure_ascii=False, indent=indent)
