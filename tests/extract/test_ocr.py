"""Images and scanned PDF pages: counted when OCR is off, read by Tesseract when it is on."""

from __future__ import annotations

import shutil

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason
from tests.extract.conftest import FILES, part
from tests.fixtures.make_fixtures import minimal_pdf

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm is not installed (apt-get install poppler-utils)"
)


def test_with_ocr_off_an_image_is_counted_as_an_untexted_page(extract):
    document = extract("scan.png")
    assert (document.parts, document.untexted_pages) == ((), 1)


def test_with_ocr_off_a_multipage_tiff_counts_its_pages(extract):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    frames = [Image.new("L", (50, 50), 255) for _ in range(3)]
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    assert extract("fax.tif", buffer.getvalue()).untexted_pages == 3


@needs_tesseract
def test_with_ocr_on_the_image_text_is_read(extract):
    text = part(extract("scan.png", ocr=True), "image (OCR)").text
    assert "Jordan Alvarez" in text and "523-47-1186" in text


def test_a_pixel_bomb_is_refused_before_decoding(extract):
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0))
    png = b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    with pytest.raises(NotExamined) as caught:
        extract("huge.png", png)
    assert caught.value.reason is Reason.BOMB


def test_a_broken_image_is_corrupt(extract):
    with pytest.raises(ItemError) as caught:
        extract("broken.png", (FILES / "scan.png").read_bytes()[:40])
    assert caught.value.reason is Reason.CORRUPT


def test_a_pdf_page_without_text_is_counted_when_ocr_is_off(extract):
    document = extract("report.pdf")
    assert document.untexted_pages == 1


@needs_tesseract
@needs_poppler
def test_a_scanned_pdf_page_is_ocred_when_ocr_is_on(extract):
    # A page whose "scan" is an image: the PNG fixture placed on a PDF page, no text layer.
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.open(FILES / "scan.png").convert("RGB").save(buffer, format="PDF", resolution=150)
    scanned = buffer.getvalue()
    assert extract("scan.pdf", scanned).untexted_pages == 1
    document = extract("scan.pdf", scanned, ocr=True)
    assert document.untexted_pages == 0
    assert "523-47-1186" in part(document, "page 1 (OCR)").text
    # Pages with a text layer are not OCRed.
    assert [p.locator for p in extract("text.pdf", minimal_pdf([["SSN 523-47-1186"]]), ocr=True).parts] == ["page 1"]
