"""``public-link``: any PI in an item anyone with the link can open (no recipient to authorize): block."""

from __future__ import annotations

from dlp.policy.recipients import PUBLIC
from dlp.policy.rules._examples import LINK, PLAIN, ROSTER, VENDOR, shared
from dlp.policy.transfer import BLOCK, Expect, RuleExample, RuleReason, TransferContext, TransferRule


class PublicLink(TransferRule):
    """PI open to anyone with the link."""

    name = "public-link"
    order = 15

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One reason per public link, when the item holds PI."""
        if not context.pi_pieces:
            return []
        what = "/".join(context.pi_labels)
        return [RuleReason(self.name, BLOCK, f"{what} in an item anyone with the link can open", (r.address,))
                for r in context.of_kind(PUBLIC)]

    EXAMPLES = (
        RuleExample("a roster anyone with the link can open", shared(LINK, ROSTER), (
            Expect(BLOCK, (LINK.address,), "STUDENT_PII in an item anyone with the link can open"),)),
        RuleExample("a public link to no PI", shared(LINK, PLAIN)),
        RuleExample("shared with a named party instead", shared(VENDOR, ROSTER)),
    )
