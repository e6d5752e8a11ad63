"""E-mail: headers and bodies as parts, attachments and attached messages as children."""

from __future__ import annotations

import email
import io
import zipfile
from email import policy
from email.message import EmailMessage

from dlp.types import Reason, Status
from tests.extract.conftest import FILES, part, text_of


def test_address_and_subject_headers_are_parts_named_after_the_header(extract):
    document = extract("roster_mail.eml")
    assert part(document, "header From").text == "Dana Whitfield <d.whitfield@example.org>"
    assert "ops@vendor.example.com" in part(document, "header To").text
    assert part(document, "header Cc").text == "Renée Dubois <r.dubois@example.org>"  # encoded word decoded
    assert part(document, "header Subject").text == "Roster for Jordan Alvarez (SASID 1012345678)"


def test_text_and_html_bodies_are_both_read_and_html_loses_its_script(extract):
    document = extract("roster_mail.eml")
    assert "Jordan Alvarez's SSN is 523-47-1186." in part(document, "body").text
    html = part(document, "html body").text
    assert "Jordan Alvarez's SSN is 523-47-1186." in html
    assert "SCRIPT-ONLY-TEXT" not in html and "<p>" not in html


def test_attachments_are_children_with_their_file_names_and_bytes(extract):
    children = {c.name: c for c in extract("roster_mail.eml").children}
    assert sorted(children) == ["members.zip", "roster.csv"]
    assert children["roster.csv"].data == (FILES / "roster.csv").read_bytes()
    with zipfile.ZipFile(io.BytesIO(children["members.zip"].data)) as archive:
        assert "roster.csv" in archive.namelist()
    assert all(c.status is None for c in children.values())


def test_an_attached_message_is_a_child_named_attachment_n_that_parses_as_mail(extract):
    children = extract("forward.eml").children
    assert [c.name for c in children] == ["attachment-1", "attachment-2"]
    inner = email.message_from_bytes(children[0].data, policy=policy.default)
    assert inner["Subject"] == "Roster for Jordan Alvarez (SASID 1012345678)"
    assert children[1].data == b"\x00\x01binary-blob"


def test_the_inner_message_is_not_read_into_the_outer_ones_text(extract):
    text = text_of(extract("forward.eml"))
    assert "523-47-1186" not in text  # it belongs to the child item
    assert "See the attached message." in text


def test_a_malformed_message_does_not_crash_and_keeps_the_mangled_address(extract):
    document = extract("malformed.eml")
    assert "jordan@@example..org" in part(document, "header To").text
    assert "523-47-1186" in part(document, "header Subject").text
    assert "SSN 523-47-1186" in part(document, "body").text
    assert len(document.children) == 1


def test_random_bytes_are_read_as_a_message_without_headers_rather_than_crashing(extract):
    document = extract("junk.eml", bytes(range(256)) * 8)
    assert document.media_type == "message/rfc822"


def test_two_attachments_with_the_same_name_get_distinct_names(extract):
    message = EmailMessage()
    message["Subject"] = "two rosters"
    message.set_content("see attached")
    for content in (b"first", b"second"):
        message.add_attachment(content, maintype="text", subtype="csv", filename="roster.csv")
    children = extract("dup.eml", bytes(message)).children
    assert [c.name for c in children] == ["roster.csv", "roster (2).csv"]
    assert [c.data for c in children] == [b"first", b"second"]


def test_attachments_past_max_members_are_not_examined(extract):
    message = EmailMessage()
    message.set_content("many files")
    for number in range(3):
        message.add_attachment(b"x", maintype="text", subtype="plain", filename=f"f{number}.txt")
    children = extract("many.eml", bytes(message), max_members=2).children
    assert [c.status for c in children] == [None, None, Status.NOT_EXAMINED]
    assert children[2].reason is Reason.TOO_MANY_MEMBERS and children[2].data is None


def test_an_smime_encrypted_message_is_marked_encrypted_and_its_blob_not_examined(extract):
    message = EmailMessage()
    message["Subject"] = "sealed"
    message.set_content(b"\x30\x82opaque", maintype="application", subtype="pkcs7-mime",
                        params={"smime-type": "enveloped-data"}, filename="smime.p7m")  # fmt: skip
    document = extract("sealed.eml", bytes(message))
    assert document.encrypted is True and document.cipher == "S/MIME"
    (child,) = document.children
    assert (child.name, child.status, child.reason) == ("smime.p7m", Status.NOT_EXAMINED, Reason.ENCRYPTED)
