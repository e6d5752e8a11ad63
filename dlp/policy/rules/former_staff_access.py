"""``former-staff-access``: PI owned by, shared with, or in the mailbox of a departed account: block.

The district's rules ask that a terminated or temporary employee's "physical and electronic access to
personal information must be immediately blocked". At scan time an item whose exposure holds
``former_staff:ACCOUNT`` (dlp/staff.py: the HR roster's status or end date, a suspended or deleted
Google account, a disabled Microsoft 365 account) is judged with that account as a recipient of kind
:data:`FORMER_STAFF`; the reason names the account and what the item holds, never a value.
"""

from __future__ import annotations

from dlp.access.exposure import bare
from dlp.policy.recipients import Recipient
from dlp.policy.rules._examples import PAYSTUB, PLAIN, ROSTER, STAFF, shared
from dlp.policy.transfer import BLOCK, Expect, RuleExample, RuleReason, TransferContext, TransferRule
from dlp.staff import EXPOSURE_PREFIX

#: The recipient kind of a departed account (the exposure ``former_staff:ACCOUNT``).
FORMER_STAFF = "former_staff"


def recipient(exposure: str) -> Recipient | None:
    """The departed account of an exposure value (``former_staff:ACCOUNT``, maybe ``(inherited)``), or None."""
    value = bare(exposure)
    if not value.startswith(EXPOSURE_PREFIX):
        return None
    return Recipient(value[len(EXPOSURE_PREFIX):], FORMER_STAFF)


class FormerStaffAccess(TransferRule):
    """PI a departed account can still reach."""

    name = "former-staff-access"
    order = 12

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One reason per departed account, when the item holds PI."""
        if not context.pi_pieces:
            return []
        what = "/".join(context.pi_labels)
        return [RuleReason(self.name, BLOCK, f"{what} reachable by {r.address}, an account of someone who left",
                           (r.address,))
                for r in context.of_kind(FORMER_STAFF)]

    EXAMPLES = (
        RuleExample("a roster shared with a departed teacher", shared(Recipient("jdoe@district.example.org",
                                                                                FORMER_STAFF), ROSTER), (
            Expect(BLOCK, ("jdoe@district.example.org",), "reachable by jdoe@district.example.org"),)),
        RuleExample("pay stubs in a departed clerk's drive", shared(Recipient("clerk@district.example.org",
                                                                              FORMER_STAFF), PAYSTUB), (
            Expect(BLOCK, ("clerk@district.example.org",), "EMPLOYEE_PII/MA_PI reachable by"),)),
        RuleExample("a departed account with no PI", shared(Recipient("jdoe@district.example.org", FORMER_STAFF),
                                                            PLAIN)),
        RuleExample("a roster shared with current staff", shared(STAFF, ROSTER)),
        RuleExample("a pay stub readable by everyone is broad-access's", shared(Recipient("everyone", "internal"),
                                                                                PAYSTUB)),
    )
