"""Everything a recipient sees is checked (issue 14, item 5): every header field, the display names, the
attachments' file names, and the headers of an attached message; ordinary headers stay quiet."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from dlp.presend.check import PresendChecker
from tests.presend.conftest import SASID_A, TODAY, mail, plain_zip

SSN = "512-48-7793"
PLANTED = f"Jordan Alvarez SSN {SSN}"


def with_header(raw: bytes, line: str) -> bytes:
    return line.encode() + b"\r\n" + raw


@pytest.mark.parametrize("raw, where", [
    (with_header(mail("ops@unknown-vendor.example", "See attached."), f"X-Employee: {PLANTED}"),
     "the header fields"),
    (with_header(mail("ops@unknown-vendor.example", "See attached."), f"Keywords: {PLANTED}"),
     "the header fields"),
    (mail(f'"{PLANTED}" <ops@unknown-vendor.example>', "Hello."), "the display names"),
    (mail("ops@unknown-vendor.example", "Files.",
          attachments=[(f"Alvarez_Jordan_SSN_{SSN}.txt", b"nothing here", "text/plain")]), "the file names"),
    (mail("ops@unknown-vendor.example", "Files.",
          attachments=[("a.zip", plain_zip([(f"Jordan Alvarez SSN {SSN}.txt", b"x")]), "application/zip")]),
     "attachment a.zip"),
], ids=["x-header", "keywords", "display name", "file name", "archive member name"])
def test_pi_outside_the_body_is_found(checker: PresendChecker, raw: bytes, where: str) -> None:
    verdict = checker.check(raw, today=TODAY)
    messages = " | ".join(f"{r.rule}: {r.message}" for r in verdict.reasons)
    assert verdict.verdict == "block", messages
    assert "unencrypted-93h" in {r.rule for r in verdict.reasons}
    assert where in messages
    assert SSN not in messages and "Alvarez" not in messages


def test_the_headers_of_an_attached_message_are_checked(checker: PresendChecker) -> None:
    inner = EmailMessage()
    inner["From"] = "office@district.example"
    inner["To"] = "counselor@district.example"
    inner["X-Student"] = f"Jordan Alvarez, SASID {SASID_A}, grade 5"
    inner["Subject"] = "Note"
    inner.set_content("Please see me.")
    outer = EmailMessage()
    outer["From"] = "d.whitfield@district.example"
    outer["To"] = "parent@gmail.com"
    outer["Subject"] = "Fwd"
    outer.set_content("Forwarding.")
    outer.add_attachment(inner)
    verdict = checker.check(bytes(outer), today=TODAY)
    assert verdict.verdict == "block"
    assert "personal-account" in {r.rule for r in verdict.reasons}


def test_an_ordinary_message_with_machine_headers_is_still_allowed(checker: PresendChecker) -> None:
    raw = mail("friend@gmail.com", "Lunch on Friday?", message_id="<CAH3x1034567891abcdefGHIJ@mail.example.com>")
    for line in (
        "Received: from mail.district.example (10.0.0.5) by mx.example.com with ESMTPS id 1034567891; "
        "Sat, 5 Dec 2026 10:00:00 +0000",
        "DKIM-Signature: v=1; a=rsa-sha256; d=district.example; s=s1; bh=1034567891abcdefABCDEF0123456789=; b=xyz",
        "X-Mailer: Mail 16.0 (3774.300.61)",
        "Thread-Index: AQHZ1034567891abcdefABCDEF0123456789==",
        "References: <1034567891.512487793@mail.example.com>",
        "X-Originating-IP: [10.20.30.40]",
    ):
        raw = with_header(raw, line)
    verdict = checker.check(raw, today=TODAY)
    assert verdict.verdict == "allow", verdict.reasons


def test_a_correspondents_own_name_in_a_display_name_is_not_pi(checker: PresendChecker) -> None:
    verdict = checker.check(mail("Maria Chen <maria.chen@gmail.com>", "Lunch on Friday?"), today=TODAY)
    assert verdict.verdict == "allow", verdict.reasons
