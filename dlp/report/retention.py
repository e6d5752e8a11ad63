"""Retention: student records older than the configured retention, flagged for destruction review.

603 CMR 23.06 keeps the temporary record (everything but the transcript) for at most 7 years after the
student transfers, graduates or withdraws. A scan cannot know when a student left, so the item's last
modification stands in: an item with student PII not changed for ``[report] retention_years`` is flagged
for a person to review. Nothing is ever deleted by the scanner, and transcripts (kept 60 years) are the
reviewer's call, which is why this is a review list and not a rule.
"""

from __future__ import annotations

import time
from typing import Any

from dlp.policy.labels import STUDENT_LABELS
from dlp.report.data import Item

YEAR_SECONDS = 365.25 * 86400


def retention_flags(current: list[Item], retention_years: int, now: float | None = None) -> list[dict[str, Any]]:
    """Items with student PII whose modified time is older than the retention, oldest first."""
    cutoff = (now if now is not None else time.time()) - retention_years * YEAR_SECONDS
    flagged = [i for i in current if STUDENT_LABELS & set(i.classifications) and i.modified is not None
               and i.modified < cutoff]
    flagged.sort(key=lambda i: (i.modified or 0.0, i.uri))
    return [
        {"uri": i.uri, "source": i.source, "modified": i.modified,
         "age_years": round(((now if now is not None else time.time()) - (i.modified or 0.0)) / YEAR_SECONDS, 1),
         "classifications": i.classifications, "subjects": i.subjects, "owner": i.owner,
         "action": "destruction review (603 CMR 23.06)"}
        for i in flagged
    ]
