"""Gmail through the real CLI and the real client libraries, against the emulator on 127.0.0.1.

One module-scoped scenario: a first scan of two mailboxes and one without Gmail (with a local folder
holding two of the same messages as .eml files) under injected faults, then new and deleted mail and an
incremental second scan through the History API. Synthetic data only.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from connectors.base import for_source
from connectors.gmail import GmailConnector
from dlp.config import from_dict
from tests.connectors.fake_google import FakeGoogle
from tests.connectors.test_gdrive import SHARE, _scan

REGISTRAR = "registrar@example.org"
COUNSELOR = "counselor@example.org"
NO_MAIL = "frontdesk@example.org"
VENDOR_MAIL = (SHARE / "mail/outbound/class_list_to_vendor.eml").read_bytes().replace(
    b"jose.roberts@example.org", REGISTRAR.encode())
PARENT_MAIL = (SHARE / "mail/parent_message.eml").read_bytes()


def _mail(sender: str, to: str, subject: str, body: str, cc: str = "", bcc: str = "") -> bytes:
    head = f"From: {sender}\r\nTo: {to}\r\n" + (f"Cc: {cc}\r\n" if cc else "") + (f"Bcc: {bcc}\r\n" if bcc else "")
    return (head + f"Subject: {subject}\r\nDate: Tue, 14 Jan 2025 09:00:00 -0500\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Any:
    fake = FakeGoogle().start()
    try:
        fake.max_page = 2  # small pages, so that the listing pages
        fake.add_message(REGISTRAR, "18d0a1", VENDOR_MAIL, ["SENT"], date_ms=1736900000000)
        fake.add_message(REGISTRAR, "18d0a2", PARENT_MAIL, ["INBOX"], date_ms=1736900100000)
        fake.add_message(REGISTRAR, "18d0a3", _mail(REGISTRAR, "mlopez@example.org", "Schedule change",
                                                    "The bus schedule for Friday is attached in the drive.",
                                                    cc="Dana Ruiz <dana.ruiz@example.com>", bcc="audit@example.net"),
                         ["SENT"], date_ms=1736900200000)
        fake.add_message(REGISTRAR, "18d0a4", _mail("newsletter@example.com", REGISTRAR, "March newsletter",
                                                    "Spring concert on the 14th."), date_ms=1736900300000)
        fake.add_message(REGISTRAR, "18d0a5", _mail(REGISTRAR, "x@example.com", "spam", "spam"), ["SPAM"],
                         date_ms=1736900400000)
        fake.add_message(COUNSELOR, "18d0b1", _mail("mlopez@example.org", COUNSELOR, "Lunch duty",
                                                    "Can you cover lunch duty on Monday?"), date_ms=1736900500000)
        tmp = tmp_path_factory.mktemp("gmail")
        home = tmp / "home"
        local = tmp / "local"
        local.mkdir()
        (local / "18d0a1.eml").write_bytes(VENDOR_MAIL)
        (local / "18d0a2.eml").write_bytes(PARENT_MAIL)
        config = tmp / "dlp.toml"
        config.write_text(f"""
[organization]
internal_domains = ["example.org"]

[sources.mail]
type = "gmail"
users = ["{REGISTRAR}", "{NO_MAIL}", "{COUNSELOR}"]
endpoint = "{fake.base}"
token = "test"
""")
        fake.fail(r"/messages$", 429, retry_after="1")
        fake.fail(r"/messages$", 500, pageToken="2")
        fake.fail(r"/messages/18d0a2$", 401, format="raw")
        first, summary1, seconds1 = _scan(home, config, str(local), "mail")
        requests1 = list(fake.requests)

        fake.add_message(REGISTRAR, "18d0a6", _mail(REGISTRAR, "help@learning.example.com", "Roster question",
                                                    "Which columns does the import need?"), ["SENT"],
                         date_ms=1736900600000)
        fake.delete_message(REGISTRAR, "18d0a4")
        del fake.requests[:]
        second, summary2, _ = _scan(home, config, "mail")
        with sqlite3.connect(home / "dlp.sqlite") as db:
            rows = db.execute("select uri, detail from items where uri like 'gmail://%'").fetchall()
        yield {"first": first, "summary1": summary1, "seconds1": seconds1, "requests1": requests1,
               "second": second, "summary2": summary2, "requests2": list(fake.requests), "rows": dict(rows),
               "local": str(local)}
    finally:
        fake.stop()


def _by_uri(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["uri"]: r for r in records}


def test_messages_are_read_as_raw_mime_with_their_attachments(scenario: Any) -> None:
    items = _by_uri(scenario["first"])
    messages = {u for u in items if u.startswith("gmail://") and "!/" not in u and items[u]["status"] == "scanned"}
    assert messages == {f"gmail://{REGISTRAR}/18d0a{i}" for i in range(1, 5)} | {f"gmail://{COUNSELOR}/18d0b1"}
    assert any(u.startswith(f"gmail://{REGISTRAR}/18d0a1!/") for u in items)  # the attachment, an item of its own
    raws = [r for r in scenario["requests1"] if r.query.get("format") == ["raw"] and r.status == 200]
    assert len(raws) == 5


def test_recipients_and_outbound_exposure(scenario: Any) -> None:
    items = _by_uri(scenario["first"])
    sent = items[f"gmail://{REGISTRAR}/18d0a3"]
    assert sent["recipients"] == ["mlopez@example.org", "dana.ruiz@example.com", "audit@example.net"]
    assert sent["exposure"] == ["external:audit@example.net", "external:dana.ruiz@example.com"]
    vendor = items[f"gmail://{REGISTRAR}/18d0a1"]
    assert vendor["exposure"] == ["external:help@learning.example.com"]
    inbound = items[f"gmail://{REGISTRAR}/18d0a4"]
    assert inbound["recipients"] == [REGISTRAR] and inbound["exposure"] == []


def test_listing_pages_and_faults_are_recovered(scenario: Any) -> None:
    reqs = scenario["requests1"]
    lists = [r for r in reqs if r.path.endswith("/messages") and r.status == 200 and "registrar" in r.path]
    assert len(lists) >= 2 and any("pageToken" in r.query for r in lists)
    throttled = next(i for i, r in enumerate(reqs) if r.status == 429)
    retry = next(r for r in reqs[throttled + 1:] if r.path == reqs[throttled].path)
    assert retry.at - reqs[throttled].at >= 1.0 and retry.status == 200
    assert [r.status for r in reqs if r.path.endswith("/messages") and r.query.get("pageToken") == ["2"]][:2] == [
        500, 200]
    expired = next(i for i, r in enumerate(reqs) if r.status == 401)
    assert next(r for r in reqs[expired + 1:] if r.path == reqs[expired].path).status == 200


def test_a_mailbox_that_fails_is_reported_and_the_rest_goes_on(scenario: Any) -> None:
    items = _by_uri(scenario["first"])
    root = items[f"gmail://{NO_MAIL}/"]
    assert (root["status"], root["reason"]) == ("error", "unreadable")
    assert "HTTP 400" in scenario["rows"][f"gmail://{NO_MAIL}/"]
    assert items[f"gmail://{COUNSELOR}/18d0b1"]["status"] == "scanned"
    assert scenario["summary1"]["by_status"]["error"] == 1


def test_the_same_messages_give_the_same_findings_as_eml_files(scenario: Any) -> None:
    def view(prefix: str) -> dict[str, tuple[Any, ...]]:
        out = {}
        for r in scenario["first"]:
            if r["uri"].startswith(prefix):
                key = r["uri"][len(prefix):].replace(".eml", "")
                out[key] = (r["status"], tuple(r["classifications"]),
                            tuple(sorted((f["entity"], f["count"]) for f in r["findings"])))
        return out

    local = view(scenario["local"] + "/")
    mail = view(f"gmail://{REGISTRAR}/")
    assert len(local) >= 3 and any(v[2] for v in local.values())
    for key, found in local.items():
        assert mail.get(key) == found, key


def test_the_second_run_reads_the_history_only(scenario: Any) -> None:
    reqs = scenario["requests2"]
    assert not [r for r in reqs if r.path.endswith("/messages")]
    assert [r for r in reqs if r.path.endswith("/history")]
    assert {r.path.rsplit("/", 1)[1] for r in reqs if "/messages/" in r.path} == {"18d0a6"}
    examined = {r["uri"] for r in scenario["second"] if r["status"] == "scanned"}
    assert examined == {f"gmail://{REGISTRAR}/18d0a6"}
    new = _by_uri(scenario["second"])[f"gmail://{REGISTRAR}/18d0a6"]
    assert new["exposure"] == ["external:help@learning.example.com"]
    assert scenario["summary2"]["removed"] == 1


def test_the_command_line_form(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    fake = FakeGoogle().start()
    try:
        fake.add_message(COUNSELOR, "18d0c1", _mail("mlopez@example.org", COUNSELOR, "hi", "hello"))
        monkeypatch.setenv("DLP_GOOGLE_TOKEN", "test")
        monkeypatch.setenv("DLP_GOOGLE_ENDPOINT", fake.base)
        connector = for_source(f"gmail://{COUNSELOR}", from_dict({}))
        assert isinstance(connector, GmailConnector)
        refs = list(connector.enumerate())
        assert [r.uri for r in refs] == [f"gmail://{COUNSELOR}/18d0c1"]
        item = connector.fetch(refs[0])
        assert item.name == "18d0c1.eml" and item.data is not None and item.data.startswith(b"From: ")
    finally:
        fake.stop()
