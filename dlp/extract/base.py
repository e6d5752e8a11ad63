"""Extractors: one module per format family, each a subclass of :class:`Extractor`.

In most cases you subclass :class:`Extractor`, list the ``media_types`` and ``extensions`` you read and
implement :meth:`Extractor.extract`. Containers (archives, e-mail) return their members as
:class:`~dlp.types.Child` objects; the worker turns each into an item of its own and extracts it in turn,
so an extractor never recurses itself.

An extractor raises :class:`~dlp.errors.NotExamined` for an item it deliberately does not read
(encrypted, over a limit) and :class:`~dlp.errors.ItemError` for a broken one. Messages say what kind of
problem it is, never what text the file holds.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import ClassVar

from dlp.config import ExtractSettings
from dlp.errors import NotExamined
from dlp.registry import by_name, discover
from dlp.types import Document, Item, Reason


@dataclass(frozen=True)
class ExtractContext:
    """What an extractor may need besides the item: limits and configured passwords."""

    settings: ExtractSettings
    passwords: tuple[str, ...] = ()
    depth: int = 0


class Extractor:
    """Base class of every extractor. Subclasses are discovered in ``dlp/extract/``."""

    name: ClassVar[str] = ""
    media_types: ClassVar[tuple[str, ...]] = ()
    extensions: ClassVar[tuple[str, ...]] = ()  # lower case, with the dot: (".csv", ".tsv")
    abstract: ClassVar[bool] = True

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Turn the item into text parts and child items."""
        raise NotImplementedError


# Magic numbers checked before the file name: a renamed file is still read as what it is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-cfb"),  # OLE2: legacy Office, MSG, encrypted OOXML
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"{\\rtf", "application/rtf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


_MAIL_HEADER = re.compile(
    rb"^(?:From|To|Subject|Date|Received|Return-Path|Message-ID|MIME-Version|Delivered-To|X-[A-Za-z-]+):[ \t]",
    re.IGNORECASE | re.MULTILINE,
)
_FIRST_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,60}:[ \t]")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)


def sniff(name: str, head: bytes, tail: bytes = b"") -> str:
    """Guess a media type from the first bytes and, failing that, the file name's extension.

    ``tail`` (the last few KB) lets a zip be told from an OOXML package whose writer put the content
    types part last: the central directory at the end lists every member name.
    """
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    ext = os.path.splitext(name.lower())[1]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        # An OOXML package has a content types part; a plain zip that happens to hold a "word/" folder
        # does not. Member names sit in the local headers (head) and the central directory (tail).
        names = head[:8192] + tail
        if b"[Content_Types].xml" in names or ext in (".docx", ".xlsx", ".pptx", ".docm", ".xlsm"):
            for prefix, media_type in _OOXML.items():
                if prefix.encode() in names:
                    return media_type
        if b"mimetypeapplication/vnd.oasis.opendocument" in head[:200]:
            return "application/vnd.oasis.opendocument"
        by_ext = _ext_table().get(ext)
        if by_ext is not None and by_ext.startswith("application/vnd."):
            return by_ext
        return "application/zip"
    by_ext = _ext_table().get(ext)
    if by_ext is not None:
        return by_ext
    # Unnamed attachments ("attachment-1") and extension-less files: look at the text itself.
    if _FIRST_HEADER_LINE.match(head) and len(_MAIL_HEADER.findall(head[:4096])) >= 2:
        return "message/rfc822"
    if _HTML_START.match(head[:2048]):
        return "text/html"
    if b"\x00" in head[:8192] and not _looks_utf16(head):
        return "application/octet-stream"
    return "text/plain"


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(head) >= 64 and head[1:64:2].count(0) > 24 and head[0:64:2].count(0) < 4
    )


_EXT_CACHE: dict[str, str] = {}
_TYPE_CACHE: dict[str, type[Extractor]] = {}


def _load() -> None:
    if _TYPE_CACHE:
        return
    classes = by_name(discover("dlp.extract", Extractor))
    for cls in classes.values():
        for media_type in cls.media_types:
            if media_type in _TYPE_CACHE:
                raise RuntimeError(
                    f"media type {media_type} claimed by {_TYPE_CACHE[media_type].__name__} and {cls.__name__}"
                )
            _TYPE_CACHE[media_type] = cls
        for ext in cls.extensions:
            _EXT_CACHE.setdefault(ext, cls.media_types[0])


def _ext_table() -> dict[str, str]:
    _load()
    return _EXT_CACHE


def extractor_for(media_type: str) -> Extractor:
    """The extractor for a media type.

    Raises:
        NotExamined: reason ``unsupported`` when no extractor reads that type.
    """
    _load()
    cls = _TYPE_CACHE.get(media_type)
    if cls is None:
        raise NotExamined(Reason.UNSUPPORTED, f"no extractor for {media_type}")
    return cls()


def known_media_types() -> dict[str, str]:
    """Media type -> extractor name, for documentation and tests."""
    _load()
    return {mt: cls.name for mt, cls in sorted(_TYPE_CACHE.items())}
