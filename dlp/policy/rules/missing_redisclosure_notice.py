"""``missing-redisclosure-notice``: student records go lawfully to a third party without the FERPA notice: warn.

34 CFR 99.33 requires the district to tell the recipient that it may not redisclose the records
without consent. Only an otherwise allowed transfer gets this warning (``advise``): a blocked one must
not leave anyway, and a warned one already asks the sender to look again.
"""

from __future__ import annotations

import re

from dlp.policy.labels import STUDENT_LABELS
from dlp.policy.rules._examples import OTHER_VENDOR, PAYSTUB, STUDENT_A, STUDENT_C, VENDOR, sent, shared
from dlp.policy.transfer import ADVISE, Expect, RuleExample, RuleReason, TransferContext, TransferRule

# The notice in any wording that names it.
_REDISCLOSURE = re.compile(r"redisclos|re-disclos|34\s*C\.?\s*F\.?\s*R\.?\s*(?:§|part|sec(?:tion|\.)?)?\s*99\.33",
                           re.IGNORECASE)


class MissingRedisclosureNotice(TransferRule):
    """Student records to an authorized third party without the redisclosure notice."""

    name = "missing-redisclosure-notice"
    order = 50

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One reason for the authorized recipients, when the sender's text lacks the notice."""
        used = context.authorized
        if context.notice_text is None or not used or not set(context.labels) & STUDENT_LABELS:
            return []
        if _REDISCLOSURE.search(context.notice_text):
            return []
        return [RuleReason(
            self.name, ADVISE,
            f"student records ({len(context.students or ())} students) to {', '.join(used)} under "
            f"{', '.join(sorted({a.id for a in used.values()}))} without the FERPA redisclosure notice "
            "(34 CFR 99.33: the recipient may not redisclose without consent); add it to the body", tuple(used))]

    EXAMPLES = (
        RuleExample("a roster under the DPA without the notice", sent(VENDOR, students=(STUDENT_A, STUDENT_C),
                                                                     notice_text="Here is the roster."), (
            Expect(ADVISE, (VENDOR.address,), "student records (2 students) to ops@learning.example.com under "
                                              "DPA-2025-014 without the FERPA redisclosure notice"),)),
        RuleExample("the notice in the body", sent(VENDOR, notice_text="Not to be redisclosed (34 CFR 99.33).")),
        RuleExample("the notice by its citation", sent(VENDOR, notice_text="See 34 C.F.R. § 99.33.")),
        RuleExample("no authorization: the third-party rule's", sent(OTHER_VENDOR, notice_text="Here it is.")),
        RuleExample("staff records need no FERPA notice", sent(VENDOR, pieces=(PAYSTUB,), notice_text="Pay stubs.")),
        RuleExample("at scan time there is no text to judge", shared(VENDOR)),
    )
