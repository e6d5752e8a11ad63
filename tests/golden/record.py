"""Rewrite the golden files: ``python -m tests.golden.record [NAME ...]`` (default: all).

Run it only when a change of behaviour is intended, and say in the commit what moved and why.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.golden import SCAN_TREES, dump, golden_path, presend_records, scan_tree


def main(names: list[str]) -> None:
    """Record the named golden files (scan trees by name, ``presend`` for the verdicts)."""
    wanted = names or [*SCAN_TREES, "presend"]
    for name in wanted:
        with tempfile.TemporaryDirectory(prefix="dlp-golden-") as tmp:
            if name == "presend":
                records = presend_records(Path(tmp) / "dlp.sqlite")
            elif name in SCAN_TREES:
                if not SCAN_TREES[name].is_dir():
                    print(f"{name}: {SCAN_TREES[name]} absent, not recorded")
                    continue
                records = scan_tree(SCAN_TREES[name], Path(tmp))
            else:
                raise SystemExit(f"unknown golden {name!r}; known: {', '.join([*SCAN_TREES, 'presend'])}")
        golden_path(name).write_text(dump(records), encoding="utf-8")
        print(f"{name}: {len(records)} records")


if __name__ == "__main__":
    main(sys.argv[1:])
