"""``personal-account``: PI of any kind to a consumer mail account (domain.md section 5): block.

A personal account is outside every agreement the district has: no authorization can cover it.
"""

from __future__ import annotations

from dlp.policy.recipients import PERSONAL
from dlp.policy.rules._examples import LONE_SSN, PARENT, PLAIN, ROSTER, STAFF, VENDOR, sent, shared
from dlp.policy.transfer import BLOCK, SCAN, Expect, RuleExample, RuleReason, TransferContext, TransferRule


class PersonalAccount(TransferRule):
    """PI to a personal account."""

    name = "personal-account"
    order = 10

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One reason naming every personal account, when any piece holds PI."""
        personal = context.of_kind(PERSONAL)
        if not personal or not context.pi_pieces:
            return []
        if context.phase == SCAN:
            what = "/".join(context.pi_labels)
            return [RuleReason(self.name, BLOCK, f"{what} shared with or sent to {r.address}, a personal account",
                               (r.address,)) for r in personal]
        shown = ", ".join(r.address + (" (Bcc)" if r.address in context.hidden else "") for r in personal)
        what = ", ".join(context.labels) if context.labels else "PI elements (" + ", ".join(
            sorted({e for p in context.pi_pieces for e in p.pi_elements})) + ")"
        return [RuleReason(self.name, BLOCK, f"{what} in {context.where} to a personal account: {shown}",
                           tuple(r.address for r in personal))]

    EXAMPLES = (
        RuleExample("a roster to a parent's own mail", sent(STAFF, PARENT), (
            Expect(BLOCK, (PARENT.address,),
                   "STUDENT_PII in attachment roster.csv to a personal account: parent@mail.example.com"),)),
        RuleExample("a lone SSN is PI too, named by its entity", sent(PARENT, pieces=(LONE_SSN,)), (
            Expect(BLOCK, (PARENT.address,), "PI elements (US_SSN) in the body to a personal account"),)),
        RuleExample("a Bcc is marked", sent(PARENT, hidden=frozenset({PARENT.address})), (
            Expect(BLOCK, (PARENT.address,), "to a personal account: parent@mail.example.com (Bcc)"),)),
        RuleExample("no PI: nothing to say", sent(PARENT, pieces=(PLAIN,))),
        RuleExample("a third party is another rule's", sent(VENDOR)),
        RuleExample("found shared at scan time", shared(PARENT), (
            Expect(BLOCK, (PARENT.address,), "STUDENT_PII shared with or sent to parent@mail.example.com, "
                                             "a personal account"),)),
        RuleExample("an internal share at scan time", shared(STAFF, ROSTER)),
    )
