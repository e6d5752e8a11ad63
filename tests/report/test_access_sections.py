"""The issue 17 sections of the reports: PI readable by everyone, PI reachable by former staff, and what
remediation did and has still to do, in ``report --format json`` and HTML, and in ``review list``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dlp.cli import main
from tests.remediate.conftest import Stored, remediate, store_items


def test_access_and_remediation_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    root = tmp_path / "share"
    root.mkdir()
    for name in ("open.csv", "left.csv", "both.csv"):
        (root / name).write_text("synthetic\n")
    key = f"local:{os.path.realpath(root)}"
    db = tmp_path / "dlp.sqlite"
    store_items(db, [
        Stored(key, "open.csv", f"{root}/open.csv", exposure=("everyone (inherited)",)),
        Stored(key, "left.csv", f"{root}/left.csv", exposure=("former_staff:rgone@example.org",), owner="rgone"),
        Stored(key, "both.csv", f"{root}/both.csv", exposure=("domain_users", "former_staff:tleft@example.org")),
        Stored(key, "menu.csv", f"{root}/menu.csv", exposure=("everyone",), classifications=()),
    ])
    args = ["--db", str(db)]
    code, done = remediate(capsys, "--rule", "broad-access", "--apply", "--file-action", "quarantine",
                             "--source", str(root), *args)
    assert code == 0 and len(done["actions"]) == 2

    out = tmp_path / "report.json"
    assert main(["report", "--format", "json", "--output", str(out), *args]) == 0
    access = json.loads(out.read_text())["access"]
    assert sorted(r["uri"].rsplit("/", 1)[-1] for r in access["readable_by_everyone"]) == ["both.csv", "open.csv"]
    assert {r["uri"].rsplit("/", 1)[-1]: r["accounts"] for r in access["former_staff"]} == {
        "left.csv": ["rgone@example.org"], "both.csv": ["tleft@example.org"]}
    assert sorted((r["uri"].rsplit("/", 1)[-1], r["action"], r["by"] is not None)
                  for r in access["remediated"]) == [("both.csv", "quarantine", True), ("open.csv", "quarantine", True)]
    assert [(r["uri"].rsplit("/", 1)[-1], r["rules"]) for r in access["pending"]] == [
        ("left.csv", ["former-staff-access"])]

    html = tmp_path / "report.html"
    assert main(["report", "--format", "html", "--output", str(html), *args]) == 0
    page = html.read_text()
    for heading in ("PI readable by everyone", "PI reachable by former staff", "Remediated / pending"):
        assert f">{heading}</h2>" in page
    assert "rgone@example.org" in page and "quarantine" in page

    code, undone = remediate(capsys, "--undo", str(done["run_id"]), *args)
    assert code == 0
    assert main(["report", "--format", "json", "--output", str(out), *args]) == 0
    access = json.loads(out.read_text())["access"]
    assert access["remediated"] == [] and len(access["pending"]) == 3
