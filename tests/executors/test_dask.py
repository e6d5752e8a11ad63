"""The Dask executor against a real LocalCluster on 127.0.0.1.

- A local and a Dask scan of the same tree store the same results (the jsonl outputs, minus timings).
- A Dask worker process killed with SIGKILL mid-scan: its tasks run elsewhere, and every item is
  stored and reported exactly once.
- A task over its time limit: the item's future fails with TimeoutError, the stuck worker is
  restarted, and the cluster keeps working.
"""

from __future__ import annotations

import json
import operator
import os
import shutil
import signal
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")

from dlp import config as config_mod  # noqa: E402
from dlp import pipeline  # noqa: E402
from dlp.detect.engine import engine_version  # noqa: E402
from dlp.errors import ConfigError  # noqa: E402
from dlp.executors import check_spec  # noqa: E402
from dlp.executors.dask import DaskExecutor  # noqa: E402
from dlp.pipeline import Scanner, ScanOptions  # noqa: E402
from dlp.store.db import Store  # noqa: E402
from tests.helpers.sinks import ResultSink  # noqa: E402
from tests.pipeline.conftest import ROOT, write  # noqa: E402

pytestmark = pytest.mark.slow

SSN = "284-73-9165"


def _tree(root: Path) -> Path:
    """examples/share plus a few synthetic files: PI, a duplicate, an archive-free binary, an empty file."""
    shutil.copytree(ROOT / "examples" / "share", root)
    write(root / "extra" / "memo.txt", f"Employee Marisol Quintero, SSN {SSN}, phone 617-555-0142.\n")
    write(root / "extra" / "memo-copy.txt", f"Employee Marisol Quintero, SSN {SSN}, phone 617-555-0142.\n")
    write(root / "extra" / "roster.csv", "First Name,Last Name,SASID\nDario,Okafor,1023456789\nBetty,Lin,1098765432\n")
    (root / "extra" / "blob.bin").write_bytes(b"\x00\x01binary\x00" * 50)
    write(root / "extra" / "empty.txt", "")
    return root


def _comparable(stdout: str) -> dict[str, dict[str, Any]]:
    """Items by URI without timings; findings as sorted lists, plus the count of findings per entity."""
    out: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        record = json.loads(line)
        if "summary" in record:
            continue
        record.pop("seconds", None)
        record["findings"] = sorted(json.dumps(f, sort_keys=True) for f in record["findings"])
        record["per_entity"] = dict(Counter(json.loads(f)["entity"] for f in record["findings"]))
        out[record["uri"]] = record
    return out


def test_local_and_dask_scans_of_the_same_tree_store_the_same_results(tmp_path: Path, run_cli,
                                                                     dlp_home: Path) -> None:
    share = _tree(tmp_path / "share")
    # One local worker (the box has two cores and the Dask scan runs two): the results may not depend on it.
    local = run_cli("scan", str(share), "--workers", "1", "--format", "jsonl", "--no-progress",
                    "--db", str(tmp_path / "local.sqlite"))
    dask = run_cli("scan", str(share), "--workers", "2", "--executor", "dask", "--format", "jsonl", "--no-progress",
                   "--db", str(tmp_path / "dask.sqlite"))
    assert local.code == 0, local.stderr
    assert dask.code == 0, dask.stderr
    a, b = _comparable(local.stdout), _comparable(dask.stdout)
    assert len(a) >= 25
    assert sorted(a) == sorted(b)
    for uri in a:
        assert a[uri] == b[uri], uri
    assert any(r["per_entity"].get("US_SSN") for r in a.values())
    sa, sb = local.summary(), dask.summary()
    for key in ("items", "by_status", "by_reason", "by_format", "examined", "deduplicated", "with_findings"):
        assert sa[key] == sb[key], key

    def stored(db: Path) -> list[tuple[Any, ...]]:
        con = sqlite3.connect(db)
        try:
            return sorted(con.execute("select uri, status, reason, classifications, subjects, content_hash, media_type "
                                      "from items").fetchall())
        finally:
            con.close()

    assert stored(tmp_path / "local.sqlite") == stored(tmp_path / "dask.sqlite")


def test_a_dask_worker_killed_mid_scan_loses_no_item_and_counts_none_twice(tmp_path: Path, monkeypatch) -> None:
    share = tmp_path / "share"
    n = 60
    for i in range(n):
        # Distinct content, so deduplication does not shortcut the work.
        write(share / f"d{i % 4}" / f"note-{i:03}.txt",
              f"Note {i}. Teacher Alma Ferreira called about student Dario Okafor-{i}, SSN {SSN}.\n" * 40)
    # NER off: the engines build faster (three builds here: two workers and the restarted one).
    settings = config_mod.load(None).with_overrides(store={"db": str(tmp_path / "dlp.sqlite")}, detect={"ner": "off"})
    store = Store(settings.store.url())
    killed: list[int] = []
    made: list[DaskExecutor] = []

    def kill_one_worker(executor: DaskExecutor) -> None:
        assert executor._client is not None
        pids = executor._client.run(os.getpid)  # {worker address: pid}
        victim = sorted(pids.values())[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    real_make = pipeline.make_executor

    def make(*args: Any, **kwargs: Any) -> Any:
        executor = real_make(*args, **kwargs)
        assert isinstance(executor, DaskExecutor)
        made.append(executor)
        schedule = executor.schedule

        def scheduling(fn: Any, args: tuple[Any, ...], timeout: float) -> Future[Any]:
            future = schedule(fn, args, timeout)
            if not killed and len(made) == 1:
                def first_done(_: Future[Any]) -> None:
                    if not killed:
                        killed.append(-1)  # claimed: kill once
                        threading.Thread(target=lambda: (killed.pop(), kill_one_worker(executor))).start()
                future.add_done_callback(first_done)
            return future

        executor.schedule = scheduling  # type: ignore[method-assign]
        return executor

    monkeypatch.setattr(pipeline, "make_executor", make)
    sink = ResultSink()
    scanner = Scanner(settings, store, os.urandom(32), engine_version(settings.detect),
                      ScanOptions(workers=2, executor="dask"))
    run_id, summary = scanner.run([_connector(share, settings)], sink)
    store.close()
    assert killed and killed[0] > 0, "no worker was killed"
    assert summary["status"] == "completed"
    uris = [r.ref.uri for r in sink.items]
    assert len(uris) == n and len(set(uris)) == n  # each item reported exactly once
    assert summary["items"] == n and summary["by_status"] == {"scanned": n}
    con = sqlite3.connect(tmp_path / "dlp.sqlite")
    rows = con.execute("select uri, count(*) from items group by uri").fetchall()
    con.close()
    assert len(rows) == n and all(count == 1 for _, count in rows)


def _connector(share: Path, settings: Any) -> Any:
    from connectors.base import for_source

    return for_source(str(share), settings)


def test_a_task_over_its_time_limit_times_out_and_the_worker_is_restarted() -> None:
    settings = config_mod.load(None).with_overrides(detect={"ner": "off"})
    executor = DaskExecutor(None, 1, settings, os.urandom(32), False)
    try:
        stuck = executor.schedule(time.sleep, (60,), 1.0)
        with pytest.raises(FutureTimeout):
            stuck.result(timeout=60)
        # The restarted worker (engine built again by the plugin) takes new work.
        assert executor.schedule(operator.add, (1, 2), 60.0).result(timeout=90) == 3
    finally:
        executor.shutdown()


def test_executor_values_are_checked() -> None:
    assert check_spec("local") == "local"
    assert check_spec("dask") == "dask"
    assert check_spec("dask://10.0.0.5:8786") == "dask://10.0.0.5:8786"
    for bad in ("spark", "dask://nohost", "dask://:8786"):
        with pytest.raises(ConfigError):
            check_spec(bad)
