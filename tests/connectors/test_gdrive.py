"""Google Drive through the real CLI and the real client libraries, against the emulator on 127.0.0.1.

One module-scoped scenario: a first scan (with a local folder holding the same files, for the
same-findings check) under injected faults, then changes in Drive and an incremental second scan.
Synthetic data only: the bundled example share's files and invented people at example.org / example.com.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from connectors.base import for_source
from connectors.gdrive import GoogleDriveConnector
from dlp.config import from_dict
from dlp.errors import ConfigError
from tests.connectors.fake_google import DOC, FOLDER, SHEET, FakeFile, FakeGoogle
from tests.pipeline.conftest import ROOT

SHARE = ROOT / "examples" / "share"
KIM = "jkim@example.org"
NGUYEN = "pnguyen@example.org"
BROKEN = "broken@example.org"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Binary files uploaded as they are, by (id, owner, folder, path in the example share).
BINARY = [
    ("f-memo", KIM, "fold-hr", "hr/memo_payroll_correction.txt"),
    ("f-vans", KIM, "fold-hr", "hr/personnel/memo_van_drivers.docx"),
    ("f-roster", KIM, "", "schools/cedar-park-k-8/grade5_roster.csv"),
    ("f-devices", KIM, "", "it/device_inventory.csv"),
    ("f-lunch", NGUYEN, "", "food-services/lunch_menu.txt"),
]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["DLP_HOME"] = str(home)
    return env


def _scan(home: Path, config: Path, *sources: str) -> tuple[list[dict[str, Any]], dict[str, Any], float]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "run_scan.py", "scan", *sources, "--config", str(config),
                           "--format", "jsonl", "--no-progress", "--workers", "1"],
                          capture_output=True, text=True, cwd=ROOT, env=_env(home), timeout=120)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return [r for r in lines if "uri" in r], lines[-1]["summary"], elapsed


def _populate(fake: FakeGoogle) -> None:
    fake.max_page = 3  # small pages, so that every listing pages
    fake.add_file(FakeFile("fold-hr", "HR", FOLDER, owner=KIM))
    for file_id, owner, folder, rel in BINARY:
        perms: list[dict[str, Any]] = []
        if file_id == "f-roster":
            perms = [{"type": "anyone", "role": "reader", "allowFileDiscovery": False},
                     {"type": "user", "role": "reader", "emailAddress": "ops@vendor.example.com"},
                     {"type": "user", "role": "writer", "emailAddress": "mlopez@example.org"}]
        fake.add_file(FakeFile(file_id, PurePosixPath(rel).name, "text/plain", owner=owner,
                               parents=[folder] if folder else [], content=(SHARE / rel).read_bytes(),
                               permissions=perms))
    # Google-native files: exported by the connector (the emulator serves the example share's Office files).
    fake.add_file(FakeFile("g-iep", "iep_progress_note", DOC, owner=KIM,
                           exports={DOCX: (SHARE / "sped/iep_progress_note.docx").read_bytes()},
                           permissions=[{"type": "domain", "role": "reader", "domain": "example.com"}]))
    fake.add_file(FakeFile("g-payroll", "payroll_2025-01_biweekly", SHEET, owner=KIM, parents=["fold-hr"],
                           exports={XLSX: (SHARE / "hr/payroll/payroll_2025-01_biweekly.xlsx").read_bytes()}))
    fake.add_file(FakeFile("g-form", "Field trip sign-up", "application/vnd.google-apps.form", owner=KIM))
    # A shared drive of both users, with an outside consultant as a member; listed once.
    fake.drives["drv-counsel"] = {"name": "Counseling", "members": [KIM, NGUYEN], "permissions": [
        {"type": "user", "role": "organizer", "emailAddress": KIM},
        {"type": "user", "role": "reader", "emailAddress": "consultant@example.com"}]}
    fake.add_file(FakeFile("s-nurse", "health_office_note.txt", "text/plain", drive_id="drv-counsel",
                           parents=["drv-counsel"], content=(SHARE / "nurse/health_office_note.txt").read_bytes()))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    fake = FakeGoogle().start()
    try:
        _populate(fake)
        tmp = tmp_path_factory.mktemp("gdrive")
        home = tmp / "home"
        local = tmp / "local"
        local.mkdir()
        for rel in [r for _, _, _, r in BINARY] + ["sped/iep_progress_note.docx", "nurse/health_office_note.txt",
                                                   "hr/payroll/payroll_2025-01_biweekly.xlsx"]:
            shutil.copy(SHARE / rel, local / PurePosixPath(rel).name)
        config = tmp / "dlp.toml"
        config.write_text(f"""
[organization]
internal_domains = ["example.org"]

[sources.drive]
type = "gdrive"
users = ["{KIM}", "{NGUYEN}", "{BROKEN}"]
endpoint = "{fake.base}"
token = "test"
""")
        # Faults of the first run: a 429 with Retry-After on the first listing call, a 500 on the second
        # page of a listing, an expired token on a download, and one user whose drive is refused.
        fake.fail(r"^/drive/v3/files$", 429, retry_after="1")
        fake.fail(r"^/drive/v3/files$", 500, pageToken="3")
        fake.fail(r"^/drive/v3/files/f-", 401, alt="media")
        fake.fail(r"^/drive/v3/", 403, times=10_000, reason="forbidden", quotaUser=BROKEN)
        first, summary1, seconds1 = _scan(home, config, str(local), "drive")
        requests1 = list(fake.requests)

        # Changes between the runs: one file edited, one deleted, one new file shared outside.
        fake.update("f-memo", content=(SHARE / "hr/memo_payroll_correction.txt").read_bytes() + b"\nP.S. thanks\n")
        fake.delete("f-lunch")
        fake.add_file(FakeFile("f-new", "vendor_contacts.txt", "text/plain", owner=KIM,
                               content=b"Vendor contacts for the spring term: ops desk, extension 4411.\n",
                               permissions=[{"type": "user", "role": "reader",
                                             "emailAddress": "ops@vendor.example.com"}]))
        del fake.requests[:]
        second, summary2, _ = _scan(home, config, "drive")
        with sqlite3.connect(home / "dlp.sqlite") as db:
            rows = db.execute("select uri, status, reason, detail from items where uri like 'gdrive://%'").fetchall()
        yield {"first": first, "summary1": summary1, "seconds1": seconds1, "requests1": requests1,
               "second": second, "summary2": summary2, "requests2": list(fake.requests), "rows": rows,
               "local": str(local)}
    finally:
        fake.stop()


def _by_uri(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["uri"]: r for r in records}


def test_files_of_my_drive_and_the_shared_drive_are_scanned_once(scenario: dict[str, Any]) -> None:
    items = _by_uri(scenario["first"])
    expected = {
        f"gdrive://{KIM}/HR/memo_payroll_correction.txt", f"gdrive://{KIM}/HR/memo_van_drivers.docx",
        f"gdrive://{KIM}/grade5_roster.csv", f"gdrive://{KIM}/device_inventory.csv",
        f"gdrive://{KIM}/iep_progress_note", f"gdrive://{KIM}/HR/payroll_2025-01_biweekly",
        f"gdrive://{NGUYEN}/lunch_menu.txt", f"gdrive://{KIM}/Shared drives/Counseling/health_office_note.txt",
    }
    assert expected <= set(items)
    for uri in expected:
        assert items[uri]["status"] == "scanned", (uri, items[uri])
    # The shared drive is read by its first member only.
    assert not [u for u in items if u.startswith(f"gdrive://{NGUYEN}/Shared drives/")]
    assert items[f"gdrive://{KIM}/HR/memo_payroll_correction.txt"]["owner"] == KIM


def test_listings_page_and_exports_are_used_for_google_files(scenario: dict[str, Any]) -> None:
    lists = [r for r in scenario["requests1"] if r.path == "/drive/v3/files" and r.status == 200
             and r.query.get("quotaUser") == [KIM] and r.query.get("corpora") == ["user"]]
    assert len(lists) >= 3 and any("pageToken" in r.query for r in lists)
    exports = {r.query["mimeType"][0] for r in scenario["requests1"] if r.path.endswith("/export") and r.status == 200}
    assert exports == {DOCX, XLSX}
    items = _by_uri(scenario["first"])
    assert "MA_PI" in items[f"gdrive://{KIM}/HR/payroll_2025-01_biweekly"]["classifications"]
    # Members of exported files are items of their own, like any Office file's.
    form = items[f"gdrive://{KIM}/Field trip sign-up"]
    assert (form["status"], form["reason"]) == ("not_examined", "unsupported")


def test_sharing_outside_the_district_is_the_exposure(scenario: dict[str, Any]) -> None:
    items = _by_uri(scenario["first"])
    assert items[f"gdrive://{KIM}/grade5_roster.csv"]["exposure"] == ["anyone_with_link",
                                                                        "external:ops@vendor.example.com"]
    assert items[f"gdrive://{KIM}/iep_progress_note"]["exposure"] == ["external:example.com"]
    assert items[f"gdrive://{KIM}/Shared drives/Counseling/health_office_note.txt"]["exposure"] == [
        "external:consultant@example.com"]
    assert items[f"gdrive://{KIM}/device_inventory.csv"]["exposure"] == []


def test_retry_after_500_and_expired_token_are_recovered(scenario: dict[str, Any]) -> None:
    reqs = scenario["requests1"]
    throttled = next(i for i, r in enumerate(reqs) if r.status == 429)
    retry = next(r for r in reqs[throttled + 1:] if r.path == reqs[throttled].path
                 and r.query.get("quotaUser") == reqs[throttled].query.get("quotaUser"))
    assert retry.at - reqs[throttled].at >= 1.0 and retry.status == 200
    assert scenario["seconds1"] >= 1.0
    pages = [r.status for r in reqs if r.path == "/drive/v3/files" and r.query.get("pageToken") == ["3"]]
    assert pages[:2] == [500, 200]
    expired = next(i for i, r in enumerate(reqs) if r.status == 401)
    again = next(r for r in reqs[expired + 1:] if r.path == reqs[expired].path)
    assert again.status in (200, 206)
    assert scenario["summary1"]["by_status"].get("error", 0) == 1  # the refused user only


def test_a_refused_drive_is_reported_and_the_others_are_scanned(scenario: dict[str, Any]) -> None:
    items = _by_uri(scenario["first"])
    root = items[f"gdrive://{BROKEN}/"]
    assert (root["status"], root["reason"]) == ("error", "unreadable")
    detail = {uri: detail for uri, _, _, detail in scenario["rows"]}[f"gdrive://{BROKEN}/"]
    assert "HTTP 403" in detail and "injected" not in detail  # the status, not the server's message
    assert items[f"gdrive://{NGUYEN}/lunch_menu.txt"]["status"] == "scanned"


def test_the_same_files_give_the_same_findings_through_drive_and_a_local_folder(scenario: dict[str, Any]) -> None:
    def key(uri: str) -> str:
        return PurePosixPath(uri.split("!/")[0]).stem + ("!/" + uri.split("!/", 1)[1] if "!/" in uri else "")

    def summary(record: dict[str, Any]) -> tuple[Any, ...]:
        return (record["status"], tuple(record["classifications"]),
                tuple(sorted((f["entity"], f["count"]) for f in record["findings"])))

    drive = {key(r["uri"]): summary(r) for r in scenario["first"] if r["uri"].startswith("gdrive://")}
    local = {key(r["uri"]): summary(r) for r in scenario["first"] if r["uri"].startswith(scenario["local"])}
    assert len(local) == 8
    assert any(v[2] for v in local.values())  # there is something to compare
    for name, found in local.items():
        assert drive.get(name) == found, name


def test_the_second_run_reads_only_the_changes(scenario: dict[str, Any]) -> None:
    reqs = scenario["requests2"]
    assert not [r for r in reqs if r.path == "/drive/v3/files"]  # no full listing
    assert [r for r in reqs if r.path == "/drive/v3/changes"]
    examined = {r["uri"] for r in scenario["second"] if r["status"] == "scanned" and "!/" not in r["uri"]}
    assert examined == {f"gdrive://{KIM}/HR/memo_payroll_correction.txt", f"gdrive://{KIM}/vendor_contacts.txt"}
    new = _by_uri(scenario["second"])[f"gdrive://{KIM}/vendor_contacts.txt"]
    assert new["exposure"] == ["external:ops@vendor.example.com"]
    summary = scenario["summary2"]
    assert summary["removed"] == 1  # the deleted file
    assert summary["unchanged"] == 6  # every other file, not even downloaded
    downloads = {r.path for r in reqs if r.query.get("alt") == ["media"] or r.path.endswith("/export")}
    assert downloads == {"/drive/v3/files/f-memo", "/drive/v3/files/f-new"}


# -- without the CLI: the Directory API, the command-line form, config errors --


def test_every_user_of_the_domain_through_the_directory_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    fake = FakeGoogle().start()
    try:
        fake.users = [KIM, NGUYEN]
        fake.max_page = 1
        fake.add_file(FakeFile("a", "a.txt", "text/plain", owner=KIM, content=b"a"))
        fake.add_file(FakeFile("b", "b.txt", "text/plain", owner=NGUYEN, content=b"b"))
        settings = from_dict({"sources": {"all": {"type": "gdrive", "users": ["*"], "endpoint": fake.base,
                                                  "token": "test"}}})
        connector = for_source("all", settings)
        assert {r.uri for r in connector.enumerate()} == {f"gdrive://{KIM}/a.txt", f"gdrive://{NGUYEN}/b.txt"}
        assert len(fake.calls(r"^/admin/directory/v1/users$")) == 2  # paged
    finally:
        fake.stop()


def test_the_command_line_form_borrows_a_named_source(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = from_dict({"sources": {"drive": {"type": "gdrive", "users": [KIM, NGUYEN],
                                                "endpoint": "http://127.0.0.1:9/", "token": "test"}}})
    connector = for_source(f"gdrive://{NGUYEN}", settings)
    assert isinstance(connector, GoogleDriveConnector)
    assert connector.opts.users == (NGUYEN,) and connector.opts.endpoint == "http://127.0.0.1:9/"
    monkeypatch.setenv("DLP_GOOGLE_TOKEN", "test")
    bare = for_source(f"gdrive://{KIM}", from_dict({}))
    assert isinstance(bare, GoogleDriveConnector) and bare.opts.token_env == "DLP_GOOGLE_TOKEN"


@pytest.mark.parametrize(("options", "key"), [
    ({"endpoint": "http://x/", "token": "t"}, "users"),
    ({"users": ["jkim"], "token": "t"}, "users"),
    ({"users": [KIM]}, "credentials_file"),
    ({"users": [KIM], "token": "t", "folder": "x"}, "folder"),
    ({"users": ["*"], "credentials_file": __file__}, "credentials_file"),
    ({"users": ["*"], "token": "t", "credentials_file": __file__}, "exclude each other"),
])
def test_config_errors_name_the_key(options: dict[str, Any], key: str) -> None:
    settings = from_dict({"sources": {"drive": {"type": "gdrive", **options}}})
    with pytest.raises(ConfigError, match=key):
        for_source("drive", settings)


def test_a_service_account_key_impersonates_each_user(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from connectors import _google

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    key = tmp_path / "sa.json"
    key.write_text(json.dumps({"type": "service_account", "project_id": "district-dlp", "private_key_id": "k1",
                               "private_key": pem, "client_email": "dlp-scanner@district-dlp.example.com",
                               "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))
    with pytest.raises(ConfigError, match="admin"):
        for_source("d", from_dict({"sources": {"d": {"type": "gdrive", "users": ["*"],
                                                     "credentials_file": str(key)}}}))
    connector = for_source("d", from_dict({"sources": {"d": {"type": "gdrive", "users": [KIM],
                                                             "credentials_file": str(key)}}}))
    assert isinstance(connector, GoogleDriveConnector)
    creds = _google.credentials(connector.opts, KIM, _google.SCOPES["gdrive"])
    assert getattr(creds, "_subject", None) == KIM
