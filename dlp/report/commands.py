"""The ``report`` command: HTML, CSV or JSON from the store, the last run for monitoring, breach facts."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from typing import IO, Any

from dlp.errors import ConfigError
from dlp.files import open_private

EXIT_OK = 0
EXIT_NO_RUN = 1


def add_arguments(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``report``."""
    p = sub.add_parser("report", parents=[common], help="reports from the store: html, csv, json, breach facts")
    p.add_argument("--format", choices=["html", "csv", "json"], default="html", help="default: html")
    p.add_argument("--output", help="write here instead of standard output")
    p.add_argument("--last-run", action="store_true", help="only the latest run record (for monitoring)")
    p.add_argument("--json", action="store_true", help="JSON output for --last-run and --breach")
    p.add_argument("--breach", action="store_true", help="M.G.L. c. 93H section 3 facts for --source since --since")
    p.add_argument("--source", help="with --breach: the source (its key, the scanned path, or a unique part)")
    p.add_argument("--since", help="with --breach: ISO date (YYYY-MM-DD)")


def open_store(args: argparse.Namespace) -> tuple[Any, Any]:
    """The settings and the store named by --config / --db."""
    from sqlalchemy.exc import SQLAlchemyError

    from dlp import config as config_mod
    from dlp.store.db import Store

    settings = config_mod.load(args.config)
    if args.db:
        settings = settings.with_overrides(store={"db": args.db})
    try:
        return settings, Store(settings.store.url())
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot open the store ({type(exc).__name__}); check --db / [store] db") from None


def run(args: argparse.Namespace) -> int:
    """Run ``report``; returns the exit code."""
    if args.breach and not (args.source and args.since):
        raise ConfigError("--breach needs --source and --since")
    since = None
    if args.breach:
        try:
            since = dt.date.fromisoformat(args.since)
        except ValueError:
            raise ConfigError(f"--since {args.since!r}: use an ISO date such as 2025-09-01") from None
    settings, store = open_store(args)
    with contextlib.ExitStack() as stack:
        stack.callback(store.close)
        out: IO[str] = (stack.enter_context(open_private(args.output, "w", newline=""))
                        if args.output else sys.stdout)
        if args.last_run:
            from dlp.report.data import load_runs, run_record

            last = load_runs(store, limit=1)
            if not last:
                print("no run in the store", file=sys.stderr)
                return EXIT_NO_RUN
            rec = run_record(last[0])
            if args.json:
                out.write(json.dumps(rec, sort_keys=True) + "\n")
            elif rec["items"] is None:
                # A run killed before its end wrote no summary; its status says running or interrupted.
                out.write(f"run {rec['run_id']} {rec['status']}: no counts (the run ended before writing its "
                          "summary; scan --resume over the same sources finishes it)\n")
            else:
                out.write(f"run {rec['run_id']} {rec['status']}: {rec['items']} items, "
                          f"{rec['with_findings']} with findings, by status {rec['by_status']}\n")
            return EXIT_OK
        if args.breach:
            from dlp.report.breach import assess, render_text

            assert since is not None
            result = assess(store, args.source, since)
            out.write(json.dumps(result, indent=2, sort_keys=True) + "\n" if args.json else render_text(result))
            return EXIT_OK
        from dlp import review
        from dlp.access.exposure import BroadGroups
        from dlp.report import summary

        report = summary.build(store, settings.report.retention_years,
                               broad=BroadGroups.from_config(settings.access.broad_groups))
        if args.format == "html":
            from dlp.report.html import render

            out.write(render(report, review.counts(store)))
        elif args.format == "csv":
            from dlp.report.tabular import write_csv

            write_csv(report, out)
        else:
            from dlp.report.tabular import write_json

            write_json(report, out)
    return EXIT_OK
