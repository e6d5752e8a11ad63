"""One walk through an item and everything inside it: the only code that recurses into containers.

:func:`walk` reads the top item (within its size limit), sniffs each piece's format, extracts it, hands
the extracted document to the caller's analysis, and goes down through the document's children (archive
members, attachments, embedded files) under the nesting limit. It yields one frozen :class:`Node` per
piece, a container before its members. Everything that can go wrong with a piece becomes the node's
status and reason here, in one mapping; the caller never catches a parser's exception.

Two callers: the scan's worker (:mod:`dlp.worker`) turns nodes into item results, and the pre-send
check (:mod:`dlp.presend.check`) into the pieces its rules judge. The check needs more than the scan, and
says so through hooks rather than a walk of its own: ``passwords_for`` (a zip's password written in the
message), ``more_children`` (files uuencoded in a body) and ``record_memory_errors``.

Children are named once, here: the container's name for the member, made unique within its container
by :func:`~dlp.extract._common.unique_name` (``roster.csv``, ``roster (2).csv``), ``unnamed`` when the
container gives none. A member's path is its container's path, ``!/`` and its name (``a.zip!/x/r.csv``).
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from dlp.config import ExtractSettings
from dlp.errors import EXPECTED_ITEM_ERRORS, ItemError, NotExamined
from dlp.extract._common import unique_name
from dlp.extract.base import ExtractContext, extractor_for, name_mismatch, sniff
from dlp.types import Child, Document, Item, ItemRef, Reason, Status

log = logging.getLogger(__name__)

T = TypeVar("T")

# How much of a piece sniffing looks at: the head for signatures, the tail for a zip's central directory.
SNIFF_HEAD = 8192
SNIFF_TAIL = 65536
PATH_SEPARATOR = "!/"


@dataclass(frozen=True)
class Limits:
    """How far a walk goes.

    ``extract`` holds the extractors' own limits and ``max_depth``, the deepest nesting read (the top
    item is depth 0); ``passwords`` are tried on every encrypted piece; ``max_bytes``, when set, is the
    most the top item may hold (members are bounded by the extractors' limits).
    """

    extract: ExtractSettings
    passwords: tuple[str, ...] = ()
    max_bytes: int | None = None


@dataclass(frozen=True)
class Extracted:
    """What the walk hands the caller's analysis: one piece's bytes and the document extracted from them."""

    path: str
    depth: int
    media_type: str
    data: bytes
    document: Document


@dataclass(frozen=True)
class Node(Generic[T]):
    """One piece of a walked item: the item itself (``path`` ``""``), or a member at any depth.

    ``ref`` is the piece's own reference: the top item's, or one derived from its container's
    (``item_id`` and ``uri`` extended by ``!/`` and the member's name; owner, exposure and recipients
    inherited). ``status`` and ``reason`` say what became of it; ``detail`` says why in words without
    content (with a note when the file name claims another format than the bytes are).

    ``encrypted``/``cipher``/``key_bits`` describe the piece's own protection: its document's when read,
    the extractor's when it stopped on encryption, its container's listing when not handed over.
    ``member`` is that listing (None for the top item). ``document`` and ``analysis`` are set for a
    scanned piece only.
    """

    ref: ItemRef
    path: str
    depth: int
    status: Status
    parent: str | None = None  # the container's path; None for the top item
    parent_uri: str | None = None
    reason: Reason | None = None
    detail: str | None = None
    media_type: str | None = None
    content_hash: str | None = None
    size: int | None = None
    encrypted: bool = False
    cipher: str | None = None
    key_bits: int | None = None
    member: Child | None = None
    document: Document | None = None
    analysis: T | None = None
    children: int = 0
    read_seconds: float | None = None  # the top item's read time, when it was read
    extract_seconds: float = 0.0


# The pre-send check's hooks: extra passwords for one piece (its path, media type and bytes), and extra
# members of a scanned piece, named and walked like the container's own.
PasswordsFor = Callable[[str, str, bytes], Sequence[str]]
MoreChildren = Callable[[Node[T]], Sequence[Child]]


def walk(
    item: Item,
    limits: Limits,
    analyse: Callable[[Extracted], T],
    *,
    media_type: str | None = None,
    passwords_for: PasswordsFor | None = None,
    more_children: MoreChildren[T] | None = None,
    record_memory_errors: bool = True,
) -> Iterator[Node[T]]:
    """Walk ``item`` and its members, yielding a node for each, a container before its members.

    ``analyse`` runs on every extracted piece (detection and classification for both callers), inside
    the same error boundary as the parsers: its failure is the piece's failure, recorded, not raised.
    ``media_type`` skips sniffing the top item (the pre-send check knows it holds a message).
    ``record_memory_errors=False`` lets a MemoryError through instead of recording ``memory_limit``
    (the pre-send service shares its process with other checks, so it gives up on the whole message).

    Members are extracted lazily: a consumer sees a node before its members are read.
    """
    ref = item.ref
    limit = limits.max_bytes
    if limit is not None and ref.size is not None and ref.size > limit:
        yield Node(ref=ref, path="", depth=0, status=Status.NOT_EXAMINED, reason=Reason.TOO_LARGE,
                   detail=f"{ref.size} bytes, over the limit of {limit}")
        return
    started = time.perf_counter()
    try:
        data = item.read(None if limit is None else limit + 1)
    except OSError as exc:
        status, reason, detail = read_failure(exc, f"read failed: {exc.strerror}")
        yield Node(ref=ref, path="", depth=0, status=status, reason=reason, detail=detail)
        return
    if limit is not None and len(data) > limit:
        yield Node(ref=ref, path="", depth=0, status=Status.NOT_EXAMINED, reason=Reason.TOO_LARGE,
                   detail=f"over the limit of {limit} bytes")
        return
    walker: _Walker[T] = _Walker(limits, analyse, passwords_for, more_children, record_memory_errors)
    yield from walker.piece(_Piece(ref=ref, path="", name=item.name, depth=item.depth, data=data),
                            media_type=media_type, read_seconds=time.perf_counter() - started)


def read_failure(exc: OSError, other: str) -> tuple[Status, Reason, str]:
    """The status, reason and detail of a top item whose read failed (``other``: the detail of any other OSError)."""
    if isinstance(exc, FileNotFoundError):
        return Status.NOT_EXAMINED, Reason.VANISHED, "file vanished before it was read"
    if isinstance(exc, PermissionError):
        return Status.ERROR, Reason.PERMISSION_DENIED, "cannot be read"
    return Status.ERROR, Reason.UNREADABLE, other


def joined(detail: str | None, note: str | None) -> str | None:
    """A detail with a note (the name/content mismatch) after it, when there is one."""
    if note is None:
        return detail
    return f"{detail}; {note}" if detail else note


@dataclass(frozen=True)
class _Piece:
    """A piece about to be read: where it sits and its bytes."""

    ref: ItemRef
    path: str
    name: str  # the file name sniffing and the extractor see: the last part of the path
    depth: int
    data: bytes
    parent: str | None = None
    parent_uri: str | None = None
    member: Child | None = None


class _Walker(Generic[T]):
    """The recursion of one walk; its settings are fixed for the walk."""

    def __init__(self, limits: Limits, analyse: Callable[[Extracted], T], passwords_for: PasswordsFor | None,
                 more_children: MoreChildren[T] | None, record_memory_errors: bool) -> None:
        self.limits = limits
        self.analyse = analyse
        self.passwords_for = passwords_for
        self.more_children = more_children
        self.record_memory_errors = record_memory_errors

    def piece(self, piece: _Piece, *, media_type: str | None = None,
              read_seconds: float | None = None) -> Iterator[Node[T]]:
        data = piece.data
        if media_type is None:
            tail = data[-SNIFF_TAIL:] if len(data) > SNIFF_HEAD else b""
            media_type = sniff(piece.name, data[:SNIFF_HEAD], tail)
        # A name that says another format than the bytes (a roster renamed .png) is read as what it is, and
        # the disagreement is said in the detail: renaming is a way data slips past a type filter.
        mismatch = name_mismatch(piece.name, media_type)
        base: Node[T] = Node(ref=piece.ref, path=piece.path, depth=piece.depth, status=Status.ERROR,
                             parent=piece.parent, parent_uri=piece.parent_uri, media_type=media_type,
                             content_hash=hashlib.sha256(data).hexdigest(), size=len(data), member=piece.member,
                             read_seconds=read_seconds)
        started = time.perf_counter()
        try:
            passwords = self.limits.passwords
            if self.passwords_for is not None:
                passwords = (*passwords, *self.passwords_for(piece.path, media_type, data))
            document = extractor_for(media_type).extract(
                Item(ref=piece.ref, name=piece.name, data=data, depth=piece.depth),
                ExtractContext(self.limits.extract, passwords, piece.depth))
            extract_seconds = time.perf_counter() - started
            analysis = self.analyse(Extracted(piece.path, piece.depth, media_type, data, document))
        except NotExamined as exc:
            yield replace(base, status=Status.NOT_EXAMINED, reason=exc.reason, detail=joined(exc.detail, mismatch),
                          encrypted=exc.encrypted, cipher=exc.cipher, key_bits=exc.key_bits)
            return
        except ItemError as exc:
            yield replace(base, reason=exc.reason, detail=joined(exc.detail, mismatch))
            return
        except MemoryError:
            if not self.record_memory_errors:
                raise
            # The worker's address-space limit stopped a parser; the worker itself stays usable.
            yield replace(base, reason=Reason.MEMORY_LIMIT,
                          detail=f"over the worker memory limit while reading a {media_type} item")
            return
        except EXPECTED_ITEM_ERRORS as exc:
            # A parser's own message may quote the file's content: keep only the kind of error.
            yield replace(base, reason=Reason.CORRUPT,
                          detail=joined(f"{type(exc).__name__} while parsing {media_type}", mismatch))
            return
        except Exception as exc:  # noqa: BLE001 - one defective parser must not stop the walk; logged as a defect
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            log.error("defect: %s in %s:%s while reading a %s item (%s)", type(exc).__name__, frame.filename,
                      frame.lineno, media_type, piece.ref.uri)
            yield replace(base, reason=Reason.INTERNAL, detail=f"{type(exc).__name__} at {frame.name}:{frame.lineno}")
            return
        node = replace(base, status=Status.SCANNED, detail=mismatch, encrypted=document.encrypted,
                       cipher=document.cipher, key_bits=document.key_bits, document=document, analysis=analysis,
                       children=len(document.children), extract_seconds=extract_seconds)
        yield node
        members = document.children
        if self.more_children is not None:
            members = (*members, *self.more_children(node))
        names: dict[str, int] = {}
        for member in members:
            yield from self.member(piece, member, unique_name(member.name or "unnamed", names))

    def member(self, container: _Piece, member: Child, name: str) -> Iterator[Node[T]]:
        """The nodes of one member of ``container``, called ``name`` there."""
        parent = container.ref
        path = f"{container.path}{PATH_SEPARATOR}{name}" if container.path else name
        ref = ItemRef(source=parent.source, item_id=f"{parent.item_id}{PATH_SEPARATOR}{name}",
                      uri=f"{parent.uri}{PATH_SEPARATOR}{name}",
                      size=len(member.data) if member.data is not None else None, owner=parent.owner,
                      exposure=parent.exposure, recipients=parent.recipients)
        depth = container.depth + 1
        base: Node[T] = Node(ref=ref, path=path, depth=depth, status=Status.NOT_EXAMINED, parent=container.path,
                             parent_uri=parent.uri, member=member)
        if member.data is None or member.status is not None:
            # The container could not hand it over (encrypted without a password, over a limit, damaged).
            yield replace(base, status=member.status or Status.NOT_EXAMINED, reason=member.reason or Reason.UNREADABLE,
                          detail=member.detail, encrypted=member.encrypted, cipher=member.cipher,
                          key_bits=member.key_bits)
            return
        max_depth = self.limits.extract.max_depth
        if depth > max_depth:
            yield replace(base, reason=Reason.TOO_DEEP, detail=f"nested deeper than {max_depth}",
                          size=len(member.data))
            return
        yield from self.piece(_Piece(ref=ref, path=path, name=name.rsplit("/", 1)[-1], depth=depth,
                                     data=member.data, parent=container.path, parent_uri=parent.uri, member=member))
