"""The scan's side of access: exposure from ACLs, added to the results of items found to hold PI.

Reading an ACL costs a round trip on a remote share, so the scan asks only where the answer matters:
after an item is judged, and only when it (or a member of it: an archive's members are as readable as
the archive) has a PI classification. The values go on every PI result of the item, after the
exposure its connector already reported (Drive links, mail recipients). A connector without ACLs (Drive,
mail) has no ``access`` method and is never asked.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from dlp.access.exposure import BroadGroups
from dlp.config import Settings
from dlp.errors import ItemError
from dlp.policy.labels import PI_LABELS
from dlp.types import ItemRef, ItemResult, Status

log = logging.getLogger(__name__)
_PI = frozenset(PI_LABELS)


@runtime_checkable
class AccessSource(Protocol):
    """A connector that can tell who may read one of its items (SMB, local)."""

    source_key: str

    def access(self, ref: ItemRef, broad: BroadGroups) -> tuple[str, ...]:
        """The item's exposure values from its ACL."""


class AccessReader:
    """Adds ACL exposure to the PI results of a scan; one per run (built in the main process)."""

    def __init__(self, connectors: Iterable[object], settings: Settings) -> None:
        self.broad = BroadGroups.from_config(settings.access.broad_groups)
        self.sources = {c.source_key: c for c in connectors if isinstance(c, AccessSource)}
        self.asked = 0  # items whose ACL was read (the benchmark reports it)

    def apply(self, results: list[ItemResult]) -> list[ItemResult]:
        """``results`` of one item (the item first, then its members) with access exposure added."""
        top = results[0]
        source = self.sources.get(top.ref.source)
        if source is None or top.ref.status is not None or top.status is Status.ERROR:
            return results
        if not any(_PI.intersection(r.classifications) for r in results):
            return results
        self.asked += 1
        try:
            values = source.access(top.ref, self.broad)
        except ItemError as exc:
            # The content was judged; who may read it is unknown. Not an item error: the finding stands.
            log.info("access of %s not read: %s", top.ref.uri, exc.detail)
            return results
        if not values:
            return results
        return [_with(r, values) if _PI.intersection(r.classifications) else r for r in results]


def _with(result: ItemResult, values: tuple[str, ...]) -> ItemResult:
    exposure = result.ref.exposure + tuple(v for v in values if v not in result.ref.exposure)
    return dataclasses.replace(result, ref=dataclasses.replace(result.ref, exposure=exposure))
