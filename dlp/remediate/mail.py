"""Mail (Gmail, Microsoft 365): nothing in a mailbox is changed, by design; the plan reports the message.

A message already sent cannot be called back, and deleting mail is a records decision for a person
(and may be evidence). The step says so, and names the mailbox, so the security office can follow up.
"""

from __future__ import annotations

from typing import Any, ClassVar

from dlp.remediate import Flagged, RemediationError, Step, Target
from dlp.store.remediations import ActionRecord


class MailReport(Target):
    """Report-only steps for messages."""

    kind: ClassVar[str] = "mail"
    reversible: ClassVar[bool] = False

    def plan(self, item: Flagged, run_id: int) -> list[Step]:
        """One report-only step naming the mailbox."""
        return [Step(item=item, action="report_only", target=item.owner or item.source, before=None, after=None,
                     detail="mail is not changed: follow up with the mailbox owner")]

    def apply(self, step: Step) -> Any:
        """Nothing is done."""
        return None

    def undo(self, record: ActionRecord) -> Any:
        """Nothing was done, so nothing is undone."""
        raise RemediationError("a report-only step changed nothing")
