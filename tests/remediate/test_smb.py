"""Quarantine on a real Samba share (the server tests/connectors/test_smb.py starts): apply, then undo
leaves the share exactly as it was (names, contents and modified times compared)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from connectors.base import for_source
from dlp.config import load
from tests.connectors.test_smb import PASSWORD, USER, SambaServer, _own, password, samba  # noqa: F401 - fixtures
from tests.remediate.conftest import Stored, remediate, store_items
from tests.remediate.test_local import ROSTER, snapshot

SMB_TIME_NS = 100  # SMB carries times in 100 ns units: what a client can see, and set


@pytest.fixture
def smb_share(samba: SambaServer, password: None, tmp_path: Path,  # noqa: F811 - the imported fixtures
              monkeypatch: pytest.MonkeyPatch) -> Any:
    root = samba.share / "remediate"
    (root / "hr").mkdir(parents=True)
    (root / "hr" / "roster.csv").write_text(ROSTER)
    (root / "top.csv").write_text(ROSTER)
    (root / "hr" / "menu.txt").write_text("Tuesday: tacos.\n")
    for path in [root, *root.rglob("*")]:
        _own(path)
    config = tmp_path / "dlp.toml"
    config.write_text(f"""
[remediate]
contact = "security@example.org"
file_action = "quarantine"

[sources.staff]
type = "smb"
host = "127.0.0.1"
port = {samba.port}
share = "share"
path = "remediate"
username = "{USER}"
""")
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    key = for_source("staff", load(config)).source_key
    db = tmp_path / "dlp.sqlite"
    store_items(db, [
        Stored(key, "hr/roster.csv", f"{samba.uri}/remediate/hr/roster.csv", exposure=("everyone",)),
        Stored(key, "top.csv", f"{samba.uri}/remediate/top.csv", exposure=("domain_users (inherited)",)),
        Stored(key, "hr/menu.txt", f"{samba.uri}/remediate/hr/menu.txt", exposure=("everyone",),
               classifications=()),
    ])
    yield {"root": root, "args": ["--config", str(config), "--db", str(db)]}
    shutil.rmtree(root, ignore_errors=True)


def test_quarantine_and_undo_leave_the_share_as_it_was(smb_share: dict[str, Any],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert PASSWORD  # the share user's password is in the environment (fixture "password")
    root: Path = smb_share["root"]
    before = snapshot(root, SMB_TIME_NS)

    code, plan = remediate(capsys, "--rule", "broad-access", "--dry-run", "--source", "staff", *smb_share["args"])
    assert code == 0 and len(plan["actions"]) == 2 and snapshot(root, SMB_TIME_NS) == before

    code, done = remediate(capsys, "--rule", "broad-access", "--apply", *smb_share["args"])
    assert code == 0 and [a["status"] for a in done["actions"]] == ["done", "done"], done
    assert not (root / "hr" / "roster.csv").exists() and not (root / "top.csv").exists()
    stub = (root / "hr" / "roster.csv.QUARANTINED.txt").read_text()
    moved = root / ".dlp-quarantine" / f"run-{done['run_id']}" / "hr" / "roster.csv"
    assert moved.read_text() == ROSTER
    assert "security@example.org" in stub and f"run-{done['run_id']}" in stub
    assert (root / "hr" / "menu.txt").exists()

    code, undone = remediate(capsys, "--undo", str(done["run_id"]), *smb_share["args"])
    assert code == 0 and [a["status"] for a in undone["actions"]] == ["done", "done"], undone
    assert snapshot(root, SMB_TIME_NS) == before
