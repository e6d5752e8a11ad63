"""Transfer rules applied during scans to items already shared or sent outside the district.

A Drive file shared with "anyone with the link" or with an outside address, and a message a user sent
to an outside address, are transfers that already happened. The scan judges them by the same rules as a
pre-send check (:mod:`dlp.policy.rules`; CONTRACT.md section 4, domain.md section 5), one exposure at a
time, so that the store and the reports show which exposures lack a legal basis. A scan keeps no student
IDs, so an authorization limited to listed students covers nothing here, and its reason says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from dlp.access.exposure import BroadGroups, is_access
from dlp.config import Settings
from dlp.policy.authorizations import Authorization, load_all
from dlp.policy.encryption import strong
from dlp.policy.labels import PI_LABELS
from dlp.policy.recipients import INTERNAL, PERSONAL_DOMAINS, PUBLIC, Recipient, recipient_kind
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
            # An ACL's audience (everyone, domain_users...) is inside the district: no transfer, only the
            # broad-access rule reads it, and only when [access] broad_groups counts it as broad.
            if is_access(exposure) and not self.broad.is_broad(exposure):
                continue
            recipient = Recipient(exposure, INTERNAL) if is_access(exposure) else self._recipient(exposure)
            if recipient.kind == INTERNAL and not is_access(exposure):
                continue
            context = TransferContext(phase=SCAN, recipients=(recipient,), pieces=(piece,), today=today,
                                      authorizations=self.authorizations, internal_domains=self.internal)
            found += evaluate(context)
        verdict, kept = decide(found)
        return verdict, [f"{r.rule}: {r.message}" for r in kept]

    def _recipient(self, exposure: str) -> Recipient:
        if exposure == LINK_EXPOSURE:
            return Recipient(exposure, PUBLIC)
        address = exposure.removeprefix("external:")
        # A bare domain (shared with everyone at vendor.example) is judged as an address there.
        return Recipient(address, recipient_kind(address if "@" in address else f"x@{address}", self.internal,
                                                 self.personal))
