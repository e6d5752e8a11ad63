"""PDF documents: the text layer page by page, with encrypted files opened by configured passwords."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from dlp.errors import ItemError, NotExamined
from dlp.extract._common import TextBudget, open_binary, parsing
from dlp.extract.base import ExtractContext, Extractor
from dlp.extract.ocr import ocr_enabled, ocr_pdf_pages
from dlp.types import Document, Item, Part, Reason

log = logging.getLogger(__name__)

# pypdf logs warnings and errors for every oddity it repairs in a malformed file ("advanced encoding
# not implemented"); a share of scanned forms would flood the worker's log with them, and the file's
# fate is reported through its status anyway.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


class PdfExtractor(Extractor):
    """Reads the text layer of PDFs with pypdf: one ``page N`` part per page that has text.

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
    abstract: ClassVar[bool] = False

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Text of each page, up to ``max_pages`` pages and ``max_text_chars`` characters."""
        with open_binary(item) as stream, parsing("PDF"):
            reader = PdfReader(stream, strict=False)
            cipher: str | None = None
            key_bits: int | None = None
            needed_password = False
            if reader.is_encrypted:
                cipher, key_bits = _cipher(reader)
                needed_password = _unlock(reader, ctx.passwords, cipher, key_bits)
            return self._read_pages(reader, ctx, needed_password, cipher, key_bits, item)

    def _read_pages(
        self,
        reader: PdfReader,
        ctx: ExtractContext,
        encrypted: bool,
        cipher: str | None,
        key_bits: int | None,
        item: Item | None = None,
    ) -> Document:
        budget = TextBudget(ctx.settings.max_text_chars)
        total = len(reader.pages)
        parts: list[Part] = []
        untexted = 0
        blank: list[int] = []
        failed = 0
        limit = min(total, ctx.settings.max_pages)
        for index in range(limit):
            if budget.exhausted:
                break
            try:
                text = reader.pages[index].extract_text() or ""
            except (ItemError, MemoryError):
                raise
            except Exception as exc:  # noqa: BLE001 - one broken content stream must not lose the file
                log.debug("PDF page %d unreadable: %s", index + 1, type(exc).__name__)
                failed += 1
                untexted += 1
                continue
            text = text.strip()
            if not text:
                untexted += 1
                blank.append(index + 1)
                continue
            parts.append(Part(locator=f"page {index + 1}", text=budget.take(text)))
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


def _unlock(reader: PdfReader, passwords: tuple[str, ...], cipher: str | None, key_bits: int | None) -> bool:
    """Decrypt the reader in place; return whether a non-empty password was needed.

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
            return number > 0
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
