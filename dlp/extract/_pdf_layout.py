"""Tables rebuilt from where a PDF page draws its text: lines, cells and aligned columns.

A PDF keeps no table structure: a report writer draws each cell's text at a point, and only the
positions say that "1012345678" and "Alvarez, Jordan" are two cells of one row. This module takes the
glyphs of a page with their boxes (as pdfminer.six reports them), puts them back into lines, cuts each
line into cells at wide gaps, and finds the runs of lines whose cells line up in columns. Those runs
are tables; the other lines stay text.

The module name starts with an underscore so that the registry imports nothing from it as an extractor.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Gaps are measured in font sizes (ems). A word space in the usual fonts is 0.25-0.33 em; two cells of
# a report are set at least a wide gap apart (report writers pad cells on both sides). 0.6 em lies
# between the two: a line "Report date: 06/11/2025   Term: Full year" with three spaces is two cells,
# one with single spaces is one.
_CELL_GAP = 0.6
# A gap wider than this between two glyphs with no space character between them is a word space the
# writer made by moving the pen instead of drawing a space.
_WORD_GAP = 0.12
# Two glyphs belong to one line when their baselines are closer than this (subscripts, mixed sizes).
_SAME_LINE = 0.4
# A table ends at a vertical gap wider than this many line pitches (a blank band between blocks).
_BLOCK_GAP = 2.6
# Two columns whose cells come closer than this many points are one column.
_TOUCH = 0.5
# A region of two columns whose cells average longer than this is two columns of prose, not a table.
_PROSE_CELL = 40
# A bullet, dash or list number: a column of nothing else beside text makes a list, not a table.
_LIST_MARK = re.compile(r"[^\w\s]{1,2}|\(?(?:\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})[.):]")


@dataclass(frozen=True, slots=True)
class Glyph:
    """One drawn character: its box on the page (points, origin bottom left) and font size."""

    text: str
    x0: float
    x1: float
    y: float  # baseline (bottom of the box)
    size: float
    order: int = 0  # position in the page's content stream


@dataclass(frozen=True, slots=True)
class Cell:
    """The text of one line between two wide gaps, and where it lies horizontally."""

    x0: float
    x1: float
    text: str
    first: int = 0  # the content stream position of its first glyph
    last: int = 0  # and of its last


@dataclass(frozen=True, slots=True)
class Line:
    """The cells of one line of the page, left to right; ``y`` is the baseline, ``size`` the font size."""

    y: float
    size: float
    cells: tuple[Cell, ...]

    @property
    def text(self) -> str:
        """The line as text: cells separated by three spaces, as a reader sees a gap."""
        return "   ".join(cell.text for cell in self.cells)


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive lines of a page: a table (``rows`` set, one per line) or text (``rows`` None)."""

    lines: tuple[Line, ...]
    rows: tuple[tuple[str, ...], ...] | None = None
    spans: tuple[tuple[float, float], ...] = ()

    @property
    def text(self) -> str:
        """The block's lines as text, one per line."""
        return "\n".join(line.text for line in self.lines)


def page_lines(glyphs: Iterable[Glyph]) -> list[Line]:
    """The page's lines from top to bottom, each cut into cells at gaps of :data:`_CELL_GAP` em or more.

    Glyphs are grouped by baseline; within a line they are read left to right. Space characters only
    mark word boundaries: the geometry is taken from the visible glyphs, so three spaces and a pen move
    of the same width cut a line alike.
    """
    ordered = sorted(glyphs, key=lambda g: -g.y)
    groups: list[list[Glyph]] = []
    for glyph in ordered:
        if groups:
            current = groups[-1]
            if current[0].y - glyph.y < _SAME_LINE * max(glyph.size, current[0].size, 1.0):
                current.append(glyph)
                continue
        groups.append([glyph])
    lines = []
    for group in groups:
        line = _line(group)
        if line is not None:
            lines.append(line)
    return lines


def _line(group: list[Glyph]) -> Line | None:
    group.sort(key=lambda g: g.x0)
    size = max(1.0, Counter(round(g.size, 1) for g in group).most_common(1)[0][0])
    cells: list[Cell] = []
    words: list[str] = []
    chars: list[str] = []
    start = end = 0.0
    first = last = 0
    previous = group[0]
    spaced = False
    for glyph in group:
        if not glyph.text.strip():
            spaced = True
            continue
        if not chars and not words:
            start, end, first, last = glyph.x0, glyph.x1, glyph.order, glyph.order
        else:
            gap = glyph.x0 - end
            if gap >= _CELL_GAP * size:
                words.append("".join(chars))
                cells.append(Cell(start, end, " ".join(words), first, last))
                words, chars = [], []
                start, end, first, last = glyph.x0, glyph.x1, glyph.order, glyph.order
            elif spaced or gap >= _WORD_GAP * size or _raised(glyph, previous, size):
                words.append("".join(chars))
                chars = []
            end = max(end, glyph.x1)
            first, last = min(first, glyph.order), max(last, glyph.order)
        chars.append(glyph.text)
        previous = glyph
        spaced = False
    if chars:
        words.append("".join(chars))
    if words:
        cells.append(Cell(start, end, " ".join(words), first, last))
    if not cells:
        return None
    return Line(y=group[0].y, size=size, cells=tuple(cells))


def _raised(glyph: Glyph, previous: Glyph, size: float) -> bool:
    """A smaller or larger glyph on another baseline: a superscript (a footnote mark), a word apart.

    Small capitals change size on one baseline and stay in their word.
    """
    return abs(glyph.size - previous.size) > 0.2 * size and abs(glyph.y - previous.y) > 0.1 * size


def split_blocks(lines: Sequence[Line]) -> list[Block]:
    """The page's lines as text blocks and table blocks, in order from top to bottom.

    A table is a run of at least three lines of two or more cells whose cells fall into common column
    spans; lines of one cell inside such a run (a row with most cells empty) belong to it, those at its
    edges (titles, footers) do not. Two columns of long cells are prose set in columns, left as text.
    """
    blocks: list[Block] = []
    pending: list[Line] = []
    index = 0
    while index < len(lines):
        end = _run_end(lines, index)
        found = _table(lines[index:end]) if end - index >= 3 else None
        if found is None:
            pending.append(lines[index])
            index += 1
            continue
        lo, hi, table = found
        pending.extend(lines[index : index + lo])
        if pending:
            blocks.append(Block(lines=tuple(pending)))
            pending = []
        blocks.append(table)
        index += hi
    if pending:
        blocks.append(Block(lines=tuple(pending)))
    return blocks


def _run_end(lines: Sequence[Line], start: int) -> int:
    """End (exclusive) of the run of multi-cell lines from ``start``, one-cell lines allowed inside.

    The run stops at a vertical gap much wider than the run's line pitch so far.
    """
    if len(lines[start].cells) < 2:
        return start
    last_multi = start
    pitch = 0.0
    index = start + 1
    while index < len(lines):
        line = lines[index]
        step = lines[index - 1].y - line.y
        limit = _BLOCK_GAP * (pitch or 1.6 * line.size)
        if step > limit:
            break
        if index - 1 == start:
            pitch = step
        if len(line.cells) >= 2:
            last_multi = index
        elif index - last_multi > 2:
            break
        index += 1
    return last_multi + 1


def _table(lines: Sequence[Line]) -> tuple[int, int, Block] | None:
    """The table among the run's lines as ``(lo, hi, block)``, lines ``lo:hi``; None when there is none.

    The columns are the spans of the cells of the lines with the most common cell count. The table
    is the first stretch of lines that fit them (no cell straddles a column border) and that starts and
    ends with a line of two or more cells; so titles, banners, footers and a paragraph that follows
    (whose long lines straddle the columns) are left out and stay text.
    """
    spans = _column_spans(lines, _reference_spans(lines))
    if len(spans) < 2:
        return None
    starts, ends = [span[0] for span in spans], [span[1] for span in spans]
    fits = [not any(_straddles(cell, starts, ends) for cell in line.cells) for line in lines]
    lo = 0
    while lo < len(lines) and not (fits[lo] and len(lines[lo].cells) >= 2):
        lo += 1
    hi = lo
    while hi < len(lines) and fits[hi]:
        hi += 1
    while hi > lo and len(lines[hi - 1].cells) < 2:
        hi -= 1
    if hi - lo < 3:
        return None
    body = lines[lo:hi]
    if hi - lo < len(lines):
        spans = _column_spans(body, _reference_spans(body))
        starts, ends = [span[0] for span in spans], [span[1] for span in spans]
        if len(spans) < 2 or any(_straddles(cell, starts, ends) for line in body for cell in line.cells):
            return None
    block = _checked(body, spans)
    return None if block is None else (lo, hi, block)


def _checked(lines: Sequence[Line], spans: list[tuple[float, float]]) -> Block | None:
    """The table block if the lines fill the columns like a table does, else None.

    Most rows fill half the columns or more; at least two columns hold words or numbers (a column of bullets
    or list numbers beside text is a list); two columns of long cells are prose set in columns.
    """
    starts, ends = [span[0] for span in spans], [span[1] for span in spans]
    rows = tuple(_assign(line, spans, starts, ends) for line in lines)
    # Most rows fill half the columns or more: lines of two text columns set at slightly different
    # heights alternate between the left and the right half, which no table does.
    enough = max(2, (len(spans) + 1) // 2)
    filled = [row for row in rows if sum(1 for cell in row if cell) >= enough]
    if len(filled) < 3 or len(filled) * 3 < len(rows) * 2:
        return None
    # Consecutive rows of a table share a column (the first, usually); lines of two text columns
    # that merely sit side by side fill disjoint columns from one line to the next.
    pairs = zip(rows, rows[1:], strict=False)
    disjoint = sum(not any(a and b for a, b in zip(upper, lower, strict=True)) for upper, lower in pairs)
    if disjoint * 3 > len(rows) - 1:
        return None
    if not _drawn_by_rows(lines):
        return None
    content = [i for i in range(len(spans)) if _content_column([row[i] for row in rows if row[i]])]
    if len(content) < 2:
        return None
    if len(content) == 2:
        longest = max(sum(len(row[i]) for row in filled) / len(filled) for i in content)
        if longest > _PROSE_CELL:
            return None
    return Block(lines=tuple(lines), rows=rows, spans=tuple(spans))


def _drawn_by_rows(lines: Sequence[Line]) -> bool:
    """Whether the page draws these lines one after the other, as writers draw a table's rows.

    Text set in columns is drawn a column at a time: the second column's first line comes after the
    first column's last. Its lines side by side look like rows, but the drawing order tells.
    """
    pairs = [(a, b) for a, b in zip(lines, lines[1:], strict=False) if len(a.cells) >= 2 and len(b.cells) >= 2]
    if not pairs:
        return True
    in_order = sum(max(c.last for c in a.cells) < min(c.first for c in b.cells) for a, b in pairs)
    return in_order * 2 >= len(pairs)


def _content_column(cells: Sequence[str]) -> bool:
    """Whether a column holds data: some cells are more than a bullet or a list number ("1.", "a)")."""
    return sum(not _LIST_MARK.fullmatch(cell) for cell in cells) * 2 > len(cells)


def _reference_spans(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """Column spans from the lines with the most common cell count (two or more; ties: the most cells).

    When those lines do not agree (their cells do not fall into as many spans as they have cells),
    the union of every line's cells is taken instead, the loosest reading.
    """
    counts = Counter(len(line.cells) for line in lines if len(line.cells) >= 2)
    if not counts:
        return []
    top = max(counts.values())
    width = max(n for n, c in counts.items() if c == top)
    spans = _merge(cell for line in lines if len(line.cells) == width for cell in line.cells)
    if len(spans) != width:
        spans = _merge(cell for line in lines for cell in line.cells)
    return spans


def _column_spans(lines: Sequence[Line], spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The reference spans plus spans for cells lying outside all of them (a mostly empty column)."""
    starts, ends = [span[0] for span in spans], [span[1] for span in spans]
    extra = []
    for line in lines:
        for cell in line.cells:
            lo, hi = _hits(cell, starts, ends)
            if hi <= lo:
                extra.append(cell)
    return sorted(spans + _merge(extra)) if extra else spans


def _merge(cells: Iterable[Cell]) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    for cell in sorted(cells, key=lambda c: c.x0):
        if spans and cell.x0 <= spans[-1][1] + _TOUCH:
            spans[-1] = (spans[-1][0], max(spans[-1][1], cell.x1))
        else:
            spans.append((cell.x0, cell.x1))
    return spans


def _overlap(cell: Cell, span: tuple[float, float]) -> float:
    return min(cell.x1, span[1]) - max(cell.x0, span[0])


def _hits(cell: Cell, starts: Sequence[float], ends: Sequence[float]) -> tuple[int, int]:
    """The index range of the (sorted, disjoint) spans the cell overlaps: ``lo:hi``, empty if none."""
    return bisect_right(ends, cell.x0), bisect_left(starts, cell.x1)


def _straddles(cell: Cell, starts: Sequence[float], ends: Sequence[float]) -> bool:
    lo, hi = _hits(cell, starts, ends)
    return hi - lo > 1


def _assign(line: Line, spans: Sequence[tuple[float, float]], starts: Sequence[float],
            ends: Sequence[float]) -> tuple[str, ...]:
    """The line's cells placed in the columns they overlap most (or lie nearest); cells sharing a
    column are joined with a space."""
    out = [""] * len(spans)
    for cell in line.cells:
        lo, hi = _hits(cell, starts, ends)
        if hi - lo == 1:
            best = lo
        elif hi - lo > 1:
            best = max(range(lo, hi), key=lambda i: _overlap(cell, spans[i]))
        else:
            best = min(range(len(spans)), key=lambda i: abs(cell.x0 - spans[i][0]))
        out[best] = f"{out[best]} {cell.text}" if out[best] else cell.text
    return tuple(out)


def is_form(rows: Sequence[Sequence[str]]) -> bool:
    """Whether a table is a form: its first column holds labels ("Student:", "Date of Birth:").

    A form's first row is a label and its value, not a header over the rows below.
    """
    labels = [row[0] for row in rows if row and row[0]]
    return bool(labels) and sum(label.endswith(":") for label in labels) * 3 >= len(labels) * 2


# --- where the glyphs come from -------------------------------------------------------------------

_SHOW_TEXT = frozenset({b"Tj", b"TJ", b"'", b'"'})
# A TJ pen move of this many thousandths of an em or more (to the right) is a gap between cells.
_TJ_CELL_GAP = -900


class ShowPoints:
    """A pypdf ``visitor_operand_before`` that notes where each text-showing operator starts.

    Report writers draw each cell with an operator of its own, so a page that holds a table has lines
    with several text starts, at x positions that recur on other lines. :meth:`tabular` tells such a
    page from prose cheaply, during the text extraction pypdf does anyway; only those pages are read
    again for their glyph positions.
    """

    def __init__(self) -> None:
        self.points: list[tuple[int, int]] = []
        self.gapped: set[int] = set()

    def __call__(self, operator: bytes, operands: Any, cm: Sequence[float], tm: Sequence[float]) -> None:
        """Record the start point (page space, rounded to points) of a text-showing operator."""
        if operator in _SHOW_TEXT:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            self.points.append((round(y), round(x)))
            # TeX and some writers set a whole row in one TJ, moving the pen across each gap.
            if (operator == b"TJ" and operands and isinstance(operands[0], list)
                    and any(isinstance(v, int | float) and v <= _TJ_CELL_GAP for v in operands[0])):
                self.gapped.add(round(y))

    def tabular(self) -> bool:
        """Whether three or more lines each start text at two x positions that recur on other lines,
        or three or more lines jump a cell-wide gap inside one operator."""
        if len(self.gapped) >= 3:
            return True
        lines: dict[int, set[int]] = {}
        for y, x in self.points:
            lines.setdefault(y, set()).add(x)
        multi = [xs for xs in lines.values() if len(xs) >= 2]
        if len(multi) < 3:
            return False
        count = Counter(x for xs in multi for x in xs)
        aligned = 0
        for xs in multi:
            # A point's neighbours count too: the same column start rounds to adjacent points.
            if sum(1 for x in xs if count[x - 1] + count[x] + count[x + 1] >= 3) >= 2:
                aligned += 1
                if aligned >= 3:
                    return True
        return False
