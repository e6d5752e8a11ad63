"""ZIP archives: members become children, read in memory under bomb limits; encrypted members detected.

Nothing is ever written to disk, so a member called ``../../etc/passwd`` or ``/tmp/x`` is just a name.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

import pyzipper

from dlp.extract._common import RATIO_FLOOR, open_binary, parsing, unique_name
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Child, Document, Item, Reason, Status

_CHUNK = 256 * 1024
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
    abstract: ClassVar[bool] = False

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Children for the archive's file members; a broken directory raises ItemError(CORRUPT)."""
        with open_binary(item) as stream:
            archive_size = _size(stream)
            with parsing("ZIP"):
                archive = pyzipper.AESZipFile(stream)
                infos = [info for info in archive.infolist() if not info.is_dir()]
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
        name = unique_name(info.filename, self.names)
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
