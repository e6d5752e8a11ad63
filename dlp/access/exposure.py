"""Exposure values from access control lists (CONTRACT.md section 8).

A value names a broad set of people who may read an item:

- ``everyone``: Everyone (S-1-1-0), Anonymous Logon (S-1-5-7), BUILTIN\\Guests (S-1-5-32-546), or a
  missing (NULL) DACL;
- ``authenticated_users``: Authenticated Users (S-1-5-11) or BUILTIN\\Users (S-1-5-32-545, which holds
  Authenticated Users on every Windows domain member);
- ``domain_users``: a domain's Domain Users group (``S-1-5-21-...-513``);
- ``group:NAME``: a group named (by name or SID) in ``[access] broad_groups``;
- ``other_readable``: POSIX "other" may read the file and search every folder above it.

A value gets ``(inherited)`` appended (``everyone(inherited)``) when every ACE granting it was inherited
from a parent folder; an explicit grant on the item itself is reported without the suffix, since that is
the one to take away on the item. ACEs are evaluated in their order, as Windows does: a deny of read to a
principal before its grant cancels the grant, and a deny to a broader principal (Everyone) cancels the
grants of the narrower ones (Authenticated Users, Domain Users, a named group).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dlp.access.sd import SecurityDescriptor

EVERYONE = "everyone"
AUTHENTICATED_USERS = "authenticated_users"
DOMAIN_USERS = "domain_users"
OTHER_READABLE = "other_readable"
GROUP_PREFIX = "group:"
INHERITED_SUFFIX = "(inherited)"
#: The kinds of principal that always count as broad when ``[access] broad_groups`` keeps its default.
BUILT_IN = (EVERYONE, AUTHENTICATED_USERS, DOMAIN_USERS, OTHER_READABLE)
#: Every access-derived exposure value starts with one of these (transfers are ``anyone_with_link`` and
#: ``external:...``): the transfer rules skip them, the ``broad-access`` rule reads them.
ACCESS_PREFIXES = (*BUILT_IN, GROUP_PREFIX)

_WELL_KNOWN = {
    "S-1-1-0": EVERYONE,
    "S-1-5-7": EVERYONE,
    "S-1-5-32-546": EVERYONE,
    "S-1-5-11": AUTHENTICATED_USERS,
    "S-1-5-32-545": AUTHENTICATED_USERS,
}
_DOMAIN_USERS = re.compile(r"S-1-5-21-\d+-\d+-\d+-513\Z")
# Who else a deny to each kind reaches: Everyone covers all; Authenticated Users every account.
_COVERS = {EVERYONE: None, AUTHENTICATED_USERS: frozenset({AUTHENTICATED_USERS, DOMAIN_USERS}),
           DOMAIN_USERS: frozenset({DOMAIN_USERS})}

#: Resolves a SID to its account name (``DOMAIN\\name``), or ``None`` when it cannot be named.
Resolver = Callable[[str], "str | None"]


@dataclass(frozen=True)
class BroadGroups:
    """Which principals count as broad: built-in kinds kept, plus named groups (by name or SID)."""

    kinds: frozenset[str]
    names: tuple[str, ...]  # group names and SIDs as configured

    @classmethod
    def from_config(cls, entries: Iterable[str]) -> BroadGroups:
        """Split ``[access] broad_groups`` into built-in kinds and group names or SIDs."""
        values = tuple(entries)
        return cls(kinds=frozenset(v for v in values if v in BUILT_IN),
                   names=tuple(v for v in values if v not in BUILT_IN))

    def group(self, sid: str | None, name: str | None) -> str | None:
        """The configured spelling of the group ``sid`` / ``name`` is, if it is one of the named groups."""
        for entry in self.names:
            low = entry.lower()
            if sid is not None and low == sid.lower():
                return entry
            if name is not None and (low == name.lower() or low == name.rsplit("\\", 1)[-1].lower()):
                return entry
        return None

    def needs_names(self) -> bool:
        """Whether deciding needs account names (a group configured by name, not by SID)."""
        return any(not n.upper().startswith("S-1-") for n in self.names)

    def is_broad(self, value: str) -> bool:
        """Whether an exposure value names a principal that counts as broad under this configuration
        (``anyone_with_link`` and ``former_staff:...`` are not ACL audiences: never broad here)."""
        base = bare(value)
        if base.startswith(GROUP_PREFIX):
            return base[len(GROUP_PREFIX):] in self.names
        return base in self.kinds


def bare(value: str) -> str:
    """An exposure value without its ``(inherited)`` suffix (``everyone (inherited)`` -> ``everyone``)."""
    return value.removesuffix(INHERITED_SUFFIX).strip()


def is_inherited(value: str) -> bool:
    """Whether an exposure value carries the ``(inherited)`` suffix."""
    return value.rstrip().endswith(INHERITED_SUFFIX)


def is_access(value: str) -> bool:
    """Whether an exposure value comes from an access list (not from a share link or a transfer)."""
    return value.startswith(ACCESS_PREFIXES)


def principal_kind(sid: str, broad: BroadGroups, resolve: Resolver | None = None) -> str | None:
    """The exposure kind of one SID (``everyone``, ``group:NAME``...), or ``None`` for a narrow one."""
    kind = _WELL_KNOWN.get(sid)
    if kind is not None:
        return kind
    if _DOMAIN_USERS.match(sid):
        return DOMAIN_USERS
    if not broad.names:
        return None
    name = resolve(sid) if resolve is not None and broad.needs_names() else None
    group = broad.group(sid, name)
    return GROUP_PREFIX + group if group is not None else None


def dacl_exposure(sd: SecurityDescriptor, broad: BroadGroups, resolve: Resolver | None = None) -> tuple[str, ...]:
    """The exposure values of a Windows security descriptor (see the module docstring)."""
    if sd.dacl is None:
        return (EVERYONE,)
    denied: set[str] = set()
    denied_all = False
    granted: dict[str, bool] = {}  # kind -> granted only by inherited ACEs so far
    for ace in sd.dacl:
        if ace.sid is None or not (ace.grants_read or ace.denies_read):
            continue
        kind = principal_kind(ace.sid, broad, resolve)
        if kind is None:
            continue
        if ace.denies_read:
            covers = _COVERS.get(kind, frozenset({kind}))
            if covers is None:
                denied_all = True
            else:
                denied |= covers
                if kind == AUTHENTICATED_USERS:
                    denied.add(GROUP_PREFIX)  # every named group: groups hold accounts only
            continue
        if denied_all or kind in denied or (kind.startswith(GROUP_PREFIX) and GROUP_PREFIX in denied):
            continue
        granted[kind] = granted.get(kind, True) and ace.inherited
    return ordered(kind + INHERITED_SUFFIX if inherited else kind for kind, inherited in granted.items())


def ordered(values: Iterable[str]) -> tuple[str, ...]:
    """Exposure values in a fixed order: the built-in kinds broadest first, then groups by name."""
    rank = {kind: i for i, kind in enumerate(BUILT_IN)}

    def key(value: str) -> tuple[int, str]:
        return rank.get(bare(value), len(rank)), value

    return tuple(sorted(set(values), key=key))
