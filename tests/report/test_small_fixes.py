"""Small things a security officer trips over: a crashed run's record, the CSV's modified time, the coverage
detail, the label of a usage error (a --resume with nothing to resume: tests/pipeline/test_listing.py)."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from pathlib import Path

import pytest

from dlp.cli import main
from dlp.store.db import Store
from dlp.types import ItemRef, ItemResult, Reason, Status


def _crash(url: str) -> None:
    """A scan killed after it started its run: the run stays 'running' with a pid that is gone."""
    store = Store(url)
    store.start_run(["s"], {}, "v")
    os._exit(0)


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    path = tmp_path / "dlp.sqlite"
    store = Store(f"sqlite:///{path}")
    run = store.start_run(["s"], {}, "v")
    locked = ItemRef(source="s", item_id="payroll.xlsx", uri="share/payroll.xlsx", size=10,
                     modified=1767225600.0)  # 2026-01-01T00:00:00Z
    clean = ItemRef(source="s", item_id="memo.txt", uri="share/memo.txt", size=5, modified=1767225600.5)
    store.write(run, "v", [[ItemResult(ref=locked, status=Status.NOT_EXAMINED, reason=Reason.ENCRYPTED,
                                       detail="encrypted workbook and no configured password opens it")],
                           [ItemResult(ref=clean, status=Status.SCANNED, content_hash="c")]])
    store.finish_run(run, "completed", {"items": 2, "by_status": {"scanned": 1, "not_examined": 1},
                                        "with_findings": 0})
    store.close()
    return path


def test_the_last_run_of_a_crashed_scan_says_so_without_none(store_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_crash, args=(f"sqlite:///{store_path}",))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    assert main(["report", "--last-run", "--db", str(store_path)]) == 0
    out = capsys.readouterr().out
    assert "None" not in out
    assert out.startswith("run 2 interrupted: no counts") and "--resume" in out
    assert main(["report", "--last-run", "--json", "--db", str(store_path)]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["status"] == "interrupted" and rec["items"] is None


def test_the_csv_has_iso_modified_times_and_the_coverage_has_its_detail(store_path: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "csv", "--db", str(store_path)]) == 0
    rows = {r["uri"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["share/payroll.xlsx"]["modified"] == "2026-01-01T00:00:00Z"
    assert rows["share/memo.txt"]["modified"] == "2026-01-01T00:00:00Z"
    assert rows["share/payroll.xlsx"]["detail"] == "encrypted workbook and no configured password opens it"
    assert rows["share/memo.txt"]["detail"] == ""
    html = tmp_path / "report.html"
    assert main(["report", "--format", "html", "--output", str(html), "--db", str(store_path)]) == 0
    coverage = html.read_text(encoding="utf-8").split('id="coverage"')[1].split("<h2")[0]
    assert "<th>detail</th>" in coverage.replace(' scope="col"', "")
    assert "encrypted workbook and no configured password opens it" in coverage
    assert main(["report", "--format", "json", "--db", str(store_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coverage"]["items"] == [{"uri": "share/payroll.xlsx", "status": "not_examined",
                                          "reason": "encrypted",
                                          "detail": "encrypted workbook and no configured password opens it"}]


def test_a_missing_scan_path_is_a_usage_error_not_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    assert main(["scan", str(tmp_path / "nowhere"), "--db", str(tmp_path / "d.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dlp scan: source ") and "does not exist" in err and "config error" not in err
