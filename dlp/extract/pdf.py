"""PDF documents: the text layer page by page, tables rebuilt from text positions, encrypted files
opened by configured passwords."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import IO, Any, ClassVar

from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from dlp.errors import ItemError, NotExamined
from dlp.extract._common import TextBudget, guess_header, open_binary, parsing, rows_to_text
from dlp.extract._pdf_layout import Block, Glyph, ShowPoints, is_form, page_lines, split_blocks
from dlp.extract.base import ExtractContext, Extractor
from dlp.extract.ocr import ocr_enabled, ocr_pdf_pages
from dlp.types import Document, Item, Part, Reason

log = logging.getLogger(__name__)

# Reading a page's glyph positions costs about one and a half times its pypdf text extraction, and only
# pages whose text starts line up in columns pay it; past this many such pages in one file the rest are
# read as plain text, so that a huge report cannot run the item past its time limit.
MAX_LAYOUT_PAGES = 500
# The positioned reading replaces pypdf's text of a page only when it saw as many visible characters:
# a font pdfminer cannot map to Unicode, or text it skips (rotated, vertical), must not lose words.
_LAYOUT_COVERAGE = 0.95

# pypdf logs warnings and errors for every oddity it repairs in a malformed file ("advanced encoding
# not implemented"); a share of scanned forms would flood the worker's log with them, and the file's
# fate is reported through its status anyway.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)
# pdfminer logs every operator at debug level and every repaired oddity as a warning.
logging.getLogger("pdfminer").setLevel(logging.CRITICAL)


class PdfExtractor(Extractor):
    """Reads the text layer of PDFs: one ``page N`` part per page that has text, tables apart.

    The text of each page comes from pypdf. A page whose text is drawn at x positions that line up
    across lines (the mark of a report table; see :class:`~dlp.extract._pdf_layout.ShowPoints`) is
    read a second time with pdfminer.six for the position of every glyph, and its lines are cut into
    cells and columns (:mod:`dlp.extract._pdf_layout`). Each table found becomes a part
    ``page N table M`` with ``rows`` (``text`` is ``rows_to_text(rows)``); the page's other lines
    (titles, "Report date ..." banners, footers, paragraphs) stay in the ``page N`` part. Title lines
    are therefore never rows: a table part starts at its first line of cells, usually its header. A
    form (a column of labels ending in ":" beside their values) is a table part without a header.

    A table that goes on over pages: when a page's first table has the columns of the previous page's
    last table and no header of its own (the writer printed the header on the first page only), the
    previous header is put before its rows, so that each page's part is typed by the same column
    names; a header the writer repeats on every page is read as it is.

    Pages without text (scans, images) are counted in ``Document.untexted_pages``, as are pages past
    ``max_pages``, which are not read: both are text the scan did not see.
    An encrypted PDF is opened with the empty password (owner-password-only files, which anyone can
    read) or one of the configured passwords; otherwise it is not examined, reason ``encrypted``.
    ``Document.encrypted`` is true only when a real password was needed, the sense a pre-send check
    cares about; ``cipher``/``key_bits`` describe any encryption dictionary the file has.
    """

    name: ClassVar[str] = "pdf"
    media_types: ClassVar[tuple[str, ...]] = ("application/pdf", "application/x-pdf")
    extensions: ClassVar[tuple[str, ...]] = (".pdf",)

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Text of each page, up to ``max_pages`` pages and ``max_text_chars`` characters."""
        with open_binary(item) as stream, parsing("PDF"):
            reader = PdfReader(stream, strict=False)
            cipher: str | None = None
            key_bits: int | None = None
            password = ""
            if reader.is_encrypted:
                cipher, key_bits = _cipher(reader)
                password = _unlock(reader, ctx.passwords, cipher, key_bits)
            with _Glyphs(item, password) as glyphs:
                return self._read_pages(reader, ctx, bool(password), cipher, key_bits, item, glyphs)

    def _read_pages(
        self,
        reader: PdfReader,
        ctx: ExtractContext,
        encrypted: bool,
        cipher: str | None,
        key_bits: int | None,
        item: Item | None = None,
        glyphs: _Glyphs | None = None,
    ) -> Document:
        budget = TextBudget(ctx.settings.max_text_chars)
        total = len(reader.pages)
        parts: list[Part] = []
        untexted = 0
        blank: list[int] = []
        failed = 0
        limit = min(total, ctx.settings.max_pages)
        layout_left = MAX_LAYOUT_PAGES
        carried: _Carried | None = None  # the last table of the previous page, for a table going on
        for index in range(limit):
            if budget.exhausted:
                break
            points = ShowPoints()
            try:
                text = reader.pages[index].extract_text(visitor_operand_before=points) or ""
            except (ItemError, MemoryError):
                raise
            except Exception as exc:  # noqa: BLE001 - one broken content stream must not lose the file
                log.debug("PDF page %d unreadable: %s", index + 1, type(exc).__name__)
                failed += 1
                untexted += 1
                carried = None
                continue
            text = text.strip()
            if not text:
                untexted += 1
                blank.append(index + 1)
                carried = None
                continue
            blocks = None
            if glyphs is not None and layout_left > 0 and points.tabular():
                layout_left -= 1
                blocks = glyphs.blocks(index, _visible(text))
            if blocks is None:
                parts.append(Part(locator=f"page {index + 1}", text=budget.take(text)))
                carried = None
                continue
            page_parts, carried = _layout_parts(index + 1, blocks, carried, budget)
            parts += page_parts
        if limit and failed == limit:
            raise ItemError(Reason.CORRUPT, "no PDF page could be read")
        untexted += total - limit
        if blank and item is not None and ocr_enabled(ctx) and not reader.is_encrypted:
            # OCR of scanned pages (``[extract] ocr``); encrypted files are not handed to the tools.
            ocred = ocr_pdf_pages(item.read(), blank)
            parts += [Part(locator=f"page {n} (OCR)", text=budget.take(t)) for n, t in ocred.items()]
            parts.sort(key=lambda p: int(p.locator.split()[1]))
            untexted -= len(ocred)
        return Document(
            media_type=self.media_types[0],
            parts=tuple(parts),
            encrypted=encrypted,
            cipher=cipher,
            key_bits=key_bits,
            untexted_pages=untexted,
        )


class _Carried:
    """The last table of a page: its header row and column spans, for a table going on overleaf."""

    __slots__ = ("header", "spans")

    def __init__(self, header: tuple[str, ...], spans: tuple[tuple[float, float], ...]) -> None:
        self.header = header
        self.spans = spans

    def continues(self, block: Block) -> bool:
        """Whether ``block`` looks like the next page of this table, printed without its header."""
        assert block.rows is not None
        if len(block.spans) != len(self.spans) or block.rows[0] == self.header or guess_header(block.rows):
            return False
        return all(min(a[1], b[1]) > max(a[0], b[0]) for a, b in zip(self.spans, block.spans, strict=True))


def _layout_parts(
    page: int, blocks: Sequence[Block], carried: _Carried | None, budget: TextBudget
) -> tuple[list[Part], _Carried | None]:
    """The parts of one page read by positions: its text lines as ``page N``, each table apart.

    Returns the parts and what the next page needs to carry this page's last table on.
    """
    text = "\n".join(block.text for block in blocks if block.rows is None).strip()
    parts = [Part(locator=f"page {page}", text=budget.take(text))] if text else []
    number = 0
    last: _Carried | None = None
    for block in blocks:
        if block.rows is None or budget.exhausted:
            continue
        rows = block.rows
        if number == 0 and carried is not None and carried.continues(block):
            rows = (carried.header, *rows)
        rows = _within_budget(rows, budget)
        if not rows:
            break
        number += 1
        has_header = guess_header(rows) and not is_form(rows)
        parts.append(Part(locator=f"page {page} table {number}", text=rows_to_text(rows), rows=rows,
                          has_header=has_header))
        last = _Carried(rows[0], block.spans) if has_header else None
    return parts, last


def _within_budget(rows: Sequence[tuple[str, ...]], budget: TextBudget) -> tuple[tuple[str, ...], ...]:
    """The leading rows whose text the budget still allows (the budget is charged for them)."""
    kept = 0
    for row in rows:
        length = len(rows_to_text((row,))) + 1  # the newline that joins it to the next row
        if len(budget.take(" " * length)) < length:
            break
        kept += 1
    return tuple(rows[:kept])


def _visible(text: str) -> int:
    """How many characters of ``text`` are not white space."""
    return len(text) - sum(text.count(ch) for ch in " \n\t\r")


class _GlyphDevice(PDFTextDevice):
    """A pdfminer device that keeps each upright glyph's box and text, nothing more.

    pdfminer's own layout objects cost more than the interpretation itself; this keeps a
    :class:`~dlp.extract._pdf_layout.Glyph` per visible character and counts the ones it cannot place
    (rotated or vertical text, codes without a Unicode mapping), which the caller weighs.
    """

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.glyphs: list[Glyph] = []
        self.unplaced = 0

    def render_char(
        self,
        matrix: tuple[float, float, float, float, float, float],
        font: PDFFont,
        fontsize: float,
        scaling: float,
        rise: float,
        cid: int,
        ncs: Any,
        graphicstate: Any,
    ) -> float:
        """Note one glyph; return its advance as pdfminer's interpreter expects."""
        advance = float(font.char_width(cid) * fontsize * scaling)
        a, b, c, d, e, f = matrix
        if b or c or a <= 0 or d <= 0 or scaling <= 0 or font.is_vertical():
            self.unplaced += 1
            return advance
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            self.unplaced += 1
            return advance
        self.glyphs.append(Glyph(text, e, e + a * advance, f + d * rise, d * fontsize, len(self.glyphs)))
        return advance


class _Glyphs:
    """The item opened a second time, with pdfminer, for the glyph positions of chosen pages.

    Opened on the first request only; pages are asked for in increasing order, so one pass over the
    page tree serves them all. Any failure of pdfminer (a file pypdf repairs and pdfminer cannot read)
    leaves the page to pypdf's text.
    """

    def __init__(self, item: Item, password: str) -> None:
        self._item = item
        self._password = password
        self._stream: IO[bytes] | None = None
        self._pages: Iterator[PDFPage] | None = None
        self._next = 0
        self._broken = False
        self._device: _GlyphDevice | None = None
        self._interpreter: PDFPageInterpreter | None = None

    def __enter__(self) -> _Glyphs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stream is not None:
            self._stream.close()

    def blocks(self, index: int, visible: int) -> list[Block] | None:
        """The text and table blocks of page ``index`` (0-based), or None to keep pypdf's text.

        None also when the page has no table, when pdfminer saw fewer visible characters than pypdf
        did (``visible``), or when pdfminer fails.
        """
        if self._broken:
            return None
        try:
            glyphs = self._page_glyphs(index)
        except (ItemError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - pdfminer on hostile bytes raises anything; pypdf's text stands
            log.debug("PDF page %d: no glyph positions (%s)", index + 1, type(exc).__name__)
            self._broken = True
            return None
        if glyphs is None:
            return None
        seen = sum(1 for glyph in glyphs if not glyph.text.isspace())
        if seen < visible * _LAYOUT_COVERAGE:
            return None
        blocks = split_blocks(page_lines(glyphs))
        return blocks if any(block.rows is not None for block in blocks) else None

    def _page_glyphs(self, index: int) -> list[Glyph] | None:
        if self._pages is None:
            self._stream = open_binary(self._item)
            document = PDFDocument(PDFParser(self._stream), password=self._password)
            resources = PDFResourceManager(caching=True)
            self._device = _GlyphDevice(resources)
            self._interpreter = PDFPageInterpreter(resources, self._device)
            self._pages = iter(PDFPage.create_pages(document))
        assert self._device is not None and self._interpreter is not None
        page: PDFPage | None = None
        while self._next <= index:
            page = next(self._pages, None)
            self._next += 1
            if page is None:
                self._broken = True  # pdfminer sees fewer pages than pypdf: the trees disagree
                return None
        if page is None:
            return None
        self._device.glyphs = []
        self._device.unplaced = 0
        self._interpreter.process_page(page)
        return self._device.glyphs


def _unlock(reader: PdfReader, passwords: tuple[str, ...], cipher: str | None, key_bits: int | None) -> str:
    """Decrypt the reader in place; return the password that opened it ("" when none was needed).

    Raises:
        NotExamined: reason ``encrypted`` when no password opens it (or its cipher is unsupported).
    """
    for number, password in enumerate(("", *passwords)):
        try:
            result = reader.decrypt(password)
        except (DependencyError, NotImplementedError) as exc:
            raise NotExamined(
                Reason.ENCRYPTED,
                f"PDF encryption not supported ({type(exc).__name__})",
                encrypted=True,
                cipher=cipher,
                key_bits=key_bits,
            ) from exc
        if result != PasswordType.NOT_DECRYPTED:
            return password if number > 0 else ""
    raise NotExamined(
        Reason.ENCRYPTED,
        "PDF is password-protected and no configured password opens it",
        encrypted=True,
        cipher=cipher,
        key_bits=key_bits,
    )


def _cipher(reader: PdfReader) -> tuple[str | None, int | None]:
    """The cipher and key length named by the encryption dictionary (PDF 32000 table 20)."""
    try:
        encrypt: Any = reader.trailer["/Encrypt"].get_object()
        version = int(encrypt.get("/V", 0))
        if version >= 5:
            return "AES-256", 256
        if version == 4:
            filters = encrypt.get("/CF", {})
            method = str(filters.get(encrypt.get("/StmF", "/StdCF"), {}).get("/CFM", "/V2"))
            return ("AES-128", 128) if method == "/AESV2" else ("RC4", 128)
        if version in (2, 3):
            return "RC4", int(encrypt.get("/Length", 40))
        return "RC4", 40
    except (KeyError, ValueError, TypeError, AttributeError):
        return None, None
