"""Classification of an item from its findings and its text (CONTRACT.md section 3).

- ``MA_PI``: a name next to an SSN, a driver's license / state ID, or a financial account or card number
  (M.G.L. c. 93H section 1). "Next to" here means in the same part (a row, a page, a body), which is
  stricter than "anywhere in the file" and matches how a breach would expose the pair.
- ``STUDENT_PII``: a student identifier, or a name in a text about students.
- ``STUDENT_SENSITIVE``: student PII with special-education, health, discipline, lunch-status or similar
  protected terms.
- ``EMPLOYEE_PII``: a staff identifier, or a name or SSN/account in a personnel or payroll text.
- ``CREDENTIALS``: a password or access code written out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from dlp.types import Document, Finding

MA_PI_ELEMENTS = frozenset({"US_SSN", "US_DRIVER_LICENSE", "CREDIT_CARD", "US_BANK_NUMBER", "IBAN_CODE"})
STUDENT_IDS = frozenset({"MA_SASID", "STUDENT_ID"})
EMPLOYEE_IDS = frozenset({"MA_MEPID", "EMPLOYEE_ID"})
# Entities that identify one person each: their distinct values estimate how many people an item is about.
PERSONAL_IDS = frozenset({"US_SSN", "US_ITIN", "MA_SASID", "MA_MEPID", "STUDENT_ID", "EMPLOYEE_ID",
                          "US_DRIVER_LICENSE", "MASSHEALTH_ID", "US_PASSPORT"})


def _words(*terms: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(terms) + r")\b", re.IGNORECASE)


STUDENT_TERMS = _words(
    r"students?", r"pupils?", r"grade \d+", r"grades?", r"homeroom", r"enroll(?:ed|ment)", r"guardians?",
    r"sasid", r"report cards?", r"transcripts?", r"class roster", r"kindergarten", r"attendance",
)
SENSITIVE_TERMS = _words(
    r"iep", r"504 plan", r"special education", r"sped", r"disabilit(?:y|ies)", r"diagnos(?:is|ed)",
    r"medical", r"medications?", r"nurse", r"counsel(?:or|ing)", r"suspen(?:ded|sion)", r"expelled",
    r"discipline", r"disciplinary", r"free (?:or|and) reduced", r"free lunch", r"reduced lunch",
    r"homeless", r"foster care", r"mckinney-vento", r"english learner", r"immigra(?:nt|tion)",
)
EMPLOYEE_TERMS = _words(
    r"employees?", r"staff", r"payroll", r"salary", r"salaries", r"wages?", r"personnel", r"w-?2",
    r"w-?4", r"direct deposit", r"hr", r"human resources", r"teacher evaluation", r"mepid",
)


def classify(document: Document, findings: Iterable[Finding]) -> tuple[tuple[str, ...], int]:
    """The classifications of an item and the number of distinct people its PI is about."""
    findings = list(findings)
    entities = {f.entity for f in findings}
    by_part: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        by_part[f.locator].add(f.entity)
    text = "\n".join(p.text for p in document.parts)
    student_context = bool(STUDENT_TERMS.search(text))
    labels: set[str] = set()

    if any("PERSON" in ents and ents & MA_PI_ELEMENTS for ents in by_part.values()):
        labels.add("MA_PI")
    if entities & STUDENT_IDS or (student_context and entities & ({"PERSON", "DATE_OF_BIRTH"} | PERSONAL_IDS)):
        labels.add("STUDENT_PII")
    if "STUDENT_PII" in labels and SENSITIVE_TERMS.search(text):
        labels.add("STUDENT_SENSITIVE")
    if entities & EMPLOYEE_IDS or (
        EMPLOYEE_TERMS.search(text) and entities & ({"PERSON", "US_SSN", "US_BANK_NUMBER"})
    ):
        labels.add("EMPLOYEE_PII")
    if "CREDENTIAL" in entities:
        labels.add("CREDENTIALS")
    return tuple(sorted(labels)), count_subjects(findings)


def count_subjects(findings: Iterable[Finding]) -> int:
    """Best estimate of distinct people: the larger of distinct names and distinct personal IDs of one kind."""
    names: set[str] = set()
    ids: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        if f.entity == "PERSON":
            names.add(f.value_hash)
        elif f.entity in PERSONAL_IDS:
            ids[f.entity].add(f.value_hash)
    return max([len(names)] + [len(v) for v in ids.values()])
