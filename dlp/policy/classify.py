"""Classification of an item from its findings and its text (CONTRACT.md sections 3 and 6).

- ``MA_PI``: a name near an SSN, a driver's license / state ID, or a financial account or card number
  (M.G.L. c. 93H section 1). Near means in the same table row, or within ``proximity`` characters
  (300 by default) in the same part of the document.
- ``STUDENT_PII``: a student identifier; or a full name or a date of birth near words that make the
  text a student record (student, IEP, grade 5, guardian...), or in a table whose header says so.
- ``STUDENT_SENSITIVE``: student PII together with special-education, health, discipline, lunch-status
  or similar protected terms (domain.md section 3) that are statements about someone, not a signature,
  an address, an e-mail address or a job title (:mod:`dlp.policy.statements`).
- ``EMPLOYEE_PII``: a staff identifier, or a name, SSN or account near personnel words (payroll, salary,
  employee, human resources...). A staff directory of names and work e-mails is not a personnel record.
- ``CREDENTIALS``: a password or access code written out.

Names in e-mail headers (From, To, Cc) are the correspondents, not the subjects of a record, and a
single word found as a name ("Jose" in a signature) identifies nobody, so neither makes a record. Nor do
the authors in bibliographic data (an "Author" column, a line with an ISBN or a call number): a library
catalog names writers, not district people.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dlp.detect.headers import is_label
from dlp.detect.layout import grid_form_pairs, grid_headings, text_headings
from dlp.detect.tables import line_starts_of
from dlp.detect.terms import TermMatcher
from dlp.policy.labels import (
    EMPLOYEE_IDS,
    FINANCIAL,
    MA_PI_ELEMENTS,
    PERSONAL_IDS,
    SENSITIVE_TERMS,
    STUDENT_IDS,
    words,
)
from dlp.policy.statements import (
    HeaderTable,
    TermHit,
    header_tables,
    sensitive_hits,
    statement_texts,
    subject_spans,
)
from dlp.types import Document, Finding, Part

_STUDENT_WORDS = (
    r"students?", r"pupils?", r"iep", r"504 plans?", r"section 504", r"grade \d{1,2}",
    r"\d{1,2}(?:st|nd|rd|th) grade", r"kindergarten", r"homeroom", r"guardians?", r"parent/guardian",
    # Enrollment in a school, not in a vendor, benefits or direct-deposit programme ("ACH Vendor Enrollment").
    r"(?<!vendor )(?<!benefit )(?<!benefits )(?<!ach )(?<!plan )(?<!open )(?<!deposit )enrollment",
    r"enrolled(?! in (?:direct|the (?:plan|program)|benefits|payroll|ach))", r"report cards?",
    r"transcripts?", r"sasid", r"lasid", r"class roster", r"grade level", r"homework",
    # Column names of a student's grade level in exports ("Gr", "Grd", "YOG": year of graduation).
    r"gr\.?", r"grd", r"yog",
    r"parent[- ](?:teacher )?conferences?",
    # A parent writing about a child: "Betty Bennett's father", "my daughter".
    r"\w+'s (?:father|mother|dad|mom|parent|guardian|stepfather|stepmother)", r"my (?:son|daughter|child|kids?)",
    r"(?:his|her|their) (?:father|mother|dad|mom|parents?|guardians?|stepfather|stepmother)",
    # Services and forms that only students receive or fill in.
    # (Not "special education" or "counseling services": "Special Education Teacher" is a staff title.)
    r"counseling (?:referrals?|sessions?)", r"referr(?:ing|ed) \w+ \w+ to (?:outside )?counseling",
    r"nurse visits?", r"expelled", r"expulsion",
)
STUDENT_TERMS = words(*_STUDENT_WORDS)
# Words that make a table or form a student record only as its title or header: a staff memo mentions
# "the field trip approval process", a field-trip list or a permission slip is about the students on it.
_STUDENT_HEADINGS = words(*_STUDENT_WORDS, r"field trips?", r"permission slips?", r"trip rosters?")
_EMPLOYEE_WORDS = (
    r"employees?", r"payroll", r"salary", r"salaries", r"wages?", r"personnel", r"w-?2", r"w-?4",
    r"direct deposit", r"hr", r"human resources", r"pay rate", r"stipend", r"benefits",
    # A 1099's "nonemployee compensation" pays a contractor, not staff.
    r"(?<!nonemployee )(?<!non-employee )compensation", r"withholding(?: certificate| allowances?)?",
    r"hire date", r"date of hire", r"termination", r"evaluation", r"mepid",
    r"drives? the (?:van|bus)", r"direct deposit", r"pay date", r"cdl", r"cdl compliance", r"drivers? rosters?",
    # A list of the district's drivers ("Bus Drivers", a "Driver Name" column); one "Van Driver" is a job
    # title in a staff directory, and a driver's license or driver education is nobody's job.
    r"drivers?(?: names?| rosters?| lists?| assignments?)", r"drivers(?!'? lic)(?! ed\b)(?! education)",
    # District-issued purchasing cards are issued to staff: a card holder list is a personnel record.
    r"p-?cards?", r"p-?card holders?", r"purchasing cards?", r"procurement cards?",
)
# Background checks: staff get them, but so do volunteers and chaperones, who are no staff.
_BACKGROUND_CHECKS = (r"cori(?: checks?| status| date| cleared)?", r"fingerprinting", r"background checks?")
EMPLOYEE_TERMS = words(*_EMPLOYEE_WORDS, *_BACKGROUND_CHECKS)
_EMPLOYEE_WITHOUT_CHECKS = words(*_EMPLOYEE_WORDS)
_VOLUNTEERS = words(r"volunteers?", r"volunteering", r"chaperon(?:e|es|ing)", r"parent helpers?", r"mentors?")
_CATEGORY_TERMS: dict[str, TermMatcher] = {
    "special_indicator": SENSITIVE_TERMS,
    "conduct": words(r"discipline", r"disciplinary", r"suspen(?:ded|sion)", r"expelled", r"detention",
                      r"incident report", r"behavior(?:al)? (?:plan|incident)"),
    "attendance": words(r"attendance", r"absen(?:t|ces?)", r"tard(?:y|ies)", r"truan(?:t|cy)"),
    "assessment": words(r"mcas", r"gpa", r"test scores?", r"scores?", r"grades", r"assessments?", r"report cards?"),
    "transcript": words(r"transcripts?"),
    "enrollment": words(r"enrolled", r"enrollment", r"withdrawal", r"registration"),
    "schedule": words(r"schedules?", r"homeroom", r"class periods?", r"bus route"),
    "demographics": words(r"gender", r"ethnicity", r"race", r"home language", r"place of birth", r"birthplace"),
    "compensation": words(r"salary", r"salaries", r"wages?", r"pay rate", r"payroll", r"stipend", r"gross pay",
                           r"net pay", r"compensation"),
}
# Conduct words that are no sensitive term of their own (an incident report may be about a bus).
_CONDUCT_ONLY = words(r"incident report", r"behavior(?:al)? (?:plan|incident)")
# Bibliographic data: a column of authors, or a line with an ISBN, a call number or a publisher.
_AUTHOR_HEADER = re.compile(r"\b(?:authors?|creators?|editors?|illustrators?|contributors?|written by|by)\b",
                            re.IGNORECASE)
_BIBLIO_HEADER = re.compile(r"\b(?:isbn|issn|call (?:number|no|#)|publisher|title|barcode|edition|pub(?:lication)? "
                            r"(?:date|year)|copyright|dewey|lexile|material type|format|collection)\b", re.IGNORECASE)
# Cheap gates for the two above (Hyperscan), over a grid's first rows (where its header is) or a text.
_AUTHOR_WORDS = TermMatcher(_AUTHOR_HEADER)
_BIBLIO_WORDS = TermMatcher(_BIBLIO_HEADER)
_CATALOG_HEAD_ROWS = 60
_BIBLIO_LINE = words(r"isbn(?:-1[03])?:?", r"issn", r"call (?:number|no\.?|#)", r"publisher", r"published by",
                      r"\d{3}\.\d+ [A-Z]{2,4}", r"[A-Z]{1,3} ?\d{1,4}(?:\.\d+)? \.[A-Z]\d+")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_PARENT = words(r"guardians?", r"parents?", r"mother", r"father", r"emergency contact")


@dataclass(frozen=True, slots=True)
class Classification:
    """What an item holds: the classes, how many people, and the data categories (CONTRACT.md section 6)."""

    labels: tuple[str, ...]
    subjects: int
    categories: tuple[str, ...]


def classify(document: Document, findings: Iterable[Finding], proximity: int = 300) -> Classification:
    """Classify an item from its parts and findings."""
    found = _Tally(findings)
    findings = found.findings
    parts = {p.locator: p for p in document.parts}
    texts = {p.locator: p.text for p in document.parts}
    entities = found.entities
    authors = _bibliographic_names(document.parts, found.people, found.base_of)
    full_names = _full_names(found, authors, texts)
    labels: set[str] = set()
    records = _Records(document.parts)
    # Headings only of the parts that hold findings, and of the pages of the forms among them.
    bases = set(found.base_of.values())
    for base in list(bases):
        if records.is_form(base):
            bases.update(records.page_parts(base))
    headings = _Headings([p for p in document.parts if p.locator in bases], records)

    if found.elements and _any_near(full_names, found.elements, proximity, records):
        labels.add("MA_PI")

    # Term offsets and headed tables are found only for the parts a finding asks about, when asked.
    student_terms = _TermSpans(document.parts, STUDENT_TERMS)
    student_tables = headings.parts_with(_STUDENT_HEADINGS, document.parts)
    record_people = full_names + found.births
    if entities & STUDENT_IDS or _any_near_term(record_people, student_terms, student_tables, proximity, texts,
                                                records, found.base_of):
        labels.add("STUDENT_PII")
    text = "\n".join(p.text for p in document.parts)
    hits: list[TermHit] = []
    statements = text
    if "STUDENT_PII" in labels:
        subjects = [f for f in findings if f not in authors] if authors else findings
        spans = subject_spans(subjects)
        masked = statement_texts(document.parts, spans)
        hits = sensitive_hits(document.parts, subjects, STUDENT_TERMS, statements=masked, by_part=spans)
        if hits:
            labels.add("STUDENT_SENSITIVE")
        # Category words are read where they are statements too: "Attendance Office" in a signature
        # carries no attendance data.
        statements = "\n".join(masked[p.locator][0] for p in document.parts)

    personnel = full_names + found.accounts
    if entities & EMPLOYEE_IDS:
        labels.add("EMPLOYEE_PII")
    elif personnel:
        # A CORI check or fingerprinting is asked of volunteers and chaperones too, who are no staff.
        words = _EMPLOYEE_WITHOUT_CHECKS if _VOLUNTEERS.search(text) else EMPLOYEE_TERMS
        employee_terms = _TermSpans(document.parts, words)
        employee_tables = headings.parts_with(words, document.parts)
        if _any_near_term(personnel, employee_terms, employee_tables, proximity, texts, records, found.base_of):
            labels.add("EMPLOYEE_PII")
    if "CREDENTIAL" in entities:
        labels.add("CREDENTIALS")
    return Classification(tuple(sorted(labels)), found.subjects(),
                          data_categories(labels, found.record_entities, statements, parts.values(), hits))


_ACCOUNTS = frozenset({"US_SSN"}) | FINANCIAL


class _Tally:
    """What the classification needs of the findings, gathered in one pass over them.

    A roster's item holds tens of thousands of findings: one loop, and each locator's part found once,
    instead of a loop (and a split of the locator) per question asked of them.
    """

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = list(findings)
        by_entity: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            by_entity[f.entity].append(f)
        self.entities: set[str] = set(by_entity)
        # The part of each locator ("table" for "table row 4"), and the locators in mail headers.
        self.base_of = {loc: _base(loc) for loc in {f.locator for f in self.findings}}
        headers = {loc for loc in self.base_of if loc.startswith("header ")}
        # Entities of the record itself: the correspondents' own addresses in From/To/Cc are no contact data.
        self.record_entities = {e for e, found in by_entity.items()
                                if not headers or any(f.locator not in headers or f.locator == "header Subject"
                                                      for f in found)}
        self.people = by_entity.get("PERSON", [])
        # A full name: the preview keeps word boundaries ("J***** A******"), so it tells one from a lone word.
        full = [f for f in self.people if f.subject is not None or len(f.preview.split()) >= 2]
        # Full names outside mail headers, before authors and places are set aside (:func:`_full_names`).
        self.named = [f for f in full if f.locator not in headers] if headers else full
        self.births = by_entity.get("DATE_OF_BIRTH", [])
        # In the order found: who is near whom does not depend on it, but the work to find out does.
        self.elements = ([f for f in self.findings if f.entity in MA_PI_ELEMENTS]
                         if self.entities & MA_PI_ELEMENTS else [])
        self.accounts = [f for f in self.findings if f.entity in _ACCOUNTS] if self.entities & _ACCOUNTS else []
        self._roster = {f.subject for f in self.findings if f.subject}
        self._names = {f.value_hash for f in full if not f.subject}
        self._ids = {e: {f.value_hash for f in found if not f.subject}
                     for e, found in by_entity.items() if e in PERSONAL_IDS}

    def subjects(self) -> int:
        """:func:`count_subjects` of the findings."""
        return len(self._roster) + max([len(self._names)] + [len(v) for v in self._ids.values()])


def _full_names(found: _Tally, authors: set[Finding], texts: dict[str, str]) -> list[Finding]:
    """The full names that may make a record: not in a mail header, no author, no school's name."""
    # The texts of the parts that hold a word of a place's name at all: no other part names a place.
    places = {base: texts[base] for base in _bases(found.named, found.base_of)
              if base in texts and _PLACE_WORD.search(texts[base])}
    if not places and not authors:
        return list(found.named)
    out: list[Finding] = []
    for f in found.named:
        if authors and f in authors:
            continue
        text = places.get(found.base_of[f.locator])
        if text is None or _PLACE_AFTER.match(text, f.end, f.end + 40) is None:
            out.append(f)
    return out


def _bases(found: Iterable[Finding], base_of: dict[str, str]) -> set[str]:
    """The parts of some findings (``base_of``: the part of each locator)."""
    return {base_of[loc] for loc in {f.locator for f in found}}


def data_categories(labels: set[str], entities: set[str], text: str, parts: Iterable[Part],
                    sensitive: Sequence[TermHit] | None = None) -> tuple[str, ...]:
    """The data categories an item carries, for matching against what an authorization covers.

    ``sensitive``: the sensitive statements that made the item ``STUDENT_SENSITIVE``; they alone decide
    ``special_indicator`` and the conduct words among them ``conduct``, so the categories never claim
    more than the label. None (the default) searches ``text`` for the terms instead.
    """
    cats: set[str] = set()
    student = "STUDENT_PII" in labels
    employee = "EMPLOYEE_PII" in labels
    if "US_SSN" in entities or "US_ITIN" in entities:
        cats.add("ssn")
        if employee:
            cats.add("tax_id")
    if entities & FINANCIAL:
        cats.add("financial_account")
    if "US_DRIVER_LICENSE" in entities:
        cats.add("drivers_license")
    if "DATE_OF_BIRTH" in entities:
        cats.add("date_of_birth")
        if student:
            cats.add("demographics")
    if "CREDENTIAL" in entities:
        cats.add("credentials")
    if student:
        if "PERSON" in entities:
            cats.add("student_name")
        if entities & STUDENT_IDS:
            cats.add("student_id")
        if entities & {"PHONE_NUMBER", "EMAIL_ADDRESS"}:
            cats.add("parent_contact" if _PARENT.search(text) else "student_contact")
        for category in ("special_indicator", "conduct", "attendance", "assessment", "transcript", "enrollment",
                         "schedule", "demographics"):
            if sensitive is not None and category == "special_indicator":
                if sensitive:
                    cats.add(category)
            elif sensitive is not None and category == "conduct":
                conduct = _CATEGORY_TERMS["conduct"]
                # Each term once: a roster repeats "IEP" on every row.
                if any(conduct.search(t) for t in {h.term for h in sensitive}) or _CONDUCT_ONLY.search(text):
                    cats.add(category)
            elif _CATEGORY_TERMS[category].search(text):
                cats.add(category)
    if employee:
        if "PERSON" in entities:
            cats.add("employee_name")
        if entities & EMPLOYEE_IDS:
            cats.add("employee_id")
        if _CATEGORY_TERMS["compensation"].search(text):
            cats.add("compensation")
    return tuple(sorted(cats))


def _bibliographic_names(parts: Sequence[Part], people: Sequence[Finding],
                         base_of: dict[str, str]) -> set[Finding]:
    """PERSON findings that are authors: in an author column of a catalog, or on a line citing a book.

    ``base_of``: the part of each finding's locator.
    """
    if not people:
        return set()
    by_locator = {p.locator: p for p in parts}
    # The parts with a catalog (its tables with author columns) or a citation: no other part has authors.
    listed: dict[str, tuple[Part, list[tuple[HeaderTable, set[int]]]]] = {}
    for base in _bases(people, base_of):
        part = by_locator.get(base)
        if part is None:
            continue
        # Only a part that says "author" (or the like) and "ISBN"/"title" (or the like) can hold a
        # catalog: two searches spare the table layout of every other part.
        head = ("\n".join(" ".join(r) for r in part.rows[:_CATALOG_HEAD_ROWS]) if part.rows
                else part.text)
        maybe = bool(_AUTHOR_WORDS.search(head) and _BIBLIO_WORDS.search(head))
        catalogs = [(t, authors) for t in (header_tables(part) if maybe else ())
                    if (authors := {i for i, n in enumerate(t.names) if _AUTHOR_HEADER.search(n)})
                    and any(_BIBLIO_HEADER.search(n) for n in t.names)]
        if catalogs or _BIBLIO_LINE.search(part.text):
            listed[base] = (part, catalogs)
    out: set[Finding] = set()
    if not listed:
        return out
    for f in people:
        entry = listed.get(base_of[f.locator])
        if entry is None:
            continue
        part, catalogs = entry
        lo = part.text.rfind("\n", 0, f.start) + 1
        if catalogs:
            # In a catalog only the author columns are authors (a circulation report also names patrons).
            if any(t.column_at(f.start, lo) in authors for t, authors in catalogs):
                out.add(f)
            continue
        hi = part.text.find("\n", f.end)
        if _BIBLIO_LINE.search(part.text[lo : len(part.text) if hi < 0 else hi]):
            out.add(f)
    return out


def count_subjects(findings: Iterable[Finding]) -> int:
    """Best estimate of distinct people.

    A roster match names the person outright (``Finding.subject``); otherwise the larger of distinct
    full names and distinct personal IDs of one kind.
    """
    return _Tally(findings).subjects()


# A person's name that is the name of a school or building ("Martin Luther King Jr. School", "John F.
# Kennedy Middle School", "Amigos School"): an aggregate report by school names no one.
# Capitalized, as in a school's name: "Ava Jones high fever" in a nurse's note is about Ava Jones.
_PLACE_WORDS = ("Elementary", "Middle", "High", "Upper", "Lower", "Junior", "Intermediate", "Primary", "Community",
                "Charter", "Montessori", "School", "Academy", "Building")
_PLACE_AFTER = re.compile(r"(?:,?[ \t]*(?:Jr|Sr|JR|SR)\.?|[ \t]+[A-Z]\.)?[ \t]+(?:K-8|"
                          + "|".join(_PLACE_WORDS + tuple(w.upper() for w in _PLACE_WORDS)) + r")\b")


# Any word of a place's name: a part's text without one names no place.
_PLACE_WORD = re.compile("K-8|" + "|".join(_PLACE_WORDS + tuple(w.upper() for w in _PLACE_WORDS)))


def _is_row(locator: str) -> bool:
    return " row " in locator


def _base(locator: str) -> str:
    return locator.split(" row ", 1)[0]


def _row_range(locator: str) -> tuple[int, int] | None:
    """The rows of a row locator ("table row 4" is (4, 4); a form's "body row 3-9" is (3, 9))."""
    _, _, rows = locator.rpartition(" row ")
    first, _, last = rows.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    return int(first), int(last or first)


# A page of a printed form: the text around its tables is one record with them when no longer than this.
_FORM_PAGE_CHARS = 4000
# A page text no longer than this around a table is its title and banner, not prose of its own.
_CAPTION_CHARS = 600
_PAGE = re.compile(r"^(page \d+|slide \d+|sheet [^|]*?)(?: table \d+)?$")


class _Records:
    """Which findings belong to one record beyond a table row: label/value forms and their page.

    A form (a W-4, an ACH authorization, a permission slip) writes one person's fields in rows of its
    own, and a PDF or Word form puts its title and some fields in the page text and the rest in tables:
    every field of a form grid is one record with the text and the other forms of its page.
    """

    def __init__(self, parts: Sequence[Part]) -> None:
        self._parts = {p.locator: p for p in parts}
        self._forms: dict[str, bool] = {}

    def is_form(self, locator: str) -> bool:
        """Whether the part ``locator`` is a label/value form grid (computed once per part)."""
        known = self._forms.get(locator)
        if known is None:
            part = self._parts.get(locator)
            known = bool(part is not None and part.rows and len(part.rows) <= 400
                         and (grid_form_pairs(part.rows) or _label_value_grid(part.rows)))
            self._forms[locator] = known
        return known

    def page(self, locator: str) -> str | None:
        """The page a part is on ("page 2" for "page 2 table 1"; a short Word body for its tables)."""
        m = _PAGE.match(locator)
        if m:
            return m.group(1)
        if locator.startswith("table ") or locator == "body":
            body = self._parts.get("body")
            return "body" if body is not None and len(body.text) <= _FORM_PAGE_CHARS else None
        return None

    def caption(self, locator: str) -> str | None:
        """The short text of a table's page (a PDF page, a Word or HTML body): the table's title and banner.

        Extractors take a table out of the text around it, so "P-Card program - active cards" above a
        table of card holders is in the page text; when that text is short it is the table's caption.
        """
        page = self.page(locator)
        if page is None or page == locator:
            return None
        part = self._parts.get(page)
        return part.text if part is not None and len(part.text) <= _CAPTION_CHARS else None

    def page_parts(self, locator: str, all_forms: bool = False) -> list[str]:
        """The parts of the page of a form part: the page text and its form grids.

        ``all_forms``: for any part (not only a form), itself, its page's text and the form grids on it.
        """
        page = self.page(locator)
        if page is None or not (all_forms or self.is_form(locator)):
            return [locator]
        return [loc for loc in self._parts if loc == locator or (
            self.page(loc) == page and (loc == page or self.is_form(loc)))]

    def same_form(self, a: str, b: str) -> bool:
        """Whether parts ``a`` and ``b`` (one a form grid) are on the same page of a form."""
        if not (self.is_form(a) or self.is_form(b)):
            return False
        page = self.page(a)
        if page is None or page != self.page(b):
            return False
        return all(loc == page or self.is_form(loc) for loc in (a, b))


_FORM_ROWS = 40


def _label_value_grid(rows: Sequence[Sequence[str]]) -> bool:
    """A small grid of label/value rows whose labels the header lexicon may not know ("Business name").

    Most filled rows hold two cells, and at least two and a third of the first cells are labels, all
    distinct: a two-column roster has one label (its header) above a column of names.
    """
    filled = [[c.strip() for c in row if c.strip()] for row in rows[: _FORM_ROWS + 1]]
    filled = [cells for cells in filled if cells]
    if not 2 <= len(filled) <= _FORM_ROWS or sum(len(c) == 2 for c in filled) * 5 < len(filled) * 4:
        return False
    firsts = [cells[0] for cells in filled if len(cells) == 2]
    labels = sum(1 for c in firsts if is_label(c) or c.endswith((":", "?")))
    return labels >= 2 and labels * 3 >= len(firsts) and len(set(firsts)) == len(firsts)


class _Headings:
    """The headings of some parts (:func:`grid_headings`, :func:`text_headings`), each found once, on first use."""

    def __init__(self, parts: Sequence[Part], records: _Records | None = None) -> None:
        # The last part of a locator gives its heading (locators are unique in practice).
        self._parts = {p.locator: p for p in parts}
        self._records = records
        self._headings: dict[str, str] = {}

    def heading(self, locator: str) -> str | None:
        """The heading of the part ``locator``, or None when it is not one of this object's parts."""
        known = self._headings.get(locator)
        if known is not None:
            return known
        p = self._parts.get(locator)
        if p is None:
            return None
        heading = (grid_headings(p.rows, first_is_header=p.has_header) if p.rows else text_headings(p.text))
        caption = self._records.caption(p.locator) if self._records is not None and p.rows else None
        if caption:
            heading = f"{caption}\n{heading}"
        # A JSON array's key names its records ("json students", "json staff.drivers").
        if p.locator.startswith("json "):
            heading = f"{heading} {p.locator[5:].replace('.', ' ').replace('_', ' ')}"
        self._headings[locator] = heading
        return heading

    def has_terms(self, locator: str, pattern: TermMatcher) -> bool:
        """Whether the heading of the part ``locator`` holds one of the terms (see :meth:`with_terms`)."""
        h = self.heading(locator)
        return bool(h) and pattern.search(h)  # type: ignore[arg-type]

    def with_terms(self, pattern: TermMatcher, parts: Sequence[Part]) -> set[str]:
        """Parts with a table or form whose header, labels or title hold one of the terms.

        Every row of such a table (and every finding of such a form) is then such a record. The header
        is found wherever it is (below titles and banners), and typed header cells lend the words they
        stand for ("F/R" reads as "free or reduced lunch"); tables and forms inside text parts count too.
        """
        return {p.locator for p in parts if self.has_terms(p.locator, pattern)}

    def parts_with(self, pattern: TermMatcher, parts: Sequence[Part]) -> _HeadedParts:
        """:meth:`with_terms` as a container that looks at a part's heading only when asked about it."""
        return _HeadedParts(self, pattern, {p.locator for p in parts})


class _HeadedParts:
    """The parts whose heading holds a term (:meth:`_Headings.with_terms`), judged one by one on demand."""

    def __init__(self, headings: _Headings, pattern: TermMatcher, locators: set[str]) -> None:
        self._headings = headings
        self._pattern = pattern
        self._locators = locators
        self._known: dict[str, bool] = {}

    def __contains__(self, locator: object) -> bool:
        if not isinstance(locator, str) or locator not in self._locators:
            return False
        known = self._known.get(locator)
        if known is None:
            known = self._known[locator] = self._headings.has_terms(locator, self._pattern)
        return known


def _near(a: Finding, b: Finding, proximity: int, records: _Records | None = None) -> bool:
    """Same table row (or rows of one form), within ``proximity`` in one text, or one form's page."""
    base_a, base_b = _base(a.locator), _base(b.locator)
    if base_a != base_b:
        return records is not None and records.same_form(base_a, base_b)
    if a.locator == b.locator:
        return _is_row(a.locator) or abs(a.start - b.start) <= proximity
    if records is not None and records.is_form(base_a):
        return True
    ra, rb = _row_range(a.locator), _row_range(b.locator)
    if ra is not None and rb is not None:
        return ra[0] <= rb[1] and rb[0] <= ra[1]  # a form's rows "3-9" hold row 5
    return abs(a.start - b.start) <= proximity


def _any_near(people: Sequence[Finding], elements: Sequence[Finding], proximity: int, records: _Records) -> bool:
    """Whether any of ``people`` is :func:`_near` any of ``elements``, without trying every pair.

    A 20,000-row roster names people in rows that hold no account: each name is compared only with the
    elements of its own row, its own part, or (in a form) its page.
    """
    by_locator: set[str] = set()
    by_base: dict[str, list[Finding]] = defaultdict(list)
    for e in elements:
        by_locator.add(e.locator)
        by_base[_base(e.locator)].append(e)
    starts = {base: sorted(e.start for e in found) for base, found in by_base.items()}
    ranged = {base: [e for e in found if not _is_row(e.locator) or _is_range(e.locator)]
              for base, found in by_base.items()}
    on_page: dict[str, bool] = {}
    for p in people:
        if _is_row(p.locator) and p.locator in by_locator:
            return True
        base = _base(p.locator)
        if base not in on_page:
            # An element in a form on this part's page (or in this form, or the page's text).
            on_page[base] = records.page(base) is not None and any(
                loc in by_base and records.same_form(base, loc) for loc in records.page_parts(base, all_forms=True))
        if on_page[base]:
            return True
        found = by_base.get(base)
        if not found:
            continue
        if not _is_row(p.locator):
            at = starts[base]
            i = bisect.bisect_left(at, p.start - proximity)
            if i < len(at) and at[i] <= p.start + proximity:
                return True
            continue
        # A row: other rows only when one of the two spans several (a form in a text part).
        if any(_near(p, e, proximity, records) for e in (found if _is_range(p.locator) else ranged[base])):
            return True
    return False


def _is_range(locator: str) -> bool:
    return "-" in locator.rpartition(" row ")[2]


def _term_spans(parts: Sequence[Part], pattern: TermMatcher) -> dict[str, list[int]]:
    """Offsets of the terms in each part; for tables also keyed by row ("table row 5")."""
    spans: dict[str, list[int]] = {}
    for p in parts:
        found = [start for start, _ in pattern.spans(p.text)]
        spans[p.locator] = found
        if p.rows is not None and found:
            line_starts = line_starts_of(p.text)
            for pos in found:
                spans.setdefault(f"{p.locator} row {bisect.bisect_right(line_starts, pos)}", []).append(pos)
    return spans


class _TermSpans:
    """:func:`_term_spans` found part by part, for a part only when a caller asks about it or its rows.

    Keys are a part's locator (its term offsets) and "<locator> row <n>" (the offsets on row n of a
    table). When some part's locator itself holds " row ", a key cannot be told from its part, so every
    part is searched at once, as :func:`_term_spans` does.
    """

    def __init__(self, parts: Sequence[Part], pattern: TermMatcher) -> None:
        self._pattern = pattern
        self._by_locator: dict[str, list[Part]] = defaultdict(list)
        for p in parts:
            self._by_locator[p.locator].append(p)
        self._spans: dict[str, list[int]] = {}
        self._done: set[str] = set()
        if any(" row " in loc for loc in self._by_locator):
            self._spans = _term_spans(parts, pattern)
            self._done.update(self._by_locator)

    def _load(self, key: str) -> None:
        base = key.split(" row ", 1)[0]
        if base in self._done:
            return
        self._done.add(base)
        # The parts of one locator, in document order: the same entries _term_spans gives those keys.
        self._spans.update(_term_spans(self._by_locator.get(base, ()), self._pattern))

    def get(self, key: str, default: Any = None) -> Any:
        """The offsets under ``key`` (a part or one of its rows), or ``default``."""
        self._load(key)
        return self._spans.get(key, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        self._load(key)
        return key in self._spans


def _tables_with(parts: Sequence[Part], pattern: TermMatcher) -> set[str]:
    """Parts with a table or form whose header, labels or title hold one of the terms (see :class:`_Headings`)."""
    return _Headings(parts).with_terms(pattern, parts)


def _any_near_term(found: Sequence[Finding], terms: _TermSpans, tables: Container[str], proximity: int,
                   texts: dict[str, str], records: _Records, base_of: dict[str, str]) -> bool:
    """Whether any of ``found`` is :func:`_near_term`; a part with no term, heading or form is passed over whole.

    ``base_of``: the part of each finding's locator.
    """
    # What _near_term says first of every finding of a part: a part with no term, heading or form has none.
    near = {base for base in _bases(found, base_of) if base in tables or terms.get(base) or records.is_form(base)}
    return bool(near) and any(_near_term(f, terms, tables, proximity, texts, records)
                              for f in found if base_of[f.locator] in near)


def _near_term(f: Finding, terms: _TermSpans | dict[str, list[int]], tables: Container[str], proximity: int,
               texts: dict[str, str], records: _Records | None = None) -> bool:
    """A term in the same table row or form, or in the same sentence and within ``proximity`` characters.

    The sentence matters: district prose mentions students and payroll everywhere ("87,800 students
    across 6 schools"), and a name in the next sentence is not thereby a student's or an employee's.
    A form's title and labels speak for all its fields, on its page ("Form W-4 Employee's Withholding
    Certificate" above the table of fields).
    """
    base = _base(f.locator)
    if base not in tables and not terms.get(base) and (records is None or not records.is_form(base)):
        return False  # no term in the part at all: the common case of a big table of another kind
    if records is not None and records.is_form(base) and any(
            loc in tables or terms.get(loc) for loc in records.page_parts(base)):
        return True
    if _is_row(f.locator):
        if base in tables or f.locator in terms:
            return True
        rows = _row_range(f.locator)
        # A form's fields over several rows: a term on any of its rows.
        if rows is not None and rows[0] != rows[1] and any(
                f"{base} row {r}" in terms for r in range(rows[0], min(rows[1], rows[0] + 60) + 1)):
            return True
        if base not in texts or records is None or records.is_form(base):
            return False
        # A form inside a text part ("body row 3-9"): judged by sentence and distance, as in prose.
    text = texts.get(base, "")
    for pos in terms.get(base, ()):
        if abs(pos - f.start) > proximity:
            continue
        lo, hi = (pos, f.start) if pos < f.start else (f.end, pos)
        if not _SENTENCE_END.search(text, lo, hi):
            return True
    return False
