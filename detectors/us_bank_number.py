"""US bank account numbers (93H element (c)); domain rule 26.

There is no US format: accounts run to 17 digits. A run of 6-17 digits counts only with an account
word nearby (account, acct, checking account, savings, direct deposit, DDA, bank) or beside a routing
number that is itself labelled as one. Six is the floor on purpose: four- and five-digit runs are years,
room numbers and counts far more often than accounts.

Most long numbers in a district's files number things, not accounts: library barcodes and ISBNs, asset
tags and serials, order, invoice and PO numbers, tracking numbers, log record, request and session IDs,
timestamps. A word for such a thing nearer than any account word drops the match ("Item barcode
39999000123456", "GL account 100051100", "user account 4400187236"), and so does a routing, phone or
invoice word, so the routing number itself is not reported as an account. Values whose digits are a
date, an ISBN-13 or a placeholder run are never accounts.
"""

from __future__ import annotations

import re

from detectors._numbers import numbers_a_thing
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
# A routing number vouches for an account beside it only when it is labelled as one itself: one random
# 9-digit number in about thirty passes the routing checksum and prefix, and logs are full of them.
_ROUTING_LABEL = re.compile(r"(?<![0-9a-z])(?:routing|aba|rtn|transit)(?![0-9a-z])", re.IGNORECASE)
_LABEL_REACH = 24


class BankAccountRecognizer(DistrictPatternRecognizer):
    """US_BANK_NUMBER: 6-17 digits beside an account word or a routing number."""

    ENTITY = "US_BANK_NUMBER"
    REPLACES = ("UsBankRecognizer",)
    PATTERNS = (
        DistrictPattern("bank account", NUM_START + r"\d{6,17}" + NUM_END, 0.3, requires_context=True),
    )
    CONTEXT = (
        "account", "account number", "account no", "account nbr", "account num", "acct", "acct#", "acct no",
        "acct nbr", "acc#", "acc no", "a/c", "bank", "bank account", "bank acct", "checking account",
        "checking acct", "checking #", "checking no", "checking:", "savings account", "savings acct",
        "savings #", "savings no", "savings:", "direct deposit", "deposit account", "deposit acct", "dda",
        "dda#", "deposit to",
    )
    # A labelled routing number in the window also decides (context_hit): its label lies up to the label's
    # reach and the number's nine digits farther out than a context word may.
    GATE_TERMS = ("routing", "aba", "rtn", "transit")
    GATE_REACH = _LABEL_REACH + 12
    NEGATIVE_CONTEXT = (
        "routing", "aba", "rtn", "transit", "phone", "tel", "fax", "ssn", "social security", "card",
        "zip", "student", "sasid", "employee id", "npi", "license", "mepid",
        # Things that are numbered: catalogs, inventories, purchasing and shipping.
        "barcode", "bar code", "isbn", "issn", "upc", "ean", "sku", "item", "call number", "accession",
        "asset", "asset tag", "tag", "serial", "serial no", "s/n", "sn", "model", "part", "lot", "batch",
        "order", "invoice", "po", "p.o.", "purchase order", "requisition", "quote", "receipt",
        "tracking", "shipment", "confirmation", "reference", "ref",
        # Logs, systems and help desks ("Closes: #1007785", "session 48213377120").
        "closes", "bug", "issue", "ticket", "incident", "case", "claim", "record", "rec", "id", "uid",
        "uuid", "guid", "pid", "request", "req", "session", "txn", "transaction", "trans", "timestamp",
        "epoch", "port", "version", "build", "line", "row", "page", "error", "code",
        # Accounts that are not at a bank: budget lines, logins, library and utility accounts.
        "gl", "gl account", "general ledger", "ledger", "budget", "fund", "object code", "account code",
        "expense account", "revenue account", "user account", "system account", "service account",
        "email account", "e-mail account", "google account", "account id", "account name", "username",
        "user", "login", "customer", "member", "patron", "library account", "meter", "policy",
    )
    EXAMPLES = Examples(
        positives=(
            "Checking account: [[000123456789]]",
            "Checking: [[4400187236]]",
            "Direct deposit: routing 011000015, account [[4400187236]]",
            "Acct# [[73319820]] at Cambridge Savings",
            "ABA 021000021 / [[912004417733]]",  # beside a routing number
            "Savings acct no. [[55123409]] for the PTO",
            "Bank: Cambridge Savings, DDA # [[004417733912]]",
            "Deposit to checking #[[9000123774]] each pay date",
            "Account Nbr. [[58710023]] (savings)",
        ),
        negatives=(
            "  * add documentation. (Closes: #1007785)\n  * clarify system account terminology.",
            "Routing number: 011000015",  # the routing number is not an account
            "Invoice 4400187236 paid by the business office",
            "Account holder phone 6175550142",
            "Our account of 2024 events: 12 trips",  # years and counts are too short
            "Ship to 02139-4321",
            "Student ID 1023456789 (account created in Aspen)",  # a student number, not a bank account
            "Item barcode 39999000123456, account of the Civil War, 3rd ed.",
            "ISBN 9780316769488 checked out to account holder",  # an ISBN-13 is never an account
            "GL account 100051100 - instructional supplies",
            "User account 4400187236 locked after 5 failed logins",
            "20220604\n\t+ add note on portable memory-leak checking",  # a date; "checking" is not a label
            "Account number: 123456789",  # a counting run, a placeholder
            "Asset tag 00187236 (Dell laptop, Account: Library)",
            "Request 4400187236 session 021000021 account sync",  # an unlabelled checksum-valid neighbour
            "Order 55123409, checking status",
            # A word ending in a colon after the number is the next line's label, not this number's:
            # libtiff's changelog, "raise limit of IFDs to 1048576 / IFD loop checking: use hashmap".
            "and raise limit of IFDs to 1048576\n\n\tIFD loop checking: use hashmap to avoid quadratic cost.",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Dates, ISBN-13s and placeholder runs are not accounts."""
        return not numbers_a_thing(pattern_text)

    def context_hit(self, text: str, start: int, end: int) -> ContextHit | None:
        """An account word decides as usual; a labelled routing number in the window also counts.

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
            if match.start() == start or not is_aba_routing(match.group(0)):
                continue
            if _ROUTING_LABEL.search(text, max(0, match.start() - _LABEL_REACH), match.start()):
                distance = start - match.end() if match.end() <= start else match.start() - end
                return ContextHit(term="routing number", distance=max(0, distance))
        return None
