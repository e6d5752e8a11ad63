"""The fast path of the detection engine: cheap triggers, the recognizers' own validation, NER in windows.

Plain Presidio runs the whole spaCy pipeline over every text before any recognizer looks at it; that
alone caps it near 25-40 KB/s per core here (research/perf.md). The district recognizers do not need
it: they find candidates with their patterns, validate them (checksums, formats) and look for whole-word
context words themselves. So this analyzer

1. checks cheap triggers per recognizer (digits for numeric identifiers, "@" for e-mail, keywords for
   credentials) and skips recognizers that cannot match at all (stage 1);
2. runs each triggered recognizer without NLP artifacts (stage 2: validation on candidates only);
3. runs spaCy's NER only on small windows around what makes a name matter (a 93H element, a date of
   birth, a student or staff ID, a special-education or health term), batched with ``nlp.pipe``
   (stage 3). Rostered names are found anywhere by the roster recognizer, a hash lookup per token; other
   full names anywhere by the name-list recognizer (``detectors/person_name.py``), whose unsure
   candidates get a small NER window of their own (NER decides them).

Overlaps are then resolved as Presidio's engine does (``EntityRecognizer.remove_duplicates``), after
the score threshold.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Presidio is imported where the analyzer runs (the workers), not by the main process that only
    # needs this module's names: importing it costs over a second on every unchanged rescan.
    from presidio_analyzer import RecognizerResult

from dlp.detect.hscache import compile_database
from dlp.detect.terms import TermMatcher, hs_expression, numeric_body
from dlp.policy.labels import MA_PI_ELEMENTS, SENSITIVE_TERMS

NER_WINDOW = 150
RECORD_ANCHORS = TermMatcher(re.compile(
    r"\w+'s (?:father|mother|dad|mom|parent|guardian|stepfather|stepmother)|my (?:son|daughter|child)"
    r"|(?<![\w-])(?:student(?: name)?|pupil|child|guardian|parent/guardian|emergency contact)\s*:",
    re.IGNORECASE,
))  # characters either side of an anchor that NER reads
NER_BATCH = 64
# NER answers per window text kept by a process (windows are at most a few hundred characters).
NER_MEMO = 4096
NER_MEMO_CHARS = 2 * NER_WINDOW + 400
# A full name the name lists are unsure of ("Will Brown", "Lincoln Park": both parts are words too) is
# reported only when NER, run on this many characters either side of it, calls it a person. The number of
# such checks per text is capped, so that a text full of title-case phrases costs little NER.
NAME_CHECK_WINDOW = 60
MAX_NAME_CHECKS = 40


@dataclass
class StageTimes:
    """Seconds spent per stage, summed over calls (the benchmark reports them)."""

    triggers: float = 0.0
    recognizers: float = 0.0
    ner: float = 0.0


def _trigger_for(recognizer: Any) -> str | re.Pattern[str] | None:
    """The cheap necessary condition the recognizer declares (``TRIGGER``, see ``detectors/base.py``).

    Presidio's own recognizers declare none: they always run.
    """
    trigger: str | re.Pattern[str] | None = getattr(recognizer, "TRIGGER", None)
    return trigger


def name_anchors(recognizers: Sequence[Any]) -> frozenset[str]:
    """The entities a name matters next to: 93H elements (CONTRACT.md section 3), and every entity whose
    recognizer declares ``NAME_ANCHOR`` (a student or staff ID, a date of birth: FERPA records)."""
    declared = {e for r in recognizers if getattr(r, "NAME_ANCHOR", False) for e in r.supported_entities}
    return MA_PI_ELEMENTS | frozenset(declared)


# The rest of a word or number at a window's end (letters and digits, not "_", and "-").
_WORD_TAIL = re.compile(r"(?:[^\W_]|-)*")
# A candidate's window: from this far before the prefilter's match end (the longest identifier with
# its separators and a keyword) to a little after it, widened to whole words.
_WINDOW_BEFORE = 120
_WINDOW_AFTER = 40


class RecognizerCounts:
    """Per recognizer name: candidates stage 1 nominated, those validation passed, those kept (above the
    threshold). Summed over the process's texts; the benchmark and the scan summary read them."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}

    def add(self, name: str, candidates: int = 0, validated: int = 0, kept: int = 0) -> None:
        """Add to one recognizer's counters."""
        row = self.counts.setdefault(name, [0, 0, 0])
        row[0] += candidates
        row[1] += validated
        row[2] += kept

    def totals(self) -> dict[str, tuple[int, int, int]]:
        """A copy: {name: (candidates, validated, kept)}."""
        return {name: (c, v, k) for name, (c, v, k) in self.counts.items()}

    def snapshot(self) -> dict[str, dict[str, int]]:
        """A copy: {name: {"candidates": n, "validated": n, "kept": n}}."""
        return {name: {"candidates": c, "validated": v, "kept": k} for name, (c, v, k) in self.counts.items()}


# Kinds of stage-1 patterns: a candidate, a candidate that needs a context word, a context word.
# A context word is compiled twice: whole (followed by no letter or digit), and as a prefix that may only touch
# the candidate right after it ("emp#E40022": the word's own lookahead sees the search's end there).
_CANDIDATE, _GATED, _TERM, _TOUCH = 0, 1, 2, 3
# How far a touching context word may end before a candidate's end: the candidate is right after it, and no
# gated pattern matches more than this many characters (dates with month names, 19-digit cards, local IDs).
_TOUCH_REACH = 40
# The longest candidate with its consumed boundaries: a gated candidate's start lies no farther before its end.
_LONGEST_CANDIDATE = 64


@dataclass(frozen=True)
class _Gate:
    """How far around a gated candidate one of its recognizer's context words may decide it."""

    reach: int
    list_reach: int
    lists: Callable[[str], bool] | None


class _Prefilter:
    """One Hyperscan database over every district recognizer's patterns and context words (stage 1).

    A single pass over the text nominates, per recognizer, the places its patterns may match. The patterns
    keep their shape (:func:`dlp.detect.terms.hs_expression`: a 9-digit candidate is a run of nine digits,
    not any nine digits of a longer run), and a candidate of a pattern that needs a context word is dropped
    here, in compiled code, unless one of its recognizer's context words was found within reach in the same
    pass. A candidate of a recognizer with a checksum or structure rule (:mod:`dlp.detect.checksums`: SSN,
    ITIN, routing, card and bank numbers) whose value can be cut out of the text by its end alone (a fixed
    width, or a whole run of digits) is then checked with all the others of the text in one numpy pass, and
    dropped when it fails: the recognizer's own validation would refuse it. Where the hyperscan wheel is
    missing, or a pattern will not compile for it, that recognizer simply runs over the whole text (the
    result is the same, only slower).
    """

    def __init__(self, recognizers: Sequence[Any]) -> None:
        self.db: Any = None
        self.covered: set[int] = set()
        self.size = 0  # patterns in the database
        self.hits: dict[int, int] = {}  # recognizer index -> candidates nominated in the last text
        self.passed: dict[int, int] = {}  # recognizer index -> candidates through the context gate
        self.checked: dict[int, int] = {}  # recognizer index -> those through the bulk checks as well
        self.checks: dict[int, str] = {}  # recognizer index -> its entity, where a bulk check applies
        self.gates: dict[int, _Gate] = {}
        self._owner: Any = None
        self._kind: Any = None
        try:
            import hyperscan
        except ImportError:
            return
        candidates: list[tuple[int, list[tuple[bytes, int, int]]]] = []
        regexes: dict[int, list[str]] = {}  # the candidate patterns' own regexes, first in each recognizer's list
        for index, recognizer in enumerate(recognizers):
            listed = _stage_one(recognizer)
            if listed is None:
                continue
            patterns, terms, gate = listed
            if not patterns:
                self.covered.add(index)  # nothing configured (a district ID pattern): never runs
                continue

            def flags(re_flags: int) -> int:
                return hyperscan.HS_FLAG_CASELESS if re_flags & re.IGNORECASE else 0

            mine = [(hs_expression(regex), flags(re_flags), _GATED if gated else _CANDIDATE)
                    for regex, re_flags, gated in patterns]
            regexes[index] = [regex for regex, _, _ in patterns]
            if any(kind == _GATED for _, _, kind in mine):
                for regex, re_flags in terms:
                    mine += [(hs_expression(regex), flags(re_flags), _TERM),
                             (hs_expression(regex, boundary_after=False), flags(re_flags), _TOUCH)]
                if gate is not None:
                    self.gates[index] = gate
            candidates.append((index, mine))
        # One compile of everything; only when it fails is each recognizer's set compiled alone to find
        # the ones Hyperscan refuses (a compile each cost a second of every worker's start-up).
        self.db = _compiles(hyperscan, [(e, f) for _, mine in candidates for e, f, _ in mine])
        if self.db is None:
            candidates = [(i, mine) for i, mine in candidates
                          if _compiles(hyperscan, [(e, f) for e, f, _ in mine]) is not None]
            self.db = _compiles(hyperscan, [(e, f) for _, mine in candidates for e, f, _ in mine])
        import numpy as np

        owner: list[int] = []
        kind: list[int] = []
        extent: list[int] = []
        for index, mine in candidates:
            self.covered.add(index)
            owner.extend(index for _ in mine)
            kind.extend(k for _, _, k in mine)
            extent.extend(_extent(recognizers[index], regex) for regex in regexes[index])
            extent.extend(0 for _ in range(len(mine) - len(regexes[index])))  # the context words
            entity = _bulk_entity(recognizers[index])
            if entity is not None and any(extent[-len(mine):]):
                self.checks[index] = entity
        self.size = len(owner)
        self._owner = np.array(owner, dtype=np.int32)
        self._kind = np.array(kind, dtype=np.int8)
        # Per pattern: how its candidate's value lies before the match end (see _extent).
        self._extent = np.array(extent, dtype=np.int32)

    def candidates(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Recognizer index -> merged windows of the text worth running its real patterns on."""
        self.hits, self.passed, self.checked = {}, {}, {}
        if self.db is None:
            return {}
        import numpy as np

        # One byte per character keeps offsets equal to string indices; the real patterns then judge the
        # original text, so replacing non-ASCII characters by "?" here loses nothing.
        data = text.encode("ascii", "replace")
        ids: list[int] = []
        ends: list[int] = []

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            ids.append(pattern_id)
            ends.append(end)

        self.db.scan(data, match_event_handler=on_match)
        if not ids:
            return {}
        at = np.array(ends, dtype=np.int64)
        pattern = np.array(ids, dtype=np.int32)
        owner, kind = self._owner[pattern], self._kind[pattern]
        nominated = kind <= _GATED
        out: dict[int, list[tuple[int, int]]] = {}
        codes: Any = None
        for index in np.unique(owner[nominated]).tolist():
            mine = owner == index
            found, which = at[mine & nominated], pattern[mine & nominated]
            self.hits[index] = len(found)
            gated = self._kind[which] == _GATED
            if gated.any():
                keep = np.ones(len(found), dtype=bool)
                keep[gated] = self._gated(text, index, found[gated], at[mine & (kind == _TERM)],
                                          at[mine & (kind == _TOUCH)])
                found, which = found[keep], which[keep]
            self.passed[index] = len(found)
            if index in self.checks and len(found):
                if codes is None:
                    codes = np.frombuffer(data, dtype=np.uint8)
                found = found[_bulk_checked(self.checks[index], codes, found, self._extent[which])]
            self.checked[index] = len(found)
            if len(found):
                out[index] = self._windows(text, np.unique(found).tolist())
        return out

    def _gated(self, text: str, index: int, found: Any, terms: Any, touching: Any) -> Any:
        """Which gated candidates (match ends) have a context word of their recognizer within reach."""
        import numpy as np

        if not len(touching):  # (every whole word is a prefix too)
            return np.zeros(len(found), dtype=bool)

        gate = self.gates[index]
        keep = np.zeros(len(found), dtype=bool)
        if len(terms):
            # A term may decide from farther before when the text introduces a list (detectors/base.py).
            before = gate.list_reach if gate.lists is not None and gate.lists(text) else gate.reach
            terms = np.sort(terms)
            keep |= np.searchsorted(terms, found + gate.reach, side="right") > np.searchsorted(
                terms, found - _LONGEST_CANDIDATE - before)
        touching = np.sort(touching)
        keep |= np.searchsorted(touching, found, side="right") > np.searchsorted(touching, found - _TOUCH_REACH)
        return keep

    @staticmethod
    def _windows(text: str, positions: list[int]) -> list[tuple[int, int]]:
        size = len(text)
        spans = []
        last_hi = -1
        for end in positions:
            if end + _WINDOW_AFTER < last_hi:
                # Inside the window just made (its start is earlier, and a word reaching past its end
                # would have widened it): dense matches in a long run of text cost one window.
                continue
            hi = min(size, end + _WINDOW_AFTER)
            tail = _WORD_TAIL.match(text, hi)  # never cut a word or number at the window's end
            hi = tail.end() if tail is not None else hi
            spans.append((max(0, end - _WINDOW_BEFORE), hi))
            last_hi = hi
        return _merge(spans)


def _bulk_entity(recognizer: Any) -> str | None:
    """The entity whose bulk check (dlp.detect.checksums) stands for the recognizer's validation, or None.

    Only the district's own recognizers (``detectors``): the checks restate their ``validate_result``, and a
    recognizer from elsewhere for the same entity may validate differently.
    """
    from dlp.detect.checksums import CHECKS

    entity = getattr(recognizer, "ENTITY", None)
    own = type(recognizer).__module__.startswith("detectors.")
    return entity if own and entity in CHECKS and type(recognizer).locate is _base_locate() else None


def _base_locate() -> Any:
    """``DistrictPatternRecognizer.locate``: a recognizer that overrides it reports another span than the match."""
    from detectors.base import DistrictPatternRecognizer

    return DistrictPatternRecognizer.locate


# A numeric pattern's value ends with a digit (``\d``, ``\d{4}``, ``\d{6,17}``).
_ENDS_WITH_DIGIT = re.compile(r"\\d(?:\{\d+(?:,\d+)?\})?$")
_DIGIT_RUN = re.compile(r"\\d\{\d+,(\d+)\}")


def _extent(recognizer: Any, regex: str) -> int:
    """How a candidate's value lies before its end: a fixed width (> 0), a whole run of at most -n digits
    (< 0), or 0 (not known from the end alone: no bulk check).

    Only numeric patterns (the boundaries of detectors/base.py, a last digit) without a ``value`` group:
    their match is the value. Their end is found from stage 1's by :func:`dlp.detect.checksums.last_digit_end`.
    """
    body = numeric_body(regex)
    if body is None or _bulk_entity(recognizer) is None or not _ENDS_WITH_DIGIT.search(body):
        return 0
    try:
        compiled = re.compile(regex)
    except re.error:
        return 0
    if "value" in compiled.groupindex:
        return 0
    run = _DIGIT_RUN.fullmatch(body)
    if run is not None:
        return -int(run.group(1))
    import re._parser as sre  # the width of a regex (lookarounds have none); no public API gives it

    low, high = sre.parse(regex).getwidth()
    return low if low == high and low < 64 else 0


_REPLACED = ord("?")  # what text.encode("ascii", "replace") makes of a non-ASCII character


def _bulk_checked(entity: str, codes: Any, ends: Any, extent: Any) -> Any:
    """Which candidates (stage-1 match ends, with their patterns' extents) may pass the entity's validation.

    False only where the value the real pattern would match there fails the recognizer's checksum or
    structure rule; candidates whose value is not known from their end alone are kept.
    """
    import numpy as np

    from dlp.detect import checksums

    keep = np.ones(len(ends), dtype=bool)
    real = checksums.last_digit_end(codes, ends)
    for size in np.unique(extent[extent != 0]).tolist():
        rows = np.flatnonzero((extent == size) & (real >= 0))
        if not len(rows):
            continue
        if size > 0:
            rows = rows[real[rows] >= size]
            chars, lengths = checksums.cut(codes, real[rows], size)
        else:
            chars, lengths = checksums.digit_run_before(codes, real[rows], -size)
            rows, chars, lengths = rows[lengths <= -size], chars[lengths <= -size], lengths[lengths <= -size]
        mask = checksums.check_matrix(entity, chars, lengths)
        if mask is not None:
            # Stage 1 reads the text as ASCII: a non-ASCII character beside the value became "?", and if it
            # was a digit ("١", "５") the real pattern's value is longer than the one checked here.
            ends = real[rows]
            before, after = ends - lengths - 1, ends
            last = max(len(codes) - 1, 0)
            beside = (((before >= 0) & (codes[np.clip(before, 0, last)] == _REPLACED))
                      | ((after < len(codes)) & (codes[np.clip(after, 0, last)] == _REPLACED)))
            keep[rows] = mask | beside
    return keep


def _stage_one(recognizer: Any) -> tuple[list[tuple[str, int, bool]], list[tuple[str, int]], _Gate | None] | None:
    """A recognizer's stage-1 patterns (regex, flags, gated), its context words and gate, or None."""
    spec = getattr(recognizer, "stage_one", None)
    if spec is not None:
        one = spec()
        return list(one.patterns), list(one.terms), _Gate(one.reach, one.list_reach, one.lists)
    patterns = getattr(recognizer, "prefilter_patterns", None)
    if patterns is None:
        return None
    return [(regex, flags, False) for regex, flags in patterns()], [], None


class FastAnalyzer:
    """Analyzes text with the registry's recognizers, minus full-text NLP."""

    def __init__(self, recognizers: Sequence[Any], nlp: Any, entities: Sequence[str], threshold: float,
                 ner: str = "windows") -> None:
        self.entities = list(entities)
        self.threshold = threshold
        self.ner = ner
        self.nlp = nlp
        self.recognizers = [
            (r, _trigger_for(r)) for r in recognizers
            if type(r).__name__ != "SpacyRecognizer" and set(r.supported_entities) & set(entities)
        ]
        # Recognizers of e-mail addresses alone run only on the runs around each "@" (see _at_runs).
        self._email_only = {id(r) for r, _ in self.recognizers if set(r.supported_entities) <= {"EMAIL_ADDRESS"}}
        self.times = StageTimes()
        self.counts = RecognizerCounts()
        self._ner_memo: dict[str, tuple[tuple[int, int, str], ...]] = {}
        # NER read once for a whole batch of texts (batched_names): while deferring, the windows without an
        # answer are noted, and every text's stage 1-2 results kept, so that judging the texts again once
        # read_noted() has the answers runs stages 1-2 once; table and form layout, findings and
        # classification do run again for the texts that waited (on a pasted roster, about half again).
        self._deferring = False
        self._noted: dict[str, None] = {}
        self._answers: dict[str, tuple[tuple[int, int, str], ...]] = {}
        self._staged: dict[str, list[RecognizerResult]] = {}
        self.deferred = 0  # analyses whose NER names were left out, waiting for read_noted()
        self.ner_windows = 0  # NER windows asked for, and those the model read (the rest were remembered)
        self.ner_read = 0
        self.prefilter = _Prefilter([r for r, _ in self.recognizers])
        self.name_anchors = name_anchors(recognizers)
        # The name-list recognizer (detectors/person_name.py) also vets NER's PERSON spans, where present.
        self._ner_span_ok = next((r.ner_span_ok for r, _ in self.recognizers if hasattr(r, "ner_span_ok")), None)

    def analyze(self, text: str, ner: bool = True) -> list[RecognizerResult]:
        """Results for one text, already thresholded and de-duplicated; ``ner=False`` skips stage 3."""
        staged = self._staged.get(text) if self._staged and not self._deferring else None
        results = self._stages(text) if staged is None else list(staged)
        if self._deferring:
            self._staged[text] = list(results)
        if ner and "PERSON" in self.entities and self.ner != "off" and self.nlp is not None:
            t0, asked = time.perf_counter(), self.ner_windows
            results.extend(self._names(text, results))
            if staged is not None:
                self.ner_windows = asked  # a text judged again: its windows were counted the first time
            self.times.ner += time.perf_counter() - t0
        kept = [r for r in results if r.score >= self.threshold]
        from presidio_analyzer import EntityRecognizer

        return list(EntityRecognizer.remove_duplicates(kept))

    @contextmanager
    def batched_names(self) -> Iterator[None]:
        """The scope of a batch of texts whose NER windows are read together (one model call, not one per text).

        Inside it, texts analysed under :meth:`deferring_names` get no NER names where the model has not
        read their windows yet; :meth:`read_noted` reads all of those at once; analysing the same texts
        again then gives what analysing them one by one would have. Answers and stage 1-2 results are
        kept until the scope ends.
        """
        try:
            yield
        finally:
            self._deferring = False
            self._noted.clear()
            self._answers.clear()
            self._staged.clear()

    @contextmanager
    def deferring_names(self) -> Iterator[None]:
        """Within :meth:`batched_names`: note NER windows the model has not read instead of reading them."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False

    def read_noted(self) -> None:
        """Read the windows noted while deferring, in one model call (see :meth:`batched_names`)."""
        if self._noted:
            t0 = time.perf_counter()
            self._answers.update(self._read(list(self._noted)))
            self._noted.clear()
            self.times.ner += time.perf_counter() - t0

    def _stages(self, text: str) -> list[RecognizerResult]:
        """Stages 1 and 2: the triggered recognizers' results, unthresholded."""
        t0 = time.perf_counter()
        windows = self.prefilter.candidates(text)
        fired: dict[int, bool] = {}
        todo: list[tuple[Any, list[tuple[int, int]] | None]] = []
        for index, (recognizer, trigger) in enumerate(self.recognizers):
            if index in self.prefilter.covered:
                if index in windows:
                    todo.append((recognizer, windows[index]))
            elif _fires(trigger, text, fired):
                todo.append((recognizer, None))
        t1 = time.perf_counter()
        results: list[RecognizerResult] = []
        for index, count in self.prefilter.hits.items():
            self.counts.add(self.recognizers[index][0].name, candidates=count)
        for recognizer, spans in todo:
            checked = getattr(recognizer, "validated_count", None)
            if spans is None and id(recognizer) in self._email_only:
                found = []
                for lo, hi in _at_runs(text):
                    for res in recognizer.analyze(text[lo:hi], self.entities, None) or []:
                        res.start += lo
                        res.end += lo
                        found.append(res)
            elif spans is None:
                found = recognizer.analyze(text, self.entities, None) or []
            else:
                found = recognizer.analyze_windows(text, spans)
            for res in found:
                if res.recognition_metadata is None:
                    res.recognition_metadata = {}
                res.recognition_metadata.setdefault("recognizer_name", recognizer.name)
            # Validated: matches that passed the recognizer's checks (checksum, structure) before context decided.
            validated = len(found) if checked is None else recognizer.validated_count - checked
            self.counts.add(recognizer.name, validated=validated,
                            kept=sum(1 for r in found if r.score >= self.threshold))
            results.extend(found)
        self.times.triggers += t1 - t0
        self.times.recognizers += time.perf_counter() - t1
        return results

    def _names(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        listed = [r for r in results if r.entity_type == "PERSON"
                  and r.recognition_metadata and "needs_ner" in r.recognition_metadata]
        unsure = [(r.start, r.end) for r in listed if r.recognition_metadata["needs_ner"]]
        sure = _SpanSet([(r.start, r.end) for r in listed
                         if not r.recognition_metadata["needs_ner"] and r.score >= self.threshold])
        if self.ner == "full":
            spans = [(0, len(text))]
        else:
            anchors = [(r.start, r.end) for r in results
                       if r.entity_type in self.name_anchors and r.score >= self.threshold]
            anchors += SENSITIVE_TERMS.spans(text)
            # Labels and phrases that introduce a student by name ("Student: ...", "Betty's father"). Not
            # every "student": district prose says it everywhere, and NER over all of it is the slow path.
            anchors += RECORD_ANCHORS.spans(text)
            spans = _merge([(max(0, s - NER_WINDOW), min(len(text), e + NER_WINDOW)) for s, e in anchors])
        # Unsure list candidates outside every anchor window get a small window each.
        checked = [(s, e) for s, e in unsure[:MAX_NAME_CHECKS] if not _inside(s, e, spans)]
        checks = _merge([(max(0, s - NAME_CHECK_WINDOW), min(len(text), e + NAME_CHECK_WINDOW)) for s, e in checked])
        if not spans and not checks:
            return []
        from presidio_analyzer import RecognizerResult

        out: list[RecognizerResult] = []
        windows = spans + checks
        persons = self._persons([text[s:e] for s, e in windows])
        for index, ((start, _), found) in enumerate(zip(windows, persons, strict=True)):
            anchored = index < len(spans)
            for ent_start, ent_end, ent_text in found:
                lo, hi = start + ent_start, start + ent_end
                if sure.overlaps(lo, hi):
                    continue  # the name lists already gave this name its span
                if self._ner_span_ok is not None and not self._ner_span_ok(ent_text):
                    continue  # a first name alone, or a span with a label, title or place word in it
                if anchored:
                    out.append(RecognizerResult("PERSON", lo, hi, 0.85,
                                                recognition_metadata={"recognizer_name": "SpacyRecognizer"}))
                    continue
                # A check window reports only the list candidates NER agrees with, with the lists' span.
                for s, e in checked:
                    if s < hi and lo < e:
                        out.append(RecognizerResult("PERSON", s, e, 0.8, recognition_metadata={
                            "recognizer_name": "PersonNameRecognizer+SpacyRecognizer"}))
        return out


    def _persons(self, windows: list[str]) -> list[tuple[tuple[int, int, str], ...]]:
        """NER's PERSON spans (start, end, text) in each window; a window seen before is not read again.

        Mail threads quote the same paragraphs, forms repeat the same lines, and every page of a report its
        header: the same window text gives the same entities, so this process remembers the last
        NER_MEMO windows' answers, and only the rest go through the model, in one batch. While deferring
        (:meth:`deferring_names`), the rest are noted for :meth:`read_noted` and have no PERSON spans yet.
        """
        memo, answers = self._ner_memo, self._answers
        # Looked up before reading: reading may clear the memo.
        known = {w: memo[w] if w in memo else answers[w] for w in windows if w in memo or w in answers}
        todo = list(dict.fromkeys(w for w in windows if w not in known))
        self.ner_windows += len(windows)
        if todo and self._deferring:
            self._noted.update(dict.fromkeys(todo))
            self.deferred += 1
            return [known.get(w, ()) for w in windows]
        if todo:
            known.update(self._read(todo))
        return [known[w] for w in windows]

    def _read(self, windows: list[str]) -> dict[str, tuple[tuple[int, int, str], ...]]:
        """NER's PERSON spans in each of these distinct windows, read by the model in one call, and remembered."""
        memo = self._ner_memo
        # nlp.pipe costs about 2 ms per call on top of the work (measured: 6.9 ms for one short window
        # through pipe, 5.0 ms through a plain call); most texts have a single window. A batch's texts
        # have theirs read together (batched_names).
        docs = [self.nlp(windows[0])] if len(windows) == 1 else self.nlp.pipe(windows, batch_size=NER_BATCH)
        read = {window: tuple((ent.start_char, ent.end_char, ent.text) for ent in doc.ents
                              if ent.label_ in ("PERSON", "PER"))
                for window, doc in zip(windows, docs, strict=True)}
        if len(memo) + len(read) > NER_MEMO:
            memo.clear()
        # (Only windows of a few lines: ner = "full" reads whole texts, which are not worth keeping.)
        memo.update((w, ents) for w, ents in read.items() if len(w) <= NER_MEMO_CHARS)
        self.ner_read += len(windows)
        return read


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) lies inside one of the (merged, sorted) spans."""
    return any(s <= start and end <= e for s, e in spans)


class _SpanSet:
    """Spans that a roster-sized text may hold by the thousand, asked about overlaps in O(log n)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.max_end: list[int] = []  # the furthest end among the spans up to each index
        furthest = -1
        for _, e in spans:
            furthest = max(furthest, e)
            self.max_end.append(furthest)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps one of the spans."""
        i = bisect.bisect_left(self.starts, end)  # the spans before i start before ``end``
        return i > 0 and self.max_end[i - 1] > start


def _compiles(hyperscan: Any, patterns: list[tuple[bytes, int]]) -> Any:
    """A block-mode Hyperscan database of the (expression, flags) pairs, or None if it will not compile."""
    if not patterns:
        return None
    try:
        return compile_database(hyperscan, [e for e, _ in patterns], [f for _, f in patterns])
    except hyperscan.error:
        return None


def _fires(trigger: Any, text: str, cache: dict[int, bool]) -> bool:
    """Whether a trigger occurs in the text; each distinct trigger is searched once per text."""
    if trigger is None:
        return True
    key = id(trigger)
    if key not in cache:
        cache[key] = trigger in text if isinstance(trigger, str) else trigger.search(text) is not None
    return cache[key]


_WORD_SPACE = re.compile(r"\s")


def _at_runs(text: str) -> list[tuple[int, int]]:
    """The runs of non-space characters that hold an "@", with one character either side.

    An e-mail address holds no whitespace, so every match of an e-mail pattern lies inside such a run;
    the extra character keeps a pattern's word boundaries as they are in the whole text. Presidio's
    e-mail pattern over a whole source file or mail archive cost more than every other stage together.
    Each run is walked once (an "@" inside the run just found is skipped), so the cost is linear.
    """
    size = len(text)
    spans: list[tuple[int, int]] = []
    at = text.find("@")
    while at >= 0:
        lo = at
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        space = _WORD_SPACE.search(text, at)
        hi = space.start() if space is not None else size
        spans.append((max(0, lo - 1), min(size, hi + 1)))
        at = text.find("@", hi)
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
