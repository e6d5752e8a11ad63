"""Shared pieces of the pre-send tests: a checker over synthetic authorizations, and a message builder.

Every person, number and domain here is invented (example domains, SSNs outside issued test lists).
"""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage
from typing import Any

import pytest
import pyzipper

from dlp.config import from_dict
from dlp.presend.check import PresendChecker
from dlp.presend.disclosures import DisclosureLog
from dlp.store.db import Store

KEY = b"presend-test-key-0123456789abcdef"
TODAY = dt.date(2026, 1, 10)
DISTRICT_PASSWORD = "district-held-secret-7"  # configured: the checker may read, the recipient cannot

# Two students of a grade-5 class; their SASIDs are the ones authorizations list.
SASID_A, SASID_B, SASID_C = "1034567891", "1045678912", "1056789123"
ROSTER_BODY = (
    "Hello,\n\nHere are the spring results.\n\n"
    f"Student: Jordan Alvarez, SASID {SASID_A}, grade 5, MCAS score 512\n"
    f"Student: Maria Chen, SASID {SASID_B}, grade 5, MCAS score 498\n"
)
ROSTER_CSV = (
    "Last Name,First Name,SASID,Grade,MCAS Score\n"
    f"Alvarez,Jordan,{SASID_A},5,512\nChen,Maria,{SASID_B},5,498\n"
).encode()
SPED_BODY = ROSTER_BODY + "Both students have an IEP and receive special education services.\n"
THIRD_STUDENT_BODY = ROSTER_BODY + f"Student: Samuel Okafor, SASID {SASID_C}, grade 5, MCAS score 530\n"
MA_PI_TEXT = "Employee payroll correction: Jordan Alvarez, SSN 512-48-7793, direct deposit starts in March.\n"
NOTICE = ("\n\nUnder FERPA (34 CFR 99.33) the recipient may not redisclose these records without the "
          "written consent of the parent or eligible student.\n")

AUTHORIZATIONS: list[dict[str, Any]] = [
    {"id": "DPA-2025-014", "kind": "dpa", "party": "Example Learning Inc.", "recipients": ["vendor.example"],
     "data_categories": ["student_name", "student_id", "assessment"],
     "effective": dt.date(2025, 7, 1), "expires": dt.date(2026, 6, 30)},
    {"id": "CTR-2025-002", "kind": "contract", "party": "Payroll Services LLC", "recipients": ["payroll.example"],
     "data_categories": ["employee_name", "employee_id", "compensation", "ssn", "tax_id", "financial_account"],
     "effective": dt.date(2025, 1, 1), "expires": dt.date(2027, 12, 31)},
    {"id": "REL-2026-001", "kind": "release", "party": "Partner Clinic", "recipients": ["records@clinic.example"],
     "data_categories": ["student_name", "student_id", "assessment", "special_indicator"],
     "students": [SASID_A, SASID_B], "effective": dt.date(2025, 9, 1), "expires": dt.date(2026, 8, 31)},
    {"id": "CON-2026-003", "kind": "consent", "party": "Summer Camp", "recipients": ["camp.example"],
     "data_categories": ["student_name", "student_id", "assessment"], "students": [SASID_A, SASID_B],
     "effective": dt.date(2025, 9, 1), "expires": dt.date(2026, 8, 31)},
    {"id": "SUB-2026-004", "kind": "subpoena", "party": "County Court", "recipients": ["clerk@court.example"],
     "data_categories": ["student_name", "student_id", "assessment"],
     "effective": dt.date(2026, 1, 1), "expires": dt.date(2026, 2, 1)},
    {"id": "CO-2026-005", "kind": "court_order", "party": "Juvenile Court", "recipients": ["juvenile.example"],
     "data_categories": ["student_name", "student_id", "assessment"],
     "effective": dt.date(2026, 1, 1), "expires": dt.date(2026, 3, 1)},
    {"id": "LAW-DESE", "kind": "law", "party": "State education agency", "recipients": ["dese.example"],
     "data_categories": ["student_name", "student_id", "assessment"],
     "effective": dt.date(2020, 1, 1), "expires": dt.date(2030, 12, 31)},
    {"id": "DPA-2024-001", "kind": "dpa", "party": "Old Vendor", "recipients": ["oldvendor.example"],
     "data_categories": ["student_name", "student_id", "assessment"],
     "effective": dt.date(2024, 7, 1), "expires": dt.date(2025, 6, 30)},
    {"id": "DPA-2026-020", "kind": "dpa", "party": "New Vendor", "recipients": ["newvendor.example"],
     "data_categories": ["student_name", "student_id", "assessment"],
     "effective": dt.date(2026, 9, 1), "expires": dt.date(2027, 6, 30)},
]


def settings_dict(tmp_db: str) -> dict[str, Any]:
    """The config the checker tests use (as parsed TOML)."""
    return {
        "organization": {"internal_domains": ["district.example"], "personal_domains": ["family-mail.example"]},
        "extract": {"passwords": [DISTRICT_PASSWORD]},
        "detect": {"roster_file": "/nonexistent/roster.sqlite"},
        "store": {"db": tmp_db.removeprefix("sqlite:///")},
        "authorizations": AUTHORIZATIONS,
    }


@pytest.fixture(scope="session")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('presend') / 'dlp.sqlite'}"


@pytest.fixture(scope="session")
def disclosure_log(store_url: str) -> DisclosureLog:
    return DisclosureLog(Store(store_url).engine)


@pytest.fixture(scope="session")
def checker(store_url: str, disclosure_log: DisclosureLog) -> PresendChecker:
    """One checker for the session: the detection engine is built once."""
    return PresendChecker(from_dict(settings_dict(store_url)), KEY, disclosure_log=disclosure_log)


def mail(to: str | list[str], body: str | None = "Hello.", *, subject: str = "Records", cc: str | None = None,
         bcc: str | None = None, html: str | None = None,
         attachments: list[tuple[str, bytes, str]] | None = None, message_id: str = "<t1@district.example>") -> bytes:
    """An outbound message from a district teacher, built with the standard library."""
    m = EmailMessage()
    m["From"] = "Dana Whitfield <d.whitfield@district.example>"
    m["To"] = ", ".join(to) if isinstance(to, list) else to
    if cc:
        m["Cc"] = cc
    if bcc:
        m["Bcc"] = bcc
    m["Subject"] = subject
    m["Message-ID"] = message_id
    if body is not None:
        m.set_content(body)
        if html is not None:
            m.add_alternative(html, subtype="html")
    elif html is not None:
        m.set_content(html, subtype="html")
    for name, data, kind in attachments or []:
        maintype, subtype = kind.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(m)


def aes_zip(members: list[tuple[str, bytes]], password: str, bits: int = 256) -> bytes:
    """A WinZip AES zip, as `dlp protect` and 7-Zip make them."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as z:
        z.setpassword(password.encode())
        z.setencryption(pyzipper.WZ_AES, nbits=bits)
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


def plain_zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with pyzipper.ZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()
