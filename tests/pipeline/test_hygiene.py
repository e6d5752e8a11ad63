"""Raw values never rest (store, log, default outputs), and a scan opens no network connection."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.make_fixtures import STUDENTS
from tests.pipeline.conftest import write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "files"


def _raw_values() -> list[str]:
    values: list[str] = []
    for name, sasid, ssn, _dob, phone, email in STUDENTS:
        values += [name, sasid, ssn, ssn.replace("-", ""), phone, email]
    return values


@pytest.fixture
def share(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    shutil.copytree(FIXTURES, root)
    return root


def test_raw_values_never_reach_the_store_the_log_or_the_default_outputs(share: Path, run_cli, dlp_home: Path,
                                                                         tmp_path: Path) -> None:
    log = tmp_path / "scan.log"
    jsonl = run_cli("scan", str(share), "--format", "jsonl", "--no-progress", "-vv", "--log-file", str(log))
    assert jsonl.code == 0, jsonl.stderr
    found = {f["entity"] for r in jsonl.records() for f in r["findings"]}
    assert {"US_SSN", "PERSON", "EMAIL_ADDRESS"} <= found  # the scan did see the values
    table = run_cli("scan", str(share), "--format", "table", "--no-progress", "--full")
    csv_out = run_cli("scan", str(share), "--format", "csv", "--no-progress", "--full")
    blobs = {
        "jsonl": jsonl.stdout + jsonl.stderr,
        "table": table.stdout + table.stderr,
        "csv": csv_out.stdout + csv_out.stderr,
        "log": log.read_text(),
    }
    for path in dlp_home.rglob("*"):  # the SQLite file with its WAL, the key and the scan's lock file
        if path.is_file():
            blobs[str(path.relative_to(dlp_home))] = path.read_bytes().decode("latin-1")
    # Worker processes log into the one log (multiprocessing-logging), under their own process names (their
    # engine is built once by the scanning process and inherited by fork, so each says it is ready).
    worker_lines = [line for line in blobs["log"].splitlines() if "worker ready:" in line]
    assert worker_lines and all("MainProcess" not in line for line in worker_lines)
    for where, text in blobs.items():
        for value in _raw_values():
            assert value not in text, f"a raw value leaked into {where}"


SITECUSTOMIZE = textwrap.dedent(
    """
    import os, socket
    _log = os.environ["DLP_NET_LOG"]
    _orig_connect = socket.socket.connect
    _orig_connect_ex = socket.socket.connect_ex

    def _record(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            with open(_log, "a") as fh:
                fh.write(f"{os.getpid()} {address!r}\\n")
            raise OSError("network access is forbidden in this test")

    def connect(self, address):
        _record(self, address)
        return _orig_connect(self, address)

    def connect_ex(self, address):
        _record(self, address)
        return _orig_connect_ex(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    _orig_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        with open(_log, "a") as fh:
            fh.write(f"{os.getpid()} lookup {host!r}\\n")
        return _orig_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    """
)


def test_a_scan_opens_no_network_connection(share: Path, run_cli, tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    write(hook / "sitecustomize.py", SITECUSTOMIZE)
    net_log = tmp_path / "net.log"
    # An e-mail address makes Presidio's recognizer call tldextract, which would fetch the suffix list.
    write(share / "contact.txt", "Write to Dana Whitfield at dana.whitfield@example.org or visit example.com\n")
    res = run_cli("scan", str(share), "--format", "jsonl", "--no-progress",
                  env={"PYTHONPATH": str(hook), "DLP_NET_LOG": str(net_log)})
    assert res.code == 0, res.stderr
    contact = res.by_uri()[f"{share}/contact.txt"]
    assert any(f["entity"] == "EMAIL_ADDRESS" for f in contact["findings"])
    assert not net_log.exists() or net_log.read_text() == ""
