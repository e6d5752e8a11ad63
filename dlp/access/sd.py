"""Windows security descriptors in self-relative form (MS-DTYP 2.4.6), parsed and rebuilt with ``struct``.

smbprotocol has structures for these too, but it knows only a few ACE types and parses field by field;
remediation must rewrite a DACL without touching anything it does not understand (object ACEs, callback
ACEs, a SACL), so every ACE keeps its raw bytes and a rebuilt descriptor differs from the original only
where an ACE was taken out or a control flag changed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace

# ACE types (MS-DTYP 2.4.4.1) that grant or deny plain access; other types are kept but not judged.
ACCESS_ALLOWED = 0x00
ACCESS_DENIED = 0x01
# ACE flags (MS-DTYP 2.4.4.1).
OBJECT_INHERIT = 0x01
CONTAINER_INHERIT = 0x02
INHERIT_ONLY = 0x08
INHERITED = 0x10
# Security descriptor control bits (MS-DTYP 2.4.6).
SE_DACL_PRESENT = 0x0004
SE_SACL_PRESENT = 0x0010
SE_DACL_AUTO_INHERIT_REQ = 0x0100
SE_DACL_AUTO_INHERITED = 0x0400
SE_DACL_PROTECTED = 0x1000
SE_SELF_RELATIVE = 0x8000
# Access rights that let a principal read a file's content (MS-DTYP 2.4.3, MS-SMB2 2.2.13.1.1).
FILE_READ_DATA = 0x00000001
GENERIC_ALL = 0x10000000
GENERIC_READ = 0x80000000
READ_MASK = FILE_READ_DATA | GENERIC_ALL | GENERIC_READ

_HEADER = struct.Struct("<BBHIIII")  # revision, sbz1, control, offsets of owner, group, SACL, DACL
_ACL_HEADER = struct.Struct("<BBHHH")  # revision, sbz1, size, ace count, sbz2
_ACE_HEADER = struct.Struct("<BBHI")  # type, flags, size, mask


class DescriptorError(ValueError):
    """The bytes are not a well-formed self-relative security descriptor."""


@dataclass(frozen=True, slots=True)
class Ace:
    """One access control entry. ``sid`` is ``None`` for ACE types this module does not judge."""

    type: int
    flags: int
    mask: int
    sid: str | None
    raw: bytes

    @property
    def inherited(self) -> bool:
        """Whether the ACE was inherited from a parent folder rather than set on the item itself."""
        return bool(self.flags & INHERITED)

    @property
    def applies_here(self) -> bool:
        """False for an inherit-only ACE, which is a template for children and grants nothing here."""
        return not self.flags & INHERIT_ONLY

    @property
    def grants_read(self) -> bool:
        """An allow ACE that lets its principal read the content."""
        return self.type == ACCESS_ALLOWED and bool(self.mask & READ_MASK) and self.applies_here

    @property
    def denies_read(self) -> bool:
        """A deny ACE that stops its principal reading the content."""
        return self.type == ACCESS_DENIED and bool(self.mask & READ_MASK) and self.applies_here


@dataclass(frozen=True, slots=True)
class SecurityDescriptor:
    """A parsed descriptor. ``dacl`` is ``None`` when there is none (everyone has full access)."""

    control: int
    owner: str | None
    group: str | None
    dacl: tuple[Ace, ...] | None
    dacl_revision: int
    raw: bytes

    @property
    def protected(self) -> bool:
        """Whether the DACL refuses inheritance from the parent folder."""
        return bool(self.control & SE_DACL_PROTECTED)

    def with_dacl(self, aces: tuple[Ace, ...], *, protect: bool | None = None) -> SecurityDescriptor:
        """A copy whose DACL holds ``aces`` (each kept as its raw bytes), optionally (un)protected."""
        control = self.control | SE_DACL_PRESENT
        if protect is not None:
            control = control | SE_DACL_PROTECTED if protect else control & ~SE_DACL_PROTECTED
        copy = replace(self, control=control, dacl=aces)
        return replace(copy, raw=pack(copy))


def parse(data: bytes) -> SecurityDescriptor:
    """Parse a self-relative security descriptor (as an SMB2 QUERY_INFO for security returns it).

    Raises:
        DescriptorError: a truncated or inconsistent descriptor.
    """
    if len(data) < _HEADER.size:
        raise DescriptorError("security descriptor shorter than its header")
    _rev, _sbz, control, owner_at, group_at, _sacl_at, dacl_at = _HEADER.unpack_from(data)
    owner = sid_at(data, owner_at) if owner_at else None
    group = sid_at(data, group_at) if group_at else None
    dacl: tuple[Ace, ...] | None = None
    revision = 2
    if control & SE_DACL_PRESENT and dacl_at:
        revision, dacl = _acl_at(data, dacl_at)
    return SecurityDescriptor(control=control, owner=owner, group=group, dacl=dacl, dacl_revision=revision,
                              raw=bytes(data))


def pack(sd: SecurityDescriptor) -> bytes:
    """The descriptor's self-relative bytes with its DACL (and control) as given; owner, group and SACL
    are copied from ``sd.raw`` unchanged."""
    _rev, _sbz, _control, owner_at, group_at, sacl_at, _dacl_at = _HEADER.unpack_from(sd.raw)
    body = bytearray()
    offsets = []
    sacl_at = sacl_at if sd.control & SE_SACL_PRESENT else 0
    for at, reader in ((owner_at, _sid_bytes), (group_at, _sid_bytes), (sacl_at, _acl_bytes)):
        offsets.append(_HEADER.size + len(body) if at else 0)
        if at:
            body += reader(sd.raw, at)
    dacl_offset = 0
    if sd.dacl is not None:
        dacl_offset = _HEADER.size + len(body)
        aces = b"".join(ace.raw for ace in sd.dacl)
        body += _ACL_HEADER.pack(sd.dacl_revision, 0, _ACL_HEADER.size + len(aces), len(sd.dacl), 0) + aces
    control = sd.control | SE_SELF_RELATIVE
    if sd.dacl is None:
        control &= ~SE_DACL_PRESENT
    return _HEADER.pack(1, 0, control, offsets[0], offsets[1], offsets[2], dacl_offset) + bytes(body)


def for_setting(data: bytes) -> bytes:
    """Descriptor bytes to send in a set-security request, so that the server keeps what they say.

    A server sets SE_DACL_AUTO_INHERITED on a stored DACL only when the request asks for it with
    SE_DACL_AUTO_INHERIT_REQ (MS-DTYP 2.4.6); without it, writing back a descriptor as it was read
    would drop the flag.
    """
    control = struct.unpack_from("<H", data, 2)[0]
    if control & SE_DACL_AUTO_INHERITED:
        control |= SE_DACL_AUTO_INHERIT_REQ
    return data[:2] + struct.pack("<H", control) + data[4:]


def sid_at(data: bytes, at: int) -> str:
    """The SID at offset ``at`` in its string form (``S-1-5-21-...``)."""
    if at + 8 > len(data):
        raise DescriptorError("SID beyond the end of the descriptor")
    revision, count = data[at], data[at + 1]
    if at + 8 + 4 * count > len(data):
        raise DescriptorError("SID sub-authorities beyond the end of the descriptor")
    authority = int.from_bytes(data[at + 2:at + 8], "big")
    subs = struct.unpack_from(f"<{count}I", data, at + 8)
    return f"S-{revision}-{authority}" + "".join(f"-{s}" for s in subs)


def sid_bytes(sid: str) -> bytes:
    """The binary form of a string SID.

    Raises:
        ValueError: not a SID string.
    """
    parts = sid.upper().split("-")
    if len(parts) < 3 or parts[0] != "S":
        raise ValueError(f"not a SID: {sid!r}")
    revision, authority, *subs = (int(p) for p in parts[1:])
    return bytes([revision, len(subs)]) + authority.to_bytes(6, "big") + struct.pack(f"<{len(subs)}I", *subs)


def _sid_bytes(data: bytes, at: int) -> bytes:
    return data[at:at + 8 + 4 * data[at + 1]]


def _acl_bytes(data: bytes, at: int) -> bytes:
    size = _ACL_HEADER.unpack_from(data, at)[2]
    return data[at:at + size]


def _acl_at(data: bytes, at: int) -> tuple[int, tuple[Ace, ...]]:
    if at + _ACL_HEADER.size > len(data):
        raise DescriptorError("ACL beyond the end of the descriptor")
    revision, _sbz, size, count, _sbz2 = _ACL_HEADER.unpack_from(data, at)
    end = min(at + size, len(data))
    pos = at + _ACL_HEADER.size
    aces: list[Ace] = []
    for _ in range(count):
        if pos + _ACE_HEADER.size > end:
            raise DescriptorError("ACE beyond the end of its ACL")
        kind, flags, ace_size, mask = _ACE_HEADER.unpack_from(data, pos)
        if ace_size < _ACE_HEADER.size or pos + ace_size > end:
            raise DescriptorError("ACE with an impossible size")
        sid = sid_at(data, pos + _ACE_HEADER.size) if kind in (ACCESS_ALLOWED, ACCESS_DENIED) else None
        aces.append(Ace(type=kind, flags=flags, mask=mask, sid=sid, raw=bytes(data[pos:pos + ace_size])))
        pos += ace_size
    return revision, tuple(aces)


def make_ace(kind: int, flags: int, mask: int, sid: str) -> Ace:
    """A new allow or deny ACE (tests and remediation's explicit copies of inherited ACEs)."""
    body = sid_bytes(sid)
    raw = _ACE_HEADER.pack(kind, flags, _ACE_HEADER.size + len(body), mask) + body
    return Ace(type=kind, flags=flags, mask=mask, sid=sid, raw=raw)
