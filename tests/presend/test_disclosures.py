"""The disclosure log: one row per student for each allowed third-party transfer of student PII, none else."""

from __future__ import annotations

from pathlib import Path

import pytest

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


# -- once per Message-ID, recipient and student; on delivery through the SMTP filter --


def test_the_same_message_checked_twice_is_logged_once(checker: PresendChecker, disclosure_log: DisclosureLog) -> None:
    mid = "<log-twice@district.example>"
    raw = mail("data@dese.example", ROSTER_BODY + NOTICE, message_id=mid)
    assert checker.check(raw, today=TODAY).extra["disclosures_logged"] == 2
    assert "disclosures_logged" not in checker.check(raw, today=TODAY).extra
    assert len(rows_for(disclosure_log, SASID_A, mid)) == 1


def test_a_deferred_check_logs_nothing_until_recorded(checker: PresendChecker, disclosure_log: DisclosureLog) -> None:
    mid = "<log-deferred@district.example>"
    verdict = checker.check(mail("data@dese.example", ROSTER_BODY + NOTICE, message_id=mid), today=TODAY,
                            defer_disclosures=True)
    assert verdict.verdict == "allow" and len(verdict.disclosures) == 2
    assert "disclosures" not in verdict.to_dict()
    assert rows_for(disclosure_log, SASID_A, mid) == []
    assert checker.record_disclosures(verdict, ["someone-else@dese.example"]) == 0
    assert checker.record_disclosures(verdict, ["data@dese.example"]) == 2
    assert checker.record_disclosures(verdict) == 0  # already there
    assert len(rows_for(disclosure_log, SASID_A, mid)) == 1


def test_the_smtp_filter_logs_on_delivery_only(checker: PresendChecker, disclosure_log: DisclosureLog) -> None:
    import smtplib

    from aiosmtpd.controller import Controller

    from tests.presend.test_smtp import Filter, Sink, free_port

    sink = Sink()
    next_hop = Controller(sink, hostname="127.0.0.1", port=free_port())
    next_hop.start()
    f = Filter(checker, next_hop.port)
    mid = "<log-smtp@district.example>"
    raw = mail("data@dese.example", ROSTER_BODY + NOTICE, message_id=mid)
    try:
        sink.answer = "451 4.3.0 next hop busy"
        for _ in range(3):  # the MTA retries while the next hop is down: disclosed to no one yet
            with pytest.raises(smtplib.SMTPDataError):
                f.send(raw, ["data@dese.example"])
        assert rows_for(disclosure_log, SASID_A, mid) == []
        sink.answer = "250 2.0.0 Queued"
        for _ in range(2):  # delivered, then (a duplicate retry) delivered again
            assert f.send(raw, ["data@dese.example"]) == {}
    finally:
        f.close()
        next_hop.stop()
    assert len(rows_for(disclosure_log, SASID_A, mid)) == 1
    assert len(rows_for(disclosure_log, SASID_B, mid)) == 1
