"""Drive permission removal and its undo against the repo's Google emulator, through the real client library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors import _google as g
from tests.connectors.fake_google import FakeFile, FakeGoogle
from tests.remediate.conftest import Stored, remediate, store_items

KIM = "jkim@example.org"
PERMS = [{"type": "anyone", "role": "reader", "allowFileDiscovery": False},
         {"type": "user", "role": "reader", "emailAddress": "ops@vendor.example.com"},
         {"type": "domain", "role": "reader", "domain": "example.com"},
         {"type": "user", "role": "writer", "emailAddress": "mlopez@example.org"}]


def _sharing(fake: FakeGoogle, file_id: str) -> list[dict[str, Any]]:
    with fake.lock:
        return sorted((dict(p) for p in fake.files[file_id].permissions), key=lambda p: sorted(p.items()))


@pytest.fixture
def drive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    fake = FakeGoogle().start()
    try:
        fake.add_file(FakeFile("f-roster", "roster.csv", "text/plain", owner=KIM, content=b"x",
                               permissions=[dict(p) for p in PERMS]))
        config = tmp_path / "dlp.toml"
        config.write_text(f'[organization]\ninternal_domains = ["example.org"]\n\n[sources.drive]\ntype = "gdrive"\n'
                          f'users = ["{KIM}"]\nendpoint = "{fake.base}"\ntoken = "test"\n')
        monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
        db = tmp_path / "dlp.sqlite"
        key = g.parse_options("gdrive", "drive", {"users": [KIM], "endpoint": fake.base, "token": "test"}).source_key()
        store_items(db, [Stored(key, f"{KIM}/f-roster", f"gdrive://{KIM}/roster.csv",
                                exposure=("anyone_with_link", "external:example.com",
                                          "external:ops@vendor.example.com"),
                                classifications=("STUDENT_PII",), owner=KIM,
                                reasons=("public-link: STUDENT_PII in an item anyone with the link can open",))])
        yield {"fake": fake, "args": ["--config", str(config), "--db", str(db)]}
    finally:
        fake.stop()


def test_outside_sharing_removed_and_restored(drive: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    fake: FakeGoogle = drive["fake"]
    before = _sharing(fake, "f-roster")

    code, plan = remediate(capsys, "--rule", "public-link", *drive["args"])
    assert code == 0
    assert sorted(a["target"] for a in plan["actions"]) == [
        "anyone reader", "domain example.com reader", "user ops@vendor.example.com reader"]
    assert _sharing(fake, "f-roster") == before and not fake.calls("permissions/")

    code, done = remediate(capsys, "--rule", "public-link", "--apply", *drive["args"])
    assert code == 0 and {a["status"] for a in done["actions"]} == {"done"}
    assert _sharing(fake, "f-roster") == [{"type": "user", "role": "writer", "emailAddress": "mlopez@example.org"}]
    assert len([r for r in fake.requests if r.method == "DELETE"]) == 3

    code, undone = remediate(capsys, "--undo", str(done["run_id"]), *drive["args"])
    assert code == 0 and {a["status"] for a in undone["actions"]} == {"done"}
    assert _sharing(fake, "f-roster") == before  # type, role, address or domain, link setting: all back


def test_a_refused_delete_is_named_and_exits_6(drive: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    fake: FakeGoogle = drive["fake"]
    fake.fail(r"/permissions/", 403, times=100, reason="insufficientFilePermissions")
    code, done = remediate(capsys, "--apply", *drive["args"])
    assert code == 6
    assert {a["status"] for a in done["actions"]} == {"failed"}
    assert all("HTTP 403 (insufficientFilePermissions)" in a["detail"] for a in done["actions"])
    assert len(_sharing(fake, "f-roster")) == 4
