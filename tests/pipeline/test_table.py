"""The terminal table on a real share's worth of rows: worst first, one summary line for what was not fully
examined (--show-incomplete lists it), paths shortened in the middle to the width asked for, and library
warnings kept out of the output."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from dlp.output import TableSink, severity, shorten_middle
from dlp.types import Finding, ItemRef, ItemResult, Reason, Status
from tests.pipeline.conftest import ROOT

SUMMARY = {"run_id": 1, "status": "completed", "items": 0, "by_status": {}, "seconds": 1.0}
DEEP = "district/schools/cedar-park-k-8/guidance-office/archive/2019-2020/term-2/"


def _finding(entity: str) -> Finding:
    return Finding(entity=entity, score=0.9, locator="line 1", start=0, end=4, preview="****", value_hash="h")


def _result(name: str, classes: tuple[str, ...] = (), entities: tuple[str, ...] = (), subjects: int = 0,
            status: Status = Status.SCANNED, reason: Reason | None = None) -> ItemResult:
    ref = ItemRef(source="s", item_id=name, uri=DEEP + name)
    return ItemResult(ref=ref, status=status, reason=reason, classifications=classes, subjects=subjects,
                      findings=tuple(_finding(e) for e in entities),
                      detail="password-protected workbook" if reason is Reason.ENCRYPTED else None)


def _rows() -> list[ItemResult]:
    rows = [_result(f"locked-{i:03}.xlsx", status=Status.NOT_EXAMINED, reason=Reason.ENCRYPTED) for i in range(115)]
    rows += [_result(f"clean-{i:03}.txt") for i in range(900)]
    rows += [
        _result("phone-list.txt", entities=("PHONE_NUMBER",), subjects=9),
        _result("staff-contacts.csv", ("EMPLOYEE_PII",), ("PERSON", "EMPLOYEE_ID"), 40),
        _result("grade5-roster.csv", ("STUDENT_PII",), ("PERSON", "MA_SASID"), 25),
        _result("iep-notes.docx", ("STUDENT_PII", "STUDENT_SENSITIVE"), ("PERSON",), 3),
        _result("payroll-2025-with-a-rather-long-descriptive-name.xlsx", ("EMPLOYEE_PII", "MA_PI"),
                ("US_SSN", "US_BANK_NUMBER"), 18),
    ]
    return rows


def _render(width: int | None = None, show_incomplete: bool = False) -> str:
    out = io.StringIO()
    sink = TableSink(out, False, width=width, show_incomplete=show_incomplete)
    for result in _rows():
        sink.item(result)
    sink.close(SUMMARY)
    return out.getvalue()


def _order(text: str) -> list[str]:
    names = ("payroll-2025", "grade5-roster", "iep-notes", "staff-contacts", "phone-list", "locked-000")
    found = {name: text.find(name) for name in names if name in text}
    return sorted(found, key=found.__getitem__)


def test_worst_first_and_one_line_for_what_was_not_examined() -> None:
    text = _render(width=160)
    assert _order(text) == ["payroll-2025", "grade5-roster", "iep-notes", "staff-contacts", "phone-list"]
    assert "locked-" not in text and "clean-" not in text
    assert "115 item(s) not fully examined (encrypted 115); --show-incomplete lists them." in text
    assert "900 item(s) examined in this run had no findings." in text
    assert len(text.splitlines()) < 30


def test_show_incomplete_lists_them_after_the_findings_with_their_detail() -> None:
    text = _render(width=160, show_incomplete=True)
    assert _order(text)[:5] == ["payroll-2025", "grade5-roster", "iep-notes", "staff-contacts", "phone-list"]
    assert text.count("locked-") == 115 and "password-protected" in text
    assert "listed above" in text


def test_paths_are_shortened_in_the_middle_to_the_width_asked_for() -> None:
    for width in (80, 100, 132):
        text = _render(width=width)
        assert max(len(line) for line in text.splitlines()) <= width
        # The file names stay whole; the folders in the middle give way.
        assert "grade5-roster.csv" in text and "…" in text
        assert DEEP + "grade5-roster.csv" not in text


def test_written_to_a_file_the_table_is_as_wide_as_its_rows() -> None:
    text = _render()
    assert DEEP + "payroll-2025-with-a-rather-long-descriptive-name.xlsx" in text and "…" not in text


def test_shorten_middle() -> None:
    path = "share/hr/payroll/2025/january/payroll_2025-01.xlsx"
    assert shorten_middle(path, 100) == path
    short = shorten_middle(path, 30)
    assert len(short) == 30 and short.startswith("share/") and short.endswith("/payroll_2025-01.xlsx")
    assert len(shorten_middle("a" * 50, 10)) == 10


def test_severity_ranks() -> None:
    def rec(classes: list[str], exposure: list[str] | None = None, found: bool = False) -> dict:
        return {"classifications": classes, "exposure": exposure or [], "findings": [{}] if found else []}

    assert severity(rec(["MA_PI"])) == 0
    assert severity(rec(["STUDENT_PII"], ["anyone_with_link"])) == 0
    assert severity(rec(["STUDENT_SENSITIVE"])) == 1
    assert severity(rec(["EMPLOYEE_PII"])) == 2
    assert severity(rec([], found=True)) == 3


def test_library_warnings_go_to_the_log_not_the_output() -> None:
    code = ("import warnings, sys; from dlp.cli import _setup_logging; _setup_logging(int(sys.argv[1]), None); "
            "warnings.warn('markup looks like a file name', UserWarning)")
    quiet = subprocess.run([sys.executable, "-c", code, "0"], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ}, timeout=120)
    assert quiet.returncode == 0 and "looks like a file name" not in quiet.stderr
    verbose = subprocess.run([sys.executable, "-c", code, "1"], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ}, timeout=120)
    assert "WARNING" in verbose.stderr and "py.warnings" in verbose.stderr
    assert "looks like a file name" in verbose.stderr


def test_the_last_log_line_of_a_short_run_is_never_lost() -> None:
    # Log records cross a queue to the real handler; before the exit hook drained it, about half of short
    # runs ended before their last line was written (a check's verdict line, a warning). Ten in a row.
    code = ("import logging, sys; from dlp.cli import _setup_logging; _setup_logging(1, None); "
            "logging.getLogger('dlp.test').warning('the last line %s', sys.argv[1])")
    for run in range(10):
        proc = subprocess.run([sys.executable, "-c", code, str(run)], capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
        assert proc.returncode == 0 and f"the last line {run}" in proc.stderr, (run, proc.stderr[-500:])
