"""Golden outputs: the scanner's behaviour recorded before a refactor, compared byte for byte after it.

Two kinds of record, both written by ``python -m tests.golden.record`` and compared by
``tests/golden/test_golden.py``:

* scans: for every item of a scanned tree (the bundled example share, the test fixtures, each third-party
  corpus), its status, reason, classifications, subjects, data categories, exposure and findings as
  ``{entity: count}`` -- no values, no locations, no timings;
* pre-send verdicts: a fixed set of outbound messages (synthetic ones built here, every fixture file
  attached to a message, every message file of the mail corpora) through :class:`PresendChecker`, recorded
  as the verdict, its reasons (rule and message), recipients, classifications, subjects and categories.

The records hold no raw value: messages name rules, entities and counts (a test elsewhere pins that).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CORPORA = ROOT.parent / "shared" / "corpora"
FIXTURES = ROOT / "tests" / "fixtures" / "files"
# The trees whose scans are pinned; corpora only where the shared folder exists.
SCAN_TREES: dict[str, Path] = {
    "example-share": ROOT / "examples" / "share",
    "fixtures": FIXTURES,
    **{f"corpus-{name}": CORPORA / name for name in (
        "apache-tika-test-documents", "flanker", "mail-parser", "cpython-testsuite", "py-pdf-sample-files",
        "defusedxml-xmltestdata")},
}
MAIL_CORPORA = ("flanker", "mail-parser")


def golden_path(name: str) -> Path:
    """Where the golden file of one scan tree or of the pre-send set lives."""
    return HERE / f"{name}.json"


def item_record(r: dict[str, Any]) -> dict[str, Any]:
    """The behaviour of one scanned item, without values, locations or timings."""
    return {
        "status": r["status"], "reason": r["reason"], "classifications": r["classifications"],
        "subjects": r["subjects"], "data_categories": r["data_categories"], "exposure": r["exposure"],
        "findings": {f["entity"]: f["count"] for f in sorted(r["findings"], key=lambda f: f["entity"])},
    }


def scan_tree(tree: Path, home: Path) -> dict[str, dict[str, Any]]:
    """Scan ``tree`` with the real CLI (two workers, a fresh store) and return its records by relative URI.

    The tree is scanned from a copy whose files are 0644 and folders 0755: exposure includes what the
    permissions say (``other_readable``), and a checkout made under another umask must not change the records.
    """
    out = home / "out.jsonl"
    copy = home / "tree"
    shutil.copytree(tree, copy, symlinks=True)
    for folder, dirs, files in os.walk(copy):
        for name in dirs:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o644)
    tree = copy
    proc = subprocess.run([sys.executable, str(ROOT / "run_scan.py"), "scan", str(tree), "--format", "jsonl",
                           "--no-progress", "--workers", "2", "--output", str(out)], capture_output=True, text=True,
                          timeout=900, env={**os.environ, "DLP_HOME": str(home / "home")})
    if proc.returncode != 0:
        raise RuntimeError(f"scan of {tree} exited {proc.returncode}: {proc.stderr[-2000:]}")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    summary = next(r["summary"] for r in records if "summary" in r)
    items = [r for r in records if "uri" in r]
    if summary["status"] != "completed" or summary["items"] != len(items):
        raise RuntimeError(f"scan of {tree}: summary {summary['status']} with {summary['items']} items, "
                           f"{len(items)} item lines")
    prefix = str(tree) + "/"
    return {r["uri"].removeprefix(prefix): item_record(r) for r in sorted(records, key=lambda r: r.get("uri", ""))
            if "uri" in r}


# -- pre-send --

TODAY = dt.date(2026, 1, 10)
KEY = b"golden-presend-key-0123456789abcdef"
SASIDS = ("1034567891", "1045678912", "1056789123")


def presend_settings(store: Path) -> dict[str, Any]:
    """The checker's config: one district, a DPA, a payroll contract, a student release, an expired DPA."""
    return {
        "organization": {"internal_domains": ["district.example"], "personal_domains": ["family-mail.example"]},
        "extract": {"passwords": ["district-held-secret-7"]},
        "detect": {"roster_file": "/nonexistent/roster.sqlite"},
        "store": {"db": str(store)},
        "authorizations": [
            {"id": "DPA-2025-014", "kind": "dpa", "party": "Example Learning Inc.", "recipients": ["vendor.example"],
             "data_categories": ["student_name", "student_id", "assessment"],
             "effective": dt.date(2025, 7, 1), "expires": dt.date(2026, 6, 30)},
            {"id": "CTR-2025-002", "kind": "contract", "party": "Payroll Services LLC",
             "recipients": ["payroll.example"],
             "data_categories": ["employee_name", "employee_id", "compensation", "ssn", "tax_id",
                                 "financial_account"],
             "effective": dt.date(2025, 1, 1), "expires": dt.date(2027, 12, 31)},
            {"id": "REL-2026-001", "kind": "release", "party": "Partner Clinic",
             "recipients": ["records@clinic.example"],
             "data_categories": ["student_name", "student_id", "assessment", "special_indicator"],
             "students": list(SASIDS[:2]), "effective": dt.date(2025, 9, 1), "expires": dt.date(2026, 8, 31)},
            {"id": "DPA-2024-001", "kind": "dpa", "party": "Old Vendor", "recipients": ["oldvendor.example"],
             "data_categories": ["student_name", "student_id", "assessment"],
             "effective": dt.date(2024, 7, 1), "expires": dt.date(2025, 6, 30)},
        ],
    }


def _mail(to: list[str], body: str | None, *, subject: str = "Records",
          attachments: tuple[tuple[str, bytes], ...] = (), headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    from email.message import EmailMessage

    m = EmailMessage()
    m["From"] = "Dana Whitfield <d.whitfield@district.example>"
    m["To"] = ", ".join(to)
    m["Subject"] = subject
    m["Message-ID"] = "<golden@district.example>"
    for name, value in headers:
        m[name] = value
    m.set_content(body if body is not None else "See attached.")
    for name, data in attachments:
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(m)


def _zip(members: list[tuple[str, bytes]], password: str | None = None) -> bytes:
    import io

    import pyzipper

    buffer = io.BytesIO()
    if password is None:
        with pyzipper.ZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED) as z:
            for name, data in members:
                z.writestr(name, data)
    else:
        with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as z:
            z.setpassword(password.encode())
            for name, data in members:
                z.writestr(name, data)
    return buffer.getvalue()


def presend_messages() -> Iterator[tuple[str, bytes, tuple[str, ...]]]:
    """The fixed message set: (name, raw message, envelope recipients)."""
    a, b, c = SASIDS
    roster = (f"Hello,\n\nSpring results.\n\nStudent: Jordan Alvarez, SASID {a}, grade 5, MCAS score 512\n"
              f"Student: Maria Chen, SASID {b}, grade 5, MCAS score 498\n")
    third = roster + f"Student: Samuel Okafor, SASID {c}, grade 5, MCAS score 530\n"
    sped = roster + "Both students have an IEP and receive special education services.\n"
    payroll = "Payroll correction: Jordan Alvarez, SSN 512-48-7793, direct deposit starts in March.\n"
    csv = (f"Last Name,First Name,SASID,Grade\nAlvarez,Jordan,{a},5\nChen,Maria,{b},5\n").encode()
    notice = ("\n\nUnder FERPA (34 CFR 99.33) the recipient may not redisclose these records without the written "
              "consent of the parent or eligible student.\n")
    synthetic: list[tuple[str, bytes, tuple[str, ...]]] = [
        ("internal-roster", _mail(["t.ng@district.example"], roster), ()),
        ("dpa-roster", _mail(["ops@vendor.example"], roster + notice), ()),
        ("dpa-roster-no-notice", _mail(["ops@vendor.example"], roster), ()),
        ("expired-dpa", _mail(["ops@oldvendor.example"], roster + notice), ()),
        ("no-authorization", _mail(["ops@stranger.example"], roster), ()),
        ("personal-account", _mail(["jordan.mom@family-mail.example"], roster), ()),
        ("personal-gmail", _mail(["someone@gmail.com"], payroll), ()),
        ("release-two-students", _mail(["records@clinic.example"], sped + notice), ()),
        ("release-third-student", _mail(["records@clinic.example"], third + notice), ()),
        ("dpa-sped-not-covered", _mail(["ops@vendor.example"], sped + notice), ()),
        ("payroll-contract-plain", _mail(["hr@payroll.example"], payroll), ()),
        ("payroll-contract-aes", _mail(["hr@payroll.example"], "Attached, password by phone.",
                                       attachments=(("pay.zip", _zip([("pay.txt", payroll.encode())],
                                                                     "district-held-secret-7")),)), ()),
        ("aes-unknown-password", _mail(["ops@stranger.example"], "Attached.",
                                       attachments=(("x.zip", _zip([("r.csv", csv)], "not-configured-9")),)), ()),
        ("csv-attachment-dpa", _mail(["ops@vendor.example"], "Attached." + notice,
                                     attachments=(("roster.csv", csv),)), ()),
        ("csv-renamed-png", _mail(["ops@stranger.example"], "Photo.", attachments=(("photo.png", csv),)), ()),
        ("zip-of-csv", _mail(["ops@stranger.example"], "Attached.",
                             attachments=(("r.zip", _zip([("r.csv", csv)])),)), ()),
        ("broken-zip", _mail(["ops@stranger.example"], "Attached.",
                             attachments=(("r.zip", _zip([("r.csv", csv)])[:-40]),)), ()),
        ("percent-hack", _mail(["ops%stranger.example@district.example"], roster), ()),
        ("bang-path", _mail(["stranger.example!ops@district.example"], roster), ()),
        ("mixed-recipients", _mail(["t.ng@district.example", "ops@stranger.example"], roster), ()),
        ("header-pi", _mail(["ops@stranger.example"], "Hello.", headers=(("X-Note", f"SASID {a} Jordan Alvarez"),)),
         ()),
        ("envelope-only", _mail(["t.ng@district.example"], payroll), ("ops@stranger.example",)),
        ("clean-external", _mail(["ops@stranger.example"], "The meeting moved to Tuesday at 3 pm."), ()),
    ]
    yield from synthetic
    for path in sorted(p for p in FIXTURES.iterdir() if p.is_file()):
        raw = _mail(["ops@vendor.example", "parent@family-mail.example", "t.ng@district.example"],
                    "Attached." + notice, attachments=((path.name, path.read_bytes()),))
        yield f"fixture:{path.name}", raw, ()
    for name in MAIL_CORPORA:
        base = CORPORA / name
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and _looks_like_mail(p)):
            yield f"corpus:{name}/{path.relative_to(base)}", path.read_bytes(), ("ops@stranger.example",)


def _looks_like_mail(path: Path) -> bool:
    if path.stat().st_size > 4 * 2**20 or path.suffix.lower() in {".py", ".md", ".txt", ".json", ".pyc"}:
        return False
    head = path.read_bytes()[:200].lstrip()
    first = head.split(b"\n", 1)[0]
    return b":" in first and first.split(b":", 1)[0].replace(b"-", b"").isalnum()


def presend_records(store: Path) -> dict[str, dict[str, Any]]:
    """Check every message of the fixed set; return the verdict records by message name."""
    from dlp.config import from_dict
    from dlp.presend.check import PresendChecker

    checker = PresendChecker(from_dict(presend_settings(store)), KEY, log_disclosures=False)
    out: dict[str, dict[str, Any]] = {}
    for name, raw, envelope in presend_messages():
        verdict = checker.check(raw, TODAY, envelope_recipients=envelope).to_dict()
        verdict.pop("disclosures_logged", None)  # disclosures are off here; the count says nothing
        out[name] = verdict
    return out


def dump(records: dict[str, Any]) -> str:
    """The byte-stable JSON form of a golden file."""
    return json.dumps(records, indent=1, sort_keys=True) + "\n"
