"""Grow a large file tree from a generated corpus: N copies, every file's bytes made distinct.

    python -m dlp.testdata.corpus /tmp/corpus2k --files 2000 --seed 7
    python benchmarks/grow_tree.py /tmp/corpus2k /tmp/tree100k --copies 50
    python benchmarks/scan_timing.py /tmp/tree100k --label tree100k --workers 2

Generating 100,000 files with ``dlp.testdata.corpus`` takes about an hour here (it writes real DOCX and XLSX
files one by one); copying a 2,000-file corpus 50 times takes a minute. Identical copies would be judged
once (the scanner deduplicates by content hash), which would make the full scan unrealistically short, so
each copy is made distinct without changing what it holds: text formats get a trailing line naming the
copy, ZIP-based formats (DOCX, XLSX, ZIP) a ZIP comment, and anything else a trailing newline per copy.
The figure this serves is the unchanged rescan of a 100,000-file tree against its full scan (issue 5:
under 3%).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

_TEXT = {".txt", ".csv", ".eml", ".html", ".json", ".md", ".tsv"}
_ZIPPED = {".docx", ".xlsx", ".pptx", ".zip"}
LABELS_NAME = "_labels.json"


def grow(source: Path, dest: Path, copies: int) -> tuple[int, int]:
    """Write ``copies`` distinct copies of ``source`` under ``dest/copy-NN``; return (files, bytes)."""
    files = total = 0
    originals = sorted(p for p in source.rglob("*") if p.is_file() and p.name != LABELS_NAME)
    for n in range(copies):
        root = dest / f"copy-{n:03}"
        for path in originals:
            target = root / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            suffix = path.suffix.lower()
            if suffix in _ZIPPED and zipfile.is_zipfile(path):
                shutil.copyfile(path, target)
                with zipfile.ZipFile(target, "a") as archive:
                    archive.comment = f"copy {n}".encode()
            elif suffix in _TEXT:
                data = path.read_bytes()
                line = f"\n(copy {n})\n" if suffix not in (".json",) else ""
                target.write_bytes(data + line.encode() if line else data + b" " * (n + 1))
            else:
                target.write_bytes(path.read_bytes() + b"\n" * (n + 1))
            files += 1
            total += target.stat().st_size
    return files, total


def main() -> None:
    """Grow the tree and print its size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path, help="directory to create (must be absent or empty)")
    parser.add_argument("--copies", type=int, default=50)
    args = parser.parse_args()
    if args.dest.exists() and any(args.dest.iterdir()):
        sys.exit(f"{args.dest} is not empty")
    files, total = grow(args.source, args.dest, args.copies)
    print(f"{files} files, {total / 1e6:.1f} MB in {args.dest}")


if __name__ == "__main__":
    main()
