"""examples/dlp.toml shows the real defaults and works from any folder; the example share is installed with
the package, so `dlp scan example` works from an installed copy."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from dlp import config
from tests.pipeline.conftest import ROOT

EXAMPLE = ROOT / "examples" / "dlp.toml"
DEFAULT_SECTIONS = ("scan", "extract", "detect", "store", "report", "presend")


def _share_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("section", DEFAULT_SECTIONS)
def test_the_example_config_sets_every_key_to_its_default(section: str) -> None:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))[section]
    default = getattr(config.Settings(), section)
    expected = {f.name: getattr(default, f.name) for f in dataclasses.fields(default)}
    loaded = getattr(config.load(EXAMPLE), section)
    assert set(raw) == set(expected), "keys missing from or unknown to the example"
    assert {name: getattr(loaded, name) for name in expected} == expected


def test_the_example_names_the_fast_engine() -> None:
    assert config.load(EXAMPLE).detect.engine == "fast"


@pytest.mark.slow
def test_the_example_config_and_the_installed_share_scan_from_any_folder(tmp_path: Path) -> None:
    env = {**os.environ, "DLP_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    summaries = {}
    for name, extra in (("config", ["--config", str(EXAMPLE)]), ("installed", [])):
        proc = subprocess.run(
            [sys.executable, str(ROOT / "run_scan.py"), "scan", "example", *extra, "--db",
             str(tmp_path / f"{name}.sqlite"), "--format", "jsonl", "--no-progress", "--workers", "1"],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        summaries[name] = lines[-1]["summary"]
        assert "error" not in summaries[name]["by_status"]
    assert summaries["config"]["items"] == summaries["installed"]["items"] >= 20
    assert summaries["config"]["with_findings"] == summaries["installed"]["with_findings"] > 0


def test_a_folder_named_example_is_scanned_as_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dlp.cli import _example_or

    monkeypatch.chdir(tmp_path)
    settings = config.Settings()
    assert Path(_example_or("example", settings)).resolve() == (ROOT / "examples" / "share").resolve()
    (tmp_path / "example").mkdir()
    assert _example_or("example", settings) == "example"
    assert _example_or("other", settings) == "other"


def test_a_build_of_the_package_carries_the_example_share(tmp_path: Path) -> None:
    """setuptools' build_py (what a wheel is made of) copies the share into dlp/example_share."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("dlp", "detectors", "connectors"):
        shutil.copytree(ROOT / name, src / name, symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "examples" / "share", src / "examples" / "share")
    out = tmp_path / "lib"
    proc = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                           "--build-lib", str(out)], cwd=src, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    built = out / "dlp" / "example_share"
    assert built.is_dir() and not built.is_symlink()
    assert _share_files(built) == _share_files(ROOT / "examples" / "share")
