"""The local executor's workers run nicer than the scanning process (``[scan] worker_nice``, issue 15).

The scanning process is the scan's serial part (dispatch, store, output); at one worker per core it
otherwise waits for a core behind its own workers.
"""

from __future__ import annotations

import dataclasses
import os

import pytest

from dlp.config import ConfigError, Settings, load
from dlp.executors.local import LocalExecutor

KEY = b"n" * 32


def _niceness() -> int:
    return os.nice(0)


def _worker_niceness(nice: int) -> int:
    settings = Settings()
    settings = dataclasses.replace(settings, scan=dataclasses.replace(settings.scan, worker_nice=nice))
    executor = LocalExecutor(1, settings, KEY, False)
    try:
        return int(executor.schedule(_niceness, (), timeout=120).result(timeout=300))
    finally:
        executor.shutdown()


def test_workers_are_niced_by_the_configured_amount_and_the_scanning_process_is_not() -> None:
    mine = os.nice(0)
    assert Settings().scan.worker_nice == 10
    assert _worker_niceness(10) == min(19, mine + 10)
    assert os.nice(0) == mine


def test_zero_keeps_the_workers_at_the_scanning_process_priority() -> None:
    assert _worker_niceness(0) == os.nice(0)


def test_the_key_is_read_from_the_config_and_bounded(tmp_path) -> None:
    config = tmp_path / "dlp.toml"
    config.write_text("[scan]\nworker_nice = 3\n", encoding="utf-8")
    assert load(config).scan.worker_nice == 3
    config.write_text("[scan]\nworker_nice = 25\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="worker_nice"):
        load(config)


def test_a_platform_without_nice_keeps_the_workers_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.nice: the workers start at the usual priority instead of failing to start."""
    monkeypatch.delattr(os, "nice")
    settings = Settings()
    executor = LocalExecutor(1, settings, KEY, False)
    try:
        assert executor.schedule(os.getpid, (), timeout=120).result(timeout=300) != os.getpid()
    finally:
        executor.shutdown()
