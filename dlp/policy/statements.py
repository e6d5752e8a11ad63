"""Sensitive terms by meaning: which health, special-education, discipline and lunch-status words are
statements about someone, and which are only part of a signature, an address or a job title.

"counselor" in ``counselor@example.org``, in a signature block ("Best,\\nMaria Lopez\\nSchool Counselor"),
in "Counseling Office, 12 Main St" or in a mail header says nothing about a student. Such places are
blanked out (the text keeps its length, so offsets still hold) before the term lists are searched:

* e-mail addresses and URLs;
* mail header parts (From, To, Cc...; the Subject is kept) and header lines quoted in a body;
* signature blocks: the short, title-like lines after a sign-off ("--", "Thanks,", "Sincerely,",
  "Best regards,");
* office and department names ("Health Office", "Special Education Department", "Office of Student
  Services", "the nurse's office"), wherever they stand;
* job titles ("School Counselor", "IEP Coordinator", "Director of Special Education", "Nurse
  Practitioner") standing as titles: on a short label-like line (a letterhead, a signature, a contact
  row) or beside a person's name ("Maria Lopez, School Counselor"). A title inside a sentence is kept but
  counts only as a weak term.

What is left is judged by strength. A strong term (IEP, 504 plan, diagnosed, suspended, free or reduced
lunch...) counts anywhere in a student record. A weak term (nurse, counselor, medical, discipline...)
counts only in the same sentence or table row as a student word or a person other than the one it
titles: "The nurse gave Jordan Okafor his inhaler" is about a student, "Ask the nurse" is not.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from dlp.detect.headers import INDICATOR, header_kind
from dlp.detect.layout import find_segments, text_tables
from dlp.detect.tables import row_offsets
from dlp.detect.terms import TermMatcher
from dlp.policy.labels import SENSITIVE_TERMS, STRONG_TERMS, WEAK_TERMS, words
from dlp.types import Finding, Part

# Header cells that make a column a special indicator (CONTRACT.md section 6) only as a header: "504" in
# prose is a room number.
_INDICATOR_HEADERS = frozenset({
    "504", "504 plan", "iep", "sped", "special ed", "special education", "ell", "el", "lep", "esl", "f/r", "frl",
    "frpl", "free/reduced", "free reduced", "meal status", "lunch status", "meal eligibility", "meal code",
    "disability", "disability category", "primary disability", "homeless", "mckinney-vento", "foster",
    "foster care", "medical", "medical alert", "medical conditions", "allergies", "health conditions",
    "medications", "discipline", "suspensions", "low income",
})
CELL_SEPARATOR = " | "  # how a grid part's text joins its cells (dlp.extract._common.rows_to_text)
_VALUE_SAMPLE = 500
# A column listing each student's programs or services: its values name the indicator ("IEP", "504").
_PROGRAM_HEADER = re.compile(r"\b(?:programs?|services|flags?|designations?|indicators?|special populations?"
                             r"|supports?|plans?)\b", re.IGNORECASE)
_MIN_STATUS_ROWS = 3
# A column of lunch statuses, as food-service exports write them.
_MEAL_VALUES = frozenset({"free", "reduced", "paid", "full", "full pay", "direct cert", "direct certification",
                          "directly certified", "dc", "f", "r", "p", "d", "", "-"})
_MEAL_WORDS = frozenset({"free", "reduced", "direct cert", "direct certification", "directly certified"})
# Cell values that say "not in the program", so a column of them flags no one.
_NO_VALUES = frozenset({
    "", "n", "no", "none", "0", "false", "-", "--", "n/a", "na", "paid", "full", "full pay", "full price",
    "not eligible", "ineligible", "not identified", "nka", "nkda", "none known", "no known allergies",
    "not applicable",
})

_AREA = (
    r"(?:special education|special ed|sped|student services|pupil (?:personnel )?services|special services|"
    r"health services|health|nursing|school counseling|counseling|guidance|adjustment|mental health|"
    r"behavioral health|wellness|student support|discipline|english learners?|english language learners?|ell|"
    r"esl|el|bilingual|504|iep|homeless(?: education)?|mckinney-vento|foster care|medical|disability services)"
)
_UNIT = r"(?:department|dept\.?|office|offices|center|centre|clinic|suite|wing)"
_ROLE = (
    r"(?:director|coordinator|supervisor|administrator|chair(?:person)?|team chair|dean|liaison|specialist|"
    r"teacher|tutor|aide|paraprofessional|para|evaluator|secretary|assistant|manager|case manager|clerk|"
    r"counsel(?:l)?or|nurse(?: practitioner)?|psychologist|social worker|therapist|interpreter|facilitator)"
)
# Offices and departments: never a statement about anyone.
OFFICES = words(
    _AREA + r"(?: services)? " + _UNIT, r"(?:department|dept\.?|office|division) (?:of|for) (?:the )?" + _AREA,
    r"nurse(?:'s|s'|s|’s)? (?:office|station|room)", r"counsel(?:l)?ing (?:office|center|centre|suite)",
)
# Job titles: a role, qualified by an area ("IEP Coordinator", "Director of Special Education") or a
# place ("School Counselor", "Adjustment Counselor", "Head Nurse"), or a title on its own.
TITLES = words(
    _AREA + r"(?: services)? " + _ROLE,
    r"(?:director|coordinator|supervisor|administrator|chair(?:person)?|dean|liaison|specialist|teacher|manager)"
    r" (?:of|for) (?:the )?" + _AREA,
    r"(?:school|guidance|adjustment|district|head|lead|staff|licensed|registered|certified|substitute|building|"
    r"school-based|clinical|family|crisis|college|career|academic|student|elementary|middle school|high school)"
    r"(?: school)? (?:nurse|counsel(?:l)?or)s?",
    r"nurse practitioner", r"nurse leader", r"nurse manager",
    r"(?:rn|lpn|bsn|lmhc|lcsw|licsw),? (?:nurse|counsel(?:l)?or)",
)

_EMAIL_OR_URL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+", re.IGNORECASE)
# What each e-mail address or URL holds, and what none does.
# ("www." in any case: "w" has no other case forms; a leading class lets re skip to candidates quickly.)
_ADDRESS_MARK = re.compile(r"[@:wW](?:(?<=@)|(?<=:)//|(?<=[wW])[wW]{2}\.)")
_BLANK = re.compile(r"[ \t\n]")
_HEADER_LINE = re.compile(r"^[ \t>]*(?:from|to|cc|bcc|sent|date|reply-to)[ \t]*:.*$", re.IGNORECASE | re.MULTILINE)
class _LinePattern:
    """A MULTILINE pattern that starts with "^", searched from newline to newline.

    re tries "^" at every character of the text; the same pattern with a newline in place of "^" lets
    it jump from newline to newline. :meth:`finditer` finds the matches of the original pattern, but
    those after the first line start at the newline before theirs: read their groups or their end.
    """

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = re.compile(pattern, flags | re.MULTILINE)
        self._after_newline = re.compile("\n" + pattern.removeprefix("^"), flags | re.MULTILINE)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches of the pattern in order (see above for their start)."""
        first = self.pattern.match(text)
        if first is not None:
            yield first
        yield from self._after_newline.finditer(text, 0 if first is None else first.end())


_SIGN_OFF = _LinePattern(
    r"^[ \t>]*(?:--|—|__+|thanks(?: so much| again| and regards)?|thank you(?: so much)?|many thanks|sincerely"
    r"(?: yours)?|yours (?:truly|sincerely)|best|best regards|best wishes|all the best|regards|kind regards|"
    r"warm regards|warmly|respectfully|cheers|cordially|take care|with gratitude|in partnership)[ \t]*[,.!]?[ \t\r]*$",
    re.IGNORECASE,
)
# Where a signature block ends: a quoted reply, a forwarded header, a separator.
_BLOCK_END = re.compile(r"^\s*(?:>|on .{4,80} wrote:|-{3,}|from:|sent:|begin forwarded)", re.IGNORECASE)
_SIGNATURE_LINES = 10
_SHORT_LINE_WORDS = 10
_WORD = re.compile(r"[^\W\d_][\w'’.&-]*")
_CONNECTOR_WORDS = frozenset({"of", "and", "the", "for", "at", "&", "de", "la", "in", "to", "on"})
# Text between a person's name and a title that makes the title that person's ("Maria Lopez, School
# Counselor", "Ms. Lopez is our counselor", "Counselor: Maria Lopez").
_APPOSITION = re.compile(
    r"^[\s,;:|()\[\]/–—-]*(?:(?:is|was|as|our|the|your|my|a|an|and|acting|interim)[\s,;:|()/–—-]+)*$", re.IGNORECASE
)
_APPOSITION_REACH = 24
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}")
_MAX_NAME_CHARS = 200
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_NOT_NEWLINE = re.compile(r"[^\n]")
# Anchors for a weak term: whose statement it is.
_SUBJECT_ENTITIES = frozenset({"PERSON", "MA_SASID", "STUDENT_ID", "DATE_OF_BIRTH", "MASSHEALTH_ID"})


@dataclass(frozen=True, slots=True)
class TermHit:
    """A sensitive term that counts: where it is, its text, and whether it is a weak one."""

    locator: str
    start: int
    end: int
    term: str
    weak: bool


def _is_header_part(part: Part) -> bool:
    # Mail headers other than the Subject name the correspondents; the Subject is something they wrote.
    return part.locator.startswith("header ") and part.locator != "header Subject"


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return lo, len(text) if hi < 0 else hi


def _title_like(line: str) -> bool:
    """A short line of capitalized words (a name, a title, an organisation, an address) or a contact line."""
    words = _WORD.findall(line)
    if len(words) > _SHORT_LINE_WORDS:
        return False
    if not words or "@" in line or re.search(r"\d{3}\D{0,2}\d{3}\D?\d{4}", line):
        return True
    capital = sum(1 for w in words if w[0].isupper() or w.lower() in _CONNECTOR_WORDS)
    return capital / len(words) >= 0.6 and not re.search(r"[.!?]\s+[A-Z]", line)


def _signature_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of signature blocks: the title-like lines after each sign-off line."""
    spans: list[tuple[int, int]] = []
    for sign_off in _SIGN_OFF.finditer(text):
        pos = sign_off.end() + 1
        start, lines, seen_name = pos, 0, False
        while pos < len(text) and lines < _SIGNATURE_LINES:
            lo, hi = _line_bounds(text, pos)
            line = text[lo:hi]
            if line.strip():
                if _BLOCK_END.match(line) or not _title_like(line):
                    break
                seen_name = True
                lines += 1
            elif seen_name and lines >= 1 and text[hi + 1 : hi + 2] == "\n":
                break  # two blank lines after the block: what follows is new text
            pos = hi + 1
        if pos > start:
            spans.append((start, min(pos, len(text))))
    return spans


def _addresses(text: str) -> list[tuple[int, int]]:
    """Spans of e-mail addresses and URLs, as ``_EMAIL_OR_URL.finditer`` gives them.

    Neither holds a blank, and each holds an "@", a "://" or a "www.": the pattern is run only over the
    blank-free stretches around those marks, not at every character of a roster's text.
    """
    spans: list[tuple[int, int]] = []
    done = 0
    for mark in _ADDRESS_MARK.finditer(text):
        at = mark.start()
        if at < done:
            continue  # in the stretch searched already
        lo = max(done, text.rfind(" ", done, at) + 1, text.rfind("\t", done, at) + 1, text.rfind("\n", done, at) + 1)
        blank = _BLANK.search(text, mark.end())
        done = blank.start() if blank is not None else len(text)
        # (finditer's matches, one search after another: a stretch holds one address as a rule.)
        m = _EMAIL_OR_URL.search(text, lo, done)
        while m is not None:
            spans.append(m.span())
            m = _EMAIL_OR_URL.search(text, m.end(), done)
    return spans


def _header_lines(text: str) -> list[tuple[int, int]]:
    """Spans of mail header lines, as ``_HEADER_LINE.finditer`` gives them, searched only on lines with a colon."""
    spans: list[tuple[int, int]] = []
    at = text.find(":")
    while at >= 0:
        lo, hi = _line_bounds(text, at)
        spans += [m.span() for m in _HEADER_LINE.finditer(text, lo, hi)]
        at = text.find(":", hi)
    return spans


def _in_apposition(text: str, start: int, end: int, people: Sequence[tuple[int, int]]) -> bool:
    """A title right next to a person's name ("Maria Lopez, School Counselor"; "Nurse Kelly Smith")."""
    for p_start, p_end in people:
        if p_end <= start and start - p_end <= _APPOSITION_REACH and _APPOSITION.match(text[p_end:start]):
            return True
        if p_start >= end and p_start - end <= _APPOSITION_REACH and _APPOSITION.match(text[end:p_start]):
            return True
    return False


def statement_text(part: Part, people: Sequence[tuple[int, int]] = ()) -> tuple[str, list[tuple[int, int]]]:
    """The part's text with non-statements blanked, and the spans of job titles left inside sentences.

    ``people``: (start, end) of the person findings in this part, to tell a title beside a name. The
    blanked text has the same length and line breaks as the original, so offsets still hold.
    """
    text = part.text
    if _is_header_part(part):
        return " " * len(text), []
    spans: list[tuple[int, int]] = []
    for view in header_tables(part):
        # A header cell is no statement: indicator columns are judged by their values
        # (:func:`_indicator_columns`), and a weak word heads a column of assigned staff ("Counselor").
        for r in view.header_rows:
            for c, cell in enumerate(view.rows[r]):
                at = view.cell_start(r, c)
                if at is None or not cell:
                    continue
                if _is_indicator_header(cell):
                    spans.append((at, at + len(cell)))
                else:
                    spans += [(at + s, at + e) for s, e in WEAK_TERMS.spans(cell)]
    spans += _unanswered_labels(part)
    if "@" in text or "://" in text or "www." in text:
        spans += _addresses(text)
    spans += _header_lines(text)
    spans += _signature_spans(text)
    spans += OFFICES.spans(text)
    prose_titles: list[tuple[int, int]] = []
    for start, end in TITLES.spans(text):
        lo, hi = _line_bounds(text, start)
        if _title_like(text[lo:hi]) or _in_apposition(text, start, end, people):
            spans.append((start, end))
        else:
            prose_titles.append((start, end))
    return _blanked(text, spans), prose_titles


# A form label answered in the negative or left blank ("Allergies / Medical Conditions: None",
# "IEP or 504 plan? (Y/N) N", "Medications: ____"): a question asked of everyone, no statement.
_NEGATIVE_ANSWER = r"(?:no|n|none|none known|n/?a|not applicable|nka|nkda|no known allergies|-+|_+|\.)?"
_UNANSWERED_LINE = _LinePattern(
    r"^[ \t]*([^\n:?|]{2,80}?(?:[:?]|\(y/n\)|\(yes/no\))(?:[ \t]*\((?:y/n|yes/no)\))?)[ \t:|]*"
    + _NEGATIVE_ANSWER + r"[ \t.]*$",
    re.IGNORECASE,
)
_FORM_GRID_ROWS = 400


# Whether a part's text holds a sensitive term at all: masking and the hits both ask it of every part.
# Keyed by identity; the entry holds the part, so its id is not reused while cached.
_HAS_TERMS: dict[int, tuple[Part, bool]] = {}
_HAS_TERMS_KEPT = 64


def _has_sensitive_terms(part: Part) -> bool:
    known = _HAS_TERMS.get(id(part))
    if known is not None and known[0] is part:
        return known[1]
    found = SENSITIVE_TERMS.search(part.text)
    if len(_HAS_TERMS) >= _HAS_TERMS_KEPT:
        _HAS_TERMS.clear()
    _HAS_TERMS[id(part)] = (part, found)
    return found


def _unanswered_labels(part: Part) -> list[tuple[int, int]]:
    """Spans of form labels with a sensitive term whose answer is negative or empty (see above)."""
    text = part.text
    if not _has_sensitive_terms(part):
        return []
    spans: list[tuple[int, int]] = []
    if part.rows and len(part.rows) <= _FORM_GRID_ROWS:
        # A form grid: the label in one cell, its answer in the next (or none at all).
        offsets: list[list[int]] = []  # of every row's cells, when a label needs them
        for r, row in enumerate(part.rows):
            cells = [c.strip() for c in row]
            if not 1 <= sum(1 for c in cells if c) <= 6:
                continue
            for c, cell in enumerate(cells):
                if not cell or not SENSITIVE_TERMS.search(cell):
                    continue
                if c + 1 >= len(cells):
                    continue  # a value in the last cell, or a label with nowhere to answer
                answer = cells[c + 1].lower()
                if answer.strip(" .") in _NO_VALUES or set(answer) <= {"_", "-", " "}:
                    offsets = offsets or row_offsets(part.rows)
                    at = offsets[r][c]
                    spans.append((at, at + len(row[c])))
    elif not part.rows:
        for m in _UNANSWERED_LINE.finditer(text):
            if SENSITIVE_TERMS.search(m.group(1)):
                spans.append(m.span(1))
    return spans


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span turned to spaces, its line breaks kept."""
    if not spans:
        return text
    pieces: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        pieces.append(text[pos:start])
        blank = text[start:end]
        pieces.append(_NOT_NEWLINE.sub(" ", blank) if "\n" in blank else " " * (end - start))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


@dataclass(frozen=True, slots=True)
class HeaderTable:
    """A table of a part as the layout finder sees it: rows, header rows, data rows, cell offsets."""

    rows: Sequence[Sequence[str]]
    header_rows: tuple[int, ...]
    names: tuple[str, ...]
    data: tuple[int, ...]
    starts: Sequence[Sequence[int]] | None
    text: str

    def column_at(self, offset: int, line_start: int) -> int | None:
        """The column of the cell holding ``offset`` (on the line starting at ``line_start``), if known."""
        if self.starts is None:
            return self.text.count(CELL_SEPARATOR, line_start, offset)
        firsts = [row[0] for row in self.starts if row]
        r = bisect.bisect_right(firsts, offset) - 1
        if r < 0 or self.starts[r][0] < line_start:
            return None
        return bisect.bisect_right(self.starts[r], offset) - 1

    def cell_start(self, r: int, c: int) -> int | None:
        """Offset of cell ``c`` of row ``r`` in the part's text, when it can be told."""
        if self.starts is not None:
            at = self.starts[r][c] if r < len(self.starts) and c < len(self.starts[r]) else None
            if at is not None:
                found = self.text.find(self.rows[r][c], at, at + len(self.rows[r][c]) + 64)
                return found if found >= 0 else None
            return None
        # A grid part's text is its rows joined (rows_to_text): offsets of the first rows suffice.
        offsets = row_offsets(self.rows[: r + 1])
        at = offsets[r][c] if c < len(offsets[r]) else None
        cell = self.rows[r][c]
        return at if at is not None and self.text[at : at + len(cell)] == cell else None


# header_tables of the parts of the item being classified: the classification asks about each part three
# or four times (masking, indicator columns, bibliographic names). Keyed by identity; the entry holds the
# part, so its id is not reused while cached.
_TABLES: dict[int, tuple[Part, list[HeaderTable]]] = {}
_TABLES_KEPT = 64


def header_tables(part: Part) -> list[HeaderTable]:
    """The tables with a header in a part: its grid (the header found below titles), or tables in its text."""
    known = _TABLES.get(id(part))
    if known is not None and known[0] is part:
        return list(known[1])
    out = _header_tables(part)
    if len(_TABLES) >= _TABLES_KEPT:
        _TABLES.clear()
    _TABLES[id(part)] = (part, out)
    return list(out)


def _header_tables(part: Part) -> list[HeaderTable]:
    out: list[HeaderTable] = []
    if part.rows:
        for seg in find_segments(part.rows, first_is_header=part.has_header):
            if seg.header is not None:
                out.append(HeaderTable(part.rows, seg.header_rows, seg.names, seg.rows, None, part.text))
        return out
    for table in text_tables(part.text):
        for seg in find_segments(table.rows):
            if seg.header is not None:
                out.append(HeaderTable(table.rows, seg.header_rows, seg.names, seg.rows, table.starts, part.text))
    return out


def _header_key(cell: str) -> str:
    return " ".join(cell.lower().replace("_", " ").split()).strip(" :#*.")


def _cell_value(cell: str, name: str) -> str:
    """A cell's value in lower case, without its column's name in front ("programs[0]: 504" from JSON)."""
    value = cell.strip()
    if name and value.startswith(name + ":"):
        value = value[len(name) + 1 :].strip()
    return value.lower()


def _is_indicator_header(cell: str) -> bool:
    return header_kind(cell) == INDICATOR or _header_key(cell) in _INDICATOR_HEADERS


def _indicator_columns(part: Part) -> bool:
    """A table with a special-indicator column ("504", "Meal Status", "SPED") and a value set in it.

    A column of lunch statuses counts by its values too, whatever its header ("Elig.", "Code"): full
    words "Free", "Reduced" or "Direct Cert" among a column of such statuses.
    """
    for table in header_tables(part):
        for c, name in enumerate(table.names):
            # Values are read one by one and the reading stops as soon as the column is decided.
            values = (_cell_value(table.rows[r][c], name) for r in table.data[:_VALUE_SAMPLE] if c < len(table.rows[r]))
            if _is_indicator_header(name):
                if any(v not in _NO_VALUES for v in values):
                    return True
            elif _PROGRAM_HEADER.search(name):
                if any(v in _INDICATOR_HEADERS for v in values):
                    return True
            elif _meal_column(values):
                return True
    return False


def _meal_column(values: Iterable[str]) -> bool:
    """At least ``_MIN_STATUS_ROWS`` values, all lunch statuses, one of them a full word ("Free")."""
    count, words = 0, False
    for v in values:
        if v not in _MEAL_VALUES:
            return False
        count += 1
        words = words or v in _MEAL_WORDS
    return count >= _MIN_STATUS_ROWS and words


def subject_spans(findings: Iterable[Finding]) -> dict[str, list[tuple[int, int]]]:
    """Sorted (start, end) of the findings that name someone (people, student IDs, birth dates), by part."""
    named = [f for f in findings if f.entity in _SUBJECT_ENTITIES]
    # The part of each locator, None for a mail header's: a roster's rows are split once each.
    part_of = {loc: None if loc.startswith("header ") else loc.split(" row ", 1)[0]
               for loc in {f.locator for f in named}}
    parts = set(part_of.values())
    if len(parts) == 1:  # the usual case: one part
        (part,) = parts
        return {} if part is None else {part: sorted([(f.start, f.end) for f in named])}
    by_part: dict[str, list[tuple[int, int]]] = {}
    for f in named:
        if (part := part_of[f.locator]) is not None:
            by_part.setdefault(part, []).append((f.start, f.end))
    for spans in by_part.values():
        spans.sort()
    return by_part


def statement_texts(parts: Sequence[Part], by_part: dict[str, list[tuple[int, int]]],
                    ) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    """:func:`statement_text` of every part, by locator; ``by_part`` from :func:`subject_spans`."""
    return {p.locator: statement_text(p, by_part.get(p.locator, ())) for p in parts}


def sensitive_hits(parts: Sequence[Part], findings: Iterable[Finding], student_terms: TermMatcher,
                   first_only: bool = False,
                   statements: dict[str, tuple[str, list[tuple[int, int]]]] | None = None,
                   by_part: dict[str, list[tuple[int, int]]] | None = None) -> list[TermHit]:
    """The sensitive terms that are statements about someone, in document order.

    ``student_terms``: the words that make a sentence about a student (anchors for weak terms).
    ``first_only``: stop at the first hit (enough to set a label).
    ``statements``, ``by_part``: :func:`statement_texts` and :func:`subject_spans`, when the caller has them.
    """
    findings = list(findings)
    if by_part is None:
        by_part = subject_spans(findings)
    lazy_names: list[frozenset[str]] = []

    def names() -> frozenset[str]:
        # Only a weak term that no found person anchors needs the name words.
        if not lazy_names:
            lazy_names.append(_namewords(parts, findings))
        return lazy_names[0]

    hits: list[TermHit] = []
    for part in parts:
        if not part.text or _is_header_part(part):
            continue
        if _indicator_columns(part):
            hits.append(TermHit(part.locator, 0, 0, "indicator column", weak=False))
            if first_only:
                return hits
        if not _has_sensitive_terms(part):
            continue
        people = by_part.get(part.locator, [])
        known = statements.get(part.locator) if statements is not None else None
        text, prose_titles = known if known is not None else statement_text(part, people)
        for start, end in STRONG_TERMS.spans(text):
            in_title = any(s <= start and end <= e for s, e in prose_titles)
            if in_title and not _anchored(text, start, end, people, student_terms, prose_titles, names):
                continue
            hits.append(TermHit(part.locator, start, end, text[start:end], weak=in_title))
            if first_only:
                return hits
        for start, end in WEAK_TERMS.spans(text):
            if _anchored(text, start, end, people, student_terms, prose_titles, names):
                hits.append(TermHit(part.locator, start, end, text[start:end], weak=True))
                if first_only:
                    return hits
    hits.sort(key=lambda h: (h.locator, h.start))
    return hits


_LAST_ENDS: list[tuple[str, list[int], list[int]]] = []


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or table row: a row is one line) around ``text[start:end]``, at most 400 characters back."""
    if _LAST_ENDS and _LAST_ENDS[0][0] is text:
        _, starts, stops = _LAST_ENDS[0]
    else:
        found = [m.span() for m in _SENTENCE_END.finditer(text)]
        starts, stops = [e for _, e in found], [s for s, _ in found]
        _LAST_ENDS[:] = [(text, starts, stops)]
    i = bisect.bisect_right(starts, start) - 1
    lo = max(starts[i] if i >= 0 else 0, start - 400)
    j = bisect.bisect_left(stops, end)
    return lo, (stops[j] if j < len(stops) else len(text))


def _namewords(parts: Sequence[Part], findings: Iterable[Finding]) -> frozenset[str]:
    """The words of the full names found in the item: "Jeffrey" after "Jeffrey Reyes" names him again."""
    texts = {p.locator: p.text for p in parts}
    words: set[str] = set()
    for f in findings:
        if f.entity != "PERSON" or f.locator.startswith("header "):
            continue
        value = texts.get(f.locator.split(" row ", 1)[0], "")[f.start : f.end]
        words.update(w for w in _NAME_WORD.findall(value) if w[0].isupper() and w.lower() not in _CONNECTOR_WORDS)
    return frozenset(words)


def _names_someone(text: str, lo: int, hi: int, t_start: int, t_end: int,
                   people: Iterable[tuple[int, int]]) -> bool:
    """One of ``people`` is in the sentence ``text[lo:hi]`` and is not the one the title names."""
    for p_start, p_end in people:
        if p_end <= lo or p_start >= hi:
            continue
        if p_end <= t_start and _APPOSITION.match(text[p_end:t_start]):
            continue  # the person the title belongs to ("Ms. Lopez, our counselor")
        if p_start >= t_end and _APPOSITION.match(text[t_end:p_start]):
            continue
        return True
    return False


def _anchored(text: str, start: int, end: int, people: Sequence[tuple[int, int]], student_terms: TermMatcher,
              prose_titles: Sequence[tuple[int, int]],
              names: Callable[[], frozenset[str]] | None = None) -> bool:
    """A weak term counts when its sentence (or table row) also names a student or another person.

    ``people`` is sorted by start; ``names`` gives the words of names found elsewhere in the item.
    """
    lo, hi = _sentence(text, start, end)
    t_start, t_end = next(((s, e) for s, e in prose_titles if s <= start and end <= e), (start, end))
    # People starting within the sentence (a name is never longer than the 400 characters looked back).
    first = bisect.bisect_left(people, (lo - _MAX_NAME_CHARS, 0))
    last = bisect.bisect_left(people, (hi, 0))
    if _names_someone(text, lo, hi, t_start, t_end, people[first:last]):
        return True
    if names is not None:
        words = names()
        mentions = [m.span() for m in _NAME_WORD.finditer(text, lo, hi) if m.group(0) in words]
        if mentions and _names_someone(text, lo, hi, t_start, t_end, mentions):
            return True
    # A student word outside the term or title itself ("Student Support Counselor" is no student).
    return any(not (m.start() < t_end and t_start < m.end()) for m in student_terms.pattern.finditer(text, lo, hi))
