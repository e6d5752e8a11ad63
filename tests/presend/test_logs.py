"""Logs without content (issue 14, items 7 and 8): the real ``smtp-filter -vv`` and ``serve -v`` processes,
real SMTP and HTTP, then the log file and stderr are read back.

No planted SSN, no address and no query string reaches any log at any verbosity; each check leaves one
verdict line carrying the ID its answer gave; the log survives uvicorn's start-up; the log file is 0600.
"""

from __future__ import annotations

import os
import re
import signal
import smtplib
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from dlp.files import PrivateFileHandler, open_private
from tests.presend.conftest import mail
from tests.presend.test_smtp import Sink, crlf, free_port

ROOT = Path(__file__).resolve().parents[2]
SSN = "512-48-7793"
ADDRESS = "jordan.alvarez.parent@gmail.com"
SECRET = f"Payroll correction: Jordan Alvarez, SSN {SSN}, direct deposit starts in March."
TOKEN = "log-test-token-0123456789abcdef"
STARTUP_SECONDS = 180  # spaCy and the engine load in the child; generous on a shared, busy machine


def config(tmp_path: Path) -> Path:
    path = tmp_path / "dlp.toml"
    path.write_text('[organization]\ninternal_domains = ["district.example"]\n'
                    f'[store]\ndb = "{tmp_path / "dlp.sqlite"}"\n'
                    f'[detect]\nroster_file = "{tmp_path / "none.sqlite"}"\n', encoding="utf-8")
    return path


def wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the service exited with {proc.returncode}: "
                                 f"{Path(_STDERR[proc.pid]).read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the service did not start listening")


def stop(proc: subprocess.Popen[bytes]) -> str:
    """SIGTERM, then the service's stderr (a file: a pipe would wait for every process that inherited it)."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return Path(_STDERR[proc.pid]).read_text(encoding="utf-8", errors="replace")


_STDERR: dict[int, str] = {}


def spawn(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DLP_HOME": str(tmp_path / "home"), "DLP_SERVE_TOKEN": TOKEN}
    err_path = tmp_path / "stderr.txt"
    with err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, str(ROOT / "run_scan.py"), *args, "--config",
                                 str(config(tmp_path)), "--log-file", str(tmp_path / "dlp.log")],
                                cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=err)
    _STDERR[proc.pid] = str(err_path)
    return proc


@pytest.fixture()
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def check_log(text: str) -> None:
    assert SSN not in text and "7793" not in text and "Alvarez" not in text
    assert ADDRESS not in text and "gmail" not in text and "district.example" not in text
    assert "Queue is closed" not in text and "Traceback" not in text


def test_smtp_filter_at_vv_logs_no_content_and_one_verdict_line_per_check(tmp_path: Path,
                                                                          sink: tuple[Sink, int]) -> None:
    port = free_port()
    proc = spawn(tmp_path, "smtp-filter", "-vv", "--listen", f"127.0.0.1:{port}",
                 "--next-hop", f"127.0.0.1:{sink[1]}")
    try:
        wait_for_port(port, proc)
        allowed = mail("payroll@district.example", SECRET, message_id="<log-allow@district.example>")
        blocked = mail(ADDRESS, SECRET, message_id="<log-block@district.example>")
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
            assert client.sendmail("d.whitfield@district.example", ["payroll@district.example"], crlf(allowed)) == {}
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
            client.ehlo()
            client.mail("d.whitfield@district.example")
            client.rcpt(ADDRESS)
            code, reply = client.data(crlf(blocked))
        assert code == 550
        blocked_id = re.search(r"\(dlp ([0-9a-f]{12})\)", reply.decode()).group(1)  # type: ignore[union-attr]
    finally:
        stderr = stop(proc)
    log = (tmp_path / "dlp.log").read_text(encoding="utf-8")
    for text in (log, stderr):
        check_log(text)
    assert len(sink[0].messages) == 1
    verdicts = re.findall(r"dlp\.verdict: dlp ([0-9a-f]{12}): (allow|block)", log)
    assert [v for _, v in verdicts] == ["allow", "block"]
    assert verdicts[1][0] == blocked_id
    assert stat.S_IMODE((tmp_path / "dlp.log").stat().st_mode) == 0o600


def test_serve_keeps_its_log_and_logs_no_query_string(tmp_path: Path) -> None:
    port = free_port()
    proc = spawn(tmp_path, "serve", "-v", "--port", str(port))
    try:
        wait_for_port(port, proc)
        r = httpx.post(f"http://127.0.0.1:{port}/v1/check", params={"rcpt": ADDRESS},
                       content=mail("payroll@district.example", SECRET),
                       headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}, timeout=120)
        assert r.status_code == 200 and r.json()["verdict"] == "block"
        check_id = r.json()["check_id"]
        assert r.headers["X-DLP-Check-Id"] == check_id
        workers = children(proc.pid)
        assert workers  # the check workers, forked with the warm engine
    finally:
        stderr = stop(proc)
    # The workers do not outlive the service (uvicorn ends it by re-raising SIGTERM: no clean-up runs).
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
    log = (tmp_path / "dlp.log").read_text(encoding="utf-8")
    for text in (log, stderr):
        check_log(text)
        assert "rcpt=" not in text
    assert re.search(rf"dlp\.verdict: dlp {check_id}: block personal-account", log), log
    assert stat.S_IMODE((tmp_path / "dlp.log").stat().st_mode) == 0o600


def test_serve_logs_a_verdict_line_at_the_default_verbosity(tmp_path: Path) -> None:
    port = free_port()
    proc = spawn(tmp_path, "serve", "--port", str(port))
    try:
        wait_for_port(port, proc)
        r = httpx.post(f"http://127.0.0.1:{port}/v1/check", content=mail("payroll@district.example", "Hello."),
                       headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}, timeout=120)
        check_id = r.json()["check_id"]
    finally:
        stop(proc)
    log = (tmp_path / "dlp.log").read_text(encoding="utf-8")
    assert re.search(rf"dlp {check_id}: allow - ", log), log
    assert "Queue is closed" not in log


# -- files created 0600 --


@pytest.mark.parametrize("mode", ["w", "a", "x", "wb"])
def test_open_private_creates_0600(tmp_path: Path, mode: str) -> None:
    path = tmp_path / f"out-{mode}"
    old = os.umask(0o022)
    try:
        with open_private(path, mode) as handle:
            handle.write(b"x" if "b" in mode else "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_open_private_narrows_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text("before\n")
    path.chmod(0o644)
    with open_private(path, "a") as handle:
        handle.write("after\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "before\nafter\n"


def test_open_private_refuses_a_read_mode(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        open_private(tmp_path / "x", "r")


def test_private_file_handler(tmp_path: Path) -> None:
    handler: Any = PrivateFileHandler(str(tmp_path / "dlp.log"))
    try:
        handler.emit(__import__("logging").makeLogRecord({"msg": "hello"}))
    finally:
        handler.close()
    assert stat.S_IMODE((tmp_path / "dlp.log").stat().st_mode) == 0o600
