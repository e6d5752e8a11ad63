"""The pre-send verdict (CONTRACT.md section 4) and the interface every front end calls.

The CLI (``check``), the HTTP service (``serve``) and the SMTP filter all build one
:class:`PresendChecker` per process (it holds a warm detection engine) and call
:meth:`PresendChecker.check` with the raw RFC 5322 message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from dlp.policy.recipients import Recipient
from dlp.policy.transfer import ALLOW, BLOCK, WARN

__all__ = ["ALLOW", "BLOCK", "EXIT_CODES", "WARN", "Checker", "Recipient", "Verdict", "VerdictReason"]

EXIT_CODES = {ALLOW: 0, WARN: 10, BLOCK: 20}


@dataclass(frozen=True, slots=True)
class VerdictReason:
    """Why: the rule (kebab-case id) and a message naming the facts, never a raw value."""

    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one outbound transfer."""

    verdict: str  # allow | warn | block
    reasons: tuple[VerdictReason, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    classifications: tuple[str, ...] = ()
    subjects: int = 0
    encrypted: bool = False
    authorization: str | None = None
    data_categories: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # Disclosures (dlp.presend.disclosures.Disclosure) of an allowed transfer not yet written, when the
    # caller records them on delivery (the SMTP filter); never part of the JSON object.
    disclosures: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object."""
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "reasons": [{"rule": r.rule, "message": r.message} for r in self.reasons],
            "recipients": [{"address": r.address, "kind": r.kind} | ({"routes_to": r.routes_to} if r.routes_to else {})
                           for r in self.recipients],
            "classifications": list(self.classifications),
            "subjects": self.subjects,
            "encrypted": self.encrypted,
            "authorization": self.authorization,
            "data_categories": list(self.data_categories),
        }
        out.update(self.extra)
        return out

    @property
    def exit_code(self) -> int:
        """The ``check`` command's exit code for this verdict: 0 allow, 10 warn, 20 block."""
        return EXIT_CODES[self.verdict]


class Checker(Protocol):
    """What the front ends (CLI, HTTP, SMTP) need of a checker."""

    def check(self, raw: bytes, today: dt.date | None = None) -> Verdict:
        """The verdict on one raw RFC 5322 message."""
