"""Word documents: body, tables, headers and footers; broken and bomb packages."""

from __future__ import annotations

import io
import zipfile

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason
from tests.extract.conftest import FILES, part, text_of

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _package(
    document_xml: str, extra: dict[str, str | bytes | None] | None = None, *, main_type: str = MAIN
) -> bytes:
    """A minimal .docx around a hand-written body; ``extra`` adds members, replaces them or (None) drops them."""
    members: dict[str, str | bytes | None] = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'
        ),
        "_rels/.rels": _rels(("rId1", "officeDocument", "word/document.xml", "")),
        "word/document.xml": (
            f'<?xml version="1.0"?><w:document {W} xmlns:r="{R}"><w:body>{document_xml}</w:body></w:document>'
        ),
    }
    members.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if data is not None:
                archive.writestr(name, data)
    return buffer.getvalue()


def _rels(*rels: tuple[str, str, str, str]) -> str:
    """A relationships part: (Id, last segment of the type, Target, TargetMode or "")."""
    body = "".join(
        f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for rid, kind, target, mode in rels
    )
    return (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    )


def _side(tag: str, text: str) -> str:
    """A header, footer or notes part holding one paragraph."""
    return f'<?xml version="1.0"?><w:{tag} {W}><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{tag}>'


BODY = "<w:p><w:r><w:t>Student ID 1012345678</w:t></w:r></w:p>"


def test_body_paragraphs_are_read_in_order_with_runs_joined(extract):
    body = part(extract("iep_notes.docx"), "body").text.split("\n")
    assert body == [
        "Team meeting notes",
        "Student: Jordan Alvarez, date of birth 2011-03-14.",
        "SSN 523-47-1186 confirmed with guardian.",
        "Next review in June.",
    ]


def test_a_table_becomes_a_part_with_rows_and_a_header(extract):
    table = part(extract("iep_notes.docx"), "table 1")
    assert table.rows[0] == ("Student Name", "SASID", "Guardian Phone")
    assert table.rows[2] == ("Priya Natarajan", "1023456789", "617-555-0178")
    assert table.has_header is True
    assert "Marcus O'Neill | 1034567890 | 617-555-0131" in table.text


def test_header_and_footer_are_their_own_parts(extract):
    document = extract("iep_notes.docx")
    assert part(document, "header").text == "CONFIDENTIAL - Student Services - SASID 1012345678"
    assert part(document, "footer").text == "Prepared by Dana Whitfield, 617-555-0190"


def test_content_controls_and_text_boxes_are_not_skipped(extract):
    xml = (
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>Control: 1012345678</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>Anchor</w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r>"
        "<w:t>Box: 523-47-1186</w:t></w:r></w:p></w:txbxContent></w:pict></w:r></w:p>"
    )
    body = part(extract("form.docx", _package(xml)), "body").text.split("\n")
    assert body == ["Control: 1012345678", "Anchor", "Box: 523-47-1186"]


def test_a_truncated_document_is_corrupt(extract):
    with pytest.raises(ItemError) as caught:
        extract("truncated.docx")
    assert caught.value.reason is Reason.CORRUPT


def test_a_zip_without_a_word_document_is_corrupt(extract):
    data = (FILES / "members.zip").read_bytes()
    with pytest.raises(ItemError) as caught:
        extract("renamed.docx", data)
    assert caught.value.reason is Reason.CORRUPT


def test_a_package_that_would_inflate_past_the_limit_is_a_bomb_and_not_parsed(extract):
    data = _package("<w:p><w:r><w:t>x</w:t></w:r></w:p>", {"word/media/padding.bin": b"\0" * (3 << 20)})
    with pytest.raises(NotExamined) as caught:
        extract("bomb.docx", data, max_expanded_bytes=1 << 20)
    assert caught.value.reason is Reason.BOMB


def test_everything_is_in_the_text(extract):
    text = text_of(extract("iep_notes.docx"))
    for value in ("523-47-1186", "1012345678", "617-555-0131", "617-555-0190"):
        assert value in text


@pytest.mark.parametrize(
    "main_type",
    [
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    ],
)
def test_macro_enabled_documents_and_templates_are_read_like_documents(extract, main_type):
    document = extract("minutes.docm", _package(BODY, main_type=main_type))
    assert part(document, "body").text == "Student ID 1012345678"


def test_a_main_part_of_another_kind_is_corrupt(extract):
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    with pytest.raises(ItemError) as caught:
        extract("sheet.docx", _package(BODY, main_type=sheet))
    assert caught.value.reason is Reason.CORRUPT


def test_side_parts_are_found_through_relative_and_absolute_targets(extract):
    rels = _rels(
        ("rId1", "header", "header1.xml", ""),
        ("rId2", "footer", "/word/footer1.xml", ""),
        ("rId3", "footnotes", "../word/notes/footnotes.xml", ""),
    )
    data = _package(
        BODY,
        {
            "word/_rels/document.xml.rels": rels,
            "word/header1.xml": _side("hdr", "Header for Ana Exampleton"),
            "word/footer1.xml": _side("ftr", "Footer 617-555-0142"),
            "word/notes/footnotes.xml": _side("footnotes", "Note SSN 523-47-1186"),
        },
    )
    document = extract("letter.docx", data)
    assert part(document, "header").text == "Header for Ana Exampleton"
    assert part(document, "footer").text == "Footer 617-555-0142"
    assert part(document, "footnotes").text == "Note SSN 523-47-1186"


def test_a_header_shared_by_sections_is_read_once(extract):
    rels = _rels(("rId1", "header", "header1.xml", ""), ("rId2", "header", "./header1.xml", ""))
    data = _package(BODY, {"word/_rels/document.xml.rels": rels, "word/header1.xml": _side("hdr", "Shared")})
    assert part(extract("sections.docx", data), "header").text == "Shared"


def test_external_relationships_are_ignored(extract):
    rels = _rels(
        ("rId1", "hyperlink", "https://portal.example.org/records?id=1012345678", "External"),
        ("rId2", "header", "https://intranet.example.com/header.xml", "External"),
    )
    xml = '<w:p><w:hyperlink r:id="rId1"><w:r><w:t>Records portal</w:t></w:r></w:hyperlink></w:p>'
    document = extract("links.docx", _package(xml, {"word/_rels/document.xml.rels": rels}))
    assert [p.locator for p in document.parts] == ["body"]
    assert part(document, "body").text == "Records portal"


@pytest.mark.parametrize(
    "change",
    [
        {"word/document.xml": None},  # the main part is missing
        {"_rels/.rels": None},  # nothing says which part is the main one
        {"_rels/.rels": _rels(("rId1", "officeDocument", "word/other.xml", ""))},
        {"_rels/.rels": _rels(("rId1", "officeDocument", "https://example.com/d.xml", "External"))},
        {"[Content_Types].xml": None},
        {"word/document.xml": f"<w:document {W}/>"},  # no body
        {"word/document.xml": f"<w:hdr {W}><w:body/></w:hdr>"},  # not a document
        {"word/document.xml": b"<w:document"},  # not well-formed
    ],
)
def test_a_package_without_a_readable_main_part_is_corrupt(extract, change):
    with pytest.raises(ItemError) as caught:
        extract("broken.docx", _package(BODY, change))
    assert caught.value.reason is Reason.CORRUPT
    assert not isinstance(caught.value, NotExamined)


def test_a_malformed_side_part_is_corrupt(extract):
    rels = _rels(("rId1", "header", "header1.xml", ""))
    data = _package(BODY, {"word/_rels/document.xml.rels": rels, "word/header1.xml": b"<w:hdr"})
    with pytest.raises(ItemError) as caught:
        extract("broken.docx", data)
    assert caught.value.reason is Reason.CORRUPT


def test_parts_the_text_does_not_come_from_are_not_read(extract):
    # A damaged style sheet or image made python-docx reject the whole package; only the parts that
    # hold text are read now. A header relationship to a missing part leaves the rest readable.
    rels = _rels(
        ("rId1", "styles", "styles.xml", ""),
        ("rId2", "image", "media/image1.png", ""),
        ("rId3", "header", "header9.xml", ""),
    )
    data = _package(
        BODY, {"word/_rels/document.xml.rels": rels, "word/styles.xml": b"<w:styles", "word/media/image1.png": b"x"}
    )
    document = extract("damaged.docx", data)
    assert [p.locator for p in document.parts] == ["body"]


def test_entities_in_a_part_are_not_expanded(extract, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SSN 523-47-1186")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&xxe;Kept</w:t></w:r></w:p></w:body></w:document>"
    )
    document = extract("xxe.docx", _package(BODY, {"word/document.xml": xml}))
    assert "523-47-1186" not in text_of(document)
