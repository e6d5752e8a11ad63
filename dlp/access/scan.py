"""The scan's side of access: exposure from ACLs, added to the results of items found to hold PI.

Reading an ACL costs a round trip on a remote share, so the scan asks only where the answer matters:
after an item is judged, and only when it (or a member of it: an archive's members are as readable as
the archive) has a PI classification. The values go on every PI result of the item, after the
exposure its connector already reported (Drive links, mail recipients). A connector without ACLs (Drive,
mail) has no ``access`` method and is never asked. The owner of such an item is matched against the
staff directory here too (Drive and mail connectors do that themselves, with what they share).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from dlp import staff
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


@runtime_checkable
class NamesOwners(Protocol):
    """A connector whose owners are SIDs it can name (SMB: ``DOMAIN\\name`` over LSARPC)."""

    def sid_name(self, sid: str) -> str:
        """The account name of ``sid``, else the SID itself."""


class AccessReader:
    """Adds ACL exposure to the PI results of a scan; one per run (built in the main process).

    Besides the ACL's audiences, an item whose owner is a departed account in the staff directory
    (:mod:`dlp.staff`, read once per run) gets ``former_staff:ACCOUNT``: a POSIX owner or a Windows
    account name matches a directory address by its local part.
    """

    def __init__(self, connectors: Iterable[object], settings: Settings) -> None:
        self.broad = BroadGroups.from_config(settings.access.broad_groups)
        self.sources = {c.source_key: c for c in connectors if isinstance(c, AccessSource)}
        self.gone = staff.departed() if self.sources else {}
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
        values = self._former_staff(source, top.ref.owner)
        try:
            values = source.access(top.ref, self.broad) + values
        except ItemError as exc:
            # The content was judged; who may read it is unknown. Not an item error: the finding stands.
            log.info("access of %s not read: %s", top.ref.uri, exc.detail)
        if not values:
            return results
        return [_with(r, values) if _PI.intersection(r.classifications) else r for r in results]

    def _former_staff(self, source: AccessSource, owner: str | None) -> tuple[str, ...]:
        """``former_staff:ACCOUNT`` when the owner is a departed account (nothing to look up otherwise)."""
        if not self.gone or not owner:
            return ()
        if owner.startswith("S-1-") and isinstance(source, NamesOwners):
            owner = source.sid_name(owner)
        return staff.former_exposure([owner], self.gone)


def _with(result: ItemResult, values: tuple[str, ...]) -> ItemResult:
    exposure = result.ref.exposure + tuple(v for v in values if v not in result.ref.exposure)
    return dataclasses.replace(result, ref=dataclasses.replace(result.ref, exposure=exposure))
