"""POSIX mode bits and POSIX.1e access ACLs of local and mounted files, as exposure values.

The ACL is read from the ``system.posix_acl_access`` extended attribute, whose layout is the Linux
kernel's ABI (``include/uapi/linux/posix_acl_xattr.h``: a version word, then tag/permission/id
entries), the same bytes ``getfacl`` reads through libacl. pylibacl would wrap libacl, but it ships no
wheels and needs a compiler and libacl's headers on every scanning host; one ``os.getxattr`` call per
file needs neither.

A file is readable by "other" (``other_readable``) only when its mode lets other read it *and* every
folder from the scanned root down to it lets other search it; a group likewise needs read on the file and
search on those folders (through its own entry or "other"). The folders above the scanned root are not
asked: the root is where people reach the files (a share's exported folder, a mount point), and a scan's
answer must not depend on where the tree happens to be mounted on the scanning host. Folders are looked
at once each per run.
"""

from __future__ import annotations

import errno
import grp
import os
import stat
import struct
from dataclasses import dataclass

from dlp.access.exposure import GROUP_PREFIX, OTHER_READABLE, BroadGroups, ordered

ACL_XATTR = "system.posix_acl_access"
_VERSION = 2
_ENTRY = struct.Struct("<HHI")
# Tags (acl.h) and permission bits.
USER_OBJ, USER, GROUP_OBJ, GROUP, MASK, OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
READ, EXECUTE = 4, 1
# No ACL here, or none possible on this file system.
_NO_ACL = frozenset({errno.ENODATA, errno.ENOTSUP, errno.EOPNOTSUPP})


@dataclass(frozen=True, slots=True)
class AclEntry:
    """One POSIX ACL entry: a tag (``USER``, ``GROUP``...), its permission bits and the user or group id."""

    tag: int
    perm: int
    id: int | None


def read_acl(path: str) -> tuple[AclEntry, ...] | None:
    """The access ACL of ``path``, or ``None`` when it has none beyond its mode bits.

    Raises:
        OSError: the attribute exists but cannot be read (other than "no ACL here").
        ValueError: the attribute is not a version-2 POSIX ACL.
    """
    try:
        raw = os.getxattr(path, ACL_XATTR)
    except OSError as exc:
        if exc.errno in _NO_ACL:
            return None
        raise
    return parse_acl(raw)


def parse_acl(raw: bytes) -> tuple[AclEntry, ...]:
    """Parse the bytes of ``system.posix_acl_access``.

    Raises:
        ValueError: not a version-2 ACL, or a truncated one.
    """
    if len(raw) < 4 or int.from_bytes(raw[:4], "little") != _VERSION or (len(raw) - 4) % _ENTRY.size:
        raise ValueError("not a POSIX ACL attribute")
    entries = []
    for tag, perm, ident in _ENTRY.iter_unpack(raw[4:]):
        entries.append(AclEntry(tag, perm, ident if tag in (USER, GROUP) else None))
    return tuple(entries)


def pack_acl(entries: tuple[AclEntry, ...]) -> bytes:
    """The attribute bytes of an ACL (remediation writes a changed one back)."""
    body = b"".join(_ENTRY.pack(e.tag, e.perm, 0xFFFFFFFF if e.id is None else e.id) for e in entries)
    return _VERSION.to_bytes(4, "little") + body


def group_name(gid: int) -> str:
    """The group's name, or its number when the host does not know it."""
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


@dataclass(frozen=True, slots=True)
class _Perms:
    """Who may do what with one file or folder: other's bits, and each group's bits (mask applied)."""

    other: int
    groups: dict[int, int]


def _perms(st: os.stat_result, acl: tuple[AclEntry, ...] | None) -> _Perms:
    mode = st.st_mode
    if acl is None:
        return _Perms(other=mode & 0o7, groups={st.st_gid: (mode >> 3) & 0o7})
    mask = next((e.perm for e in acl if e.tag == MASK), 0o7)
    groups: dict[int, int] = {}
    for entry in acl:
        if entry.tag == GROUP_OBJ:
            groups[st.st_gid] = groups.get(st.st_gid, 0) | (entry.perm & mask)
        elif entry.tag == GROUP and entry.id is not None:
            groups[entry.id] = groups.get(entry.id, 0) | (entry.perm & mask)
    # The mode's other bits are the ACL's OTHER entry (the kernel keeps them equal).
    return _Perms(other=mode & 0o7, groups=groups)


class PosixAccess:
    """Exposure of local files; remembers each folder's permissions for the run."""

    def __init__(self, broad: BroadGroups) -> None:
        self.broad = broad
        self._folders: dict[str, _Perms | None] = {}

    def exposure(self, path: str, root: str) -> tuple[str, ...]:
        """The exposure values of the file at ``path`` (its real path, links resolved) under the scanned
        ``root`` (a real path too).

        Raises:
            OSError: the file cannot be looked at (vanished, refused).
        """
        st = os.stat(path)
        perms = _perms(st, _acl_or_none(path))
        found: list[str] = []
        folders = self._chain(os.path.dirname(path), root)
        if perms.other & READ and all(f is not None and f.other & EXECUTE for f in folders):
            found.append(OTHER_READABLE)
        if self.broad.names:
            for gid, bits in perms.groups.items():
                if not bits & READ:
                    continue
                named = self.broad.group(None, group_name(gid))
                if named is not None and all(f is not None and (f.other | f.groups.get(gid, 0)) & EXECUTE
                                             for f in folders):
                    found.append(GROUP_PREFIX + named)
        return ordered(found)

    def _chain(self, folder: str, root: str) -> list[_Perms | None]:
        """The permissions of ``folder`` and every folder above it up to ``root`` (``None``: could not be
        looked at); empty when ``folder`` is not inside ``root`` (the root is the file itself)."""
        chain: list[_Perms | None] = []
        inside = root.rstrip(os.sep) + os.sep
        while folder == root or folder.startswith(inside):
            if folder not in self._folders:
                try:
                    st = os.stat(folder)
                    self._folders[folder] = _perms(st, _acl_or_none(folder)) if stat.S_ISDIR(st.st_mode) else None
                except (OSError, ValueError):
                    self._folders[folder] = None
            chain.append(self._folders[folder])
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        return chain


def _acl_or_none(path: str) -> tuple[AclEntry, ...] | None:
    try:
        return read_acl(path)
    except (OSError, ValueError):
        # An unreadable or odd ACL attribute: judge by the mode bits, which the kernel keeps in step.
        return None


def posix_state(path: str) -> dict[str, int | str | None]:
    """The file's mode bits and access ACL as JSON-ready state (what remediation records as "before").

    Raises:
        OSError: the file cannot be looked at.
    """
    st = os.stat(path)
    try:
        raw: bytes | None = os.getxattr(path, ACL_XATTR)
    except OSError as exc:
        if exc.errno not in _NO_ACL:
            raise
        raw = None
    return {"kind": "posix", "mode": stat.S_IMODE(st.st_mode), "gid": st.st_gid,
            "acl": raw.hex() if raw is not None else None}


def set_posix_state(path: str, state: dict[str, int | str | None]) -> None:
    """Put a state from :func:`posix_state` back: the mode bits, then the ACL (or no ACL).

    The mode goes first: with an ACL present, ``chmod`` moves the ACL's mask, and the ACL written after
    it then carries the exact entries, mask included.

    Raises:
        OSError: the file is gone or may not be changed.
    """
    mode = state.get("mode")
    acl = state.get("acl")
    if state.get("kind") != "posix" or not isinstance(mode, int):
        raise ValueError("not a POSIX access state")
    if acl is None:
        try:
            os.removexattr(path, ACL_XATTR)
        except OSError as exc:
            if exc.errno not in _NO_ACL:
                raise
    os.chmod(path, mode)
    if isinstance(acl, str):
        os.setxattr(path, ACL_XATTR, bytes.fromhex(acl))
