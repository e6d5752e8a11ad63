"""Presidio's own recognizer test vectors, run against our recognizers for the entities they share.

The vectors live in ../shared/corpora/presidio-recognizer-tests (read at test time, never copied). Positions
are compared at any score: Presidio's scores are its own. Where our stricter rules (domain.md section 5)
give a different answer on purpose, ``DISAGREEMENTS`` records our answer and the reason, and the test
checks that we still give exactly that answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detectors.base import load_recognizers

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "presidio-recognizer-tests"
VECTORS = CORPUS / "recognizer_test_vectors.json"
CONTEXT_SENTENCES = CORPUS / "presidio-analyzer" / "tests" / "data" / "context_sentences_tests.txt"
DEMO = CORPUS / "e2e-tests" / "resources" / "demo.txt"

# Presidio test module (without "test_" and "_recognizer.py") -> our entity.
FILES = {
    "aba_routing": "ABA_ROUTING_NUMBER",
    "credit_card": "CREDIT_CARD",
    "iban": "IBAN_CODE",
    "us_bank": "US_BANK_NUMBER",
    "us_driver_license": "US_DRIVER_LICENSE",
    "us_itin": "US_ITIN",
    "us_passport": "US_PASSPORT",
    "us_ssn": "US_SSN",
}

NO_CONTEXT = "needs a context word (rules 22-27): the vector is a bare number"
# (module, text) -> (our spans, why we differ from Presidio on purpose)
DISAGREEMENTS: dict[tuple[str, str], tuple[list[tuple[int, int]], str]] = {
    ("aba_routing", "121000358"): ([], "ABA " + NO_CONTEXT),
    ("aba_routing", "3222-7162-7"): ([], "ABA " + NO_CONTEXT),
    ("aba_routing", "121042882"): ([], "ABA " + NO_CONTEXT),
    ("aba_routing", "0711-0130-7"): ([], "ABA " + NO_CONTEXT),
    ("credit_card", "122000000000003"): ([], "UATP (prefix 1) is not among our issuers: airline-only cards"),
    ("credit_card", "4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881"): (
        [(17, 36), (37, 56)], "card as unbroken digits " + NO_CONTEXT + "; grouped as printed on a card is enough"),
    **{("credit_card", number): ([], "card as unbroken digits " + NO_CONTEXT + " (Luhn passes 1 number in 10)")
       for number in ("371449635398431", "5555555555554444", "5019717010103742", "30569309025904",
                      "6011000400000000", "3528000700000000", "6759649826438453", "4111111111111111",
                      "4917300800000000", "4484070000000000")},
    ("credit_card", "my credit card: 122000000000003"): ([], "UATP (prefix 1) is not among our issuers"),
    ("us_bank", "945456787654"): ([], "bank account " + NO_CONTEXT),
    ("us_driver_license", "H12234567"): ([], "only Massachusetts license forms are recognized"),
    ("us_driver_license", "123456789 1234567890 12345679012 123456790123 1234567901234 1234"): (
        [], "only Massachusetts forms, and 9 bare digits need a license word"),
    ("us_itin", "911-701234 91170-1234"): ([], "separators must be consistent (rule 20/21)"),
    ("us_itin", "911701234"): ([], "ITIN as 9 bare digits " + NO_CONTEXT),
    ("us_passport", "912803456"): ([], "passport " + NO_CONTEXT),
    ("us_passport", "Z12803456"): ([], "passport " + NO_CONTEXT),
    ("us_passport", "A12803456"): ([], "passport " + NO_CONTEXT),
    ("us_ssn", "078-051121 07805-1121"): ([], "separators must be consistent (rule 20)"),
    ("us_ssn", "078051121"): ([], "SSN as 9 bare digits " + NO_CONTEXT),
    ("us_ssn", "078.05.1123"): ([], "dots are not an SSN separator (rule 20: dashes, spaces or none)"),
}

# Context sentences (entity, sentence) where we find nothing on purpose.
CONTEXT_DISAGREEMENTS = {
    "my ssn is 078-051121": "separators must be consistent",
    "my social security number is 078051120": "078-05-1120 is the void wallet-card number",
    "my taxpayer id is 911-701234 91170-1234": "separators must be consistent",
    "my driver license number: AA1B2**9ABA7": "only Massachusetts license forms",
    "my driver license is H12234567": "only Massachusetts license forms",
    "my driver license is: 1234567901234": "only Massachusetts license forms",
    "my DRIVER LICENSE is: 7774567901234": "only Massachusetts license forms",
    "my DrIvEr LiCeNsE is: 7774567901234": "only Massachusetts license forms",
    "mypassportnumberis912803456": "context words match whole words, and digits glued to letters are no ID",
}

needs_corpus = pytest.mark.skipif(
    not VECTORS.is_file(), reason=f"Presidio test vectors not found at {CORPUS} (shared corpora not mounted)"
)


def _recognizers():
    return {r.supported_entities[0]: r for r in load_recognizers()}


def _vector_cases() -> list:
    if not VECTORS.is_file():
        return []
    cases = []
    for entry in json.loads(VECTORS.read_text(encoding="utf-8")):
        stem = Path(entry["file"]).name.removeprefix("test_").removesuffix("_recognizer.py")
        if stem not in FILES:
            continue
        for test in entry["tests"]:
            for i, case in enumerate(test["cases"]):
                text = case.get("text", case.get("iban"))
                spans = case.get("expected_positions", case.get("expected_res", []))
                expected = sorted(tuple(s) for s in spans)
                cases.append(pytest.param(stem, text, expected, id=f"{stem}-{i}"))
    return cases


def _context_cases() -> list:
    if not CONTEXT_SENTENCES.is_file():
        return []
    ours = set(FILES.values())
    lines = [ln.strip() for ln in CONTEXT_SENTENCES.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    pairs = list(zip(lines[0::2], lines[1::2], strict=True))
    return [
        pytest.param(entity, text, id=f"{entity}-{i}")
        for i, (entity, text) in enumerate(pairs)
        if entity in ours
    ]


@pytest.fixture(scope="module")
def recognizers():
    return _recognizers()


@needs_corpus
@pytest.mark.parametrize(("stem", "text", "presidio_spans"), _vector_cases())
def test_presidio_vector(recognizers, stem, text, presidio_spans):
    entity = FILES[stem]
    got = sorted((r.start, r.end) for r in recognizers[entity].analyze(text, entities=[entity]))
    if (stem, text) in DISAGREEMENTS:
        ours, why = DISAGREEMENTS[(stem, text)]
        assert got == ours, f"our intended answer changed ({why})"
        assert got != presidio_spans, f"no longer a disagreement, drop it from the table: {why}"
    else:
        assert got == presidio_spans


@needs_corpus
@pytest.mark.parametrize(("entity", "text"), _context_cases())
def test_presidio_context_sentence(recognizers, entity, text):
    found = [r for r in recognizers[entity].analyze(text, entities=[entity]) if r.score >= 0.5]
    if text in CONTEXT_DISAGREEMENTS:
        assert found == [], CONTEXT_DISAGREEMENTS[text]
    else:
        assert len(found) == 1, "a context word should carry this value over the threshold"


@pytest.mark.skipif(not DEMO.is_file(), reason=f"Presidio demo text not found at {DEMO}")
def test_presidio_demo_paragraph(recognizers):
    text = DEMO.read_text(encoding="utf-8")
    found = {
        (r.entity_type, text[r.start : r.end])
        for recognizer in recognizers.values()
        for r in recognizer.analyze(text, entities=list(recognizer.supported_entities))
        if r.score >= 0.5
    }
    assert found == {
        ("CREDIT_CARD", "4095-2609-9393-4932"),
        ("US_PASSPORT", "191280342"),
        ("IBAN_CODE", "IL150120690000003111111"),
        ("US_BANK_NUMBER", "954567876544"),
        ("US_SSN", "078-05-1126"),
        ("PHONE_NUMBER", "(212) 555-1234"),
        # The full-name recognizer (detectors/person_name.py); Presidio finds this one with NER.
        ("PERSON", "David Johnson"),
        # Presidio's own e-mail recognizer, declared in detectors/email_address.py.
        ("EMAIL_ADDRESS", "test@presidio.site"),
        ("EMAIL_ADDRESS", "opencode@microsoft.com"),
        # Presidio expects "1234567A" as a driver license: not a Massachusetts form, so not ours.
    }


def test_disagreement_table_names_only_known_modules():
    assert {stem for stem, _ in DISAGREEMENTS} <= set(FILES)
