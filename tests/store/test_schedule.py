"""Nightly scans: the lock (a second run exits 5), the node_exporter run record, and the cron and
systemd examples (their scan command lines parse; the units pass ``systemd-analyze verify``)."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlp import schedule
from dlp.cli import EXIT_LOCKED, build_parser
from tests.pipeline.conftest import ROOT


def _scan(tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "run_scan.py", "scan", "examples/share", "--db", str(tmp_path / "dlp.sqlite"),
         "--format", "jsonl", "--no-progress", "--workers", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "DLP_HOME": str(tmp_path / "home")},
    )


@pytest.mark.slow
def test_a_second_scan_while_the_first_holds_the_lock_exits_5(tmp_path: Path) -> None:
    lock = tmp_path / "nightly.lock"
    prom = tmp_path / "textfile" / "dlp.prom"
    first = _scan(tmp_path, "--lock", str(lock), "--prometheus-textfile", str(prom))
    try:
        deadline = time.time() + 60
        # The holder writes its pid into the lock file once it holds the lock.
        while not (lock.exists() and lock.read_text().startswith("pid ")):
            assert first.poll() is None, first.communicate()[1][-2000:]
            assert time.time() < deadline
            time.sleep(0.05)
        second = _scan(tmp_path, "--lock", str(lock), "--prometheus-textfile", str(tmp_path / "second.prom"))
        _, err = second.communicate(timeout=120)
        assert second.returncode == EXIT_LOCKED, err
        assert "another scan holds the lock" in err and f"pid {first.pid}" in err
        assert not (tmp_path / "second.prom").exists()  # the refused run leaves the record alone
        assert first.poll() is None, "the first scan ended before the second was refused; the test proves nothing"
        _, err = first.communicate(timeout=600)
        assert first.returncode == 0, err[-2000:]
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    text = prom.read_text()
    assert "dlp_last_run_success 1\n" in text
    scanned = int(re.search(r'^dlp_last_run_items\{status="scanned"\} (\d+)$', text, re.M).group(1))  # type: ignore[union-attr]
    assert scanned >= 20
    assert re.search(r'^dlp_last_run_items\{status="error"\} 0$', text, re.M)
    assert float(re.search(r"^dlp_last_run_seconds (\S+)$", text, re.M).group(1)) > 0  # type: ignore[union-attr]
    # Released: the next night's run takes it.
    with schedule.RunLock(lock):
        pass


def test_the_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "x.lock"
    with schedule.RunLock(path):
        assert f"pid {os.getpid()}" in path.read_text()
        probe = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from dlp import schedule\n"
                                f"try:\n  schedule.RunLock(Path({str(path)!r})).__enter__()\n"
                                "except schedule.LockBusy as e:\n  print(e); sys.exit(5)"],
                               capture_output=True, text=True, cwd=ROOT)
        assert probe.returncode == 5 and "another scan holds the lock" in probe.stdout
    with schedule.RunLock(path):
        pass


def test_default_locks_per_store_and_on_postgresql_per_sources(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    sqlite = "sqlite:////var/lib/dlp/dlp.sqlite"
    assert schedule.default_lock_path(sqlite, ["/a"]) == schedule.default_lock_path(sqlite, ["/b"])
    assert schedule.default_lock_path(sqlite, ["/a"]).parent == tmp_path / "locks"
    pg = "postgresql://dlp:secret@db/dlp"
    assert schedule.default_lock_path(pg, ["/a"]) != schedule.default_lock_path(pg, ["/b"])
    assert schedule.default_lock_path(pg, ["/a", "/b"]) == schedule.default_lock_path(pg, ["/b", "/a"])
    assert "secret" not in str(schedule.default_lock_path(pg, ["/a"]))


def test_the_textfile_of_a_completed_and_of_a_failed_run(tmp_path: Path) -> None:
    path = tmp_path / "dlp.prom"
    summary = {"status": "completed", "by_status": {"scanned": 40, "not_examined": 2}, "with_findings": 7,
               "examined": 12}
    schedule.write_prometheus_textfile(path, summary, started=1000.0, finished=1090.5)
    text = path.read_text()
    for line in ("dlp_last_run_timestamp_seconds 1090.500", "dlp_last_run_start_timestamp_seconds 1000.000",
                 "dlp_last_run_seconds 90.500", "dlp_last_run_success 1", 'dlp_last_run_items{status="scanned"} 40',
                 'dlp_last_run_items{status="not_examined"} 2', 'dlp_last_run_items{status="error"} 0',
                 "dlp_last_run_items_with_findings 7", "dlp_last_run_examined_items 12",
                 "# TYPE dlp_last_run_items gauge"):
        assert line + "\n" in text, line
    # Every sample line is NAME{labels} VALUE, as node_exporter's parser wants.
    for line in text.splitlines():
        assert line.startswith("# ") or re.fullmatch(r'[a-z_]+(\{status="[a-z_]+"\})? -?[0-9.]+', line), line
    assert [p.name for p in tmp_path.iterdir()] == ["dlp.prom"]  # no temporary file left behind
    schedule.write_prometheus_textfile(path, None, started=1000.0, finished=1001.0)
    failed = path.read_text()
    assert "dlp_last_run_success 0\n" in failed and 'dlp_last_run_items{status="scanned"} 0\n' in failed
    schedule.write_prometheus_textfile(path, {**summary, "status": "interrupted"}, 1000.0, 1001.0)
    assert "dlp_last_run_success 0\n" in path.read_text()


def _scan_argv(command: str) -> list[str]:
    argv = shlex.split(command)
    assert Path(argv[0]).name == "dlp" and argv[1] == "scan"
    return argv[1:]


def test_the_cron_example_runs_a_locked_scan_with_a_run_record() -> None:
    lines = [ln for ln in (ROOT / "examples" / "cron" / "dlp-nightly").read_text().splitlines()
             if ln.strip() and not ln.startswith("#") and not re.match(r"^[A-Z_]+=", ln)]
    assert len(lines) == 1
    fields = lines[0].split(None, 6)
    minute, hour, dom, month, dow, user, command = fields
    assert re.fullmatch(r"\d+", minute) and re.fullmatch(r"\d+", hour) and (dom, month, dow) == ("*", "*", "*")
    assert user == "dlp"
    args = build_parser().parse_args(_scan_argv(command))
    assert args.lock and args.prometheus_textfile and args.no_progress


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "examples" / "systemd" / name)
    return parser


def test_the_systemd_units_parse() -> None:
    service, timer = _unit("dlp-scan.service"), _unit("dlp-scan.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert "5" in service["Service"]["SuccessExitStatus"].split()  # a refused overlapping run is no failure
    args = build_parser().parse_args(_scan_argv(service["Service"]["ExecStart"]))
    assert args.lock == "auto" and args.prometheus_textfile
    assert timer["Timer"]["Unit"] == "dlp-scan.service" and timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify insists that ExecStart exists: point it at a stand-in executable.
    fake = tmp_path / "bin" / "dlp"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    for name in ("dlp-scan.service", "dlp-scan.timer"):
        text = (ROOT / "examples" / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace("/usr/local/bin/dlp", str(fake)))
    proc = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "dlp-scan.timer"),
                           str(tmp_path / "dlp-scan.service")], capture_output=True, text=True)
    # verify exits 0 on unknown keys and bad values, and only warns: any warning about our units fails.
    warnings = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "dlp-scan" in ln]
    assert proc.returncode == 0 and not warnings, proc.stdout + proc.stderr
