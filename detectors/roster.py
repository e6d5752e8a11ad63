"""Roster exact-data-match: rostered students and staff found by name and ID, attributed to a person.

The roster (``dlp roster import``) holds only keyed hashes (see :mod:`dlp.roster`). This recognizer
tokenizes a text once, hashes every candidate (a window of two or three capitalized words, a digit run
of a rostered ID length) and looks all of them up in one batch: the cost is one HMAC and one binary
search per candidate, whatever the size of the roster, and there is never a pass per name.

It finds what NER misses (all-caps rosters, "Alvarez, Jordan", "Bill Okafor" for a rostered William,
names spaCy does not know) and tells who the value belongs to: each result carries the person's subject
key in ``recognition_metadata["subject"]``, which the engine copies into ``Finding.subject``.

Unlike the other modules of this package, the recognizer needs the district key and a roster file, so
discovery passes over it (``@not_discovered`` below); the engine builds it with
:func:`build_roster_recognizer` when a roster has been imported.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from dlp.registry import not_discovered
from dlp.roster import FIELD_BITS, NAME_CODES, RosterIndex, fold_name

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

# Words (letters with inner apostrophes or hyphens: O'Brien, Smith-Jones) and digit runs.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+")
# What may stand between two words of one name: spaces, or one separator of a list or table cell
# ("Alvarez, Jordan", "Jordan | Alvarez", a tab), after an initial's period ("J. Alvarez"). A line break
# may not: words on two lines are rarely one name.
_GAP = re.compile(r"\.?(?:[ \t]+|[ \t]*[,;|][ \t]*)")
_POSSESSIVE = re.compile(r"['’][sS]$")
MAX_NAME_WORDS = 3


def _fold(word: str) -> str:
    """:func:`dlp.roster.fold_name` of one word, with a fast path for plain ASCII letters (most words)."""
    return word.lower() if word.isascii() and word.isalpha() else fold_name(word)


@not_discovered  # built by build_roster_recognizer with the key and the roster (see the module docstring)
class RosterRecognizer(EntityRecognizer):
    """Finds people of the district's imported rosters by name (PERSON) and ID (MA_SASID, MA_MEPID,
    STUDENT_ID, EMPLOYEE_ID), with the person's subject key in the result's metadata."""

    ENTITIES: ClassVar[tuple[str, ...]] = ("PERSON", "MA_SASID", "STUDENT_ID", "EMPLOYEE_ID", "MA_MEPID")
    NAME_SCORE: ClassVar[float] = 0.95
    ID_SCORE: ClassVar[float] = 1.0

    def __init__(self, index: RosterIndex, supported_language: str = "en") -> None:
        self.index = index
        # Presidio leaves ``name`` untyped; keep a typed copy for results and explanations.
        self._name: str = type(self).__name__
        super().__init__(supported_entities=list(self.ENTITIES), name=self._name,
                         supported_language=supported_language)

    def load(self) -> None:
        """Nothing to load: the index was loaded by :func:`build_roster_recognizer`."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Rostered names and IDs in ``text``; the longest name window wins where windows overlap."""
        wanted = set(entities or self.ENTITIES) & set(self.ENTITIES)
        if not wanted:
            return []
        tokens: list[tuple[int, int, bool]] = []  # start, end, is_name_word
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            word = m.group()
            if word[0].isdigit():
                tokens.append((start, end, False))
                continue
            possessive = _POSSESSIVE.search(word)
            if possessive and possessive.start() > 0:
                end -= 2  # "Okafor's" is Okafor
            tokens.append((start, end, word[0].isupper()))

        # Every candidate first, then one batched lookup.
        candidates: list[tuple[int, int, str]] = []  # first token, token count (0 = an ID), folded value
        want_names = "PERSON" in wanted
        want_ids = bool(wanted - {"PERSON"}) and bool(self.index.id_lengths)
        for i, (start, end, is_name) in enumerate(tokens):
            if is_name and want_names:
                if end - start == 1 and text[end : end + 1] != ".":
                    # A bare capital letter opening a window is mostly "A" or "I" ("A Young teacher"),
                    # not an initial; an initial is written "J. Alvarez" (or "Alvarez, J").
                    continue
                folded = [_fold(text[start:end])]
                for n in range(2, MAX_NAME_WORDS + 1):
                    j = i + n - 1
                    if j >= len(tokens) or not tokens[j][2]:
                        break
                    prev_start, prev_end, _ = tokens[j - 1]
                    gap = text[prev_end : tokens[j][0]]
                    if not _GAP.fullmatch(gap) or ("." in gap and prev_end - prev_start != 1):
                        break  # a period ends a sentence unless it follows an initial
                    folded.append(_fold(text[tokens[j][0] : tokens[j][1]]))
                    candidates.append((i, n, " ".join(folded)))
            elif not is_name and want_ids and text[start].isdigit() and end - start in self.index.id_lengths:
                candidates.append((i, 0, text[start:end]))
        if not candidates:
            return []
        codes = self.index.lookup_many(self.index.prefixes(c[2] for c in candidates))

        results: list[RecognizerResult] = []
        best_name: dict[int, tuple[int, int]] = {}  # first token -> (token count, code) of the longest hit
        for (i, n, _), code in zip(candidates, codes, strict=True):
            if code is None:
                continue
            is_name_code = (code & ((1 << FIELD_BITS) - 1)) in NAME_CODES
            if n == 0 and not is_name_code:
                self._add(results, wanted, text, tokens[i][0], tokens[i][1], code)
            elif n > 0 and is_name_code and n > best_name.get(i, (0, 0))[0]:
                best_name[i] = (n, code)
        covered_to = -1
        for i in sorted(best_name):
            if i <= covered_to:
                continue  # inside a longer name found from an earlier word
            n, code = best_name[i]
            self._add(results, wanted, text, tokens[i][0], tokens[i + n - 1][1], code)
            covered_to = i + n - 1
        return results

    def _add(self, results: list[RecognizerResult], wanted: set[str], text: str, start: int, end: int,
             code: int) -> None:
        match = self.index.match(code)
        if match.entity not in wanted:
            return
        score = self.NAME_SCORE if match.entity == "PERSON" else self.ID_SCORE
        explanation = AnalysisExplanation(
            recognizer=self._name, original_score=score,
            textual_explanation=f"exact match of a rostered {match.kind or 'person'}'s {match.field}",
        )
        results.append(RecognizerResult(
            entity_type=match.entity, start=start, end=end, score=score, analysis_explanation=explanation,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self._name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                # An exact roster match needs no context words; keep the engine's enhancer away from it.
                RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                "subject": match.subject,  # None when several rostered people share the value
                "roster_kind": match.kind,
                "roster_field": match.field,
            },
        ))


def build_roster_recognizer(key: bytes, path: Path) -> RosterRecognizer | None:
    """The recognizer over the roster at ``path``, or None when there is no roster (or it is empty, or
    was hashed under another key: then the log says so)."""
    index = RosterIndex.load(key, path)
    return RosterRecognizer(index) if index is not None else None
