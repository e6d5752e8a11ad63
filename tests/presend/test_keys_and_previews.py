"""Keys apart from data (issue 14, item 10): the HMAC key file outside DLP_HOME, by config or by the
DLP_KEY_FILE environment variable; previews that keep at most the last four digits, or nothing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dlp.config import from_dict
from dlp.detect.values import load_or_create_key, mask
from dlp.errors import ConfigError


def test_the_key_file_defaults_to_dlp_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DLP_KEY_FILE", raising=False)
    assert from_dict({}).store.key_path() == tmp_path / "home" / "hmac.key"


def test_dlp_key_file_names_a_key_outside_dlp_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DLP_KEY_FILE", str(tmp_path / "secrets" / "dlp.key"))
    path = from_dict({}).store.key_path()
    assert path == tmp_path / "secrets" / "dlp.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not (tmp_path / "home" / "hmac.key").exists()


def test_the_config_key_file_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DLP_KEY_FILE", str(tmp_path / "env.key"))
    settings = from_dict({"store": {"key_file": str(tmp_path / "vault" / "k")}})
    assert settings.store.key_path() == tmp_path / "vault" / "k"


def test_the_presend_checker_uses_the_key_outside_dlp_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dlp.presend.service import build_checker

    config = tmp_path / "dlp.toml"
    config.write_text(f'[store]\ndb = "{tmp_path / "dlp.sqlite"}"\n[detect]\nroster_file = "{tmp_path / "r"}"\n')
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DLP_KEY_FILE", str(tmp_path / "secrets" / "dlp.key"))
    import dlp.presend.check as check_mod

    built: dict[str, bytes] = {}

    class Recorder:
        def __init__(self, settings: object, key: bytes, **kwargs: object) -> None:
            built["key"] = key

    monkeypatch.setattr(check_mod, "PresendChecker", Recorder)
    build_checker(str(config), None)
    assert built["key"] == (tmp_path / "secrets" / "dlp.key").read_bytes()
    assert not (tmp_path / "home" / "hmac.key").exists()


@pytest.mark.parametrize("entity, value, last4, none", [
    ("US_SSN", "512-48-7793", "***-**-7793", "***-**-****"),
    ("US_SSN", "512487793", "*****7793", "*********"),
    ("US_ITIN", "912-70-1234", "***-**-1234", "***-**-****"),
    ("PERSON", "Jordan Alvarez", "J***** A******", "****** *******"),
    ("EMAIL_ADDRESS", "jdoe@example.org", "j***@example.org", "****@*******.***"),
])
def test_previews(entity: str, value: str, last4: str, none: str) -> None:
    assert mask(entity, value) == last4
    assert mask(entity, value, "none") == none
    digits = [c for c in mask(entity, value) if c.isdigit()]
    assert len(digits) <= 4


def test_store_preview_is_checked() -> None:
    assert from_dict({"store": {"preview": "none"}}).store.preview == "none"
    with pytest.raises(ConfigError, match="preview"):
        from_dict({"store": {"preview": "first5"}})
