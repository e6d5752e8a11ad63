"""The roster recognizer: rostered people found by name and ID, attributed to a subject; nobody else.

All names and numbers are invented.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from presidio_analyzer import RecognizerResult

from detectors.base import load_recognizers, recognizer_classes
from detectors.roster import RosterRecognizer, build_roster_recognizer
from dlp.config import DetectSettings
from dlp.roster import import_file

KEY = b"roster-test-key-".ljust(32, b"k")

ROSTER = """First Name,Last Name,Middle Name,Preferred Name,SASID,Local ID
William,Okafor,Tobenna,,1048820317,204518
Jordan,Alvarez,Maria,,1093310428,204519
Zephyrine,Quillfeather-Nunez,,Zee,1077215531,204520
Jordan,Smithwick,,,1055501234,204522
Jamal,Alvarez,,,1055501299,204523
"""


@pytest.fixture(scope="module")
def roster_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roster")
    (folder / "sis.csv").write_text(ROSTER, encoding="utf-8")
    (folder / "hr.csv").write_text("Name,Employee ID\n\"Wrenfield, Dorcas\",550912\n", encoding="utf-8")
    path = folder / "roster.sqlite"
    import_file(folder / "sis.csv", "student", KEY, path)
    import_file(folder / "hr.csv", "employee", KEY, path)
    return path


@pytest.fixture(scope="module")
def recognizer(roster_file: Path) -> RosterRecognizer:
    built = build_roster_recognizer(KEY, roster_file)
    assert built is not None
    return built


def found(recognizer: RosterRecognizer, text: str, entities: list[str] | None = None) -> list[tuple[str, str]]:
    return [(r.entity_type, text[r.start : r.end]) for r in recognizer.analyze(text, entities or [])]


def subject(recognizer: RosterRecognizer, text: str) -> str:
    results = recognizer.analyze(text, [])
    assert len(results) == 1, [text[r.start : r.end] for r in results]
    value = results[0].recognition_metadata["subject"]
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please call Bill Okafor's mother.", [("PERSON", "Bill Okafor")]),
        ("OKAFOR, BILL - late 3x", [("PERSON", "OKAFOR, BILL")]),
        ("Met with Jordan M. Alvarez today.", [("PERSON", "Jordan M. Alvarez")]),
        ("Alvarez, Jordan Maria (gr. 4)", [("PERSON", "Alvarez, Jordan Maria")]),
        ("Note from J. Alvarez", [("PERSON", "J. Alvarez")]),
        ("Jordan | Alvarez | 4", [("PERSON", "Jordan | Alvarez")]),
        ("Zee Quillfeather-Núñez joined", [("PERSON", "Zee Quillfeather-Núñez")]),
        ("SASID 1048820317 on file", [("MA_SASID", "1048820317")]),
        ("local id 204519", [("STUDENT_ID", "204519")]),
        ("emp 550912 timesheet", [("EMPLOYEE_ID", "550912")]),
        ("Dorcas Wrenfield signed", [("PERSON", "Dorcas Wrenfield")]),
    ],
)
def test_rostered_people_are_found(recognizer: RosterRecognizer, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(recognizer, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Jordan Peele and Quinn Okafor visited.",  # not rostered (first or last name alone is not enough)
        "Okafor. William went home.",  # a sentence end between the words
        "Okafor\nWilliam",  # a line break between the words
        "bill okafor",  # lower case is left to NER on purpose (common words would match names)
        "A Alvarez",  # a bare capital letter is not an initial
        "Order 10488203170 shipped; phone 617-555-0143; year 2024",  # other digit runs
        "William Smithwick",  # both names rostered, but not as one person
    ],
)
def test_nothing_else_is_found(recognizer: RosterRecognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_findings_are_attributed_to_one_subject(recognizer: RosterRecognizer) -> None:
    william = subject(recognizer, "1048820317")
    assert subject(recognizer, "Bill Okafor") == william
    assert subject(recognizer, "WILLIAM T. OKAFOR") == william
    assert subject(recognizer, "id 204518") == william
    assert subject(recognizer, "Jordan Alvarez") != william
    assert subject(recognizer, "Dorcas Wrenfield") not in (william, None)


def test_a_name_form_shared_by_two_people_names_no_subject(recognizer: RosterRecognizer) -> None:
    # "J. Alvarez" may be Jordan or Jamal Alvarez: still a rostered PERSON, but of no single subject.
    [result] = recognizer.analyze("J. Alvarez", [])
    assert result.entity_type == "PERSON" and result.recognition_metadata["subject"] is None
    assert recognizer.analyze("Jamal Alvarez", [])[0].recognition_metadata["subject"] is not None


def test_results_carry_metadata_and_are_marked_context_enhanced(recognizer: RosterRecognizer) -> None:
    [name] = recognizer.analyze("Bill Okafor", [])
    [sasid] = recognizer.analyze("1048820317", [])
    assert (name.score, sasid.score) == (0.95, 1.0)
    for result in (name, sasid):
        meta = result.recognition_metadata
        assert meta[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] is True
        assert meta[RecognizerResult.RECOGNIZER_NAME_KEY] == "RosterRecognizer"
        assert meta["roster_kind"] == "student"


def test_entities_filter(recognizer: RosterRecognizer) -> None:
    text = "Bill Okafor 1048820317"
    assert found(recognizer, text, ["MA_SASID"]) == [("MA_SASID", "1048820317")]
    assert found(recognizer, text, ["PERSON"]) == [("PERSON", "Bill Okafor")]
    assert found(recognizer, text, ["US_SSN"]) == []


def test_no_roster_or_another_key_builds_nothing(tmp_path: Path, roster_file: Path) -> None:
    assert build_roster_recognizer(KEY, tmp_path / "none.sqlite") is None
    assert build_roster_recognizer(b"another-key".ljust(32, b"x"), roster_file) is None


def test_the_roster_recognizer_is_not_auto_discovered() -> None:
    assert RosterRecognizer not in recognizer_classes()
    assert not any(isinstance(r, RosterRecognizer) for r in load_recognizers())


@pytest.fixture(scope="module")
def engines(roster_file: Path):
    from dlp.detect.engine import DetectionEngine

    with_roster = DetectionEngine(DetectSettings(roster_file=str(roster_file)), KEY, show_values=True)
    without = DetectionEngine(DetectSettings(roster_file=str(roster_file.parent / "none.sqlite")), KEY,
                              show_values=True)
    return with_roster, without


def test_engine_finds_what_ner_misses_and_sets_the_subject(engines) -> None:
    with_roster, without = engines
    text = "Late list\nOKAFOR, BILL - late 3x\n"
    # Without a roster the name lists may find the name (detectors/person_name.py), but nobody is attributed.
    assert all(f.recognizer != "RosterRecognizer" and f.subject is None
               for f in without.detect_text(text, "body") if f.entity == "PERSON")
    [person] = [f for f in with_roster.detect_text(text, "body") if f.entity == "PERSON"]
    assert person.value == "OKAFOR, BILL" and person.recognizer == "RosterRecognizer"
    [sasid] = [f for f in with_roster.detect_text("SASID 1048820317", "body") if f.entity == "MA_SASID"]
    assert person.subject is not None and sasid.subject == person.subject


def test_engine_attributes_ner_findings_of_rostered_people(engines) -> None:
    with_roster, _ = engines
    findings = list(with_roster.detect_text("Jordan Alvarez and Quinn Peabody met on Tuesday.", "body"))
    by_value = {f.value: f for f in findings if f.entity == "PERSON"}
    assert by_value["Jordan Alvarez"].subject is not None
    assert all(f.subject is None for v, f in by_value.items() if v != "Jordan Alvarez")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_names_on_consecutive_lines_are_separate_people(engines, newline: str) -> None:
    # Issue 18: "Bill Okafor\nJordan ..." once came out as one name across the line break (3 people counted 4).
    from dlp.policy.classify import count_subjects

    with_roster, _ = engines
    text = newline.join(["IEP team list, SASIDs on file:", "Bill Okafor", "Jordan Alvarez", "Zee Quillfeather-Nunez",
                         ""])
    people = [f for f in with_roster.detect_text(text, "body") if f.entity == "PERSON"]
    assert all("\n" not in (f.value or "") and "\r" not in (f.value or "") for f in people)
    assert sorted(f.value for f in people) == ["Bill Okafor", "Jordan Alvarez", "Zee Quillfeather-Nunez"]
    assert count_subjects(people) == 3
