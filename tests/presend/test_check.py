"""The pre-send check over a table of outbound messages: each rule, each authorization kind, and the ways PI
hides (Bcc, quoted replies, HTML-only bodies, archives, encryption)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from dlp.presend.check import PresendChecker
from tests.fixtures.make_fixtures import zipcrypto
from tests.presend.conftest import (
    DISTRICT_PASSWORD,
    MA_PI_TEXT,
    NOTICE,
    ROSTER_BODY,
    ROSTER_CSV,
    SASID_A,
    SASID_B,
    SPED_BODY,
    THIRD_STUDENT_BODY,
    TODAY,
    aes_zip,
    mail,
    plain_zip,
)

CSV = "text/csv"
ZIP = "application/zip"
SMIME = (
    b"From: d.whitfield@district.example\r\nTo: ops@vendor.example\r\nSubject: Records\r\n"
    b"Message-ID: <smime@district.example>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\r\n'
    b'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n'
    b"MIAGCSqGSIb3DQEHA6CAMIACAQAxggFAMIIBPAIBADAkMBYxFDASBgNVBAMTC2V4YW1wbGUub3JnAgoA\r\n"
)


@dataclass(frozen=True)
class Case:
    """One outbound message and what the check must say about it."""

    id: str
    message: Callable[[], bytes]
    verdict: str
    rules: tuple[str, ...] = ()
    says: tuple[str, ...] = ()  # substrings of the reasons' messages
    authorization: str | None = None
    encrypted: bool | None = None


CASES = [
    # -- internal mail and no PI --
    Case("internal-only mail with student PI", lambda: mail("principal@district.example", SPED_BODY), "allow"),
    Case("internal subdomain", lambda: mail("nurse@hs.district.example", MA_PI_TEXT), "allow"),
    Case("no PI to a personal account", lambda: mail("friend@gmail.com", "Lunch on Friday?"), "allow"),
    # -- personal accounts --
    Case("student PI to gmail", lambda: mail("parent@gmail.com", ROSTER_BODY), "block", ("personal-account",),
         ("personal account", "parent@gmail.com", "STUDENT_PII")),
    Case("configured personal domain", lambda: mail("me@family-mail.example", ROSTER_BODY), "block",
         ("personal-account",)),
    Case("hidden Bcc to a personal address", lambda: mail("principal@district.example", ROSTER_BODY,
                                                          bcc="me.at.home@yahoo.com"), "block",
         ("personal-account",), ("me.at.home@yahoo.com (Bcc)",)),
    Case("93H PI to a personal account", lambda: mail("me@outlook.com", MA_PI_TEXT), "block",
         ("personal-account", "unencrypted-93h")),
    # -- third parties and authorizations --
    Case("no authorization for the recipient", lambda: mail("ops@unknown-vendor.example", ROSTER_BODY + NOTICE),
         "block", ("third-party-without-authorization",), ("no authorization covers this recipient", "2 students")),
    Case("dpa covers everything", lambda: mail("ops@vendor.example", ROSTER_BODY + NOTICE), "allow",
         authorization="DPA-2025-014"),
    Case("dpa covers a subdomain", lambda: mail("ops@eu.vendor.example", ROSTER_BODY + NOTICE), "allow",
         authorization="DPA-2025-014"),
    Case("dpa lacks a category", lambda: mail("ops@vendor.example", SPED_BODY + NOTICE), "block",
         ("third-party-without-authorization",), ("DPA-2025-014 does not cover category special_indicator",)),
    Case("expired dpa", lambda: mail("ops@oldvendor.example", ROSTER_BODY + NOTICE), "block",
         ("third-party-without-authorization",), ("DPA-2024-001 expired on 2025-06-30",)),
    Case("not yet effective dpa", lambda: mail("ops@newvendor.example", ROSTER_BODY + NOTICE), "block",
         ("third-party-without-authorization",), ("DPA-2026-020 is not effective until 2026-09-01",)),
    Case("contract covers staff PI (93H, encrypted)", lambda: mail(
        "hr@payroll.example", "Payroll file attached; the passphrase comes by phone.",
        attachments=[("payroll.zip", aes_zip([("payroll.txt", MA_PI_TEXT.encode())], DISTRICT_PASSWORD), ZIP)]),
        "allow", authorization="CTR-2025-002", encrypted=True),
    Case("release covers listed students", lambda: mail("records@clinic.example", SPED_BODY + NOTICE), "allow",
         authorization="REL-2026-001"),
    Case("release: an address of the domain that is not listed", lambda: mail("billing@clinic.example",
                                                                             SPED_BODY + NOTICE),
         "block", ("third-party-without-authorization",), ("no authorization covers this recipient",)),
    Case("consent covers listed students", lambda: mail("director@camp.example", ROSTER_BODY + NOTICE), "allow",
         authorization="CON-2026-003"),
    Case("consent: a student not covered", lambda: mail("director@camp.example", THIRD_STUDENT_BODY + NOTICE),
         "block", ("third-party-without-authorization",), ("CON-2026-003 does not cover 1 of the 3 students",)),
    Case("subpoena", lambda: mail("clerk@court.example", ROSTER_BODY + NOTICE), "allow", authorization="SUB-2026-004"),
    Case("court order", lambda: mail("clerk@juvenile.example", ROSTER_BODY + NOTICE), "allow",
         authorization="CO-2026-005"),
    Case("law", lambda: mail("data@dese.example", ROSTER_BODY + NOTICE), "allow", authorization="LAW-DESE"),
    Case("redisclosure notice missing", lambda: mail("ops@vendor.example", ROSTER_BODY), "warn",
         ("missing-redisclosure-notice",), ("34 CFR 99.33", "DPA-2025-014"), authorization="DPA-2025-014"),
    Case("one of two third parties lacks an authorization",
         lambda: mail(["ops@vendor.example", "x@other.example"], ROSTER_BODY + NOTICE), "block",
         ("third-party-without-authorization",), ("x@other.example",)),
    # -- where PI hides --
    Case("PI only in a quoted reply", lambda: mail(
        "parent@gmail.com", "Thanks, see below.\n\nOn Mon, Jan 5, 2026, Dana Whitfield wrote:\n"
        + "".join("> " + line + "\n" for line in ROSTER_BODY.splitlines())), "block", ("personal-account",),
        ("a quoted reply",)),
    Case("PI only in an HTML-only body", lambda: mail(
        "parent@gmail.com", None, html="<html><body><p>Results</p><table><tr><th>Student</th><th>SASID</th>"
        f"<th>Grade</th></tr><tr><td>Jordan Alvarez</td><td>{SASID_A}</td><td>5</td></tr></table></body></html>"),
        "block", ("personal-account",), ("the HTML body",)),
    Case("PI inside a zip attachment", lambda: mail(
        "ops@unknown-vendor.example", "Files attached." + NOTICE,
        attachments=[("export.zip", plain_zip([("grade5/roster.csv", ROSTER_CSV)]), ZIP)]),
        "block", ("third-party-without-authorization",), ("attachment export.zip!/grade5/roster.csv",)),
    Case("CSV attachment under a dpa", lambda: mail(
        "ops@vendor.example", "Roster attached." + NOTICE, attachments=[("roster.csv", ROSTER_CSV, CSV)]),
        "allow", authorization="DPA-2025-014"),
    # -- 93H and encryption --
    Case("93H PI in the body to a covered third party", lambda: mail("hr@payroll.example", MA_PI_TEXT), "block",
         ("unencrypted-93h",), ("the body", "128 bits")),
    Case("93H PI in an AES-256 zip, password sent separately", lambda: mail(
        "hr@payroll.example", "Attached; I will call with the passphrase.",
        attachments=[("pay.zip", aes_zip([("pay.txt", MA_PI_TEXT.encode())], DISTRICT_PASSWORD), ZIP)]),
        "allow", encrypted=True),
    Case("93H PI in an AES-256 zip with the password in the body", lambda: mail(
        "hr@payroll.example", "Attached. Password: Blue-Falcon-42",
        attachments=[("pay.zip", aes_zip([("pay.txt", MA_PI_TEXT.encode())], "Blue-Falcon-42"), ZIP)]),
        # The password in the body is itself a credential, which the payroll contract does not cover.
        "block", ("unencrypted-93h", "third-party-without-authorization"),
        ("AES-256 with its password in the message", "pay.zip!/pay.txt", "category credentials"), encrypted=False),
    Case("93H PI in a ZipCrypto zip", lambda: mail(
        "hr@payroll.example", "Attached; passphrase by phone.",
        attachments=[("pay.zip", zipcrypto([("pay.txt", MA_PI_TEXT.encode())], DISTRICT_PASSWORD.encode()), ZIP)]),
        "block", ("unencrypted-93h",), ("ZipCrypto",), encrypted=False),
    Case("93H PI in an AES-128 zip", lambda: mail(
        "hr@payroll.example", "Attached; passphrase by phone.",
        attachments=[("pay.zip", aes_zip([("pay.txt", MA_PI_TEXT.encode())], DISTRICT_PASSWORD, 128), ZIP)]),
        "allow", encrypted=True),
    Case("S/MIME-encrypted message", lambda: SMIME, "allow", encrypted=True),
    Case("93H PI in the subject", lambda: mail("hr@payroll.example", "See subject.",
                                               subject="Jordan Alvarez SSN 512-48-7793 payroll"),
         "block", ("unencrypted-93h",), ("the subject",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_outbound_message(checker: PresendChecker, case: Case) -> None:
    verdict = checker.check(case.message(), today=TODAY)
    messages = " | ".join(f"{r.rule}: {r.message}" for r in verdict.reasons)
    assert verdict.verdict == case.verdict, messages
    assert tuple(sorted({r.rule for r in verdict.reasons})) == tuple(sorted(case.rules)), messages
    for text in case.says:
        assert text in messages
    if case.authorization is not None:
        assert verdict.authorization == case.authorization
    if case.encrypted is not None:
        assert verdict.encrypted is case.encrypted
    # No raw value ever appears in a reason: not an ID, an SSN, or a student's name.
    for raw in (SASID_A, SASID_B, "512-48-7793", "7793", "Alvarez", "Jordan"):
        assert raw not in messages


def test_recipients_are_classified_bcc_and_resent_included(checker: PresendChecker) -> None:
    raw = mail(["a@district.example", "b@vendor.example"], "Hi", cc="c@GMAIL.com", bcc="d@hs.district.example")
    raw = b"Resent-To: e@partner.example\r\n" + raw
    verdict = checker.check(raw, today=TODAY, envelope_recipients=["f@icloud.com"])
    kinds = {r.address: r.kind for r in verdict.recipients}
    assert kinds == {"a@district.example": "internal", "b@vendor.example": "third_party", "c@gmail.com": "personal",
                     "d@hs.district.example": "internal", "e@partner.example": "third_party",
                     "f@icloud.com": "personal"}


def test_the_verdict_carries_the_contract_fields(checker: PresendChecker) -> None:
    out = checker.check(mail("ops@vendor.example", ROSTER_BODY + NOTICE), today=TODAY).to_dict()
    assert {"verdict", "reasons", "recipients", "classifications", "subjects", "encrypted",
            "authorization"} <= set(out)
    assert out["classifications"] == ["STUDENT_PII"] and out["subjects"] == 2
    assert set(out["data_categories"]) == {"student_name", "student_id", "assessment"}
    assert out["recipients"] == [{"address": "ops@vendor.example", "kind": "third_party"}]


def test_an_unknown_password_leaves_an_aes_zip_unread_but_encrypted(checker: PresendChecker) -> None:
    raw = mail("hr@payroll.example", "Attached.",
               attachments=[("pay.zip", aes_zip([("pay.txt", MA_PI_TEXT.encode())], "only-the-recipient-knows"), ZIP)])
    verdict = checker.check(raw, today=TODAY)
    assert verdict.verdict == "allow" and verdict.encrypted
    assert not re.search(r"\d{3}-\d{2}-\d{4}", str(verdict.to_dict()))
