"""ZIP archives: members become children, read in memory under bomb limits; encrypted members detected.

Nothing is ever written to disk, so a member called ``../../etc/passwd`` or ``/tmp/x`` is just a name.

An archive whose central directory is missing (a copy or download cut short) is read from its local
file headers instead: every member before the cut is read, the one the archive ends inside is an error
child (reason ``corrupt``).
"""

from __future__ import annotations

import bz2
import io
import logging
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

import pyzipper

from dlp.errors import ItemError
from dlp.extract._common import RATIO_FLOOR, open_binary, parsing, unique_name
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Child, Document, Item, Reason, Status

log = logging.getLogger(__name__)

_CHUNK = 256 * 1024
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # APPNOTE 4.3.7: signature ... name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_ZIP64_EXTRA = 0x0001
_FLAG_DESCRIPTOR = 0x8  # sizes and CRC follow the data instead of being in the local header
_FLAG_UTF8 = 0x800
_STORED, _DEFLATED, _BZIP2 = 0, 8, 12
_AES_EXTRA = 0x9901  # WinZip AE-x extra field (APPNOTE.TXT 4.6.10 / WinZip AES spec)
_AES_BITS = {1: 128, 2: 192, 3: 256}
_FLAG_ENCRYPTED = 0x1
_FLAG_STRONG = 0x40  # PKWARE "strong encryption" (SES): no open implementation reads it
# Weakest first: an archive whose members use different ciphers is only as protected as the weakest.
_STRENGTH = ("ZipCrypto", "AES-128", "AES-192", "AES-256", "PKWARE-SES")


@dataclass(frozen=True)
class _Protection:
    """How one member is encrypted, from its flags and extra field."""

    cipher: str
    key_bits: int | None


class _Bomb(Exception):
    """A member expanded past a limit while being read; the message says which limit."""


class ZipExtractor(Extractor):
    """Lists a ZIP archive's members as children with their bytes (pyzipper reads WinZip AES too).

    Limits from ``ExtractSettings``: at most ``max_members`` members are read (the rest are children
    with reason ``too_many_members``); a member whose declared or actual size would take the archive
    past ``max_expanded_bytes``, or whose ratio of expanded to compressed size exceeds ``max_ratio``
    (above 1 MiB), is a child with reason ``bomb``. Sizes are checked before reading, and again on every
    chunk read, so a member lying about its size is stopped early too.

    An encrypted member (ZipCrypto or AES) is read when one of ``ctx.passwords`` opens it; otherwise
    it is a child with ``status=not_examined``, ``reason=encrypted`` and its cipher. The archive's own
    ``Document.encrypted`` is true when every member is encrypted.
    """

    name: ClassVar[str] = "zip"
    media_types: ClassVar[tuple[str, ...]] = ("application/zip", "application/x-zip-compressed")
    extensions: ClassVar[tuple[str, ...]] = (".zip",)

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Children for the archive's file members; a broken directory raises ItemError(CORRUPT)."""
        with open_binary(item) as stream:
            archive_size = _size(stream)
            try:
                with parsing("ZIP"):
                    archive = pyzipper.AESZipFile(stream)
                    infos = [info for info in archive.infolist() if not info.is_dir()]
            except ItemError:
                # No readable central directory: what the local headers still hold, if anything.
                recovered = _LocalHeaderReader(stream, ctx, archive_size).children()
                if all(c.status is Status.ERROR for c in recovered):
                    raise  # not one member left whole: the archive is corrupt, as before
                log.info("zip without a readable central directory: %d members read from local headers",
                         len(recovered))
                return _document(self.media_types[0], recovered)
            with archive:
                reader = _MemberReader(archive, ctx, archive_size)
                children = [reader.child(info) for info in infos]
        protections = [p for info in infos if (p := _protection(info)) is not None]
        weakest = min(protections, key=lambda p: _STRENGTH.index(p.cipher)) if protections else None
        all_encrypted = bool(infos) and len(protections) == len(infos)
        return Document(
            media_type=self.media_types[0],
            children=tuple(children),
            encrypted=all_encrypted,
            cipher=weakest.cipher if weakest else None,
            key_bits=weakest.key_bits if weakest else None,
        )


class _MemberReader:
    """Reads members one by one, keeping the archive-wide count of members and expanded bytes."""

    def __init__(self, archive: Any, ctx: ExtractContext, archive_size: int) -> None:
        self.archive = archive
        self.settings = ctx.settings
        self.passwords = tuple(p.encode("utf-8") for p in ctx.passwords)
        self.archive_size = max(archive_size, 1)
        self.members = 0
        self.expanded = 0
        self.names: dict[str, int] = {}

    def child(self, info: Any) -> Child:
        """The member as a child: its bytes, or why it was not read."""
        name = unique_name(_decoded_name(info), self.names)
        protection = _protection(info)
        marks: dict[str, Any] = {}
        if protection is not None:
            marks = {"encrypted": True, "cipher": protection.cipher, "key_bits": protection.key_bits}
        self.members += 1
        if self.members > self.settings.max_members:
            return Child(
                name=name,
                data=None,
                status=Status.NOT_EXAMINED,
                reason=Reason.TOO_MANY_MEMBERS,
                detail=f"archive has more than {self.settings.max_members} members",
                **marks,
            )
        problem = self._declared_problem(info)
        if problem:
            return Child(
                name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.BOMB, detail=problem, **marks
            )
        if protection is not None and protection.cipher == "PKWARE-SES":
            return Child(
                name=name,
                data=None,
                status=Status.NOT_EXAMINED,
                reason=Reason.ENCRYPTED,
                detail="PKWARE strong encryption is not supported",
                **marks,
            )
        attempts: tuple[bytes | None, ...] = self.passwords if protection is not None else (None,)
        for password in attempts:
            try:
                data = self._read(info, password)
            except _Bomb as bomb:
                return Child(
                    name=name,
                    data=None,
                    status=Status.NOT_EXAMINED,
                    reason=Reason.BOMB,
                    detail=str(bomb),
                    **marks,
                )
            except NotImplementedError:
                return Child(
                    name=name,
                    data=None,
                    status=Status.NOT_EXAMINED,
                    reason=Reason.UNSUPPORTED,
                    detail=f"compression method {info.compress_type} is not supported",
                    **marks,
                )
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001 - a wrong password or damaged data; see below
                if protection is not None:
                    continue  # a wrong password fails the check bytes, the CRC or the HMAC: try the next
                return Child(
                    name=name,
                    data=None,
                    status=Status.ERROR,
                    reason=Reason.CORRUPT,
                    detail=f"member data is damaged ({type(exc).__name__})",
                )
            return Child(name=name, data=data, **marks)
        return Child(
            name=name,
            data=None,
            status=Status.NOT_EXAMINED,
            reason=Reason.ENCRYPTED,
            detail="encrypted member and no configured password opens it",
            **marks,
        )

    def _declared_problem(self, info: Any) -> str | None:
        """Why the member's declared sizes already break a limit, or None."""
        room = self.settings.max_expanded_bytes - self.expanded
        if info.file_size > room:
            return f"member would expand the archive past {self.settings.max_expanded_bytes} bytes"
        if info.file_size > RATIO_FLOOR and info.file_size > self.settings.max_ratio * max(
            info.compress_size, 1
        ):
            return f"member compression ratio over {self.settings.max_ratio:g}"
        if (
            self.expanded + info.file_size > RATIO_FLOOR
            and self.expanded + info.file_size > self.settings.max_ratio * self.archive_size
        ):
            return f"archive compression ratio over {self.settings.max_ratio:g}"
        return None

    def _read(self, info: Any, password: bytes | None) -> bytes:
        """The member's bytes, read in chunks and stopped as soon as any limit is passed."""
        room = self.settings.max_expanded_bytes - self.expanded
        ratio_cap = max(RATIO_FLOOR, self.settings.max_ratio * max(info.compress_size, 1))
        buffer = io.BytesIO()
        total = 0
        try:
            with self.archive.open(info, pwd=password) as handle:
                while chunk := handle.read(_CHUNK):
                    total += len(chunk)
                    if total > info.file_size:
                        raise _Bomb("member expands beyond its declared size")
                    if total > room:
                        raise _Bomb(
                            f"member would expand the archive past {self.settings.max_expanded_bytes} bytes"
                        )
                    if total > ratio_cap:
                        raise _Bomb(f"member compression ratio over {self.settings.max_ratio:g}")
                    buffer.write(chunk)
        finally:
            # Inflated bytes count even when the read fails: a wrong password must not buy free work.
            self.expanded += total
        return buffer.getvalue()


def _document(media_type: str, children: list[Child]) -> Document:
    """The archive's document from its children; encrypted when every member is."""
    protected = [c for c in children if c.encrypted]
    weakest = min(protected, key=lambda c: _STRENGTH.index(c.cipher) if c.cipher in _STRENGTH else 0,
                  default=None)
    return Document(media_type=media_type, children=tuple(children),
                    encrypted=bool(children) and len(protected) == len(children),
                    cipher=weakest.cipher if weakest else None, key_bits=weakest.key_bits if weakest else None)


@dataclass(frozen=True)
class _LocalEntry:
    """One local file header (APPNOTE 4.3.7) and where its data starts."""

    name: str
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    extra: bytes
    data_start: int


class _LocalHeaderReader:
    """Members of a ZIP read from its local file headers, front to back, for an archive whose central
    directory is gone. The same limits as :class:`_MemberReader` hold (members, expanded bytes, ratios).

    Encrypted members are reported (not_examined / encrypted, with their cipher) but not opened: without
    the central directory their sizes are not to be trusted with a password attempt. Reading stops at
    the first member the archive ends inside, which becomes an error child, or at anything that is not a
    local header (the central directory's first entry, or damage).
    """

    def __init__(self, stream: BinaryIO, ctx: ExtractContext, archive_size: int) -> None:
        self.stream = stream
        self.settings = ctx.settings
        self.archive_size = max(archive_size, 1)
        self.expanded = 0
        self.names: dict[str, int] = {}

    def children(self) -> list[Child]:
        """Every member found before the cut, directories left out."""
        out: list[Child] = []
        try:
            for child in self._walk():
                out.append(child)
        except (struct.error, OSError, ValueError, EOFError) as exc:
            log.debug("local header walk stopped: %s", type(exc).__name__)
        return out

    def _walk(self) -> Iterator[Child]:
        offset = 0
        members = 0
        while True:
            entry = self._entry(offset)
            if entry is None:
                return
            if entry.name.endswith("/"):
                if entry.flags & _FLAG_DESCRIPTOR:
                    end = self._descriptor_at(entry.data_start)
                    if end is None:
                        return
                    offset = self._after_descriptor(end)
                else:
                    offset = entry.data_start + entry.compressed
                continue
            members += 1
            name = unique_name(entry.name, self.names)
            protection = _local_protection(entry)
            marks: dict[str, Any] = {}
            if protection is not None:
                marks = {"encrypted": True, "cipher": protection.cipher, "key_bits": protection.key_bits}
            if members > self.settings.max_members:
                yield Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.TOO_MANY_MEMBERS,
                            detail=f"archive has more than {self.settings.max_members} members", **marks)
                return
            if entry.flags & _FLAG_DESCRIPTOR:
                # Sizes follow the data: only a deflate or bzip2 stream says where it ends.
                child, end = self._read_streamed(entry, name, marks)
                yield child
                if end is None:
                    return
                offset = self._after_descriptor(end)
                continue
            end = entry.data_start + entry.compressed
            if end > self.archive_size:
                yield Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                            detail="the archive ends inside this member (truncated)", **marks)
                return
            if protection is not None:
                yield Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.ENCRYPTED,
                            detail="encrypted member of an archive without its central directory", **marks)
            else:
                self.stream.seek(entry.data_start)
                yield self._inflated(entry, name, self.stream.read(entry.compressed))
            offset = end

    def _entry(self, offset: int) -> _LocalEntry | None:
        self.stream.seek(offset)
        header = self.stream.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            return None
        _sig, _version, flags, method, _time, _date, crc, compressed, size, name_len, extra_len = (
            _LOCAL_HEADER.unpack(header))
        raw_name = self.stream.read(name_len)
        extra = self.stream.read(extra_len)
        if len(raw_name) < name_len or len(extra) < extra_len:
            return None  # cut inside the header itself: nothing of this member is left
        if 0xFFFFFFFF in (compressed, size):
            size, compressed = _zip64_sizes(extra, size, compressed)
        return _LocalEntry(name=member_name(raw_name, flags, extra), flags=flags, method=method, crc=crc,
                           compressed=compressed, size=size, extra=extra,
                           data_start=offset + _LOCAL_HEADER.size + name_len + extra_len)

    def _inflated(self, entry: _LocalEntry, name: str, data: bytes) -> Child:
        """The member's bytes from its compressed data, within the limits, checked against its CRC."""
        try:
            content = self._decompress(entry.method, [data], declared=entry.size, compressed=len(data))[0]
        except _Bomb as bomb:
            return Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.BOMB, detail=str(bomb))
        except NotImplementedError:
            return Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.UNSUPPORTED,
                         detail=f"compression method {entry.method} is not supported")
        except (zlib.error, OSError, ValueError, EOFError) as exc:
            return Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                         detail=f"member data is damaged ({type(exc).__name__})")
        if len(content) != entry.size or zlib.crc32(content) != entry.crc:
            return Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                         detail="member data does not match its size or CRC")
        return Child(name=name, data=content)

    def _read_streamed(self, entry: _LocalEntry, name: str, marks: dict[str, Any]) -> tuple[Child, int | None]:
        """A member whose sizes follow its data: the child, and where its data ended (None: unknown)."""
        if not entry.flags & _FLAG_ENCRYPTED and entry.method in (_DEFLATED, _BZIP2):
            return self._inflate_streamed(entry, name)
        # Stored, encrypted or another method: the data ends at the descriptor that gives its length.
        end = self._descriptor_at(entry.data_start)
        if end is None:
            return Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                         detail="the archive ends inside this member (truncated)", **marks), None
        if entry.flags & _FLAG_ENCRYPTED:
            return Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.ENCRYPTED,
                         detail="encrypted member of an archive without its central directory", **marks), end
        if entry.method != _STORED:
            return Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.UNSUPPORTED,
                         detail=f"compression method {entry.method} is not supported"), end
        self.stream.seek(entry.data_start)
        content = self.stream.read(end - entry.data_start)
        if end - entry.data_start > self.settings.max_expanded_bytes - self.expanded:
            return Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.BOMB,
                         detail=f"member would expand the archive past {self.settings.max_expanded_bytes} bytes"), end
        self.expanded += len(content)
        return self._checked(name, content, end), end

    def _inflate_streamed(self, entry: _LocalEntry, name: str) -> tuple[Child, int | None]:
        self.stream.seek(entry.data_start)
        chunks = iter(lambda: self.stream.read(_CHUNK), b"")
        try:
            content, used = self._decompress(entry.method, chunks, declared=None, compressed=None)
        except _Bomb as bomb:
            return Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.BOMB,
                         detail=str(bomb)), None
        except EOFError:
            return Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                         detail="the archive ends inside this member (truncated)"), None
        except (zlib.error, OSError, ValueError) as exc:
            return Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                         detail=f"member data is damaged ({type(exc).__name__})"), None
        end = entry.data_start + used
        return self._checked(name, content, end), end

    def _checked(self, name: str, content: bytes, end: int) -> Child:
        """The member, if the CRC of the data descriptor at ``end`` matches its bytes."""
        self.stream.seek(end)
        descriptor = self.stream.read(16)
        crc_at = 4 if descriptor[:4] == _DESCRIPTOR_SIGNATURE else 0
        if len(descriptor) < crc_at + 4 or struct.unpack_from("<I", descriptor, crc_at)[0] != zlib.crc32(content):
            return Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                         detail="member data does not match its CRC")
        return Child(name=name, data=content)

    def _descriptor_at(self, start: int) -> int | None:
        """Where the data descriptor that ends a member of unknown size begins: the first signed descriptor
        whose compressed size equals the bytes since ``start`` (None when the archive ends first)."""
        limit = self.archive_size
        pos, carry = start, b""
        while pos < limit:
            self.stream.seek(pos)
            chunk = self.stream.read(min(_CHUNK, limit - pos))
            if not chunk:
                break
            window, origin = carry + chunk, pos - len(carry)
            at = window.find(_DESCRIPTOR_SIGNATURE)
            while at != -1 and at + 12 <= len(window):
                if struct.unpack_from("<I", window, at + 8)[0] == origin + at - start:
                    return origin + at
                at = window.find(_DESCRIPTOR_SIGNATURE, at + 1)
            # A signature in the last 11 bytes is checked again with the next chunk.
            carry = window[-11:]
            pos += len(chunk)
        return None

    def _after_descriptor(self, end: int) -> int:
        """The offset of the next local header after a data descriptor (with or without its signature,
        with 32- or 64-bit sizes): the first of the possible lengths followed by a header signature."""
        self.stream.seek(end)
        tail = self.stream.read(28)
        for length in (16, 24, 12, 20):
            if tail[length:length + 4] == _LOCAL_SIGNATURE:
                return end + length
        return end + (16 if tail[:4] == _DESCRIPTOR_SIGNATURE else 12)

    def _decompress(self, method: int, chunks: Any, *, declared: int | None,
                    compressed: int | None) -> tuple[bytes, int]:
        """Inflate ``chunks`` under the archive's limits; return the bytes and the compressed bytes used.

        Raises _Bomb past a limit, EOFError when the stream ends before its end mark (a streamed member),
        NotImplementedError for a method other than stored, deflate and bzip2.
        """
        room = self.settings.max_expanded_bytes - self.expanded
        if declared is not None and declared > room:
            raise _Bomb(f"member would expand the archive past {self.settings.max_expanded_bytes} bytes")
        if method == _STORED:
            data = b"".join(chunks)
            self.expanded += len(data)
            return data, len(data)
        if method == _DEFLATED:
            engine: Any = zlib.decompressobj(-15)
        elif method == _BZIP2:
            engine = bz2.BZ2Decompressor()
        else:
            raise NotImplementedError
        out = io.BytesIO()
        used = total = 0
        try:
            for chunk in chunks:
                used += len(chunk)
                # At most _CHUNK bytes out per call, so that a bomb is stopped before it is in memory.
                piece = engine.decompress(chunk, _CHUNK)
                while True:
                    total += len(piece)
                    cap = max(RATIO_FLOOR, self.settings.max_ratio * max(compressed or used, 1))
                    if total > room:
                        raise _Bomb(f"member would expand the archive past {self.settings.max_expanded_bytes} bytes")
                    if declared is not None and total > declared:
                        raise _Bomb("member expands beyond its declared size")
                    if total > cap:
                        raise _Bomb(f"member compression ratio over {self.settings.max_ratio:g}")
                    out.write(piece)
                    if engine.eof:
                        break
                    if method == _DEFLATED:
                        if not engine.unconsumed_tail:
                            break
                        piece = engine.decompress(engine.unconsumed_tail, _CHUNK)
                    else:
                        if engine.needs_input:
                            break
                        piece = engine.decompress(b"", _CHUNK)
                if engine.eof:
                    used -= len(engine.unused_data)
                    break
            if not engine.eof:
                raise EOFError("compressed stream ends early")
        finally:
            self.expanded += total
        return out.getvalue(), used


def member_name(raw: bytes, flags: int, extra: bytes = b"") -> str:
    """A member's name from its bytes, by its flag or its code page.

    UTF-8 when flagged so (bit 11); else the Info-ZIP Unicode Path field (0x7075) when it belongs to
    these bytes; else UTF-8 if the bytes are UTF-8 (many tools write it without the flag); else GBK when
    they read as Chinese (zips made on Chinese-language Windows); else code page 437, the format's
    default (APPNOTE appendix D).
    """
    if flags & _FLAG_UTF8:
        return raw.decode("utf-8", "replace")
    unicode_path = _unicode_path(extra, raw)
    if unicode_path is not None:
        return unicode_path
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        chinese = raw.decode("gbk")
    except UnicodeDecodeError:
        chinese = ""
    # Random high bytes often decode as GBK too: only a name whose non-ASCII characters are all Chinese
    # (at least two of them) is taken for GBK.
    wide = [c for c in chinese if ord(c) > 127]
    if len(wide) >= 2 and all(_cjk(c) for c in wide):
        return chinese
    return raw.decode("cp437")


def _cjk(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or 0x3400 <= code <= 0x4DBF


def _unicode_path(extra: bytes, raw: bytes) -> str | None:
    """The UTF-8 name of an Info-ZIP Unicode Path extra field (0x7075), if its CRC is that of ``raw``."""
    offset = 0
    while offset + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4: offset + 4 + length]
        if header_id == 0x7075 and len(body) > 5 and body[0] == 1:
            if struct.unpack_from("<I", body, 1)[0] == zlib.crc32(raw):
                return body[5:].decode("utf-8", "replace")
            return None
        offset += 4 + length
    return None


def _decoded_name(info: Any) -> str:
    """The member's name as :func:`member_name` reads it (zipfile decoded it as code page 437)."""
    if info.flag_bits & _FLAG_UTF8:
        return str(info.filename)
    try:
        raw = info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return str(info.filename)
    return member_name(raw, info.flag_bits, info.extra)


def _zip64_sizes(extra: bytes, size: int, compressed: int) -> tuple[int, int]:
    """Sizes from a ZIP64 extra field (0x0001): each 8-byte value present for a 0xFFFFFFFF in the header."""
    offset = 0
    while offset + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4: offset + 4 + length]
        if header_id == _ZIP64_EXTRA:
            values = [struct.unpack_from("<Q", body, i)[0] for i in range(0, len(body) - 7, 8)]
            if size == 0xFFFFFFFF and values:
                size = values.pop(0)
            if compressed == 0xFFFFFFFF and values:
                compressed = values.pop(0)
            break
        offset += 4 + length
    return size, compressed


def _local_protection(entry: _LocalEntry) -> _Protection | None:
    """A local entry's cipher, as :func:`_protection` reads it from a central directory entry."""
    if not entry.flags & _FLAG_ENCRYPTED:
        return None
    if entry.flags & _FLAG_STRONG:
        return _Protection("PKWARE-SES", None)
    strength = _aes_strength(entry.extra)
    if strength is not None:
        bits = _AES_BITS.get(int(strength))
        return _Protection(f"AES-{bits}" if bits else "AES", bits)
    return _Protection("ZipCrypto", None)


def _protection(info: Any) -> _Protection | None:
    """The member's cipher from its general-purpose flags and its 0x9901 extra field, or None."""
    if not info.flag_bits & _FLAG_ENCRYPTED:
        return None
    if info.flag_bits & _FLAG_STRONG:
        return _Protection("PKWARE-SES", None)
    strength = _aes_strength(info.extra)
    if strength is None:
        # pyzipper already consumed the field into its own attribute for members it parsed.
        strength = getattr(info, "wz_aes_strength", None)
    if strength is not None:
        bits = _AES_BITS.get(int(strength))
        return _Protection(f"AES-{bits}" if bits else "AES", bits)
    return _Protection("ZipCrypto", None)


def _aes_strength(extra: bytes) -> int | None:
    """The strength byte (1, 2, 3) of a WinZip AES extra field: version, "AE", strength, method."""
    offset = 0
    while offset + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4 : offset + 4 + size]
        if header_id == _AES_EXTRA and len(body) >= 7:
            _version, _vendor, strength, _method = struct.unpack_from("<H2sBH", body)
            return int(strength)
        offset += 4 + size
    return None


def _size(stream: BinaryIO) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size
