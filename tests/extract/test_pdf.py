"""PDF: the text layer per page, blank pages counted, encrypted files opened or reported."""

from __future__ import annotations

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason
from tests.extract.conftest import PASSWORD, part


def test_each_page_with_text_is_a_part_located_by_page_number(extract):
    document = extract("report.pdf")
    assert [p.locator for p in document.parts] == ["page 1", "page 2"]
    assert "Student: Jordan Alvarez" in part(document, "page 1").text
    assert "SSN on file: 523-47-1186" in part(document, "page 2").text


def test_a_page_without_a_text_layer_is_counted(extract):
    document = extract("report.pdf")
    assert document.untexted_pages == 1
    assert document.encrypted is False


def test_pages_past_max_pages_are_not_read_and_are_counted_as_untexted(extract):
    document = extract("report.pdf", max_pages=1)
    assert [p.locator for p in document.parts] == ["page 1"]
    assert document.untexted_pages == 2


def test_a_password_protected_pdf_without_a_password_is_not_examined_as_encrypted(extract):
    with pytest.raises(NotExamined) as caught:
        extract("report_protected.pdf", passwords=("wrong-one",))
    error = caught.value
    assert error.reason is Reason.ENCRYPTED
    assert error.encrypted is True
    assert (error.cipher, error.key_bits) == ("AES-256", 256)
    assert "wrong-one" not in str(error)


def test_a_configured_password_opens_the_protected_pdf(extract):
    document = extract("report_protected.pdf", passwords=("wrong-one", PASSWORD))
    assert "523-47-1186" in part(document, "page 2").text
    assert document.encrypted is True
    assert (document.cipher, document.key_bits) == ("AES-256", 256)


def test_an_owner_password_only_pdf_is_read_and_not_called_protected(extract):
    document = extract("report_owner_only.pdf")
    assert "Jordan Alvarez" in part(document, "page 1").text
    assert document.encrypted is False
    assert (document.cipher, document.key_bits) == ("AES-128", 128)


def test_a_corrupt_pdf_raises_item_error(extract):
    with pytest.raises(ItemError) as caught:
        extract("corrupt.pdf")
    assert caught.value.reason is Reason.CORRUPT


def test_the_text_budget_caps_the_pages_text(extract):
    document = extract("report.pdf", max_text_chars=30)
    assert sum(len(p.text) for p in document.parts) <= 30
