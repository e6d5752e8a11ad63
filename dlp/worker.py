"""What a worker process does with one top-level item: read, extract, detect, classify, recurse.

The worker's heavy state (the detection engine with spaCy) is built once, by :func:`init_worker`, the
pool's initializer, from settings that pickle. :func:`process_item` returns one
:class:`~dlp.types.ItemResult` for the item and one for each member (archive members, attachments),
parents before their members.
"""

from __future__ import annotations

import codecs
import gc
import hashlib
import logging
import os
import time
import traceback
from dataclasses import dataclass, replace

from dlp.config import MiB, Settings
from dlp.detect.engine import WINDOW_OVERLAP, DetectionEngine
from dlp.errors import EXPECTED_ITEM_ERRORS, ItemError, NotExamined
from dlp.extract._common import detect_encoding
from dlp.extract.base import ExtractContext, extractor_for, name_mismatch, sniff
from dlp.policy.classify import classify
from dlp.types import Child, Document, Finding, Item, ItemRef, ItemResult, Part, Reason, Status

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
    # One worker is one CPU-bound process per core: BLAS thread pools (spaCy's NER multiplies matrices
    # through numpy's OpenBLAS) would start a thread per core in every worker and fight over the cores.
    # Set before numpy is first imported here; an administrator's own setting wins.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    limit_mb = settings.scan.max_worker_memory_mb
    if limit_mb:
        import resource

        soft = limit_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    engine = DetectionEngine(settings.detect, key, show_values=show_values, preview=settings.store.preview)
    ctx = ExtractContext(settings=settings.extract, passwords=settings.extract.all_passwords())
    _STATE = _WorkerState(settings=settings, engine=engine, ctx=ctx)
    freeze_long_lived()


def freeze_long_lived() -> None:
    """Exempt everything alive now (modules, the model, a forked parent's heap) from cycle collection.

    Call it once a long-running process has built its engine. Python's cycle collector otherwise walks
    those millions of objects on every full collection, which the allocation-heavy NER triggers often:
    the same scan ran at half speed in a worker forked from the command line's process, whose heap is
    far larger than a bare pool's, and a warm pre-send service paused on the same walks.
    """
    gc.collect()
    gc.freeze()


def process_item(item: Item) -> list[ItemResult]:
    """Judge one top-level item and its members. Never raises for a problem with the item itself."""
    if _STATE is None:
        raise RuntimeError("init_worker() was not called in this process")
    state = _STATE
    started = time.perf_counter()
    ref = item.ref
    limit = state.settings.scan.max_item_bytes
    if item.path is not None and ref.size is not None and ref.size > state.settings.scan.stream_text_over_mb * MiB:
        streamed = _stream_text(state, item, started)
        if streamed is not None:
            return streamed
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


def process_batch(items: list[Item]) -> list[list[ItemResult]]:
    """Judge several small top-level items in one task; one result list per item, in order.

    The pipeline sends small files together so that per-task costs (pickling, scheduling, the answer's
    round trip) do not dominate. A batch has one item's time limit: when it overruns, or its worker dies,
    the pipeline runs each of its items again on its own, so the culprit is found and the rest judged.
    """
    return [process_item(item) for item in items]


def _stream_text(state: _WorkerState, item: Item, started: float) -> list[ItemResult] | None:
    """Judge a large plain-text file chunk by chunk, or return None when it is not plain text.

    Memory stays near two chunks whatever the file size. Chunks overlap by the engine's window overlap,
    so a value on a border lies whole in one of them; the engine's absolute-offset de-duplication
    reports it once. Classification sees the findings and the first chunk's text (the terms that make a
    record are looked for there only: a limit of this path, said in the item's detail).
    """
    assert item.path is not None
    chunk_bytes = state.settings.scan.stream_chunk_mb * MiB
    try:
        with open(item.path, "rb") as handle:
            head = handle.read(min(chunk_bytes, 1 << 16))
            if sniff(item.name, head[:8192]) != "text/plain":
                return None
            mismatch = name_mismatch(item.name, "text/plain")
            encoding, bom = detect_encoding(head, truncated=True)
            handle.seek(bom)
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            digest = hashlib.sha256(head[:bom])
            findings: list[Finding] = []
            seen: set[tuple[str, int, int]] = set()
            carry, offset, first_text, size = "", 0, "", bom
            final = False
            while not final:
                block = handle.read(chunk_bytes)
                final = len(block) < chunk_bytes  # a regular file reads short only at its end
                digest.update(block)
                size += len(block)
                text = carry + decoder.decode(block, final=final)
                if not first_text:
                    first_text = text
                keep = 0 if final else min(len(text), WINDOW_OVERLAP)
                for f in state.engine.detect_text(text, "body"):
                    # A value reaching into the carried tail may be cut at this chunk's end: the next
                    # chunk sees it whole.
                    if keep and f.end > len(text) - keep:
                        continue
                    key = (f.entity, f.start + offset, f.end + offset)
                    if key not in seen:
                        seen.add(key)
                        findings.append(replace(f, start=f.start + offset, end=f.end + offset))
                carry = text[len(text) - keep:] if keep else ""
                offset += len(text) - keep
                # Spans that ended before the carried tail can never be reported again.
                seen = {k for k in seen if k[2] > offset}
    except FileNotFoundError:
        return [_unexamined(item.ref, Reason.VANISHED, "file vanished before it was read")]
    except PermissionError:
        return [ItemResult(ref=item.ref, status=Status.ERROR, reason=Reason.PERMISSION_DENIED, detail="cannot be read")]
    except (OSError, LookupError) as exc:
        return [ItemResult(ref=item.ref, status=Status.ERROR, reason=Reason.UNREADABLE,
                           detail=f"streamed read failed ({type(exc).__name__})")]
    document = Document(media_type="text/plain", parts=(Part(locator="body", text=first_text),))
    classification = classify(document, findings, state.settings.detect.proximity)
    return [ItemResult(ref=item.ref, status=Status.SCANNED, media_type="text/plain", content_hash=digest.hexdigest(),
                       size=size, classifications=classification.labels, subjects=classification.subjects,
                       data_categories=classification.categories, findings=tuple(findings),
                       detail=_joined("streamed in chunks; record terms looked for in the first chunk only", mismatch),
                       seconds=time.perf_counter() - started)]


def _judge(
    state: _WorkerState, ref: ItemRef, name: str, data: bytes, depth: int, parent_uri: str | None,
    out: list[ItemResult],
) -> None:
    content_hash = hashlib.sha256(data).hexdigest()
    media_type = sniff(name, data[:8192], data[-65536:] if len(data) > 8192 else b"")
    # A name that says another format than the bytes (a roster renamed .png) is read as what it is, and
    # the disagreement is said in the item's detail: renaming is a way data slips past a type filter.
    mismatch = name_mismatch(name, media_type)
    base = ItemResult(ref=ref, status=Status.SCANNED, parent_uri=parent_uri, media_type=media_type,
                      content_hash=content_hash, size=len(data), detail=mismatch)
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
        out.append(replace(base, status=Status.NOT_EXAMINED, reason=exc.reason, detail=_joined(exc.detail, mismatch),
                           encrypted=exc.encrypted, cipher=exc.cipher, key_bits=exc.key_bits))
        return
    except ItemError as exc:
        out.append(replace(base, status=Status.ERROR, reason=exc.reason, detail=_joined(exc.detail, mismatch)))
        return
    except MemoryError:
        # The worker's address-space limit stopped a parser; the worker itself stays usable.
        out.append(replace(base, status=Status.ERROR, reason=Reason.MEMORY_LIMIT,
                           detail=f"over the worker memory limit while reading a {media_type} item"))
        return
    except EXPECTED_ITEM_ERRORS as exc:
        # A parser's own message may quote the file's content: keep only the kind of error.
        out.append(replace(base, status=Status.ERROR, reason=Reason.CORRUPT,
                           detail=_joined(f"{type(exc).__name__} while parsing {media_type}", mismatch)))
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


def _joined(detail: str | None, mismatch: str | None) -> str | None:
    """An item's detail with the name/content mismatch note after it, when there is one."""
    if mismatch is None:
        return detail
    return f"{detail}; {mismatch}" if detail else mismatch


def _unexamined(ref: ItemRef, reason: Reason, detail: str) -> ItemResult:
    return ItemResult(ref=ref, status=Status.NOT_EXAMINED, reason=reason, detail=detail)
