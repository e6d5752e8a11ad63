"""The pre-send commands end to end: check (exit codes, JSON), disclosures, authorizations import, protect."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import pyzipper

from dlp.cli import main
from dlp.config import ExtractSettings
from dlp.extract.base import ExtractContext
from dlp.extract.zip import ZipExtractor
from dlp.types import Item, ItemRef
from tests.presend.conftest import MA_PI_TEXT, NOTICE, ROSTER_BODY, SASID_A, SASID_B, mail

CONFIG = """
[organization]
internal_domains = ["district.example"]

[store]
db = "{db}"
key_file = "{key}"

[detect]
roster_file = "{home}/no-roster.sqlite"

[[authorizations]]
id = "DPA-2025-014"
kind = "dpa"
party = "Example Learning Inc."
recipients = ["vendor.example"]
data_categories = ["student_name", "student_id", "assessment"]
students = []
effective = 2025-07-01
expires = 2099-06-30
"""


@pytest.fixture()
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    path = tmp_path / "dlp.toml"
    path.write_text(CONFIG.format(db=tmp_path / "dlp.sqlite", key=tmp_path / "hmac.key", home=tmp_path))
    return path


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_check_exit_codes_json_and_the_disclosure_log(tmp_path: Path, config: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    allow = write(tmp_path, "allow.eml", mail("ops@vendor.example", ROSTER_BODY + NOTICE,
                                              message_id="<allow-1@district.example>"))
    warn = write(tmp_path, "warn.eml", mail("ops@vendor.example", ROSTER_BODY))
    block = write(tmp_path, "block.eml", mail("parent@gmail.com", ROSTER_BODY))
    plain = write(tmp_path, "plain.eml", mail("friend@gmail.com", "Lunch?"))

    assert main(["check", allow, "--config", str(config), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "allow" and out["authorization"] == "DPA-2025-014" and out["reasons"] == []
    assert out["recipients"] == [{"address": "ops@vendor.example", "kind": "third_party"}]
    assert out["classifications"] == ["STUDENT_PII"] and out["subjects"] == 2 and out["encrypted"] is False
    assert out["disclosures_logged"] == 2

    assert main(["check", warn, "--config", str(config), "--json"]) == 10
    out = json.loads(capsys.readouterr().out)
    assert [r["rule"] for r in out["reasons"]] == ["missing-redisclosure-notice"]

    assert main(["check", block, "--config", str(config), "--json"]) == 20
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "block" and out["reasons"][0]["rule"] == "personal-account"

    assert main(["check", plain, "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith("ALLOW")
    assert main(["check", block, "--config", str(config)]) == 20
    human = capsys.readouterr().out
    assert human.startswith("BLOCK") and "[personal-account]" in human and SASID_A not in human

    # One row per student per allowed transfer (the allow and the warn), each listed under its own ID only.
    assert main(["disclosures", "--student", SASID_A, "--config", str(config), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2
    assert {r["verdict"] for r in rows} == {"allow", "warn"}
    assert rows[0]["recipient"] == "ops@vendor.example" and rows[0]["authorization"] == "DPA-2025-014"
    assert rows[0]["data_categories"] == ["assessment", "student_id", "student_name"]
    assert "<allow-1@district.example>" in {r["message_id"] for r in rows}
    assert main(["disclosures", "--student", f"S-{SASID_B}", "--config", str(config)]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("2 disclosures") and SASID_A not in listing and SASID_B not in listing
    assert main(["disclosures", "--student", "9999999999", "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith("0 disclosures")

    # Nothing raw in the store's log.
    db = (tmp_path / "dlp.sqlite").read_bytes()
    assert SASID_A.encode() not in db and b"Alvarez" not in db


def test_check_usage_and_config_errors_exit_2(tmp_path: Path, config: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing.eml"), "--config", str(config)]) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text(config.read_text().replace('kind = "dpa"', 'kind = "handshake"'))
    msg = write(tmp_path, "m.eml", mail("a@district.example", "Hi"))
    assert main(["check", msg, "--config", str(bad)]) == 2
    assert "authorization 'DPA-2025-014': kind = 'handshake'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2


def test_check_refuses_what_is_not_a_message_like_the_http_service(tmp_path: Path, config: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import random

    noise = write(tmp_path, "noise.bin", random.Random(18).randbytes(4096))
    roster = write(tmp_path, "roster.csv", b"name,sasid,dob\nJordan Alvarez," + SASID_A.encode() + b",2011-04-02\n")
    empty = write(tmp_path, "empty.eml", b"\r\n\r\n")
    mbox = write(tmp_path, "box.mbox", b"From sender@district.example Mon Jan  1 00:00:00 2026\n" +
                 mail("parent@gmail.com", ROSTER_BODY))
    for path, why in ((noise, "it does not start with RFC 5322 header fields"),
                      (roster, "it does not start with RFC 5322 header fields"), (empty, "it is empty"),
                      (mbox, "it does not start with RFC 5322 header fields")):
        assert main(["check", path, "--config", str(config), "--json"]) == 2, path
        captured = capsys.readouterr()
        assert captured.out == "" and f"dlp check: {path} is not a message: {why}" in captured.err
        assert SASID_A not in captured.err
    # The service's own test of a body, on the same inputs, agrees.
    from dlp.presend.service import _has_header

    for path in (noise, roster, empty, mbox):
        assert not _has_header(Path(path).read_bytes())
    # A real message still gets its verdict, with "recipient" in the singular for one.
    plain = write(tmp_path, "plain.eml", mail("friend@gmail.com", "Lunch?"))
    assert main(["check", plain, "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith("ALLOW: 1 recipient, no PI found")


def test_disclosures_refuses_what_is_not_a_student_id(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("abc", "12", "Jordan Alvarez"):
        assert main(["disclosures", "--student", bad, "--config", str(config)]) == 2
        assert "is not a student ID" in capsys.readouterr().err
    assert main(["disclosures", "--student", "S-204518", "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith("0 disclosures")


def test_authorizations_import_command(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "agreements.csv"
    source.write_text("id,kind,party,recipients,data_categories,students,effective,expires\n"
                      f'CON-1,consent,Camp,camp.example,"student_name;student_id;assessment",{SASID_A};{SASID_B},'
                      "2025-09-01,2099-08-31\n")
    out = tmp_path / "auth.toml"
    assert main(["authorizations", "import", str(source), "--output", str(out), "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert "imported 1 authorizations" in printed and "no raw ID was written" in printed
    assert SASID_A not in out.read_text() and SASID_A not in printed
    # The written file is what the check then uses.
    with_file = tmp_path / "with-file.toml"
    with_file.write_text(f'authorizations_file = "{out}"\n' + config.read_text())
    msg = write(tmp_path, "camp.eml", mail("director@camp.example", ROSTER_BODY + NOTICE))
    assert main(["check", msg, "--config", str(with_file), "--json", "--no-log"]) == 0
    assert json.loads(capsys.readouterr().out)["authorization"] == "CON-1"


def test_protect_makes_an_aes256_zip_that_opens_with_the_printed_passphrase(
        tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "payroll.txt"
    a.write_text(MA_PI_TEXT)
    b = tmp_path / "roster.csv"
    b.write_text("Last Name,First Name\nAlvarez,Jordan\n")
    out = tmp_path / "send.zip"
    assert main(["protect", str(a), str(b), "--output", str(out), "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    passphrase = re.search(r"^passphrase: (\S+)$", printed, re.MULTILINE)
    assert passphrase and len(passphrase.group(1)) >= 20
    with pyzipper.AESZipFile(out) as z:
        z.setpassword(passphrase.group(1).encode())
        assert z.read("payroll.txt").decode() == MA_PI_TEXT
    ref = ItemRef(source="t", item_id="send.zip", uri="send.zip")
    document = ZipExtractor().extract(Item(ref=ref, name="send.zip", data=out.read_bytes()),
                                      ExtractContext(ExtractSettings()))
    assert document.encrypted and document.cipher == "AES-256" and document.key_bits == 256
    assert out.stat().st_mode & 0o077 == 0
    # An existing output is never overwritten.
    assert main(["protect", str(a), "--output", str(out), "--config", str(config)]) == 2
