"""``broad-access``: 93H personal information or sensitive student records readable by a broad audience.

The district's Technology Use guidelines limit access to records with personal information to "those
persons who are reasonably required to know". At scan time an SMB or local item's ACL gives exposure
values such as ``everyone`` or ``domain_users`` (:mod:`dlp.access.exposure`); the scan's exposure judge
passes those that ``[access] broad_groups`` counts as broad to the rules as internal recipients whose
address is the exposure value. This rule warns once per such audience when the item is ``MA_PI`` or
``STUDENT_SENSITIVE``. It is a warning, not a block: the audience is inside the district, and the fix
(narrower ACL, quarantine) is remediation's, not a refused transfer's.
"""

from __future__ import annotations

from dlp.access.exposure import (
    AUTHENTICATED_USERS,
    DOMAIN_USERS,
    EVERYONE,
    GROUP_PREFIX,
    INHERITED_SUFFIX,
    OTHER_READABLE,
    bare,
    is_access,
    is_inherited,
)
from dlp.policy.labels import MA_PI, STUDENT_SENSITIVE
from dlp.policy.recipients import INTERNAL, Recipient
from dlp.policy.rules._examples import PAYSTUB, ROSTER, STAFF, shared
from dlp.policy.transfer import SCAN, WARN, Expect, Piece, RuleExample, RuleReason, TransferContext, TransferRule

FLAGGED = (MA_PI, STUDENT_SENSITIVE)
_WHO = {EVERYONE: "everyone", AUTHENTICATED_USERS: "all authenticated users", DOMAIN_USERS: "all domain users",
        OTHER_READABLE: "anyone with an account on the host"}


class BroadAccess(TransferRule):
    """Sensitive PI that a broad internal audience may read."""

    name = "broad-access"
    order = 45

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One warning per broad audience of a scanned MA_PI or STUDENT_SENSITIVE item."""
        if context.phase != SCAN:
            return []
        labels = [label for label in context.pi_labels if label in FLAGGED]
        if not labels:
            return []
        what = "/".join(labels)
        return [RuleReason(self.name, WARN, f"{what} readable by {who(r.address)}", (r.address,))
                for r in context.of_kind(INTERNAL) if is_access(r.address)]

    EXAMPLES = (
        RuleExample("a pay stub readable by everyone", shared(Recipient(EVERYONE, INTERNAL), PAYSTUB), (
            Expect(WARN, (EVERYONE,), "MA_PI readable by everyone"),)),
        RuleExample("an IEP readable by all domain users through the folder",
                    shared(Recipient(DOMAIN_USERS + INHERITED_SUFFIX, INTERNAL),
                           Piece(where="the item", labels=frozenset({"STUDENT_PII", STUDENT_SENSITIVE}))), (
            Expect(WARN, (DOMAIN_USERS + INHERITED_SUFFIX,),
                   "STUDENT_SENSITIVE readable by all domain users (inherited from a parent folder)"),)),
        RuleExample("a pay stub readable by a broad group", shared(Recipient("group:All Staff", INTERNAL), PAYSTUB), (
            Expect(WARN, ("group:All Staff",), "readable by the group All Staff"),)),
        RuleExample("a roster without sensitive terms readable by everyone",
                    shared(Recipient(EVERYONE, INTERNAL), ROSTER)),
        RuleExample("a pay stub shared with a colleague", shared(STAFF, PAYSTUB)),
        RuleExample("a departed account is former-staff-access's", shared(Recipient("rgone@district.example.org",
                                                                                 "former_staff"), PAYSTUB)),
    )


def who(value: str) -> str:
    """An exposure value in words: ``domain_users(inherited)`` -> ``all domain users (inherited ...)``."""
    base = bare(value)
    words = _WHO.get(base) or (f"the group {base[len(GROUP_PREFIX):]}" if base.startswith(GROUP_PREFIX) else base)
    return words + (" (inherited from a parent folder)" if is_inherited(value) else "")
