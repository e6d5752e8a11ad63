"""What a worker process does with one top-level item: read, extract, detect, classify, recurse.

The worker's heavy state (the detection engine with spaCy) is built once, by :func:`init_worker`, the
pool's initializer, from settings that pickle. :func:`process_item` returns one
:class:`~dlp.types.ItemResult` for the item and one for each member (archive members, attachments),
parents before their members.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from dataclasses import dataclass, replace

from dlp.config import Settings
from dlp.detect.engine import DetectionEngine
from dlp.errors import EXPECTED_ITEM_ERRORS, ItemError, NotExamined
from dlp.extract.base import ExtractContext, extractor_for, sniff
from dlp.policy.classify import classify
from dlp.types import Child, Item, ItemRef, ItemResult, Reason, Status

log = logging.getLogger(__name__)


@dataclass
class _WorkerState:
    settings: Settings
    engine: DetectionEngine
    ctx: ExtractContext


_STATE: _WorkerState | None = None


def init_worker(settings: Settings, key: bytes, show_values: bool) -> None:
    """Pool initializer: build this process's detection engine once."""
    global _STATE
    limit_mb = settings.scan.max_worker_memory_mb
    if limit_mb:
        import resource

        soft = limit_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    engine = DetectionEngine(settings.detect, key, show_values=show_values)
    ctx = ExtractContext(settings=settings.extract, passwords=settings.extract.all_passwords())
    _STATE = _WorkerState(settings=settings, engine=engine, ctx=ctx)


def process_item(item: Item) -> list[ItemResult]:
    """Judge one top-level item and its members. Never raises for a problem with the item itself."""
    if _STATE is None:
        raise RuntimeError("init_worker() was not called in this process")
    state = _STATE
    started = time.perf_counter()
    ref = item.ref
    limit = state.settings.scan.max_item_bytes
    if ref.size is not None and ref.size > limit:
        return [_unexamined(ref, Reason.TOO_LARGE, f"{ref.size} bytes, over the limit of {limit}")]
    try:
        data = item.read(limit + 1)
    except FileNotFoundError:
        return [_unexamined(ref, Reason.VANISHED, "file vanished before it was read")]
    except PermissionError:
        return [ItemResult(ref=ref, status=Status.ERROR, reason=Reason.PERMISSION_DENIED, detail="cannot be read")]
    except OSError as exc:
        return [ItemResult(ref=ref, status=Status.ERROR, reason=Reason.UNREADABLE,
                           detail=f"read failed: {exc.strerror}")]
    if len(data) > limit:
        return [_unexamined(ref, Reason.TOO_LARGE, f"over the limit of {limit} bytes")]
    read_seconds = time.perf_counter() - started
    out: list[ItemResult] = []
    _judge(state, ref, item.name, data, 0, None, out)
    if out:
        stages = dict(out[0].stage_seconds)
        stages["read"] = read_seconds
        out[0] = replace(out[0], stage_seconds=stages, seconds=time.perf_counter() - started)
    return out


def _judge(
    state: _WorkerState, ref: ItemRef, name: str, data: bytes, depth: int, parent_uri: str | None,
    out: list[ItemResult],
) -> None:
    content_hash = hashlib.sha256(data).hexdigest()
    media_type = sniff(name, data[:8192], data[-65536:] if len(data) > 8192 else b"")
    base = ItemResult(ref=ref, status=Status.SCANNED, parent_uri=parent_uri, media_type=media_type,
                      content_hash=content_hash, size=len(data))
    t0 = time.perf_counter()
    try:
        extractor = extractor_for(media_type)
        document = extractor.extract(Item(ref=ref, name=name, data=data, depth=depth),
                                     ExtractContext(state.ctx.settings, state.ctx.passwords, depth))
        t1 = time.perf_counter()
        before = state.engine.stage_totals()
        findings = state.engine.detect(document)
        t2 = time.perf_counter()
        classification = classify(document, findings, state.settings.detect.proximity)
        t3 = time.perf_counter()
        stages = {"extract": t1 - t0, "detect": t2 - t1, "classify": t3 - t2}
        stages.update({k: v - before.get(k, 0.0) for k, v in state.engine.stage_totals().items()})
    except NotExamined as exc:
        out.append(replace(base, status=Status.NOT_EXAMINED, reason=exc.reason, detail=exc.detail,
                           encrypted=exc.encrypted, cipher=exc.cipher, key_bits=exc.key_bits))
        return
    except ItemError as exc:
        out.append(replace(base, status=Status.ERROR, reason=exc.reason, detail=exc.detail))
        return
    except MemoryError:
        # The worker's address-space limit stopped a parser; the worker itself stays usable.
        out.append(replace(base, status=Status.ERROR, reason=Reason.MEMORY_LIMIT,
                           detail=f"over the worker memory limit while reading a {media_type} item"))
        return
    except EXPECTED_ITEM_ERRORS as exc:
        # A parser's own message may quote the file's content: keep only the kind of error.
        out.append(replace(base, status=Status.ERROR, reason=Reason.CORRUPT,
                           detail=f"{type(exc).__name__} while parsing {media_type}"))
        return
    except Exception as exc:  # noqa: BLE001 - one defective parser must not stop the scan; logged as a defect
        where = traceback.extract_tb(exc.__traceback__)[-1]
        log.error("defect: %s in %s:%s while reading a %s item (%s)", type(exc).__name__, where.filename,
                  where.lineno, media_type, ref.uri)
        out.append(replace(base, status=Status.ERROR, reason=Reason.INTERNAL,
                           detail=f"{type(exc).__name__} at {where.name}:{where.lineno}"))
        return
    out.append(
        replace(
            base,
            classifications=classification.labels,
            subjects=classification.subjects,
            data_categories=classification.categories,
            findings=tuple(findings),
            encrypted=document.encrypted,
            cipher=document.cipher,
            key_bits=document.key_bits,
            untexted_pages=document.untexted_pages,
            stage_seconds=stages,
        )
    )
    names: dict[str, int] = {}
    for child in document.children:
        child_name = _unique(child.name, names)
        child_ref = ItemRef(source=ref.source, item_id=f"{ref.item_id}!/{child_name}", uri=f"{ref.uri}!/{child_name}",
                            size=len(child.data) if child.data is not None else None, owner=ref.owner,
                            exposure=ref.exposure, recipients=ref.recipients)
        _judge_child(state, child_ref, child, child_name, depth + 1, ref.uri, out)


def _judge_child(state: _WorkerState, ref: ItemRef, child: Child, name: str, depth: int, parent_uri: str,
                 out: list[ItemResult]) -> None:
    if child.data is None or child.status is not None:
        out.append(ItemResult(ref=ref, parent_uri=parent_uri, status=child.status or Status.NOT_EXAMINED,
                              reason=child.reason or Reason.UNREADABLE, detail=child.detail,
                              encrypted=child.encrypted, cipher=child.cipher, key_bits=child.key_bits))
        return
    if depth > state.settings.extract.max_depth:
        out.append(ItemResult(ref=ref, parent_uri=parent_uri, status=Status.NOT_EXAMINED, reason=Reason.TOO_DEEP,
                              detail=f"nested deeper than {state.settings.extract.max_depth}", size=len(child.data)))
        return
    _judge(state, ref, name.rsplit("/", 1)[-1], child.data, depth, parent_uri, out)


def _unique(name: str, seen: dict[str, int]) -> str:
    name = name or "unnamed"
    count = seen.get(name, 0) + 1
    seen[name] = count
    return name if count == 1 else f"{name}#{count}"


def _unexamined(ref: ItemRef, reason: Reason, detail: str) -> ItemResult:
    return ItemResult(ref=ref, status=Status.NOT_EXAMINED, reason=reason, detail=detail)
