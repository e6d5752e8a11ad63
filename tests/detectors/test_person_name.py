"""The full-name recognizer: list-driven PERSON in prose and cells, and its place in the fast engine.

All names here are invented combinations of common first names and surnames (synthetic test data).
"""

from __future__ import annotations

import unicodedata

import pytest

from detectors.base import load_recognizers, parse_example
from detectors.name_lexicon import fold, lexicon
from detectors.person_name import PersonNameRecognizer

THRESHOLD = 0.5


@pytest.fixture(scope="module")
def recognizer() -> PersonNameRecognizer:
    return PersonNameRecognizer()


def _names(recognizer: PersonNameRecognizer, text: str) -> list[str]:
    return [text[r.start : r.end] for r in sorted(recognizer.analyze(text, ["PERSON"]), key=lambda r: r.start)
            if r.score >= THRESHOLD]


@pytest.mark.parametrize("example", PersonNameRecognizer.EXAMPLES.positives + PersonNameRecognizer.EXAMPLES.negatives)
def test_own_examples(recognizer: PersonNameRecognizer, example: str) -> None:
    text, spans = parse_example(example)
    found = sorted((r.start, r.end) for r in recognizer.analyze(text, ["PERSON"]) if r.score >= THRESHOLD)
    assert found == sorted(spans), [text[s:e] for s, e in found]


def test_is_discovered_like_the_other_recognizers() -> None:
    assert any(isinstance(r, PersonNameRecognizer) for r in load_recognizers())


def test_fold_removes_diacritics_in_any_normal_form() -> None:
    composed = "Núñez"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == fold("NÚÑEZ") == "nunez"
    assert fold("O'Brien") == fold("O’Brien") == "obrien"


def test_lexicon_comes_from_the_census_lists() -> None:
    lex = lexicon()
    assert {"jordan", "patricia", "jose"} <= lex.first
    assert {"okafor", "nguyen", "nunez", "obrien", "smith"} <= lex.last
    # Words that are names too are marked; nouns that are only rare surnames are dropped.
    assert {"will", "may", "grant", "hope"} <= lex.wordy_first
    assert {"young", "green", "brown"} <= lex.wordy_last
    assert not {"student", "number", "grade", "school"} & lex.last


@pytest.mark.parametrize(("text", "expected"), [
    ("Spoke with Jordan Lee Okafor and Maria T. Rodriguez today.", ["Jordan Lee Okafor", "Maria T. Rodriguez"]),
    ("TEACHER NOTES: LINDA NGUYEN WAS ABSENT", ["LINDA NGUYEN"]),
    ("Mary St. John and Daniel O’Connor", ["Mary St. John", "Daniel O’Connor"]),
    ("Emily Young, Michael Brown, Karen Green", ["Emily Young", "Michael Brown", "Karen Green"]),
    ("Okafor, Jordan\tGrade 7", ["Okafor, Jordan"]),
    ("de la Cruz, Ana M.", ["de la Cruz, Ana M"]),
    ("Jordan Okafor's mother called.", ["Jordan Okafor"]),
    ("Hi Mr. Cooper, this is Patrick, Jeffrey Reyes's father.", ["Jeffrey Reyes"]),
    ("Diane Park and Debra Hall signed.", ["Diane Park", "Debra Hall"]),
])
def test_forms(recognizer: PersonNameRecognizer, text: str, expected: list[str]) -> None:
    assert _names(recognizer, text) == expected


@pytest.mark.parametrize("text", [
    "Date of Birth: 03/14/2011",
    "Gross Pay | Net Pay | Account Number",
    "Assistant Principal; School Counselor; Bus Driver; Special Education Coordinator",
    "The bus stops at Washington Street and Jefferson Avenue.",
    "Kennedy Middle School and Lincoln Elementary School",
    "Grace Church Holiday Fair",
    "Monday, March 4",
    "Student Name, Parent Name, Guardian Phone",
    "The Diary of Anne Frank",
    "Written by Linda Nguyen",
    "Austen, Jane. Pride and Prejudice. London, 1813.",
    "John Quincy Adams (born July 11, 1767): read the excerpt. Lucy Stone (1818-1893) spoke.",
    "Frederick Douglass was born in 1818 in Maryland.",
])
def test_never_a_name(recognizer: PersonNameRecognizer, text: str) -> None:
    assert _names(recognizer, text) == []


def test_ambiguous_names_are_left_to_ner(recognizer: PersonNameRecognizer) -> None:
    text = "Will Brown and May Green met Brooklyn Young, Grant Patterson and Aaliyah Johnson."
    results = recognizer.analyze(text, ["PERSON"])
    unsure = {text[r.start : r.end] for r in results if r.recognition_metadata["needs_ner"]}
    assert unsure == {"Will Brown", "May Green", "Brooklyn Young"}
    sure = {text[r.start : r.end]: r.score for r in results if r.score >= THRESHOLD}
    assert set(sure) == {"Grant Patterson", "Aaliyah Johnson"}
    assert sure["Grant Patterson"] < sure["Aaliyah Johnson"]


def test_cell_score(recognizer: PersonNameRecognizer) -> None:
    for name in ("Jordan Okafor", "OKAFOR, JORDAN", "Okafor, Jordan M.", "de la Cruz, Ana", "José Núñez"):
        assert recognizer.cell_score(name) >= 0.85, name
    for other in ("Washington Street", "Grade", "Student Name", "Assistant Principal", "Lincoln Elementary",
                  "Jordan", "617-555-0142", "", "Jordan Okafor and more words here"):
        assert recognizer.cell_score(other) == 0.0, other
    unsure = recognizer.cell_score("Will Brown")
    assert unsure is not None and 0.3 <= unsure < 0.85


def test_windows_equal_a_full_pass(recognizer: PersonNameRecognizer) -> None:
    text = ("x " * 300) + "Called Jordan Okafor. " + ("y " * 300) + "Okafor, Jordan M. and Ana de la Cruz"
    full = sorted((r.start, r.end, r.score) for r in recognizer.analyze(text, ["PERSON"]))
    first, second = text.index("Jordan"), text.index("Okafor, Jordan M.")
    windows = [(first - 5, first + 30), (second - 5, len(text))]
    quick = sorted((r.start, r.end, r.score) for r in recognizer.analyze_windows(text, windows))
    assert quick == full
    assert len(full) == 3
