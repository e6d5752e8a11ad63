"""``python -m dlp``: the same command line as ``dlp`` (how ``dlp bench`` starts the scans it measures)."""

import sys

from dlp.cli import main

if __name__ == "__main__":
    sys.exit(main())
