"""Remediation primitive: take the broad read grants off one file, and put them back on undo.

``remediate`` (the command) calls :func:`remove_broad_access` for each flagged SMB or local item with the
item's connector, which reads and writes the access state (:meth:`acl_state` / :meth:`set_acl_state`):

- SMB: the security descriptor. Explicit allow ACEs of broad principals are dropped. When a broad grant
  is inherited from a folder, the file's DACL is protected from inheritance and the inherited ACEs are
  kept as explicit copies, all but the broad ones (Windows' "disable inheritance, convert"): the folder,
  and the other files in it, are left alone.
- Local: read is taken from "other" (mode and ACL) and from broad named groups (their ACL entry, or the
  group bits of the mode when the group owns the file).

The state before and after is JSON-ready (the store records both); :func:`restore_access` writes the
"before" state back, which restores the DACL with its inheritance, or the mode and ACL, exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol

from dlp.access import posix
from dlp.access import sd as security
from dlp.access.exposure import (
    GROUP_PREFIX,
    OTHER_READABLE,
    BroadGroups,
    Resolver,
    bare,
    dacl_exposure,
    principal_kind,
)
from dlp.types import ItemRef

# Full control for the owner when a missing (NULL) DACL, which lets everyone in, is replaced.
_FULL_CONTROL = 0x001F01FF


class AclTarget(Protocol):
    """What a connector offers for ACL remediation (the SMB and local connectors)."""

    def acl_state(self, ref: ItemRef) -> dict[str, Any]:
        """The item's access state, JSON-ready."""

    def set_acl_state(self, ref: ItemRef, state: dict[str, Any]) -> None:
        """Write an access state back to the item."""


@dataclass(frozen=True)
class AceRemoval:
    """One item's broad grants taken away (or, when not ``applied``, the plan to)."""

    uri: str
    removed: tuple[str, ...]  # the exposure values taken away ("everyone", "group:Staff"...)
    before: dict[str, Any]
    after: dict[str, Any]
    applied: bool


def remove_broad_access(target: AclTarget, ref: ItemRef, broad: BroadGroups, *, apply: bool = False,
                        resolve: Resolver | None = None) -> AceRemoval | None:
    """Plan (and with ``apply``, carry out) the removal of broad read grants on one item.

    Returns ``None`` when the item has no broad grant left to remove.

    Raises:
        ItemError: the connector could not read or write the item's access state.
        OSError: likewise, for a local file.
    """
    before = target.acl_state(ref)
    after, removed = without_broad(before, broad, resolve)
    if not removed:
        return None
    if apply:
        target.set_acl_state(ref, after)
    return AceRemoval(uri=ref.uri, removed=removed, before=before, after=after, applied=apply)


def restore_access(target: AclTarget, ref: ItemRef, before: dict[str, Any]) -> None:
    """Undo: write the recorded "before" state back."""
    target.set_acl_state(ref, before)


def without_broad(state: dict[str, Any], broad: BroadGroups,
                  resolve: Resolver | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The state with broad read grants taken away, and which exposure values that removes."""
    if state.get("kind") == "nt":
        return _nt_without_broad(state, broad, resolve)
    if state.get("kind") == "posix":
        return _posix_without_broad(state, broad)
    raise ValueError(f"unknown access state kind {state.get('kind')!r}")


def _nt_without_broad(state: dict[str, Any], broad: BroadGroups,
                      resolve: Resolver | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    sd = security.parse(bytes.fromhex(state["sd"]))
    if sd.dacl is None:
        if not broad.is_broad("everyone") or sd.owner is None:
            return state, ()
        owner_only = (security.make_ace(security.ACCESS_ALLOWED, 0, _FULL_CONTROL, sd.owner),)
        new = sd.with_dacl(owner_only)
        return {"kind": "nt", "sd": new.raw.hex()}, ("everyone",)

    def is_broad(ace: security.Ace) -> bool:
        if not ace.grants_read or ace.sid is None:
            return False
        kind = principal_kind(ace.sid, broad, resolve)
        return kind is not None and broad.is_broad(kind)

    broad_aces = [ace for ace in sd.dacl if is_broad(ace)]
    if not broad_aces:
        return state, ()
    if any(ace.inherited for ace in broad_aces):
        kept = tuple(_explicit(ace) for ace in sd.dacl if not is_broad(ace))
        new = sd.with_dacl(kept, protect=True)
    else:
        new = sd.with_dacl(tuple(ace for ace in sd.dacl if not is_broad(ace)))
    after = set(_bases(dacl_exposure(new, broad, resolve)))
    removed = tuple(v for v in _bases(dacl_exposure(sd, broad, resolve)) if v not in after and broad.is_broad(v))
    return {"kind": "nt", "sd": new.raw.hex()}, removed


def _explicit(ace: security.Ace) -> security.Ace:
    """An inherited ACE as an explicit one (its INHERITED flag cleared), for a protected DACL."""
    if not ace.inherited:
        return ace
    flags = ace.flags & ~security.INHERITED
    return dataclasses.replace(ace, flags=flags, raw=ace.raw[:1] + bytes([flags]) + ace.raw[2:])


def _bases(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(bare(v) for v in values)


def _posix_without_broad(state: dict[str, Any], broad: BroadGroups) -> tuple[dict[str, Any], tuple[str, ...]]:
    mode: int = state["mode"]
    entries = posix.parse_acl(bytes.fromhex(state["acl"])) if state.get("acl") else None
    removed: list[str] = []
    if broad.is_broad(OTHER_READABLE) and mode & 0o004:
        mode &= ~0o004
        removed.append(OTHER_READABLE)
    if broad.names and entries is not None:
        changed = []
        gid = state.get("gid")
        for entry in entries:
            named = None
            if entry.tag == posix.GROUP and entry.id is not None:
                named = broad.group(None, posix.group_name(entry.id))
            elif entry.tag == posix.GROUP_OBJ and isinstance(gid, int):
                named = broad.group(None, posix.group_name(gid))
            if named is not None and entry.perm & posix.READ:
                entry = dataclasses.replace(entry, perm=entry.perm & ~posix.READ)
                removed.append(GROUP_PREFIX + named)
            changed.append(entry)
        entries = tuple(changed)
    elif broad.names and isinstance(state.get("gid"), int) and mode & 0o040:
        named = broad.group(None, posix.group_name(state["gid"]))
        if named is not None:
            mode &= ~0o040
            removed.append(GROUP_PREFIX + named)
    if entries is not None:
        entries = tuple(dataclasses.replace(e, perm=mode & 0o7) if e.tag == posix.OTHER else e for e in entries)
    after = dict(state, mode=mode, acl=posix.pack_acl(entries).hex() if entries is not None else None)
    return after, tuple(dict.fromkeys(removed))
