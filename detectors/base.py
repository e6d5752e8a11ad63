"""The declarative base for the district's recognizers, and their discovery.

In most cases a new recognizer is one module with one subclass of :class:`DistrictPatternRecognizer`
that declares ``ENTITY``, ``PATTERNS``, ``CONTEXT`` and ``EXAMPLES`` and, where the identifier has a
checksum or known void values, overrides ``validate_result`` / ``invalidate_result``. A recognizer whose
patterns come from the district's configuration (student and employee numbers) subclasses
:class:`ConfiguredIdRecognizer` instead.

What a recognizer class declares is all the engine needs to know of it; no list elsewhere names it:

* ``ENTITY`` (or ``ENTITIES``): what it finds. The entities declared here are the canonical ones the
  scanner reports (CONTRACT.md section 3); whatever else Presidio finds is dropped.
* ``TRIGGER``: a cheap necessary condition for a match (a substring or a regex, searched once per text);
  the fast path skips the recognizer on a text without it. None, or no ``TRIGGER``: always run.
* ``NAME_ANCHOR``: a name near one of its values matters (a 93H element, a student or staff ID), so the
  fast path runs NER in a window around each.
* ``REPLACES``: the Presidio predefined recognizers it supersedes; ``EXAMPLES``: texts it must get right.

Context works differently from stock Presidio, on purpose:

* context terms match **whole words** (Presidio's default matches substrings, so ``lic`` fires inside
  "public"); multi-word terms accept spaces, ``_`` or ``-`` between their words ("date_of_birth");
* the window is measured in characters either side of the match (``context_window``, default 40);
* the nearest term before the match decides (else the nearest after it): a ``NEGATIVE_CONTEXT`` term
  there ("phone", "routing") drops the match, a ``CONTEXT`` term raises its score; of two terms ending
  (or, after the match, starting) at the same place the longer one decides ("gl account" over "account");
* with no term in the window, the line introducing a list that holds the match decides ("Students
  moving to period 3 (name, SASID):" above one student per line);
* a pattern built with ``requires_context=True`` is dropped when no context term is in the window;
* every result is marked as already enhanced by context, so the engine's own (substring) context
  enhancer leaves it alone.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

from dlp.registry import discover

if TYPE_CHECKING:
    from typing import Self

    from presidio_analyzer.nlp_engine import NlpArtifacts

DEFAULT_CONTEXT_WINDOW = 40

# Digit runs must not be glued to letters, to a dash, or to another number through '.', ',' or '/'
# (decimals, dates, part numbers): "REF-123456789" and "3.123456789" are not identifiers.
NUM_START = r"(?<![\w-])(?<!\d[.,/])"
NUM_END = r"(?![\w-])(?![.,/]\d)"

# The trigger of most identifiers: two digits in a row.
TWO_DIGITS = re.compile(r"\d\d")

# Never matches: stands in for the patterns of a configured recognizer that has none, because
# Presidio's PatternRecognizer refuses to be built without any pattern.
_NEVER = "(?!)"

_MARK = re.compile(r"\[\[(.+?)\]\]")


@dataclass(frozen=True)
class Examples:
    """Texts a recognizer must get right; the generic test runs every one of them.

    A positive marks each expected value with ``[[double brackets]]``; the recognizer must find exactly
    those spans with a score of at least 0.5. A negative must yield nothing at 0.5 or above.
    """

    positives: tuple[str, ...]
    negatives: tuple[str, ...]


def parse_example(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Strip the ``[[...]]`` marks from an example; return the plain text and the marked spans."""
    spans: list[tuple[int, int]] = []
    plain: list[str] = []
    pos = 0
    length = 0
    for mark in _MARK.finditer(text):
        before = text[pos : mark.start()]
        plain.append(before)
        length += len(before)
        value = mark.group(1)
        spans.append((length, length + len(value)))
        plain.append(value)
        length += len(value)
        pos = mark.end()
    plain.append(text[pos:])
    return "".join(plain), tuple(spans)


@dataclass(frozen=True)
class StageOne:
    """What a recognizer gives the fast engine's single Hyperscan pass (stage 1).

    ``patterns``: (regex, ``re`` flags, gated) per pattern; a gated pattern's candidates count only where
    one of ``terms`` (regexes of the context words, found in the same pass) ends within ``reach``
    characters before or after them. ``list_reach``: how far before a candidate a term may still decide it
    when ``lists`` says the text introduces a list (see :meth:`DistrictPatternRecognizer.context_hit`).
    """

    patterns: tuple[tuple[str, int, bool], ...]
    terms: tuple[tuple[str, int], ...] = ()
    reach: int = 0
    list_reach: int = 0
    lists: Callable[[str], bool] | None = None


class DistrictPattern(Pattern):
    """A Presidio :class:`~presidio_analyzer.Pattern` that may demand a context word.

    ``score`` is the score without context; with a context term in the window it rises by the
    recognizer's ``CONTEXT_BOOST`` (to at least ``MIN_SCORE_WITH_CONTEXT``). A pattern with
    ``requires_context=True`` is dropped when the window holds no context term (bare 9 digits as a
    license, 10 digits as a SASID).
    """

    def __init__(self, name: str, regex: str, score: float, *, requires_context: bool = False) -> None:
        super().__init__(name=name, regex=regex, score=score)
        self.requires_context = requires_context


@dataclass(frozen=True)
class ContextHit:
    """The context term that decided a match: which term, how far away, and whether it argues against."""

    term: str
    distance: int
    negative: bool = False


# A line that introduces a list: it ends with a colon. The list below it ends at the first blank line.
_INTRO_END = re.compile(r":[ \t]*\r?$", re.MULTILINE)
_INTRO_MAX = 400
_BLANK_LINE = re.compile(r"\n[ \t\r]*(?:\n|$)")
_LIST_MAX_CHARS = 20_000
_LAST_BLOCKS: list[tuple[str, list[tuple[int, int, int, int]]]] = []


def introduces_list(text: str) -> bool:
    """Whether a line of the text may introduce a list (ends with a colon): only then is a match's context
    looked for above it, farther than the window."""
    return ":\n" in text or ":\r\n" in text or ": \n" in text


def _list_blocks(text: str) -> list[tuple[int, int, int, int]]:
    """(list start, list end, intro start, intro end) of every introduced list in ``text``, sorted.

    Found once per text (the recognizers ask about the same window in turn) with C-level regex scans.
    """
    if _LAST_BLOCKS and _LAST_BLOCKS[0][0] is text:
        return _LAST_BLOCKS[0][1]
    blocks: list[tuple[int, int, int, int]] = []
    if introduces_list(text):
        blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
        for colon in _INTRO_END.finditer(text):
            intro_start = text.rfind("\n", 0, colon.start()) + 1
            if not 3 <= colon.start() - intro_start <= _INTRO_MAX:
                continue
            begin = text.find("\n", colon.end()) + 1 or len(text)
            # One blank line may separate the intro from its first item.
            gap = _BLANK_LINE.match(text, colon.end())
            if gap is not None:
                begin = gap.end()
            if begin >= len(text) or _BLANK_LINE.match(text, begin - 1):
                continue  # the end of the text, or a second blank line: no list follows
            i = bisect.bisect_left(blanks, begin)
            stop = blanks[i] if i < len(blanks) else len(text)
            blocks.append((begin, min(stop, begin + _LIST_MAX_CHARS), intro_start, colon.end()))
    _LAST_BLOCKS[:] = [(text, blocks)]
    return blocks


def _term_regex(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive whole-word alternation of ``terms`` (longest first), or None if empty."""
    if not terms:
        return None
    parts = []
    # Longest first, then alphabetical: the same terms give the same regex in every process (a set's
    # order follows the string hash, which differs per process, and the Hyperscan cache is keyed by it).
    for term in sorted({t.lower() for t in terms}, key=lambda t: (-len(t), t)):
        words = [re.escape(w).replace("'", "['’]?") for w in term.split()]
        parts.append(r"[\s_\-]*".join(words))
    # Letters and digits on either side make it part of a longer word; '_' and '-' do not, so that
    # column headers such as "student_dob" still count.
    return re.compile(r"(?<![0-9a-z])(?:" + "|".join(parts) + r")(?![0-9a-z])", re.IGNORECASE)


class DistrictPatternRecognizer(PatternRecognizer):
    """A regex recognizer with whole-word context, declared by class constants.

    Subclasses set ``ENTITY``, ``PATTERNS`` (:class:`DistrictPattern` or plain Presidio patterns),
    ``CONTEXT``, ``EXAMPLES``, and optionally ``NEGATIVE_CONTEXT``, ``REPLACES`` (class names of the
    Presidio predefined recognizers that the engine must remove because this one supersedes them),
    ``TRIGGER`` and ``NAME_ANCHOR`` (see the module docstring).
    ``validate_result`` returning False or ``invalidate_result`` returning True drops a match.
    """

    ENTITY: ClassVar[str] = ""
    # Every identifier has at least two digits in a row; a recognizer of words declares its own trigger.
    TRIGGER: ClassVar[str | re.Pattern[str] | None] = TWO_DIGITS
    # An identifier of a person or of their money: a name beside it is worth finding.
    NAME_ANCHOR: ClassVar[bool] = True
    PATTERNS: ClassVar[tuple[Pattern, ...]] = ()
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ()
    EXAMPLES: ClassVar[Examples] = Examples((), ())
    REPLACES: ClassVar[tuple[str, ...]] = ()
    CONTEXT_BOOST: ClassVar[float] = 0.35
    MIN_SCORE_WITH_CONTEXT: ClassVar[float] = 0.6
    # Score given to a match that a recognizer flags (e.g. a public test card): kept for the record,
    # far below any reporting threshold.
    FLAGGED_SCORE: ClassVar[float] = 0.05
    REGEX_FLAGS: ClassVar[int] = re.IGNORECASE
    # Words besides CONTEXT that an override of context_hit lets decide a match (see stage_one), and how
    # much farther than the context window they may lie.
    GATE_TERMS: ClassVar[tuple[str, ...]] = ()
    GATE_REACH: ClassVar[int] = 0

    def __init__(
        self,
        patterns: Sequence[Pattern] | None = None,
        context: Sequence[str] | None = None,
        context_window: int = DEFAULT_CONTEXT_WINDOW,
        supported_language: str = "en",
        name: str | None = None,
    ) -> None:
        if not self.ENTITY:
            raise ValueError(f"{type(self).__name__} declares no ENTITY")
        if isinstance(context_window, bool) or not isinstance(context_window, int) or context_window < 0:
            raise ValueError(f"context_window must be a whole number of characters, not {context_window!r}")
        chosen = list(self.PATTERNS if patterns is None else patterns)
        terms = list(self.CONTEXT if context is None else context)
        self.context_window = context_window
        # Matches that passed validate_result/invalidate_result so far (the fast engine's counters).
        self.validated_count = 0
        # Presidio leaves ``name`` untyped; keep a typed copy for results and explanations.
        self._name: str = name or type(self).__name__
        self._compiled: list[tuple[Pattern, re.Pattern[str]]] = []
        for pattern in chosen:
            try:
                self._compiled.append((pattern, re.compile(pattern.regex, self.REGEX_FLAGS)))
            except re.error as exc:
                raise ValueError(
                    f"{type(self).__name__}: pattern {pattern.name!r} is not a valid regex: {exc}"
                ) from None
        self._positive = _term_regex(terms)
        self._negative = _term_regex(self.NEGATIVE_CONTEXT)
        self._longest_term = max((len(t) for t in (*terms, *self.NEGATIVE_CONTEXT)), default=0) + 8
        super().__init__(
            supported_entity=self.ENTITY,
            name=self._name,
            supported_language=supported_language,
            patterns=chosen or [Pattern("none configured", _NEVER, 0.0)],
            context=terms,
        )

    # --- construction hooks ---------------------------------------------------------------------

    @classmethod
    def from_settings(
        cls, *, context_window: int, district_patterns: Mapping[str, Sequence[str | Pattern]]
    ) -> Self:
        """Build the recognizer from settings; ``district_patterns`` maps an entity to configured regexes."""
        return cls(context_window=context_window)

    @classmethod
    def example_instance(cls) -> Self:
        """The instance the generic example test checks (configured recognizers add sample patterns)."""
        return cls()

    # --- matching --------------------------------------------------------------------------------

    def locate(self, text: str, match: re.Match[str]) -> tuple[int, int] | None:
        """The span a match reports: the ``value`` group if the pattern has one, else the whole match.

        Override to trim or refuse a match; None drops it.
        """
        if "value" in match.re.groupindex and match.group("value") is not None:
            return match.span("value")
        return match.span()

    def flag(self, value: str) -> str | None:
        """A label for a value that is valid but known not to be real (e.g. ``"test_data"``), or None."""
        return None

    def context_hit(self, text: str, start: int, end: int) -> ContextHit | None:
        """The context term that decides the match at ``text[start:end]``, or None.

        The nearest term in the window before the match wins; if there is none, the nearest term in
        the window after it. Negative terms compete with positive ones on distance.
        """
        lo = max(0, start - self.context_window)
        before = self._nearest(text, lo, start, before=True)
        if before is not None:
            return before
        after = self._nearest(text, end, min(len(text), end + self.context_window), before=False)
        return after if after is not None else self._list_intro_hit(text, start)

    def _list_intro_hit(self, text: str, start: int) -> ContextHit | None:
        """The context term of the line that introduces a list holding the match, if any.

        "These students are moving into your section (name, SASID):" followed by one item per line:
        the label is said once, above the list, farther than any window reaches. The list is the run
        of non-blank lines right below a line ending with a colon (one blank line may come between).
        """
        blocks = _list_blocks(text)
        if not blocks:
            return None
        i = bisect.bisect_right(blocks, (start, len(text) + 1, 0, 0)) - 1
        if i < 0:
            return None
        block_start, block_end, intro_start, intro_end = blocks[i]
        if not block_start <= start < block_end:
            return None
        hit = self._nearest(text, intro_start, intro_end, before=True)
        return None if hit is None else ContextHit(hit.term, self.context_window + 1, hit.negative)

    def _nearest(self, text: str, lo: int, hi: int, *, before: bool) -> ContextHit | None:
        best: ContextHit | None = None
        for regex, negative in ((self._positive, False), (self._negative, True)):
            if regex is None or hi <= lo:
                continue
            if before:
                # pos=lo keeps a word cut by the window's edge from matching ("pub|lic"): the
                # lookbehind still sees the real character before lo. endpos=hi is the match itself.
                hits = [(hi - m.end(), m.group(0)) for m in regex.finditer(text, lo, hi)]
            else:
                # Search a little past the window so a word cut at its edge is seen whole (and
                # rejected if longer), then keep only terms that start inside the window.
                stop = min(len(text), hi + self._longest_term)
                found = regex.finditer(text, lo, stop)
                # A label written with its colon ("checking:") after the match introduces the next
                # value, not this one ("... IFDs to 1048576 / IFD loop checking: use a hashmap").
                hits = [(m.start() - lo, m.group(0)) for m in found if m.start() < hi and not m.group(0).endswith(":")]
            for distance, term in hits:
                # At equal distance the longer term wins: it holds the shorter one ("gl account"
                # against "account", "tax id" against "id"), so it is the more specific reading.
                if best is None or (distance, -len(term)) < (best.distance, -len(best.term)):
                    best = ContextHit(term=term, distance=distance, negative=negative)
        return best

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Find this recognizer's entity in ``text``; needs no NLP artifacts.

        ``regex_flags`` is ignored: each recognizer compiles its patterns once with ``REGEX_FLAGS``.
        """
        if entities and self.ENTITY not in entities:
            return []
        results: list[RecognizerResult] = []
        for pattern, compiled in self._compiled:
            for match in compiled.finditer(text):
                result = self._judge(text, match, pattern)
                if result is not None:
                    results.append(result)
        return EntityRecognizer.remove_duplicates(results)

    def prefilter_patterns(self) -> list[tuple[str, int]]:
        """This recognizer's patterns and regex flags, for a multi-pattern prefilter (Hyperscan).

        The prefilter only nominates places to look; :meth:`analyze_windows` then runs the real
        patterns, validation and context checks there.
        """
        return [(pattern.regex, self.REGEX_FLAGS) for pattern, _ in self._compiled]

    def stage_one(self) -> StageOne:
        """This recognizer's patterns for the fast engine's Hyperscan pass, with their context gate.

        A pattern built with ``requires_context=True`` is gated: a candidate without one of the context
        words within reach can never be reported (:meth:`_judge` drops it), so stage 1 drops it before any
        Python runs. A subclass that lets something else than its context words decide (an override of
        :meth:`context_hit`) must name those words in ``GATE_TERMS``, or its patterns stay ungated.
        """
        own_context = type(self).context_hit is DistrictPatternRecognizer.context_hit
        gate = self._positive is not None and (own_context or bool(self.GATE_TERMS))
        terms: list[tuple[str, int]] = []
        if gate and self._positive is not None:
            terms.append((self._positive.pattern, re.IGNORECASE))
            extra = _term_regex(self.GATE_TERMS)
            if extra is not None:
                terms.append((extra.pattern, re.IGNORECASE))
        patterns = tuple((pattern.regex, self.REGEX_FLAGS, gate and bool(getattr(pattern, "requires_context", False)))
                         for pattern, _ in self._compiled)
        return StageOne(patterns=patterns, terms=tuple(terms),
                        reach=self.context_window + self._longest_term + self.GATE_REACH,
                        list_reach=_LIST_MAX_CHARS + _INTRO_MAX + self.context_window + self._longest_term,
                        lists=introduces_list)

    def analyze_windows(self, text: str, windows: list[tuple[int, int]]) -> list[RecognizerResult]:
        """Like :meth:`analyze`, but only matches that start inside the given (start, end) windows.

        Lookbehinds still see the text before a window and context is judged on the whole text, so a
        match found here is the same as one a full pass would find.
        """
        results: list[RecognizerResult] = []
        for pattern, compiled in self._compiled:
            for lo, hi in windows:
                for match in compiled.finditer(text, lo, hi):
                    result = self._judge(text, match, pattern)
                    if result is not None:
                        results.append(result)
        return EntityRecognizer.remove_duplicates(results)

    def cell_score(self, value: str) -> float | None:
        """The score of ``value`` as a whole table cell whose column header supplies the context.

        It is what :meth:`analyze` gives for ``"<context word>: <value>"``, without searching for the
        context word or building an explanation: a roster has tens of thousands of such cells. None
        when no pattern matches the whole value (the caller then judges the cell as running text); 0.0
        when one does but the value fails validation.
        """
        best: float | None = None
        for pattern, compiled in self._compiled:
            match = compiled.fullmatch(value)
            if match is None or self.locate(value, match) != (0, len(value)):
                continue
            if self.validate_result(value) is False or self.invalidate_result(value):
                return 0.0
            score = min(1.0, max(pattern.score + self.CONTEXT_BOOST, self.MIN_SCORE_WITH_CONTEXT))
            if self.flag(value) is not None:
                score = min(score, self.FLAGGED_SCORE)
            best = score if best is None else max(best, score)
        return best

    def _judge(self, text: str, match: re.Match[str], pattern: Pattern) -> RecognizerResult | None:
        span = self.locate(text, match)
        if span is None or span[0] == span[1]:
            return None
        start, end = span
        value = text[start:end]
        validated = self.validate_result(value)
        if validated is False or self.invalidate_result(value):
            return None
        self.validated_count += 1
        hit = self.context_hit(text, start, end)
        if hit is not None and hit.negative:
            return None
        if hit is None and getattr(pattern, "requires_context", False):
            return None
        score = pattern.score
        if hit is not None:
            score = min(1.0, max(score + self.CONTEXT_BOOST, self.MIN_SCORE_WITH_CONTEXT))
        label = self.flag(value)
        if label is not None:
            score = min(score, self.FLAGGED_SCORE)
        explanation = self.build_regex_explanation(
            self._name, pattern.name, pattern.regex, pattern.score, bool(validated), self.REGEX_FLAGS
        )
        if hit is not None:
            explanation.set_supportive_context_word(hit.term)
        explanation.set_improved_score(score)
        metadata: dict[str, object] = {
            RecognizerResult.RECOGNIZER_NAME_KEY: self._name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            # Context was already judged here with whole words; stop the engine's substring enhancer.
            RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
        }
        if label is not None:
            metadata["flag"] = label
        return RecognizerResult(
            entity_type=self.ENTITY,
            start=start,
            end=end,
            score=score,
            analysis_explanation=explanation,
            recognition_metadata=metadata,
        )


class ConfiguredIdRecognizer(DistrictPatternRecognizer):
    """A recognizer whose patterns are the district's own (local student or employee numbers).

    Patterns come from the configuration, keyed by ``ENTITY``. A plain string is a regex that needs a
    context word nearby to count (six digits alone are not a student number); pass a
    :class:`DistrictPattern` to choose the score and the context rule. With no pattern configured the
    recognizer finds nothing.
    """

    UNGATED_SCORE: ClassVar[float] = 0.3
    # Sample district patterns used only by the example test.
    EXAMPLE_PATTERNS: ClassVar[tuple[str | Pattern, ...]] = ()

    def __init__(
        self,
        patterns: Sequence[str | Pattern] | None = None,
        context: Sequence[str] | None = None,
        context_window: int = DEFAULT_CONTEXT_WINDOW,
        supported_language: str = "en",
        name: str | None = None,
    ) -> None:
        built: list[Pattern] = []
        for i, item in enumerate(patterns or (), start=1):
            label = f"{self.ENTITY} pattern {i}"
            if isinstance(item, Pattern):
                built.append(item)
            elif isinstance(item, str) and item:
                try:
                    built.append(DistrictPattern(label, item, self.UNGATED_SCORE, requires_context=True))
                except ValueError as exc:
                    raise ValueError(f"{label} ({item!r}) is not a valid regular expression: {exc}") from None
            else:
                raise ValueError(f"{label} must be a non-empty regular expression string, not {item!r}")
        super().__init__(
            patterns=built, context=context, context_window=context_window,
            supported_language=supported_language, name=name,
        )

    @classmethod
    def from_settings(
        cls, *, context_window: int, district_patterns: Mapping[str, Sequence[str | Pattern]]
    ) -> Self:
        """Build with the district's patterns for ``ENTITY`` (none configured: finds nothing)."""
        return cls(patterns=tuple(district_patterns.get(cls.ENTITY, ())), context_window=context_window)

    @classmethod
    def example_instance(cls) -> Self:
        """An instance with the sample ``EXAMPLE_PATTERNS``, for the example test."""
        return cls(patterns=cls.EXAMPLE_PATTERNS)


def recognizer_classes() -> list[type[EntityRecognizer]]:
    """Every concrete recognizer class defined in the ``detectors`` package, in module order."""
    # NOTE: mypy rejects an abstract class as a type argument; discovery only returns concrete ones.
    return discover("detectors", EntityRecognizer)  # type: ignore[type-abstract]


def declared_entities(cls: type) -> tuple[str, ...]:
    """The entities a recognizer class declares: its ``ENTITIES``, else its ``ENTITY``.

    :raises TypeError: the class declares neither (its findings would otherwise be dropped unnoticed).
    """
    entities: tuple[str, ...] = tuple(getattr(cls, "ENTITIES", ()))
    entity: str = getattr(cls, "ENTITY", "")
    if not entities and entity:
        entities = (entity,)
    if not entities:
        raise TypeError(f"recognizer {cls.__qualname__} declares no ENTITY (or ENTITIES)")
    return entities


def canonical_entities() -> frozenset[str]:
    """The entities the scanner reports: every entity a recognizer of this package declares."""
    return frozenset(e for cls in recognizer_classes() for e in declared_entities(cls))


def load_recognizers(
    context_window: int = DEFAULT_CONTEXT_WINDOW,
    student_id_patterns: Sequence[str | Pattern] = (),
    employee_id_patterns: Sequence[str | Pattern] = (),
) -> list[EntityRecognizer]:
    """Build one instance of every recognizer in the package.

    :param context_window: characters either side of a match searched for context words.
    :param student_id_patterns: the district's local student-number regexes (STUDENT_ID).
    :param employee_id_patterns: the district's employee-number regexes (EMPLOYEE_ID).
    :raises ValueError: on a bad window or an invalid configured regex, naming it.
    """
    district: dict[str, Sequence[str | Pattern]] = {
        "STUDENT_ID": tuple(student_id_patterns),
        "EMPLOYEE_ID": tuple(employee_id_patterns),
    }
    built: list[EntityRecognizer] = []
    for cls in recognizer_classes():
        if issubclass(cls, DistrictPatternRecognizer):
            built.append(cls.from_settings(context_window=context_window, district_patterns=district))
        else:
            # Any other recognizer in the package must be buildable without arguments.
            built.append(cast("Callable[[], EntityRecognizer]", cls)())
    return built


def replaced_recognizers() -> set[str]:
    """Names of Presidio predefined recognizers that ours replace; remove them from the registry."""
    names: set[str] = set()
    for cls in recognizer_classes():
        names.update(getattr(cls, "REPLACES", ()))
    return names
