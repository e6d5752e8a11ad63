"""Access on local folders: mode bits and POSIX ACLs (set with the real ``setfacl``) as exposure values,
the removal of broad grants and its exact undo, and a CLI scan that reports exposure only for PI items."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.local import LocalConnector
from dlp.access.exposure import BUILT_IN, BroadGroups
from dlp.access.posix import GROUP, GROUP_OBJ, MASK, OTHER, USER_OBJ, AclEntry, read_acl
from dlp.access.remove import remove_broad_access, restore_access
from dlp.config import ScanSettings
from dlp.types import ItemRef

ROOT = Path(__file__).resolve().parents[2]
SSN = "284-73-9165"  # invented; passes the SSN validator's rules
MEMO = f"Personnel memo. Employee Marisol Quintero has SSN {SSN} on file.\n"
needs_setfacl = pytest.mark.skipif(shutil.which("setfacl") is None,
                                   reason="setfacl not installed (apt-get install acl)")


def _group() -> grp.struct_group:
    """A group of this host other than root's, to name as broad."""
    return next(g for g in sorted(grp.getgrall(), key=lambda g: g.gr_gid) if g.gr_gid > 0)


def _tree(base: Path) -> Path:
    share = base / "share"
    (share / "open").mkdir(parents=True)
    (share / "closed").mkdir()
    for folder in (share, share / "open"):
        folder.chmod(0o755)
    (share / "closed").chmod(0o750)
    for rel, mode in {"open/world.txt": 0o644, "open/private.txt": 0o640, "closed/world.txt": 0o644,
                      "open/acl.txt": 0o640}.items():
        path = share / rel
        path.write_text("x")
        path.chmod(mode)
    return share


def _refs(share: Path) -> tuple[LocalConnector, dict[str, ItemRef]]:
    conn = LocalConnector(str(share), str(share), ScanSettings())
    return conn, {r.item_id: r for r in conn.enumerate()}


def test_mode_bits_and_the_folders_on_the_way_decide_other_readable(tmp_path: Path) -> None:
    conn, refs = _refs(_tree(tmp_path))
    broad = BroadGroups.from_config(BUILT_IN)
    got = {rel: conn.access(ref, broad) for rel, ref in refs.items()}
    assert got == {"open/world.txt": ("other_readable",), "open/private.txt": (),
                   "closed/world.txt": (),  # the folder lets other read nothing inside (no search bit)
                   "open/acl.txt": ()}


@needs_setfacl
def test_posix_acls_set_with_setfacl_are_read_as_getfacl_shows_them(tmp_path: Path) -> None:
    share = _tree(tmp_path)
    group = _group()
    target = share / "open" / "acl.txt"
    subprocess.run(["setfacl", "-m", f"g:{group.gr_name}:r", str(target)], check=True)
    acl = read_acl(str(target))
    shown = subprocess.run(["getfacl", "-n", "--omit-header", str(target)], capture_output=True, text=True,
                           check=True).stdout.split()
    assert acl is not None
    tags = {USER_OBJ: "user", GROUP_OBJ: "group", GROUP: "group", MASK: "mask", OTHER: "other"}
    ours = [f"{tags[e.tag]}:{e.id if e.id is not None else ''}:{_rwx(e.perm)}" for e in acl]
    assert ours == [line for line in shown if not line.startswith("#")]
    assert AclEntry(GROUP, 4, group.gr_gid) in acl

    conn, refs = _refs(share)
    named = BroadGroups.from_config([*BUILT_IN, group.gr_name])
    assert conn.access(refs["open/acl.txt"], named) == (f"group:{group.gr_name}",)
    assert conn.access(refs["open/acl.txt"], BroadGroups.from_config(BUILT_IN)) == ()  # the group is not broad
    # The mask limits named groups: with no read in the mask, the group reads nothing.
    subprocess.run(["setfacl", "-m", "m::---", str(target)], check=True)
    conn, refs = _refs(share)
    assert conn.access(refs["open/acl.txt"], named) == ()
    # An ACL's other entry is the mode's other bits (-n: setfacl must not recompute the mask).
    subprocess.run(["setfacl", "-n", "-m", "o::r", str(target)], check=True)
    conn, refs = _refs(share)
    assert conn.access(refs["open/acl.txt"], named) == ("other_readable",)


@needs_setfacl
def test_removing_broad_grants_and_undoing_it_leave_mode_and_acl_exactly_as_they_were(tmp_path: Path) -> None:
    share = _tree(tmp_path)
    group = _group()
    target = share / "open" / "acl.txt"
    subprocess.run(["setfacl", "-m", f"g:{group.gr_name}:r,u:nobody:rw,o::r", str(target)], check=True)
    before_text = _getfacl(target)
    conn, refs = _refs(share)
    ref = refs["open/acl.txt"]
    broad = BroadGroups.from_config([*BUILT_IN, group.gr_name])
    assert conn.access(ref, broad) == ("other_readable", f"group:{group.gr_name}")

    plan = remove_broad_access(conn, ref, broad)  # a dry run changes nothing
    assert plan is not None and not plan.applied
    assert plan.removed == ("other_readable", f"group:{group.gr_name}")
    assert _getfacl(target) == before_text

    done = remove_broad_access(conn, ref, broad, apply=True)
    assert done is not None and done.before == plan.before
    assert conn.access(ref, broad) == ()
    after_text = _getfacl(target)
    assert f"user:{pwd.getpwnam('nobody').pw_uid}:rw-" in after_text  # a named user is not broad: left alone
    assert remove_broad_access(conn, ref, broad) is None  # nothing broad left

    restore_access(conn, ref, done.before)
    assert _getfacl(target) == before_text
    assert conn.acl_state(ref) == done.before

    # Mode bits alone (no ACL): other's read goes, and comes back.
    plain = refs["open/world.txt"]
    done = remove_broad_access(conn, plain, broad, apply=True)
    assert done is not None and os.stat(share / "open" / "world.txt").st_mode & 0o777 == 0o640
    restore_access(conn, plain, done.before)
    assert os.stat(share / "open" / "world.txt").st_mode & 0o777 == 0o644
    assert read_acl(str(share / "open" / "world.txt")) is None


def test_a_scan_reports_access_exposure_for_pi_items_only(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    share.chmod(0o755)
    for name, text, mode in (("memo.txt", MEMO, 0o644), ("menu.txt", "Tuesday: tacos.\n", 0o644),
                             ("closed-memo.txt", MEMO, 0o600)):
        (share / name).write_text(text)
        (share / name).chmod(mode)
    proc = subprocess.run([sys.executable, str(ROOT / "run_scan.py"), "scan", str(share), "--format", "jsonl",
                           "--no-progress", "--workers", "1"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "DLP_HOME": str(tmp_path / "home")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = {Path(r["uri"]).name: r for r in map(json.loads, proc.stdout.splitlines()) if "uri" in r}
    memo = records["memo.txt"]
    assert "MA_PI" in memo["classifications"] and memo["exposure"] == ["other_readable"]
    assert memo["verdict"] == "warn"
    assert any(r.startswith("broad-access: MA_PI") for r in memo["verdict_reasons"])
    assert records["menu.txt"]["exposure"] == []  # no PI: its permissions were not even looked at
    assert records["closed-memo.txt"]["exposure"] == [] and "MA_PI" in records["closed-memo.txt"]["classifications"]


def _rwx(perm: int) -> str:
    return "".join(c if perm & bit else "-" for c, bit in (("r", 4), ("w", 2), ("x", 1)))


def _getfacl(path: Path) -> str:
    return subprocess.run(["getfacl", "-n", str(path)], capture_output=True, text=True, check=True).stdout


def test_a_pi_file_owned_by_a_departed_account_is_former_staff(tmp_path: Path) -> None:
    from dlp import staff

    home = tmp_path / "home"
    share = tmp_path / "share"
    share.mkdir()
    share.chmod(0o755)
    for name, text in (("left-memo.txt", MEMO), ("left-menu.txt", "Tuesday: tacos.\n"), ("my-memo.txt", MEMO)):
        (share / name).write_text(text)
        (share / name).chmod(0o600)
    for name in ("left-memo.txt", "left-menu.txt"):
        os.chown(share / name, pwd.getpwnam("nobody").pw_uid, -1)
    # The HR roster says nobody@example.org left; a POSIX owner matches an address by its local part.
    staff.record("hr", [staff.Account("nobody@example.org", "terminated")], home / "staff.json")
    proc = subprocess.run([sys.executable, str(ROOT / "run_scan.py"), "scan", str(share), "--format", "jsonl",
                           "--no-progress", "--workers", "1"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "DLP_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = {Path(r["uri"]).name: r for r in map(json.loads, proc.stdout.splitlines()) if "uri" in r}
    left = records["left-memo.txt"]
    assert left["exposure"] == ["former_staff:nobody@example.org"] and left["verdict"] == "block"
    assert [r.split(":", 1)[0] for r in left["verdict_reasons"]] == ["former-staff-access"]
    assert records["left-menu.txt"]["exposure"] == []  # no PI: its owner was not looked up
    assert records["my-memo.txt"]["exposure"] == [] and records["my-memo.txt"].get("verdict") is None
