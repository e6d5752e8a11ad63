"""``dlp bench``: throughput of the scanner on a synthetic (or given) corpus, with plain Presidio and ripgrep beside it.

The options are declared here so that ``dlp --help`` works without the benchmark code; the measuring itself
lives in ``benchmarks/bench.py``, which is part of the repository checkout, not of the installed package
(it needs the corpus generator and the accuracy benchmark's Presidio runner, which live there too). So
``python run_scan.py bench`` (or ``dlp bench`` from an editable install) needs a checkout of the repository.
"""

from __future__ import annotations

import argparse
import sys
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
    root = Path(__file__).resolve().parent.parent
    if (root / "benchmarks" / "bench.py").is_file() and (root / "run_scan.py").is_file():
        return root
    return None


def run(args: argparse.Namespace) -> int:
    """Run ``bench``; returns the exit code (2 when there is no checkout or an option is wrong)."""
    root = checkout_root()
    if root is None:
        print("dlp bench: needs a checkout of the repository (benchmarks/ and run_scan.py are not installed); "
              "run `python run_scan.py bench` from the repository root", file=sys.stderr)
        return 2
    if str(root) not in sys.path:  # an editable install does not put the checkout itself on the path
        sys.path.insert(0, str(root))
    from benchmarks.bench import run_from_args

    return run_from_args(args)
