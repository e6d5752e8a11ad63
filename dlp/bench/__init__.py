"""``dlp bench``: throughput of the scanner on a synthetic (or given) corpus, with plain Presidio and ripgrep beside it.

The options are declared here so that ``dlp --help`` loads none of the benchmark code; the measuring is
:mod:`dlp.bench.engine`, plain Presidio :mod:`dlp.bench.presidio`, and the generated corpus
:mod:`dlp.testdata.corpus`. All three are part of the installed package, so ``dlp bench`` works without a
checkout of the repository; the scripts in ``benchmarks/`` import from here, never the other way round.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_FILES = 2000
DEFAULT_SEED = 7
DEFAULT_WORKERS = "1,2"
DEFAULT_PRESIDIO_SAMPLE = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``bench`` (``--config`` comes from the common options)."""
    parser.add_argument("--corpus", metavar="DIR", help="scan this folder instead of generating a corpus")
    # None, not the default, so that giving --files with --corpus can be refused rather than ignored.
    parser.add_argument("--files", type=int, default=None,
                        help=f"files of the generated corpus (default {DEFAULT_FILES})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"seed of the generated corpus and of the Presidio sample (default {DEFAULT_SEED})")
    parser.add_argument("--workers", default=DEFAULT_WORKERS, metavar="N[,N...]",
                        help=f"worker counts to run the scanner with (default {DEFAULT_WORKERS})")
    parser.add_argument("--presidio-sample", type=int, default=DEFAULT_PRESIDIO_SAMPLE, metavar="N",
                        help=f"files plain Presidio reads (default {DEFAULT_PRESIDIO_SAMPLE}; it is ~1000x slower)")
    parser.add_argument("--no-presidio", action="store_true", help="skip the plain Presidio reference")
    parser.add_argument("--no-ripgrep", action="store_true", help="skip the ripgrep reference")
    parser.add_argument("--json", metavar="FILE", help="also write the full result as JSON to FILE")
    parser.add_argument("--record", metavar="FILE",
                        help="append the result line here instead of benchmarks/results/bench.jsonl")


def checkout_root() -> Path | None:
    """The repository checkout this package runs from, or None when it is installed without one."""
    root = Path(__file__).resolve().parents[2]
    if (root / "benchmarks" / "results").is_dir() and (root / "run_scan.py").is_file():
        return root
    return None


def default_record() -> Path:
    """Where a run's result line goes without ``--record``: the checkout's ``benchmarks/results/bench.jsonl``
    (the project's history of runs), or ``bench/bench.jsonl`` in the data home of an installed copy."""
    root = checkout_root()
    if root is not None:
        return root / "benchmarks" / "results" / "bench.jsonl"
    from dlp.config import data_home

    return data_home() / "bench" / "bench.jsonl"


def run(args: argparse.Namespace) -> int:
    """Run ``bench``; returns the exit code (2 when an option is wrong)."""
    from dlp.bench.engine import run_from_args

    return run_from_args(args)
