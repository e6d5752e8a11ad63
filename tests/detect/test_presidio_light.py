"""Presidio imported by the piece (dlp/detect/presidio_light.py) gives the fast engine the same recognizers.

Each side runs in its own process: the light path in one that never imports Presidio whole, the full
registry in another. A Presidio upgrade that changes the predefined set, or moves a class, fails here
rather than silently changing detection.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

_DESCRIBE = """
def describe(r):
    patterns = [(p.name, p.regex, p.score) for p in getattr(r, "patterns", None) or []]
    return [type(r).__module__, type(r).__qualname__, r.name, sorted(r.supported_entities), r.supported_language,
            sorted(r.context or []), patterns, getattr(r, "global_regex_flags", None),
            sorted(getattr(r, "deny_list", None) or []), repr(getattr(r, "score_thresholds", None))]
"""

_FULL = _DESCRIBE + """
import json, sys
from presidio_analyzer import RecognizerRegistry
from detectors.base import replaced_recognizers
registry = RecognizerRegistry(supported_languages=["en"])
registry.load_predefined_recognizers(languages=["en"])
replaced = replaced_recognizers()
# The NLP recognizer (spaCy's entities) is the fast engine's to leave out: it never runs it.
kept = [r for r in registry.recognizers if r.name not in replaced and type(r).__name__ != "SpacyRecognizer"]
sets = json.loads(sys.argv[1])
print(json.dumps([[describe(r) for r in kept if set(r.supported_entities) & set(s)] for s in sets]))
"""

_LIGHT = _DESCRIBE + """
import json, sys
from dlp.detect import presidio_light
presidio_light.install()
from detectors.base import replaced_recognizers
replaced = replaced_recognizers()
sets = json.loads(sys.argv[1])
out = [[describe(r) for r in presidio_light.predefined_recognizers("en", s, replaced)] for s in sets]
heavy = sorted(m for m in ("spacy", "presidio_analyzer.analyzer_engine", "presidio_analyzer.nlp_engine",
                           "presidio_analyzer.predefined_recognizers.country_specific.australia") if m in sys.modules)
print(json.dumps({"sets": out, "heavy": heavy, "pending": "presidio_analyzer" in presidio_light._PENDING}))
"""


def _run(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=300, check=True)
    return done.stdout


def _entities() -> list[str]:
    code = ("import json; from presidio_analyzer import RecognizerRegistry\n"
            "r = RecognizerRegistry(supported_languages=['en']); r.load_predefined_recognizers(languages=['en'])\n"
            "print(json.dumps(sorted({e for x in r.recognizers for e in x.supported_entities})))")
    entities: list[str] = json.loads(_run(code))
    return entities


def test_the_light_path_builds_the_predefined_recognizers_the_full_registry_loads() -> None:
    from detectors.base import canonical_entities

    every = _entities()
    # The engine's own entities, every entity at once, and each alone (which exercises the reading of each
    # class's entity from its source, done before a class is imported).
    sets = [sorted(canonical_entities()), every, *[[e] for e in every]]
    full = json.loads(_run(_FULL, json.dumps(sets)))
    light = json.loads(_run(_LIGHT, json.dumps(sets)))
    assert light["sets"] == full
    assert any(full), "no predefined recognizer at all: the comparison would prove nothing"
    # ... and imported neither spaCy nor the rest of Presidio to do it.
    assert light["heavy"] == [] and light["pending"] is True


def test_a_presidio_laid_out_otherwise_falls_back_to_the_full_import() -> None:
    code = """
    import logging, sys
    from dlp.detect import presidio_light
    presidio_light.install()
    # As if this Presidio's predefined package exported none of its classes where we look.
    presidio_light._EXPORTS[presidio_light.PREDEFINED] = {}
    try:
        presidio_light.predefined_recognizers("en", {"URL"}, ())
    except presidio_light.Unavailable:
        print("unavailable")
    from dlp.config import Settings
    from dlp.detect.engine import DetectionEngine
    engine = DetectionEngine(Settings().detect, bytes(32), defer_model=True)
    print(sorted(r.name for r, _ in engine.fast_analyzer.recognizers))
    print(sorted(engine.entities))
    # Presidio is whole again: its package's names and its registry's predefined recognizers are there.
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    print(len(registry.recognizers), bool(logging.getLogger("decision_process").handlers), presidio_light._PENDING)
    """
    fallback = _run(code).splitlines()
    assert fallback[0] == "unavailable"
    plain = _run("""
    from dlp.config import Settings
    from dlp.detect.engine import DetectionEngine
    engine = DetectionEngine(Settings().detect, bytes(32), defer_model=True)
    print(sorted(r.name for r, _ in engine.fast_analyzer.recognizers))
    print(sorted(engine.entities))
    import presidio_analyzer.predefined_recognizers
    from presidio_analyzer import RecognizerRegistry
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    print(len(registry.recognizers))
    """).splitlines()
    assert fallback[1:3] == plain[0:2]
    assert fallback[3] == f"{plain[2]} True {{}}"


def test_a_deferred_package_is_completed_by_the_first_name_it_does_not_hold() -> None:
    code = """
    import sys
    from dlp.detect import presidio_light
    presidio_light.install()
    from presidio_analyzer import PatternRecognizer
    print("spacy" in sys.modules, "presidio_analyzer" in presidio_light._PENDING)
    import presidio_analyzer
    print(sorted(presidio_analyzer.__all__) == sorted(set(presidio_analyzer.__all__)), "spacy" in sys.modules,
          presidio_light._PENDING)
    """
    assert _run(code).splitlines() == ["False True", "True True {}"]


def test_install_leaves_presidio_whole_when_a_base_module_is_not_where_it_looks() -> None:
    code = """
    import sys
    from dlp.detect import presidio_light
    # As if a Presidio upgrade had moved one of the base classes.
    presidio_light._CORE = (*presidio_light._CORE, ("moved_away", "EntityRecognizer"))
    try:
        presidio_light.install()
    except presidio_light.Unavailable:
        print("unavailable", presidio_light._PENDING)
    from presidio_analyzer import AnalyzerEngine
    print(AnalyzerEngine.__name__)
    """
    assert _run(code).splitlines() == ["unavailable {}", "AnalyzerEngine"]
