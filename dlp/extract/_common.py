"""Helpers shared by the extractors: bounded reading, charset decoding, tables as text, zip guards.

The module name starts with an underscore so that the registry imports nothing from it as an extractor.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, BinaryIO

from charset_normalizer import from_bytes

from dlp.errors import ItemError, NotExamined
from dlp.extract.base import ExtractContext
from dlp.types import Item, Reason

# Separator between cells when a table is flattened into text. Wide enough that a pattern cannot run
# from one cell into the next by accident (a phone number's digits split over two cells, say).
CELL_SEPARATOR = " | "

# Charset detection looks at a sample only: the verdict on the first megabyte holds for the rest in
# practice, and running the detector over hundreds of MB would cost more than the scan itself.
_DETECT_SAMPLE = 1024 * 1024

# Encodings that charset-normalizer may report for short Western text although the file was written
# on Windows in a district (Latin-1 or Windows-1252). For those we prefer cp1252, which decodes every
# Latin-1 letter identically and also maps the "smart quotes" range 0x80-0x9F.
_WESTERN_LOOKALIKES = frozenset(
    {
        "latin_1",
        "iso8859_1",
        "iso8859_15",
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "cp850",
        "cp437",
        "mac_roman",
        "mac_latin2",
        "mac_iceland",
        "mac_turkish",
        "iso8859_2",
        "iso8859_3",
        "iso8859_4",
        "iso8859_9",
        "iso8859_10",
        "iso8859_13",
        "iso8859_14",
        "iso8859_16",
    }
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def byte_budget(ctx: ExtractContext) -> int:
    """How many bytes of a text-like item to read at most: enough for ``max_text_chars`` characters.

    Four bytes per character covers UTF-8 and UTF-16 (surrogate pairs) alike; markup formats lose some
    text to this bound, which is the price of never holding an unbounded file in memory.
    """
    return max(1, ctx.settings.max_text_chars) * 4


def read_bounded(item: Item, limit: int) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes of the item; return them and whether the item was longer."""
    data = item.read(limit + 1)
    if len(data) > limit:
        return data[:limit], True
    return data, False


def open_binary(item: Item) -> BinaryIO:
    """A seekable binary stream of the item's content, without loading a file on disk into memory."""
    if item.data is not None:
        return io.BytesIO(item.data)
    if item.path is None:
        raise ItemError(Reason.UNREADABLE, "item has neither data nor a path")
    return open(item.path, "rb")  # noqa: SIM115 - the caller closes it


def detect_encoding(data: bytes, *, truncated: bool = False) -> tuple[str, int]:
    """Guess the encoding of ``data``; return the codec name and the number of BOM bytes to skip.

    ``truncated`` says ``data`` is a prefix of the item, so its end may cut a character in two.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16, 0
    sample = data[:_DETECT_SAMPLE]
    try:
        # A truncated sample may end inside a multi-byte sequence: decode incrementally, not final.
        final = not truncated and len(sample) == len(data)
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=final)
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in _WESTERN_LOOKALIKES:
        encoding = "cp1252"
    return encoding, 0


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM, recognised by the zero high bytes of mostly-ASCII text."""
    head = data[:4096]
    if len(head) < 8:
        return None
    head = head[: len(head) - len(head) % 2]
    even_zero = head[0::2].count(0) / (len(head) // 2)
    odd_zero = head[1::2].count(0) / (len(head) // 2)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, max_chars: int, *, truncated: bool = False) -> tuple[str, bool]:
    """Decode bytes of unknown charset into at most ``max_chars`` characters.

    ``truncated`` says the bytes are a prefix of the item, so a multi-byte sequence cut at the end is
    dropped instead of being turned into a replacement character. Returns the text and whether it
    is incomplete (the bytes were a prefix, or the text was cut at ``max_chars``).
    """
    encoding, skip = detect_encoding(data, truncated=truncated)
    try:
        decoder = codecs.getincrementaldecoder(encoding)("replace")
    except LookupError:
        decoder = codecs.getincrementaldecoder("cp1252")("replace")
    text = decoder.decode(data[skip:], final=not truncated)
    return text[:max_chars], truncated or len(text) > max_chars


def cell_text(value: object) -> str:
    """A cell value as text; integral floats lose their ``.0`` so that IDs stored as numbers read right."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value).strip()


def rows_to_text(rows: Iterable[Sequence[str]]) -> str:
    """Flatten rows into text: one row per line, cells separated by :data:`CELL_SEPARATOR`."""
    return "\n".join(map(CELL_SEPARATOR.join, rows))


def guess_header(rows: Sequence[Sequence[str]]) -> bool:
    """Whether the first row looks like column names rather than data.

    A header row has only non-empty, distinct cells with letters and no cell that is mostly digits
    (an ID, a date or a phone number), is not repeated below, and none of its values recurs as data in
    its own column. A single-column file counts as having a header only over a column of numbers.
    """
    if not rows or not rows[0]:
        return False
    first = [cell.strip() for cell in rows[0]]
    if any(not cell for cell in first) or len(set(first)) != len(first):
        return False
    if any(not any(ch.isalpha() for ch in cell) or _mostly_digits(cell) for cell in first):
        return False
    if len(rows) < 2:
        return True
    later = [[c.strip() for c in row] for row in rows[1 : 1 + 50]]
    if any(row == first for row in later):
        return False
    # Evidence for a header: a column of numbers under a wordy name. Evidence against: a first-row
    # value that recurs as data in its own column (a school or grade name in a roster without header).
    numeric_column = False
    for col, name in enumerate(first):
        column = [row[col] for row in later if col < len(row) and row[col]]
        if name in column:
            return False
        if column and sum(_mostly_digits(value) for value in column) * 2 >= len(column):
            numeric_column = True
    return numeric_column or len(first) > 1


def _mostly_digits(cell: str) -> bool:
    digits = sum(map(str.isdigit, cell))
    return digits > 0 and digits >= len(cell.replace(" ", "")) / 2


class TextBudget:
    """Counts characters handed out so that one item never yields more than ``max_text_chars``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def exhausted(self) -> bool:
        """True once the budget is spent."""
        return self.used >= self.limit

    def take(self, text: str) -> str:
        """Return as much of ``text`` as the budget still allows, and charge it."""
        room = self.limit - self.used
        if room <= 0:
            return ""
        piece = text[:room]
        self.used += len(piece)
        return piece


@contextmanager
def parsing(fmt: str) -> Iterator[None]:
    """Turn a parser's failure on malformed input into ``ItemError(CORRUPT)``.

    Third-party parsers fed hostile bytes raise almost anything (KeyError, AttributeError, struct.error,
    their own exception classes), so the broad catch is deliberate; it wraps only the parsing calls.
    The message names the exception type only: its text may quote the file's content.
    MemoryError is let through, since it says nothing about the file being broken.
    """
    try:
        yield
    except (ItemError, MemoryError):
        raise
    except RecursionError as exc:
        raise ItemError(Reason.CORRUPT, f"{fmt}: nesting too deep") from exc
    except Exception as exc:  # noqa: BLE001 - see the docstring
        raise ItemError(Reason.CORRUPT, f"malformed {fmt} ({type(exc).__name__})") from exc


class BoundedMembers:
    """Members of an OOXML package inflated within one budget (the XLSX and DOCX readers' zip access).

    The budget is the ``max_expanded_bytes`` that :func:`guard_zip_package` checked the declared sizes
    against, so no sequence of reads can inflate more than the guard allowed; going past it is a bomb.
    """

    def __init__(self, archive: zipfile.ZipFile, max_bytes: int, fmt: str) -> None:
        self.archive = archive
        self._left = max_bytes
        self._fmt = fmt

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """A stream of the member's inflated bytes (KeyError when the package has no such member)."""
        info = self.archive.getinfo(name)
        if info.file_size > self._left:
            raise NotExamined(Reason.BOMB, f"{self._fmt} parts expand past the package limit")
        self._left -= info.file_size
        # zipfile stops inflating at the declared size and checks the CRC there: a member whose header
        # understates its size fails as corrupt instead of inflating past the bound.
        with self.archive.open(info) as member:
            yield member

    def read(self, name: str) -> bytes | None:
        """The member's bytes, or None when the package has no such member."""
        try:
            with self.open(name) as member:
                return member.read()
        except KeyError:
            return None


def guard_zip_package(stream: BinaryIO, ctx: ExtractContext, fmt: str) -> None:
    """Check an OOXML package's declared sizes before a library inflates its parts into memory.

    The DOCX and PPTX readers inflate whole parts into memory (the XLSX reader streams its sheets but
    reads the shared strings whole); a crafted package with a 10 GB ``document.xml`` would exhaust the
    worker. Declared sizes are checked here; zipfile stops at the declared size (CRC check), so a lying
    header fails as corrupt.
    """
    settings = ctx.settings
    with parsing(fmt), zipfile.ZipFile(stream) as archive:
        infos = archive.infolist()
    if len(infos) > settings.max_members:
        raise NotExamined(Reason.TOO_MANY_MEMBERS, f"{fmt} package has {len(infos)} parts")
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if total > settings.max_expanded_bytes:
        raise NotExamined(Reason.BOMB, f"{fmt} package expands to {total} bytes")
    if total > RATIO_FLOOR and total > settings.max_ratio * max(compressed, 1):
        raise NotExamined(Reason.BOMB, f"{fmt} package compression ratio over {settings.max_ratio:g}")
    stream.seek(0)


# Below this many expanded bytes the compression ratio is not checked: a small, very repetitive member
# (a blank form, a CSV of empty cells) legitimately compresses 1000:1 and threatens nobody.
RATIO_FLOOR = 1024 * 1024


def unique_name(name: str, seen: dict[str, int]) -> str:
    """``name`` or, if already given out in this container, ``name (2)`` before the extension (then 3...).

    Children become items keyed by ``parent!/name``; two attachments both called ``roster.csv`` must
    not collide, nor may a numbered name take the place of a member really called ``roster (2).csv``
    (every name given out is remembered in ``seen``). The one naming scheme of members: the extractors
    and the walk (dlp/walk.py) both use it.
    """
    count = seen.get(name, 0) + 1
    candidate = name if count == 1 else _numbered(name, count)
    while count > 1 and candidate in seen:
        count += 1
        candidate = _numbered(name, count)
    seen[name] = count
    seen.setdefault(candidate, 1)
    return candidate


def _numbered(name: str, count: int) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or "/" in ext:
        return f"{name} ({count})"
    return f"{stem} ({count}).{ext}"
