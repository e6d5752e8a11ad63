"""Images (PNG, JPEG, TIFF, GIF) through OCR, and the OCR of text-less PDF pages.

OCR is off by default (``[extract] ocr = false``): it is slow (seconds per page) and needs Debian's
``tesseract-ocr`` and ``tesseract-ocr-eng`` packages. When it is off, an image yields a Document with
no parts and ``untexted_pages`` set to its page count (1, or the frames of a multi-page TIFF), rather
than ``NotExamined(unsupported)``: the item is handled as designed, and the run summary counts the
pages no one read, exactly as it does for scanned PDF pages.

When it is on, ``tesseract`` runs as a subprocess (no pytesseract: it would only wrap the same call)
with a time limit, on a copy in a private temporary folder. Pillow reads the image header first to
refuse decompression bombs (more than ``MAX_PIXELS``) before Tesseract decodes anything. PDF pages
are rendered by ``pdftoppm`` (Debian's poppler-utils) at 300 dpi, then OCRed (see ``ocr_pdf_pages``).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
from typing import ClassVar

from dlp.errors import ItemError, NotExamined
from dlp.extract._common import TextBudget, open_binary, parsing
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part, Reason

log = logging.getLogger(__name__)

# Per-call limit of tesseract and pdftoppm: a page takes a few seconds; a minute means a stuck tool.
TOOL_TIMEOUT = 120
# 100 megapixels: a letter page scanned at 600 dpi is 34 Mpx. Larger is a decompression bomb.
MAX_PIXELS = 100_000_000
_DPI = "300"


def ocr_enabled(ctx: ExtractContext) -> bool:
    """Whether ``[extract] ocr`` is on (read defensively: settings objects from older configs lack it)."""
    return bool(getattr(ctx.settings, "ocr", False))


def tesseract_available() -> bool:
    """Whether the tesseract binary is installed."""
    return shutil.which("tesseract") is not None


class ImageExtractor(Extractor):
    """Text of an image by OCR when ``[extract] ocr`` is on; otherwise only counted as untexted."""

    name: ClassVar[str] = "image"
    media_types: ClassVar[tuple[str, ...]] = ("image/png", "image/jpeg", "image/tiff", "image/gif")
    extensions: ClassVar[tuple[str, ...]] = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """``image (OCR)`` or ``page N (OCR)`` parts; with OCR off, no parts and the page count."""
        with open_binary(item) as stream:
            data = stream.read()
        pages = _frames(data, ctx.settings.max_pages)
        if not ocr_enabled(ctx):
            return Document(media_type=self.media_types[0], untexted_pages=pages)
        if not tesseract_available():
            raise NotExamined(Reason.UNSUPPORTED, "OCR is on but tesseract is not installed")
        with tempfile.TemporaryDirectory(prefix="dlp-ocr-") as folder:
            path = os.path.join(folder, "image")
            with open(path, "wb") as handle:
                handle.write(data)
            text = run_tesseract(path)
        if text is None:
            raise NotExamined(Reason.UNSUPPORTED, "tesseract could not read the image")
        budget = TextBudget(ctx.settings.max_text_chars)
        # Tesseract separates the pages of a multi-page TIFF with form feeds.
        texts = [t.strip() for t in text.split("\f")]
        parts: list[Part] = []
        untexted = 0
        for number, page_text in enumerate(texts[:pages], start=1):
            if not page_text:
                untexted += 1
                continue
            locator = "image (OCR)" if pages == 1 else f"page {number} (OCR)"
            parts.append(Part(locator=locator, text=budget.take(page_text)))
        return Document(media_type=self.media_types[0], parts=tuple(parts), untexted_pages=untexted)


def _frames(data: bytes, max_pages: int) -> int:
    """The image's page count, after checking its size; broken headers raise ItemError(CORRUPT)."""
    from PIL import Image

    try:
        probe = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise NotExamined(Reason.BOMB, "image dimensions over Pillow's decompression-bomb limit") from exc
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds of errors on broken headers
        raise ItemError(Reason.CORRUPT, f"malformed image ({type(exc).__name__})") from exc
    with parsing("image"), probe as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise NotExamined(Reason.BOMB, f"image of {width}x{height} pixels")
            frames = int(getattr(image, "n_frames", 1) or 1) if image.format == "TIFF" else 1
    return max(1, min(frames, max_pages))


def run_tesseract(path: str, timeout: float = TOOL_TIMEOUT) -> str | None:
    """Tesseract's text for an image file (all pages), or None when it fails or times out."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed tool, our own temporary path
            ["tesseract", path, "stdout", "-l", "eng", "--psm", "3"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            cwd=os.path.dirname(path),
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        log.debug("tesseract failed: %s", type(exc).__name__)
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace")


def ocr_pdf_pages(pdf: bytes, pages: list[int], timeout: float = TOOL_TIMEOUT) -> dict[int, str]:
    """OCR text of the given 1-based pages of a PDF: rendered by pdftoppm, read by tesseract.

    Pages that cannot be rendered or read are missing from the result. Needs poppler-utils and
    tesseract; returns {} when either is missing.
    """
    if not pages or shutil.which("pdftoppm") is None or not tesseract_available():
        return {}
    out: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="dlp-ocr-") as folder:
        source = os.path.join(folder, "doc.pdf")
        with open(source, "wb") as handle:
            handle.write(pdf)
        for page in pages:
            prefix = os.path.join(folder, f"p{page}")
            try:
                subprocess.run(  # noqa: S603 - fixed tool, our own temporary paths
                    ["pdftoppm", "-r", _DPI, "-gray", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                     source, prefix],
                    stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=True,
                )  # fmt: skip
            except (subprocess.TimeoutExpired, subprocess.CalledProcessError, OSError) as exc:
                log.debug("pdftoppm failed on page %d: %s", page, type(exc).__name__)
                continue
            text = run_tesseract(prefix + ".png", timeout)
            if text and text.strip():
                out[page] = text.strip()
            os.unlink(prefix + ".png")
    return out
