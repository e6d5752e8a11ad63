"""Contracts of the extension points: what a recognizer or a connector declares is all it takes.

A recognizer's examples must come out of the whole detection engine (tables, forms, the fast path's
prefilter and triggers, NER windows), not only out of the recognizer; every entity a recognizer declares
must reach the engine; every connector must be configurable as a named source. Examples are synthetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.base import Connector, registry
from detectors.base import (
    ConfiguredIdRecognizer,
    canonical_entities,
    declared_entities,
    parse_example,
    recognizer_classes,
)
from dlp import config
from dlp.config import DetectSettings
from dlp.errors import ConfigError
from dlp.extract.archive import GzipExtractor, _Compressed
from dlp.extract.base import Extractor
from dlp.registry import discover
from dlp.types import Document, Part

KEY = b"registry-contract-test-key".ljust(32, b"k")

# CONTRACT.md section 3: the canonical entity names scripts and reports rely on.
CONTRACT_ENTITIES = {
    "US_SSN", "US_ITIN", "CREDIT_CARD", "US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "IBAN_CODE", "US_DRIVER_LICENSE",
    "US_PASSPORT", "MA_SASID", "MA_MEPID", "STUDENT_ID", "EMPLOYEE_ID", "DATE_OF_BIRTH", "PERSON", "EMAIL_ADDRESS",
    "PHONE_NUMBER", "MASSHEALTH_ID", "CREDENTIAL",
}


def _example_patterns(entity: str) -> tuple[str, ...]:
    """The sample district patterns of the configured recognizer of ``entity``, as the config gives them."""
    for cls in recognizer_classes():
        if issubclass(cls, ConfiguredIdRecognizer) and entity == cls.ENTITY:
            return tuple(p for p in cls.EXAMPLE_PATTERNS if isinstance(p, str))
    return ()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dlp.detect.engine import DetectionEngine

    settings = DetectSettings(
        student_id_patterns=_example_patterns("STUDENT_ID"),
        employee_id_patterns=_example_patterns("EMPLOYEE_ID"),
        roster_file=str(tmp_path_factory.mktemp("no-roster") / "roster.sqlite"),
    )
    return DetectionEngine(settings, KEY, show_values=True)


def _examples() -> list[Any]:
    cases = []
    for cls in recognizer_classes():
        examples = cls.EXAMPLES  # type: ignore[attr-defined]  # every recognizer carries them (test below)
        (entity,) = declared_entities(cls)
        for i, text in enumerate(examples.positives):
            cases.append(pytest.param(entity, text, True, id=f"{cls.__name__}-pos{i}"))
        for i, text in enumerate(examples.negatives):
            cases.append(pytest.param(entity, text, False, id=f"{cls.__name__}-neg{i}"))
    return cases


@pytest.mark.parametrize(("entity", "example", "positive"), _examples())
def test_every_example_of_every_recognizer_survives_the_engine(engine: Any, entity: str, example: str,
                                                              positive: bool) -> None:
    text, spans = parse_example(example)
    document = Document(media_type="text/plain", parts=(Part(locator="body", text=text),))
    got = sorted({(f.start, f.end) for f in engine.detect(document) if f.entity == entity})
    if positive:
        assert got == sorted(spans), f"expected {[text[s:e] for s, e in spans]}, got {[text[s:e] for s, e in got]}"
    else:
        assert got == [], f"false positive: {[text[s:e] for s, e in got]}"


def test_every_recognizer_declares_its_entity_and_carries_examples() -> None:
    for cls in recognizer_classes():
        assert declared_entities(cls), cls.__name__
        examples = getattr(cls, "EXAMPLES", None)
        assert examples is not None and examples.positives and examples.negatives, cls.__name__


def test_a_recognizer_without_an_entity_is_refused_by_name() -> None:
    class Nameless:
        pass

    with pytest.raises(TypeError, match="Nameless declares no ENTITY"):
        declared_entities(Nameless)


def test_the_declared_entities_are_the_contracts_canonical_names() -> None:
    assert canonical_entities() == CONTRACT_ENTITIES


def test_every_declared_entity_reaches_the_engine(engine: Any) -> None:
    # A new recognizer's entity is reported without any list to edit: nothing declared is dropped.
    assert set(engine.entities) == canonical_entities()


def test_the_roster_recognizer_finds_only_declared_entities() -> None:
    from detectors.roster import RosterRecognizer

    assert set(RosterRecognizer.ENTITIES) <= canonical_entities()


def test_an_unknown_configured_entity_fails_at_start_up(tmp_path: Path) -> None:
    from dlp.detect.engine import DetectionEngine

    settings = DetectSettings(entities=("US_SSN", "US_SOCIAL_NUMBER"), roster_file=str(tmp_path / "none.sqlite"))
    with pytest.raises(ConfigError, match=r"\[detect\] entities: no recognizer finds US_SOCIAL_NUMBER"):
        DetectionEngine(settings, KEY)


def test_every_trigger_is_in_every_positive_example() -> None:
    """A trigger is a necessary condition: the fast path skips a text without it, so every value has it."""
    from dlp.detect.fast import _fires

    checked = 0
    for cls in recognizer_classes():
        trigger = getattr(cls, "TRIGGER", None)
        if trigger is None:
            continue
        for example in cls.EXAMPLES.positives:  # type: ignore[attr-defined]
            text, _ = parse_example(example)
            assert _fires(trigger, text, {}), f"{cls.__name__}: {example!r}"
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_registered_connector_is_configurable_as_a_named_source(name: str) -> None:
    settings = config.from_dict({"sources": {"district": {"type": name, "root": "/srv/share"}}})
    assert settings.sources["district"].type == name
    assert settings.sources["district"].options == {"root": "/srv/share"}
    cls = registry()[name]
    assert cls.from_config.__func__ is not Connector.from_config.__func__, f"{cls.__name__} has no from_config"


def test_a_type_no_connector_has_is_refused_naming_the_installed_ones() -> None:
    with pytest.raises(ConfigError, match="type = 'ftp' is not a connector; use one of") as caught:
        config.from_dict({"sources": {"x": {"type": "ftp"}}})
    for name in registry():
        assert name in str(caught.value)


def test_discovery_passes_over_a_marked_base_but_finds_its_subclasses() -> None:
    extractors = discover("dlp.extract", Extractor)
    assert GzipExtractor in extractors
    assert _Compressed not in extractors
