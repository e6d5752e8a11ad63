"""Extractors: one module per format family, each a subclass of :class:`Extractor`.

In most cases you subclass :class:`Extractor`, list the ``media_types`` and ``extensions`` you read and
implement :meth:`Extractor.extract`. Containers (archives, e-mail) return their members as
:class:`~dlp.types.Child` objects; the walk (:mod:`dlp.walk`) names each, makes it an item of its own
and extracts it in turn, so an extractor never recurses itself.

An extractor raises :class:`~dlp.errors.NotExamined` for an item it deliberately does not read
(encrypted, over a limit) and :class:`~dlp.errors.ItemError` for a broken one. Messages say what kind of
problem it is, never what text the file holds.
"""

from __future__ import annotations

import os
import re
from collections import Counter
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


# The binary Excel workbook (.xlsb): a zip like .xlsx, but its parts are BIFF12 records no reader here
# parses. Its own media type has no extractor, so it is reported ``not_examined``/``unsupported``.
XLSB = "application/vnd.ms-excel.sheet.binary.macroEnabled.12"

# Extractor families whose formats start with a signature (or are zips): a name claiming one of them is
# believed only when the bytes agree. Text formats have no signature to check, so for them the name
# stands (a roster in a ``.txt`` file stays text; the detection finds tables inside text).
_SIGNED_FAMILIES = frozenset(
    {"image", "pdf", "ole", "docx", "xlsx", "pptx", "odf", "zip", "7z", "gzip", "bzip2", "xz", "tar", "rtf"}
)
_DELIMITERS = b",\t;|"
_OOXML_FAMILIES = frozenset({"docx", "xlsx", "pptx"})


def sniff(name: str, head: bytes, tail: bytes = b"") -> str:
    """The media type of an item: its bytes first, the file name's extension where bytes cannot tell.

    A signature (``%PDF-``, PNG, OLE2, zip and the OOXML parts inside it...) decides whatever the name
    says. A name that claims a signed format the bytes do not start with is not believed: a roster saved
    as ``.png`` or ``.xlsx`` (or an "Excel" export that is really text) is read as the text it is, as
    CSV when its lines are delimited. A name of a text format stands. With no usable name, the content
    decides: mail, HTML, delimited text, plain text, or ``application/octet-stream`` for binary bytes.
    See :func:`name_mismatch` for the note the worker records when name and content disagree.

    ``tail`` (the last few KB) lets a zip be told from an OOXML package whose writer put the content
    types part last: the central directory at the end lists every member name.
    """
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    ext = os.path.splitext(name.lower())[1]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_type(head, tail, ext)
    if head[257:262] == b"ustar":
        return "application/x-tar"
    by_ext = _ext_table().get(ext)
    if by_ext is not None and not _signed(by_ext):
        return by_ext
    content = _by_content(head)
    if by_ext is not None and content == "application/octet-stream":
        # Binary bytes without a signature we know (an old tar, a damaged image): the name is the best
        # guess, and its extractor says whether the file is readable.
        return by_ext
    return content


def _zip_type(head: bytes, tail: bytes, ext: str) -> str:
    """The type of a zip: an OOXML or OpenDocument package, a binary workbook, or a plain archive."""
    # An OOXML package has a content types part; a plain zip that happens to hold a "word/" folder
    # does not. Member names sit in the local headers (head) and the central directory (tail).
    names = head[:8192] + tail
    if b"xl/workbook.bin" in names:
        return XLSB
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


def _by_content(head: bytes) -> str:
    """The type the bytes themselves suggest when they carry no signature."""
    if _FIRST_HEADER_LINE.match(head) and len(_MAIL_HEADER.findall(head[:4096])) >= 2:
        return "message/rfc822"
    if _HTML_START.match(head[:2048]):
        return "text/html"
    if b"\x00" in head[:8192] and not _looks_utf16(head):
        return "application/octet-stream"
    if _looks_delimited(head):
        return "text/csv"
    return "text/plain"


def _looks_delimited(head: bytes) -> bool:
    """Whether the first lines are delimited records: one delimiter occurs equally often (at least
    once) on four lines in five, three lines or more. A title line above the header does not spoil it.
    """
    sample = head[:8192]
    if len(head) > 8192 and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n")]  # the cut last line would count short
    if b"\x00" in sample:  # UTF-16 text: the delimiters are the low bytes of their code units
        sample = sample.replace(b"\x00", b"")
    lines = [line for line in sample.split(b"\n", 41)[:40] if line.strip()]
    if len(lines) < 3:
        return False
    for delimiter in _DELIMITERS:
        counts = Counter(line.count(delimiter) for line in lines)
        count, lines_with_it = counts.most_common(1)[0]
        if count >= 1 and lines_with_it >= 3 and lines_with_it * 5 >= len(lines) * 4:
            return True
    return False


def _signed(media_type: str) -> bool:
    _load()
    cls = _TYPE_CACHE.get(media_type)
    return cls is not None and cls.name in _SIGNED_FAMILIES


def name_mismatch(name: str, media_type: str) -> str | None:
    """A note when the file name's extension names another format than the content was read as.

    Formats read by one extractor are not a mismatch (``.xlsm`` read as a workbook, ``.jpg`` holding a
    PNG), nor is an encrypted OOXML file, which is an OLE2 container whatever its name. The note gives
    the extension and both types, never any content.
    """
    ext = os.path.splitext(name.lower())[1]
    claimed = _ext_table().get(ext)
    if claimed is None or claimed == media_type:
        return None
    _load()
    claimed_cls, read_cls = _TYPE_CACHE.get(claimed), _TYPE_CACHE.get(media_type)
    if claimed_cls is not None and claimed_cls is read_cls:
        return None
    if media_type == "application/x-cfb" and claimed_cls is not None and claimed_cls.name in _OOXML_FAMILIES:
        return None  # an encrypted .docx/.xlsx/.pptx is an OLE2 container by design
    return f"content is {media_type}, not the {claimed} its name ({ext}) says"


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
