"""The SMB connector against a real Samba server that these tests start on 127.0.0.1 in a temp dir.

The recipe (and its traps) is ../shared/research/test-infra.md section 1: every Samba state dir in the
temp dir, a free port, ``start_new_session=True`` together with ``--no-process-group`` (without both,
stopping smbd kills pytest or smbd fails to start). The tests skip when ``smbd`` is not installed
(``apt-get install samba``) or when they do not run as root (the share user is a Unix user, and the
unreadable file must belong to someone else). Everything on the share is synthetic.
"""

from __future__ import annotations

import io
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.smb import SmbConnector
from dlp.config import ScanSettings, Settings, SourceSettings
from dlp.errors import ConfigError, ItemError, NotExamined
from dlp.types import Item, ItemRef, Reason, Status
from tests.helpers.net import free_port
from tests.helpers.sinks import ResultSink
from tests.helpers.waiting import logged, wait_until

ROOT = Path(__file__).resolve().parents[2]
USER = "dlpsmb"
PASSWORD = "S3cret!pw-synthetic"
SSN = "284-73-9165"  # invented; passes the SSN validator's area/group/serial rules
MEMO = f"Personnel memo. Employee Marisol Quintero has SSN {SSN} on file; call 617-555-0142.\n"
ROSTER = (
    "Last Name,First Name,SASID,DOB,Grade\n"
    "Okafor,Bill,1012345678,2011-04-09,8\n"
    "Lindqvist,Aurora,1023456789,2010-11-23,9\n"
    "Abernathy,Desmond,1034567890,2011-01-30,8\n"
)
BULK = 16  # small files for the restart tests: enough fetches to stop the server in the middle


class SambaServer:
    """One smbd serving ``[share]`` from a temp dir; it can be stopped and started on the same port."""

    def __init__(self, base: Path, share_options: str = "") -> None:
        self.base = base
        self.port = free_port()
        self.share = base / "share"
        self.conf = base / "smb.conf"
        self.proc: subprocess.Popen[bytes] | None = None
        for name in ("private", "binddns", "lock", "state", "cache", "pid", "ncalrpc", "log", "share"):
            (base / name).mkdir()
        (base / "private").chmod(0o700)
        self.conf.write_text(textwrap.dedent(f"""\
            [global]
              workgroup = WORKGROUP
              server role = standalone server
              interfaces = 127.0.0.1
              bind interfaces only = yes
              smb ports = {self.port}
              disable netbios = yes
              private dir = {base}/private
              binddns dir = {base}/binddns
              lock directory = {base}/lock
              state directory = {base}/state
              cache directory = {base}/cache
              pid directory = {base}/pid
              ncalrpc dir = {base}/ncalrpc
              passdb backend = tdbsam:{base}/private/passdb.tdb
              log file = {base}/log/log.%m
              map to guest = never
              load printers = no
              printing = bsd
              printcap name = /dev/null
              disable spoolss = yes
              server min protocol = SMB2_02
            [share]
              path = {self.share}
              read only = no
              valid users = {USER}
            """) + share_options)  # more lines of [share] (test_smb_acl.py: NT ACLs in xattrs)
        subprocess.run(["smbpasswd", "-c", str(self.conf), "-s", "-a", USER], input=f"{PASSWORD}\n{PASSWORD}\n",
                       text=True, check=True, capture_output=True)

    def start(self) -> None:
        # Both are needed: smbd signals its whole process group on shutdown (so it must not share
        # ours), and it fails to start if it has to call setsid() itself inside a new session.
        self.proc = subprocess.Popen(
            ["smbd", "--foreground", "--no-process-group", "--debug-stdout", "-s", str(self.conf)],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._listening, "listening (smbd)", timeout=60)

    def _listening(self) -> bool:
        assert self.proc is not None
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            if self.proc.poll() is not None:
                raise RuntimeError(f"smbd exited with {self.proc.returncode}; see {self.base}/log") from None
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
        self.proc = None

    @property
    def uri(self) -> str:
        return f"smb://{USER}@127.0.0.1:{self.port}/share"


def _own(path: Path) -> None:
    entry = pwd.getpwnam(USER)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _fill(share: Path) -> None:
    """The synthetic tree: a memo, a roster, a zip, nested folders, a denied file and folder, a hidden file."""
    files = {
        "hr/memo.txt": MEMO,
        "hr/roster.csv": ROSTER,
        "sub/deeper/notes.txt": "Field trip on Friday; bring a lunch.\n",
        "menu.txt": "Tuesday: tacos. Wednesday: pasta.\n",
        ".hidden-notes.txt": MEMO,
    }
    files.update({f"bulk/note-{i:02d}.txt": f"Note {i}: the bus leaves at {7 + i % 3}:15.\n" for i in range(BULK)})
    for rel, text in files.items():
        path = share / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("2025/roster.csv", ROSTER)
        archive.writestr("memo.txt", MEMO)
    (share / "records.zip").write_bytes(buf.getvalue())
    for path in [share, *share.rglob("*")]:
        _own(path)
    # Owned by root, mode 0600 / 0700: the share user may neither read the file nor list the folder.
    (share / "secret.txt").write_text(MEMO)
    (share / "secret.txt").chmod(0o600)
    (share / "locked").mkdir()
    (share / "locked" / "inside.txt").write_text(MEMO)
    (share / "locked").chmod(0o700)


def new_server(share_options: str = "") -> SambaServer:
    """A configured (not started) server in a new temp dir; skips the test where Samba cannot run."""
    if shutil.which("smbd") is None or shutil.which("smbpasswd") is None:
        pytest.skip("Samba is not installed (apt-get install samba); the SMB tests need a real smbd")
    if os.geteuid() != 0:
        pytest.skip("the SMB tests run as root: they add the Unix user of the share and chown its files")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", USER], check=True)
    # Not pytest's tmp_path: its root is 0700, and smbd reads the share as the share user.
    base = Path(tempfile.mkdtemp(prefix="dlp-smb-"))
    base.chmod(0o755)
    return SambaServer(base, share_options)


@pytest.fixture(scope="session")
def samba() -> Iterator[SambaServer]:
    server = new_server()
    base = server.base
    _fill(server.share)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLP_SMB_PASSWORD", PASSWORD)


def connect(samba: SambaServer, **scan: Any) -> SmbConnector:
    return SmbConnector.from_uri(samba.uri, Settings(scan=ScanSettings(**scan)))


def expected_files(share: Path) -> set[str]:
    """What a share user sees: every visible file but the denied ones."""
    found = set()
    for path in share.rglob("*"):
        rel = path.relative_to(share).as_posix()
        if path.is_file() and not rel.startswith((".", "locked/")) and rel != "secret.txt":
            found.add(rel)
    return found


# -- enumeration and fetch --


def test_enumeration_matches_the_tree_with_owner_and_problems(samba: SambaServer, password: None) -> None:
    conn = connect(samba)
    try:
        refs = list(conn.enumerate())
    finally:
        conn.close()
    ids = [r.item_id for r in refs]
    assert len(ids) == len(set(ids))
    by_id = {r.item_id: r for r in refs}
    readable = {i for i, r in by_id.items() if r.status is None}
    assert readable == expected_files(samba.share)
    memo = by_id["hr/memo.txt"]
    assert memo.uri == f"{samba.uri}/hr/memo.txt" and memo.local_path is None
    assert memo.size == len(MEMO) and memo.modified == pytest.approx((samba.share / "hr/memo.txt").stat().st_mtime)
    assert memo.etag and memo.etag.endswith(f":{len(MEMO)}")
    assert memo.owner and memo.owner.startswith("S-1-")  # a SID: SMB alone cannot name the account
    # The denied file and the folder that cannot be listed are items with their reason.
    assert (by_id["secret.txt"].status, by_id["secret.txt"].reason) == (Status.ERROR, Reason.PERMISSION_DENIED)
    assert (by_id["locked"].status, by_id["locked"].reason) == (Status.ERROR, Reason.PERMISSION_DENIED)
    assert not any(i.startswith(".") for i in ids)
    assert conn.source_key == f"smb:127.0.0.1:{samba.port}/share"


def test_selection_rules_and_hidden_files_follow_the_scan_settings(samba: SambaServer, password: None) -> None:
    only_csv = connect(samba, include=("*.csv",))
    assert [r.item_id for r in only_csv.enumerate() if r.status is None] == ["hr/roster.csv"]
    hidden = connect(samba, hidden=True, exclude=("bulk/**",))
    assert ".hidden-notes.txt" in {r.item_id for r in hidden.enumerate()}
    sub = SmbConnector.from_uri(f"{samba.uri}/sub", Settings())
    assert [(r.item_id, r.uri) for r in sub.enumerate()] == [("deeper/notes.txt", f"{samba.uri}/sub/deeper/notes.txt")]
    one = SmbConnector.from_uri(f"{samba.uri}/hr/memo.txt", Settings())
    (ref,) = list(one.enumerate())
    assert ref.uri == f"{samba.uri}/hr/memo.txt" and one.fetch(ref).data == MEMO.encode()
    for conn in (only_csv, hidden, sub, one):
        conn.close()


def test_fetch_reads_content_and_maps_refusals_to_item_statuses(samba: SambaServer, password: None) -> None:
    import smbclient

    conn = connect(samba)
    refs = {r.item_id: r for r in conn.enumerate()}
    assert conn.fetch(refs["hr/memo.txt"]).data == MEMO.encode()
    assert conn.fetch(refs["records.zip"]).data == (samba.share / "records.zip").read_bytes()
    # Denied at open time (the ref is made by hand: enumeration already reports this file).
    denied = ItemRef(source=conn.source_key, item_id="secret.txt", uri=f"{samba.uri}/secret.txt", size=10)
    with pytest.raises(ItemError) as exc:
        conn.fetch(denied)
    assert exc.value.reason is Reason.PERMISSION_DENIED and not isinstance(exc.value, NotExamined)
    # Over the size cap: not examined, nothing read.
    small = connect(samba, max_item_bytes=16)
    with pytest.raises(NotExamined) as exc:
        small.fetch(refs["hr/memo.txt"])
    assert exc.value.reason is Reason.TOO_LARGE
    # Vanished between listing and reading.
    gone = samba.share / "bulk" / "gone.txt"
    gone.write_text("short-lived\n")
    _own(gone)
    ref = next(r for r in conn.enumerate() if r.item_id == "bulk/gone.txt")
    gone.unlink()
    with pytest.raises(NotExamined) as exc:
        conn.fetch(ref)
    assert exc.value.reason is Reason.VANISHED
    # Open elsewhere without sharing (as Office and Access do): a sharing violation, reported as such.
    cache: dict[str, Any] = {}
    kw = {"port": samba.port, "connection_cache": cache, "username": USER, "password": PASSWORD}
    try:
        with (smbclient.open_file(r"\\127.0.0.1\share\hr\roster.csv", mode="rb", share_access=None, **kw),
              pytest.raises(ItemError) as exc):
            conn.fetch(refs["hr/roster.csv"])
    finally:
        smbclient.reset_connection_cache(fail_on_error=False, connection_cache=cache)
    assert exc.value.reason is Reason.UNREADABLE and exc.value.detail == "sharing violation: the file is open elsewhere"
    for c in (conn, small):
        c.close()


def test_concurrent_fetches_share_one_session(samba: SambaServer, password: None) -> None:
    from concurrent.futures import ThreadPoolExecutor

    conn = connect(samba)
    refs = [r for r in conn.enumerate() if r.status is None]
    with ThreadPoolExecutor(8) as pool:
        data = list(pool.map(lambda r: conn.fetch(r).data, refs))
    assert data == [(samba.share / r.item_id).read_bytes() for r in refs]
    assert 1 <= len(conn._slots) <= conn._max_slots  # bounded: at most fetch_threads + 1 connections
    conn.close()


# -- a dropped connection --


# The connector logs this when a call met a dropped connection and is about to wait and retry it.
LOST = "lost while"


def _start_when(samba: SambaServer, lost: threading.Event) -> threading.Thread:
    """Start the stopped server again once the connector has met the dropped connection."""
    def start() -> None:
        if lost.wait(120):
            samba.start()

    thread = threading.Thread(target=start, name="smbd-back")
    thread.start()
    return thread


def test_enumeration_continues_where_it_was_after_a_server_restart(samba: SambaServer, password: None) -> None:
    before = [(r.item_id, r.status) for r in connect(samba).enumerate()]

    class Restarting(SmbConnector):
        listed = 0

        def _list(self, rel: str, kwargs: dict[str, Any]) -> list[Any]:
            Restarting.listed += 1
            if Restarting.listed == 3:
                samba.stop()  # down now, in the middle of the walk; back once a retry waits
                restarts.append(_start_when(samba, lost))
            return super()._list(rel, kwargs)

    restarts: list[threading.Thread] = []
    with logged("connectors.smb", LOST) as lost:
        conn = Restarting.from_uri(samba.uri, Settings())
        after = [(r.item_id, r.status) for r in conn.enumerate()]
        conn.close()
    for thread in restarts:
        thread.join()
    assert lost.is_set(), "the listing never met the stopped server"
    assert Restarting.listed > 3
    assert after == before


def test_a_server_restart_in_the_middle_of_a_scan_loses_no_item(samba: SambaServer, password: None,
                                                                tmp_path: Path) -> None:
    from dlp.pipeline import Scanner, ScanOptions
    from dlp.store.db import Store

    restarts: list[threading.Thread] = []

    class Restarting(SmbConnector):
        fetched = 0

        def fetch(self, ref: ItemRef) -> Item:
            with lock:
                Restarting.fetched += 1
                if Restarting.fetched == 5:
                    samba.stop()  # down now: this fetch and those beside it meet it; back once a retry waits
                    restarts.append(_start_when(samba, lost))
            return super().fetch(ref)

    lock = threading.Lock()
    conn = Restarting.from_uri(samba.uri, Settings())
    settings = Settings(scan=ScanSettings(fetch_threads=4))
    scanner = Scanner(settings, Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}"), b"k" * 32, "v1", ScanOptions(workers=1))
    sink = ResultSink()
    with logged("connectors.smb", LOST) as lost:
        _, summary = scanner.run([conn], sink)
    for thread in restarts:
        thread.join()
    assert restarts, "the server was never restarted"
    assert lost.is_set(), "no fetch met the stopped server"
    by_uri = sink.by_uri()
    expected = {f"{samba.uri}/{rel}" for rel in expected_files(samba.share)}
    scanned = {uri for uri, r in by_uri.items() if r.status is Status.SCANNED and "!/" not in uri}
    assert scanned == expected
    assert "MA_PI" in by_uri[f"{samba.uri}/hr/memo.txt"].classifications
    assert summary["status"] == "completed"


# -- the real command line --


def run_cli(*args: str, env: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "DLP_SMB_PASSWORD"}
    full.update({"DLP_HOME": str(home), **env})
    return subprocess.run([sys.executable, str(ROOT / "run_scan.py"), *args], capture_output=True, text=True,
                          env=full, timeout=240, cwd=ROOT)


def records(stdout: str) -> dict[str, dict[str, Any]]:
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return {r["uri"]: r for r in lines if "summary" not in r}


def _essence(record: dict[str, Any]) -> tuple[Any, ...]:
    findings = sorted((f["entity"], f["count"], tuple(f["locations"])) for f in record["findings"])
    return record["status"], record["reason"], tuple(record["classifications"]), record["subjects"], tuple(findings)


def test_a_cli_scan_of_the_share_finds_what_a_local_scan_of_the_folder_finds(samba: SambaServer,
                                                                           tmp_path: Path) -> None:
    remote = run_cli("scan", samba.uri, "--format", "jsonl", "--workers", "1", "--no-progress",
                     env={"DLP_SMB_PASSWORD": PASSWORD}, home=tmp_path / "smb-home")
    assert remote.returncode == 0, remote.stderr
    local = run_cli("scan", str(samba.share), "--format", "jsonl", "--workers", "1", "--no-progress",
                    env={}, home=tmp_path / "local-home")
    assert local.returncode == 0, local.stderr
    smb_items = {uri.removeprefix(samba.uri + "/"): r for uri, r in records(remote.stdout).items()}
    local_items = {uri.removeprefix(str(samba.share) + "/"): r for uri, r in records(local.stdout).items()}
    # The local scan runs as root and reads what the share user may not: compare everything else.
    denied = {rel for rel, r in smb_items.items() if r["reason"] == "permission_denied"}
    assert denied == {"secret.txt", "locked"}
    comparable = set(smb_items) - denied
    assert comparable == {rel for rel in local_items if rel != "secret.txt" and not rel.startswith("locked/")}
    assert {rel: _essence(smb_items[rel]) for rel in comparable} == {rel: _essence(local_items[rel])
                                                                     for rel in comparable}
    memo = smb_items["hr/memo.txt"]
    assert "MA_PI" in memo["classifications"] and memo["owner"].startswith("S-1-")
    assert smb_items["records.zip!/memo.txt"]["status"] == "scanned"
    assert any(f["entity"] == "MA_SASID" for f in smb_items["hr/roster.csv"]["findings"])
    assert PASSWORD not in remote.stdout + remote.stderr


def test_a_missing_password_exits_2_naming_the_variable(samba: SambaServer, tmp_path: Path) -> None:
    res = run_cli("scan", samba.uri, "--no-progress", env={}, home=tmp_path / "h1")
    assert res.returncode == 2 and "DLP_SMB_PASSWORD" in res.stderr
    conf = tmp_path / "dlp.toml"
    conf.write_text(f'[sources.staff]\ntype = "smb"\nhost = "127.0.0.1"\nport = {samba.port}\nshare = "share"\n'
                    f'username = "{USER}"\npassword_env = "DLP_TEST_STAFF_PW"\n')
    res = run_cli("scan", "staff", "--config", str(conf), "--no-progress", env={}, home=tmp_path / "h2")
    assert res.returncode == 2 and "DLP_TEST_STAFF_PW" in res.stderr
    # The smb:// address of a configured source takes that source's variable.
    res = run_cli("scan", samba.uri, "--config", str(conf), "--no-progress", env={}, home=tmp_path / "h3")
    assert res.returncode == 2 and "DLP_TEST_STAFF_PW" in res.stderr


# -- configuration (no server needed) --


def _source(**options: Any) -> Settings:
    return Settings(sources={"staff": SourceSettings(type="smb", options=options)})


def test_addresses_and_named_sources_are_parsed_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLP_SMB_PASSWORD", "x")
    monkeypatch.setenv("STAFF_PW", "y")
    conn = SmbConnector.from_uri("smb://CPSD;svc-dlp@fs1.example.org:4455/staff/hr/2025", Settings())
    assert (conn.host, conn.port, conn.share, conn.path, conn.username) == (
        "fs1.example.org", 4455, "staff", "hr/2025", "CPSD\\svc-dlp")
    assert conn._unc("memo.txt") == r"\\fs1.example.org\staff\hr\2025\memo.txt"
    named = SmbConnector.from_config("staff", {"host": "fs1", "share": "staff", "username": "svc",
                                               "password_env": "STAFF_PW"}, Settings())
    assert (named.port, named._password, named.display) == (445, "y", "staff")
    matched = SmbConnector.from_uri("smb://fs1/staff/hr", _source(host="fs1", share="staff", username="svc",
                                                                   password_env="STAFF_PW"))
    assert (matched.username, matched._password) == ("svc", "y")
    for uri, message in [("smb://u:pw@fs1/staff", "password in the address"), ("smb://u@fs1", "no share"),
                         ("smb://fs1/staff", "no user name"), ("smb://u@fs1/staff/../x", "'..'")]:
        with pytest.raises(ConfigError, match=message):
            SmbConnector.from_uri(uri, Settings())
    base = {"host": "fs1", "share": "staff", "username": "svc"}
    for extra, message in [({"password": "pw"}, "never read from the config"), ({"endpoint": "x"}, "host and port"),
                           ({"port": 0}, "port"), ({"auth": "basic"}, "auth"), ({"colour": 1}, "unknown key")]:
        with pytest.raises(ConfigError, match=message):
            SmbConnector.from_config("staff", {**base, **extra}, Settings())
    monkeypatch.delenv("STAFF_PW")
    with pytest.raises(ConfigError, match="STAFF_PW"):
        SmbConnector.from_config("staff", {**base, "password_env": "STAFF_PW"}, Settings())
    kerberos = SmbConnector.from_config("staff", {"host": "fs1", "share": "staff", "auth": "kerberos"}, Settings())
    assert kerberos._password is None and kerberos.username is None


def test_an_unreachable_server_is_an_error_item_and_the_source_stays_incomplete(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import connectors.smb as smb

    monkeypatch.setattr(smb, "RETRIES", 1)
    monkeypatch.setattr(smb, "BACKOFF_FIRST", 0.01)
    monkeypatch.setenv("DLP_SMB_PASSWORD", "x")
    conn = SmbConnector.from_uri(f"smb://u@127.0.0.1:{free_port()}/share", Settings())  # nothing listens
    walk = conn.enumerate()
    root = next(walk)
    assert (root.status, root.reason) == (Status.ERROR, Reason.UNREADABLE) and "unreachable" in (root.detail or "")
    # Raised, not returned: a normal end would let the pipeline mark every unseen item removed.
    with pytest.raises(smb.SmbUnavailable):
        next(walk)
    ref = ItemRef(source=conn.source_key, item_id="a.txt", uri=f"{conn.display}/a.txt", size=1)
    with pytest.raises(ItemError) as exc:
        conn.fetch(ref)
    assert exc.value.reason is Reason.UNREADABLE


def test_socket_errors_without_an_nt_status_count_as_a_lost_connection() -> None:
    """A restart can close a socket under another thread (EBADF): retry it, as the server refused nothing."""
    from smbprotocol.exceptions import SMBOSError

    from connectors.smb import _connection_lost

    assert _connection_lost(OSError(9, "Bad file descriptor"))
    assert _connection_lost(SMBOSError(0xC000020C, "note.txt"))  # STATUS_CONNECTION_DISCONNECTED
    assert not _connection_lost(SMBOSError(0xC0000022, "note.txt"))  # access denied: an answer, not a loss
