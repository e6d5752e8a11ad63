"""``unreadable-content``: parts that could not be read, going outside the district: ``[presend] unreadable``.

What was never read cannot be judged, so it may not leave unseen: an archive whose password the
district does not hold, a damaged or unsupported file, one over a limit or past the time limit, a parser
failure. One exception: content encrypted at 128 bits or more for a third party that an authorization
in force today names (``dlp protect`` for a contracted party; the sender chose to encrypt for that
party). ZipCrypto is not encryption here, so an unread ZipCrypto member always counts. Whether it blocks
or warns is the district's setting (``block`` by default).
"""

from __future__ import annotations

import dataclasses

from dlp.policy.recipients import THIRD_PARTY
from dlp.policy.rules._examples import OTHER_VENDOR, PARENT, PLAIN, STAFF, TODAY, VENDOR, sent
from dlp.policy.transfer import BLOCK, WARN, Expect, Piece, RuleExample, RuleReason, TransferContext, TransferRule

# Why a part could not be read, in the words of a verdict's reason (dlp.types.Reason values as keys).
_UNREAD_WHY = {
    "encrypted": "encrypted with a password or key the district does not hold",
    "corrupt": "damaged",
    "unsupported": "a format the check cannot read",
    "too_large": "over the size limit",
    "timeout": "the time limit ran out",
    "bomb": "expands past the archive limits",
    "too_deep": "nested too deep",
    "too_many_members": "too many archive members",
    "unreadable": "unreadable",
    "internal": "its parser failed",
}
_SHOWN = 5
_LOCKED = Piece(where="attachment grades.zip!/grades.xlsx", name="grades.zip!/grades.xlsx", read=False,
                reason="encrypted")
_PROTECTED = dataclasses.replace(_LOCKED, protected_by="AES-256")
_DAMAGED = Piece(where="the message", read=False, reason="corrupt")


class UnreadableContent(TransferRule):
    """Content the check could not read, going outside."""

    name = "unreadable-content"
    order = 40

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """One reason naming the unread pieces and the recipients they count for."""
        # An empty file holds nothing to read.
        unread = [p for p in context.pieces if not p.read and p.reason != "empty"]
        outside = context.outside
        if not unread or not outside:
            return []
        named: dict[str, Piece] = {}
        to: list[str] = []
        for r in outside:
            authorized = r.kind == THIRD_PARTY and any(
                a.covers_recipient(r.address) and a.date_problem(context.today) is None
                for a in context.authorizations)
            counted = [p for p in unread if not (authorized and p.protected_by)]
            if counted:
                to.append(r.address)
                for p in counted:
                    named.setdefault(p.name, p)
        if not named:
            return []
        shown = [f"{'attachment ' + p.name if p.name else 'the message'} ({_UNREAD_WHY.get(p.reason or '', p.reason)})"
                 for p in list(named.values())[:_SHOWN]]
        more = f" and {len(named) - _SHOWN} more" if len(named) > _SHOWN else ""
        return [RuleReason(
            self.name, BLOCK if context.unreadable == BLOCK else WARN,
            f"{'; '.join(shown)}{more} could not be read, so could not be checked, to {', '.join(to)} "
            f"([presend] unreadable = {context.unreadable}); send it readable (or encrypted with a password the "
            "district holds) to a recipient an authorization covers", tuple(to))]

    EXAMPLES = (
        RuleExample("a locked archive to a vendor and a parent", sent(VENDOR, STAFF, PARENT, pieces=(PLAIN, _LOCKED)), (
            Expect(BLOCK, (VENDOR.address, PARENT.address),
                   "attachment grades.zip!/grades.xlsx (encrypted with a password or key the district does not "
                   "hold) could not be read, so could not be checked, to ops@learning.example.com, "
                   "parent@mail.example.com ([presend] unreadable = block)"),)),
        RuleExample("encrypted at 128 bits for the party a DPA names", sent(VENDOR, pieces=(PLAIN, _PROTECTED))),
        RuleExample("the same for a party nothing names", sent(OTHER_VENDOR, pieces=(PLAIN, _PROTECTED)), (
            Expect(BLOCK, (OTHER_VENDOR.address,), "attachment grades.zip!/grades.xlsx (encrypted with"),)),
        RuleExample("the DPA expired", sent(VENDOR, pieces=(PLAIN, _PROTECTED), today=TODAY.replace(year=2027)), (
            Expect(BLOCK, (VENDOR.address,), "could not be checked, to ops@learning.example.com"),)),
        RuleExample("the district warns only", sent(PARENT, pieces=(_DAMAGED,), unreadable=WARN), (
            Expect(WARN, (PARENT.address,), "the message (damaged) could not be read"),)),
        RuleExample("an empty file", sent(PARENT, pieces=(PLAIN, dataclasses.replace(_LOCKED, reason="empty")))),
        RuleExample("inside the district", sent(STAFF, pieces=(_LOCKED,))),
        RuleExample("six unread: five named", sent(PARENT, pieces=tuple(
            dataclasses.replace(_LOCKED, name=f"f{i}.zip", reason="corrupt") for i in range(6))), (
            Expect(BLOCK, (PARENT.address,), "attachment f4.zip (damaged) and 1 more could not be read"),)),
    )
