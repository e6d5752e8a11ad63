"""SID-to-name lookups with LSARPC (MS-LSAT) over a named pipe of the share's own SMB connection.

Only what naming SIDs needs is written here: a DCE/RPC bind (MS-RPCE, connection-oriented, NDR 2.0, no
RPC-level authentication: the SMB session already authenticates and signs), ``LsarOpenPolicy2``
(opnum 44), ``LsarLookupSids`` (opnum 15) and ``LsarClose`` (opnum 0). The pipe is anything with
``write(bytes)`` and ``read(size) -> bytes`` in message mode (the SMB connector opens ``\\\\PIPE\\lsarpc``
on IPC$). :class:`SidNames` caches every answer for the run; a SID the server cannot name (or a server
that refuses the lookup) stays a SID.
"""

from __future__ import annotations

import logging
import struct
import uuid
from collections.abc import Callable, Iterable
from typing import Protocol

log = logging.getLogger(__name__)

LSARPC = uuid.UUID("12345778-1234-abcd-ef00-0123456789ab")
NDR = uuid.UUID("8a885d04-1ceb-11c9-9fe8-08002b104860")
_BIND, _BIND_ACK, _REQUEST, _RESPONSE, _FAULT = 11, 12, 0, 2, 3
_FIRST, _LAST = 0x01, 0x02
_FRAG = 4280
_OPEN_POLICY2, _LOOKUP_SIDS, _CLOSE = 44, 15, 0
POLICY_LOOKUP_NAMES = 0x00000800
LOOKUP_WKSTA = 1  # LsapLookupWksta: the server answers from its own and its domain's knowledge
_SOME_NOT_MAPPED = 0x00000107
_NONE_MAPPED = 0xC0000073
SID_TYPE_INVALID, SID_TYPE_UNKNOWN = 7, 8
BATCH = 32  # SIDs per lookup: keeps each request inside one fragment
_HEADER = struct.Struct("<BBBBIHHI")  # version, minor, type, flags, data representation, frag len, auth len, call


class RpcError(Exception):
    """The RPC server answered with a fault or an error status, or with something unreadable."""


class Pipe(Protocol):
    """A message-mode named pipe."""

    def write(self, data: bytes) -> int | None:
        """Send one message."""

    def read(self, size: int) -> bytes:
        """Receive one message (at most ``size`` bytes)."""


class LsaClient:
    """LSARPC over one open pipe: bind once, open the policy once, then look up SIDs."""

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe
        self._call = 0
        self._bind()
        stub = self._request(_OPEN_POLICY2, struct.pack("<I", 0) + _object_attributes()
                             + struct.pack("<I", POLICY_LOOKUP_NAMES))
        if len(stub) < 24:
            raise RpcError("short LsarOpenPolicy2 answer")
        status = struct.unpack_from("<I", stub, 20)[0]
        if status:
            raise RpcError(f"LsarOpenPolicy2 refused (NT status 0x{status:08x})")
        self.handle = stub[:20]

    def lookup(self, sids: list[str]) -> dict[str, str]:
        """Names (``DOMAIN\\name``, or ``name`` for a domain-less account) of the SIDs that have one."""
        out: dict[str, str] = {}
        for start in range(0, len(sids), BATCH):
            out.update(self._lookup(sids[start:start + BATCH]))
        return out

    def close(self) -> None:
        """Close the policy handle (the pipe is the caller's)."""
        try:
            self._request(_CLOSE, self.handle)
        except (RpcError, OSError) as exc:
            log.debug("LsarClose failed: %s", type(exc).__name__)

    def _lookup(self, sids: list[str]) -> dict[str, str]:
        from dlp.access.sd import sid_bytes

        body = bytearray(self.handle)
        body += struct.pack("<III", len(sids), 0x00020000, len(sids))
        body += b"".join(struct.pack("<I", 0x00020004 + 4 * i) for i in range(len(sids)))
        for sid in sids:
            raw = sid_bytes(sid)
            body += struct.pack("<I", raw[1]) + raw
        body += struct.pack("<II", 0, 0)  # TranslatedNames: no entries, null pointer
        body += struct.pack("<HH", LOOKUP_WKSTA, 0)  # an enum is 16 bits in NDR; pad to the next long
        body += struct.pack("<I", 0)  # MappedCount
        stub = self._request(_LOOKUP_SIDS, bytes(body))
        return _lookup_answer(stub, sids)

    # -- DCE/RPC --

    def _bind(self) -> None:
        context = struct.pack("<HBB", 0, 1, 0) + LSARPC.bytes_le + struct.pack("<HH", 0, 0) \
            + NDR.bytes_le + struct.pack("<I", 2)
        body = struct.pack("<HHIBBH", _FRAG, _FRAG, 0, 1, 0, 0) + context
        kind, _ = self._exchange(_BIND, body)
        if kind != _BIND_ACK:
            raise RpcError("the LSA pipe refused the bind")

    def _request(self, opnum: int, stub: bytes) -> bytes:
        kind, body = self._exchange(_REQUEST, struct.pack("<IHH", len(stub), 0, opnum) + stub)
        if kind != _RESPONSE:
            raise RpcError(f"RPC fault on opnum {opnum}")
        return body

    def _exchange(self, kind: int, body: bytes) -> tuple[int, bytes]:
        self._call += 1
        pdu = _HEADER.pack(5, 0, kind, _FIRST | _LAST, 0x10, _HEADER.size + len(body), 0, self._call) + body
        if len(pdu) > _FRAG:
            raise RpcError("request larger than one fragment")
        self.pipe.write(pdu)
        stubs: list[bytes] = []
        while True:
            data = self.pipe.read(65536)
            if len(data) < _HEADER.size:
                raise RpcError("short RPC answer")
            _v, _m, answer, flags, _rep, length, auth, _call = _HEADER.unpack_from(data)
            if answer == _FAULT:
                status = struct.unpack_from("<I", data, 24)[0] if len(data) >= 28 else 0
                raise RpcError(f"RPC fault 0x{status:08x}")
            if answer == _BIND_ACK:
                return answer, data[_HEADER.size:length]
            # A response: alloc hint (4), context id (2), cancel count (1), reserved (1), then the stub.
            stubs.append(data[_HEADER.size + 8:length - (auth + 8 if auth else 0)])
            if flags & _LAST:
                return answer, b"".join(stubs)


class _Reader:
    """NDR 2.0 little-endian reading with alignment relative to the stub's start."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def align(self, n: int) -> None:
        self.pos += -self.pos % n

    def u16(self) -> int:
        self.align(2)
        value: int = struct.unpack_from("<H", self.data, self.pos)[0]
        self.pos += 2
        return value

    def u32(self) -> int:
        self.align(4)
        value: int = struct.unpack_from("<I", self.data, self.pos)[0]
        self.pos += 4
        return value

    def string(self) -> str:
        """A conformant varying array of UTF-16 code units (an RPC_UNICODE_STRING's buffer)."""
        self.u32()  # maximum count
        self.u32()  # offset
        count = self.u32()
        text = self.data[self.pos:self.pos + 2 * count].decode("utf-16-le", errors="replace")
        self.pos += 2 * count
        return text

    def sid(self) -> str:
        from dlp.access.sd import sid_at

        count = self.u32()
        text = sid_at(self.data, self.pos)
        self.pos += 8 + 4 * count
        return text


def _lookup_answer(stub: bytes, sids: list[str]) -> dict[str, str]:
    """Parse an LsarLookupSids answer into names by SID."""
    r = _Reader(stub)
    try:
        domains: list[str] = []
        if r.u32():  # ReferencedDomains pointer
            entries = r.u32()
            has_domains = r.u32()
            r.u32()  # MaxEntries
            if has_domains:
                r.u32()  # conformance
                shape = [(r.u16(), r.u16(), r.u32(), r.u32()) for _ in range(entries)]
                for _length, _max, name_ptr, sid_ptr in shape:
                    domains.append(r.string() if name_ptr else "")
                    if sid_ptr:
                        r.sid()
        count = r.u32()
        names: list[tuple[int, str, int]] = []
        if r.u32():  # Names pointer
            r.u32()  # conformance
            shape2 = []
            for _ in range(count):
                use = r.u16()
                r.align(4)  # the name (an RPC_UNICODE_STRING, which holds a pointer) is 4-aligned
                r.u16(), r.u16()  # its Length and MaximumLength
                pointer = r.u32()
                shape2.append((use, pointer, struct.unpack("<i", struct.pack("<I", r.u32()))[0]))
            for use, pointer, index in shape2:
                names.append((use, r.string() if pointer else "", index))
        r.u32()  # MappedCount
        status = r.u32()
    except (struct.error, IndexError, ValueError) as exc:
        raise RpcError(f"unreadable LsarLookupSids answer ({type(exc).__name__})") from None
    if status not in (0, _SOME_NOT_MAPPED, _NONE_MAPPED):
        raise RpcError(f"LsarLookupSids refused (NT status 0x{status:08x})")
    out: dict[str, str] = {}
    for sid, (use, name, index) in zip(sids, names, strict=False):
        if use in (SID_TYPE_INVALID, SID_TYPE_UNKNOWN) or not name:
            continue
        domain = domains[index] if 0 <= index < len(domains) else ""
        out[sid] = f"{domain}\\{name}" if domain else name
    return out


def _object_attributes() -> bytes:
    """An LSAPR_OBJECT_ATTRIBUTES with every field empty (MS-LSAD 2.2.9: the server ignores them)."""
    return struct.pack("<IIIIII", 24, 0, 0, 0, 0, 0)


class SidNames:
    """Names of SIDs for one run, asked of the server in batches and remembered (misses too)."""

    def __init__(self, lookup: Callable[[list[str]], dict[str, str]]) -> None:
        self._lookup = lookup
        self._known: dict[str, str | None] = {}
        self.failed = False  # the server refused lookups once: stop asking for this run

    def name(self, sid: str) -> str | None:
        """The account name of ``sid``, or ``None`` (unknown to the server, or lookups unavailable)."""
        if sid not in self._known:
            self.prefetch([sid])
        return self._known.get(sid)

    def prefetch(self, sids: Iterable[str]) -> None:
        """Look up the SIDs not yet known, in one round of requests."""
        missing = [s for s in dict.fromkeys(sids) if s not in self._known]
        if not missing:
            return
        found: dict[str, str] = {}
        if not self.failed:
            try:
                found = self._lookup(missing)
            except (RpcError, OSError, ValueError) as exc:
                # SMB errors are OSErrors; a server without LSARPC is not a scan failure, only unnamed SIDs.
                log.warning("SID lookups unavailable (%s); SIDs are reported as they are", exc)
                self.failed = True
        for sid in missing:
            self._known[sid] = found.get(sid)
