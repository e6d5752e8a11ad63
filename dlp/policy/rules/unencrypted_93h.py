"""``unencrypted-93h``: M.G.L. c. 93H personal information outside the district, not encrypted: block.

93H section 1 and 201 CMR 17.04 count as encrypted only a process of 128 bits or more
(:mod:`dlp.policy.encryption`): ZipCrypto, or an AES archive whose password is in the same message, is
not. A message's reason names every piece and every outside recipient; at scan time an item shared with
a personal account is already named by ``personal-account``, so only third parties get this reason there.
"""

from __future__ import annotations

import dataclasses

from dlp.policy.encryption import MIN_KEY_BITS
from dlp.policy.labels import MA_PI
from dlp.policy.recipients import THIRD_PARTY
from dlp.policy.rules._examples import PARENT, PAYSTUB, ROSTER, STAFF, VENDOR, sent, shared
from dlp.policy.transfer import BLOCK, SCAN, Expect, RuleExample, RuleReason, TransferContext, TransferRule

_ZIPCRYPTO = dataclasses.replace(PAYSTUB, where="attachment pay.zip!/pay.pdf", name="pay.zip!/pay.pdf",
                                 weak_cipher="ZipCrypto")
_AES = dataclasses.replace(PAYSTUB, where="attachment pay.zip!/pay.pdf", name="pay.zip!/pay.pdf",
                           protected_by="AES-256")


class Unencrypted93H(TransferRule):
    """93H personal information leaving unencrypted."""

    name = "unencrypted-93h"
    order = 30

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One reason for the whole message (one per third party at scan time)."""
        unprotected = [p for p in context.pieces if MA_PI in p.labels and p.protected_by is None]
        if not unprotected:
            return []
        if context.phase == SCAN:
            return [RuleReason(self.name, BLOCK, f"93H personal information reached {r.address} unencrypted",
                               (r.address,)) for r in context.of_kind(THIRD_PARTY)]
        outside = context.outside
        if not outside:
            return []
        parts = "; ".join(p.where + (f" ({p.weak_cipher})" if p.weak_cipher else "") for p in unprotected)
        return [RuleReason(
            self.name, BLOCK,
            f"M.G.L. c. 93H personal information (a name with an SSN, license or account number) in {parts} is "
            f"not encrypted at {MIN_KEY_BITS} bits or more, to {', '.join(r.address for r in outside)}; use "
            "`dlp protect` and send the passphrase separately", tuple(r.address for r in outside))]

    EXAMPLES = (
        RuleExample("pay stubs to a vendor and a parent", sent(VENDOR, STAFF, PARENT, pieces=(PAYSTUB,)), (
            Expect(BLOCK, (VENDOR.address, PARENT.address),
                   "personal information (a name with an SSN, license or account number) in attachment pay.pdf is "
                   "not encrypted at 128 bits or more, to ops@learning.example.com, parent@mail.example.com"),)),
        RuleExample("ZipCrypto is named", sent(VENDOR, pieces=(_ZIPCRYPTO,)), (
            Expect(BLOCK, (VENDOR.address,), "in attachment pay.zip!/pay.pdf (ZipCrypto) is not encrypted"),)),
        RuleExample("AES-256 is encryption", sent(VENDOR, pieces=(_AES,))),
        RuleExample("inside the district", sent(STAFF, pieces=(PAYSTUB,))),
        RuleExample("no 93H information", sent(VENDOR, pieces=(ROSTER,))),
        RuleExample("at scan time: a third party", shared(VENDOR, PAYSTUB), (
            Expect(BLOCK, (VENDOR.address,), "93H personal information reached ops@learning.example.com unencrypted"),
        )),
        RuleExample("at scan time: a personal account is personal-account's", shared(PARENT, PAYSTUB)),
        RuleExample("at scan time: encrypted", shared(VENDOR, _AES)),
    )
