"""The synthetic data generator: valid-in-format identifiers, reproducible corpora, value-free labels."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from dlp.testdata import corpus
from dlp.testdata.synth import TEST_CARDS, VOID_SSNS, Synth, aba_ok, luhn_ok, ssn_ok

ROOT = Path(__file__).resolve().parent.parent


def test_ssns_follow_the_ssa_rules() -> None:
    s = Synth(11)
    ssns = [s.ssn() for _ in range(3000)]
    assert len(set(ssns)) == len(ssns)
    for value in ssns:
        m = re.fullmatch(r"(\d{3})-(\d{2})-(\d{4})", value)
        assert m, value
        area, group, serial = (int(g) for g in m.groups())
        assert 1 <= area <= 899 and area != 666, value
        assert group != 0 and serial != 0, value
        assert value.replace("-", "") not in VOID_SSNS
        assert ssn_ok(value)
    assert not ssn_ok("078-05-1120") and not ssn_ok("219-09-9999")
    assert not ssn_ok("666-12-3456") and not ssn_ok("912-12-3456") and not ssn_ok("123-00-4567")


def test_routing_numbers_pass_the_aba_checksum() -> None:
    s = Synth(12)
    for _ in range(1000):
        value = s.routing_number()
        assert aba_ok(value), value
        d = [int(c) for c in value]
        assert (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0
    assert aba_ok("011000015") and not aba_ok("011000016")


def test_card_numbers_pass_luhn_and_are_not_test_numbers() -> None:
    s = Synth(13)
    for _ in range(1000):
        value = s.card_number()
        assert luhn_ok(value), value
        assert value not in TEST_CARDS
        assert re.fullmatch(r"4\d{15}|5[1-5]\d{14}|3[47]\d{13}|6011\d{12}", value), value
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_other_identifiers_have_their_formats() -> None:
    s = Synth(14)
    for _ in range(200):
        assert re.fullmatch(r"S\d{8}", s.ma_license())
        assert re.fullmatch(r"1\d{9}", s.sasid())
        assert re.fullmatch(r"\d{8}", s.mepid())
        assert re.fullmatch(r"\(\d{3}\) 555-01\d\d", s.phone())
        assert re.fullmatch(r"\d{8,12}", s.bank_account())
        person = s.student()
        assert person.email.endswith((".example.org", "@example.org", "@example.com"))


def test_documents_render_and_label_what_they_hold() -> None:
    s = Synth(15)
    memo = s.staff_memo("txt", identifier="ssn")
    assert memo.tally.counts["US_SSN"] == 1 and "MA_PI" in memo.tally.classifications
    (ssn,) = [v for v in memo.tally.values if re.fullmatch(r"\d{3}[- ]?\d{2}[- ]?\d{4}", v)]
    assert ssn in memo.data.decode()

    mail = s.parent_email(attachment=True)
    msg = email.message_from_bytes(mail.data, policy=email.policy.default)
    attachments = [part.get_filename() for part in msg.iter_attachments()]
    assert attachments == ["pickup_contacts.csv"]
    assert [m.name for m in mail.members] == attachments

    import docx
    import openpyxl

    note = s.iep_note("docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(note.data)).paragraphs)
    assert "Individualized Education Program" in text
    payroll = s.payroll("xlsx", rows=5)
    rows = list(openpyxl.load_workbook(io.BytesIO(payroll.data)).active.values)
    assert len(rows) == 6 and payroll.tally.counts["US_SSN"] == 5

    archive = s.roster_zip()
    assert sorted(zipfile.ZipFile(io.BytesIO(archive.data)).namelist()) == sorted(m.name for m in archive.members)


def test_corpus_is_reproducible_and_labels_hold_no_values(tmp_path: Path) -> None:
    first = corpus.generate(tmp_path / "a", files=80, seed=3)
    second = corpus.generate(tmp_path / "b", files=80, seed=3)

    files_a = sorted(p.relative_to(first.root) for p in first.root.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second.root) for p in second.root.rglob("*") if p.is_file())
    assert files_a == files_b
    assert len(files_a) == 80 + 1  # the files and _labels.json
    for rel in files_a:
        assert (first.root / rel).read_bytes() == (second.root / rel).read_bytes(), rel

    labels_text = (first.root / corpus.LABELS_NAME).read_text(encoding="utf-8")
    labels = json.loads(labels_text)
    assert labels["files"] == 80
    top_level = {k for k in labels["items"] if "!/" not in k}
    assert top_level == {str(p) for p in files_a if p.name != corpus.LABELS_NAME}
    assert sum(labels["totals"].values()) > 0
    assert first.values, "the generator planted nothing"
    leaked = [v for v in first.values if v in labels_text]
    assert not leaked, f"{len(leaked)} planted values appear in the labels file"

    other = corpus.generate(tmp_path / "c", files=80, seed=4)
    assert other.values != first.values


def test_corpus_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        corpus.generate(tmp_path, files=1)
    assert corpus.main([str(tmp_path), "--files", "1"]) == 2


def test_example_share_is_what_the_script_makes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_example_share", ROOT / "examples" / "make_example_share.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    docs = module.build()
    share = ROOT / "examples" / "share"
    on_disk = {str(p.relative_to(share)) for p in share.rglob("*") if p.is_file()}
    assert on_disk == set(docs)
    for rel, doc in docs.items():
        assert (share / rel).read_bytes() == doc.data, f"{rel} differs: run python examples/make_example_share.py"
    assert sum(len(d.data) for d in docs.values()) < 1_000_000
    assert "invented" in (share / "README.txt").read_text(encoding="utf-8")
    assert (share / "nurse" / "health_office_note.txt").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
