"""Former staff: departed accounts from the HR roster, Google Directory and Microsoft Graph become the
exposure ``former_staff:ACCOUNT`` of what they own, share or hold in their mailbox (real client libraries
against the repo's emulators), and ``remediate`` removes a departed account's Drive permission."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.gdrive import GoogleDriveConnector
from connectors.graph import GraphConnector
from dlp import staff
from dlp.cli import main
from dlp.config import from_dict
from tests.connectors.fake_google import FakeFile, FakeGoogle
from tests.connectors.fake_graph import FakeGraph

KIM, GONE, LEFT = "jkim@example.org", "rgone@example.org", "tleft@example.org"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_hr_roster_status_and_end_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "hr.csv"
    export.write_text("Employee ID,First Name,Last Name,Email,Status,Termination Date\n"
                      "E1001,Rosa,Gonzaga,rgone@example.org,Terminated,\n"
                      "E1002,Tomas,Lefevre,tleft@example.org,Active,2025-06-30\n"
                      "E1003,Jin,Kim,jkim@example.org,Active,2099-06-30\n")
    assert main(["roster", "import", str(export), "--kind", "employee"]) == 0
    gone = staff.departed(dt.date(2026, 1, 15))
    assert gone == {GONE: "terminated", LEFT: "ended 2025-06-30"}
    assert staff.departed(dt.date(2025, 6, 30)) == {GONE: "terminated"}  # the end date itself still counts
    # A local owner name matches the account's local part.
    assert staff.former_exposure(["tleft", "jkim", None], gone) == ("former_staff:tleft@example.org",)


def test_google_directory_suspended_and_deleted_accounts_mark_drive_files() -> None:
    fake = FakeGoogle().start()
    try:
        fake.users = [KIM, GONE]
        fake.suspended_users = {GONE}
        fake.deleted_users = [LEFT]
        fake.add_file(FakeFile("f-own", "own.csv", "text/plain", owner=GONE, content=b"a"))
        fake.add_file(FakeFile("f-shared", "shared.csv", "text/plain", owner=KIM, content=b"b",
                               permissions=[{"type": "user", "role": "reader", "emailAddress": LEFT}]))
        fake.add_file(FakeFile("f-plain", "plain.csv", "text/plain", owner=KIM, content=b"c"))
        settings = from_dict({"organization": {"internal_domains": ["example.org"]}})
        connector = GoogleDriveConnector.from_config("drive", {"users": [KIM, GONE], "endpoint": fake.base,
                                                               "token": "test", "former_staff": True}, settings)
        exposure = {r.uri.rsplit("/", 1)[-1]: r.exposure for r in connector.enumerate()}
        assert exposure == {"own.csv": ("former_staff:rgone@example.org",),
                            "shared.csv": ("former_staff:tleft@example.org",), "plain.csv": ()}
        assert fake.calls(r"/admin/directory/v1/users")
        assert staff.departed() == {GONE: "suspended", LEFT: "deleted"}
    finally:
        fake.stop()


def test_graph_disabled_account_marks_its_mailbox() -> None:
    with FakeGraph() as graph:
        for user in (KIM, GONE):
            graph.add_user(user)
            graph.add_message(user, "inbox", f"From: a@example.org\r\nTo: {user}\r\nSubject: hi\r\n\r\nhello\r\n"
                              .encode())
        graph.disabled_users = {GONE}
        settings = from_dict({"organization": {"internal_domains": ["example.org"]}})
        connector = GraphConnector.from_config("mail", {"users": [KIM, GONE], "endpoint": graph.base_url,
                                                        "token": "test", "folders": ["inbox"],
                                                        "former_staff": True, "delta": False}, settings)
        try:
            refs = list(connector.enumerate())
        finally:
            connector.close()
        by_owner = {r.owner: r for r in refs}
        assert by_owner[GONE].exposure == ("former_staff:rgone@example.org",)
        assert by_owner[GONE].etag.endswith("|fs:former_staff:rgone@example.org")
        assert by_owner[KIM].exposure == ()
