"""Files that may hold PI are created 0600, and nothing but regular files is ever narrowed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dlp.files import open_private


def test_new_file_is_private(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with open_private(target) as handle:
        handle.write("{}\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_existing_readable_file_is_narrowed(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o644)
    with open_private(target) as handle:
        handle.write("new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_fifo_keeps_its_mode(tmp_path: Path) -> None:
    # /dev/null itself cannot be used here without root side effects; a FIFO is the same kind of case:
    # not a regular file, so open_private must write to it without changing its mode.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o666)
    os.chmod(fifo, 0o666)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with open_private(fifo) as handle:
            handle.write("x")
    finally:
        os.close(reader)
    assert stat.S_IMODE(fifo.stat().st_mode) == 0o666
