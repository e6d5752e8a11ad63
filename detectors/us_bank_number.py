"""US bank account numbers (93H element (c)); domain rule 26.

There is no US format: accounts run to 17 digits. A run of 6-17 digits counts only with an account
word nearby or beside a checksum-valid routing number. Six is the floor on purpose: four- and
five-digit runs are years, room numbers and counts far more often than accounts. A routing, phone or
invoice word nearer than any account word drops the match, so the routing number itself is not
reported as an account.
"""

from __future__ import annotations

import re

from detectors.aba_routing import is_aba_routing
from detectors.base import (
    NUM_END,
    NUM_START,
    ContextHit,
    DistrictPattern,
    DistrictPatternRecognizer,
    Examples,
)

_NINE_DIGITS = re.compile(NUM_START + r"\d{9}" + NUM_END)
_ROUTING_WORDS = frozenset({"routing", "aba", "rtn", "transit"})


class BankAccountRecognizer(DistrictPatternRecognizer):
    """US_BANK_NUMBER: 6-17 digits beside an account word or a routing number."""

    ENTITY = "US_BANK_NUMBER"
    REPLACES = ("UsBankRecognizer",)
    PATTERNS = (
        DistrictPattern("bank account", NUM_START + r"\d{6,17}" + NUM_END, 0.3, requires_context=True),
    )
    CONTEXT = (
        "account", "account number", "account no", "acct", "acct#", "acc#", "a/c", "checking", "savings",
        "direct deposit", "bank account", "deposit account", "dda",
    )
    NEGATIVE_CONTEXT = (
        "routing", "aba", "rtn", "transit", "phone", "tel", "fax", "invoice", "order", "ssn",
        "social security", "card", "zip", "student", "sasid", "employee id",
        # Ticket and bug references in changelogs and help-desk mail ("Closes: #1007785").
        "closes", "bug", "issue", "ticket", "incident",
    )
    EXAMPLES = Examples(
        positives=(
            "Checking account: [[000123456789]]",
            "Direct deposit: routing 011000015, account [[4400187236]]",
            "Acct# [[73319820]] at Cambridge Savings",
            "ABA 021000021 / [[912004417733]]",  # beside a routing number
            "Savings acct no. [[55123409]] for the PTO",
        ),
        negatives=(
            "  * add documentation. (Closes: #1007785)\n  * clarify system account terminology.",
            "Routing number: 011000015",  # the routing number is not an account
            "Invoice 4400187236 paid by the business office",
            "Account holder phone 6175550142",
            "Our account of 2024 events: 12 trips",  # years and counts are too short
            "Ship to 02139-4321",
            "Student ID 1023456789 (account created in Aspen)",  # a student number, not a bank account
        ),
    )

    def context_hit(self, text: str, start: int, end: int) -> ContextHit | None:
        """An account word decides as usual; a routing number in the window also counts.

        A routing number beside the digits outweighs a routing *word* ("ABA 021000021 / 912004417733"),
        but not a nearer phone or invoice word.
        """
        hit = super().context_hit(text, start, end)
        if hit is not None and not hit.negative:
            return hit
        neighbour = self._routing_neighbour(text, start, end)
        if neighbour is None:
            return hit
        if hit is None or hit.term.lower() in _ROUTING_WORDS or neighbour.distance < hit.distance:
            return neighbour
        return hit

    def _routing_neighbour(self, text: str, start: int, end: int) -> ContextHit | None:
        lo, hi = max(0, start - self.context_window), min(len(text), end + self.context_window)
        for match in _NINE_DIGITS.finditer(text, lo, hi):
            if match.start() != start and is_aba_routing(match.group(0)):
                distance = start - match.end() if match.end() <= start else match.start() - end
                return ContextHit(term="routing number", distance=max(0, distance))
        return None
