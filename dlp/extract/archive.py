"""TAR archives, single-stream GZ/BZ2/XZ files and 7z archives: members become children.

Nothing is extracted to disk: members are read into memory under the same limits as ZIP members
(``max_members``, ``max_expanded_bytes`` per archive, ``max_ratio`` above 1 MiB), so a member called
``../../etc/passwd`` is only a name. A ``.tar.gz`` is read in two steps, as the worker recurses: the
GZ extractor yields one child (``x.tar``), which the TAR extractor then lists.

* TAR: the standard library's ``tarfile``, read sequentially. Regular files are children; symbolic and
  hard links, devices and FIFOs are children with ``not_examined``/``unsupported`` and the reason,
  since a link has no content of its own and following it could leave the archive.
* GZ/BZ2/XZ: ``gzip``/``bz2``/``lzma`` from the standard library, decompressed in 256 KiB chunks and
  stopped (``NotExamined(bomb)``) as soon as the output passes ``max_expanded_bytes`` or ``max_ratio``
  times the compressed size; concatenated streams are read as one, as the tools do.
* 7z: py7zr (pure Python, the maintained 7z reader on PyPI). Declared sizes are checked first and
  py7zr's own ``max_extract_size`` stops decompression at the limit. An archive needing a password
  (7z always uses AES-256) is opened with a configured password or not examined, reason ``encrypted``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
from typing import IO, Any, ClassVar

from dlp.errors import ItemError, NotExamined
from dlp.extract._common import RATIO_FLOOR, open_binary, parsing, unique_name
from dlp.extract.base import ExtractContext, Extractor
from dlp.registry import not_discovered
from dlp.types import Child, Document, Item, Reason, Status

_CHUNK = 256 * 1024


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _cap(ctx: ExtractContext, compressed: int) -> tuple[int, str]:
    """The most bytes an archive of this size may expand to, and which limit sets it."""
    by_ratio = max(RATIO_FLOOR, int(ctx.settings.max_ratio * max(compressed, 1)))
    if by_ratio < ctx.settings.max_expanded_bytes:
        return by_ratio, f"compression ratio over {ctx.settings.max_ratio:g}"
    return ctx.settings.max_expanded_bytes, f"expands past {ctx.settings.max_expanded_bytes} bytes"


# --- single-stream compressors ----------------------------------------------------------------------


@not_discovered
class _Compressed(Extractor):
    """One compressed stream; the decompressed bytes are one child named without the suffix."""

    label: ClassVar[str] = ""
    # Suffix -> what replaces it in the child's name.
    suffixes: ClassVar[dict[str, str]] = {}

    def open(self, stream: IO[bytes]) -> IO[bytes]:
        """A decompressing reader over ``stream``."""
        raise NotImplementedError

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """The decompressed content as one child; a bomb raises NotExamined(BOMB), damage ItemError."""
        with open_binary(item) as stream:
            cap, limit = _cap(ctx, _size(stream))
            buffer = io.BytesIO()
            total = 0
            with parsing(self.label), self.open(stream) as reader:
                while chunk := reader.read(_CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise NotExamined(Reason.BOMB, f"{self.label} stream {limit}")
                    buffer.write(chunk)
        child = Child(name=self._inner_name(item.name), data=buffer.getvalue())
        return Document(media_type=self.media_types[0], children=(child,))

    def _inner_name(self, name: str) -> str:
        base = os.path.basename(name.replace("\\", "/")) or "data"
        lower = base.lower()
        for suffix, replacement in self.suffixes.items():
            if lower.endswith(suffix) and len(base) > len(suffix):
                return base[: -len(suffix)] + replacement
        return f"{base}.out"


class GzipExtractor(_Compressed):
    """gzip files (.gz, .tgz)."""

    name: ClassVar[str] = "gzip"
    label: ClassVar[str] = "gzip"
    media_types: ClassVar[tuple[str, ...]] = ("application/gzip", "application/x-gzip")
    extensions: ClassVar[tuple[str, ...]] = (".gz", ".tgz")
    suffixes: ClassVar[dict[str, str]] = {".tgz": ".tar", ".gz": ""}

    def open(self, stream: IO[bytes]) -> IO[bytes]:
        """A gzip reader."""
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]  # a binary reader


class Bzip2Extractor(_Compressed):
    """bzip2 files (.bz2, .tbz2)."""

    name: ClassVar[str] = "bzip2"
    label: ClassVar[str] = "bzip2"
    media_types: ClassVar[tuple[str, ...]] = ("application/x-bzip2",)
    extensions: ClassVar[tuple[str, ...]] = (".bz2", ".tbz2", ".tbz")
    suffixes: ClassVar[dict[str, str]] = {".tbz2": ".tar", ".tbz": ".tar", ".bz2": ""}

    def open(self, stream: IO[bytes]) -> IO[bytes]:
        """A bzip2 reader."""
        return bz2.BZ2File(stream, mode="rb")


class XzExtractor(_Compressed):
    """xz files (.xz, .txz); legacy .lzma files too."""

    name: ClassVar[str] = "xz"
    label: ClassVar[str] = "xz"
    media_types: ClassVar[tuple[str, ...]] = ("application/x-xz", "application/x-lzma")
    extensions: ClassVar[tuple[str, ...]] = (".xz", ".txz", ".lzma")
    suffixes: ClassVar[dict[str, str]] = {".txz": ".tar", ".xz": "", ".lzma": ""}

    def open(self, stream: IO[bytes]) -> IO[bytes]:
        """An xz/lzma reader (format detected)."""
        # LZMAFile takes no memlimit, and a crafted header can ask the decoder for a 1.5 GiB dictionary:
        # the standard library's own DecompressReader (what LZMAFile wraps) is given the limit instead.
        import _compression

        raw = _compression.DecompressReader(
            stream, lzma.LZMADecompressor, trailing_error=lzma.LZMAError, memlimit=_LZMA_MEMLIMIT
        )
        return io.BufferedReader(raw)  # a binary reader


# The decoder's own memory (dictionary) limit; xz's default presets need at most 64 MiB plus change.
_LZMA_MEMLIMIT = 256 * 1024 * 1024


# --- TAR --------------------------------------------------------------------------------------------


class TarExtractor(Extractor):
    """Members of an uncompressed TAR archive as children (see the module docstring)."""

    name: ClassVar[str] = "tar"
    media_types: ClassVar[tuple[str, ...]] = ("application/x-tar",)
    extensions: ClassVar[tuple[str, ...]] = (".tar",)

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Regular members with their bytes; links and special files with a reason; damage ItemError."""
        settings = ctx.settings
        children: list[Child] = []
        names: dict[str, int] = {}
        expanded = 0
        with open_binary(item) as stream:
            with parsing("TAR"):
                # "r:" only: compressed tars arrive here already decompressed, as the child of GZ/BZ2/XZ.
                archive = tarfile.open(  # noqa: SIM115 - closed by the with block below
                    fileobj=stream, mode="r:", encoding="utf-8", errors="replace"
                )
            with archive:
                while True:
                    try:
                        member = archive.next()
                    except (tarfile.TarError, OSError, EOFError, UnicodeError, ValueError) as exc:
                        if not children:
                            raise ItemError(Reason.CORRUPT, f"malformed TAR ({type(exc).__name__})") from exc
                        detail = "archive is damaged after this member"
                        children.append(_skipped(f"(after {children[-1].name})", Reason.CORRUPT, detail))
                        break
                    if member is None:
                        break
                    if member.isdir():
                        continue
                    name = unique_name(member.name, names)
                    if len(children) >= settings.max_members:
                        detail = f"archive has more than {settings.max_members} members"
                        children.append(_skipped(name, Reason.TOO_MANY_MEMBERS, detail))
                        continue
                    problem = _special(member)
                    if problem:
                        children.append(_skipped(name, Reason.UNSUPPORTED, problem))
                        continue
                    if expanded + member.size > settings.max_expanded_bytes:
                        detail = f"member would take the archive past {settings.max_expanded_bytes} bytes"
                        children.append(_skipped(name, Reason.BOMB, detail))
                        continue
                    expanded += member.size
                    children.append(_read_member(archive, member, name))
        return Document(media_type=self.media_types[0], children=tuple(children))


def _skipped(name: str, reason: Reason, detail: str) -> Child:
    """A member not read: ``error`` when it is damaged, ``not_examined`` otherwise."""
    status = Status.ERROR if reason is Reason.CORRUPT else Status.NOT_EXAMINED
    return Child(name=name, data=None, status=status, reason=reason, detail=detail)


def _special(member: tarfile.TarInfo) -> str | None:
    """Why a member has no content of its own to read, or None for a regular file."""
    if member.issym():
        return "symbolic link inside the archive: not followed"
    if member.islnk():
        return "hard link inside the archive: not followed"
    if member.ischr() or member.isblk():
        return "device file inside the archive"
    if member.isfifo():
        return "FIFO inside the archive"
    if not member.isfile():
        return "special member inside the archive"
    return None


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> Child:
    try:
        handle = archive.extractfile(member)
        if handle is None:
            return Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.UNSUPPORTED,
                         detail="member has no content")  # fmt: skip
        with handle:
            # tarfile stops at the member's declared size, already checked against the limits.
            data = handle.read(member.size)
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        return Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                     detail=f"member data is damaged ({type(exc).__name__})")  # fmt: skip
    return Child(name=name, data=data)


# --- 7z ---------------------------------------------------------------------------------------------


class SevenZipExtractor(Extractor):
    """Members of a 7z archive as children, read in memory with py7zr (see the module docstring)."""

    name: ClassVar[str] = "7z"
    media_types: ClassVar[tuple[str, ...]] = ("application/x-7z-compressed",)
    extensions: ClassVar[tuple[str, ...]] = (".7z",)

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Members as children; encrypted without a password opening it: NotExamined(ENCRYPTED)."""
        import py7zr
        from py7zr.exceptions import DecompressionBombError, PasswordRequired

        with open_binary(item) as stream:
            archive_size = _size(stream)
            cap, limit = _cap(ctx, archive_size)
            data = stream.read()
        attempts: list[str | None] = [None, *ctx.passwords]
        encrypted = False
        for password in attempts:
            try:
                with parsing("7z"):
                    try:
                        archive = py7zr.SevenZipFile(io.BytesIO(data), mode="r", password=password)
                    except PasswordRequired:
                        encrypted = True  # the header itself is encrypted: member names are secret too
                        continue
            except ItemError as error:
                if encrypted or password is not None:
                    continue  # a wrong password garbles the encrypted header
                raise error
            with archive:
                encrypted = encrypted or archive.needs_password()
                if encrypted and password is None:
                    continue
                infos = [info for info in archive.list() if not info.is_directory]
                declared = sum(int(info.uncompressed or 0) for info in infos)
                if declared > cap:
                    raise NotExamined(Reason.BOMB, f"7z archive {limit}", encrypted=encrypted,
                                      cipher="AES-256" if encrypted else None,
                                      key_bits=256 if encrypted else None)  # fmt: skip
                if len(infos) > ctx.settings.max_members:
                    raise NotExamined(Reason.TOO_MANY_MEMBERS, f"7z archive has {len(infos)} members")
                try:
                    members = _read_7z(archive, cap)
                except DecompressionBombError as exc:
                    raise NotExamined(Reason.BOMB, f"7z archive {limit}") from exc
                except ItemError:
                    if encrypted:
                        continue  # wrong password: the data fails its CRC
                    raise
            return _seven_document(self.media_types[0], infos, members, encrypted)
        raise NotExamined(
            Reason.ENCRYPTED,
            "encrypted 7z archive and no configured password opens it",
            encrypted=True,
            cipher="AES-256",
            key_bits=256,
        )


def _read_7z(archive: Any, cap: int) -> dict[str, bytes]:
    """Every member's bytes, decompressed in memory; py7zr stops at ``cap`` bytes in all."""
    from py7zr.io import BytesIOFactory

    factory = BytesIOFactory(limit=cap + 1)
    archive.max_extract_size = cap  # py7zr checks it while decompressing, across members
    worker_limit = getattr(archive, "worker", None)
    if worker_limit is not None:
        worker_limit.max_extract_size = cap
    with parsing("7z"):
        archive.extractall(factory=factory)
    out: dict[str, bytes] = {}
    for name, product in factory.products.items():
        product.seek(0)
        out[name] = product.read()
    return out


def _seven_document(media_type: str, infos: list[Any], members: dict[str, bytes], encrypted: bool) -> Document:
    children: list[Child] = []
    names: dict[str, int] = {}
    marks: dict[str, Any] = {"encrypted": True, "cipher": "AES-256", "key_bits": 256} if encrypted else {}
    for info in infos:
        name = unique_name(info.filename, names)
        if getattr(info, "is_symlink", False):
            children.append(Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.UNSUPPORTED,
                                  detail="symbolic link inside the archive: not followed", **marks))  # fmt: skip
            continue
        data = members.get(info.filename)
        if data is None:
            children.append(Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                                  detail="member could not be decompressed", **marks))  # fmt: skip
            continue
        children.append(Child(name=name, data=data, **marks))
    return Document(
        media_type=media_type,
        children=tuple(children),
        encrypted=encrypted,
        cipher="AES-256" if encrypted else None,
        key_bits=256 if encrypted else None,
    )
