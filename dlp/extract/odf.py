"""OpenDocument text, spreadsheets and presentations (ODT/ODS/ODP and their templates).

An ODF package is a zip whose ``content.xml`` holds the document. It is streamed (``iterparse``) with
defusedxml, which refuses DTDs with entity declarations and external references (billion laughs,
XXE), so memory stays bounded by the text kept, not by the size of the XML. The package's declared
sizes are checked first as for OOXML. No library beyond the standard zip reader: odfpy builds a full
DOM of the document, which is what streaming avoids.

Parts: text documents give ``body`` (paragraphs, headings, lists) and ``table N`` parts with rows;
spreadsheets give a ``sheet NAME`` part per sheet with rows; presentations a ``slide N`` part per page
(draw:page) with its text and ``slide N notes`` for speaker notes.

Encrypted packages (an open password) list ``manifest:encryption-data`` in META-INF/manifest.xml: they
are not examined, reason ``encrypted``, with the cipher named there (AES-256-CBC from LibreOffice 3.4
on, Blowfish CFB before). No decryption is attempted.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any, ClassVar

import defusedxml.ElementTree as SafeET

from dlp.errors import ItemError, NotExamined
from dlp.extract._common import (
    TextBudget,
    guard_zip_package,
    guess_header,
    open_binary,
    parsing,
    rows_to_text,
)
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part, Reason

_NS = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}


def _q(prefix: str, local: str) -> str:
    return f"{{{_NS[prefix]}}}{local}"


_P = (_q("text", "p"), _q("text", "h"))
_TABLE = _q("table", "table")
_ROW = _q("table", "table-row")
_CELLS = (_q("table", "table-cell"), _q("table", "covered-table-cell"))
_PAGE = _q("draw", "page")
_NOTES = _q("presentation", "notes")
_SPACE, _TAB, _BREAK = _q("text", "s"), _q("text", "tab"), _q("text", "line-break")
_REPEAT_COLS = _q("table", "number-columns-repeated")
_REPEAT_ROWS = _q("table", "number-rows-repeated")
_SPACE_COUNT = _q("text", "c")
# Spreadsheets "repeat" empty cells and rows to the sheet's edge (16384 columns, a million rows); only
# repeats of cells with content are expanded, and at most this many times.
_MAX_REPEAT = 100
_ALGORITHMS = {
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc": ("AES-256", 256),
    "http://www.w3.org/2009/xmlenc11#aes256-gcm": ("AES-256", 256),
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc": ("AES-128", 128),
    "Blowfish CFB": ("Blowfish", 128),
}


class OdfExtractor(Extractor):
    """Reads ODT, ODS and ODP packages (see the module docstring)."""

    name: ClassVar[str] = "odf"
    media_types: ClassVar[tuple[str, ...]] = (
        "application/vnd.oasis.opendocument",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.text-template",
        "application/vnd.oasis.opendocument.spreadsheet-template",
        "application/vnd.oasis.opendocument.presentation-template",
    )
    # Each extension maps to the generic type above (the registry takes the first), which reads them all.
    extensions: ClassVar[tuple[str, ...]] = (".odt", ".ods", ".odp", ".ott", ".ots", ".otp")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Parts of the document; a broken package or XML raises ItemError(CORRUPT)."""
        with open_binary(item) as stream:
            guard_zip_package(stream, ctx, "OpenDocument")
            with parsing("OpenDocument"), zipfile.ZipFile(stream) as package:
                names = set(package.namelist())
                _refuse_encrypted(package, names)
                if "content.xml" not in names:
                    raise ItemError(Reason.CORRUPT, "OpenDocument package has no content.xml")
                with package.open("content.xml") as content:
                    parts = _Reader(ctx).read(content)
        return Document(media_type=self.media_types[0], parts=tuple(parts))


def _refuse_encrypted(package: zipfile.ZipFile, names: set[str]) -> None:
    """Raise NotExamined(encrypted) when the manifest says the content is encrypted."""
    if "META-INF/manifest.xml" not in names:
        return
    with package.open("META-INF/manifest.xml") as manifest:
        data = manifest.read(4 << 20)
    if b"encryption-data" not in data:
        return
    root = SafeET.fromstring(data)
    cipher: tuple[str | None, int | None] = (None, None)
    for element in root.iter(_q("manifest", "algorithm")):
        name = element.get(_q("manifest", "algorithm-name"), "")
        cipher = _ALGORITHMS.get(name, (name or None, None))
        break
    raise NotExamined(
        Reason.ENCRYPTED,
        "password-protected OpenDocument file; no decryption is attempted",
        encrypted=True,
        cipher=cipher[0],
        key_bits=cipher[1],
    )


class _Reader:
    """Streams content.xml and builds the parts, keeping only the current paragraph/row/table/page."""

    def __init__(self, ctx: ExtractContext) -> None:
        self.budget = TextBudget(ctx.settings.max_text_chars)
        self.max_pages = ctx.settings.max_pages
        self.parts: list[Part] = []
        self.body: list[str] = []
        self.kind = "text"

    def read(self, content: IO[bytes]) -> list[Part]:
        tables: list[dict[str, Any]] = []  # the open tables (nested tables in text documents)
        page: dict[str, Any] | None = None
        pages = 0
        notes_depth = 0
        paragraph_depth = 0
        for event, element in SafeET.iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _q("office", "spreadsheet"):
                    self.kind = "sheet"
                elif tag == _q("office", "presentation"):
                    self.kind = "slide"
                elif tag == _TABLE:
                    tables.append({"name": element.get(_q("table", "name"), ""), "rows": []})
                elif tag == _PAGE:
                    pages += 1
                    page = {"number": pages, "text": [], "notes": []}
                elif tag == _NOTES:
                    notes_depth += 1
                elif tag in _P:
                    paragraph_depth += 1
                continue
            # end events
            if tag in _P:
                paragraph_depth -= 1
                if paragraph_depth == 0:
                    text = _paragraph_text(element).strip()
                    # Paragraphs in table cells are read with their row, so they are not cleared here.
                    if not tables:
                        if text and page is not None:
                            (page["notes"] if notes_depth else page["text"]).append(text)
                        elif text:
                            self.body.append(text)
                        element.clear()
            elif tag in _CELLS and tables:
                pass  # read with its row
            elif tag == _ROW and tables:
                row = _row(element)
                repeat = min(_int(element.get(_REPEAT_ROWS)), _MAX_REPEAT) if any(row) else 1
                if any(row):
                    tables[-1]["rows"].extend([row] * repeat)
                element.clear()
            elif tag == _TABLE and tables:
                table = tables.pop()
                self._table(table, page)
                element.clear()
            elif tag == _NOTES:
                notes_depth -= 1
            elif tag == _PAGE and page is not None:
                self._page(page)
                page = None
                element.clear()
            if self.budget.exhausted or pages > self.max_pages:
                break
        if self.body:
            self.parts.insert(0, Part(locator="body", text=self.budget.take("\n".join(self.body))))
        return self.parts

    def _table(self, table: dict[str, Any], page: dict[str, Any] | None) -> None:
        rows: list[tuple[str, ...]] = table["rows"]
        if not rows:
            return
        width = max(len(row) for row in rows)
        rows = [row + ("",) * (width - len(row)) for row in rows]
        if self.kind == "sheet":
            locator = f"sheet {table['name']}".rstrip()
        elif page is not None:
            locator = f"slide {page['number']} table {sum(p.rows is not None for p in self.parts) + 1}"
        else:
            locator = f"table {sum(p.rows is not None for p in self.parts) + 1}"
        self.parts.append(
            Part(
                locator=locator,
                text=self.budget.take(rows_to_text(rows)),
                rows=tuple(rows),
                has_header=guess_header(rows),
            )  # fmt: skip
        )

    def _page(self, page: dict[str, Any]) -> None:
        if page["text"]:
            self.parts.append(Part(locator=f"slide {page['number']}", text=self.budget.take("\n".join(page["text"]))))
        if page["notes"]:
            self.parts.append(
                Part(locator=f"slide {page['number']} notes", text=self.budget.take("\n".join(page["notes"])))
            )


def _row(element: Any) -> tuple[str, ...]:
    """A table row's cells as text, with repeated cells expanded (bounded) and trailing blanks dropped."""
    cells: list[str] = []
    for cell in element:
        if cell.tag not in _CELLS:
            continue
        text = "\n".join(t for p in cell.iter() if p.tag in _P and (t := _paragraph_text(p).strip()))
        repeat = min(_int(cell.get(_REPEAT_COLS)), _MAX_REPEAT) if text else min(_int(cell.get(_REPEAT_COLS)), 1)
        cells.extend([text] * repeat)
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _paragraph_text(element: Any) -> str:
    """The text of a paragraph with its spans, links, spaces (text:s), tabs and line breaks."""
    pieces: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if child.tag == _SPACE:
                pieces.append(" " * min(_int(child.get(_SPACE_COUNT)), 100))
            elif child.tag == _TAB:
                pieces.append("\t")
            elif child.tag == _BREAK:
                pieces.append("\n")
            elif child.tag not in _P:
                walk(child)
            elif child.tag in _P:
                # A paragraph inside a paragraph (a note's body, a frame's caption): its own line.
                pieces.append("\n" + _paragraph_text(child) + "\n")
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return "".join(pieces)


def _int(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1
