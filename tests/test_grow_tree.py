"""The tree grower makes every copy distinct in bytes yet the same in what the extractors read."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from benchmarks.grow_tree import grow
from dlp.extract.base import extractor_for, sniff
from tests.extract.conftest import make_ctx, make_item

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"


def _texts(path: Path) -> list[str]:
    data = path.read_bytes()
    extractor = extractor_for(sniff(path.name, data[:8192]))
    return [p.text.replace("(copy 0)", "").replace("(copy 1)", "").strip()
            for p in extractor.extract(make_item(path.name, data), make_ctx()).parts]


def test_copies_differ_in_bytes_and_read_the_same(tmp_path: Path) -> None:
    source = tmp_path / "corpus"
    (source / "hr").mkdir(parents=True)
    for name in ("iep_notes.docx", "roster.xlsx", "roster.csv", "members.zip"):
        shutil.copy(FIXTURES / name, source / "hr" / name)
    (source / "_labels.json").write_text("{}")
    files, size = grow(source, tmp_path / "tree", 2)
    assert files == 8 and size > 0
    copies = sorted((tmp_path / "tree").rglob("*.*"))
    assert not [p for p in copies if p.name == "_labels.json"]
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in copies}
    assert len(digests) == 8  # no copy is a byte-identical duplicate of another file
    for name in ("iep_notes.docx", "roster.xlsx", "roster.csv"):
        original = _texts(source / "hr" / name)
        for n in (0, 1):
            assert _texts(tmp_path / "tree" / f"copy-00{n}" / "hr" / name) == original
