"""Which stored items a rule flags, for ``remediate`` and for the reports' access sections.

A rule flags an item when the scan recorded its reason (``verdict_reasons`` holds ``RULE: ...``), or when
the item's stored exposure meets the rule's condition (CONTRACT.md section 8), so that items judged
before a rule was wired into the scan are flagged too:

* ``broad-access``: MA_PI or STUDENT_SENSITIVE readable by everyone, all authenticated or domain users,
  a broad group, anyone on the host, or anyone with the link;
* ``former-staff-access``: PI owned by, shared with or in the mailbox of a departed account;
* ``public-link``: PI anyone with the link can open.
"""

from __future__ import annotations

from collections.abc import Iterable

from dlp.report.data import PI_LABELS, Item
from dlp.staff import EXPOSURE_PREFIX as FORMER_PREFIX

BROAD = ("everyone", "authenticated_users", "domain_users", "other_readable", "anyone_with_link")
BROAD_PREFIXES = ("group:",)
BROAD_LABELS = frozenset({"MA_PI", "STUDENT_SENSITIVE"})
RULES = ("broad-access", "former-staff-access", "public-link")


def bare(exposure: str) -> str:
    """An exposure value without its ``(inherited)`` suffix."""
    return exposure.removesuffix("(inherited)").strip()


def broad_exposure(values: Iterable[str]) -> list[str]:
    """The values that let everyone (or a broad group) read the item."""
    return [v for v in values if bare(v) in BROAD or bare(v).startswith(BROAD_PREFIXES)]


def former_staff(values: Iterable[str]) -> list[str]:
    """The departed accounts among exposure values (``former_staff:ACCOUNT``)."""
    return [bare(v)[len(FORMER_PREFIX):] for v in values if bare(v).startswith(FORMER_PREFIX)]


def rules_of(item: Item) -> set[str]:
    """Every rule that flags ``item``."""
    found = {r.split(":", 1)[0].strip() for r in item.verdict_reasons if ":" in r}
    labels = set(item.classifications)
    if labels & BROAD_LABELS and broad_exposure(item.exposure):
        found.add("broad-access")
    if labels & set(PI_LABELS):
        if former_staff(item.exposure):
            found.add("former-staff-access")
        if "anyone_with_link" in map(bare, item.exposure):
            found.add("public-link")
    return found


def readable_by_everyone(item: Item) -> bool:
    """PI that everyone (or a broad group, or anyone with the link) can read."""
    return item.has_pi and bool(broad_exposure(item.exposure))


def reachable_by_former_staff(item: Item) -> bool:
    """PI owned by, shared with or in the mailbox of a departed account."""
    return item.has_pi and bool(former_staff(item.exposure))
