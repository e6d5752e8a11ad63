"""The worker: one item in, results for it and its members out; every problem becomes a status."""

from __future__ import annotations

import io
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

from dlp import worker
from dlp.config import Settings
from dlp.types import Item, ItemRef, Reason, Status

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"


@pytest.fixture(scope="module", autouse=True)
def engine() -> None:
    settings = Settings().with_overrides(scan={"max_item_bytes": 200_000}, extract={"max_depth": 1})
    worker.init_worker(settings, b"k" * 32, False)


def item(path: Path, name: str | None = None) -> Item:
    ref = ItemRef(source="t", item_id=path.name, uri=f"share/{path.name}", size=None, local_path=str(path))
    return Item(ref=ref, name=name or path.name, path=str(path))


def test_a_file_that_vanished_before_reading_is_not_examined(tmp_path: Path) -> None:
    [r] = worker.process_item(item(tmp_path / "gone.txt"))
    assert (r.status, r.reason) == (Status.NOT_EXAMINED, Reason.VANISHED)


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 300_000)
    [r] = worker.process_item(item(big))
    assert (r.status, r.reason) == (Status.NOT_EXAMINED, Reason.TOO_LARGE)


def test_members_become_items_with_parent_uris_and_the_depth_limit_holds(tmp_path: Path) -> None:
    results = worker.process_item(item(FIXTURES / "nested.zip"))
    top = results[0]
    assert top.status is Status.SCANNED and top.uri == "share/nested.zip"
    members = results[1:]
    assert members and all(m.uri.startswith("share/nested.zip!/") for m in members)
    assert all(m.parent_uri is not None and m.uri.startswith(m.parent_uri + "!/") for m in members)
    deep = [m for m in members if m.uri.count("!/") >= 2]
    assert deep and all((m.status, m.reason) == (Status.NOT_EXAMINED, Reason.TOO_DEEP) for m in deep)


def test_an_encrypted_member_without_its_password_is_reported_with_its_cipher() -> None:
    results = worker.process_item(item(FIXTURES / "aes256.zip"))
    locked = [r for r in results[1:] if r.reason is Reason.ENCRYPTED]
    assert locked and all(r.encrypted and r.key_bits == 256 for r in locked)


def test_a_corrupt_file_is_an_error_with_no_content_in_its_detail(tmp_path: Path) -> None:
    [r] = worker.process_item(item(FIXTURES / "truncated.docx"))
    assert (r.status, r.reason) == (Status.ERROR, Reason.CORRUPT)
    assert r.detail and "Alvarez" not in r.detail


def test_a_renamed_file_is_read_by_what_it_is(tmp_path: Path) -> None:
    copy = tmp_path / "roster.dat"
    shutil.copy(FIXTURES / "roster.xlsx", copy)
    [r] = worker.process_item(item(copy))
    assert r.status is Status.SCANNED and r.media_type and "spreadsheet" in r.media_type
    assert any(f.entity == "PERSON" for f in r.findings)


def test_unknown_binary_content_is_unsupported(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 4)
    [r] = worker.process_item(item(blob))
    assert (r.status, r.reason) == (Status.NOT_EXAMINED, Reason.UNSUPPORTED)


def test_members_with_the_same_name_get_distinct_uris_and_the_top_item_its_stage_times(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate name is the point
        for name in ("r.csv", "r.csv", "r (2).csv"):
            archive.writestr(name, "Last Name,First Name\nAlvarez,Jordan\n")
    path = tmp_path / "dup.zip"
    path.write_bytes(buffer.getvalue())
    top, *members = worker.process_item(item(path))
    assert [m.uri for m in members] == ["share/dup.zip!/r.csv", "share/dup.zip!/r (2).csv",
                                        "share/dup.zip!/r (2) (2).csv"]
    assert all(m.parent_uri == "share/dup.zip" and m.status is Status.SCANNED for m in members)
    assert {"read", "extract", "detect", "classify"} <= set(top.stage_seconds)
    assert "read" not in members[0].stage_seconds and top.seconds > 0
