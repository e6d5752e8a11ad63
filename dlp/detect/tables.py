"""Tables typed by column: a header says what a column holds, and a row is one person's record.

NER finds names in CSV cells poorly (research/perf.md: recall 0.08) and a bare 10-digit SASID or a
9-digit SSN without dashes has no context words in a cell. The header supplies that context: a
column headed "SASID" or "Soc Sec" is typed once, and each of its cells is validated by the same
recognizer that would judge the value in prose (checksums, formats), given the column's context.
Findings are located by row ("table row 14"), so "near" for the 93H rule means "in the same row".
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from dlp.detect.headers import (
    ALTERNATIVES,
    FIRST,
    FULL,
    INDICATOR,
    LAST,
    MIDDLE,
    NAME_KINDS,
    NOT_PI,
    PERSON_ID,
    STAFF_NUMBER,
    STUDENT_NUMBER,
    canonical,
    header_kind,
    names_a_column,
)
from dlp.detect.layout import Segment, find_segments, grid_form_pairs
from dlp.types import Part

# The header vocabulary lives in dlp.detect.headers; these names stay importable from here.
__all__ = ["CONTEXT", "FIRST", "FULL", "LAST", "MIDDLE", "Cell", "GridTyping", "line_starts_of", "normalize_header",
           "row_of", "row_offsets", "type_columns", "type_grid", "typed_cells"]

# The words that give a typed cell the context its recognizer asks for.
CONTEXT: dict[str, str] = {
    "US_SSN": "SSN", "US_ITIN": "ITIN", "MA_SASID": "SASID", "STUDENT_ID": "student ID",
    "EMPLOYEE_ID": "employee ID", "MA_MEPID": "MEPID", "DATE_OF_BIRTH": "date of birth",
    "US_BANK_NUMBER": "account number", "ABA_ROUTING_NUMBER": "routing number", "CREDIT_CARD": "credit card",
    "IBAN_CODE": "IBAN", "US_DRIVER_LICENSE": "driver's license", "US_PASSPORT": "passport",
    "MASSHEALTH_ID": "MassHealth ID", "EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDENTIAL": "password",
}

_NAME_VALUE = re.compile(r"^[^\W\d_][\w'’.\-]*(?:,? [^\W\d_][\w'’.\-]*){0,4}$")
_SEPARATOR = " | "
_CELL_LABEL = re.compile(r"^[A-Za-z][A-Za-z /]{1,30}:\s*")


def normalize_header(cell: str) -> str:
    """Lower case, single spaces, without a trailing colon or surrounding quotes."""
    text = " ".join(cell.replace("_", " ").lower().split())
    return text.strip().rstrip(":").strip().strip("\"'").strip()


# A flattened JSON key: identifier segments joined by dots, with array indexes ("guardians[0].phone").
_KEY_PATH = re.compile(r"^[A-Za-z_][\w\-]*(?:\[\d+\])*(?:\.[A-Za-z_][\w\-]*(?:\[\d+\])*)+$")
_INDEX = re.compile(r"\[\d+\]")


def type_columns(header: Sequence[str]) -> dict[int, str]:
    """Column index -> kind for the headers we know: an entity, a name part, INDICATOR or NOT_PI."""
    out: dict[int, str] = {}
    for index, cell in enumerate(header):
        if not cell or not cell.strip():
            continue
        kind = None
        if _KEY_PATH.match(cell.strip()):
            # A JSON key path: its last two segments ("guardian.email"), else its last ("name.first").
            segments = _INDEX.sub("", cell.strip()).split(".")
            two, last = header_kind(" ".join(segments[-2:])), header_kind(segments[-1])
            kind = two if two is not None and two not in NAME_KINDS else last or two
        else:
            kind = header_kind(cell)
        if kind is not None:
            out[index] = kind
    return out


@dataclass(frozen=True, slots=True)
class Cell:
    """A typed value found in a table: which row, which entity, where in the part's text.

    ``row`` is 1-based, as a spreadsheet numbers rows (or a text its lines); a finding of a form carries
    the form's last row in ``last`` too, so that all of one form's findings share the locator
    "row 3-9" and count as one record.
    """

    row: int
    entity: str
    value: str
    start: int
    end: int
    last: int | None = None

    @property
    def where(self) -> str:
        """The row part of the locator: "row 14" or "row 3-9"."""
        return f"row {self.row}" if self.last is None or self.last == self.row else f"row {self.row}-{self.last}"


@dataclass(frozen=True, slots=True)
class GridTyping:
    """What typing a grid gave: findings, the spans the typed cells cover, and how rows are located."""

    cells: tuple[Cell, ...] = ()
    covered: tuple[tuple[int, int], ...] = ()
    named: bool = False  # a name column was typed: NER need not read the rest
    forms: tuple[tuple[int, int], ...] = ()  # (first, last) rows of each form
    typed: bool = False  # anything was typed at all
    header_cells: tuple[str, ...] = field(default=())


def row_offsets(rows: Sequence[Sequence[str]]) -> list[list[int]]:
    """Start offset of every cell in the part text that ``rows_to_text`` makes of these rows."""
    offsets: list[list[int]] = []
    pos = 0
    step = len(_SEPARATOR)
    width = len(rows[0]) if rows else 0
    if width and len(set(map(len, rows))) == 1:
        # Every row as wide: the cells of all rows in one stream, each followed by a separator or, last
        # in its row, the newline; the starts are the running sums, cut into rows.
        gaps = itertools.cycle((step,) * (width - 1) + (1,))
        flat = list(itertools.accumulate(map(operator.add, map(len, itertools.chain.from_iterable(rows)), gaps),
                                         initial=0))
        flat.pop()  # where a cell after the last would start
        return list(map(list, zip(*[iter(flat)] * width, strict=False)))
    for row in rows:
        # Cell i starts after the i cells and i separators before it: running sums at C level.
        starts = list(map(operator.add, itertools.accumulate(map(len, row), initial=pos),
                          range(0, len(row) * step, step)))
        offsets.append(starts)
        pos = (starts[-1] + len(row[-1]) if row else pos) + 1  # the newline
    return offsets


def typed_cells(part: Part, validate: Callable[[str, str], bool]) -> tuple[list[Cell], list[tuple[int, int]]]:
    """Findings from the typed columns of a table part, and the text spans those columns cover.

    ``validate(entity, value)`` decides whether a cell's value really is that entity. A row's name parts
    (first, middle, last) combine into one PERSON; full-name columns give one PERSON each.
    """
    rows = part.rows or ()
    if not rows:
        return [], []
    typing = type_grid(rows, row_offsets(rows), range(1, len(rows) + 1), validate, first_is_header=part.has_header)
    return list(typing.cells), list(typing.covered)


# Shapes of values that type a column with no known header; the recognizer's validation decides.
_BY_VALUE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("US_ITIN", re.compile(r"9\d{2}[- ]\d{2}[- ]\d{4}")),
    ("US_SSN", re.compile(r"\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}")),
    ("ABA_ROUTING_NUMBER", re.compile(r"\d{9}|\d{4}-\d{4}-\d")),
    ("US_DRIVER_LICENSE", re.compile(r"[Ss][Aa]?\d{7,8}")),
    ("MA_SASID", re.compile(r"1\d{9}")),
)
_BY_VALUE_SHARE = 0.8
_BY_VALUE_MIN = 3
_BY_VALUE_SAMPLE = 40
_PERSON_SHARE = 0.7


def type_grid(rows: Sequence[Sequence[str]], starts: Sequence[Sequence[int]], numbers: Sequence[int],
              validate: Callable[[str, str], bool], *, first_is_header: bool = False, context: str = "",
              district: Callable[[str, str], bool] | None = None,
              carried: Sequence[str] | None = None) -> GridTyping:
    """Type a grid of cells: by its header rows (found wherever they are), by values, or as a form.

    ``starts[r][c]`` is the offset of cell ``c`` of row ``r`` in the part's text, ``numbers[r]`` the row's
    number in locators (the file's real row or line). ``context`` is the text around the grid (the title
    lines above a table in a text), ``district(entity, value)`` whether a value has the district's
    configured STUDENT_ID or EMPLOYEE_ID format, ``carried`` the header of the same table on the page
    before (a grid without a header of its own and as many columns takes it).
    """
    segments = find_segments(rows, first_is_header=first_is_header)
    if (carried and len(segments) == 1 and segments[0].header is None
            and max((len(rows[r]) for r in segments[0].rows[:20]), default=0) == len(carried)):
        segments = [Segment(None, tuple(carried), (), segments[0].rows)]
    tables = [(seg, type_columns(seg.names)) for seg in segments]
    strong = any(sum(1 for k in cols.values() if k not in (INDICATOR, NOT_PI)) >= 2 for _, cols in tables)
    pairs = grid_form_pairs(rows)
    # A "header" row that pairs labels with values ("Last Name | Villanueva | First Name | Ines") is the
    # first line of a form: a real header row has labels beside labels.
    if pairs and (not strong or any(seg.header in {p[0] for p in pairs} for seg, _ in tables)):
        return _type_form(rows, starts, numbers, pairs, validate)
    cells: list[Cell] = []
    covered: list[tuple[int, int]] = []
    named = False
    header_cells: list[str] = []
    for seg, columns in tables:
        columns = dict(columns)
        heading = _heading(rows, seg, context)
        columns.update(_type_by_values(rows, seg, columns, validate, heading))
        if district is not None:
            columns.update(_type_by_district(rows, seg, columns, district))
        _resolve_person_ids(rows, seg, columns, heading)
        if not columns:
            continue
        header_cells.extend(seg.names)
        named = named or any(k in NAME_KINDS for k in columns.values())
        for h in seg.header_rows:
            covered.extend((starts[h][c], starts[h][c] + len(rows[h][c])) for c in range(len(rows[h])) if rows[h][c])
        _type_rows(rows, starts, numbers, seg.rows, columns, validate, cells, covered)
    return GridTyping(tuple(cells), tuple(covered), named, (), bool(covered), tuple(header_cells))


def _type_rows(rows: Sequence[Sequence[str]], starts: Sequence[Sequence[int]], numbers: Sequence[int],
               data: Sequence[int], columns: dict[int, str], validate: Callable[[str, str], bool],
               cells: list[Cell], covered: list[tuple[int, int]]) -> None:
    """Judge a segment's data rows column by column; their cells come out row by row, as a reader meets them.

    A roster has tens of thousands of rows: how a column is judged is decided once, each distinct text of a
    column (its dates, grades, a family's phone) is judged once, and a row's cells are then taken in the
    columns' order, the person its name parts make last.
    """
    plan = [(col, kind, _PART if kind in (FIRST, LAST, MIDDLE) else _WHOLE_NAME if kind in (FULL, "PERSON")
             else _VALUE) for col, kind in columns.items() if kind not in (INDICATOR, NOT_PI)]
    skipped = _adjacent_runs(sorted(col for col, kind in columns.items() if kind in (INDICATOR, NOT_PI)))
    append_span = covered.append
    # Columns the header says hold no PI (ISBN, Author, Serial...) are judged by that alone: a run of them
    # side by side is one span of the row (delimiters included), not one span per cell.
    for first, last in skipped:
        for r in data:
            row, width = rows[r], len(rows[r])
            if last < width:
                append_span((starts[r][first], starts[r][last] + len(row[last])))
            elif first < width:
                append_span((starts[r][first], starts[r][width - 1] + len(row[width - 1])))
    found: list[list[Any]] = []
    parts: dict[str, list[Any]] = {}
    for col, kind, how in plan:
        if how is _PART:
            column = _judge_column(rows, starts, numbers, data, col, _judge_name_part, covered, parts=True)
            earlier = parts.get(kind)  # two columns of one part: the later one's value wins, as it did per row
            parts[kind] = column if earlier is None else [
                now if now is not None else was for now, was in zip(column, earlier, strict=True)]
        else:
            judge = _judge_whole_name if how is _WHOLE_NAME else functools.partial(_judge_value, kind, validate)
            found.append(_judge_column(rows, starts, numbers, data, col, judge, covered, parts=False))
    if FIRST in parts and LAST in parts:  # a surname alone is not a name under 93H
        found.append(_people(numbers, data, [parts[k] for k in (FIRST, MIDDLE, LAST) if k in parts]))
    if found:
        cells.extend(filter(None, itertools.chain.from_iterable(zip(*found, strict=True))))


# How _type_rows judges a column's cells.
_PART, _WHOLE_NAME, _VALUE = "part", "whole name", "value"

# A column judge's verdict on one cell text: (the cell is covered, the entity or None, the value, where the
# value starts in the text). Blank cells are covered: the text engine need not read them.
_Verdict = tuple[bool, str | None, str, int]
_BLANK: _Verdict = (True, None, "", 0)
_REFUSED: _Verdict = (False, None, "", 0)


def _judge_column(rows: Sequence[Sequence[str]], starts: Sequence[Sequence[int]], numbers: Sequence[int],
                  data: Sequence[int], col: int, judge: Callable[[str], _Verdict], covered: list[tuple[int, int]],
                  *, parts: bool) -> list[Any]:
    """One column's verdicts, one per data row: a Cell (a name part's (value, start, end)) or None."""
    memo: dict[str, _Verdict] = {}
    out: list[Any] = []
    append, append_span = out.append, covered.append
    for r in data:
        row = rows[r]
        if col >= len(row):
            append(None)
            continue
        raw = row[col]
        verdict = memo.get(raw)
        if verdict is None:
            verdict = memo[raw] = judge(raw)
        covers, entity, value, lead = verdict
        begin = starts[r][col]
        if covers:
            append_span((begin, begin + len(raw)))
        if entity is None:
            append(None)
        elif parts:
            append((value, begin + lead, begin + lead + len(value)))
        else:
            append(Cell(numbers[r], entity, value, begin + lead, begin + lead + len(value)))
    return out


def _judge_name_part(raw: str) -> _Verdict:
    """A first, middle or last name cell: covered whatever it holds, a part when it looks like a name."""
    value = raw.strip()
    if not value or not _NAME_VALUE.match(value) or names_a_column(value):
        return _BLANK
    return True, "part", value, len(raw) - len(raw.lstrip())


def _judge_whole_name(raw: str) -> _Verdict:
    """A full-name cell: covered whatever it holds, a PERSON when it looks like a name."""
    value = raw.strip()
    if not value:
        return _BLANK
    lead = len(raw) - len(raw.lstrip())
    # "Student: Patrick Callahan" in a Name column: the label is not part of the name.
    label = _CELL_LABEL.match(value)
    if label:
        lead += label.end()
        value = value[label.end():]
    if _NAME_VALUE.match(value) and any(ch.isalpha() for ch in value) and not names_a_column(value):
        return True, "PERSON", value, lead
    return _BLANK


def _judge_value(kind: str, validate: Callable[[str, str], bool], raw: str) -> _Verdict:
    """A typed value's cell: covered when its recognizer accepts it, or when blank.

    A value its column's recognizer refuses stays for the text engine: a column typed wrong (cells shifted
    in a pasted table) must not hide what the cells hold.
    """
    value = raw.strip()
    if not value:
        return _BLANK
    entity = _validated(kind, value, validate)
    return _REFUSED if entity is None else (True, entity, value, len(raw) - len(raw.lstrip()))


def _people(numbers: Sequence[int], data: Sequence[int], parts: list[list[Any]]) -> list[Cell | None]:
    """The PERSON each data row's name parts make ((first, [middle,] last) columns of (value, start, end))."""
    return [None if pieces[0] is None or pieces[-1] is None else _person(numbers[r], [p for p in pieces if p])
            for r, pieces in zip(data, zip(*parts, strict=True), strict=True)]


def _adjacent_runs(cols: Sequence[int]) -> list[tuple[int, int]]:
    """(first, last) of each run of consecutive column indexes in a sorted list: [0, 1, 2, 5] -> (0, 2), (5, 5)."""
    runs: list[tuple[int, int]] = []
    for col in cols:
        if runs and runs[-1][1] == col - 1:
            runs[-1] = (runs[-1][0], col)
        else:
            runs.append((col, col))
    return runs


# "29-Dec-2006" (an SIS export's date): the date recognizer reads it as "29 Dec 2006".
_DASHED_MONTH_DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3,9})-(\d{2,4})$")


def _validated(kind: str, value: str, validate: Callable[[str, str], bool]) -> str | None:
    """The entity a typed cell's value is (of the kinds its header allows), or None."""
    if kind == "DATE_OF_BIRTH":
        dashed = _DASHED_MONTH_DATE.match(value)
        if dashed:
            value = " ".join(dashed.groups())
    for entity in ALTERNATIVES.get(kind, (kind,)):
        if validate(entity, value):
            return entity
    return None


_EMPLOYEE_WORDS = re.compile(r"\b(?:employees?|staff|payroll|personnel|hr|human resources|educators?|teachers?"
                             r"|faculty|salary|salaries|wages?|drivers?|substitutes?)\b", re.IGNORECASE)


def _resolve_person_ids(rows: Sequence[Sequence[str]], seg: Segment, columns: dict[int, str], heading: str) -> None:
    """A bare "ID" column is a local student (or, in a staff table, employee) number in a table of people.

    Without a name column it stays untyped (an asset's or a log record's ID), and a column counting
    rows (1, 2, 3...) is no ID either; nor is it a person's in a purchasing or inventory table.
    """
    ids = [col for col, kind in columns.items() if kind == PERSON_ID]
    if not ids:
        return
    people = any(kind in NAME_KINDS or kind == "PERSON" for kind in columns.values())
    if _COMMERCE_WORDS.search(heading) and not _STUDENT_WORDS.search(heading):
        people = False
    kind = STAFF_NUMBER if _EMPLOYEE_WORDS.search(heading) else STUDENT_NUMBER
    for col in ids:
        values = [v for v in (rows[r][col].strip() for r in seg.rows[:_BY_VALUE_SAMPLE] if col < len(rows[r])) if v]
        numbers = [int(v) for v in values[:20] if v.isdigit()]
        counting = len(numbers) >= 3 and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
        if people and not counting:
            columns[col] = kind
        else:
            del columns[col]


# Words in a table's title or headers that say its rows are students.
_STUDENT_WORDS = re.compile(r"\b(?:students?|pupils?|learners?|sasids?|homeroom|hr|grades? ?(?:\d{1,2}|k|pk)\b|gr ?\d"
                            r"|roster|rosters|enroll\w*|guardians?|parents?|kindergarten|iep|504|sped|class of"
                            r"|section roster|advisory|lunch|bus riders?|riders?|attendance|report card|transcript)\b",
                            re.IGNORECASE)
# Words that say a table lists things bought, stocked or catalogued: its numbers are no people's.
_COMMERCE_WORDS = re.compile(r"\b(?:requisitions?|req|purchas\w*|orders?|po|vendors?|suppliers?|invoices?"
                             r"|catalog(?:ue)?s?|items?|qty|quantity|unit price|price|sku|inventory|stock|shipping"
                             r"|shipment|receiving|quote|bid|procurement|asset|assets|warehouse|part no|parts)\b",
                             re.IGNORECASE)
_NUMBER_WORDS = frozenset({"no", "id", "code", "key", "ref", "reference", "nbr", "num", "number"})


def _heading(rows: Sequence[Sequence[str]], seg: Segment, context: str) -> str:
    """What a segment's rows are, in words: the text around the grid, the title rows above, the header."""
    top = seg.header_rows[0] if seg.header_rows else (seg.rows[0] if seg.rows else 0)
    above = " ".join(" ".join(rows[i]) for i in range(max(0, top - 6), top))
    if seg.header is None and not seg.names:  # no header: the first rows may still hold titles or labels
        above += " " + " ".join(" ".join(c for c in rows[r] if not c.strip().isdigit()) for r in seg.rows[:2])
    return f"{context} {above} {' '.join(seg.names)}"


def _names_another_number(seg: Segment, col: int) -> bool:
    """Whether a column's own header names a number we do not know ("Req #", "Item No", "Doc ID")."""
    if col >= len(seg.names) or not seg.names[col].strip():
        return False
    words = set(canonical(seg.names[col]).split())
    return bool(words & _NUMBER_WORDS) and not words & {"student", "sasid", "state"}


def _sample(rows: Sequence[Sequence[str]], seg: Segment, col: int) -> list[str]:
    """The first filled cells of a column (stripped), at most ``_BY_VALUE_SAMPLE``.

    Only as many rows are read as the sample needs: a 100,000-row table is not read whole for 40 cells.
    """
    column = (rows[r][col].strip() for r in seg.rows if col < len(rows[r]))
    return list(itertools.islice(filter(None, column), _BY_VALUE_SAMPLE))


def _type_by_values(rows: Sequence[Sequence[str]], seg: Segment, columns: dict[int, str],
                    validate: Callable[[str, str], bool], heading: str = "") -> dict[int, str]:
    """Columns with no known header typed by their values: most cells valid for one recognizer.

    A 9-digit column whose cells pass the routing checksum, S+8 license numbers, dashed SSNs; a 10-digit
    column starting with 1 is a SASID only when its values are distinct, not in ascending order (record
    numbers are), are not ISBN-10s, its own header names no other number, and the table is about
    students (a student word in its title or headers, or a name column in a table that lists no
    purchases or staff). Names need a name recognizer (``validate("PERSON", ...)``).
    """
    width = max((len(rows[r]) for r in seg.rows[:_BY_VALUE_SAMPLE * 2]), default=0)
    out: dict[int, str] = {}
    for col in range(width):
        if col in columns:
            continue
        sample = _sample(rows, seg, col)
        if len(sample) < _BY_VALUE_MIN:
            continue
        need = max(_BY_VALUE_MIN, int(len(sample) * _BY_VALUE_SHARE + 0.999))
        for entity, shape in _BY_VALUE:
            shaped = [v for v in sample if shape.fullmatch(v)]
            if len(shaped) < need:
                continue
            valid = [v for v in shaped if validate(entity, v)]
            if len(valid) >= need and _corroborated(entity, valid):
                out[col] = entity
                break
        else:
            names = [v for v in sample if _NAME_VALUE.match(v) and " " in v]
            if len(names) >= max(_BY_VALUE_MIN, len(sample) * _PERSON_SHARE):
                people = sum(1 for v in names if validate("PERSON", v))
                if people >= max(_BY_VALUE_MIN, len(sample) * _PERSON_SHARE):
                    out[col] = "PERSON"
    sasids = [col for col, kind in out.items() if kind == "MA_SASID"]
    if sasids:
        named = any(k in NAME_KINDS or k == "PERSON" for k in (*columns.values(), *out.values()))
        if _STUDENT_WORDS.search(heading):
            about_students = True
        elif _COMMERCE_WORDS.search(heading) or _EMPLOYEE_WORDS.search(heading):
            about_students = False
        else:
            about_students = named
        for col in sasids:
            if not about_students or _names_another_number(seg, col):
                del out[col]
    return out


_DISTRICT_KINDS = (None, NOT_PI, PERSON_ID)


def _type_by_district(rows: Sequence[Sequence[str]], seg: Segment, columns: dict[int, str],
                      district: Callable[[str, str], bool]) -> dict[int, str]:
    """Columns whose values have the district's configured student or employee ID format, in a table of people.

    Whatever the header ("Patron ID" in a library circulation export, "Barcode", no header at all): the
    district's own format and a name column beside it make it that ID. Columns typed as another entity
    keep their type.
    """
    if not any(k in NAME_KINDS or k == "PERSON" for k in columns.values()):
        return {}
    width = max((len(rows[r]) for r in seg.rows[:_BY_VALUE_SAMPLE * 2]), default=0)
    out: dict[int, str] = {}
    for col in range(width):
        if columns.get(col) not in _DISTRICT_KINDS:
            continue
        sample = _sample(rows, seg, col)
        if len(sample) < _BY_VALUE_MIN:
            continue
        need = max(_BY_VALUE_MIN, int(len(sample) * _BY_VALUE_SHARE + 0.999))
        for entity in ("STUDENT_ID", "EMPLOYEE_ID"):
            if sum(1 for v in sample if district(entity, v)) >= need and len(set(sample)) >= len(sample) * 0.9:
                out[col] = entity
                break
    return out


def _corroborated(entity: str, values: list[str]) -> bool:
    """Identifier columns hold distinct values in no particular order (record numbers count up)."""
    if len(set(values)) < len(values) * 0.9:
        return False
    if entity in ("MA_SASID", "ABA_ROUTING_NUMBER") and len(values) >= 3:
        digits = [int(re.sub(r"\D", "", v)) for v in values]
        if all(a < b for a, b in zip(digits, digits[1:], strict=False)):
            return False
    return not (entity == "MA_SASID" and sum(_isbn10(v) for v in values) * 2 >= len(values))


def _isbn10(value: str) -> bool:
    digits = value[-10:]
    return len(digits) == 10 and digits.isdigit() and sum((10 - i) * int(d) for i, d in enumerate(digits)) % 11 == 0


def _type_form(rows: Sequence[Sequence[str]], starts: Sequence[Sequence[int]], numbers: Sequence[int],
               pairs: list[tuple[int, int, int]], validate: Callable[[str, str], bool]) -> GridTyping:
    """A two- or four-column form: each label types the value beside it; the form is one record."""
    first, last = numbers[pairs[0][0]], numbers[pairs[-1][0]]
    labels = [rows[r][c] for r, c, _ in pairs]
    context = " ".join(" ".join(row) for row in rows[: pairs[0][0]]) + " " + " ".join(labels)
    items: list[tuple[str, str, int]] = []
    covered: list[tuple[int, int]] = []
    for r, label_col, value_col in pairs:
        kind = header_kind(rows[r][label_col])
        if kind is None:
            continue
        raw = rows[r][value_col]
        covered.append((starts[r][label_col], starts[r][label_col] + len(rows[r][label_col])))
        covered.append((starts[r][value_col], starts[r][value_col] + len(raw)))
        items.append((kind, raw.strip(), starts[r][value_col] + (len(raw) - len(raw.lstrip()))))
    cells = form_cells(items, first, last, context, validate)
    named = any(kind in NAME_KINDS for kind, _, _ in items)
    return GridTyping(tuple(cells), tuple(covered), named, ((first, last),), True, ())


def form_cells(items: Sequence[tuple[str, str, int]], first: int, last: int, context: str,
               validate: Callable[[str, str], bool]) -> list[Cell]:
    """Findings of one form's (kind, value, start) items, all located at the form's rows.

    A first and a last name given apart ("First Name: Jane", "Last Name: Doe") make one PERSON; a bare
    "ID" is a student's number, or an employee's when the form's labels and title speak of staff.
    """
    cells: list[Cell] = []
    parts: dict[str, tuple[str, int, int]] = {}
    for kind, value, start in items:
        if kind == PERSON_ID:
            kind = STAFF_NUMBER if _EMPLOYEE_WORDS.search(context) else STUDENT_NUMBER
        if kind in (FIRST, LAST, MIDDLE):
            if value and _NAME_VALUE.match(value) and not names_a_column(value) and kind not in parts:
                parts[kind] = (value, start, start + len(value))
            continue
        judged = judge_value(kind, value, start, validate)
        if judged is not None:
            entity, value, start = judged
            cells.append(Cell(first, entity, value, start, start + len(value), last))
    for person in _person_from_parts(first, parts):
        cells.append(Cell(first, person.entity, person.value, person.start, person.end, last))
    return cells


def judge_value(kind: str, value: str, start: int, validate: Callable[[str, str], bool]) -> tuple[str, str, int] | None:
    """(entity, value, start) when a labelled value is that kind's entity; names need two to five words."""
    if not value:
        return None
    if kind in NAME_KINDS:
        label = _CELL_LABEL.match(value)
        if label:
            start += label.end()
            value = value[label.end():]
        words = value.replace(",", " ").split()
        if not 2 <= len(words) <= 5 or not _NAME_VALUE.match(value) or names_a_column(value):
            return None
        if any(w.lower() in _NOT_NAME_WORDS for w in words):
            return None
        return "PERSON", value, start
    if kind in (INDICATOR, NOT_PI, PERSON_ID):
        return None
    entity = _validated(kind, value, validate)
    return (entity, value, start) if entity is not None else None


# Words that make a labelled value no name ("Student: Grade 5 homeroom", "Parent: see attached").
_NOT_NAME_WORDS = frozenset({"grade", "see", "attached", "n/a", "none", "unknown", "tbd", "yes", "no", "the", "and",
                             "of", "is", "was", "will", "not", "pending", "same", "above", "below", "other", "na"})


def _person_from_parts(row: int, parts: dict[str, tuple[str, int, int]]) -> Iterator[Cell]:
    # A surname alone is not a name under 93H ("first name or initial and last name").
    if FIRST in parts and LAST in parts:
        yield _person(row, [parts[k] for k in (FIRST, MIDDLE, LAST) if k in parts])


def _person(row: int, pieces: Sequence[tuple[str, int, int]]) -> Cell:
    """One PERSON of a row's name parts ((value, start, end), first to last)."""
    return Cell(row, "PERSON", " ".join(p[0] for p in pieces), min(p[1] for p in pieces), max(p[2] for p in pieces))


def line_starts_of(text: str) -> list[int]:
    """The offset where each line of the text starts (row ``i`` of a table part starts at index ``i - 1``)."""
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def row_of(offset: int, line_starts: Sequence[int]) -> int:
    """1-based row number of a text offset, given the start offset of every line."""
    return bisect.bisect_right(line_starts, offset)
