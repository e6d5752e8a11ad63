"""Helpers for tests that run the real command line in a subprocess against a temporary store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def records(self) -> list[dict]:
        """The jsonl item objects (without the summary line)."""
        lines = [json.loads(line) for line in self.stdout.splitlines() if line.strip()]
        return [r for r in lines if "summary" not in r]

    def summary(self) -> dict:
        lines = [json.loads(line) for line in self.stdout.splitlines() if line.strip()]
        return next(r["summary"] for r in lines if "summary" in r)

    def by_uri(self) -> dict[str, dict]:
        return {r["uri"]: r for r in self.records()}


@pytest.fixture
def dlp_home(tmp_path: Path) -> Path:
    home = tmp_path / "dlp-home"
    home.mkdir()
    return home


@pytest.fixture
def run_cli(dlp_home: Path):
    """Run ``python run_scan.py ARGS`` with its own DLP_HOME; returns a CliResult."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> CliResult:
        full_env = {**os.environ, "DLP_HOME": str(dlp_home), **(env or {})}
        proc = subprocess.run([sys.executable, str(ROOT / "run_scan.py"), *args], capture_output=True, text=True,
                              env=full_env, timeout=timeout, cwd=ROOT)
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path
