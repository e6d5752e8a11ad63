"""Invented parties, authorizations and pieces the rules' examples share (example.org/example.com only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dlp.policy.authorizations import Authorization, Student
from dlp.policy.recipients import INTERNAL, PERSONAL, PUBLIC, THIRD_PARTY, Recipient
from dlp.policy.transfer import PRESEND, SCAN, Piece, TransferContext

TODAY = dt.date(2026, 1, 15)
STAFF = Recipient("office@district.example.org", INTERNAL)
PARENT = Recipient("parent@mail.example.com", PERSONAL)
VENDOR = Recipient("ops@learning.example.com", THIRD_PARTY)
OTHER_VENDOR = Recipient("sales@other.example.com", THIRD_PARTY)
LINK = Recipient("anyone_with_link", PUBLIC)
# A DPA with the learning platform: names and IDs of any student, this school year.
DPA = Authorization(id="DPA-2025-014", kind="dpa", party="Example Learning Inc.", recipients=("learning.example.com",),
                    data_categories=frozenset({"student_name", "student_id"}), students=frozenset(),
                    effective=dt.date(2025, 7, 1), expires=dt.date(2026, 6, 30))
# A release for two listed students only (their keyed hashes, invented).
RELEASE = Authorization(id="REL-7", kind="release", party="Example Learning Inc.", recipients=("learning.example.com",),
                        data_categories=frozenset({"student_name", "student_id"}),
                        students=frozenset({"a" * 32, "b" * 32}), effective=dt.date(2025, 7, 1),
                        expires=dt.date(2026, 6, 30))
STUDENT_A = Student(frozenset({"a" * 32}), "a" * 32, True)
STUDENT_C = Student(frozenset({"c" * 32}), "c" * 32, True)

ROSTER = Piece(where="attachment roster.csv", name="roster.csv", labels=frozenset({"STUDENT_PII"}),
               categories=frozenset({"student_name", "student_id"}), pi_elements=frozenset({"MA_SASID"}))
PAYSTUB = Piece(where="attachment pay.pdf", name="pay.pdf", labels=frozenset({"MA_PI", "EMPLOYEE_PII"}),
                categories=frozenset({"employee_name", "ssn", "compensation"}), pi_elements=frozenset({"US_SSN"}))
LONE_SSN = Piece(where="the body", pi_elements=frozenset({"US_SSN"}))
PLAIN = Piece(where="the body")


def sent(*recipients: Recipient, pieces: tuple[Piece, ...] = (ROSTER,), **facts: Any) -> TransferContext:
    """A message about to leave (the pre-send check), by default with a student roster attached."""
    facts.setdefault("authorizations", (DPA,))
    facts.setdefault("students", ())
    return TransferContext(phase=PRESEND, recipients=recipients, pieces=pieces, today=facts.pop("today", TODAY),
                           internal_domains=("district.example.org",), **facts)


def shared(recipient: Recipient, piece: Piece = ROSTER, **facts: Any) -> TransferContext:
    """An item a scan found shared with one recipient."""
    facts.setdefault("authorizations", (DPA,))
    return TransferContext(phase=SCAN, recipients=(recipient,), pieces=(piece,), today=facts.pop("today", TODAY),
                           internal_domains=("district.example.org",), **facts)
