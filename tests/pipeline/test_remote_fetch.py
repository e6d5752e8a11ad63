"""Items of a source with no local path are fetched in I/O threads and judged like any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from connectors.base import Connector
from dlp.config import Settings
from dlp.errors import ItemError
from dlp.pipeline import Scanner, ScanOptions
from dlp.store.db import Store
from dlp.types import Item, ItemRef, Reason, Status
from tests.helpers.sinks import ResultSink

MEMO = b"Payroll memo: employee Marisol Quintero, SSN 284-73-9165, direct deposit on file.\n"


class MemoryConnector(Connector):
    """A stand-in for a remote source: references without a local path, content from fetch()."""

    name = "memory-test"  # defined here, outside connectors/: never discovered

    def __init__(self) -> None:
        self.source_key = "memory:test"
        self.fetched: list[str] = []

    def enumerate(self) -> Iterator[ItemRef]:
        for name in ("memo.txt", "locked.txt", "flaky.txt"):
            yield ItemRef(source=self.source_key, item_id=name, uri=f"mem://share/{name}", size=len(MEMO),
                          etag=name, owner="jdoe@example.org", exposure=("anyone_with_link",))

    def fetch(self, ref: ItemRef) -> Item:
        self.fetched.append(ref.item_id)
        if ref.item_id == "locked.txt":
            raise ItemError(Reason.PERMISSION_DENIED, "the server refused the download")
        if ref.item_id == "flaky.txt":
            raise ConnectionResetError("peer reset: secret detail from the server")
        return Item(ref=ref, name=ref.item_id, data=MEMO)


def test_remote_items_are_fetched_judged_and_their_failures_recorded(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}")
    connector = MemoryConnector()
    sink = ResultSink()
    scanner = Scanner(Settings(), store, b"k" * 32, "v1", ScanOptions(workers=1))
    _, summary = scanner.run([connector], sink)
    by_uri = sink.by_uri()
    memo = by_uri["mem://share/memo.txt"]
    assert memo.status is Status.SCANNED and "MA_PI" in memo.classifications
    assert memo.ref.exposure == ("anyone_with_link",) and memo.ref.owner == "jdoe@example.org"
    # Shared with anyone holding the link: the transfer rules judged it during the scan, and it is stored.
    assert memo.verdict == "block" and memo.verdict_reasons[0].startswith("public-link:")
    row = store.engine.connect().exec_driver_sql("select verdict from items where item_id = 'memo.txt'").one()
    assert row[0] == "block"
    locked = by_uri["mem://share/locked.txt"]
    assert (locked.status, locked.reason) == (Status.ERROR, Reason.PERMISSION_DENIED)
    flaky = by_uri["mem://share/flaky.txt"]
    assert (flaky.status, flaky.reason) == (Status.ERROR, Reason.UNREADABLE)
    assert flaky.detail and "secret" not in flaky.detail
    assert sorted(connector.fetched) == ["flaky.txt", "locked.txt", "memo.txt"]
    assert summary["by_status"] == {"error": 2, "scanned": 1}


class BrokenConnector(MemoryConnector):
    """Lists one item, then its server goes away for good."""

    def __init__(self) -> None:
        super().__init__()
        self.source_key = "memory:broken"

    def enumerate(self) -> Iterator[ItemRef]:
        yield ItemRef(source=self.source_key, item_id="memo.txt", uri="mem://broken/memo.txt", size=len(MEMO))
        raise ConnectionError("server gone")


def test_a_source_that_fails_half_way_is_recorded_and_the_next_source_still_scanned(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}")
    sink = ResultSink()
    scanner = Scanner(Settings(), store, b"k" * 32, "v1", ScanOptions(workers=1))
    _, summary = scanner.run([BrokenConnector(), MemoryConnector()], sink)
    uris = sink.by_uri()
    assert uris["memory:broken"].status is Status.ERROR and "ConnectionError" in (uris["memory:broken"].detail or "")
    assert uris["mem://broken/memo.txt"].status is Status.SCANNED
    assert uris["mem://share/memo.txt"].status is Status.SCANNED
    assert summary["status"] == "completed"
