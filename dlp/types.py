"""Every type that crosses a stage of the pipeline.

Connectors produce :class:`ItemRef` and :class:`Item`; extractors turn an item into a :class:`Document`;
the detection engine produces :class:`Finding`; the worker wraps all of it into an :class:`ItemResult`
that the single store writer persists. Items and results cross process boundaries (to and from the
workers), so every type here is frozen and picklable. :func:`to_dict` turns any of them into a JSON-ready
structure; only :class:`ItemRef` is rebuilt from one (:meth:`ItemRef.from_dict`), the others are not
read back.

NOTE: a :class:`Finding` never carries the raw matched value except in ``value``, which is filled only
when the analyst asked for ``--show-values``; the store and the logs never read that field.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class Status(enum.StrEnum):
    """The end state of every examined item: nothing is ever silently absent."""

    SCANNED = "scanned"
    NOT_EXAMINED = "not_examined"
    ERROR = "error"


class Reason(enum.StrEnum):
    """Why an item was not examined or failed. The values are the contract's ``reason`` strings."""

    ENCRYPTED = "encrypted"
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    TIMEOUT = "timeout"
    BOMB = "bomb"
    TOO_DEEP = "too_deep"
    TOO_MANY_MEMBERS = "too_many_members"
    EMPTY = "empty"
    VANISHED = "vanished"
    PERMISSION_DENIED = "permission_denied"
    UNREADABLE = "unreadable"
    CORRUPT = "corrupt"
    SYMLINK_LOOP = "symlink_loop"
    OUTSIDE_ROOT = "outside_root"
    WORKER_CRASHED = "worker_crashed"
    MEMORY_LIMIT = "memory_limit"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class ItemRef:
    """A cheap reference to one item of a source, as enumerated (no content read yet).

    ``item_id`` is stable across runs within a source (a relative path, a message id) and, with
    ``source``, is the key of the incremental state. ``local_path`` is set when a worker process can
    read the content itself (a local or mounted share), so that no bytes need to be shipped to it.
    """

    source: str
    item_id: str
    uri: str
    size: int | None = None
    modified: float | None = None
    etag: str | None = None
    owner: str | None = None
    exposure: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    local_path: str | None = None
    # For items a connector already knows to be unreadable (permission denied, vanished, loop):
    # the pipeline records them without fetching.
    status: Status | None = None
    reason: Reason | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of this reference."""
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ItemRef:
        """Rebuild a reference from :meth:`to_dict` output."""
        data = dict(data)
        data["exposure"] = tuple(data.get("exposure", ()))
        data["recipients"] = tuple(data.get("recipients", ()))
        if data.get("status") is not None:
            data["status"] = Status(data["status"])
        if data.get("reason") is not None:
            data["reason"] = Reason(data["reason"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Item:
    """An item with its content: either bytes in memory or a path the worker may read."""

    ref: ItemRef
    name: str
    data: bytes | None = None
    path: str | None = None
    depth: int = 0

    def read(self, limit: int | None = None) -> bytes:
        """Return the content, at most ``limit`` bytes when a limit is given."""
        if self.data is not None:
            return self.data if limit is None else self.data[:limit]
        if self.path is None:
            raise ValueError(f"item {self.ref.uri!r} has neither data nor a path")
        with open(self.path, "rb") as handle:
            return handle.read() if limit is None else handle.read(limit)


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of extracted text and where it came from.

    ``locator`` is human readable ("body", "page 3", "sheet Roster", "header Subject").
    ``rows`` is set for tabular parts (CSV, XLSX sheets, HTML/DOCX tables): the first row is the
    header when ``has_header`` is true. ``text`` is always set so that text-only engines work on it.
    """

    locator: str
    text: str
    rows: tuple[tuple[str, ...], ...] | None = None
    has_header: bool = False


@dataclass(frozen=True, slots=True)
class Child:
    """A member of a container (archive member, e-mail attachment) that becomes an item of its own.

    When the member cannot be read (encrypted with no matching password, too large, a bomb) ``data``
    is None and ``status``/``reason`` say why.
    """

    name: str
    data: bytes | None
    status: Status | None = None
    reason: Reason | None = None
    detail: str | None = None
    encrypted: bool = False
    cipher: str | None = None
    key_bits: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """What an extractor made of an item: its text parts and its child items."""

    media_type: str
    parts: tuple[Part, ...] = ()
    children: tuple[Child, ...] = ()
    encrypted: bool = False
    cipher: str | None = None
    key_bits: int | None = None
    # Pages or images with no text layer that were not OCRed (counted in the summary).
    untexted_pages: int = 0


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected value. ``value`` is only set for ``--show-values`` and is never stored or logged."""

    entity: str
    score: float
    locator: str
    start: int
    end: int
    preview: str
    value_hash: str
    recognizer: str = ""
    # A keyed hash naming the person the value belongs to, when a roster match tells (else None).
    subject: str | None = None
    value: str | None = None

    def without_value(self) -> Finding:
        """The same finding with the raw value dropped."""
        return dataclasses.replace(self, value=None) if self.value is not None else self

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        # Findings cross from the workers in the hundreds of thousands; the state methods dataclasses
        # generate for slotted classes look the fields up again for every object (measured: a tenth of
        # the main process's time spent unpickling). A plain constructor call is several times faster.
        return (Finding, (self.entity, self.score, self.locator, self.start, self.end, self.preview,
                          self.value_hash, self.recognizer, self.subject, self.value))


# One stored row of an item's findings without its item and run: entity, value hash, roster subject,
# occurrences, highest score, and the first occurrence's preview, recognizer, start and end, then the
# value's locations as stored (dlp/store/findings.py).
ValueRow = tuple[str, str, str | None, int, float, str, str, int, int, str]


@dataclass(frozen=True, slots=True)
class EntityFindings:
    """The findings of one entity in one item as the outputs list them (CONTRACT.md section 2)."""

    entity: str
    count: int
    score: float  # the highest
    locations: tuple[str, ...]  # the first distinct locators, in the order they occur
    values: tuple[str, ...] = ()  # the distinct raw values in the order they occur, only with --show-values


@dataclass(frozen=True, slots=True)
class GroupedFindings:
    """An item's findings grouped the two ways the main process reads them: one row per distinct value (what
    the store writes) and one summary per entity (what the outputs print).

    A worker sends this instead of the per-occurrence findings: a share's findings are mostly distinct
    values, but grouped in the worker the main process neither unpickles an object per occurrence nor
    groups them (it was the pipeline's bottleneck: issue 15).
    """

    rows: tuple[ValueRow, ...]
    entities: tuple[EntityFindings, ...]


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The judgement of one item, as written by the store and printed by the outputs."""

    ref: ItemRef
    status: Status
    reason: Reason | None = None
    detail: str | None = None
    parent_uri: str | None = None
    media_type: str | None = None
    content_hash: str | None = None
    size: int | None = None
    classifications: tuple[str, ...] = ()
    subjects: int = 0
    data_categories: tuple[str, ...] = ()  # CONTRACT.md section 6
    # The findings one by one, as detection made them. A result sent back by a worker carries them in
    # ``grouped`` instead (and none here); read them through :attr:`has_findings` and
    # dlp.store.findings.grouped, which take either.
    findings: tuple[Finding, ...] = ()
    grouped: GroupedFindings | None = None
    encrypted: bool = False
    cipher: str | None = None
    key_bits: int | None = None
    untexted_pages: int = 0
    seconds: float = 0.0
    # The transfer rules' verdict on an item already shared or sent outside (dlp/policy/exposure.py).
    verdict: str | None = None
    verdict_reasons: tuple[str, ...] = ()
    # True when the result was copied from identical content judged elsewhere (no extraction ran).
    deduplicated: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # Per recognizer: (candidates stage 1 nominated, validated, kept) in this item (the summary sums them).
    recognizer_counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        """The item's URI (the contract's ``uri``)."""
        return self.ref.uri

    @property
    def has_findings(self) -> bool:
        """Whether anything was found in the item (one by one or grouped)."""
        return bool(self.findings) or self.grouped is not None  # grouped only when something was found


def _to_dict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [_to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _to_dict(v) for k, v in obj.items()}
    return obj


def to_dict(obj: Any) -> Any:
    """A JSON-ready structure of any stage type (enums become their values, tuples lists)."""
    return _to_dict(obj)
