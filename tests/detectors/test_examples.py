"""Every recognizer proves itself on its own examples: one generic test, one row per example."""

from __future__ import annotations

import pytest
from presidio_analyzer import RecognizerResult

from detectors.base import (
    ConfiguredIdRecognizer,
    DistrictPatternRecognizer,
    load_recognizers,
    parse_example,
    recognizer_classes,
    replaced_recognizers,
)

THRESHOLD = 0.5


def _district_classes() -> list[type[DistrictPatternRecognizer]]:
    return [c for c in recognizer_classes() if issubclass(c, DistrictPatternRecognizer)]


def _cases() -> list[pytest.param]:
    cases = []
    for cls in _district_classes():
        for i, text in enumerate(cls.EXAMPLES.positives):
            cases.append(pytest.param(cls, text, True, id=f"{cls.__name__}-pos{i}"))
        for i, text in enumerate(cls.EXAMPLES.negatives):
            cases.append(pytest.param(cls, text, False, id=f"{cls.__name__}-neg{i}"))
    return cases


def _found(recognizer: DistrictPatternRecognizer, text: str) -> list[RecognizerResult]:
    results = recognizer.analyze(text, entities=[recognizer.ENTITY], nlp_artifacts=None)
    return [r for r in results if r.score >= THRESHOLD]


@pytest.mark.parametrize(("cls", "example", "positive"), _cases())
def test_recognizer_gets_its_own_example_right(cls, example, positive):
    recognizer = cls.example_instance()
    text, spans = parse_example(example)
    found = _found(recognizer, text)
    got = sorted((r.start, r.end) for r in found)
    if positive:
        assert spans, "a positive example must mark its value with [[...]]"
        expected = [text[s:e] for s, e in spans]
        assert got == sorted(spans), f"expected {expected}, got {[text[s:e] for s, e in got]}"
        assert all(r.entity_type == cls.ENTITY for r in found)
    else:
        assert got == [], f"false positive: {[text[s:e] for s, e in got]}"


@pytest.mark.parametrize("cls", _district_classes(), ids=lambda c: c.__name__)
def test_every_recognizer_declares_enough_examples(cls):
    assert len(cls.EXAMPLES.positives) >= 4
    assert len(cls.EXAMPLES.negatives) >= 4
    assert cls.__doc__


def test_configured_recognizers_find_nothing_without_patterns():
    configured = [r for r in load_recognizers() if isinstance(r, ConfiguredIdRecognizer)]
    assert {r.ENTITY for r in configured} == {"STUDENT_ID", "EMPLOYEE_ID"}
    for recognizer in configured:
        for example in recognizer.EXAMPLES.positives:
            text, _ = parse_example(example)
            assert recognizer.analyze(text, entities=[recognizer.ENTITY]) == []


def test_load_recognizers_passes_district_patterns_and_window():
    recognizers = load_recognizers(context_window=12, student_id_patterns=[r"\bS\d{6}\b"])
    by_entity = {r.supported_entities[0]: r for r in recognizers}
    student = by_entity["STUDENT_ID"]
    assert student.analyze("student id S204518", entities=["STUDENT_ID"])[0].score >= THRESHOLD
    # The window is in characters: a context word 20 characters away no longer counts.
    assert student.analyze("student id, see row S204518", entities=["STUDENT_ID"]) == []
    assert by_entity["US_SSN"].context_window == 12


def test_invalid_configured_pattern_fails_fast_naming_it():
    with pytest.raises(ValueError, match="STUDENT_ID pattern 1"):
        load_recognizers(student_id_patterns=["(unclosed"])


def test_bad_context_window_is_refused():
    with pytest.raises(ValueError, match="context_window"):
        load_recognizers(context_window=-1)


def test_context_words_match_whole_words_only():
    by_entity = {r.supported_entities[0]: r for r in load_recognizers()}
    license_ = by_entity["US_DRIVER_LICENSE"]
    assert license_.analyze("public records 123456789", entities=["US_DRIVER_LICENSE"]) == []
    assert license_.analyze("lic 123456789", entities=["US_DRIVER_LICENSE"])[0].score >= THRESHOLD


def test_results_are_marked_as_context_enhanced():
    ssn = {r.supported_entities[0]: r for r in load_recognizers()}["US_SSN"]
    (result,) = ssn.analyze("SSN 524-71-3390", entities=["US_SSN"])
    assert result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] is True
    assert result.analysis_explanation.supportive_context_word.lower() == "ssn"


def test_one_recognizer_per_entity_and_no_name_clash_with_presidio():
    recognizers = load_recognizers()
    entities = [r.supported_entities[0] for r in recognizers]
    assert len(entities) == len(set(entities))
    # The engine removes every replaced Presidio recognizer before adding ours, so a recognizer may keep the
    # name of the one it replaces itself (the e-mail recognizer: findings keep saying "EmailRecognizer"), but
    # never the name of one another recognizer replaces.
    for recognizer in recognizers:
        assert recognizer.name not in replaced_recognizers() - set(getattr(recognizer, "REPLACES", ()))
    assert {"UsSsnRecognizer", "UsLicenseRecognizer", "UsBankRecognizer", "CreditCardRecognizer"} <= (
        replaced_recognizers()
    )
