"""Ruled tables on a scanned page: the grid comes from the image, the text from OCR.

Tesseract reads a table row by row across its cells, which mixes the "Nội dung" of one
row with the "Đơn vị chủ trì" beside it. The rules of the grid are still on the page,
so they are found in the (deskewed, cleaned) image: rows whose dark pixels span much of
the page are horizontal rules, columns dark over much of the table are vertical rules.
Each OCR word then goes to the cell its centre falls in. A rule missing over one cell
means a merged cell: across (a group row "III" spanning every column) or down (one lead
unit for several rows), and the merged text is repeated in every slot it covers, as the
DOCX and PDF readers do.
"""
from __future__ import annotations

from dataclasses import dataclass

from .layout import Line, TableBox, Word, group_lines, paragraphs

DARK = 200              # grey level below which a pixel is ink (rules are blurred to grey)
H_RULE = 0.5            # a horizontal rule covers this share of the page width
V_RULE = 0.6            # a vertical rule covers this share of the table height
SEGMENT = 0.6           # a rule is present over one cell when this share of it is ink
MIN_ROWS = 2
RULE_HALF_WIDTH = 9     # pixels painted white on each side of a rule before OCR


@dataclass
class Grid:
    xs: list[int]   # vertical rules, pixels, left to right
    ys: list[int]   # horizontal rules, pixels, top to bottom


def _cluster(positions: list[int], gap: int = 4) -> list[int]:
    """Centres of runs of adjacent positions (a rule is a few pixels thick)."""
    out: list[list[int]] = []
    for p in positions:
        if out and p - out[-1][-1] <= gap:
            out[-1].append(p)
        else:
            out.append([p])
    return [sum(run) // len(run) for run in out]


def _ink(gray):
    """The page as bytes of 1 (ink) and 0 (paper), and its width."""
    return gray.point(lambda v: 1 if v < DARK else 0).tobytes(), gray.width


def find_grids(gray) -> list[Grid]:
    """Ruled grids on a page image ('L' mode), in pixel coordinates."""
    data, width = _ink(gray)
    height = gray.height
    rule_rows = [y for y in range(height) if data.count(1, y * width, (y + 1) * width) >= H_RULE * width]
    ys = _cluster(rule_rows)
    grids = []
    for group in _tables_of(ys, height):
        if len(group) < MIN_ROWS + 1:
            continue
        xs = _vertical_rules(gray, group[0], group[-1])
        if len(xs) >= 3:  # at least two columns
            grids.append(Grid(xs, group))
    return grids


def _tables_of(ys: list[int], height: int) -> list[list[int]]:
    """Horizontal rules grouped into tables: a big vertical gap starts a new table."""
    groups: list[list[int]] = []
    for y in ys:
        if groups and y - groups[-1][-1] < 0.6 * height:
            groups[-1].append(y)
        else:
            groups.append([y])
    return groups


def _vertical_rules(gray, top: int, bottom: int) -> list[int]:
    from PIL import Image

    crop = gray.crop((0, top, gray.width, bottom + 1)).transpose(Image.Transpose.TRANSPOSE)
    data, width = _ink(crop)  # each row of the transposed crop is a column of the page
    need = V_RULE * (bottom - top + 1)
    cols = [x for x in range(crop.height) if data.count(1, x * width, (x + 1) * width) >= need]
    return _cluster(cols)


def _ink_share(data: bytes, width: int, x0: int, x1: int, y0: int, y1: int) -> float:
    """Share of ink along a thin band (a rule's expected place) of the page."""
    best = 0.0
    if x1 - x0 >= y1 - y0:  # horizontal band: best of its rows
        for y in range(y0, y1 + 1):
            n = data.count(1, y * width + x0, y * width + x1)
            best = max(best, n / max(1, x1 - x0))
    else:  # vertical band: best of its columns
        for x in range(x0, x1 + 1):
            n = sum(data[y * width + x] for y in range(y0, y1))
            best = max(best, n / max(1, y1 - y0))
    return best


def erase_rules(gray, grids: list[Grid]):
    """A copy of the page with the grid rules painted white. Tesseract reads the rules
    as "|", "7" or "C" and runs a header row's words together across them; without
    them each cell reads like a small paragraph."""
    from PIL import ImageDraw

    clean = gray.copy()
    draw = ImageDraw.Draw(clean)
    half = RULE_HALF_WIDTH
    for g in grids:
        for y in g.ys:
            draw.rectangle((g.xs[0] - half, y - half, g.xs[-1] + half, y + half), fill=255)
        for x in g.xs:
            draw.rectangle((x - half, g.ys[0] - half, x + half, g.ys[-1] + half), fill=255)
    return clean


def tables_from_page(gray, grids: list[Grid], lines: list[Line], scale: float) -> tuple[list[TableBox], list[Line]]:
    """Ruled tables of an OCR'd page and the lines left outside them.

    `gray` is the page with its rules (they tell merged cells apart), `grids` what
    find_grids found on it, `lines` the OCR lines in points; `scale` converts image
    pixels to points.
    """
    if not grids:
        return [], lines
    data, width = _ink(gray)
    tables = []
    taken: set[int] = set()
    words = [w for line in lines for w in line.words]
    for grid in grids:
        box = _fill(grid, words, data, width, scale, taken)
        if box is not None:
            tables.append(box)
    if not taken:
        return tables, lines
    # keep Tesseract's own lines outside the tables, minus the words now in a cell
    out, i = [], 0
    for line in lines:
        kept = [w for k, w in enumerate(line.words, start=i) if k not in taken]
        i += len(line.words)
        if kept:
            out.append(Line(kept))
    return tables, out


def _fill(grid: Grid, words: list[Word], data: bytes, width: int, scale: float, taken: set[int]) -> TableBox | None:
    xs, ys = grid.xs, grid.ys
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    pad = 3
    # which rules are really there around each cell
    v_open = [[_ink_share(data, width, xs[c] - 2, xs[c] + 2, ys[r] + pad, ys[r + 1] - pad) < SEGMENT
               for c in range(1, n_cols)] for r in range(n_rows)]
    h_open = [[_ink_share(data, width, xs[c] + pad, xs[c + 1] - pad, ys[r] - 2, ys[r] + 2) < SEGMENT
               for c in range(n_cols)] for r in range(1, n_rows)]
    # merged regions: each slot points at the top-left slot of its region
    owner = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    for r in range(n_rows):
        for c in range(1, n_cols):
            if v_open[r][c - 1]:
                owner[r][c] = owner[r][c - 1]
    for r in range(1, n_rows):
        for c in range(n_cols):
            if h_open[r - 1][c]:
                owner[r][c] = owner[r - 1][c]
    # words into the region of the slot their centre falls in
    region_words: dict[tuple[int, int], list[Word]] = {}
    for i, w in enumerate(words):
        cx, cy = (w.x0 + w.x1) / 2 / scale, (w.top + w.bottom) / 2 / scale
        if not (xs[0] < cx < xs[-1] and ys[0] < cy < ys[-1]):
            continue
        taken.add(i)
        if not any(ch.isalnum() for ch in w.text):
            continue  # a rule read as "|" or "—"
        r = max(k for k in range(n_rows) if ys[k] <= cy)
        c = max(k for k in range(n_cols) if xs[k] <= cx)
        region_words.setdefault(owner[r][c], []).append(w)
    texts = {key: _cell_text(ws, xs[key[1]] * scale, xs[key[1] + 1] * scale) for key, ws in region_words.items()}
    rows = [[texts.get(owner[r][c], "") for c in range(n_cols)] for r in range(n_rows)]
    vmerged = [[r > 0 and owner[r][c][0] < r for c in range(n_cols)] for r in range(n_rows)]
    if not any(any(cell for cell in row) for row in rows):
        return None
    return TableBox(ys[0] * scale, ys[-1] * scale, rows, vmerged)


def _cell_text(words: list[Word], left: float, right: float) -> str:
    lines = group_lines(words, split_gaps=False)
    return "\n".join(p.text for p in paragraphs(lines, left + 2, right - 2))
