"""The disclosure log: one row per student for each allowed third-party transfer of student PII, none else."""

from __future__ import annotations

from pathlib import Path

from dlp.presend.check import PresendChecker, hashes_for_student
from dlp.presend.disclosures import DisclosureLog
from tests.presend.conftest import KEY, NOTICE, ROSTER_BODY, SASID_A, SASID_B, TODAY, mail


def rows_for(log: DisclosureLog, student: str, message_id: str) -> list:
    hashes = hashes_for_student(KEY, Path("/nonexistent"), student)
    return [r for r in log.for_students(hashes) if r.message_id == message_id]


def test_an_allowed_transfer_logs_one_row_per_student(checker: PresendChecker, disclosure_log: DisclosureLog) -> None:
    mid = "<log-1@district.example>"
    verdict = checker.check(mail("data@dese.example", ROSTER_BODY + NOTICE, message_id=mid), today=TODAY)
    assert verdict.verdict == "allow" and verdict.extra["disclosures_logged"] == 2
    [a] = rows_for(disclosure_log, SASID_A, mid)
    [b] = rows_for(disclosure_log, SASID_B, mid)
    assert a.student != b.student
    assert (a.recipient, a.authorization, a.authorization_kind, a.party) == (
        "data@dese.example", "LAW-DESE", "law", "State education agency")
    assert a.disclosed_on == TODAY and a.data_categories == ("assessment", "student_id", "student_name")
    assert SASID_A not in a.student


def test_a_warned_transfer_is_logged_too(checker: PresendChecker, disclosure_log: DisclosureLog) -> None:
    mid = "<log-2@district.example>"
    verdict = checker.check(mail("ops@vendor.example", ROSTER_BODY, message_id=mid), today=TODAY)
    assert verdict.verdict == "warn"
    assert [r.verdict for r in rows_for(disclosure_log, SASID_A, mid)] == ["warn"]


def test_blocked_and_internal_transfers_are_not_logged(checker: PresendChecker, disclosure_log: DisclosureLog) -> None:
    for to, mid in (("ops@unknown.example", "<log-3@district.example>"),
                    ("principal@district.example", "<log-4@district.example>")):
        checker.check(mail(to, ROSTER_BODY + NOTICE, message_id=mid), today=TODAY)
        assert rows_for(disclosure_log, SASID_A, mid) == []
