"""Excel workbooks (OOXML): one part per worksheet with its rows, hidden sheets included."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any, ClassVar

from lxml import etree

from dlp.errors import ItemError, NotExamined
from dlp.extract._common import (
    BoundedMembers,
    TextBudget,
    cell_text,
    guard_zip_package,
    guess_header,
    open_binary,
    parsing,
    rows_to_text,
)
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part, Reason

# Excel's own row limit; missing rows are padded up to the next row number found, so a hostile
# r="999999999" would otherwise produce a billion empty rows.
_MAX_ROWS = 1_048_576

# Hostile-input settings: entities stay unexpanded (billion laughs, XXE), no DTD or network access,
# libxml2's size and depth limits kept. Comments and processing instructions are dropped, so that one
# inside a value ("52<!-- -->3") does not cut its text short.
_SAFE: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
_PARSER = etree.XMLParser(**_SAFE)

# SpreadsheetML comes in two namespaces: the transitional one nearly every writer uses, and the one of
# ISO 29500 strict ("Strict Open XML Spreadsheet" in Excel's save dialog). A package uses one of them.
_SPREADSHEET_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_ID_ATTRIBUTES = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"

# Number formats Excel has built in (ECMA-376 18.8.30) whose codes mean a date, a time or a duration,
# as openpyxl lists them: 14-22 and 45-47. Ids 27-36 and 50-58 (East Asian calendars) depend on the
# locale and, as in openpyxl, read as plain numbers.
_BUILTIN_FORMATS = {
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
}
# A format code is a date when its first section has a date or time letter outside quoted literals
# and brackets ([Red], [$-409]); elapsed-time brackets ([h], [mm], [ss]) count as time.
_FORMAT_NOISE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.IGNORECASE)

# Style kinds of a numeric cell: what its serial number stands for.
_NUMBER, _DATE, _DURATION_KIND = 0, 1, 2

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)

# Cells of type "d" hold ISO 8601 text; durations are what Excel writes for elapsed times in strict mode.
_ISO_DATE_TIME = re.compile(
    r"""
(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?
(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?""",
    re.VERBOSE,
)
_ISO_DURATION = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")

_DIGITS = "0123456789"


class XlsxExtractor(Extractor):
    """Reads .xlsx/.xlsm straight from the OOXML package with zipfile and a streaming lxml parser.

    The workbook part gives the sheets in tab order and the 1900 or 1904 date system; the shared
    strings, the cell styles (to tell dates from numbers) and then each worksheet are streamed, cached
    formula values read instead of formulas. Cell values read as openpyxl's ``data_only`` mode gives
    them, rendered as a person sees them: dates without a zero time, IDs without ``.0``.

    Each worksheet becomes a part ``sheet <title>`` whose ``rows`` start at spreadsheet row 1, so that
    row ``i`` of the part is row ``i + 1`` of the sheet; empty rows inside the sheet are kept as empty
    tuples for that reason and trailing ones dropped. Hidden and very hidden sheets are read: hiding a
    roster column or sheet is a common way PI travels unnoticed. Chart sheets hold no cells and are
    skipped.
    """

    name: ClassVar[str] = "xlsx"
    media_types: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
    )
    extensions: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm", ".xltx")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """One part per worksheet; a broken workbook raises ItemError(CORRUPT), a bomb NotExamined(BOMB)."""
        budget = TextBudget(ctx.settings.max_text_chars)
        parts: list[Part] = []
        with open_binary(item) as stream:
            guard_zip_package(stream, ctx, "XLSX")
            with parsing("XLSX"), zipfile.ZipFile(stream) as archive:
                if "xl/workbook.bin" in archive.NameToInfo:
                    # A binary workbook (.xlsb, BIFF12 records) under an .xlsx name or missed by sniff():
                    # nothing here parses it, which is not the file's fault.
                    raise NotExamined(Reason.UNSUPPORTED, "binary Excel workbook (.xlsb) is not read")
                package = _Package(archive, ctx.settings.max_expanded_bytes)
                book = _read_workbook(package)
                for title, path in book.sheets:
                    if budget.exhausted:
                        break
                    part = _sheet_part(package, book, title, path, budget)
                    if part is not None:
                        parts.append(part)
        return Document(media_type=self.media_types[0], parts=tuple(parts))


class _Package(BoundedMembers):
    """The members of the zip that the extractor reads, inflated within the guard's bounds."""

    def __init__(self, archive: zipfile.ZipFile, max_bytes: int) -> None:
        super().__init__(archive, max_bytes, "XLSX")
        self._names = frozenset(archive.namelist())

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def root(self, name: str) -> Any:
        """The root element of a small XML part (workbook, relationships)."""
        with self.open(name) as member:
            return etree.fromstring(member.read(), _PARSER)

    def rels(self, part: str) -> dict[str, tuple[str, str | None]]:
        """A member's relationships by Id: (type, member name), the name None for an external target.

        ``part`` is a member name, or "" for the package's own relationships (``_rels/.rels``).
        """
        folder, name = posixpath.split(part)
        path = posixpath.join(folder, "_rels", f"{name}.rels")
        if path not in self:
            return {}
        found: dict[str, tuple[str, str | None]] = {}
        for rel in self.root(path).iterchildren(_REL):
            rel_id, target = rel.get("Id"), rel.get("Target")
            if rel_id is None or target is None:
                continue
            member: str | None = None
            if rel.get("TargetMode") != "External":
                member = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[rel_id] = (rel.get("Type", ""), member)
        return found


@dataclass(frozen=True)
class _Names:
    """Qualified tag names of one SpreadsheetML namespace."""

    sheets: str
    sheet: str
    workbook_pr: str
    num_fmts: str
    num_fmt: str
    cell_xfs: str
    xf: str
    si: str
    t: str
    r: str
    sheet_data: str
    row: str
    c: str
    v: str
    inline: str

    @classmethod
    def of(cls, namespace: str) -> _Names:
        q = f"{{{namespace}}}"
        return cls(
            sheets=q + "sheets",
            sheet=q + "sheet",
            workbook_pr=q + "workbookPr",
            num_fmts=q + "numFmts",
            num_fmt=q + "numFmt",
            cell_xfs=q + "cellXfs",
            xf=q + "xf",
            si=q + "si",
            t=q + "t",
            r=q + "r",
            sheet_data=q + "sheetData",
            row=q + "row",
            c=q + "c",
            v=q + "v",
            inline=q + "is",
        )


_NAMES = {namespace: _Names.of(namespace) for namespace in _SPREADSHEET_NAMESPACES}


@dataclass
class _Book:
    """What the cells of every sheet need: tag names, date system, shared strings, style kinds."""

    names: _Names
    sheets: list[tuple[str, str]]  # (title, member) in tab order
    epoch: dt.datetime
    strings: list[str]
    kinds: list[int]  # per cellXfs index: _NUMBER, _DATE or _DURATION_KIND
    kind_by_text: dict[str, int]  # the same keyed by the "s" attribute as written, for speed
    default_kind: int  # a cell without a style attribute has cell format 0

    def style_kind(self, style: str) -> int:
        """The kind of a cell's style; ValueError for an "s" attribute that is not a number."""
        kind = self.kind_by_text.get(style)
        if kind is None:
            index = int(style)  # " 3" or "03": what the text means; "x" fails as corrupt
            kind = self.kinds[index] if 0 <= index < len(self.kinds) else _NUMBER
        return kind


def _read_workbook(package: _Package) -> _Book:
    """The workbook part, its sheets' members, and the shared strings and styles it refers to."""
    workbook_part = "xl/workbook.xml"
    if workbook_part not in package:  # every writer uses that name; the package's own rels say otherwise
        for rel_type, member in package.rels("").values():
            if rel_type.endswith("/officeDocument") and member is not None:
                workbook_part = member
                break
    root = package.root(workbook_part)
    names = _NAMES.get(etree.QName(root).namespace or "")
    if names is None:
        return _Book(_NAMES[_SPREADSHEET_NAMESPACES[0]], [], _EPOCH_1900, [], [], {}, _NUMBER)  # not SpreadsheetML
    epoch = _EPOCH_1900
    for properties in root.iterchildren(names.workbook_pr):
        flag = properties.get("date1904")
        # xsd:boolean, read as openpyxl reads it: anything but false/f/0 or nothing is true.
        epoch = _EPOCH_1904 if flag and flag not in ("false", "f", "0") else _EPOCH_1900
    listed: list[Any] = []
    for sheets in root.iterchildren(names.sheets):
        listed = list(sheets.iterchildren(names.sheet))
    rels = package.rels(workbook_part)
    sheets_found: list[tuple[str, str]] = []
    for sheet in listed:
        rel_id = next((v for v in map(sheet.get, _REL_ID_ATTRIBUTES) if v), None)
        if rel_id is None:
            continue  # older .xlsm files carry sheet entries without a part; nothing to read
        rel_type, member = rels[rel_id]  # a sheet pointing at no relationship: the package is broken
        if member is None or member not in package or "chartsheet" in rel_type:
            continue
        title = sheet.get("name")
        if title is None:
            raise ItemError(Reason.CORRUPT, "XLSX sheet without a name")
        sheets_found.append((title, member))
    strings_part = _related(package, rels, "/sharedStrings", "xl/sharedStrings.xml")
    styles_part = _related(package, rels, "/styles", "xl/styles.xml")
    strings = _shared_strings(package, strings_part, names) if strings_part and sheets_found else []
    kinds = _style_kinds(package, styles_part, names) if styles_part and sheets_found else []
    kind_by_text = {str(index): kind for index, kind in enumerate(kinds)}
    kind_by_text[""] = _NUMBER
    return _Book(names, sheets_found, epoch, strings, kinds, kind_by_text, kinds[0] if kinds else _NUMBER)


def _related(package: _Package, rels: dict[str, tuple[str, str | None]], suffix: str, usual: str) -> str | None:
    """The member a workbook relationship of that type points at, else the usual name if present."""
    for rel_type, member in rels.values():
        if rel_type.endswith(suffix) and member is not None and member in package:
            return member
    return usual if usual in package else None


def _stream(source: IO[bytes], tags: tuple[str, ...], events: tuple[str, ...] = ("end",)) -> Any:
    """Events for the given tags only, from a parser that expands no entity and fetches nothing."""
    return etree.iterparse(source, events=events, tag=tags, **_SAFE)


def _forget(element: Any) -> None:
    """Drop a handled element and the siblings before it, so that a long part is held in small memory."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _shared_strings(package: _Package, member: str, names: _Names) -> list[str]:
    """The shared string table: plain text, rich-text runs joined, phonetic guides (rPh) left out."""
    strings: list[str] = []
    with package.open(member) as source:
        for _, item in _stream(source, (names.si,)):
            # openpyxl turns the escaped underscore of "_x005F_xHHHH_" back into "_xHHHH_" and leaves the
            # other escapes as written; kept so that the text (and so the findings) stay the same.
            strings.append(_rich_text(item, names).replace("x005F_", ""))
            _forget(item)
    return strings


def _rich_text(element: Any, names: _Names) -> str:
    """Text of a string item (<si> or <is>): its <t>, then the <t> of each run, as Excel shows it."""
    plain: str | None = None
    runs: list[str] = []
    for child in element:
        if child.tag == names.t:
            plain = child.text
        elif child.tag == names.r:
            run: str | None = None
            for text in child.iterchildren(names.t):
                run = text.text
            if run is not None:
                runs.append(run)
    if not runs:
        return plain or ""
    return (plain or "") + "".join(runs)


def _style_kinds(package: _Package, member: str, names: _Names) -> list[int]:
    """For each cell format (cellXfs), whether its number format shows a date, a duration or a number."""
    custom: dict[int, str] = {}
    number_formats: list[int] = []
    in_formats = in_cell_xfs = False
    with package.open(member) as source:
        for event, element in _stream(
            source, (names.num_fmts, names.num_fmt, names.cell_xfs, names.xf), ("start", "end")
        ):
            tag = element.tag
            if event == "end":
                if tag == names.num_fmts:
                    in_formats = False
                elif tag == names.cell_xfs:
                    in_cell_xfs = False
                _forget(element)
            elif tag == names.num_fmts:
                in_formats = True
            elif tag == names.cell_xfs:
                in_cell_xfs = True
            elif tag == names.num_fmt and in_formats:  # not the numFmt of a differential (dxf) style
                custom[int(element.get("numFmtId"))] = element.get("formatCode")
            elif tag == names.xf and in_cell_xfs:  # not a named style's xf (cellStyleXfs)
                number_formats.append(int(element.get("numFmtId", 0)))
    kinds: list[int] = []
    for format_id in number_formats:
        code = custom[format_id] if format_id in custom else _BUILTIN_FORMATS.get(format_id)
        kinds.append(_format_kind(code))
    return kinds


@lru_cache(maxsize=1024)
def _format_kind(code: str | None) -> int:
    """Whether a number format code shows a date or time, an elapsed duration, or a plain number."""
    if code is None:
        return _NUMBER
    first = code.split(";")[0]  # positive;negative;zero;text: the first section decides
    if _DATE_LETTER.search(_FORMAT_NOISE.sub("", first)) is None:
        return _NUMBER
    return _DURATION_KIND if _DURATION.search(first) else _DATE


def _sheet_part(package: _Package, book: _Book, title: str, member: str, budget: TextBudget) -> Part | None:
    """A worksheet as a part whose row ``i`` is spreadsheet row ``i + 1``; None for a sheet without values."""
    rows: list[tuple[str, ...]] = []
    last_nonempty = 0
    with package.open(member) as source:
        for number, row in _sheet_rows(source, book):
            if number <= len(rows):
                continue  # a row number repeated or going backwards: the first one counts
            gap = min(number - 1, _MAX_ROWS) - len(rows)
            if gap > 0:
                rows.extend([()] * gap)
            if len(rows) >= _MAX_ROWS:
                break
            rows.append(row)
            if row:
                last_nonempty = len(rows)
                budget.take(" | ".join(row) + "\n")
                if budget.exhausted:
                    break
    rows = rows[:last_nonempty]
    if not rows:
        return None
    frozen = tuple(rows)
    return Part(
        locator=f"sheet {title}",
        text=rows_to_text(frozen),
        rows=frozen,
        has_header=guess_header(frozen),
    )


def _sheet_rows(source: IO[bytes], book: _Book) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(row number, cell texts without trailing empty ones) for each <row>, in the order written."""
    names = book.names
    number = 0
    for _, element in _stream(source, (names.row, names.sheet_data)):
        if element.tag == names.sheet_data:
            return  # rows live in sheetData only; what follows (print setup, drawings) is not read
        ref = element.get("r")
        number = _row_number(ref) if ref is not None else number + 1
        cells = _row_cells(element, book)
        _forget(element)
        yield number, cells


def _row_number(ref: str) -> int:
    """A row's ``r`` attribute; some writers put "3.0"."""
    try:
        return int(ref)
    except ValueError:
        value = float(ref)
        if not value.is_integer():
            raise
        return int(value)


def _row_cells(row: Any, book: _Book) -> tuple[str, ...]:
    """A row's cells placed by column, missing ones empty, trailing empty ones dropped.

    Writers put cells left to right, which is the fast path; a row that does not is read again by
    :func:`_unordered_cells`.
    """
    cells: list[str] = []
    column = 0
    for cell in row.iterchildren(book.names.c):
        ref = cell.get("r")
        previous = column
        column = _cell_column(ref) if ref else column + 1  # no reference: the cell after the previous one
        if column <= previous:
            return _unordered_cells(row, book)
        text = _cell_value(cell, book)
        if text:
            if column > len(cells) + 1:
                cells.extend([""] * (column - 1 - len(cells)))
            cells.append(text)
    return tuple(cells)


def _unordered_cells(row: Any, book: _Book) -> tuple[str, ...]:
    """A row whose cells are not left to right, placed as openpyxl places them.

    The row is as wide as its last cell says (a cell written after it further right is ignored), and
    of two cells in one column the later one wins.
    """
    placed: list[tuple[int, str]] = []
    column = 0
    for cell in row.iterchildren(book.names.c):
        ref = cell.get("r")
        column = _cell_column(ref) if ref else column + 1
        placed.append((column, _cell_value(cell, book)))
    width = placed[-1][0]
    end = 0
    for column, text in placed:
        if text and end < column <= width:
            end = column
    cells = [""] * end
    for column, text in placed:
        if column <= end:
            cells[column - 1] = text
    while cells and not cells[-1]:
        cells.pop()  # a later empty cell in the same column replaced the last value
    return tuple(cells)


def _cell_column(ref: str) -> int:
    """The 1-based column of a cell reference such as ``AB12``."""
    letters = ref.rstrip(_DIGITS)
    return (letters != ref and _COLUMNS.get(letters)) or _column(ref)


# Column numbers by letters, filled as references are met (at most the 143,364 ways to write A to ZZZ
# in either case), so that a column's letters are decoded once per process, not once per cell.
_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """The 1-based column of a cell reference such as ``AB12``; ValueError when it is not one."""
    letters = ref.rstrip(_DIGITS)
    if letters == ref or not letters.isascii() or not letters.isalpha():
        # Anything unusual is read as openpyxl reads it: letters up to the first digit, then a number.
        index = next((i for i, ch in enumerate(ref) if ch in _DIGITS), len(ref) - 1)
        int(ref[index:])
        letters = ref[:index]
    if not 0 < len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        raise ValueError("not a column name (A to ZZZ)")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    _COLUMNS[letters] = number
    return number


def _cell_value(cell: Any, book: _Book) -> str:
    """A cell's value as text, typed by its ``t`` attribute and, for numbers, by its style."""
    style = cell.get("s")
    # No attribute means cell format 0, which may well be a date format; s="" means no format at all.
    kind = book.default_kind if style is None else book.style_kind(style)
    data_type = cell.get("t", "n")
    names = book.names
    if data_type == "inlineStr":
        for child in cell:
            if child.tag == names.inline:
                return _rich_text(child, names).strip()
        return ""
    raw: str | None = None
    for child in cell:
        if child.tag == names.v:
            raw = child.text  # the cached result when the cell holds a formula
            break
    if not raw:
        return ""
    if data_type == "n":
        number = _number(raw)
        if kind == _NUMBER:
            return cell_text(number)
        try:
            return _value(_from_serial(number, book.epoch, duration=kind == _DURATION_KIND))
        except (OverflowError, ValueError):
            return "#VALUE!"  # a date style on a serial outside the calendar; openpyxl's error value
    if data_type == "s":
        return book.strings[int(raw)].strip()
    if data_type == "b":
        return cell_text(bool(int(raw)))
    if data_type == "d":
        return _value(_from_iso(raw))
    return raw.strip()  # "str" (a formula's text result), "e" (an error such as #N/A) and unknown types


def _number(text: str) -> int | float:
    """A numeric cell's text as int when it has no decimal point or exponent, else float."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _from_serial(serial: float, epoch: dt.datetime, *, duration: bool) -> dt.datetime | dt.time | dt.timedelta:
    """An Excel serial number as a datetime, a time of day (under 1) or, for a duration style, a timedelta.

    Rounded to the millisecond as Excel does; in the 1900 system serials under 60 are shifted by a day
    because Excel counts a 29 February 1900 that never was.
    """
    if duration:
        elapsed = dt.timedelta(days=serial)
        if elapsed.microseconds:
            elapsed = dt.timedelta(seconds=elapsed.total_seconds() // 1, microseconds=round(elapsed.microseconds, -3))
        return elapsed
    day, fraction = divmod(serial, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= serial < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < serial < 60 and epoch == _EPOCH_1900:
        day += 1
    return epoch + dt.timedelta(days=day) + diff


def _from_iso(text: str) -> dt.date | dt.time | dt.timedelta:
    """The ISO 8601 text of a "d" cell: date, time, datetime or (strict files) a PT..H..M..S duration."""
    match = _ISO_DATE_TIME.match(text)
    if match and any(match.groups()):
        parts: dict[str, Any] = match.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return dt.time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return dt.date(parts["year"], parts["month"], parts["day"])
        fields = ("year", "month", "day", "hour", "minute", "second", "microsecond")
        return dt.datetime(*(parts[key] for key in fields))
    match = _ISO_DURATION.match(text)
    if match and any(match.groups()):
        return dt.timedelta(**{key: float(val) for key, val in match.groupdict(0).items() if val})
    raise ValueError("not an ISO 8601 date")


def _value(value: object) -> str:
    """A cell value as the text a person sees (dates without a zero time, IDs without ``.0``)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return cell_text(value)
