"""Full names of people (PERSON) found by name lists, anywhere in a text or a table cell.

spaCy's NER finds names only where the fast engine runs it (windows around IDs and record terms) and
misses many in cells, rosters in capitals and pasted tables. This recognizer reads every run of two or
more capitalized words (one Hyperscan pattern nominates them, see :meth:`prefilter_patterns`) and judges
it with set lookups in the US Census 1990 first-name and surname lists and an English vocabulary
(:mod:`detectors.name_lexicon` states their provenance and licences: the PyPI package ``names`` 0.3.0, MIT,
and WordNet via the spaCy model's lemmatizer tables).

Forms: ``First Last``, ``First M. Last``, ``First Middle Last``, ``Last, First [M.]``, all capitals,
hyphenated parts (``Smith-Jones``), particles (``de la Cruz``, ``van der Berg``, ``O'Brien``,
``McDonald``, ``St. John``) and diacritics (``José Núñez``, composed or decomposed: the lookup folds them).

Scores:

* a listed first name that is only a name (the Census lists, plus modern names they lack) and a listed
  surname: 0.85; 0.7 when the surname is also a word ("Young", "Brown") or in no list but no English word
  either ("Okafor" would be, were it not listed: many surnames are missing from the 1990 list);
* a first name that is also a common word ("Will", "May", "Grant", "Hope"): 0.6 before a listed surname
  that is no word ("Will Patterson"); before one that is a word too ("Will Brown", "Grant Young") or in no
  list, below the reporting threshold, marked ``needs_ner`` in the result's metadata. The fast engine runs
  spaCy's NER on a small window around such a candidate and reports it only when NER agrees; the Presidio
  engine runs NER over everything anyway.
* a first name in no list, or an initial alone ("J. Okafor"), is left to NER where the engine runs it.

Never a name: a run containing a label or header word ("Date of Birth", "Account Number", "Student Name"),
a job title ("School Counselor", "Bus Driver"), a month or a day; a name followed by a street, school or
organisation word ("Washington Street", "Kennedy Middle School"); a bibliographic author ("by Jane Austen",
"Author: ...", a citation "Twain, Mark. The Adventures of ..."); a historical figure with life dates
("John Quincy Adams (born July 11, 1767)").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from detectors.base import Examples
from detectors.name_lexicon import (
    ACCENTED_FIRST_NAMES,
    NEVER_NAME_WORDS,
    NOT_FIRST_NAMES,
    PLACE_WORDS,
    SURNAME_PLACE_WORDS,
    NameLexicon,
    fold,
    lexicon,
)

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

# Upper-case letters of the Latin scripts (Basic Latin to Latin Extended-B), for the regex classes: Python's
# re has no \p{Lu}.
_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x250)) if ch.isupper())
_MARKS = "\u0300-\u036f"  # combining diacritics of a decomposed "José"
_LETTER = rf"(?:[^\W\d_]|[{_MARKS}])"
# A capitalized word: O'Brien, D'Angelo, Smith-Jones, McDonald, José. A possessive "'s" is not part of it.
_WORD = rf"[{_UPPER}]{_LETTER}*(?:['’][{_UPPER}]{_LETTER}+|['’]{_LETTER}{{2,}}|-[{_UPPER}]{_LETTER}*)*"
_PARTICLES = ("de", "del", "della", "der", "den", "des", "di", "da", "do", "dos", "das", "du", "la", "le",
              "van", "von", "ten", "ter", "bin", "ibn", "al", "el", "y")
_PARTICLE = "(?:" + "|".join(_PARTICLES) + ")"
# Particles that may open a surname written first ("de la Cruz, Ana"); "y", "al", "el" only join two names.
_LEADING = "(?:" + "|".join(p for p in _PARTICLES if p not in ("y", "al", "el", "bin", "ibn")) + ")"
_SEP = rf"(?:\.? +(?:{_PARTICLE} +){{0,3}}|, *)"
# A run of two or more capitalized words on one line, with initials, particles and "Last, First" commas.
# The first character is matched before the lookbehind checks the one before it: a pattern that opens with a
# character class lets the regex engine skip ahead to the next capital instead of trying every position.
_RUN = re.compile(rf"[{_UPPER}](?<![\w'’\-.@/\\{_MARKS}].){_LETTER}*"
                  rf"(?:['’][{_UPPER}]{_LETTER}+|['’]{_LETTER}{{2,}}|-[{_UPPER}]{_LETTER}*)*(?:{_SEP}{_WORD})+")
# Particles that open a surname written first, just before a run ("de la Cruz, Ana").
_LEADING_BEFORE = re.compile(rf"(?<![\w'’\-])(?:{_LEADING} +){{1,3}}$")
_TOKEN = re.compile(rf"{_WORD}|(?<![\w'’]){_PARTICLE}(?![\w'’])")
# The Hyperscan nominations besides the first names' own literals (ASCII: the prefilter replaces other
# characters by "?"): "Last, First" at the end of a line or cell or before a middle initial (before another
# word the first name's literal nominates it).
_PREFILTER_EXTRA = (
    # (Plain capitalized words, not CamelCase: code is full of "TypeVar, ParamSpec".)
    r"(?:Mc|Mac|O'|D')?[A-Z][a-z'?\-]+, ?[A-Z?][a-z?]+(?:[\r\n\t;|\"]| [A-Z]\.?(?:[\r\n\t;|\" ]|$)|$)",
    r"[A-Z?][A-Z?'\-]+, ?[A-Z?][A-Z?]+(?:[\r\n\t;|\"]| [A-Z]\.?(?:[\r\n\t;|\" ]|$)|$)",
)
# First names that open hyphenated ones ("Mary-Kate", "Jean-Pierre", "Anne-Marie").
_HYPHEN_FIRSTS = ("Jean", "Marie", "Anne", "Ann", "Mary", "Jose", "Juan", "Maria", "Luis", "John", "Paul",
                  "Pierre", "Louis", "Rose", "Lee", "Sue", "Lou", "Kay", "Beth", "Lynn", "Jo", "Ana", "Luz", "Mei")
_INNER_PREFIXES = ("mc", "mac", "de", "la", "le", "di", "da")

_PARTICLE_SET = frozenset(_PARTICLES) | {"st", "ste", "mac", "o"}
_ABBREVIATIONS = frozenset({"st", "ste", "jr", "sr", "dr", "mr", "mrs", "ms", "mx"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "md", "phd", "esq", "rn", "ed"})
# Authors in bibliographic data are not district people: "by Jane Austen", "Author: ...", "Illustrated by".
_AUTHOR_BEFORE = re.compile(r"(?:\bby|\bauthors?|\bwriter|\beditors?|\bed\.|\bpoet|\bnovelist)[\s:,]*$",
                            re.IGNORECASE)
# A title in title case before the name: "The Adventures of Tom Sawyer", "The Diary of Anne Frank".
_TITLE_BEFORE = re.compile(r"[A-Z][\w'’]+ of $")
# Life dates after a name mark a historical figure, not a district person: "(born July 11, 1767)",
# "(1767-1848)", "(b. 1818)", "was born February 12, 1809". Anyone born before 1940 is no student or staff.
_MONTH_DAY = r"(?:(?:around|about|circa|c\.|in|on) )?(?:[A-Z][a-z]{2,8}\.?(?: \d{1,2},?)? )?"
_OLD_YEAR = r"(?:1[0-8]\d\d|19[0-3]\d)(?!\d)"
_LIFE_DATES_AFTER = re.compile(
    rf"\s*(?:\(\s*(?:born |b\. ?|c\. ?)?{_MONTH_DAY}{_OLD_YEAR}"
    rf"|,\s*(?:born |b\. ?){_MONTH_DAY}{_OLD_YEAR}"
    rf"|\s(?:was|were) born {_MONTH_DAY}{_OLD_YEAR})"
)
# A citation after "Last, First": "Twain, Mark. The Adventures ..." or "Austen, Jane (1813)".
_CITATION_AFTER = re.compile(r"\.\s+(?:[A-Z\"“'‘]|\(?\d{4})|\s*\(\d{4}\)")

SURE, SURE_WORDY, WORDY_FIRST, UNSURE = 0.85, 0.7, 0.6, 0.45


@dataclass(frozen=True, slots=True)
class NameCandidate:
    """A full name found by the lists: where it is, how sure, and whether NER must confirm it."""

    start: int
    end: int
    score: float
    form: str  # "first_last" or "last_first"
    needs_ner: bool


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    raw: str
    folded: str
    gap: str  # the text between the previous token and this one ("" for the first)


class PersonNameRecognizer(EntityRecognizer):
    """PERSON: full names judged by the Census name lists; NER decides where the lists are unsure."""

    ENTITY: ClassVar[str] = "PERSON"
    CELL_SURE: ClassVar[float] = 0.9
    # Marked values must be found at 0.5 or more; negatives yield nothing at 0.5 (tests/detectors).
    EXAMPLES: ClassVar[Examples] = Examples(
        positives=(
            "Called the Okafor home re: [[Jordan Okafor]] - missing homework, reached at 617-555-0142",
            "Student: [[OKAFOR, JORDAN M]]. Grade 7",
            "Met with [[Ana de la Cruz]] and [[José Núñez]] after school.",
            "[[Mary-Kate Smith-Jones]] and [[Anna van der Berg]] were absent.",
            "Please call [[Sean McDonald]] or [[Patricia O'Brien]] about the bus.",
            "Roster: [[Nguyen, Linh]]; [[Rodriguez, Maria T]]",
            "Signed, [[Michael Brown]] (grade 5 teacher)",
            "[[JOSÉ NÚÑEZ]] 2012-04-03 Grade 4",
            "Parent: [[Jose\u0301 Nu\u0301n\u0303ez]]",
        ),
        negatives=(
            "Date of Birth | Account Number | Grade | Gross | Principal | SASID | Student Name",
            "School Counselor, Assistant Principal, Bus Driver",
            "Meet at Washington Street near Lincoln Elementary and Kennedy Middle School.",
            "Will Attend: Yes. May Newsletter. Grant Total. Hope Street.",
            "Twain, Mark. The Adventures of Tom Sawyer. Hartford: American Publishing, 1876.",
            "New title by Jane Austen; Author: Toni Morrison",
            "Monday January Friday March",
            "Special Education Team Meeting Notes",
        ),
    )

    def __init__(self, supported_language: str = "en") -> None:
        self._lex: NameLexicon = lexicon()
        # Presidio leaves ``name`` untyped; keep a typed copy for results and explanations.
        self._name: str = type(self).__name__
        super().__init__(supported_entities=[self.ENTITY], name=self._name, supported_language=supported_language)

    def load(self) -> None:
        """Nothing to load here: the lists are built once per process by :func:`lexicon`."""

    # --- the engines' entry points ---------------------------------------------------------------

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Full names in ``text``; candidates the lists are unsure of score below 0.5 (``needs_ner``)."""
        if entities and self.ENTITY not in entities:
            return []
        return [self._result(c) for c in self.candidates(text, _RUN.finditer(text))]

    def prefilter_patterns(self) -> list[tuple[str, int]]:
        """Patterns for the fast engine's Hyperscan pass: every listed first name followed by a space.

        A name needs a listed first name, so only texts that hold one are searched at all. Plain literals
        ("Jordan ", "JORDAN ") compile in a fraction of a second even by the thousand; a pattern of two
        capitalized words would nominate nearly every line of prose, headings and code.
        """
        literals: list[str] = []
        for name in sorted(self._lex.first):
            if not (name.isalpha() and name.isascii()):
                continue
            title = name.capitalize()
            literals.append(title + " ")
            if len(name) >= 4:
                literals.append(name.upper() + " ")
            else:
                # A short name in capitals is inside many words ("TED" in "STARTED "): only after a space or
                # at a line's start.
                literals += [" " + name.upper() + " ", "\n" + name.upper() + " "]
            for prefix in _INNER_PREFIXES:
                if name.startswith(prefix) and len(name) > len(prefix) + 2:
                    literals.append(prefix.capitalize() + name[len(prefix):].capitalize() + " ")  # McKenzie
        literals += [name + "-" for name in _HYPHEN_FIRSTS]
        for accented in ACCENTED_FIRST_NAMES:
            # NFC then NFD, in this order: a set's order changes with each process's string hashing, and
            # the compiled prefilter is cached by its patterns in order (dlp.detect.hscache).
            for form in dict.fromkeys((unicodedata.normalize("NFC", accented), unicodedata.normalize("NFD", accented))):
                for variant in (form, form.upper()):
                    literals.append(variant.encode("ascii", "replace").decode() + " ")
        return [(re.escape(literal), 0) for literal in dict.fromkeys(literals)] + [
            (pattern, 0) for pattern in _PREFILTER_EXTRA]

    def analyze_windows(self, text: str, windows: list[tuple[int, int]]) -> list[RecognizerResult]:
        """Like :meth:`analyze`, but only runs that start inside the (start, end) windows."""
        runs = (m for lo, hi in windows for m in _RUN.finditer(text, lo, hi))
        return [self._result(c) for c in self.candidates(text, runs)]

    def cell_score(self, value: str) -> float | None:
        """How much a whole table cell looks like one person's full name (0.0 when it does not).

        "Jordan Okafor", "OKAFOR, JORDAN M.", "de la Cruz, Ana" score high; a label, a title, a street or a
        single word score 0.0; a name the lists are unsure of ("Will Brown") scores in between.
        """
        stripped = value.strip()
        if stripped.endswith(".") and not stripped.endswith(".."):
            stripped = stripped[:-1]  # "Okafor, Jordan M."
        runs = list(_RUN.finditer(stripped))
        if len(runs) != 1 or runs[0].end() != len(stripped):
            return 0.0
        for cand in self.candidates(stripped, runs):
            if cand.start == 0 and cand.end == len(stripped):
                # A cell holds nothing but the name: that alone argues for it.
                return self.CELL_SURE if not cand.needs_ner else min(0.6, cand.score + 0.1)
        return 0.0

    def ner_span_ok(self, value: str) -> bool:
        """Whether a PERSON span from NER may stand: a full name of two words or more, none of them a label,
        title or place word ("Laura" alone, "Quarry Road Elementary Grade" and "Assistant Principal" may not).

        A first name or a surname alone is no full name (93H asks for a first name or initial and a last
        name), and where a full name is near, the lists have found it already.
        """
        words = [fold(w.strip(".,;:()'’")) for w in value.split()]
        words = [w for w in words if w and w != "s"]
        if len(words) < 2:
            return False
        return not any((w in NEVER_NAME_WORDS or w in PLACE_WORDS) and w not in SURNAME_PLACE_WORDS for w in words)

    # --- judging ---------------------------------------------------------------------------------

    def candidates(self, text: str, runs: Iterable[re.Match[str]]) -> Iterator[NameCandidate]:
        """Judge each run of capitalized words; yield the full names in it."""
        first = self._lex.first
        for run in runs:
            words = run.group()
            if words.isascii():
                # Most runs of capitalized words hold no first name ("Return True", "Public License"): one
                # split and a few set lookups turn them away before any tokenizing.
                folded = words.lower().replace(",", " ").replace(".", " ").replace("-", " ").replace("'", "").split()
                if not any(w in first for w in folded):
                    continue
            start = run.start()
            if start and text[start - 1] == " ":
                lead = _LEADING_BEFORE.search(text, max(0, start - 16), start)
                if lead is not None:
                    start = lead.start()
            tokens = self._tokens(text, start, run.end())
            if len(tokens) >= 2:
                yield from self._judge_run(text, tokens)

    def _tokens(self, text: str, lo: int, hi: int) -> list[_Tok]:
        out: list[_Tok] = []
        prev = lo
        for m in _TOKEN.finditer(text, lo, hi):
            raw = m.group()
            out.append(_Tok(m.start(), m.end(), raw, fold(raw), text[prev:m.start()] if out else ""))
            prev = m.end()
        return out

    def _judge_run(self, text: str, toks: list[_Tok]) -> Iterator[NameCandidate]:
        caps = all(t.raw.isupper() or t.folded in _PARTICLE_SET for t in toks)
        i, n = 0, len(toks)
        while i < n:
            found = None
            k = self._surname_end(toks, i)
            if k + 1 < n and "," in toks[k + 1].gap:
                found = self._last_first(text, toks, i, k, caps)
            if found is None:
                found = self._first_last(text, toks, i, caps)
            if found is None:
                i += 1
                continue
            cand, used = found
            if cand is not None:
                yield cand
            i += used

    def _breaks(self, tok: _Tok, prev: _Tok) -> bool:
        """Whether the gap before ``tok`` ends a name: a comma, or a sentence's period."""
        if "," in tok.gap:
            return True
        return "." in tok.gap and len(prev.raw) > 1 and prev.folded not in _ABBREVIATIONS

    def _first_last(self, text: str, toks: list[_Tok], i: int, caps: bool
                    ) -> tuple[NameCandidate | None, int] | None:
        """A ``First [Middle|M.] Last`` name starting at token ``i``: (candidate or None, tokens used)."""
        first = toks[i]
        if first.folded in _PARTICLE_SET and not first.raw[0].isupper():
            return None
        fclass = self._first_class(first, caps)
        if fclass is None:
            return None
        best: tuple[float, int, bool] | None = None  # score, index of the surname's last token, needs_ner
        j = i + 1
        middles = 0
        while j < len(toks) and not self._breaks(toks[j], toks[j - 1]) and middles <= 2:
            last_end = self._surname_end(toks, j)
            lclass = self._last_class(toks, j, last_end, caps)
            if lclass is not None:
                scored = self._score(fclass, lclass, middles, caps)
                if (scored is not None and not middles and toks[last_end].folded in SURNAME_PLACE_WORDS
                        and first.folded in self._lex.last):
                    scored = (UNSURE - 0.1, True)  # "Lincoln Park", "Kennedy Hall": a place as likely
                if scored is not None and (best is None or scored[0] >= best[0]):
                    best = (scored[0], last_end, scored[1])
            # Can token j be a middle name or initial, so that the surname comes later?
            if not self._is_middle(toks[j], caps):
                break
            middles += 1
            j += 1
        if best is None:
            return None
        score, end_index, needs_ner = best
        start, end = first.start, toks[end_index].end
        if self._rejected_by_context(text, toks, end_index, start, end, "first_last"):
            return None, end_index - i + 1
        return NameCandidate(start, end, score, "first_last", needs_ner), end_index - i + 1

    def _last_first(self, text: str, toks: list[_Tok], i: int, k: int, caps: bool
                    ) -> tuple[NameCandidate | None, int] | None:
        """A ``Last, First [M.]`` name whose surname is tokens ``i``..``k`` (particles and all)."""
        last, first = toks[i], toks[k + 1]
        lclass = self._last_class(toks, i, k, caps)
        fclass = self._first_class(first, caps)
        if lclass is None or fclass not in ("strong", "wordy"):
            return None
        if fclass == "wordy" and lclass != "strong":
            return None
        end_index = k + 1
        nxt = k + 2
        if nxt < len(toks) and not self._breaks(toks[nxt], toks[nxt - 1]) and (
                len(toks[nxt].raw) == 1
                or (toks[nxt].folded in self._lex.first and toks[nxt].folded not in self._lex.last)):
            # A middle initial or a middle name that is no surname ("Okafor, Jordan M", "Okafor, Jordan
            # Marie"); before a surname the comma more likely ends a greeting: "This is Patrick, Jeffrey
            # Reyes's father".
            end_index = nxt
        if end_index + 1 < len(toks) and not self._breaks(toks[end_index + 1], toks[end_index]):
            # "Okafor, Jordan Lee Smith": more name words follow; not a plain "Last, First".
            follower = toks[end_index + 1]
            if follower.folded not in _SUFFIXES and follower.folded not in NEVER_NAME_WORDS and (
                    self._is_middle(follower, caps) or self._unknown(follower, caps)):
                return None
        # (A first name that is also a word comes here only before a listed surname: "Smith, Will".)
        score = WORDY_FIRST if fclass == "wordy" else SURE if lclass == "strong" else SURE_WORDY
        if caps:
            score -= 0.05
        needs_ner = False
        start, end = last.start, toks[end_index].end
        if self._rejected_by_context(text, toks, end_index, start, end, "last_first"):
            return None, end_index - i + 1
        return NameCandidate(start, end, score, "last_first", needs_ner), end_index - i + 1

    def _score(self, fclass: str, lclass: str, middles: int, caps: bool) -> tuple[float, bool] | None:
        if fclass == "strong":
            score = SURE if lclass == "strong" else SURE_WORDY
            if middles:
                score += 0.05
            return (score - 0.05 if caps else score), False
        # A first name that is also a word ("Will", "May", "Grant"): before a surname that is no word
        # ("Will Patterson") the lists are sure enough, at a lower score; before one that is ("Will Brown",
        # "May Green", "Grant Young") or in no list, NER decides. (An initial alone, "J. Okafor", or a first
        # name in no list is left to NER's own windows: nominating every capitalized word for it would cost
        # the fast path its speed.)
        if lclass == "strong":
            return (WORDY_FIRST - 0.05 if caps else WORDY_FIRST), False
        return UNSURE - 0.1, True

    def _first_class(self, tok: _Tok, caps: bool) -> str | None:
        """strong (a listed first name only), wordy (also a common word) or None."""
        lex = self._lex
        parts = tok.folded.split("-")
        if any(p in NEVER_NAME_WORDS or p in NOT_FIRST_NAMES for p in parts):
            return None
        if all(p in lex.first for p in parts):
            return "wordy" if any(p in lex.wordy_first for p in parts) else "strong"
        return None

    def _last_class(self, toks: list[_Tok], lo: int, hi: int, caps: bool) -> str | None:
        """The class of the surname made of tokens lo..hi (particles and all): strong, wordy or None."""
        lex = self._lex
        joined = "".join(t.folded for t in toks[lo : hi + 1])
        if joined in lex.last and joined not in lex.wordy_last and hi > lo:
            return "strong"  # "de la Cruz" as the Census writes it: DELACRUZ
        tok = toks[hi]
        parts = tok.folded.split("-")
        if any(p in NEVER_NAME_WORDS and p not in SURNAME_PLACE_WORDS for p in parts):
            return None
        classes = []
        for p in parts:
            if p in lex.wordy_last:
                classes.append("wordy")
            elif p in lex.last or (len(parts) > 1 and p in lex.first):
                classes.append("strong")
            elif self._unknown_folded(p, tok.raw, caps):
                classes.append("unknown")
            else:
                return None
        if "strong" in classes:
            return "strong"
        return "wordy" if "wordy" in classes else "unknown"

    def _unknown(self, tok: _Tok, caps: bool) -> bool:
        return self._unknown_folded(tok.folded, tok.raw, caps)

    def _unknown_folded(self, folded: str, raw: str, caps: bool) -> bool:
        """A word in neither list that is no English word and looks like a name (Okafor, Nguyen)."""
        if len(folded) < 3 or not folded.isalpha() or folded in NEVER_NAME_WORDS:
            return False
        if raw.isupper() and (len(folded) <= 4 or not caps):
            return False  # an acronym (IEP, DESE, FERPA) in mixed text
        if not raw.isupper() and any(ch.isupper() for ch in raw[1:]) and not _INNER_CAPS.match(raw):
            return False  # CamelCase (PowerSchool, iPad) but not McDonald, MacArthur, DeShawn
        return bool(self._lex.words) and not self._lex.is_word(folded)

    def _surname_end(self, toks: list[_Tok], j: int) -> int:
        """The index of the surname's last token when the surname starts at ``j`` (particles joined)."""
        k = j
        while (k + 1 < len(toks) and toks[k].folded in _PARTICLE_SET and len(toks[k].raw) <= 4
               and not self._breaks(toks[k + 1], toks[k])):
            k += 1
        return k

    def _is_middle(self, tok: _Tok, caps: bool) -> bool:
        """A middle initial ("M", "M.") or a middle name (a first name or a surname)."""
        if len(tok.raw) == 1 and tok.raw.isupper():
            return True
        lex = self._lex
        return (tok.folded in lex.first or tok.folded in lex.last) and tok.folded not in NEVER_NAME_WORDS

    def _rejected_by_context(self, text: str, toks: list[_Tok], end_index: int, start: int, end: int,
                             form: str) -> bool:
        """A street, school or organisation after the name; an author before it; a citation after it."""
        nxt = end_index + 1
        if nxt < len(toks) and not self._breaks(toks[nxt], toks[end_index]) and toks[nxt].folded in PLACE_WORDS:
            return True
        if _LIFE_DATES_AFTER.match(text, end, min(len(text), end + 48)) is not None:
            return True
        before = text[max(0, start - 24) : start]
        if _AUTHOR_BEFORE.search(before) or _TITLE_BEFORE.search(before):
            return True
        # (An initial's own period is no citation: "OKAFOR, JORDAN M. Grade 7".)
        return (form == "last_first" and len(toks[end_index].raw) > 1
                and _CITATION_AFTER.match(text, end) is not None)

    def _result(self, cand: NameCandidate) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=self._name, original_score=cand.score,
            textual_explanation=f"full name ({cand.form}) by the Census name lists"
                                + ("; NER must confirm" if cand.needs_ner else ""),
        )
        return RecognizerResult(
            entity_type=self.ENTITY, start=cand.start, end=cand.end, score=cand.score,
            analysis_explanation=explanation,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self._name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                # Judged here; the Presidio engine's substring context enhancer must leave it alone.
                RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                "needs_ner": cand.needs_ner,
                "name_form": cand.form,
            },
        )


# Inner capitals that names have: McDonald, MacArthur, DeShawn, LaToya, DiMaggio, O'Brien (apostrophe).
_INNER_CAPS = re.compile(rf"^(?:Mc|Mac|De|La|Le|Di|Da|Van|Von)[{_UPPER}][a-z]+$")
