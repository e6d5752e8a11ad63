#!/usr/bin/env python3
"""Entry point: ``python run_scan.py scan PATH``. All logic lives in :mod:`dlp.cli`."""

import sys

from dlp.cli import main

if __name__ == "__main__":
    sys.exit(main())
