"""A small labeled set for the full-name recognizer: invented names in district prose, cells and lists.

The names below were written by hand for this test (not drawn from the recognizer's lists), mixing common,
modern, Hispanic, Vietnamese, West African, Irish, Dutch and hyphenated names; the negatives are the label,
title, place and heading phrases that districts' documents are full of. The test checks the whole engine's
fast path (name lists, then NER for the unsure ones) as a scan would run it.
"""

from __future__ import annotations

import pytest

from dlp.config import DetectSettings
from dlp.detect.engine import DetectionEngine

NAMES = (
    "Jordan Okafor", "Maria Delgado", "Linh Nguyen", "Liam O'Sullivan", "Aaliyah Washington", "Sean McCarthy",
    "Ana de la Cruz", "Pieter van der Berg", "Mary-Kate Smith-Jones", "Emeka Adeyemi", "Sofia Rossi",
    "Mateo Hernandez", "Priya Raman", "Tyrone Jackson", "Chloe Bergeron", "Kenji Watanabe", "Fatima Haddad",
    "Grace Kowalski", "Daniel Oyelaran", "Isabella Moreira", "Noah Fitzgerald", "Zoe Papadopoulos",
    "Ethan Nakamura", "Olivia Mensah", "Brandon Tran", "Keisha Robinson", "Javier Castillo", "Hannah Lindqvist",
    "Samuel Osei", "Emily Young", "Michael Brown", "Jasmine Patel", "Carlos Ortiz", "Nadia Petrov",
    "Tomas Novak", "Julia Fontaine", "Kevin Ferreira", "Aiden Murphy", "Camila Reyes", "José Núñez",
)
TEMPLATES = (
    "Called the family re: {name} - missing homework, reached at 617-555-0142.",
    "{name} was absent on Tuesday and Wednesday.",
    "Please send the permission slip for {name} by Friday.",
    "Bus 14 roster\n{name} | Route B | Stop 6\n",
    "Per our conversation, {name} will join the reading group next week.",
    "Student: {name}\nHomeroom 204",
)
NEGATIVES = (
    "Date of Birth | Account Number | Gross Pay | Net Pay | Principal | SASID | Student Name",
    "Assistant Principal\nSchool Counselor\nBus Driver\nSpecial Education Coordinator",
    "Meet at Washington Street, then walk to Lincoln Elementary and Kennedy Middle School.",
    "Will Attend: Yes\nMay Newsletter\nGrant Total: $4,500\nHope Street Playground",
    "Monday, March 4 - Parent Teacher Conferences in the Main Office.",
    "Twain, Mark. The Adventures of Tom Sawyer. Hartford: American Publishing Company, 1876.",
    "New arrivals: Beloved by Toni Morrison; Emma by Jane Austen.",
    "Grade 7 Science Fair Judging Rubric and Volunteer Sign Up",
    "Transportation Department - Driver Roster (Exported 2024-06-11)",
    "Food Services Holiday Schedule: Thanksgiving Recess, Winter Break, April Vacation",
)
_GOOD_RECALL = 0.9


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine(DetectSettings(), b"k" * 32, show_values=True)


def _people(engine: DetectionEngine, text: str) -> list[str]:
    return [f.value or "" for f in engine.detect_text(text, "t") if f.entity == "PERSON"]


def test_names_in_prose_and_cells(engine: DetectionEngine) -> None:
    found = missed = extra = 0
    for i, name in enumerate(NAMES):
        for template in (TEMPLATES[i % len(TEMPLATES)], TEMPLATES[(i + 3) % len(TEMPLATES)]):
            people = _people(engine, template.format(name=name))
            found += people.count(name)
            missed += name not in people
            extra += sum(p != name for p in people)
    recall = found / (found + missed)
    assert recall >= _GOOD_RECALL, f"recall {recall:.2f}"
    assert extra <= 2, f"{extra} other spans reported as people"


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_people_in_labels_titles_places_and_citations(engine: DetectionEngine, text: str) -> None:
    assert _people(engine, text) == []


def test_the_presidio_engine_has_the_recognizer_too() -> None:
    engine = DetectionEngine(DetectSettings(engine="presidio"), b"k" * 32, show_values=True)
    names = {type(r).__name__ for r in engine._recognizers}
    assert "PersonNameRecognizer" in names
    text = "OKAFOR, JORDAN\nDELGADO, MARIA\n"
    found = {(f.value, f.recognizer) for f in engine.detect_text(text, "t") if f.entity == "PERSON"}
    assert ("OKAFOR, JORDAN", "PersonNameRecognizer") in found
