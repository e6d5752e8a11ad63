"""``third-party-without-authorization``: student or staff PI to a third party no authorization covers: block.

An authorization covers the transfer when it names the recipient (domain or address), is in force
today, and covers every data category and every student of it (CONTRACT.md section 4). A scan cannot
match students (it keeps no student IDs), so there an authorization limited to listed students covers
nothing, and the reason says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from dlp.policy.authorizations import Student
from dlp.policy.labels import PERSON_LABELS
from dlp.policy.recipients import THIRD_PARTY
from dlp.policy.rules._examples import (
    DPA,
    OTHER_VENDOR,
    PAYSTUB,
    RELEASE,
    STUDENT_A,
    STUDENT_C,
    TODAY,
    VENDOR,
    sent,
    shared,
)
from dlp.policy.transfer import BLOCK, SCAN, Expect, Piece, RuleExample, RuleReason, TransferContext, TransferRule

_OLD_DPA = dataclasses.replace(DPA, id="DPA-2023-002", effective=dt.date(2023, 7, 1), expires=dt.date(2024, 6, 30))
_BY_NAME = Student(frozenset({"name:" + "d" * 27}), "name:" + "d" * 27, False)
_NOBODY = "no authorization covers this recipient"
_KINDS = " (DPA, contract, release, consent, subpoena, court order or law)"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


class ThirdPartyWithoutAuthorization(TransferRule):
    """Student or staff PI to a third party without a legal basis."""

    name = "third-party-without-authorization"
    order = 20

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One reason per third party no authorization covers."""
        out: list[RuleReason] = []
        for r in context.of_kind(THIRD_PARTY):
            found = context.coverage.get(r.address)
            if found is None or found.authorization is not None:
                continue
            if context.phase == SCAN:
                # The authorizations' problems as checked, in the store's short form.
                problem = "; ".join(p for _, p in found.problems) if found.problems else _NOBODY
                out.append(RuleReason(self.name, BLOCK, f"{r.address}: {problem}", (r.address,)))
                continue
            # The nearest miss first: what the sender most likely meant to rely on.
            problem = "; ".join(p for _, p in sorted(found.problems, key=lambda p: p[0])) or _NOBODY + _KINDS
            students = context.students or ()
            people = _count(len(students), "student") if students else _count(context.subjects, "person", "people")
            out.append(RuleReason(
                self.name, BLOCK,
                f"{', '.join(c for c in context.labels if c in PERSON_LABELS)} ({people}; "
                f"categories {', '.join(context.categories) or 'none'}) in {context.where} to {r.address}: {problem}",
                (r.address,)))
        return out

    EXAMPLES = (
        RuleExample("a roster to a vendor the DPA covers", sent(VENDOR, students=(STUDENT_C,))),
        RuleExample("a roster to a vendor nothing covers", sent(OTHER_VENDOR, students=(STUDENT_C,)), (
            Expect(BLOCK, (OTHER_VENDOR.address,),
                   "STUDENT_PII (1 student; categories student_id, student_name) in attachment roster.csv to "
                   "sales@other.example.com: no authorization covers this recipient (DPA, contract"),)),
        RuleExample("pay stubs: categories the DPA lacks", sent(VENDOR, pieces=(PAYSTUB,), subjects=2), (
            Expect(BLOCK, (VENDOR.address,), "EMPLOYEE_PII (2 people; categories compensation, employee_name, ssn) "
                                             "in attachment pay.pdf to ops@learning.example.com: DPA-2025-014 does "
                                             "not cover category compensation, employee_name, ssn"),)),
        RuleExample("an expired DPA", sent(VENDOR, today=TODAY.replace(year=2027)), (
            Expect(BLOCK, (VENDOR.address,), ": DPA-2025-014 expired on 2026-06-30"),)),
        RuleExample("a release for other students", sent(VENDOR, authorizations=(RELEASE,), students=(STUDENT_C,)), (
            Expect(BLOCK, (VENDOR.address,), "REL-7 does not cover 1 of the 1 students"),)),
        RuleExample("a release listing the student", sent(VENDOR, authorizations=(RELEASE,), students=(STUDENT_A,))),
        RuleExample("the nearest miss first", sent(VENDOR, authorizations=(_OLD_DPA, RELEASE), students=(STUDENT_C,)), (
            Expect(BLOCK, (VENDOR.address,), ": REL-7 does not cover 1 of the 1 students; DPA-2023-002 expired on "
                                             "2024-06-30"),)),
        RuleExample("a student named without an ID", sent(VENDOR, authorizations=(RELEASE,), students=(_BY_NAME,)), (
            Expect(BLOCK, (VENDOR.address,), "does not cover 1 of the 1 students (named without a student ID)"),)),
        RuleExample("no student or staff PI", sent(OTHER_VENDOR, pieces=(Piece("the body", labels=frozenset({
            "CREDENTIALS"})),))),
        RuleExample("at scan time: covered", shared(VENDOR)),
        RuleExample("at scan time: listed students cannot be matched", shared(VENDOR, authorizations=(RELEASE,)), (
            Expect(BLOCK, (VENDOR.address,), "ops@learning.example.com: REL-7 covers listed students only, "
                                             "which a scan cannot match"),)),
        RuleExample("at scan time: nobody covers it", shared(OTHER_VENDOR), (
            Expect(BLOCK, (OTHER_VENDOR.address,), "sales@other.example.com: no authorization covers this recipient"),
        )),
    )
