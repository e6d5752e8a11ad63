"""Broad grants taken off local files (``broad-access`` with the default ``file_action = "remove_ace"``):
a real scan finds the exposure, ``remediate`` plans, applies and undoes, and the folder ends exactly as it
was: names, contents, modes, times and every ACL as ``getfacl`` shows it."""

from __future__ import annotations

import pwd
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dlp.cli import main
from dlp.store import remediations as records
from dlp.store.db import Store
from tests.connectors.test_local_acl import MEMO, _group
from tests.remediate.conftest import remediate
from tests.remediate.test_local import snapshot

pytestmark = pytest.mark.skipif(shutil.which("setfacl") is None, reason="setfacl not installed (apt-get install acl)")


def acls(root: Path) -> str:
    """Every entry's ACL under ``root`` as ``getfacl -R`` prints it (numeric ids, paths relative)."""
    return subprocess.run(["getfacl", "-R", "-n", "-p", "."], cwd=root, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    group = _group().gr_name
    root = tmp_path / "share"
    (root / "hr").mkdir(parents=True)
    for folder in (root, root / "hr"):
        folder.chmod(0o755)
    files = {"hr/world.txt": (MEMO, 0o644), "hr/group.txt": (MEMO, 0o640), "hr/private.txt": (MEMO, 0o600),
             "menu.txt": ("Tuesday: tacos.\n", 0o644)}
    for rel, (text, mode) in files.items():
        (root / rel).write_text(text)
        (root / rel).chmod(mode)
    subprocess.run(["setfacl", "-m", f"g:{group}:r,u:nobody:r", str(root / "hr" / "group.txt")], check=True)
    config = tmp_path / "dlp.toml"
    config.write_text(f'[access]\nbroad_groups = ["everyone", "other_readable", "{group}"]\n'
                      f'[remediate]\nlocal_quarantine = "{tmp_path / "quarantine"}"\n')
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    args = ["--config", str(config), "--db", str(tmp_path / "dlp.sqlite")]
    capsys.readouterr()
    assert main(["scan", str(root), "--format", "jsonl", "--no-progress", "--workers", "1", *args]) == 0
    capsys.readouterr()
    return {"root": root, "group": group, "args": args, "db": tmp_path / "dlp.sqlite"}


def test_remove_ace_apply_and_undo_leave_the_folder_exactly_as_it_was(share: dict[str, Any],
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root: Path = share["root"]
    before, before_acls = snapshot(root), acls(root)

    code, plan = remediate(capsys, "--rule", "broad-access", *share["args"])
    assert code == 0 and plan["mode"] == "dry_run"
    assert sorted((Path(a["target"]).name, a["action"], a["status"], a["detail"]) for a in plan["actions"]) == [
        ("group.txt", "remove_ace", "planned", f"takes read from group:{share['group']}"),
        ("world.txt", "remove_ace", "planned", "takes read from other_readable")]
    assert snapshot(root) == before and acls(root) == before_acls  # a dry run changes nothing

    code, done = remediate(capsys, "--rule", "broad-access", "--apply", "--by", "analyst1", *share["args"])
    assert code == 0 and [a["status"] for a in done["actions"]] == ["done", "done"], done
    assert (root / "hr" / "world.txt").stat().st_mode & 0o777 == 0o640
    group_acl = subprocess.run(["getfacl", "-n", str(root / "hr" / "group.txt")], capture_output=True, text=True,
                               check=True).stdout
    gid = _group().gr_gid
    # The broad group loses read; a named user is not broad and keeps it.
    assert f"group:{gid}:---" in group_acl and f"user:{pwd.getpwnam('nobody').pw_uid}:r--" in group_acl
    assert (root / "hr" / "world.txt").read_text() == MEMO  # the file stays, with its content
    assert {p.relative_to(root).as_posix() for p in root.rglob("*")} == set(before)

    store = Store(f"sqlite:///{share['db']}")
    try:
        rows = records.actions(store, done["run_id"])
        assert {(r.by, r.rule, r.action, r.status) for r in rows} == {("analyst1", "broad-access", "remove_ace",
                                                                       "done")}
        world = next(r for r in rows if r.item_id == "hr/world.txt")
        assert world.before["kind"] == "posix" and world.before["mode"] == 0o644 and world.after["mode"] == 0o640
    finally:
        store.close()

    code, again = remediate(capsys, "--rule", "broad-access", *share["args"])
    assert code == 0 and {(a["action"], a["detail"]) for a in again["actions"]} == {
        ("report_only", "no broad grant left on the file (changed since the scan)")}

    code, undone = remediate(capsys, "--undo", str(done["run_id"]), *share["args"])
    assert code == 0 and [a["status"] for a in undone["actions"]] == ["done", "done"], undone
    assert snapshot(root) == before and acls(root) == before_acls

    code, twice = remediate(capsys, "--undo", str(done["run_id"]), *share["args"])
    assert code == 0 and twice["actions"] == []


def test_undo_never_overwrites_a_change_made_since(share: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    root: Path = share["root"]
    code, done = remediate(capsys, "--rule", "broad-access", "--apply", *share["args"])
    assert code == 0
    (root / "hr" / "world.txt").chmod(0o600)  # someone tightened it further by hand
    code, undone = remediate(capsys, "--undo", str(done["run_id"]), *share["args"])
    assert code == 6
    by_name = {Path(a["uri"]).name: a for a in undone["actions"]}
    assert by_name["world.txt"]["status"] == "failed" and "changed after run" in by_name["world.txt"]["detail"]
    assert by_name["group.txt"]["status"] == "done"
    assert (root / "hr" / "world.txt").stat().st_mode & 0o777 == 0o600


def test_a_vanished_file_fails_by_name_without_a_traceback(share: dict[str, Any],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    (share["root"] / "hr" / "world.txt").unlink()
    capsys.readouterr()
    code = main(["remediate", "--rule", "broad-access", "--apply", *share["args"]])
    out, err = capsys.readouterr()
    assert code == 6 and "Traceback" not in out + err
    failed = [line for line in err.splitlines() if line.strip().startswith("failed")]
    assert len(failed) == 1 and "world.txt" in failed[0] and "No such file" in failed[0]
    assert "done" in out and "group.txt" in out
