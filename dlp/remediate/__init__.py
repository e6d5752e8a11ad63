"""Remediation of what a scan flagged (``remediate``, CONTRACT.md section 8): opt-in, a dry run by default.

One module per target kind, each a :class:`Target` that plans, applies and undoes its actions:

* :mod:`dlp.remediate.gdrive`: Drive files lose their "anyone with the link" and outside-domain
  permissions (and those of departed staff) with ``permissions.delete``; undo re-creates them;
* :mod:`dlp.remediate.files`: SMB and local files move to a quarantine folder with restricted access,
  leaving a stub text file that says where the file went and whom to ask; undo moves them back and
  removes the stub (:mod:`dlp.remediate.local` and :mod:`dlp.remediate.smb` give it their file system);
* :mod:`dlp.remediate.mail`: Gmail and Microsoft 365 messages are reported only, never changed.

:mod:`dlp.remediate.select` says which stored items a rule flags; :mod:`dlp.remediate.commands` is the
command line. Every action is a row in the store (dlp/store/remediations.py) written as it happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from dlp.store.remediations import ActionRecord


class RemediationError(Exception):
    """One action could not be carried out (or undone); the message names why, never a value."""


@dataclass(frozen=True)
class Flagged:
    """A stored item that a rule flagged, with what the targets need to act on it."""

    source: str
    item_id: str
    uri: str
    rule: str
    owner: str | None
    exposure: tuple[str, ...]
    classifications: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One planned action on one item: what it does to which target, and the state before and after."""

    item: Flagged
    action: str  # remove_permission | quarantine | report_only
    target: str  # a permission ("anyone reader", "user ops@vendor.example writer") or a path
    before: Any
    after: Any
    detail: str = ""


class Target:
    """Remediation of one kind of source. Subclasses plan steps, carry them out and reverse them."""

    kind: ClassVar[str] = ""
    reversible: ClassVar[bool] = True

    def plan(self, item: Flagged, run_id: int) -> list[Step]:
        """The steps that would fix ``item`` (reading the source's current state where it can)."""
        raise NotImplementedError

    def apply(self, step: Step) -> Any:
        """Carry out ``step``; returns the state after it. Raises RemediationError."""
        raise NotImplementedError

    def undo(self, record: ActionRecord) -> Any:
        """Reverse an applied action; returns the state after the undo. Raises RemediationError."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections."""
