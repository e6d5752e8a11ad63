"""``dlp roster import FILE --kind student|employee``: read a roster, keep its keyed hashes, print the counts."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from dlp.errors import ConfigError
from dlp.roster.fields import KINDS
from dlp.roster.people import ImportSummary, parse_roster
from dlp.roster.reading import read_table
from dlp.roster.store import store_people


def import_file(path: Path, kind: str, key: bytes, roster_path: Path) -> ImportSummary:
    """Read a roster file and replace ``kind``'s people in the roster with it.

    Raises:
        ConfigError: the file cannot be read, or it has no name column (the message names the columns).
    """
    if kind not in KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(KINDS)}")
    started = time.perf_counter()
    try:
        rows = read_table(path)
    except FileNotFoundError:
        raise ConfigError(f"roster file {path} does not exist") from None
    except (OSError, csv.Error) as exc:
        raise ConfigError(f"roster file {path.name} cannot be read ({type(exc).__name__})") from None
    people, summary = parse_roster(rows, kind, key, path.name)
    if kind == "employee":
        from dlp import staff

        # An HR export with an account and a status or end-date column also says who left (issue 17).
        staff.import_hr(rows)
    del rows  # the values are dropped as early as possible
    store_people(roster_path, key, kind, people, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def run(args: Any) -> int:
    """``dlp roster import FILE --kind student|employee``: import, print the summary, return 0.

    Raises:
        ConfigError: a bad file or setting (exit 2).
    """
    from dlp import config as config_mod
    from dlp.detect.values import load_or_create_key

    settings = config_mod.load(args.config)
    try:
        key = load_or_create_key(settings.store.key_path())
    except PermissionError as exc:
        raise ConfigError(str(exc)) from None
    roster_path = settings.detect.roster_path()
    summary = import_file(Path(args.file), args.kind, key, roster_path)
    for line in summary.lines():
        print(line)
    print(f"  roster file: {roster_path}")
    return 0

