"""Store integrity by construction: a run claims its sources, a second writer of the same source is refused
(exit 5 from the CLI), a crashed run's claim is taken over, and two scans of one source started together
leave the store exactly as one scan does, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update

from dlp.cli import EXIT_LOCKED
from dlp.store.db import CLAIM_STALE_SECONDS, ClaimLost, SourceBusy, Store, normalize_url
from dlp.store.schema import items, runs, source_claims
from dlp.types import ItemRef, ItemResult, Status
from tests.pipeline.conftest import ROOT
from tests.store.test_postgres import _stored


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dlp.sqlite'}"
    make: Callable[[], str] = request.getfixturevalue("pg_url")
    return make()


@pytest.fixture
def two(store_url: str) -> Iterator[tuple[Store, Store]]:
    """Two Store objects on one store, as two scanner processes would have."""
    a, b = Store(store_url), Store(store_url)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def _rows(url: str, table: Any) -> list[Any]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(table)).all())
    finally:
        engine.dispose()


def _result(source: str, name: str) -> list[ItemResult]:
    ref = ItemRef(source=source, item_id=name, uri=f"{source}/{name}", size=3)
    return [ItemResult(ref=ref, status=Status.SCANNED, content_hash=name)]


def test_a_second_run_of_the_same_source_is_refused_and_writes_nothing(two: tuple[Store, Store]) -> None:
    a, b = two
    first = a.start_run(["s"], {}, "v")
    with pytest.raises(SourceBusy, match=f"s is being scanned by run {first} \\(pid {os.getpid()}"):
        b.start_run(["s"], {}, "v")
    # Nor when the refused run also names a free source: all or nothing.
    with pytest.raises(SourceBusy):
        b.start_run(["t", "s"], {}, "v")
    assert [r.id for r in _rows(a.url, runs)] == [first]
    assert [(c.source, c.run_id) for c in a.claims()] == [("s", first)]
    # Another source is free.
    other = b.start_run(["t"], {}, "v")
    b.write(other, "v", [_result("t", "x")])
    # When the first run ends, its source is free again.
    a.finish_run(first, "completed", {})
    again = b.start_run(["s"], {}, "v")
    assert {(c.source, c.run_id) for c in b.claims()} == {("s", again), ("t", other)}


def test_writes_of_a_run_that_lost_its_claim_are_refused(two: tuple[Store, Store]) -> None:
    a, b = two
    run = a.start_run(["s"], {}, "v")
    a.write(run, "v", [_result("s", "kept")])
    # Another scan took the source over (it judged this run dead): every write of this run now stops.
    intruder = b.start_run(["other"], {}, "v")
    with b.engine.begin() as conn:
        conn.execute(update(source_claims).where(source_claims.c.source == "s").values(run_id=intruder))
    with pytest.raises(ClaimLost, match=f"run {run} no longer owns"):
        a.write(run, "v", [_result("s", "late")])
    with pytest.raises(ClaimLost):
        a.mark_seen(run, "s", ["kept"])
    with pytest.raises(ClaimLost):
        a.mark_removed(run, "s")
    assert sorted(r.item_id for r in _rows(a.url, items)) == ["kept"]
    assert a.heartbeat(run) is False
    # A write for a source the run never claimed is refused the same way.
    with pytest.raises(ClaimLost):
        b.write(intruder, "v", [_result("elsewhere", "x")])


def _claim_and_die(url: str) -> None:
    """A scanner that claims a source and dies without ending its run (as after SIGKILL)."""
    store = Store(url)
    store.start_run(["s"], {}, "v")
    os._exit(0)


def test_the_claim_of_a_run_whose_process_is_gone_is_taken_over(store_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    dead = ctx.Process(target=_claim_and_die, args=(store_url,))
    dead.start()
    dead.join(60)
    assert dead.exitcode == 0
    store = Store(store_url)
    try:
        [claim] = store.claims()
        assert claim.pid == dead.pid
        run = store.start_run(["s"], {}, "v")
        assert store.takeovers == [f"took over s from {claim.describe()}: its process {dead.pid} is gone"]
        assert [(c.source, c.run_id) for c in store.claims()] == [("s", run)]
        statuses = {r.id: r.status for r in _rows(store_url, runs)}
        assert statuses == {claim.run_id: "interrupted", run: "running"}
        store.write(run, "v", [_result("s", "a")])
    finally:
        store.close()


def test_a_claim_from_another_host_is_taken_over_only_when_its_heartbeat_stopped(two: tuple[Store, Store]) -> None:
    a, b = two
    remote = a.start_run(["s"], {}, "v")
    with a.engine.begin() as conn:
        conn.execute(update(source_claims).values(host="other-host.example.org", pid=1, heartbeat=time.time()))
    with pytest.raises(SourceBusy, match="other-host.example.org"):
        b.start_run(["s"], {}, "v")
    with a.engine.begin() as conn:
        conn.execute(update(source_claims).values(heartbeat=time.time() - CLAIM_STALE_SECONDS - 60))
    run = b.start_run(["s"], {}, "v")
    assert len(b.takeovers) == 1 and "no heartbeat for" in b.takeovers[0]
    assert [(c.source, c.run_id, c.host) for c in b.claims()] == [("s", run, socket.gethostname())]
    with pytest.raises(ClaimLost):
        a.write(remote, "v", [_result("s", "x")])


def test_a_resumed_run_claims_its_sources_again(two: tuple[Store, Store]) -> None:
    a, b = two
    run = a.start_run(["s"], {}, "v")
    a.finish_run(run, "interrupted", {})
    assert a.claims() == []
    assert b.interrupted_run(["s"]) == run
    b.reopen_run(run)
    assert [(c.source, c.run_id) for c in b.claims()] == [("s", run)]
    with pytest.raises(SourceBusy):
        a.start_run(["s"], {}, "v")


def _race(url: str, barrier: Any, results: Any) -> None:
    store = Store(url)
    barrier.wait()
    try:
        store.start_run(["s"], {}, "v")
        results.put("won")
    except SourceBusy:
        results.put("refused")
    finally:
        store.close()


def test_of_runs_claiming_one_source_at_the_same_moment_exactly_one_wins(store_url: str) -> None:
    Store(store_url).close()  # migrated before the race: the race is the claim's, not the schema's
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(store_url, barrier, results)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    outcomes = sorted(results.get(timeout=10) for _ in procs)
    assert outcomes == ["refused", "refused", "refused", "won"]
    assert len(_rows(store_url, runs)) == 1 and len(_rows(store_url, source_claims)) == 1


# -- the command line: two real scans of one folder --


def _scan(db: str, home: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "run_scan.py", "scan", "examples/share", "--db", db, "--format", "jsonl", "--no-progress",
         "--workers", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "DLP_HOME": str(home)},
    )


@pytest.fixture
def single_scan(store_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """What one scan of the example share alone stores (in a store of the same kind)."""
    if store_url.startswith("sqlite"):
        ref = f"sqlite:///{tmp_path / 'single.sqlite'}"
    else:
        ref = request.getfixturevalue("pg_url")()
    proc = _scan(ref, tmp_path / "home")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-2000:]
    stored = _stored(ref)
    assert len(stored) >= 20
    return stored


def _has_claim(url: str) -> bool:
    try:
        return bool(_rows(url, source_claims))
    except Exception:  # noqa: BLE001 - the first scan may not have created the tables yet
        return False


@pytest.mark.slow
@pytest.mark.parametrize("lock", [(), ("--no-lock",)], ids=["default-lock", "no-lock"])
def test_a_second_scan_of_a_source_being_scanned_exits_5_and_the_store_is_one_scans(
        store_url: str, tmp_path: Path, single_scan: dict[str, Any], lock: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    first = _scan(store_url, home, *lock)
    try:
        deadline = time.time() + 120
        while not _has_claim(store_url):
            assert first.poll() is None, first.communicate()[1][-2000:]
            assert time.time() < deadline, "the first scan never claimed its source"
            time.sleep(0.05)
        # Stopped, the first scan cannot finish before the second has tried: the overlap is certain.
        first.send_signal(signal.SIGSTOP)
        try:
            second = _scan(store_url, home, *lock)
            out, err = second.communicate(timeout=300)
        finally:
            first.send_signal(signal.SIGCONT)
        assert second.returncode == EXIT_LOCKED, err[-2000:]
        assert "Traceback" not in err and out == ""
        expected = "another scan holds the lock" if not lock else "is being scanned by run 1"
        assert expected in err and f"pid {first.pid}" in err
        out, err = first.communicate(timeout=600)
        assert first.returncode == 0, err[-2000:]
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert json.loads(out.splitlines()[-1])["summary"]["removed"] == 0
    assert _stored(store_url) == single_scan
    assert [(r.id, r.status) for r in _rows(store_url, runs)] == [(1, "completed")]
    assert _rows(store_url, source_claims) == []


@pytest.mark.slow
def test_two_scans_of_one_source_started_together_leave_the_store_of_one_scan(
        store_url: str, tmp_path: Path, single_scan: dict[str, Any]) -> None:
    home = tmp_path / "home"
    Store(store_url).close()  # both find the schema in place: the race is over the source
    procs = [_scan(store_url, home, "--no-lock") for _ in range(2)]
    codes = []
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert "Traceback" not in err, err[-2000:]
        codes.append(proc.returncode)
    # Overlapping, one is refused; one after the other, both complete (the second finds nothing changed).
    assert sorted(codes) in ([0, EXIT_LOCKED], [0, 0]), codes
    assert _stored(store_url) == single_scan
    assert all(r.status == "completed" for r in _rows(store_url, runs))
