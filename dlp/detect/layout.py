"""Where the tables and forms are: header rows below titles, tables inside text, label/value forms.

Real exports put title lines, banners ("# Exported 2024-06-11 by ..."), report dates and blank lines
above a table's header, repeat the header on every page, put total and page lines at the bottom, stack
two tables in one sheet and paste rosters into mail bodies. This module finds the structure; the
header vocabulary is :mod:`dlp.detect.headers` and the typing of cells is :mod:`dlp.detect.tables`.
Everything here is value-free (it returns positions and header words) and cheap on text without
tables: a 5 MB log costs a few passes of C-level string methods before it is given up.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from dlp.detect.headers import NON_ENTITY_KINDS, header_kind, header_terms, is_label

# How far down a header is looked for (title lines, banners and blank rows come first).
HEADER_SEARCH_ROWS = 30
_COMMENT = re.compile(r"^\s*(?:#|//|--|==|\*\*|;;)")
_DECORATION = re.compile(r"^[\s\-=_*+:|.~#]*$")
_FOOTER = re.compile(
    r"^\s*(?:(?:grand |sub-?)?totals?\b|count\s*[:=]|page \d+(?: of \d+)?\b|end of (?:report|file|data)\b"
    r"|\d+ (?:records?|rows?|students?|employees?|items?)(?: (?:listed|found|printed|total))?\s*$"
    r"|records?\s*[:=]|(?:report )?(?:generated|printed|exported|run) (?:on|by|at)\b|confidential\b)",
    re.IGNORECASE,
)
_MOSTLY_DIGITS = re.compile(r"^[\d\s\-./,:()$%+]*\d[\d\s\-./,:()$%+]*$")
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


@dataclass(frozen=True, slots=True)
class Segment:
    """One table inside a grid of rows: its header (if any), the column names, its data rows.

    ``header`` is the index of the header row (the lower one of a two-row header), ``names`` the column
    names (a group row above is combined into them: "Student" over "Last" gives "Student Last"), and
    ``rows`` the indexes of the data rows: repeated headers, titles, comments, totals and blank rows are
    left out. A segment without a header is typed by its values alone.
    """

    header: int | None
    names: tuple[str, ...]
    header_rows: tuple[int, ...]
    rows: tuple[int, ...]


def _filled(row: Sequence[str]) -> list[str]:
    return [c for c in (cell.strip() for cell in row) if c]


def _value_like(cell: str) -> bool:
    """A cell that reads as data: mostly digits, a date, an e-mail address, or a sentence."""
    if "@" in cell or len(cell) > 48 or cell.count(" ") > 6:
        return True
    if _MOSTLY_DIGITS.match(cell):
        return not is_label(cell)  # "504", "2024"? a known code header is a label
    return bool(_DATE_LIKE.search(cell))


def _skip_row(cells: list[str], width: int) -> bool:
    """A row that is no data: blank, a comment or banner, a decoration line, a total or page line."""
    if not cells:
        return True
    first = cells[0]
    if _COMMENT.match(first) or _FOOTER.match(first):
        return True
    return all(_DECORATION.match(c) for c in cells)


def _header_strength(cells: list[str], width: int) -> int:
    """How many cells read as known column names; 0 when the row cannot be a header row."""
    n = len(cells)
    if n == 0 or (n < 2 and width > 1) or len(set(cells)) < n:
        return 0
    known = sum(1 for c in cells if is_label(c))
    if known == 0 or any(_value_like(c) for c in cells if not is_label(c)):
        return 0
    # Most cells must be known words ("Q1", "504" and "HW 3" count): a data row of names has none.
    return known if known * 2 >= n or known >= 3 else 0


def _typed(cells: Sequence[str]) -> int:
    return sum(1 for c in cells if c.strip() and header_kind(c) is not None)


def _key(row: Sequence[str]) -> tuple[str, ...]:
    return tuple(c.strip().lower() for c in row)


def find_header(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the first table's header row among the first rows, or None when none reads as one."""
    segments = find_segments(rows)
    return segments[0].header if segments else None


def find_segments(rows: Sequence[Sequence[str]], *, first_is_header: bool = False) -> list[Segment]:
    """The tables of a grid, each with its header row and data rows.

    ``first_is_header`` is the extractor's word that row 0 is the header (an HTML ``<th>`` row, JSON
    keys): it is taken when no better header is found below it.
    """
    if not rows:
        return []
    head = rows[:HEADER_SEARCH_ROWS]
    width = max((len(_filled(r)) for r in head), default=0)
    header = _first_header(rows, 0, width)
    if header is None and first_is_header and _filled(rows[0]):
        header = 0
    if header is None:
        data = tuple(i for i, r in enumerate(rows) if not _skip_row(_filled(r), width))
        return [Segment(None, (), (), data)] if data else []
    segments: list[Segment] = []
    while header is not None:
        names, header_rows = _names(rows, header)
        keys = {_key(rows[i]) for i in header_rows}
        data: list[int] = []
        next_header = None
        after_gap = False
        for i in range(header + 1, len(rows)):
            row = rows[i]
            cells = _filled(row)
            if _skip_row(cells, width):
                after_gap = True
                continue
            if _key(row) in keys:
                continue  # the header repeated on every page
            if after_gap and _header_strength(cells, width) >= 2 and _typed(cells) >= 2:
                next_header = i  # a second table below the first one
                break
            after_gap = False
            data.append(i)
        segments.append(Segment(header, names, header_rows, tuple(data)))
        header = next_header
    return segments


def _first_header(rows: Sequence[Sequence[str]], start: int, width: int) -> int | None:
    """The first row (from ``start``, within the search depth) that reads as a header row."""
    best: int | None = None
    for i in range(start, min(len(rows), start + HEADER_SEARCH_ROWS)):
        cells = _filled(rows[i])
        if _skip_row(cells, width):
            continue
        if _header_strength(cells, width):
            best = i
            break
    if best is None:
        return None
    # A group row ("Student | | | Guardian") above the real header row: take the fuller row below.
    below = best + 1
    if below < len(rows):
        cells, under = _filled(rows[best]), _filled(rows[below])
        if len(under) > len(cells) and _header_strength(under, width):
            return below
    return best


def _names(rows: Sequence[Sequence[str]], header: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Column names of a header row, with a group row directly above combined into them."""
    names = [c.strip() for c in rows[header]]
    if header == 0:
        return tuple(names), (header,)
    above = [c.strip() for c in rows[header - 1]]
    filled = [c for c in above if c]
    if not filled or len(filled) >= len([n for n in names if n]) or not all(is_label(c) for c in filled):
        return tuple(names), (header,)
    group = ""
    combined = []
    for col, name in enumerate(names):
        if col < len(above) and above[col]:
            group = above[col]
        sub_kind = header_kind(name) if name else None
        # The sub-header decides when it names a kind ("Last" under "Student"); a generic one ("ID",
        # "Number", "Phone"?) takes its meaning from the group ("Emergency Contact" over "Name").
        if group and (sub_kind is None or sub_kind in NON_ENTITY_KINDS or name.lower() in _GENERIC):
            joined = f"{group} {name}".strip()
            combined.append(joined if header_kind(joined) is not None else name)
        else:
            combined.append(name)
    return tuple(combined), (header - 1, header)


_GENERIC = frozenset({"id", "#", "no", "no.", "number", "name", "date", "code", "value", "num", "nbr"})


# --- label/value forms -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pair:
    """A label and its value: ``row`` is the 1-based row or line of the value, offsets index the text."""

    row: int
    kind: str
    label: str
    value: str
    label_start: int
    label_end: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Form:
    """Label/value pairs that make one record, spanning rows (lines) ``first`` to ``last``."""

    first: int
    last: int
    pairs: tuple[Pair, ...]

    @property
    def rows(self) -> str:
        """The row part of the locator: "row 4" or "row 4-17"."""
        return f"row {self.first}" if self.first == self.last else f"row {self.first}-{self.last}"


def grid_form_pairs(rows: Sequence[Sequence[str]]) -> list[tuple[int, int, int]]:
    """(row index, label column, value column) of the label/value pairs of a two- or four-column form.

    A grid is a form when at least two rows, and at least half its rows, pair a known label with a
    value beside it ("SASID | 1012345678", "Date of Birth | 03/14/2011").
    """
    pairs: list[tuple[int, int, int]] = []
    filled_rows = 0
    labelled: set[int] = set()
    for i, row in enumerate(rows[:400]):
        cells = [c.strip() for c in row]
        present = [c for c in cells if c]
        if not present:
            continue
        filled_rows += 1
        if len(present) > 6:
            return []
        for col, cell in enumerate(cells):
            if not cell:
                continue
            value_col = next((j for j in range(col + 1, min(len(cells), col + 3)) if cells[j]), None)
            if value_col is None:
                continue
            kind = header_kind(cell)
            if kind is not None and kind not in NON_ENTITY_KINDS and not is_label(cells[value_col]):
                pairs.append((i, col, value_col))
                labelled.add(i)
        if len(present) == 2 and is_label(present[0]) and not is_label(present[1]):
            labelled.add(i)  # a known label with a value of no PI kind still makes the grid a form
    if len({p[0] for p in pairs}) >= 2 and len(labelled) * 2 >= min(filled_rows, 40):
        return pairs
    return []


# A label and its value on one line: "Student: Jane Doe", "DOB - 03/14/2011" (a dash needs spaces).
_INLINE = re.compile(
    r"(?:^|(?<=\|)|(?<=\t)|(?<=  ))[ \t>*•\-]*"
    r"(?P<label>[A-Za-z][A-Za-z0-9 .#/()'’&,]{0,38}?[A-Za-z.#)])[ \t]*(?::|\s[-–]\s)[ \t]*"
    r"(?P<value>[^\s|:][^\n|\t:]{0,78}?)[ \t]*(?=\t|\||\s{2,}|$)",
    re.MULTILINE,
)
# A label alone on its line, its value alone on the next: "Date of Birth\n03/14/2011".
_STACKED = re.compile(
    r"^[ \t]*(?P<label>[A-Za-z][A-Za-z0-9 .#/()'’&,]{0,38}?[A-Za-z.#)])[ \t]*:?[ \t]*\n"
    r"[ \t]*(?P<value>[^\s:][^\n:]{0,60}?)[ \t]*$",
    re.MULTILINE,
)
_FORM_GAP = 6


@functools.lru_cache(maxsize=2)
def text_forms(text: str) -> tuple[Form, ...]:
    """Label/value forms in a text, the pairs within a few lines of one another grouped as one form.

    A form spans the paragraphs that hold its pairs, so that a value in a sentence beside the labels
    (an SSN written out under "Employee: ...") belongs to the same record.
    """
    if ":" not in text and "\n" not in text:
        return ()
    line_starts = _line_starts(text)
    pairs: list[Pair] = []
    for pattern in (_INLINE, _STACKED):
        for m in pattern.finditer(text):
            label = m.group("label")
            kind = header_kind(label)
            if kind is None or kind in NON_ENTITY_KINDS:
                continue
            value = m.group("value")
            if is_label(value) and header_kind(value) is not None:
                continue  # two labels in a row ("Name: Student ID"): a header, not a value
            row = bisect.bisect_right(line_starts, m.start("value"))
            pairs.append(Pair(row, kind, label, value, m.start("label"), m.end("label"), m.start("value"),
                              m.end("value")))
    if not pairs:
        return ()
    pairs.sort(key=lambda p: p.start)
    forms: list[Form] = []
    group: list[Pair] = [pairs[0]]
    for pair in pairs[1:]:
        if pair.row - group[-1].row <= _FORM_GAP:
            group.append(pair)
        else:
            forms.append(_form(group, text, line_starts))
            group = [pair]
    forms.append(_form(group, text, line_starts))
    return tuple(forms)


def _form(pairs: list[Pair], text: str, line_starts: list[int]) -> Form:
    """A form over its pairs' lines, widened to the paragraphs (up to blank lines) around them."""
    first, last = pairs[0].row, pairs[-1].row
    lines = len(line_starts)

    def blank(line: int) -> bool:
        start = line_starts[line - 1]
        end = line_starts[line] - 1 if line < lines else len(text)
        return not text[start:end].strip()

    while first > 1 and not blank(first - 1) and pairs[0].row - first < 3:
        first -= 1
    while last < lines and not blank(last + 1) and last - pairs[-1].row < 3:
        last += 1
    return Form(first, last, tuple(pairs))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


# --- tables inside text --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TextTable:
    """A block of delimited or space-aligned lines in a text: its rows, where each cell starts, its lines.

    ``starts[r][c]`` is the offset of cell ``c`` of row ``r`` in the text (the raw cell, quotes and
    padding included) and ``lines[r]`` its 1-based line number, so findings locate by the text's lines.
    """

    rows: tuple[tuple[str, ...], ...]
    starts: tuple[tuple[int, ...], ...]
    lines: tuple[int, ...]


_MIN_LINES = 3
_QUICK_SHAPES = re.compile(
    r"(?<![\w-])(?:\d{3}-\d{2}-\d{4}|\d{9}|\d{10}|S[A]?\d{7,8}|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})(?![\w-])"
)
_ALIGNED_LINE = re.compile(r"\S {2,}\S")
_ALIGNED_CELL = re.compile(r"\S+(?: \S+)*")


@functools.lru_cache(maxsize=2)
def text_tables(text: str) -> tuple[TextTable, ...]:
    """Blocks of three or more lines with one column structure that hold a known header or ID-shaped cells.

    Delimiters tried: tab, pipe, semicolon, comma, then columns aligned with runs of spaces. A block
    whose first rows hold no header and whose cells have no identifier shape is given up at once.
    """
    if len(text) < 20 or text.count("\n") < _MIN_LINES - 1:
        return ()
    lines = text.split("\n")
    line_starts = [0]
    for line in lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    taken = [False] * len(lines)
    tables: list[TextTable] = []
    for delim in ("\t", "|", ";", ","):
        if text.count(delim) < _MIN_LINES:
            continue
        counts = [line.count(delim) if '"' not in line else _quoted_count(line, delim) for line in lines]
        for lo, hi in _runs(counts, lines, taken):
            table = _delimited(lines, line_starts, lo, hi, delim)
            if table is not None:
                tables.append(table)
                for i in range(lo, hi):
                    taken[i] = True
    if "  " in text:
        tables.extend(_aligned_tables(text, lines, line_starts, taken))
    tables.sort(key=lambda t: t.lines[0])
    return tuple(tables)


def _quoted_count(line: str, delim: str) -> int:
    return len(_split_quoted(line, delim)) - 1


def _runs(counts: list[int], lines: list[str], taken: list[bool]) -> list[tuple[int, int]]:
    """Maximal runs of at least three lines with the same positive delimiter count (blank lines end them)."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(counts)
    while i < n:
        c = counts[i]
        if c <= 0 or taken[i]:
            i += 1
            continue
        j = i + 1
        while j < n and counts[j] == c and not taken[j]:
            j += 1
        if j - i >= _MIN_LINES:
            runs.append((i, j))
        i = j
    return runs


def _split_quoted(line: str, delim: str) -> list[tuple[int, int]]:
    """(start, end) of each field of a delimited line, a delimiter inside double quotes not splitting."""
    spans: list[tuple[int, int]] = []
    start, quoted = 0, False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(line)))
    return spans


def _split_plain(line: str, delim: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    pos = line.find(delim)
    while pos >= 0:
        spans.append((start, pos))
        start = pos + 1
        pos = line.find(delim, start)
    spans.append((start, len(line)))
    return spans


def _cell(line: str, lo: int, hi: int) -> tuple[str, int]:
    """A field's value (without padding and quotes) and its offset within the line."""
    raw = line[lo:hi]
    stripped = raw.strip()
    offset = lo + (len(raw) - len(raw.lstrip()))
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        stripped = stripped[1:-1].replace('""', '"')
        offset += 1
    return stripped, offset


def _delimited(lines: list[str], line_starts: list[int], lo: int, hi: int, delim: str) -> TextTable | None:
    rows: list[tuple[str, ...]] = []
    starts: list[tuple[int, ...]] = []
    for i in range(lo, hi):
        line = lines[i]
        spans = _split_quoted(line, delim) if '"' in line else _split_plain(line, delim)
        cells = [_cell(line, a, b) for a, b in spans]
        rows.append(tuple(c[0] for c in cells))
        starts.append(tuple(line_starts[i] + c[1] for c in cells))
    if delim == "," and not _has_structure(rows, strict=True):
        return None  # prose with a comma per line is not a table
    if not _has_structure(rows):
        return None
    return TextTable(tuple(rows), tuple(starts), tuple(range(lo + 1, hi + 1)))


def _has_structure(rows: list[tuple[str, ...]], *, strict: bool = False) -> bool:
    """A known header row among the first rows, or a column whose cells have an identifier's shape."""
    head = rows[:HEADER_SEARCH_ROWS]
    width = max(len(_filled(r)) for r in head)
    if width < 2:
        return False
    if strict and any(len(c) > 60 for r in head for c in r):
        return False
    if _first_header(head, 0, width) is not None:
        return True
    sample = rows[:40]
    for col in range(width):
        shaped = sum(1 for r in sample if col < len(r) and _QUICK_SHAPES.fullmatch(r[col]))
        if shaped >= _MIN_LINES:
            return True
    return False


def _aligned_tables(text: str, lines: list[str], line_starts: list[int], taken: list[bool]) -> list[TextTable]:
    """Columns aligned with runs of spaces (fixed-width reports): cells assigned to columns by position."""
    tables: list[TextTable] = []
    n = len(lines)
    i = 0
    while i < n:
        if taken[i] or not _ALIGNED_LINE.search(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < n and not taken[j] and (_ALIGNED_LINE.search(lines[j]) or (lines[j].strip() and j + 1 < n
                                                                            and _ALIGNED_LINE.search(lines[j + 1]))):
            j += 1
        if j - i >= _MIN_LINES:
            table = _aligned(lines, line_starts, i, j)
            if table is not None:
                tables.append(table)
        i = j
    return tables


def _aligned(lines: list[str], line_starts: list[int], lo: int, hi: int) -> TextTable | None:
    # The header row sets the columns: find it among the first lines, split on runs of spaces.
    head = [tuple(m.group() for m in _ALIGNED_CELL.finditer(lines[k])) for k in range(lo, min(hi, lo + 40))]
    width = max(len(r) for r in head)
    header = _first_header(head, 0, width)
    if header is None:
        if not _has_structure(head):
            return None
        ref = max(range(len(head)), key=lambda k: len(head[k]))
    else:
        ref = header
    columns = [m.start() for m in _ALIGNED_CELL.finditer(lines[lo + ref])]
    if len(columns) < 2:
        return None
    rows: list[tuple[str, ...]] = []
    starts: list[tuple[int, ...]] = []
    for k in range(lo, hi):
        line = lines[k]
        spans: list[tuple[int, int] | None] = [None] * len(columns)
        for m in _ALIGNED_CELL.finditer(line):
            # A right-aligned number starts after its column's left edge: the column is the last one
            # whose left edge is at or before the cell's start (one character of slack).
            col = max(0, bisect.bisect_right(columns, m.start() + 1) - 1)
            old = spans[col]
            spans[col] = (m.start(), m.end()) if old is None else (old[0], m.end())
        rows.append(tuple(line[s[0]:s[1]] if s else "" for s in spans))
        starts.append(tuple(line_starts[k] + (s[0] if s else columns[c]) for c, s in enumerate(spans)))
    return TextTable(tuple(rows), tuple(starts), tuple(range(lo + 1, hi + 1)))


# --- what a table or form is about ----------------------------------------------------------------------

_TITLE_LINES = 3


def grid_headings(rows: Sequence[Sequence[str]], *, first_is_header: bool = False) -> str:
    """The words that say what a grid's records are: its header rows, the titles above them, form labels.

    The words the header cells stand for are added ("F/R" adds "free or reduced lunch", "SASID" adds
    "student"), so that the classification's term lists read a header as they read a sentence.
    """
    words: list[str] = []
    for seg in find_segments(rows, first_is_header=first_is_header):
        if seg.header is None:
            continue
        top = seg.header_rows[0]
        titles = [" ".join(_filled(rows[i])) for i in range(max(0, top - _TITLE_LINES * 2), top)]
        words.extend(t for t in titles[-_TITLE_LINES:] if t)
        words.extend(seg.names)
        words.append(header_terms(seg.names))
    labels = [rows[r][c] for r, c, _ in grid_form_pairs(rows)]
    if labels:
        words.extend(_filled(rows[0])[:1])
        words.extend(labels)
        words.append(header_terms(labels))
    return " ".join(w for w in words if w)


def text_headings(text: str) -> str:
    """:func:`grid_headings` for the tables and forms inside a text part, with their title lines."""
    words: list[str] = []
    tables = text_tables(text)
    forms = text_forms(text)
    if not tables and not forms:
        return ""
    lines = text.split("\n")
    for table in tables:
        words.append(grid_headings(table.rows))
        words.extend(_titles_above(lines, table.lines[0]))
    for form in forms:
        labels = [p.label for p in form.pairs]
        words.extend(labels)
        words.append(header_terms(labels))
        words.extend(_titles_above(lines, form.first))
    return " ".join(w for w in words if w)


def _titles_above(lines: list[str], first: int) -> list[str]:
    """Up to three non-blank lines just above line ``first`` (1-based): the table's or form's title."""
    out: list[str] = []
    i = first - 2
    while i >= 0 and len(out) < _TITLE_LINES and first - 2 - i <= _TITLE_LINES * 2:
        line = lines[i].strip()
        if line and len(line) <= 120:
            out.append(line)
        i -= 1
    return out
