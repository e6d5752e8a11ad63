"""Access on a real Samba share: NT ACLs set with ``samba-tool ntacl``, read back over SMB as exposure values,
SIDs named over LSARPC, broad ACEs removed and restored, and a CLI scan that reports them for PI items.

The share keeps NT ACLs as given (``vfs objects = acl_xattr`` with ``acl_xattr:ignore system acls``), so
Everyone, Authenticated Users, a domain's Domain Users, deny ACEs and inheritance mean what they mean on
Windows. ``samba-tool ntacl set --use-ntvfs`` writes the descriptor into the file's ``security.NTACL``
attribute directly (smbcacls cannot reach a server on a port other than 445). Skips without Samba's VFS
modules (``apt-get install samba-vfs-modules``) or without root, like test_smb.py, whose server it reuses.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import smbclient

from connectors.smb import SmbConnector
from dlp.access import sd as security
from dlp.access.exposure import BUILT_IN, BroadGroups
from dlp.access.remove import remove_broad_access, restore_access
from dlp.config import Settings
from dlp.types import ItemRef
from tests.connectors.test_smb import MEMO, PASSWORD, USER, SambaServer, new_server, run_cli

GROUP = "dlpstaff"  # a Unix group the share's LSA names "Unix Group\dlpstaff"
DOMAIN_USERS = "S-1-5-21-1111-2222-3333-513"  # Domain Users of an invented domain
SHARE_OPTIONS = "  vfs objects = acl_xattr\n  acl_xattr:ignore system acls = yes\n"


def _owner() -> str:
    return f"S-1-22-1-{pwd.getpwnam(USER).pw_uid}"


def _staff() -> str:
    return f"S-1-22-2-{grp.getgrnam(GROUP).gr_gid}"


def patterns() -> dict[str, tuple[str, tuple[str, ...]]]:
    """File name -> (its DACL in SDDL, the exposure expected with broad_groups = built-ins + dlpstaff)."""
    me = f"(A;;FA;;;{_owner()})"
    return {
        "owner-only.txt": (me, ()),
        "everyone.txt": (me + "(A;;FR;;;WD)", ("everyone",)),
        "authenticated.txt": (me + "(A;;0x1200a9;;;AU)", ("authenticated_users",)),
        "builtin-users.txt": (me + "(A;;FR;;;BU)", ("authenticated_users",)),
        "domain-users.txt": (me + f"(A;;FR;;;{DOMAIN_USERS})", ("domain_users",)),
        "staff.txt": (me + f"(A;;FR;;;{_staff()})", (f"group:{GROUP}",)),
        "deny-everyone-first.txt": (f"(D;;FR;;;WD){me}(A;;FR;;;AU)", ()),
        "deny-domain-users.txt": (f"(D;;FR;;;{DOMAIN_USERS}){me}(A;;FR;;;WD)", ("everyone",)),
        "write-only.txt": (me + "(A;;FW;;;WD)", ()),
        "inherit-only.txt": (me + "(A;OICIIO;FR;;;WD)", ()),
    }


def ntacl_set(server: SambaServer, path: Path, dacl: str) -> None:
    """Set a file's NT ACL (owner the share user, group dlpstaff) with samba-tool."""
    sddl = f"O:{_owner()}G:{_staff()}D:{dacl}"
    subprocess.run(["samba-tool", "ntacl", "set", sddl, str(path), "-s", str(server.conf), "--use-ntvfs"],
                   check=True, capture_output=True)


def ntacl_get(server: SambaServer, path: Path) -> str:
    return subprocess.run(["samba-tool", "ntacl", "get", str(path), "--as-sddl", "-s", str(server.conf),
                           "--use-ntvfs"], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def acl_samba() -> Iterator[SambaServer]:
    modules = subprocess.run(["smbd", "-b"], capture_output=True, text=True).stdout if shutil.which("smbd") else ""
    moddir = next((line.split(":", 1)[1].strip() for line in modules.splitlines() if "MODULESDIR" in line), "")
    if not Path(moddir, "vfs", "acl_xattr.so").exists() or shutil.which("samba-tool") is None:
        pytest.skip("Samba's acl_xattr VFS module or samba-tool is missing (apt-get install samba-vfs-modules)")
    server = new_server(SHARE_OPTIONS)
    try:
        _fill(server)
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)


def prepare(server: SambaServer) -> None:
    """Make ``samba-tool ntacl`` work on the server's files, and the group the patterns name exist."""
    try:
        grp.getgrnam(GROUP)
    except KeyError:
        subprocess.run(["groupadd", GROUP], check=True)
    # samba-tool needs the server's domain SID stored; a standalone server has only its machine SID.
    local = subprocess.run(["net", "-s", str(server.conf), "getlocalsid"], capture_output=True, text=True,
                           check=True).stdout.split()[-1]
    subprocess.run(["net", "-s", str(server.conf), "setdomainsid", local], capture_output=True, check=True)


def _fill(server: SambaServer) -> None:
    prepare(server)
    uid, gid = pwd.getpwnam(USER).pw_uid, pwd.getpwnam(USER).pw_gid
    share = server.share
    os.chown(share, uid, gid)
    for name, (dacl, _) in patterns().items():
        (share / name).write_text("Lunch menu: soup.\n")
        os.chown(share / name, uid, gid)
        ntacl_set(server, share / name, dacl)
    (share / "memo-everyone.txt").write_text(MEMO)
    (share / "inherited").mkdir()
    for path in (share / "memo-everyone.txt", share / "inherited"):
        os.chown(path, uid, gid)
    ntacl_set(server, share / "memo-everyone.txt", f"(A;;FA;;;{_owner()})(A;;FR;;;WD)")
    ntacl_set(server, share / "inherited", f"AI(A;OICI;FA;;;{_owner()})(A;OICI;FR;;;WD)")


@pytest.fixture
def conn(acl_samba: SambaServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmbConnector]:
    monkeypatch.setenv("DLP_SMB_PASSWORD", PASSWORD)
    connector = SmbConnector.from_uri(acl_samba.uri, Settings())
    yield connector
    connector.close()


def _refs(conn: SmbConnector) -> dict[str, ItemRef]:
    return {r.item_id: r for r in conn.enumerate()}


def _write_over_smb(server: SambaServer, rel: str, text: str) -> None:
    """Create a file through the server, so that Samba itself applies the folder's inheritable ACEs."""
    cache: dict[str, object] = {}
    kw = {"port": server.port, "connection_cache": cache, "username": USER, "password": PASSWORD}
    try:
        with smbclient.open_file(f"\\\\127.0.0.1\\share\\{rel}", mode="w", **kw) as handle:
            handle.write(text)
    finally:
        smbclient.reset_connection_cache(connection_cache=cache)


BROAD = BroadGroups.from_config([*BUILT_IN, GROUP])


def test_every_acl_pattern_reads_back_as_its_exposure(conn: SmbConnector) -> None:
    refs = _refs(conn)
    got = {name: conn.access(refs[name], BROAD) for name in patterns()}
    assert got == {name: expected for name, (_, expected) in patterns().items()}
    # Without the group among the broad ones, its grant is no exposure; the built-ins stay.
    assert conn.access(refs["staff.txt"], BroadGroups.from_config(BUILT_IN)) == ()
    assert conn.access(refs["everyone.txt"], BroadGroups.from_config([])) == ("everyone",)


def test_a_broad_group_can_be_named_by_sid(conn: SmbConnector) -> None:
    by_sid = BroadGroups.from_config([_staff()])
    assert conn.access(_refs(conn)["staff.txt"], by_sid) == (f"group:{_staff()}",)


def test_sids_are_named_over_lsarpc_and_unknown_ones_stay_sids(conn: SmbConnector) -> None:
    assert conn.sid_name("S-1-1-0") == "Everyone"
    assert conn.sid_name("S-1-5-11").endswith("\\Authenticated Users")
    assert conn.sid_name(_staff()) == f"Unix Group\\{GROUP}"
    assert conn.sid_name(DOMAIN_USERS) == DOMAIN_USERS  # no such domain here


def test_inheritance_from_the_folder_is_reported_as_inherited(acl_samba: SambaServer, conn: SmbConnector) -> None:
    _write_over_smb(acl_samba, "inherited\\child.txt", "Lunch menu: rice.\n")
    ref = _refs(conn)["inherited/child.txt"]
    assert conn.access(ref, BROAD) == ("everyone(inherited)",)
    descriptor = security.parse(bytes.fromhex(conn.acl_state(ref)["sd"]))
    assert descriptor.dacl and all(ace.inherited for ace in descriptor.dacl)


def test_removing_an_explicit_everyone_ace_and_undoing_it(acl_samba: SambaServer, conn: SmbConnector) -> None:
    ref = _refs(conn)["everyone.txt"]
    before_sddl = ntacl_get(acl_samba, acl_samba.share / "everyone.txt")
    plan = remove_broad_access(conn, ref, BROAD)
    assert plan is not None and plan.removed == ("everyone",) and not plan.applied
    assert conn.access(ref, BROAD) == ("everyone",)  # a dry run changes nothing

    done = remove_broad_access(conn, ref, BROAD, apply=True)
    assert done is not None and done.after == plan.after
    assert conn.access(ref, BROAD) == ()
    after_sddl = ntacl_get(acl_samba, acl_samba.share / "everyone.txt")
    assert ";WD)" not in after_sddl and _owner() in after_sddl  # the owner keeps full control
    assert (acl_samba.share / "everyone.txt").read_text() == "Lunch menu: soup.\n"

    restore_access(conn, ref, done.before)
    assert conn.acl_state(ref) == done.before
    assert ntacl_get(acl_samba, acl_samba.share / "everyone.txt") == before_sddl
    assert conn.access(ref, BROAD) == ("everyone",)


def test_removing_an_inherited_grant_protects_the_file_only(acl_samba: SambaServer, conn: SmbConnector) -> None:
    _write_over_smb(acl_samba, "inherited\\roster.txt", "Lunch menu: pasta.\n")
    folder_before = ntacl_get(acl_samba, acl_samba.share / "inherited")
    ref = _refs(conn)["inherited/roster.txt"]
    done = remove_broad_access(conn, ref, BROAD, apply=True)
    assert done is not None and done.removed == ("everyone",)
    descriptor = security.parse(bytes.fromhex(conn.acl_state(ref)["sd"]))
    assert descriptor.protected and descriptor.dacl is not None
    assert [(ace.sid, ace.inherited) for ace in descriptor.dacl] == [(_owner(), False)]
    assert conn.access(ref, BROAD) == ()
    assert ntacl_get(acl_samba, acl_samba.share / "inherited") == folder_before  # the folder is untouched

    restore_access(conn, ref, done.before)
    assert conn.acl_state(ref) == done.before
    assert conn.access(ref, BROAD) == ("everyone(inherited)",)


def test_a_scan_reports_acl_exposure_for_pi_items_only(acl_samba: SambaServer, tmp_path: Path) -> None:
    res = run_cli("scan", acl_samba.uri, "--format", "jsonl", "--workers", "1", "--no-progress",
                  env={"DLP_SMB_PASSWORD": PASSWORD}, home=tmp_path / "home")
    assert res.returncode == 0, res.stderr[-2000:]
    records = {r["uri"].removeprefix(acl_samba.uri + "/"): r for r in map(json.loads, res.stdout.splitlines())
               if "uri" in r}
    memo = records["memo-everyone.txt"]
    assert "MA_PI" in memo["classifications"] and memo["exposure"] == ["everyone"]
    assert memo["verdict"] == "warn" and any(r.startswith("broad-access: MA_PI readable by everyone")
                                             for r in memo["verdict_reasons"])
    assert records["everyone.txt"]["exposure"] == []  # no PI: its ACL was not read
    assert PASSWORD not in res.stdout + res.stderr


def test_remediate_removes_broad_aces_and_its_undo_leaves_the_share_as_it_was(
        acl_samba: SambaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``remediate --rule broad-access --apply`` (default file_action remove_ace) on a real share, then
    ``--undo``: names, contents and every NT ACL (samba-tool's SDDL) compared with the share before."""
    from connectors.base import for_source
    from dlp.config import load
    from tests.remediate.conftest import Stored, remediate, store_items
    from tests.remediate.test_local import snapshot

    base = acl_samba.share / "remediate-acl"
    base.mkdir()
    uid, gid = pwd.getpwnam(USER).pw_uid, pwd.getpwnam(USER).pw_gid
    os.chown(base, uid, gid)
    ntacl_set(acl_samba, base, f"AI(A;OICI;FA;;;{_owner()})(A;OICI;FR;;;{DOMAIN_USERS})")
    me = f"(A;;FA;;;{_owner()})"
    for name, dacl in {"everyone.csv": me + "(A;;FR;;;WD)", "staff.csv": me + f"(A;;FR;;;{_staff()})",
                       "mixed.csv": f"{me}(A;;FR;;;AU)(A;;0x1200a9;;;{_staff()})", "private.csv": me}.items():
        (base / name).write_text(MEMO)
        os.chown(base / name, uid, gid)
        ntacl_set(acl_samba, base / name, dacl)
    _write_over_smb(acl_samba, "remediate-acl\\inherited.csv", MEMO)  # Domain Users through the folder

    def state() -> tuple[dict[str, object], dict[str, str]]:
        paths = [base, *sorted(base.rglob("*"))]
        return snapshot(base, 100), {p.relative_to(base).as_posix(): ntacl_get(acl_samba, p) for p in paths}

    config = tmp_path / "dlp.toml"
    config.write_text(f'[access]\nbroad_groups = ["everyone", "authenticated_users", "domain_users", "{GROUP}"]\n'
                      f'[sources.staff]\ntype = "smb"\nhost = "127.0.0.1"\nport = {acl_samba.port}\n'
                      f'share = "share"\npath = "remediate-acl"\nusername = "{USER}"\n')
    monkeypatch.setenv("DLP_SMB_PASSWORD", PASSWORD)
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    key = for_source("staff", load(config)).source_key
    db = tmp_path / "dlp.sqlite"
    scanned = {"everyone.csv": ("everyone",), "staff.csv": (f"group:{GROUP}",),
               "mixed.csv": ("authenticated_users", f"group:{GROUP}"), "inherited.csv": ("domain_users(inherited)",),
               "private.csv": ("everyone",)}  # stale: the file's ACL no longer lets everyone in
    store_items(db, [Stored(key, name, f"{acl_samba.uri}/remediate-acl/{name}", exposure=exposure)
                     for name, exposure in scanned.items()])
    args = ["--config", str(config), "--db", str(db)]
    before = state()
    try:
        code, plan = remediate(capsys, "--rule", "broad-access", "--source", "staff", *args)
        assert code == 0 and state() == before
        planned = {a["uri"].rsplit("/", 1)[-1]: (a["action"], a["detail"]) for a in plan["actions"]}
        assert planned == {
            "everyone.csv": ("remove_ace", "takes read from everyone"),
            "staff.csv": ("remove_ace", f"takes read from group:{GROUP}"),
            "mixed.csv": ("remove_ace", f"takes read from authenticated_users, group:{GROUP}"),
            "inherited.csv": ("remove_ace", "takes read from domain_users"),
            "private.csv": ("report_only", "no broad grant left on the file (changed since the scan)")}

        code, done = remediate(capsys, "--rule", "broad-access", "--apply", *args)
        assert code == 0 and sorted(a["status"] for a in done["actions"]) == ["done"] * 4 + ["skipped"], done
        broad = BroadGroups.from_config([*BUILT_IN, GROUP])
        conn = SmbConnector.from_uri(f"{acl_samba.uri}/remediate-acl", Settings())
        try:
            assert {r.item_id: conn.access(r, broad) for r in conn.enumerate()} == {
                name: () for name in ("everyone.csv", "staff.csv", "mixed.csv", "inherited.csv", "private.csv")}
        finally:
            conn.close()
        after = state()
        assert after[0] == before[0]  # names, contents and times: only access changed
        assert after[1]["."] == before[1]["."]  # the folder keeps its DACL; the inherited grant is cut per file
        assert after[1]["private.csv"] == before[1]["private.csv"]

        code, undone = remediate(capsys, "--undo", str(done["run_id"]), *args)
        assert code == 0 and [a["status"] for a in undone["actions"]] == ["done"] * 4, undone
        assert state() == before
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_scan_names_the_owner_sid_and_marks_a_departed_owner(acl_samba: SambaServer, tmp_path: Path) -> None:
    """The owner SID of a PI file is named over LSARPC (``Unix User\\\\NAME``) and matched against the staff
    directory by its local part: ``former_staff:ACCOUNT`` beside the ACL's exposure."""
    from dlp import staff

    home = tmp_path / "home"
    staff.record("hr", [staff.Account(f"{USER}@example.org", "resigned")], home / "staff.json")
    res = run_cli("scan", acl_samba.uri, "--format", "jsonl", "--workers", "1", "--no-progress",
                  env={"DLP_SMB_PASSWORD": PASSWORD}, home=home)
    assert res.returncode == 0, res.stderr[-2000:]
    records = {r["uri"].removeprefix(acl_samba.uri + "/"): r for r in map(json.loads, res.stdout.splitlines())
               if "uri" in r}
    memo = records["memo-everyone.txt"]
    assert memo["exposure"] == ["everyone", f"former_staff:{USER}@example.org"]
    assert [r.split(":", 1)[0] for r in memo["verdict_reasons"]] == ["former-staff-access", "broad-access"]
    assert records["everyone.txt"]["exposure"] == []  # no PI: neither ACL nor owner looked up
