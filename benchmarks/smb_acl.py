"""ACL exposure on a Samba share of 2,000 PI files in 10 ACL patterns: correctness and cost (issue 17 target).

    python benchmarks/smb_acl.py [--files 2000] [--rounds 2] [--workers 2]

Needs root, Samba, samba-vfs-modules and samba-tool (as tests/connectors/test_smb_acl.py). It starts a
private smbd on 127.0.0.1 (the test suite's SambaServer) with NT ACLs kept in xattrs, writes the files
(each an invented employee's memo with a name and an SSN, so every item is MA_PI and has its ACL read),
sets one of 10 DACLs on each with ``samba-tool ntacl set``, then scans the share through the real
command line, alternating two variants:

- ``acl``: the product as it is;
- ``no_acl``: the same scan with ``SmbConnector.access`` replaced by a function that reads nothing, the
  scan without ACL listing.

It checks that every item's exposure is the one its pattern must give, and reports the wall time of
each run and the overhead ``min(acl) / min(no_acl) - 1`` (target: at most 0.30). On a shared machine
the scans' times vary by more than the ACL reads cost, so it also times the ACL reads alone, in this
process, one after another as the scan's writer makes them: ``acl_read_seconds`` over ``min(no_acl)`` is
a bound on the overhead that noise does not move. The result goes to ``benchmarks/results/smb_acl.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import grp
import json
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "smb_acl.json"
sys.path.insert(0, str(ROOT))

# The checkout's test server and its NT ACL helpers.
from tests.connectors.test_smb import PASSWORD, USER, SambaServer  # noqa: E402
from tests.connectors.test_smb_acl import DOMAIN_USERS, GROUP, SHARE_OPTIONS, ntacl_set, prepare  # noqa: E402

NTACL = "security.NTACL"  # where Samba's acl_xattr module keeps a file's NT ACL
FIRST = ("Marisol", "Desmond", "Aurora", "Kwame", "Ingrid", "Tobias", "Priya", "Mateo", "Yuki", "Fatima")
LAST = ("Quintero", "Abernathy", "Lindqvist", "Okafor", "Haldane", "Moreau", "Raman", "Castell", "Tanaka", "Haddad")
# The scan without ACL listing: the connector's access() replaced, everything else the same program.
NO_ACL = ("import sys, connectors.smb as smb; smb.SmbConnector.access = lambda self, ref, broad: (); "
          "from dlp.cli import main; sys.exit(main(sys.argv[1:]))")


def patterns(owner: str, staff: str) -> dict[str, tuple[str, list[str]]]:
    """Pattern name -> (DACL in SDDL, the exposure a scan with broad_groups = built-ins + dlpstaff gives)."""
    me = f"(A;;FA;;;{owner})"
    return {
        "owner-only": (me, []),
        "everyone": (me + "(A;;FR;;;WD)", ["everyone"]),
        "authenticated": (me + "(A;;0x1200a9;;;AU)", ["authenticated_users"]),
        "builtin-users": (me + "(A;;FR;;;BU)", ["authenticated_users"]),
        "domain-users": (me + f"(A;;FR;;;{DOMAIN_USERS})", ["domain_users"]),
        "staff-group": (me + f"(A;;FR;;;{staff})", [f"group:{GROUP}"]),
        # The owner's grant comes first (the scanning account is the owner here and must read the file).
        "deny-everyone-before-grant": (f"{me}(D;;FR;;;WD)(A;;FR;;;AU)", []),
        "deny-domain-users": (f"(D;;FR;;;{DOMAIN_USERS}){me}(A;;FR;;;WD)", ["everyone"]),
        "everyone-inherited": (me + "(A;ID;FR;;;WD)", ["everyone(inherited)"]),
        "write-only": (me + "(A;;FW;;;WD)", []),
    }


def _ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def build(server: SambaServer, files: int) -> dict[str, list[str]]:
    """Write the files with their ACLs; return the expected exposure by relative path."""
    prepare(server)
    entry = pwd.getpwnam(USER)
    owner, staff = f"S-1-22-1-{entry.pw_uid}", f"S-1-22-2-{grp.getgrnam(GROUP).gr_gid}"
    kinds = patterns(owner, staff)
    rng = random.Random(17)
    expected: dict[str, list[str]] = {}
    by_pattern: dict[str, list[Path]] = {name: [] for name in kinds}
    names = list(kinds)
    for i in range(files):
        pattern = names[i % len(names)]
        folder = server.share / f"dept-{i % 20:02d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"memo-{i:04d}.txt"
        path.write_text(f"Personnel memo {i}. Employee {rng.choice(FIRST)} {rng.choice(LAST)} has SSN {_ssn(rng)} "
                        f"on file; direct deposit updated.\n")
        by_pattern[pattern].append(path)
        expected[path.relative_to(server.share).as_posix()] = kinds[pattern][1]
    for path in [server.share, *server.share.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)
    for pattern, paths in by_pattern.items():
        # samba-tool (a Python program: half a second a call) sets the first file of each pattern; the
        # others get the same stored descriptor, the security.NTACL attribute it wrote, byte for byte.
        ntacl_set(server, paths[0], kinds[pattern][0])
        blob = os.getxattr(paths[0], NTACL)
        for path in paths[1:]:
            os.setxattr(path, NTACL, blob)
    return expected


def scan(server: SambaServer, variant: str, workers: int, config: Path, home: Path) -> tuple[float, dict]:
    args = ["scan", server.uri, "--config", str(config), "--format", "jsonl", "--no-progress",
            "--workers", str(workers)]
    command = ([sys.executable, str(ROOT / "run_scan.py"), *args] if variant == "acl"
               else [sys.executable, "-c", NO_ACL, *args])
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False,
                          env={**os.environ, "DLP_HOME": str(home), "DLP_SMB_PASSWORD": PASSWORD})
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{variant} scan exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    items = {r["uri"].removeprefix(server.uri + "/"): r for r in records if "uri" in r}
    return elapsed, items


def time_acl_reads(server: SambaServer, config: Path) -> tuple[float, int]:
    """Seconds to read and map the ACL of every file of the share with the connector, serially."""
    from connectors.smb import SmbConnector
    from dlp.access.exposure import BroadGroups
    from dlp.config import load

    settings = load(config)
    os.environ["DLP_SMB_PASSWORD"] = PASSWORD
    connector = SmbConnector.from_uri(server.uri, settings)
    try:
        refs = [r for r in connector.enumerate() if r.status is None]
        broad = BroadGroups.from_config(settings.access.broad_groups)
        started = time.perf_counter()
        for ref in refs:
            connector.access(ref, broad)
        return time.perf_counter() - started, len(refs)
    finally:
        connector.close()


def main() -> None:
    """Build the share, scan it in both variants, check and record."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    opts = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="dlp-smb-acl-bench-"))
    base.chmod(0o755)
    server = SambaServer(base, SHARE_OPTIONS)
    try:
        started = time.perf_counter()
        expected = build(server, opts.files)
        build_seconds = time.perf_counter() - started
        server.start()
        config = base / "dlp.toml"
        config.write_text(f'[access]\nbroad_groups = ["everyone", "authenticated_users", "domain_users", '
                          f'"other_readable", "{GROUP}"]\n')
        times: dict[str, list[float]] = {"acl": [], "no_acl": []}
        mismatches: list[str] = []
        for round_no in range(opts.rounds):
            for variant in ("no_acl", "acl") if round_no % 2 == 0 else ("acl", "no_acl"):
                seconds, items = scan(server, variant, opts.workers, config, base / f"home-{variant}-{round_no}")
                times[variant].append(round(seconds, 2))
                print(f"round {round_no} {variant}: {seconds:.1f} s, {len(items)} items", flush=True)
                if variant == "acl" and round_no == 0:
                    for rel, want in expected.items():
                        got = items.get(rel, {}).get("exposure")
                        if got != want or "MA_PI" not in items.get(rel, {}).get("classifications", []):
                            mismatches.append(f"{rel}: expected {want}, got {got}")
        overhead = min(times["acl"]) / min(times["no_acl"]) - 1
        acl_seconds, read = time_acl_reads(server, config)
        result = {
            "date": dt.date.today().isoformat(), "cpus": os.cpu_count(), "files": opts.files,
            "patterns": len(patterns("S-1-0-0", "S-1-0-0")), "workers": opts.workers, "rounds": opts.rounds,
            "build_seconds": round(build_seconds, 1), "seconds": times, "overhead": round(overhead, 3),
            "acl_read_seconds": round(acl_seconds, 2), "acl_reads": read,
            "acl_read_ms_per_item": round(1000 * acl_seconds / max(read, 1), 2),
            "overhead_bound": round(acl_seconds / min(times["no_acl"]), 3),
            "target_overhead": 0.30, "exposure_mismatches": len(mismatches), "first_mismatches": mismatches[:5],
        }
        print(json.dumps(result, indent=1))
        RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
