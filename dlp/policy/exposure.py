"""Transfer rules applied during scans to items already shared, sent, or readable by many.

A Drive file shared with "anyone with the link" or with an outside address, and a message a user sent
to an outside address, are transfers that already happened. The scan judges them by the same rules as a
pre-send check (:mod:`dlp.policy.rules`; CONTRACT.md section 4, domain.md section 5), one exposure at a
time, so that the store and the reports show which exposures lack a legal basis. A scan keeps no student
IDs, so an authorization limited to listed students covers nothing here, and its reason says so.

Two kinds of exposure are no transfer and are never taken for addresses (:meth:`ExposureJudge.recipient`):
an ACL's audience (``everyone``, ``group:NAME``, ``other_readable``...) is an internal recipient for the
``broad-access`` rule, and ``former_staff:ACCOUNT`` a recipient of its own kind for ``former-staff-access``."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dlp.access.exposure import BroadGroups, is_access
from dlp.config import Settings
from dlp.policy.authorizations import Authorization, load_all
from dlp.policy.encryption import strong
from dlp.policy.labels import PI_LABELS
from dlp.policy.recipients import INTERNAL, PERSONAL_DOMAINS, PUBLIC, Recipient, recipient_kind
from dlp.policy.rules.former_staff_access import recipient as former_staff_recipient
from dlp.policy.transfer import SCAN, Piece, RuleReason, TransferContext, decide, evaluate
from dlp.types import ItemResult

LINK_EXPOSURE = "anyone_with_link"


class ExposureJudge:
    """Judges the exposure of scanned items; built once per scan in the main process."""

    def __init__(self, settings: Settings, key: bytes) -> None:
        self.internal = tuple(d.lower() for d in settings.organization.internal_domains)
        self.personal = frozenset(PERSONAL_DOMAINS) | {d.lower() for d in settings.organization.personal_domains}
        self.authorizations: tuple[Authorization, ...] = load_all(settings, key)
        self.broad = BroadGroups.from_config(settings.access.broad_groups)

    def apply(self, result: ItemResult, today: dt.date | None = None) -> ItemResult:
        """The result with ``verdict`` and ``verdict_reasons`` set when it is exposed outside with PI."""
        if not result.ref.exposure or not set(result.classifications) & set(PI_LABELS):
            return result
        verdict, reasons = self.judge(result, today or dt.date.today())
        return dataclasses.replace(result, verdict=verdict, verdict_reasons=tuple(reasons))

    def judge(self, result: ItemResult, today: dt.date) -> tuple[str, list[str]]:
        """``block`` with reasons (``rule: message``, exposure by exposure), or ``allow``."""
        piece = Piece(where="the item", labels=frozenset(result.classifications),
                      categories=frozenset(result.data_categories),
                      protected_by=(result.cipher or "encrypted") if result.encrypted and strong(result.key_bits)
                      else None)
        found: list[RuleReason] = []
        for exposure in result.ref.exposure:
            recipient = self.recipient(exposure)
            if recipient is None:
                continue
            context = TransferContext(phase=SCAN, recipients=(recipient,), pieces=(piece,), today=today,
                                      authorizations=self.authorizations, internal_domains=self.internal)
            found += evaluate(context)
        verdict, kept = decide(found)
        return verdict, [f"{r.rule}: {r.message}" for r in kept]

    def recipient(self, exposure: str) -> Recipient | None:
        """The party one exposure value stands for in the transfer rules, or None when no rule concerns it.

        - an ACL audience (``everyone``, ``group:NAME``, ``other_readable``..., maybe ``(inherited)``) is
          inside the district whatever ``internal_domains`` says: a recipient of kind internal whose
          address is the value, when ``[access] broad_groups`` counts it as broad (``broad-access`` reads
          it), else none;
        - ``former_staff:ACCOUNT``: the account, of kind ``former_staff`` (``former-staff-access``), never
          an address to judge as a transfer;
        - ``anyone_with_link``: public;
        - ``external:ADDRESS_OR_DOMAIN``: the kind of that address; an internal one concerns no rule.

        A value of no known form is judged as an address, so that nothing unrecognised passes unjudged.
        """
        if is_access(exposure):
            return Recipient(exposure, INTERNAL) if self.broad.is_broad(exposure) else None
        former = former_staff_recipient(exposure)
        if former is not None:
            return former
        if exposure == LINK_EXPOSURE:
            return Recipient(exposure, PUBLIC)
        address = exposure.removeprefix("external:")
        # A bare domain (shared with everyone at vendor.example) is judged as an address there.
        kind = recipient_kind(address if "@" in address else f"x@{address}", self.internal, self.personal)
        return None if kind == INTERNAL else Recipient(address, kind)
