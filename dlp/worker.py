"""What a worker process does with one top-level item: walk it, detect and classify each piece.

The worker's heavy state (the detection engine with spaCy) is built once, by :func:`init_worker`, the
pool's initializer, from settings that pickle. :func:`process_item` returns one
:class:`~dlp.types.ItemResult` for the item and one for each member (archive members, attachments),
parents before their members. Reading, extraction, recursion, limits and naming are the walk's
(:mod:`dlp.walk`); what is the worker's own is detection, classification and the chunked reading of
plain text too large to hold.
"""

from __future__ import annotations

import codecs
import gc
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from dlp.config import MiB, Settings
from dlp.detect.engine import WINDOW_OVERLAP, DetectionEngine
from dlp.detect.fast import FastAnalyzer
from dlp.extract._common import detect_encoding
from dlp.extract.base import name_mismatch, sniff
from dlp.policy.classify import Classification, classify
from dlp.store.findings import with_grouped
from dlp.types import Document, Finding, Item, ItemResult, Part, Reason, Status
from dlp.walk import SNIFF_HEAD, Extracted, Limits, Node, joined, read_failure, walk


@dataclass
class _WorkerState:
    settings: Settings
    engine: DetectionEngine
    limits: Limits
    # What the engine was built with, so that a worker forked from a process that built it already
    # (preload_engine) uses that one instead of loading the model again.
    built_with: tuple[Settings, bytes, bool]


@dataclass(frozen=True)
class _Judged:
    """What detection and classification made of one extracted piece, and what each stage cost.

    ``classification`` is None for a piece of a batch whose NER windows wait for the batch's model call:
    it is judged again once they are read (:func:`process_batch_grouped`).
    """

    findings: tuple[Finding, ...]
    classification: Classification | None
    stage_seconds: dict[str, float]
    recognizer_counts: dict[str, tuple[int, int, int]]


_STATE: _WorkerState | None = None
log = logging.getLogger(__name__)


def preload_engine(settings: Settings, key: bytes, show_values: bool) -> bool:
    """Build the engine in this process before a pool forks its workers from it; True when it did.

    Workers forked afterwards find it built (:func:`init_worker` then only sets their limits): Presidio's
    imports and the model load are paid once per scan instead of once per worker and per replaced worker
    (a worker killed for an overrunning item comes back in milliseconds). Where the pool does not fork
    (spawn, as on macOS and Windows), nothing is built here and each worker builds its own.
    """
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        return False
    _one_blas_thread()
    _build(settings, key, show_values, fresh=False)
    return True


def init_worker(settings: Settings, key: bytes, show_values: bool) -> None:
    """Pool initializer: build this process's detection engine once (or keep the one a fork brought)."""
    _one_blas_thread()
    limit_mb = settings.scan.max_worker_memory_mb
    if limit_mb:
        import resource

        soft = limit_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    inherited = _build(settings, key, show_values, fresh=True)
    log.debug("worker ready: %s", "engine inherited from the scanning process" if inherited else "engine built")
    freeze_long_lived()


def _one_blas_thread() -> None:
    """One worker is one CPU-bound process per core: BLAS thread pools (spaCy's NER multiplies matrices
    through numpy's OpenBLAS) would start a thread per core in every worker and fight over the cores.
    Set before numpy is first imported; an administrator's own setting wins."""
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


def _build(settings: Settings, key: bytes, show_values: bool, *, fresh: bool) -> bool:
    """Build this process's engine, unless one built with the same arguments is here already (True then).

    ``fresh``: for this process alone (a spawned or remote worker, or a forked one that found no engine).
    Its spaCy model then loads on the first text that needs NER, and is exempted from cycle collection
    then; a process building the engine for workers it forks next loads the model now, so they share it.
    """
    global _STATE
    if _STATE is not None and _STATE.built_with == (settings, key, show_values):
        return True
    engine = DetectionEngine(settings.detect, key, show_values=show_values, preview=settings.store.preview,
                             defer_model=fresh, model_loaded=freeze_long_lived if fresh else None)
    limits = Limits(settings.extract, settings.extract.all_passwords(), settings.scan.max_item_bytes)
    _STATE = _WorkerState(settings=settings, engine=engine, limits=limits, built_with=(settings, key, show_values))
    # The extractors are discovered on the first sniff (a quarter of a second of imports): here, so that a
    # forked worker's first item does not pay for them.
    sniff("engine-ready.txt", b"")
    return False


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
    state = _state()
    started = time.perf_counter()
    streamed = _streamed(state, item, started)
    if streamed is not None:
        return streamed
    nodes = walk(item, state.limits, lambda found: _judge(state, found.document))
    top = next(nodes)
    return _timed([_result(top), *(_result(node) for node in nodes)], top, time.perf_counter() - started)


def _state() -> _WorkerState:
    if _STATE is None:
        raise RuntimeError("init_worker() was not called in this process")
    return _STATE


def _streamed(state: _WorkerState, item: Item, started: float) -> list[ItemResult] | None:
    """The results of a plain-text file large enough to be read in chunks (None for any other item)."""
    ref = item.ref
    if item.path is not None and ref.size is not None and ref.size > state.settings.scan.stream_text_over_mb * MiB:
        return _stream_text(state, item, started)
    return None


def _timed(out: list[ItemResult], top: Node[_Judged], seconds: float) -> list[ItemResult]:
    """The top item's result, when it was read, carries the read time and the time of it and all its members."""
    if top.read_seconds is not None:
        out[0] = replace(out[0], stage_seconds={**out[0].stage_seconds, "read": top.read_seconds}, seconds=seconds)
    return out


def process_item_grouped(item: Item) -> list[ItemResult]:
    """:func:`process_item` for the pipeline's workers: the results with their findings grouped.

    What crosses back to the scanning process is what it reads: one row per distinct value and one
    summary per entity (:class:`~dlp.types.GroupedFindings`), not an object per occurrence.
    """
    return [with_grouped(result) for result in process_item(item)]


def process_batch_grouped(items: list[Item]) -> list[list[ItemResult]]:
    """Judge several small top-level items in one task; one result list per item, in order, grouped as by
    :func:`process_item_grouped`.

    The pipeline sends small files together so that per-task costs (pickling, scheduling, the answer's
    round trip) do not dominate. A batch has one item's time limit: when it overruns, or its worker dies,
    the pipeline runs each of its items again on its own, so the culprit is found and the rest judged.

    NER reads the windows of all the batch's items in one model call, not one per item (a call costs
    about 2 ms on top of the work): each item is walked and judged with the windows the model has not
    read noted rather than read; then the model reads them all; then the pieces that had such windows are
    judged again, from their extracted documents and the stage 1-2 results kept from the first pass
    (:meth:`~dlp.detect.fast.FastAnalyzer.batched_names`). The results are those of judging the items one
    by one. A large text file read in chunks is judged on its own as usual.
    """
    state = _state()
    fast = state.engine.fast_analyzer
    if fast is None or len(items) < 2:
        return [process_item_grouped(item) for item in items]
    finished: list[list[ItemResult] | None] = [None] * len(items)  # None: judged alone below
    with fast.batched_names():
        walked = [_walk_deferring(state, fast, item) for item in items]
        t0 = time.perf_counter()
        try:
            fast.read_noted()
        except Exception as exc:  # noqa: BLE001 - the model failed to load, or memory ran out: see below
            # Outside any item's error boundary: judged alone, each item meets the same failure inside its
            # own (an item error such as memory_limit), as it would have without batching.
            log.warning("reading a batch's NER windows failed (%s); judging its items one by one",
                        type(exc).__name__)
        else:
            # The model's time is charged to the pieces that waited for it, in equal shares.
            waited = sum(first.waiting for first in walked)
            share = (time.perf_counter() - t0) / waited if waited else 0.0
            for index, (item, first) in enumerate(zip(items, walked, strict=True)):
                try:
                    finished[index] = _finish(state, first, share)
                except Exception:  # noqa: BLE001 - judged alone below, inside the walk's own error handling
                    log.warning("finishing a batched item failed; judging it alone (%s)", item.ref.uri)
    return [[with_grouped(result) for result in (process_item(item) if results is None else results)]
            for item, results in zip(items, finished, strict=True)]


@dataclass(frozen=True)
class _FirstPass:
    """An item of a batch after its first pass: each piece's result, or its node when its NER is pending."""

    pieces: list[ItemResult | Node[_Judged]]
    top: Node[_Judged] | None  # None for an item read in chunks
    seconds: float

    @property
    def waiting(self) -> int:
        """How many of its pieces wait for the batch's model call."""
        return sum(isinstance(piece, Node) for piece in self.pieces)


def _walk_deferring(state: _WorkerState, fast: FastAnalyzer, item: Item) -> _FirstPass:
    """The first pass over a batch's item: walked and judged, with NER windows the model has not read noted."""
    started = time.perf_counter()
    streamed = _streamed(state, item, started)
    if streamed is not None:
        return _FirstPass(list(streamed), None, 0.0)

    def judge(found: Extracted) -> _Judged:
        deferred = fast.deferred
        with fast.deferring_names():
            return _judge(state, found.document, waiting=lambda: fast.deferred != deferred)

    pieces: list[ItemResult | Node[_Judged]] = []
    nodes = walk(item, state.limits, judge)
    top = next(nodes)
    for node in (top, *nodes):
        if node.analysis is None or node.analysis.classification is not None or node.document is None:
            pieces.append(_result(node))
        else:
            # Waiting for the batch's model call: its text parts are judged again, while its members (an
            # archive's or a message's bytes) were walked already and need not be held until then.
            pieces.append(replace(node, document=replace(node.document, children=())))
    return _FirstPass(pieces, top, time.perf_counter() - started)


def _finish(state: _WorkerState, first: _FirstPass, share: float) -> list[ItemResult]:
    """An item's results once the batch's NER windows are read: pieces that waited for them judged again."""
    started = time.perf_counter()
    out = []
    for piece in first.pieces:
        if isinstance(piece, ItemResult):
            out.append(piece)
            continue
        assert piece.analysis is not None and piece.document is not None
        was = piece.analysis
        again = _judge(state, piece.document)
        stages = {k: was.stage_seconds.get(k, 0.0) + again.stage_seconds.get(k, 0.0)
                  for k in (*was.stage_seconds, *again.stage_seconds)}
        stages["detect"] = stages.get("detect", 0.0) + share
        stages["detect_ner"] = stages.get("detect_ner", 0.0) + share
        # Stages 1-2 ran (and counted their candidates) in the first pass only: their results were kept.
        out.append(_result(replace(piece, analysis=replace(again, stage_seconds=stages,
                                                           recognizer_counts=was.recognizer_counts))))
    if first.top is None:
        return out
    return _timed(out, first.top, first.seconds + time.perf_counter() - started + first.waiting * share)


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
            if sniff(item.name, head[:SNIFF_HEAD]) != "text/plain":
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
    except OSError as exc:
        status, reason, detail = read_failure(exc, f"streamed read failed ({type(exc).__name__})")
        return [ItemResult(ref=item.ref, status=status, reason=reason, detail=detail)]
    except LookupError as exc:
        return [ItemResult(ref=item.ref, status=Status.ERROR, reason=Reason.UNREADABLE,
                           detail=f"streamed read failed ({type(exc).__name__})")]
    document = Document(media_type="text/plain", parts=(Part(locator="body", text=first_text),))
    classification = classify(document, findings, state.settings.detect.proximity)
    return [ItemResult(ref=item.ref, status=Status.SCANNED, media_type="text/plain", content_hash=digest.hexdigest(),
                       size=size, classifications=classification.labels, subjects=classification.subjects,
                       data_categories=classification.categories, findings=tuple(findings),
                       detail=joined("streamed in chunks; record terms looked for in the first chunk only", mismatch),
                       seconds=time.perf_counter() - started)]


def _judge(state: _WorkerState, document: Document, waiting: Callable[[], bool] | None = None) -> _Judged:
    """Detection and classification of one extracted piece (run by the walk, inside its error boundary).

    ``waiting``, asked after detection: whether NER windows of the piece wait for its batch's model call;
    the piece is then not classified yet.
    """
    started = time.perf_counter()
    before = state.engine.stage_totals()
    counted = state.engine.recognizer_counts()
    findings = state.engine.detect(document)
    detected = time.perf_counter()
    classification: Classification | None = None
    if waiting is None or not waiting():
        classification = classify(document, findings, state.settings.detect.proximity)
    stages = {"detect": detected - started, "classify": time.perf_counter() - detected}
    stages.update({k: v - before.get(k, 0.0) for k, v in state.engine.stage_totals().items()})
    counts = {}
    for name, now in state.engine.recognizer_counts().items():
        was = counted.get(name, (0, 0, 0))
        if now != was:
            counts[name] = (now[0] - was[0], now[1] - was[1], now[2] - was[2])
    return _Judged(tuple(findings), classification, stages, counts)


def _result(node: Node[_Judged]) -> ItemResult:
    """The item result of one walked piece: its own state, and for a scanned one what was found."""
    result = ItemResult(ref=node.ref, status=node.status, reason=node.reason, detail=node.detail,
                        parent_uri=node.parent_uri, media_type=node.media_type, content_hash=node.content_hash,
                        size=node.size, encrypted=node.encrypted, cipher=node.cipher, key_bits=node.key_bits)
    judged, document = node.analysis, node.document
    if judged is None or judged.classification is None or document is None:
        return result
    return replace(result, classifications=judged.classification.labels, subjects=judged.classification.subjects,
                   data_categories=judged.classification.categories, findings=judged.findings,
                   untexted_pages=document.untexted_pages,
                   stage_seconds={"extract": node.extract_seconds, **judged.stage_seconds},
                   recognizer_counts=judged.recognizer_counts)
