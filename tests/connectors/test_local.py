"""The local connector: selection, hidden files, symlinks (loops, escapes), special files, unreadable entries."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from connectors.local import LocalConnector
from dlp.config import ScanSettings, Settings
from dlp.errors import ConfigError
from dlp.types import Reason, Status


def make(root: Path, **scan: object) -> LocalConnector:
    return LocalConnector(str(root), str(root), ScanSettings(**scan))  # type: ignore[arg-type]


def refs(conn: LocalConnector) -> dict[str, object]:
    return {r.item_id: r for r in conn.enumerate()}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "one.txt").write_text("one")
    (root / "a" / "b" / "two.csv").write_text("x,y\n1,2\n")
    (root / "top.docx").write_bytes(b"PK")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("x")
    (root / "~$lock.docx").write_text("x")
    (root / "Thumbs.db").write_text("x")
    return root


def test_enumeration_is_recursive_sorted_and_skips_hidden_and_system_files(tree: Path) -> None:
    found = refs(make(tree))
    assert list(found) == ["a/b/two.csv", "a/one.txt", "top.docx"]
    ref = found["a/one.txt"]
    assert ref.uri == f"{tree}/a/one.txt" and ref.size == 3 and ref.local_path == str(tree / "a" / "one.txt")
    assert ref.etag and ref.modified


def test_hidden_files_are_included_when_asked(tree: Path) -> None:
    assert {".git/config", "~$lock.docx", "Thumbs.db"} <= set(refs(make(tree, hidden=True)))


def test_include_and_exclude_globs_apply_to_relative_paths_and_names(tree: Path) -> None:
    assert list(refs(make(tree, include=("*.csv",)))) == ["a/b/two.csv"]
    assert list(refs(make(tree, exclude=("a/**",)))) == ["top.docx"]
    assert list(refs(make(tree, include=("a/*",), exclude=("*.csv",)))) == ["a/one.txt"]


def test_a_symlink_loop_is_reported_and_not_followed(tree: Path) -> None:
    os.symlink(tree / "a", tree / "a" / "b" / "back-to-a")
    found = refs(make(tree))
    loop = found["a/b/back-to-a"]
    assert (loop.status, loop.reason) == (Status.NOT_EXAMINED, Reason.SYMLINK_LOOP)
    assert sum(1 for k in found if k.endswith("one.txt")) == 1


def test_a_self_referencing_link_chain_is_reported(tree: Path) -> None:
    os.symlink("self", tree / "self")
    ref = refs(make(tree))["self"]
    assert ref.status is not None and ref.reason in (Reason.SYMLINK_LOOP, Reason.VANISHED)


def test_a_symlink_outside_the_root_is_not_followed_unless_allowed(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    os.symlink(outside, tree / "escape")
    os.symlink(outside / "secret.txt", tree / "escape-file.txt")
    found = refs(make(tree))
    assert found["escape"].reason is Reason.OUTSIDE_ROOT
    assert found["escape-file.txt"].reason is Reason.OUTSIDE_ROOT
    allowed = refs(make(tree, allow_outside_root=True))
    assert allowed["escape/secret.txt"].status is None
    assert allowed["escape-file.txt"].local_path == str(outside / "secret.txt")


def test_a_symlink_inside_the_root_is_followed(tree: Path) -> None:
    os.symlink(tree / "a" / "one.txt", tree / "link.txt")
    assert refs(make(tree))["link.txt"].status is None


def test_broken_symlinks_and_fifos_are_reported_never_opened(tree: Path) -> None:
    os.symlink(tree / "gone.txt", tree / "broken.txt")
    os.mkfifo(tree / "pipe")
    found = refs(make(tree))
    assert (found["broken.txt"].status, found["broken.txt"].reason) == (Status.ERROR, Reason.VANISHED)
    assert (found["pipe"].status, found["pipe"].reason) == (Status.NOT_EXAMINED, Reason.UNSUPPORTED)


def test_a_single_file_can_be_the_source(tree: Path) -> None:
    conn = make(tree / "a" / "one.txt")
    [ref] = list(conn.enumerate())
    assert ref.item_id == "one.txt" and ref.uri == str(tree / "a" / "one.txt")


def test_a_missing_source_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        LocalConnector.from_uri(str(tmp_path / "nope"), Settings())


@pytest.mark.skipif(not hasattr(os, "setuid") or os.geteuid() != 0, reason="needs root to drop to nobody")
def test_unreadable_files_and_folders_become_permission_denied_items() -> None:
    # Root reads everything, so enumerate as 'nobody' in a child process.
    base = Path(tempfile.mkdtemp(prefix="dlp-perm-"))
    try:
        base.chmod(0o755)
        (base / "open.txt").write_text("x")
        (base / "open.txt").chmod(0o644)
        (base / "locked").mkdir(mode=0o700)
        (base / "locked" / "inside.txt").write_text("x")
        # Fork, drop to 'nobody' in the child, enumerate there and send the result back through a pipe.
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read_fd)
            os.setgid(65534)
            os.setuid(65534)
            conn = LocalConnector(str(base), "x", ScanSettings())
            found = sorted((r.item_id, r.reason.value if r.reason else None) for r in conn.enumerate())
            os.write(write_fd, repr(found).encode())
            os._exit(0)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            out = pipe.read()
        os.waitpid(pid, 0)
        assert out == "[('locked', 'permission_denied'), ('open.txt', None)]"
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)
