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
import dataclasses
import functools
import itertools
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dlp.detect.headers import NON_ENTITY_KINDS, header_kind, header_terms, is_label
from dlp.detect.hscache import compile_database

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
# A first cell that may make its row one to skip (a comment, a footer, a decoration line), in one regex.
_SKIP_FIRST = re.compile(f"{_COMMENT.pattern}|(?i:{_FOOTER.pattern})|{_DECORATION.pattern}")
# The first two characters of a first cell that no comment, footer or decoration line starts with: an ASCII
# letter and any ASCII character, but for the starts of the footer's words ("to" of "Total", "pa" of "Page").
# (A cell of digits alone is no such line either: the footer's count is followed by a space and a word.)
_FOOTER_HEADS = frozenset({"gr", "su", "to", "co", "pa", "en", "re", "ge", "pr", "ex", "ru"})
_PLAIN_HEADS = frozenset(
    head for a in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for head in (a, *(a + chr(b) for b in range(128))) if head.lower() not in _FOOTER_HEADS
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
    return list(filter(None, map(str.strip, row)))


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
    known = 0
    for c in cells:
        if is_label(c):
            known += 1
        elif _value_like(c):
            return 0  # a data cell (most rows stop at their first one)
    if known == 0:
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


# The last grid segmented and its segments: the engine and the classification both ask about the same
# part in turn, and a 100,000-row sheet is worth segmenting once.
_LAST: list[tuple[object, bool, list[Segment]]] = []


def find_segments(rows: Sequence[Sequence[str]], *, first_is_header: bool = False) -> list[Segment]:
    """The tables of a grid, each with its header row and data rows.

    ``first_is_header`` is the extractor's word that row 0 is the header (an HTML ``<th>`` row, JSON
    keys): it is taken when no better header is found below it.
    """
    if not rows:
        return []
    if _LAST and _LAST[0][0] is rows and _LAST[0][1] == first_is_header:
        return list(_LAST[0][2])
    segments = _find_segments(rows, first_is_header)
    _LAST[:] = [(rows, first_is_header, segments)]
    return list(segments)


def _find_segments(rows: Sequence[Sequence[str]], first_is_header: bool) -> list[Segment]:
    head = rows[:HEADER_SEARCH_ROWS]
    width = max((len(_filled(r)) for r in head), default=0)
    header = _first_header(rows, 0, width)
    if header is None and first_is_header and _filled(rows[0]):
        header = 0
    if header is None:
        every: list[int] = []
        i, special = 0, _Special(rows, frozenset())
        while i < len(rows):
            j = special.next(i)
            every.extend(range(i, j))  # rows that plainly are data
            if j < len(rows) and not _skip_row(_filled(rows[j]), width):
                every.append(j)
            i = j + 1
        return [Segment(None, (), (), tuple(every))] if every else []
    segments: list[Segment] = []
    while header is not None:
        names, header_rows = _names(rows, header)
        keys = {_key(rows[i]) for i in header_rows}
        # A repeated header has as many cells, and as many filled, as a header row: other rows need no key.
        shapes = {(len(rows[i]), len(_filled(rows[i]))) for i in header_rows}
        firsts = {key[0] for key in keys if key}  # and its first cell: a data row differs there at once
        data: list[int] = []
        next_header = None
        after_gap = False
        special = _Special(rows, frozenset(firsts))
        i = header + 1
        while i < len(rows):
            if not after_gap:
                j = special.next(i)
                data.extend(range(i, j))  # rows that plainly are data, taken in one step
                i = j
                if i >= len(rows):
                    break
            row = rows[i]
            i += 1
            cells = _filled(row)
            if _skip_row(cells, width):
                after_gap = True
                continue
            if ((len(row), len(cells)) in shapes and row and row[0].strip().lower() in firsts
                    and _key(row) in keys):
                continue  # the header repeated on every page
            if after_gap and len(cells) == 1 and width > 2:
                continue  # a title line between two tables ("Staff")
            if after_gap and _header_strength(cells, width) >= 2 and _typed(cells) >= 2:
                next_header = i - 1  # a second table below the first one
                break
            after_gap = False
            data.append(i - 1)
        segments.append(Segment(header, names, header_rows, tuple(data)))
        header = next_header
    return segments


class _Special:
    """Finds the rows of a grid that the segmentation must read one at a time.

    Any other row is plainly data: its first cell is filled and is no comment, footer, decoration line
    or header cell (``firsts``, lower case), so it is neither skipped nor a repeated header. The rows are
    judged a window at a time (windows doubling in size) with C-level passes over their first cells: a
    100,000-row sheet costs no Python per row, and a short segment reads little past its end.
    """

    def __init__(self, rows: Sequence[Sequence[str]], firsts: frozenset[str]) -> None:
        self.rows = rows
        self.firsts = firsts
        self.found: list[int] = []  # special rows of the windows judged so far, in order
        self.end = 0  # the rows before this are judged
        self.size = 64

    def next(self, i: int) -> int:
        """The first special row at or after ``i`` (the number of rows when there is none)."""
        n = len(self.rows)
        while True:
            k = bisect.bisect_left(self.found, i)
            if k < len(self.found):
                return self.found[k]
            if self.end >= n:
                return n
            self._judge(max(i, self.end))

    def _judge(self, lo: int) -> None:
        hi = min(len(self.rows), lo + self.size)
        self.size *= 2
        window = self.rows[lo:hi]
        if all(window):
            firsts = list(map(str.strip, map(operator.itemgetter(0), window)))
        else:  # an empty row (a sheet's blank line): its first cell is no cell at all
            firsts = [r[0].strip() if r else "" for r in window]
        special: set[int] = set(itertools.compress(itertools.count(lo), map(operator.not_, firsts)))
        # Only a first cell that is not all digits and does not start as a plain word does (_PLAIN_HEADS)
        # can be a comment, a footer or a decoration line: the regex reads those alone.
        plain = map(operator.or_, map(str.isdigit, firsts),
                    map(_PLAIN_HEADS.__contains__, map(operator.getitem, firsts, itertools.repeat(slice(0, 2)))))
        special.update(i for i in itertools.compress(itertools.count(lo), map(operator.not_, plain))
                       if _SKIP_FIRST.match(firsts[i - lo]))
        special.update(itertools.compress(itertools.count(lo), map(self.firsts.__contains__, map(str.lower, firsts))))
        self.found = sorted(special)  # earlier windows are behind the caller: only this one is kept
        self.end = hi


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
    if (not filled or len(filled) >= len([n for n in names if n])
            or not all(is_label(c) and len(c.split()) <= 3 and not any(ch.isdigit() for ch in c) for c in filled)):
        return tuple(names), (header,)  # no group row: a title line ("Bus 20 - student riders") or data
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
    titles: tuple[str, ...] = ()  # the lines just above the form (its title)

    @property
    def rows(self) -> str:
        """The row part of the locator: "row 4" or "row 4-17"."""
        return f"row {self.first}" if self.first == self.last else f"row {self.first}-{self.last}"


# The last grid asked about and its pairs: the engine and the classification both ask about each grid.
_LAST_PAIRS: list[tuple[object, list[tuple[int, int, int]]]] = []


def grid_form_pairs(rows: Sequence[Sequence[str]]) -> list[tuple[int, int, int]]:
    """(row index, label column, value column) of the label/value pairs of a two- or four-column form.

    A grid is a form when at least two rows, and a quarter of its rows, pair a known label with a value
    beside it ("SASID | 1012345678", "Date of Birth | 03/14/2011").
    """
    if _LAST_PAIRS and _LAST_PAIRS[0][0] is rows:
        return list(_LAST_PAIRS[0][1])
    pairs = _grid_form_pairs(rows)
    _LAST_PAIRS[:] = [(rows, pairs)]  # the grid itself is kept, so its identity cannot be reused
    return list(pairs)


def _grid_form_pairs(rows: Sequence[Sequence[str]]) -> list[tuple[int, int, int]]:
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
    # A transcript or report card puts its courses below the form's labels: a quarter of the rows will do.
    if len({p[0] for p in pairs}) >= 2 and len(labelled) * 4 >= min(filled_rows, 60):
        return pairs
    return []


_FORM_GAP = 6
_WIDE_FORM_GAP = 30
_NAME_PARTS = frozenset({"NAME_FIRST", "NAME_LAST"})
_PLAUSIBLE_NAME = re.compile(r"^[^\W\d_][\w'’.\-]*(?:,? [^\W\d_][\w'’.\-]*){1,4}$")
_LABEL_TEXT = re.compile(r"^[A-Za-z][A-Za-z0-9 .#/()'’&,\-]{0,44}$")
_BULLETS = " \t>*•-–"


def _plausible(kind: str, value: str) -> bool:
    """Whether a labelled value could be of the label's kind at all (the recognizers judge it later)."""
    if kind == "NAME_FULL":
        return bool(_PLAUSIBLE_NAME.match(value))
    if kind in ("NAME_FIRST", "NAME_LAST", "NAME_MIDDLE"):
        return len(value) <= 40 and value[:1].isalpha() and not any(ch.isdigit() for ch in value)
    if kind == "PERSON_ID":
        return any(ch.isdigit() for ch in value) and len(value) <= 16
    if kind == "EMAIL_ADDRESS":
        return "@" in value
    if kind == "CREDENTIAL":
        return 4 <= len(value) <= 64 and " " not in value
    return sum(ch.isdigit() for ch in value) >= 4


@functools.lru_cache(maxsize=2)
def text_forms(text: str) -> tuple[Form, ...]:
    """Label/value forms in a text, the pairs within a few lines of one another grouped as one form.

    "Student: Jane Doe" (several pairs on a line when tabs, pipes or runs of spaces part them), or a label
    alone on its line with the value on the next. A form spans the paragraphs that hold its pairs, so
    that a value in a sentence beside the labels belongs to the same record. Only the places the gate
    nominates are read.
    """
    gate = _gate(text)
    if not gate.labels and not gate.stacked and not gate.dashed:
        return ()
    raw: list[tuple[str, str, int, int]] = []  # label, value, label start, value start
    for pos in gate.labels[:_MAX_CANDIDATES]:
        if text[pos] == ":":
            found = _inline_pair(text, pos, pos + 1)
        elif text[pos] == ".":  # a dot leader: "Name ........ Jane Doe"
            lo, hi = pos, pos
            while lo > 0 and text[lo - 1] == ".":
                lo -= 1
            while hi < len(text) and text[hi] == ".":
                hi += 1
            found = _inline_pair(text, lo, hi)
        else:
            continue
        if found is not None:
            raw.append(found)
    for pos in gate.dashed[:_MAX_CANDIDATES]:
        found = _dashed_pair(text, pos)
        if found is not None:
            raw.append(found)
    for pos in gate.stacked[:_MAX_CANDIDATES]:
        found = _stacked_pair(text, pos)
        if found is not None:
            raw.append(found)
    pairs: list[Pair] = []
    line, last = 1, 0
    for label, value, label_start, value_start in sorted(set(raw), key=lambda r: r[3]):
        kind = header_kind(label)
        if kind is None or kind in NON_ENTITY_KINDS or not _plausible(kind, value) or header_kind(value) is not None:
            continue
        line += text.count("\n", last, value_start)  # rows counted incrementally: one pass over the text
        last = value_start
        pairs.append(Pair(line, kind, label, value, label_start, label_start + len(label), value_start,
                          value_start + len(value)))
    if not pairs:
        return ()
    forms: list[Form] = []
    group: list[Pair] = [pairs[0]]
    split_name = False
    for pair in pairs[1:]:
        # A form that asks for first and last names in separate fields is a printed form (a W-4, an
        # enrollment form): its fields lie far apart on the page and are still one record.
        split_name = split_name or any(p.kind in _NAME_PARTS for p in group)
        if pair.row - group[-1].row <= (_WIDE_FORM_GAP if split_name else _FORM_GAP):
            group.append(pair)
        else:
            forms.append(_form(group, text))
            group, split_name = [pair], False
    forms.append(_form(group, text))
    return tuple(forms)


def _is_label_text(label: str) -> bool:
    """Short label text: at most five words, no call syntax ("handler(name, first)" is code)."""
    return bool(_LABEL_TEXT.match(label)) and label.count(" ") <= 4 and _CALL.search(label) is None


_CALL = re.compile(r"\w\(|\)\w|[=;{}]")


def _inline_pair(text: str, colon: int, after: int, *, dashed: bool = False) -> tuple[str, str, int, int] | None:
    """The label before a separator (back to the line start, a tab, a pipe or a run of spaces) and the value
    after it; the separator is a colon or a dot leader spanning ``colon`` to ``after``."""
    lo, hi = _line_at(text, colon)
    start = max(lo, text.rfind("\t", lo, colon) + 1, text.rfind("|", lo, colon) + 1)
    gap = text.rfind("  ", start, colon)
    if gap >= 0:
        start = gap + 2
    while start < colon and text[start] in _BULLETS:
        start += 1
    label = text[start:colon].rstrip()
    if not _is_label_text(label):
        return None
    v = after
    while v < hi and text[v] in " \t":
        v += 1
    end = hi
    for stop in ("\t", "|", "  "):
        found = text.find(stop, v, end)
        if found >= 0:
            end = found
    value = text[v:end].rstrip()
    if not value or len(value) > 80 or ":" in value:
        return None
    if dashed and (" - " in value or " – " in value or "=" in value):
        return None  # "a - b - c": a dashed list or a table row, not one label and its value
    return label, value, start, v


def _dashed_pair(text: str, pos: int) -> tuple[str, str, int, int] | None:
    """"Label - value", "Label – value" (a dash between spaces) or "Label = value"; ``pos`` ends the gate's match."""
    ch = text[pos]
    found = None
    if ch == "=":
        if text[pos + 1:pos + 2] == "=" or text[pos - 1:pos] in "=!<>":
            return None  # "==", "!=", "<=": code or decoration
        found = _inline_pair(text, pos, pos + 1, dashed=True)
    elif pos >= 2 and text[pos - 1] in _DASHES and text[pos - 2] == " ":
        found = _inline_pair(text, pos - 1, pos, dashed=True)
    # A form writes its labels capitalized and its values plain; "first = line.strip()" is code.
    if found is None or not found[0][:1].isupper() or _CODE_VALUE.search(found[1]):
        return None
    return found


_CODE_VALUE = re.compile(r"[()\[\]{}'\"`;\\]|^(?:True|False|None|null|true|false)$")


_DASHES = "-–—"


def _stacked_pair(text: str, pos: int) -> tuple[str, str, int, int] | None:
    """A label alone on its line (a colon optional) and its value alone on the next line."""
    lo, hi = _line_at(text, pos)
    if hi >= len(text) or hi - lo > 48:
        return None
    line = text[lo:hi]
    label = line.strip().rstrip(":").rstrip()
    if not _is_label_text(label):
        return None
    nlo, nhi = hi + 1, _line_end(text, hi + 1)
    value = text[nlo:nhi].strip()
    if not value or len(value) > 60 or ":" in value:
        return None
    return label, value, lo + line.index(label), nlo + text[nlo:nhi].index(value)


def _form(pairs: list[Pair], text: str) -> Form:
    """A form over its pairs' lines, widened to the paragraph (up to blank lines, 3 lines) around them."""
    first, last = pairs[0].row, pairs[-1].row
    lo = _line_at(text, pairs[0].start)[0]
    for _ in range(3):
        if lo == 0:
            break
        plo, phi = _line_at(text, lo - 1)
        if not text[plo:phi].strip():
            break
        first, lo = first - 1, plo
    hi = _line_at(text, pairs[-1].start)[1]
    for _ in range(3):
        if hi >= len(text):
            break
        nlo, nhi = hi + 1, _line_end(text, hi + 1)
        if not text[nlo:nhi].strip():
            break
        last, hi = last + 1, nhi
    return Form(first, last, tuple(pairs), tuple(_titles_above(text, lo)))


def _line_at(text: str, pos: int) -> tuple[int, int]:
    """(start, end) offsets of the line holding ``pos`` (end at its newline)."""
    return text.rfind("\n", 0, pos) + 1, _line_end(text, pos)


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


# --- the gate: one Hyperscan pass nominates the lines worth reading ---------------------------------------

_KEYWORDS = (r"(?:ssn|ss ?#|soc(?:ial|\.)? ?sec(?:urity)?|sasid|lasid|mepid|epims|itin|taxpayer|d\.?o\.?b\.?"
             r"|birth ?date|date of birth|birthday|routing|aba|rtn|iban|acct|account|card|licen[cs]e|lic|dl|cdl"
             r"|passport|masshealth|medicaid|e-?mail|phone|telephone|cell|mobile|password|passcode|pin|pwd|name"
             r"|student|employee|emp|empl|staff|teacher|educator|guardian|parent|contact|payee|driver|patron"
             r"|borrower|first|last|surname|state id|lname|fname|id|pupil|sims|birth|doe ?id"
             r"|dese ?id|stu ?(?:id|no|num|#))")
# (Short or common literals such as "born" or "state #" slow Hyperscan's literal matching tenfold: the
# header reading still knows them, the gate nominates by the other words of the line.)
# Cell delimiters: the usual ones, the odd single characters some exports use ("^", "~", "!", ":") and
# spaced dashes or double colons. Non-ASCII dashes reach Hyperscan as "?" (the data is ASCII-replaced).
_DELIM = r"(?:\t|\||;|,|  |\^|~|!| (?:-|\?|–|—) |::)"
# Delimiters a header line with a single known word is nominated by: no comma (prose is full of "name, ").
_DELIM_ONE = r"(?:\t|\||;|  |\^|~|!| (?:-|\?|–|—) |::)"
_SHAPE = r"(?:\d{3}-\d{2}-\d{4}|\d{9,10}|[Ss][Aa]?\d{7,8})"
# (kind, expression): "h" a header cell beside a delimiter, "l" a label before a colon or alone on a
# short line, "v" an identifier-shaped value standing as a whole cell.
_B = r"(?:\b|_)"  # a word edge, or the underscore of "LAST_NAME"
_GATE_PATTERNS: tuple[tuple[str, str], ...] = (
    # A header line names two kinds at least ("Last Name | SASID"): one alone is mostly prose or code.
    ("h", _B + _KEYWORDS + _B + r"[^\n:]{0,30}?" + _DELIM + r"[^\n:]{0,60}?" + _B + _KEYWORDS + _B),
    # One known word as a cell: a header line only if the lines below keep its columns (checked later).
    ("k", _B + _KEYWORDS + _B + r"[^\n:,]{0,30}?" + _DELIM_ONE),
    ("l", r"\b" + _KEYWORDS + r"\b[^\n:]{0,30}?:"),
    # "Label - value", "Label – value", "Label = value".
    ("d", r"\b" + _KEYWORDS + r"\b[^\n:=]{0,30}? (?:-|\?|–|—)[ \t]"),
    ("d", r"\b" + _KEYWORDS + r"\b[^\n:=]{0,30}?="),
    ("l", r"\b" + _KEYWORDS + r"\b[^\n:.]{0,30}?\.{4}"),
    ("s", r"\b" + _KEYWORDS + r"\b[^\n:]{0,20}:?[ \t]*$"),
    ("v", r"\b" + _SHAPE + r"[ \t\"]*(?:" + _DELIM + r"|:|$)"),
    ("p", r"\(" + _SHAPE + r"\)"),
)
# Every pattern starts with a keyword or a digit, so that Hyperscan's literal matching drives the scan
# (a pattern led by a delimiter fires on every indentation of a source file).
_MAX_CANDIDATES = 4000


@dataclass(frozen=True, slots=True)
class _Gate:
    headers: list[int]
    one: list[int]  # a single known word before a delimiter
    labels: list[int]
    dashed: list[int]  # a label before " - ", " – " or "="
    stacked: list[int]
    values: list[int]
    listed: list[int]  # "(1012345678)": an ID in parentheses, as a list of names and IDs writes it


@functools.lru_cache(maxsize=1)
def _gate_db() -> object | None:
    try:
        import hyperscan
    except ImportError:
        return None
    flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_ALLOWEMPTY
    try:
        return compile_database(hyperscan, [e.encode() for _, e in _GATE_PATTERNS], [flags] * len(_GATE_PATTERNS))
    except hyperscan.error:
        return None


@functools.lru_cache(maxsize=1)
def _gate_regexes() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(e, re.IGNORECASE | re.MULTILINE) for _, e in _GATE_PATTERNS)


@functools.lru_cache(maxsize=2)
def _gate(text: str) -> _Gate:
    """Offsets (match ends) of header-cell, label and ID-shape candidates, in text order."""
    found: dict[str, list[int]] = {"h": [], "k": [], "l": [], "d": [], "s": [], "v": [], "p": []}
    db = _gate_db()
    if db is not None:
        appends = [found[kind].append for kind, _ in _GATE_PATTERNS]  # a log calls back tens of thousands of times

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            appends[pattern_id](end)  # the match's end: made its last character below, at C level

        # One byte per character keeps offsets equal to string indices (non-ASCII becomes "?").
        data = text.encode("ascii") if text.isascii() else text.encode("ascii", "replace")
        db.scan(data, match_event_handler=on_match)  # type: ignore[attr-defined]
        for ends in found.values():
            ends[:] = map(max, itertools.repeat(0), map(operator.sub, ends, itertools.repeat(1)))
    else:  # no Hyperscan wheel: the same patterns with re (slower, same result)
        for (kind, _), regex in zip(_GATE_PATTERNS, _gate_regexes(), strict=True):
            found[kind].extend(max(m.start(), m.end() - 1) for m in regex.finditer(text))
    return _Gate(sorted(found["h"]), sorted(found["k"]), sorted(found["l"]), sorted(found["d"]), sorted(found["s"]),
                 sorted(found["v"]), sorted(found["p"]))


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
    header: bool = False  # row 0 is the header line the table was found by
    titles: tuple[str, ...] = ()  # the lines just above the table (its title), nearest first


_MIN_LINES = 3
_CLEAN_LABEL = re.compile(r"^[A-Za-z0-9#][\w #./()&'’%:,\-]{0,44}$")
_ALIGNED_CELL = re.compile(r"\S+(?: \S+)*")
_QUOTE_MARKS = re.compile(r"^(?:[ \t]*>)+[ \t]?")
_WHOLE_SHAPE = re.compile(_SHAPE + r"|9\d{2}[- ]\d{2}[- ]\d{4}|\d{3} \d{2} \d{4}|\d{4}-\d{4}-\d")
_MAX_ROWS = 100_000
_MAX_HEADER_LINE = 600


@functools.lru_cache(maxsize=2)
def text_tables(text: str) -> tuple[TextTable, ...]:
    """Blocks of three or more lines with one column structure that hold a known header or ID-shaped cells.

    Delimiters: tab, pipe, semicolon, comma, or columns aligned with runs of spaces. Only lines the gate
    nominates are read: a header line (known column names) starts a block, three consecutive lines
    with an identifier-shaped cell make one without a header.
    """
    gate = _gate(text)
    if not gate.headers and not gate.one and len(gate.values) < _MIN_LINES and len(gate.listed) < _MIN_LINES:
        return ()
    tables: list[TextTable] = []
    end_of_last = -1
    seen: set[int] = set()
    # Header lines with known column names first, then lines with one known word (kept only when the lines
    # below keep their columns).
    for positions, one_known in ((gate.headers, False), (gate.one, True)):
        for pos in positions[:_MAX_CANDIDATES]:
            if pos <= end_of_last:
                continue
            lo, hi = _line_at(text, pos)
            if lo in seen:
                continue
            seen.add(lo)
            if one_known and not _columns_kept(text, lo, hi):
                continue  # cheap first: most such lines are prose or code
            table = _table_from_header(text, lo, hi, one_known=one_known)
            if table is not None:
                tables.append(table)
                end_of_last = _line_end(text, table.starts[-1][0])
    # Then runs of lines without a header: identifier-shaped cells, and "Name (ID)" lists.
    covered = _Covered()
    for t in tables:
        covered.add(t.starts[0][0], _line_end(text, t.starts[-1][0]))
    for candidates, build in ((gate.values, _table_from_run), (gate.listed, _id_list)):
        for lo, hi in _shape_runs(text, candidates):
            if covered.contains(lo):
                continue
            table = build(text, lo, hi)
            if table is not None:
                tables.append(table)
                covered.add(table.starts[0][0], _line_end(text, table.starts[-1][0]))
    tables.sort(key=lambda t: t.lines[0])
    return tuple(dataclasses.replace(t, titles=tuple(_titles_above(text, _line_at(text, t.starts[0][0])[0])))
                 for t in tables)


class _Covered:
    """The union of closed intervals, asked whether it holds a point in O(log n) (a long export holds
    thousands of tables, and every run of ID-shaped lines asks)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def contains(self, point: int) -> bool:
        """Whether ``point`` lies in one of the intervals (ends included)."""
        i = bisect.bisect_right(self.starts, point) - 1
        return i >= 0 and point <= self.ends[i]

    def add(self, lo: int, hi: int) -> None:
        """Add ``[lo, hi]``, merged with the intervals it touches."""
        i = bisect.bisect_left(self.starts, lo)
        if i > 0 and self.ends[i - 1] >= lo:
            i -= 1
            lo = self.starts[i]
        j = i
        while j < len(self.starts) and self.starts[j] <= hi:
            hi = max(hi, self.ends[j])
            j += 1
        self.starts[i:j] = [lo]
        self.ends[i:j] = [max(hi, lo)]


_LISTED = re.compile(r"^[ \t>*•\-–\d.)]*(?P<name>[^\W\d_][\w'’.\-]*(?:,? [^\W\d_][\w'’.\-]*){1,4}) ?\("
                     r"(?P<id>" + _SHAPE + r")\)")


def _id_list(text: str, lo: int, hi: int) -> TextTable | None:
    """Lines listing a name and its ID in parentheses ("Vasquez, Gwen (1211926051) - grade 9"): two columns."""
    rows: list[tuple[str, ...]] = []
    starts: list[tuple[int, ...]] = []
    pos = lo
    for line in text[lo:hi].split("\n"):
        m = _LISTED.match(line)
        if m is None:
            return None  # every line of the run must be such an entry
        rows.append((m.group("name"), m.group("id")))
        starts.append((pos + m.start("name"), pos + m.start("id")))
        pos += len(line) + 1
    line_no = _line_number(text, lo)
    return TextTable(tuple(rows), tuple(starts), tuple(range(line_no, line_no + len(rows))))


# The usual delimiters first: an odd one must split a line into more fields to be chosen.
_DELIMITERS = ("\t", "|", ";", ",", "^", "~", "!", " :: ", " - ", " – ", " — ", ":")
# Delimiters a table must keep over three lines at least (one line of prose may hold a few).
_ODD_DELIMITERS = frozenset(_DELIMITERS[4:])


def _delimiter_of(line: str) -> str | None:
    """The delimiter that splits a line into the most fields (None: columns aligned by spaces)."""
    best, count = None, 0
    for d in _DELIMITERS:
        c = line.count(d)
        if d == ":" and c:
            c -= len(_TIME_COLON.findall(line))  # "08:30" is a time, not two cells
        if c > count:
            best, count = d, c
    return best


_TIME_COLON = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")


def _columns_kept(text: str, lo: int, hi: int) -> bool:
    """Whether the two lines below a line split as it does (same delimiter, same number of fields)."""
    line = text[lo:hi]
    delim = _delimiter_of(line)
    if delim is None:
        return "  " in line.strip()  # aligned columns: the header reading decides
    n = line.count(delim)
    pos = hi + 1
    for _ in range(2):
        if pos >= len(text):
            return False
        end = _line_end(text, pos)
        if text.count(delim, pos, end) != n:
            return False
        pos = end + 1
    return True


def _fields(line: str, delim: str | None) -> list[tuple[str, int]]:
    """(value, offset in line) of each field of a line; a reply's quote marks ("> ") are no field."""
    skip = 0
    if line.startswith((">", " >")):
        quoted = _QUOTE_MARKS.match(line)
        skip = quoted.end() if quoted else 0
    if delim is None:
        return [(m.group(), m.start()) for m in _ALIGNED_CELL.finditer(line, skip)]
    body = line[skip:]
    plain = _plain_cells(body, delim, skip)
    if plain is not None:
        return list(zip(*plain, strict=True))
    spans = _split_quoted(body, delim) if '"' in body and len(delim) == 1 else _split_plain(body, delim)
    return [(value, offset + skip) for value, offset in (_cell(body, a, b) for a, b in spans)]


@functools.lru_cache(maxsize=16)
def _padding(delim: str) -> re.Pattern[str]:
    """Whitespace at either end of a cell of a ``delim``-delimited line (a tab's own empty cells are no padding)."""
    d = re.escape(delim)
    ws = rf"[^\S{d}]" if len(delim) == 1 else r"\s"
    return re.compile(rf"^{ws}|{ws}$|{d}{ws}|{ws}{d}")


def _plain_cells(body: str, delim: str, base: int) -> tuple[list[str], list[int]] | None:
    """The cells of a line and their offsets (from ``base``) when no cell is quoted or padded, else None.

    Most lines of an export are such lines: one split and running sums at C level, no Python per cell.
    """
    if '"' in body:
        return None
    cells = body.split(delim)
    if len(delim) == 1:
        # A cell holds no delimiter, so a padded cell is one that strip() changes (strip() and the
        # regex's \s agree on what is whitespace): a C-level comparison instead of a regex scan.
        if list(map(str.strip, cells)) != cells:
            return None
    elif _padding(delim).search(body):
        return None  # " - " in "a -  - b": the split hides whitespace the regex sees
    step = len(delim)
    # Cell i starts after the i cells and i delimiters before it (map stops at the shorter range).
    return cells, list(map(operator.add, itertools.accumulate(map(len, cells), initial=base),
                            range(0, len(cells) * step, step)))


def _text_header(cells: list[str], *, one_known: bool = False) -> bool:
    """A header line inside text: two or more short clean labels, most known, one naming a PI kind.

    With ``one_known`` (the caller checked that the lines below keep the columns) one cell naming a PI
    kind is enough when the others are short words too ("Pupil | Locker | Combo | Born").
    """
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    for c in filled:
        if not _CLEAN_LABEL.match(c) or c.count(" ") > 4 or c.count("(") != c.count(")") or ":" in c:
            return False
    known = sum(1 for c in filled if is_label(c))
    short = one_known and known >= 1 and all(c.count(" ") <= 2 and not _value_like(c) for c in filled)
    if (known * 2 < len(filled) or known < 2) and not short:
        return False
    return any(header_kind(c) not in (None, *NON_ENTITY_KINDS) for c in filled)


def _table_from_header(text: str, lo: int, hi: int, *, one_known: bool = False) -> TextTable | None:
    """The table below a header line: the lines that keep its columns, across page breaks.

    A page footer, a page number, a blank line or a banner between two pages does not end the table when
    the lines after it keep the columns (the header printed again on the next page is skipped).
    """
    if hi - lo > _MAX_HEADER_LINE:
        return None  # a minified file or a data blob: no header line is that long
    line = text[lo:hi]
    delim = _delimiter_of(line)
    if delim is None and "  " not in line.strip():
        return None
    fields = _fields(line, delim)
    if not _text_header([f[0] for f in fields], one_known=one_known):
        if delim is None or "  " not in line.strip():
            return None
        delim, fields = None, _fields(line, None)  # "Name  Phone, home": aligned after all
        if not _text_header([f[0] for f in fields], one_known=one_known):
            return None
    width = len(fields)
    if width < 3 and delim in _ODD_DELIMITERS:
        return None  # "parent - the parent widget": a definition list, not a table
    columns = [f[1] for f in fields]
    header_key = _key([f[0] for f in fields])
    rows: list[tuple[str, ...]] = []
    starts: list[tuple[int, ...]] = []
    lines: list[int] = []
    line_no = _line_number(text, lo)
    pos = lo
    while pos <= len(text) and len(rows) < _MAX_ROWS:
        end = _line_end(text, pos)
        current = text[pos:end]
        row = _row_of(current, delim, width, columns) if current.strip() else None
        if row is None or (rows and _FOOTER.match(current)):
            if not rows:
                return None
            resume = _next_page(text, end + 1, delim, width, columns, header_key)
            if resume is None:
                break
            line_no += text.count("\n", pos, resume)
            pos = resume
            continue
        if rows and _key(row[0]) == header_key:
            pass  # the header printed again on the next page: no data
        else:
            rows.append(tuple(row[0]))
            starts.append(tuple(pos + o for o in row[1]))
            lines.append(line_no)
        pos = end + 1
        line_no += 1
    if len(rows) < (_MIN_LINES if delim in _ODD_DELIMITERS or one_known else 2):
        return None
    return TextTable(tuple(rows), tuple(starts), tuple(lines), header=True)


def _row_of(line: str, delim: str | None, width: int, columns: list[int]) -> tuple[list[str], list[int]] | None:
    """A line's cells and their offsets when it keeps the table's columns, else None."""
    if delim is None:
        got = _fields(line, None)
        if len(got) == width:  # as many cells as columns: in order, aligned or not (a PDF's text)
            return [g[0] for g in got], [g[1] for g in got]
        if len(got) > width * 2 or _FOOTER.match(line):
            return None
        return _aligned_row(line, columns)  # a cell left empty: the columns' positions decide
    got = _fields(line, delim)
    if len(got) != width:
        return None
    return [g[0] for g in got], [g[1] for g in got]


_PAGE_GAP = 8
_PAGE_MARK = re.compile(r"^\s*(?:\f|page \d+|-+ ?\d+ ?-+\s*$|\d+\s*$|continued\b|\(continued\))|\f", re.IGNORECASE)


def _next_page(text: str, pos: int, delim: str | None, width: int, columns: list[int],
               header_key: tuple[str, ...]) -> int | None:
    """Where a table goes on after a page break (the offset of its next line), or None when it ended.

    Within a few lines: a page mark (a footer, "Page 2", a form feed) must come before lines that keep
    the columns, or the header printed again; a blank line alone ends the table.
    """
    marked = False
    for _ in range(_PAGE_GAP):
        if pos >= len(text):
            return None
        end = _line_end(text, pos)
        current = text[pos:end]
        if not current.strip():
            pos = end + 1
            continue
        if _FOOTER.match(current) or _PAGE_MARK.search(current) or _COMMENT.match(current):
            marked = True
            pos = end + 1
            continue
        row = _row_of(current, delim, width, columns)
        if row is not None:
            if _key(row[0]) == header_key or (marked and not _text_header(row[0])):
                return pos
            return None  # a blank line, then another table or more of this one: no page break
        if not marked or len(current.strip()) > 120:
            return None
        pos = end + 1  # a running title below the page mark ("Payroll Register (cont.)")
    return None


def _aligned_row(line: str, columns: list[int]) -> tuple[list[str], list[int]]:
    """Cells of a space-aligned line, each assigned to the column whose left edge it starts at or after."""
    spans: list[tuple[int, int] | None] = [None] * len(columns)
    quoted = _QUOTE_MARKS.match(line) if line.startswith((">", " >")) else None
    for m in _ALIGNED_CELL.finditer(line, quoted.end() if quoted else 0):
        # A right-aligned number starts after its column's left edge (one character of slack).
        col = max(0, bisect.bisect_right(columns, m.start() + 1) - 1)
        old = spans[col]
        spans[col] = (m.start(), m.end()) if old is None else (old[0], m.end())
    cells = [line[s[0]:s[1]] if s else "" for s in spans]
    offsets = [s[0] if s else columns[c] for c, s in enumerate(spans)]
    return cells, offsets


def _shape_runs(text: str, values: list[int]) -> list[tuple[int, int]]:
    """(start, end) of runs of three or more consecutive lines that each hold an ID-shaped cell.

    ``values`` are in text order. The lines are found by C-level passes (a log nominates tens of
    thousands of values): their starts, each line once, and where a line does not follow the one before.
    """
    starts = sorted(set(map(operator.add, map(text.rfind, itertools.repeat("\n"), itertools.repeat(0), values),
                            itertools.repeat(1))))
    if not starts:
        return []
    ends = list(map(text.find, itertools.repeat("\n"), starts))
    if ends[-1] < 0:
        ends[-1] = len(text)  # the last line has no newline
    # A run breaks where a line does not start just after the previous one's newline.
    breaks = [0, *itertools.compress(itertools.count(1), map(operator.ne, itertools.islice(starts, 1, None),
                                                             map(operator.add, ends, itertools.repeat(1)))),
              len(starts)]
    return [(starts[a], ends[b - 1]) for a, b in itertools.pairwise(breaks) if b - a >= _MIN_LINES]


def _table_from_run(text: str, lo: int, hi: int) -> TextTable | None:
    """A block without a header line: one delimiter (or alignment) splits its lines into equal columns."""
    block = text[lo:hi].split("\n")
    delim = _delimiter_of(block[0])
    head = block[:40]
    if (delim is None or any(map(operator.contains, head, itertools.repeat('"')))
            or any(map(str.startswith, head, itertools.repeat((">", " >"))))):
        counts = {len(_fields(line, delim)) for line in head}
    else:  # no quotes, no reply marks: a line has one field more than delimiters (a log's runs end here)
        counts = {c + 1 for c in map(str.count, head, itertools.repeat(delim))}
    if len(counts) != 1 or counts == {1} or (delim in _ODD_DELIMITERS and counts == {2}):
        return None
    rows: list[tuple[str, ...]] = []
    starts: list[tuple[int, ...]] = []
    pos = lo
    for line in block:
        got = _fields(line, delim)
        rows.append(tuple(g[0] for g in got))
        starts.append(tuple(pos + g[1] for g in got))
        pos += len(line) + 1
    if delim is None:  # aligned columns: the cells must line up
        lefts = {tuple(s - starts[i][0] for s in row) for i, row in enumerate(starts[:40])}
        if len(lefts) > max(1, len(block[:40]) // 3):
            return None
    shaped = any(sum(1 for r in rows[:40] if c < len(r) and _WHOLE_SHAPE.fullmatch(r[c])) >= _MIN_LINES
                 for c in range(len(rows[0])))
    if not shaped:
        return None
    line_no = _line_number(text, lo)
    header = _header_above(text, lo, delim, len(rows[0]))
    if header is not None:
        # The line above splits as the rows do and reads as column names ("Pupil ^ SIMS # ^ Born"), known
        # or not: it is the header, and the typing reads what it can of it. The table is the header's:
        # it goes on below the run for as long as the lines keep its columns, as a table found by its
        # header line does (an export whose ID-shaped cells break off now and then, an ISBN-10 ending in
        # X, is one table typed once by its header, not hundreds of headerless runs typed by values).
        if delim is not None:
            more_rows, more_starts = _rows_below(text, hi + 1, delim, len(rows[0]), _MAX_ROWS - len(rows))
            rows.extend(more_rows)
            starts.extend(more_starts)
        cells, offsets = header
        plo = _line_at(text, lo - 1)[0]
        return TextTable((tuple(cells), *rows), (tuple(plo + o for o in offsets), *starts),
                         tuple(range(line_no - 1, line_no + len(rows))), header=True)
    return TextTable(tuple(rows), tuple(starts), tuple(range(line_no, line_no + len(rows))))


def _rows_below(text: str, pos: int, delim: str, width: int, limit: int
                ) -> tuple[list[tuple[str, ...]], list[tuple[int, ...]]]:
    """The cells and cell offsets of the lines from ``pos`` on that split into ``width`` fields by ``delim``.

    Stops at the first line that does not (a blank line, a total, prose) or after ``limit`` lines.
    """
    rows: list[tuple[str, ...]] = []
    starts: list[tuple[int, ...]] = []
    n = len(text)
    chunk = _FIRST_CHUNK
    while pos < n and len(rows) < limit:
        if len(delim) == 1:
            start = pos
            pos, whole = _plain_lines(text, pos, delim, width, limit - len(rows), chunk, rows, starts)
            # A block read whole asks for a larger one; one cut short by a line that is not plain asks
            # for one about twice as long as what it gave (a quoted CSV reads a few lines at a time).
            chunk = chunk * 2 if whole else max(_MIN_CHUNK, 2 * (pos - start))
            if pos >= n or len(rows) >= limit:
                break
        # One line the block reading left: a quoted or padded line, a footer, or the table's end.
        end = _line_end(text, pos)
        # The count of delimiters first (C level): most lines that end a table fail it.
        if text.count(delim, pos, end) < width - 1:
            break
        line = text[pos:end]
        plain = None if line.startswith((">", " >")) else _plain_cells(line, delim, pos)
        if plain is not None:
            cells, offsets = plain
        else:
            got = _fields(line, delim)
            cells, offsets = [g[0] for g in got], [pos + g[1] for g in got]
        if len(cells) != width or _FOOTER.match(line):
            break
        rows.append(tuple(cells))
        starts.append(tuple(offsets))
        pos = end + 1
    return rows, starts


_FIRST_CHUNK = 4096
_MIN_CHUNK = 256


def _plain_lines(text: str, pos: int, delim: str, width: int, limit: int, chunk: int,
                 rows: list[tuple[str, ...]], starts: list[tuple[int, ...]]) -> tuple[int, bool]:
    """Read the plain lines from ``pos`` on, within about ``chunk`` characters, as one block; return where
    reading stopped (the first line that is not plain, or the end of the block) and whether every line
    of the block was read.

    A plain line has ``width`` cells split by the one-character ``delim``, no quotes and no reply marks,
    and is no footer: what :func:`_rows_below` would take line by line (padded cells stripped, as
    :func:`_fields` reads them), taken here with a few C-level passes over the block (the cells of all
    lines in one list, the rows zipped from it).
    """
    n = len(text)
    stop = pos + chunk
    if stop >= n:
        block = text[pos:]
    else:
        cut = text.rfind("\n", pos, stop)
        if cut < 0:
            return pos, False  # one line longer than the block: read alone
        block = text[pos:cut]
    lines = block.split("\n")
    if stop >= n and text.endswith("\n"):
        lines.pop()  # no line starts at the end of the text
    total = len(lines)
    first = _first_true(map(operator.ne, map(str.count, lines, itertools.repeat(delim)),
                            itertools.repeat(width - 1)), min(len(lines), limit))
    del lines[first:]
    # A quote or a reply mark anywhere in the block is looked for line by line; mostly there is none.
    if '"' in block:
        first = _first_true(map(operator.contains, lines, itertools.repeat('"')), first)
    if ">" in block:
        first = _first_true(map(str.startswith, lines, itertools.repeat((">", " >"))), first)
    first = _first_true(map(_FOOTER.match, lines), first)
    del lines[first:]
    if not lines:
        return pos, False
    # The kept lines as one text: its newlines become delimiters, and one split gives all the cells.
    kept = block[:sum(map(len, lines)) + len(lines) - 1]
    cells = kept.replace("\n", delim).split(delim)
    offsets, padded = _cell_starts(kept, delim, pos)
    after = pos + len(kept) + 1  # where the line after the kept ones starts
    if padded:
        # A padded cell ("Smith \r" of a CRLF line) is its stripped value, from its first character on.
        offsets = list(map(operator.add, offsets, map(operator.sub, map(len, cells), map(len, map(str.lstrip, cells)))))
        cells = list(map(str.strip, cells))
    rows.extend(zip(*[iter(cells)] * width, strict=False))
    starts.extend(zip(*[iter(offsets)] * width, strict=False))
    return after, len(cells) == total * width


# ASCII whitespace (to str.strip() and the regexes' \s): the tab, the line breaks, the separators, the space.
_SPACE = np.zeros(256, dtype=bool)
_SPACE[[*range(0x09, 0x0E), *range(0x1C, 0x21)]] = True


def _cell_starts(block: str, delim: str, pos: int) -> tuple[list[int], bool]:
    """Where each cell of the block starts (its lines split by the one-character ``delim``; the block
    starts at ``pos``) and whether a cell may begin or end with whitespace (False: surely none does).

    Cell j starts after the j-th separator (a delimiter or a newline): the separators are found in one
    numpy pass over the block's characters, not by running sums over every cell's length. A padded cell
    shows as whitespace beside a separator or at either end of the block; text that is not ASCII (where
    more characters are whitespace) is taken as padded.
    """
    ascii_only = block.isascii()
    chars = _chars(block)
    separators = np.flatnonzero((chars == ord(delim)) | (chars == 0x0A))
    starts = (separators + (pos + 1)).tolist()
    starts.insert(0, pos)
    if not ascii_only or not len(chars):
        return starts, not ascii_only
    space = _SPACE.copy()
    space[[ord(delim), 0x0A]] = False  # separators are no padding (an empty cell between two tabs)
    last = len(chars) - 1
    # The characters before and after each separator (the separator itself where there is none).
    beside = np.concatenate((chars[[0, last]], chars[np.maximum(separators - 1, 0)],
                             chars[np.minimum(separators + 1, last)]))
    return starts, bool(space[beside].any())


def _first_true(flags: Iterable[object], default: int) -> int:
    """The index of the first true flag, at most ``default`` (the flags are read no further)."""
    return next(itertools.compress(itertools.count(), itertools.islice(flags, default)), default)


def _header_above(text: str, lo: int, delim: str | None, width: int) -> tuple[list[str], list[int]] | None:
    """The cells of the line just above a block when it has the block's columns and reads as a header."""
    if lo == 0:
        return None
    plo, phi = _line_at(text, lo - 1)
    if phi - plo > _MAX_HEADER_LINE:
        return None
    got = _fields(text[plo:phi], delim)
    if len(got) != width:
        return None
    cells = [g[0] for g in got]
    if not all(c and _CLEAN_LABEL.match(c) and c.count(" ") <= 4 and not _value_like(c) for c in cells):
        return None
    if not any(is_label(c) for c in cells):
        return None
    return cells, [g[1] for g in got]


# The newline offsets of the last text asked about: an export read as thousands of tables asks once per table.
_NEWLINES: list[tuple[str, npt.NDArray[np.intp]]] = []


def _newlines(text: str) -> npt.NDArray[np.intp]:
    """The offsets of the text's newlines, in order (one numpy pass, kept for the last text)."""
    if not _NEWLINES or _NEWLINES[0][0] is not text:
        _NEWLINES[:] = [(text, np.flatnonzero(_chars(text) == 0x0A))]
    return _NEWLINES[0][1]


def _line_number(text: str, pos: int) -> int:
    """1-based line number of an offset (a binary search in the text's newline offsets, found once)."""
    return int(np.searchsorted(_newlines(text), pos)) + 1


def _chars(text: str) -> npt.NDArray[np.uint8] | npt.NDArray[np.uint32]:
    """The text's characters as numbers, one array element per character (bytes when it is ASCII)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


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
        start = pos + len(delim)
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
        words.extend(" ".join(_filled(rows[i])) for i in seg.header_rows[:-1])  # a group row
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
    tables = text_tables(text)
    forms = text_forms(text)
    if not tables and not forms:
        return ""
    words: list[str] = []
    for table in tables:
        words.append(grid_headings(table.rows))
        words.extend(_titles_above(text, _line_at(text, table.starts[0][0])[0]))
    for form in forms:
        labels = [p.label for p in form.pairs]
        words.extend(labels)
        words.append(header_terms(labels))
        words.extend(_titles_above(text, _line_at(text, form.pairs[0].start)[0]))
    return " ".join(w for w in words if w)


def _titles_above(text: str, lo: int) -> list[str]:
    """Up to three non-blank lines in the six lines above the line starting at ``lo``: a title."""
    out: list[str] = []
    for _ in range(_TITLE_LINES * 2):
        if lo == 0 or len(out) >= _TITLE_LINES:
            break
        plo, phi = _line_at(text, lo - 1)
        line = text[plo:phi].strip()
        if line and len(line) <= 120:
            out.append(line)
        lo = plo
    return out
