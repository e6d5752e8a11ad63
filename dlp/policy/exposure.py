"""Transfer rules applied during scans to items already shared or sent outside the district.

A Drive file shared with "anyone with the link" or with an outside address, and a message a user sent
to an outside address, are transfers that already happened. The scan judges them by the same rules as a
pre-send check (CONTRACT.md section 4; domain.md section 5), so that the store and the reports show
which exposures lack a legal basis:

- ``public-link``: any PI in an item anyone with the link can open (no recipient to authorize);
- ``personal-account``: PI shared with or sent to a consumer mail account;
- ``third-party-without-authorization``: student or staff PI to a third party without an authorization
  covering that recipient, every data category and today's date (the students an authorization lists
  cannot be matched at scan time without their IDs: an authorization limited to some students does not
  count here, and the reason says so);
- ``unencrypted-93h``: 93H personal information outside the district in a file that is not encrypted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from dlp.config import Settings
from dlp.policy.authorizations import Authorization, load_all
from dlp.presend.check import PERSONAL_DOMAINS, recipient_kind
from dlp.types import ItemResult

MIN_KEY_BITS = 128
PI_LABELS = frozenset({"MA_PI", "STUDENT_PII", "STUDENT_SENSITIVE", "EMPLOYEE_PII", "CREDENTIALS"})


class ExposureJudge:
    """Judges the exposure of scanned items; built once per scan in the main process."""

    def __init__(self, settings: Settings, key: bytes) -> None:
        self.internal = tuple(d.lower() for d in settings.organization.internal_domains)
        self.personal = frozenset(PERSONAL_DOMAINS) | {d.lower() for d in settings.organization.personal_domains}
        self.authorizations: tuple[Authorization, ...] = load_all(settings, key)

    def apply(self, result: ItemResult, today: dt.date | None = None) -> ItemResult:
        """The result with ``verdict`` and ``verdict_reasons`` set when it is exposed outside with PI."""
        if not result.ref.exposure or not set(result.classifications) & PI_LABELS:
            return result
        verdict, reasons = self.judge(result, today or dt.date.today())
        return dataclasses.replace(result, verdict=verdict, verdict_reasons=tuple(reasons))

    def judge(self, result: ItemResult, today: dt.date) -> tuple[str, list[str]]:
        """``block`` with reasons (``rule: message``), or ``allow``."""
        labels = set(result.classifications)
        reasons: list[str] = []
        encrypted = result.encrypted and (result.key_bits or 0) >= MIN_KEY_BITS
        for exposure in result.ref.exposure:
            if exposure == "anyone_with_link":
                reasons.append(f"public-link: {_what(labels)} in an item anyone with the link can open")
                continue
            address = exposure.removeprefix("external:")
            kind = recipient_kind(address if "@" in address else f"x@{address}", self.internal, self.personal)
            if kind == "internal":
                continue
            if kind == "personal":
                reasons.append(
                    f"personal-account: {_what(labels)} shared with or sent to {address}, a personal account"
                )
                continue
            if labels & {"STUDENT_PII", "STUDENT_SENSITIVE", "EMPLOYEE_PII"}:
                missing = self._missing(address, result.data_categories, today)
                if missing:
                    reasons.append(f"third-party-without-authorization: {address}: {missing}")
            if "MA_PI" in labels and not encrypted:
                reasons.append(f"unencrypted-93h: 93H personal information reached {address} unencrypted")
        return ("block" if reasons else "allow"), reasons

    def _missing(self, address: str, categories: Sequence[str], today: dt.date) -> str:
        matching = [a for a in self.authorizations if a.covers_recipient(address)]
        if not matching:
            return "no authorization covers this recipient"
        problems = []
        for auth in matching:
            dated = auth.date_problem(today)
            if dated:
                problems.append(dated)
                continue
            if auth.students:
                problems.append(f"{auth.id} covers listed students only, which a scan cannot match")
                continue
            missing = auth.missing_categories(categories)
            if not missing:
                return ""
            problems.append(f"{auth.id} does not cover category {', '.join(missing)}")
        return "; ".join(problems)


def _what(labels: set[str]) -> str:
    return "/".join(sorted(labels & PI_LABELS))
