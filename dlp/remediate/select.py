"""Which stored items a rule flags, for ``remediate`` and for the reports' access sections.

A rule flags an item when the scan recorded its reason (``verdict_reasons`` holds ``RULE: ...``), or when
the item's stored exposure meets the rule's condition (CONTRACT.md section 8), so that items judged
before a rule was wired into the scan are flagged too:

* ``broad-access``: MA_PI or STUDENT_SENSITIVE readable by an audience ``[access] broad_groups`` counts
  as broad (:meth:`dlp.access.exposure.BroadGroups.is_broad`: the one definition the scan uses too);
* ``former-staff-access``: PI owned by, shared with or in the mailbox of a departed account;
* ``public-link``: PI anyone with the link can open.

The report's "PI readable by everyone" is the broad audiences and the public links together.
"""

from __future__ import annotations

from collections.abc import Iterable

from dlp.access.exposure import BroadGroups, bare, is_access
from dlp.policy.exposure import LINK_EXPOSURE
from dlp.policy.labels import PI_LABELS
from dlp.policy.rules.broad_access import FLAGGED
from dlp.policy.rules.former_staff_access import recipient as former_recipient
from dlp.report.data import Item

RULES = ("broad-access", "former-staff-access", "public-link")


def broad_exposure(values: Iterable[str], broad: BroadGroups) -> list[str]:
    """The ACL audiences among ``values`` that ``broad`` counts as broad."""
    return [v for v in values if is_access(v) and broad.is_broad(v)]


def everyone_exposure(values: Iterable[str], broad: BroadGroups) -> list[str]:
    """The values that let everyone (or a broad group, or anyone with the link) read the item."""
    return [v for v in values if bare(v) == LINK_EXPOSURE or (is_access(v) and broad.is_broad(v))]


def former_staff(values: Iterable[str]) -> list[str]:
    """The departed accounts among exposure values (``former_staff:ACCOUNT``)."""
    return [r.address for r in map(former_recipient, values) if r is not None]


def rules_of(item: Item, broad: BroadGroups) -> set[str]:
    """Every rule that flags ``item``."""
    found = {r.split(":", 1)[0].strip() for r in item.verdict_reasons if ":" in r}
    labels = set(item.classifications)
    if labels.intersection(FLAGGED) and broad_exposure(item.exposure, broad):
        found.add("broad-access")
    if labels & set(PI_LABELS):
        if former_staff(item.exposure):
            found.add("former-staff-access")
        if LINK_EXPOSURE in map(bare, item.exposure):
            found.add("public-link")
    return found


def readable_by_everyone(item: Item, broad: BroadGroups) -> bool:
    """PI that everyone (or a broad group, or anyone with the link) can read."""
    return item.has_pi and bool(everyone_exposure(item.exposure, broad))


def reachable_by_former_staff(item: Item) -> bool:
    """PI owned by, shared with or in the mailbox of a departed account."""
    return item.has_pi and bool(former_staff(item.exposure))
