"""The pre-send check walks a message with the scan's walk (dlp/walk.py): pieces are named the scan's way.

Two files of one name (two uuencoded blocks, two archive members) are ``name`` and ``name (2).ext`` in the
verdict, as their items are in a scan; a word of the message that opens a zip still exposes its members.
"""

from __future__ import annotations

import warnings

from dlp.presend.check import PresendChecker
from tests.presend.conftest import MA_PI_TEXT, TODAY, aes_zip, mail, plain_zip
from tests.presend.test_unreadable import uuencoded


def test_two_uuencoded_files_of_one_name_are_named_apart(checker: PresendChecker) -> None:
    body = "Two payroll files below.\n\n" + uuencoded("pay.txt", MA_PI_TEXT.encode()) + "\n" + uuencoded(
        "pay.txt", MA_PI_TEXT.encode())
    verdict = checker.check(mail("benefits@insurer.example", body), today=TODAY)
    [reason] = [r for r in verdict.reasons if r.rule == "unencrypted-93h"]
    assert "attachment body!/pay.txt;" in reason.message and "attachment body!/pay (2).txt" in reason.message


def test_archive_members_of_one_name_are_named_as_in_a_scan(checker: PresendChecker) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a zip with a name twice is the point
        data = plain_zip([("pay.txt", MA_PI_TEXT.encode()), ("pay.txt", MA_PI_TEXT.encode())])
    verdict = checker.check(mail("benefits@insurer.example", "Attached.",
                                 attachments=[("pay.zip", data, "application/zip")]), today=TODAY)
    [reason] = [r for r in verdict.reasons if r.rule == "unencrypted-93h"]
    assert "attachment pay.zip!/pay.txt;" in reason.message and "attachment pay.zip!/pay (2).txt" in reason.message


def test_a_zip_whose_password_is_in_the_message_is_read_and_not_protected(checker: PresendChecker) -> None:
    data = aes_zip([("pay.txt", MA_PI_TEXT.encode())], "Winter-Ledger-2291")
    verdict = checker.check(mail("benefits@insurer.example", "Attached. Password: Winter-Ledger-2291",
                                 attachments=[("pay.zip", data, "application/zip")]), today=TODAY)
    [reason] = [r for r in verdict.reasons if r.rule == "unencrypted-93h"]
    assert "attachment pay.zip!/pay.txt (AES-256 with its password in the message)" in reason.message
    assert "Winter-Ledger-2291" not in reason.message and verdict.encrypted is False
