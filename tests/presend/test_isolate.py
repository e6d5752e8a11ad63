"""Timeouts that stop the work (issue 14, item 11): a check over its limit has its worker process killed,
and the next check gets a fresh worker; a worker that dies is replaced; verdicts come back whole."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dlp.presend.isolate import CheckFailed, CheckTimeout, IsolatedChecker
from dlp.presend.verdict import ALLOW, BLOCK, Verdict, VerdictReason
from tests.presend.conftest import ROSTER_BODY, TODAY, mail


class Busy:
    """Works ``seconds`` on a message that says "slow" (then writes a mark), answers at once otherwise."""

    def __init__(self, mark: Path, seconds: float = 5.0) -> None:
        self.mark = mark
        self.seconds = seconds

    def check(self, raw: bytes, today: dt.date | None = None, *, envelope_recipients: Any = ()) -> Verdict:
        if b"slow" in raw:
            end = time.monotonic() + self.seconds
            while time.monotonic() < end:  # CPU work, as a parser or detection would do
                pass
            self.mark.write_text("finished")
        if b"crash" in raw:
            os._exit(3)
        if b"raise" in raw:
            raise ValueError(f"cannot parse {raw[:40]!r}")
        reasons = (VerdictReason("personal-account", "to " + ",".join(envelope_recipients)),)
        return Verdict(BLOCK if envelope_recipients else ALLOW, reasons if envelope_recipients else ())


@pytest.fixture()
def isolated(tmp_path: Path) -> Iterator[IsolatedChecker]:
    checker = IsolatedChecker(Busy(tmp_path / "mark"), workers=1, timeout=0.5)
    yield checker
    checker.close()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_check_over_its_limit_is_killed_and_the_next_one_is_answered(isolated: IsolatedChecker,
                                                                        tmp_path: Path) -> None:
    [first] = isolated.worker_pids()
    with pytest.raises(CheckTimeout):
        isolated.check(b"Subject: slow\r\n\r\nslow")
    assert gone(first)  # killed and reaped: its work stopped with it
    assert isolated.check(b"Subject: hi\r\n\r\nhi").verdict == ALLOW
    [second] = isolated.worker_pids()
    assert second != first
    assert not (tmp_path / "mark").exists()  # the killed check never finished its work


def test_a_timeout_is_a_timeout_error_for_the_front_ends(isolated: IsolatedChecker) -> None:
    with pytest.raises(TimeoutError):
        isolated.check(b"Subject: slow\r\n\r\nslow")


def test_the_envelope_and_the_verdict_cross_the_process_boundary(isolated: IsolatedChecker) -> None:
    verdict = isolated.check(b"Subject: hi\r\n\r\nhi", TODAY, envelope_recipients=["a@gmail.com"])
    assert verdict.verdict == BLOCK and verdict.reasons[0].message == "to a@gmail.com"


def test_an_exception_in_the_worker_is_a_check_failure_without_content(isolated: IsolatedChecker) -> None:
    with pytest.raises(CheckFailed) as failed:
        isolated.check(b"Subject: raise\r\n\r\nSSN 512-48-7793")
    assert "ValueError" in str(failed.value) and "512" not in str(failed.value)
    assert isolated.check(b"Subject: hi\r\n\r\nhi").verdict == ALLOW  # the same worker goes on


def test_a_worker_that_dies_is_replaced(isolated: IsolatedChecker) -> None:
    [first] = isolated.worker_pids()
    with pytest.raises(CheckFailed):
        isolated.check(b"Subject: crash\r\n\r\ncrash")
    assert gone(first)
    assert isolated.check(b"Subject: hi\r\n\r\nhi").verdict == ALLOW


def test_the_real_checker_in_a_worker(checker: Any) -> None:
    isolated = IsolatedChecker(checker, workers=1, timeout=120)
    try:
        verdict = isolated.check(mail("parent@gmail.com", ROSTER_BODY), TODAY)
    finally:
        isolated.close()
    assert verdict.verdict == BLOCK and [r.rule for r in verdict.reasons] == ["personal-account"]


def test_deferred_disclosures_come_back_from_the_worker_and_are_written_here(checker: Any) -> None:
    from tests.presend.conftest import NOTICE

    isolated = IsolatedChecker(checker, workers=1, timeout=120)
    raw = mail("data@dese.example", ROSTER_BODY + NOTICE, message_id="<isolated-log@district.example>")
    try:
        verdict = isolated.check(raw, TODAY, envelope_recipients=["data@dese.example"], defer_disclosures=True)
        assert verdict.verdict == ALLOW and len(verdict.disclosures) == 2
        assert isolated.record_disclosures(verdict, ["data@dese.example"]) == 2
    finally:
        isolated.close()
