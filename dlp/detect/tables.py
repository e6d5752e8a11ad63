"""Tables typed by column: a header says what a column holds, and a row is one person's record.

NER finds names in CSV cells poorly (research/perf.md: recall 0.08) and a bare 10-digit SASID or a
9-digit SSN without dashes has no context words in a cell. The header supplies that context: a
column headed "SASID" or "Soc Sec" is typed once, and each of its cells is validated by the same
recognizer that would judge the value in prose (checksums, formats), given the column's context.
Findings are located by row ("table row 14"), so "near" for the 93H rule means "in the same row".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from dlp.types import Part

# Name parts are not entities themselves: they combine into one PERSON per row.
FIRST, LAST, MIDDLE, FULL = "NAME_FIRST", "NAME_LAST", "NAME_MIDDLE", "NAME_FULL"

_HEADERS: dict[str, tuple[str, ...]] = {
    "US_SSN": ("ssn", "ss#", "ssn#", "soc sec", "soc sec #", "soc sec no", "social security",
               "social security number", "social security no", "social security #", "ss number", "ss no"),
    "US_ITIN": ("itin", "taxpayer id", "tin"),
    "MA_SASID": ("sasid", "sasid#", "state id", "state student id", "state sasid", "ma sasid", "state id number",
                 "state assigned student id"),
    "STUDENT_ID": ("student id", "student #", "student number", "student no", "local id", "local student id",
                   "lasid", "stu id", "student_id", "studentid", "id number"),
    "EMPLOYEE_ID": ("employee id", "employee #", "employee number", "emp id", "emp #", "staff id", "employee no",
                    "employeeid", "badge id"),
    "MA_MEPID": ("mepid", "epims id", "educator id"),
    "DATE_OF_BIRTH": ("dob", "d.o.b.", "d.o.b", "birthdate", "birth date", "date of birth", "birthday",
                      "birth_date", "date_of_birth"),
    "US_BANK_NUMBER": ("account", "account number", "account #", "account no", "acct", "acct #", "acct no",
                       "bank account", "bank account number", "deposit account", "checking account"),
    "ABA_ROUTING_NUMBER": ("routing", "routing number", "routing #", "routing no", "aba", "aba number", "rtn",
                           "bank routing", "transit number"),
    "CREDIT_CARD": ("card number", "credit card", "credit card number", "cc number", "cc #", "card #", "pan"),
    "IBAN_CODE": ("iban",),
    "US_DRIVER_LICENSE": ("license", "license number", "license #", "driver license", "drivers license",
                          "driver's license", "dl", "dl #", "dl#", "dl number", "license no"),
    "US_PASSPORT": ("passport", "passport number", "passport #", "passport no"),
    "MASSHEALTH_ID": ("masshealth", "masshealth id", "masshealth #", "medicaid id", "medicaid number"),
    "EMAIL_ADDRESS": ("email", "e-mail", "email address", "e-mail address", "guardian email", "parent email",
                      "student email", "work email", "personal email"),
    "PHONE_NUMBER": ("phone", "telephone", "phone number", "cell", "cell phone", "mobile", "home phone",
                     "guardian phone", "parent phone", "work phone", "emergency phone", "contact phone"),
    "CREDENTIAL": ("password", "passcode", "pin", "temp password", "initial password"),
    FIRST: ("first", "first name", "firstname", "first_name", "given name", "fname", "preferred name",
            "student first name", "legal first name"),
    LAST: ("last", "last name", "lastname", "last_name", "surname", "family name", "lname", "student last name",
           "legal last name"),
    MIDDLE: ("middle", "middle name", "middle initial", "mi"),
    FULL: ("name", "full name", "student name", "student", "employee name", "employee", "staff name",
           "guardian name", "parent name", "guardian", "parent/guardian", "emergency contact", "teacher",
           "contact name", "legal name", "student full name", "payee"),
}
HEADER_TYPES: dict[str, str] = {alias: kind for kind, aliases in _HEADERS.items() for alias in aliases}

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
    """Column index -> entity (or name part) for the headers we know."""
    out: dict[int, str] = {}
    for index, cell in enumerate(header):
        kind = _header_type(cell)
        if kind is None and _KEY_PATH.match(cell.strip()):
            # A JSON key path: its last two segments ("guardian.email"), else its last ("name.first").
            segments = _INDEX.sub("", cell.strip()).split(".")
            kind = _header_type(" ".join(segments[-2:])) or _header_type(segments[-1])
        if kind is not None:
            out[index] = kind
    return out


def _header_type(cell: str) -> str | None:
    kind = HEADER_TYPES.get(normalize_header(cell))
    if kind is None:
        kind = HEADER_TYPES.get(normalize_header(cell).replace("_", " ").rstrip("#").strip())
    return kind


@dataclass(frozen=True, slots=True)
class Cell:
    """A typed value found in a table: which row, which entity, where in the part's text."""

    row: int  # 1-based, as a spreadsheet numbers rows (the header is row 1)
    entity: str
    value: str
    start: int
    end: int


def row_offsets(rows: Sequence[Sequence[str]]) -> list[list[int]]:
    """Start offset of every cell in the part text that ``rows_to_text`` makes of these rows."""
    offsets: list[list[int]] = []
    pos = 0
    for row in rows:
        starts = []
        for cell in row:
            starts.append(pos)
            pos += len(cell) + len(_SEPARATOR)
        if row:
            pos -= len(_SEPARATOR)
        offsets.append(starts)
        pos += 1  # the newline
    return offsets


def typed_cells(part: Part, validate: Callable[[str, str], bool]) -> tuple[list[Cell], list[tuple[int, int]]]:
    """Findings from the typed columns of a table part, and the text spans those columns cover.

    ``validate(entity, value)`` decides whether a cell's value really is that entity. A row's name parts
    (first, middle, last) combine into one PERSON; full-name columns give one PERSON each.
    """
    rows = part.rows or ()
    if not rows or not part.has_header:
        return [], []
    columns = type_columns(rows[0])
    if not columns:
        return [], []
    offsets = row_offsets(rows)
    found: list[Cell] = []
    covered: list[tuple[int, int]] = []
    for r in range(1, len(rows)):
        row, starts = rows[r], offsets[r]
        name_parts: dict[str, tuple[str, int, int]] = {}
        for col, kind in columns.items():
            if col >= len(row):
                continue
            value = row[col].strip()
            start = starts[col] + (len(row[col]) - len(row[col].lstrip()))
            end = start + len(value)
            covered.append((starts[col], starts[col] + len(row[col])))
            if not value:
                continue
            if kind in (FIRST, LAST, MIDDLE):
                if _NAME_VALUE.match(value):
                    name_parts[kind] = (value, start, end)
            elif kind == FULL:
                # "Student: Patrick Callahan" in a Name column: the label is not part of the name.
                label = _CELL_LABEL.match(value)
                if label:
                    start += label.end()
                    value = value[label.end():]
                if _NAME_VALUE.match(value) and any(ch.isalpha() for ch in value):
                    found.append(Cell(r + 1, "PERSON", value, start, start + len(value)))
            elif validate(kind, value):
                found.append(Cell(r + 1, kind, value, start, end))
        found.extend(_person_from_parts(r + 1, name_parts))
    return found, covered


def _person_from_parts(row: int, parts: dict[str, tuple[str, int, int]]) -> Iterator[Cell]:
    if LAST not in parts:
        return
    pieces = [parts[k] for k in (FIRST, MIDDLE, LAST) if k in parts]
    if FIRST not in parts:
        return  # a surname alone is not a name under 93H ("first name or initial and last name")
    value = " ".join(p[0] for p in pieces)
    start = min(p[1] for p in pieces)
    end = max(p[2] for p in pieces)
    yield Cell(row, "PERSON", value, start, end)


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
    import bisect

    return bisect.bisect_right(line_starts, offset)
