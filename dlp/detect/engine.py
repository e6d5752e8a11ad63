"""The detection engine: Presidio's recognizers with the spaCy model, built once per worker process.

The engine is built from serializable settings (:class:`~dlp.config.DetectSettings`) in each worker's
initializer, never shipped between processes. It adds the district recognizers found in the
``detectors`` package and removes the Presidio recognizers they replace. The fast engine runs the
recognizers itself and imports only the Presidio modules it uses (:mod:`dlp.detect.presidio_light`);
the plain one runs Presidio's AnalyzerEngine. Texts are analysed in
overlapping windows, so a long file never goes to spaCy whole and a value on a window border is
still found exactly once.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import importlib.metadata
import importlib.util
import logging
import operator
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlp import __version__
from dlp.config import DetectSettings
from dlp.detect import presidio_light
from dlp.detect.fast import FastAnalyzer
from dlp.detect.layout import text_forms, text_tables
from dlp.detect.tables import CONTEXT, Cell, form_cells, line_starts_of, row_of, row_offsets, type_grid
from dlp.detect.values import keyed_hash, mask
from dlp.errors import ConfigError
from dlp.types import Document, Finding, Part

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from detectors.roster import RosterRecognizer

log = logging.getLogger(__name__)

_IGNORED_NER_LABELS = ("CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "PRODUCT", "WORK_OF_ART",
                       "EVENT", "LAW", "LANGUAGE", "FAC", "TIME")

# Lowest recognizer score accepted for a value in a typed column (see DetectionEngine.validate).
COLUMN_MIN_SCORE = 0.3
_LOCAL_ID = re.compile(r"^[A-Za-z]{0,3}-?\d{3,12}$")

# Entries kept by DetectionEngine.validate's memo before it starts again (a few MB at most).
_VALIDATE_MEMO = 50_000

# Overlap between analysis windows: longer than any identifier with its context words.
WINDOW_OVERLAP = 200


def make_tldextract_offline() -> None:
    """Point tldextract at its bundled public-suffix snapshot so that no scan ever fetches the list.

    Presidio's e-mail recognizer calls ``tldextract.extract``, which by default downloads the list on
    first use: on an air-gapped district server that logs tracebacks or hangs.
    """
    import tldextract
    import tldextract.tldextract

    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _district_recognizers(settings: DetectSettings) -> tuple[list[EntityRecognizer], set[str], frozenset[str]]:
    """The recognizers of the ``detectors`` package, the Presidio recognizers they replace, and the
    entities they declare (the canonical ones, CONTRACT.md section 3).

    Raises:
        ConfigError: a configured student or employee ID pattern does not compile.
    """
    # Imported here: the package imports Presidio, which a main process deciding on a rescan never needs.
    from detectors.base import canonical_entities, load_recognizers, replaced_recognizers

    try:
        recognizers = load_recognizers(context_window=settings.context_window,
                                       student_id_patterns=settings.student_id_patterns,
                                       employee_id_patterns=settings.employee_id_patterns)
    except ValueError as exc:  # a configured pattern that does not compile
        raise ConfigError(f"[detect] {exc}") from None
    return recognizers, replaced_recognizers(), canonical_entities()


def _roster_recognizer(settings: DetectSettings, key: bytes) -> RosterRecognizer | None:
    """The roster recognizer (``detectors/roster.py``) when a roster was imported, else None."""
    from detectors.roster import build_roster_recognizer

    return build_roster_recognizer(key, settings.roster_path())


def engine_version(settings: DetectSettings) -> str:
    """A short digest of everything that decides findings: code, settings and the model.

    It hashes the source of the recognizers, extractors, engine and classification rather than
    importing them, so an unchanged rescan starts without loading Presidio. An item judged under
    another version is judged again by an incremental scan.
    """
    digest = hashlib.sha256(repr((__version__, settings)).encode())
    for package in ("detectors", "dlp.extract", "dlp.detect", "dlp.policy"):
        spec = importlib.util.find_spec(package)
        folders = (spec.submodule_search_locations or []) if spec is not None else []
        for folder in folders:
            for path in sorted(Path(folder).glob("*.py")):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    # Importing a roster changes what is found: rescans must judge everything again.
    from dlp.roster import fingerprint

    digest.update(fingerprint(settings.roster_path()).encode())
    # A model installed without metadata: its name (in the settings) is all we know.
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        digest.update(importlib.metadata.version(settings.model).encode())
    return digest.hexdigest()[:16]


class DetectionEngine:
    """Finds personal information in a document's text parts and returns value-free findings."""

    def __init__(self, settings: DetectSettings, key: bytes, *, show_values: bool = False,
                 preview: str = "last4", defer_model: bool = False,
                 model_loaded: Callable[[], None] | None = None) -> None:
        """Build the recognizers and the analyzer.

        ``defer_model``: the fast engine loads the spaCy model on the first text that needs NER instead of
        now (half a second of CPU), and calls ``model_loaded`` then. For a process that builds its own
        engine (a spawned or remote worker); a process that forks workers loads it now, so they share it.
        """
        self.settings = settings
        self._key = key
        self._show_values = show_values
        self._preview = preview  # [store] preview: what a finding keeps of its value besides the digest
        self._model = _Model(settings, fast=settings.engine == "fast", loaded=model_loaded)
        # The fast engine runs the recognizers itself: Presidio's AnalyzerEngine only on the plain path.
        self._analyzer, self._recognizers = self._build()
        self._plans: dict[str, list[tuple[Any, Callable[[str], float | None] | None, bool]]] = {}
        # Answers of validate() per (entity, value): table columns repeat values (dates, e-mail addresses,
        # a family's phone) across rows and files, and a refused value is refused again.
        self._validated: dict[tuple[str, str], bool] = {}
        # (preview, digest) per (entity, value): a roster's dates, addresses and names recur across its files.
        self._digests: dict[tuple[str, str], tuple[str, str]] = {}
        supported = _supported_entities(self._recognizers, settings.language)
        unknown = sorted(set(settings.entities) - set(supported))
        if unknown:
            raise ConfigError(f"[detect] entities: no recognizer finds {', '.join(unknown)}; "
                              f"known entities: {', '.join(sorted(supported))}")
        self.entities = [e for e in supported if e in (settings.entities or self._canonical)]
        self._fast: FastAnalyzer | None = None
        self._table_seconds = 0.0
        # The district's own ID formats, which type a column of a table of people whatever its header.
        self._district_ids: dict[str, tuple[re.Pattern[str], ...]] = {
            entity: tuple(re.compile(p) for p in patterns)
            for entity, patterns in (("STUDENT_ID", settings.student_id_patterns),
                                     ("EMPLOYEE_ID", settings.employee_id_patterns)) if patterns}
        # Plain Presidio runs the model on every text: only the fast engine's may wait for its first use, and
        # only an installed model's, so that a missing one still fails here and not on some later item.
        deferred = defer_model and settings.engine == "fast" and self._model.installed()
        nlp = self._model if deferred else self._model.load()
        if settings.engine == "fast":
            self._fast = FastAnalyzer(list(self._recognizers), nlp, self.entities,
                                      settings.score_threshold, settings.ner)

    def _build(self) -> tuple[AnalyzerEngine | None, list[EntityRecognizer]]:
        """Presidio's AnalyzerEngine (plain path only; None on the fast path) and the engine's recognizers:
        the predefined ones for the language less those the district's replace, then the district's, then
        the roster's."""
        make_tldextract_offline()
        fast = self.settings.engine == "fast"
        if fast:
            # Presidio by the piece (dlp/detect/presidio_light.py): without its package imports and spaCy.
            with contextlib.suppress(presidio_light.Unavailable):
                presidio_light.install()
        district, replaced, self._canonical = _district_recognizers(self.settings)
        # Exact-data-match of the imported rosters (none imported: nothing to add).
        self._roster = _roster_recognizer(self.settings, self._key)
        ours = [*district, *([self._roster] if self._roster is not None else [])]
        light = self._light_predefined(replaced, ours) if fast else None
        if light is not None:
            log.debug("detection engine: %d recognizers (%d district), Presidio by the piece",
                      len(light), len(district))
            return None, light
        presidio_light.complete_all()
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

        nlp_engine = self._model.nlp_engine
        registry = RecognizerRegistry(supported_languages=[self.settings.language])
        registry.load_predefined_recognizers(languages=[self.settings.language], nlp_engine=nlp_engine)
        for name in replaced:
            registry.remove_recognizer(name)
        for recognizer in ours:
            registry.add_recognizer(recognizer)
        log.debug("detection engine: %d recognizers (%d district)", len(list(registry.recognizers)), len(district))
        if fast:
            return None, list(registry.recognizers)
        return AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            supported_languages=[self.settings.language],
            default_score_threshold=self.settings.score_threshold,
        ), list(registry.recognizers)

    def _light_predefined(self, replaced: set[str], ours: list[EntityRecognizer]) -> list[EntityRecognizer] | None:
        """The fast engine's recognizers, Presidio imported by the piece; None: import it whole.

        Only those that find an entity the engine may report or a table column may be checked for (the
        canonical entities and any configured): the fast engine never runs another. Nor does it run the NLP
        recognizer (spaCy's entities: the fast engine runs NER itself), so it is left out; a configured
        entity that only it or another left-out recognizer finds takes the full import, which then says
        which entities exist, as before.
        """
        wanted = self._canonical | set(self.settings.entities)
        try:
            predefined = presidio_light.predefined_recognizers(self.settings.language, wanted, replaced)
        except presidio_light.Unavailable as exc:
            log.debug("Presidio imported whole: %s", exc)
            return None
        recognizers = [*predefined, *ours]
        known = _supported_entities(recognizers, self.settings.language)
        return recognizers if set(self.settings.entities) <= set(known) else None

    def detect(self, document: Document) -> list[Finding]:
        """Every finding in every part of the document, each value hashed and masked."""
        findings: list[Finding] = []
        carried: list[tuple[str, ...]] = []  # the header of a paged report's table, for the pages after
        for part in document.parts:
            if part.rows:
                findings.extend(self._detect_table(part))
            else:
                findings.extend(self._detect_body(part, carried))
        return findings

    def district_id(self, entity: str, value: str) -> bool:
        """Whether a value has one of the district's configured formats for STUDENT_ID or EMPLOYEE_ID."""
        return any(p.fullmatch(value) for p in self._district_ids.get(entity, ()))

    def _detect_table(self, part: Part) -> list[Finding]:
        """Typed columns give findings per cell; the rest of the table goes through the text engine.

        The header is looked for below titles and banners (:func:`dlp.detect.layout.find_segments`);
        columns without a known header are typed by their values; a two-column grid of labels and values
        is a form. Text findings inside a typed column are dropped (the column's own typing judged those
        cells), and every finding is located by its row, so that a name and an SSN in one row are "near".
        """
        t0 = time.perf_counter()
        rows = part.rows or ()
        offsets = row_offsets(rows)
        typing = type_grid(rows, offsets, range(1, len(rows) + 1), self.validate, first_is_header=part.has_header,
                           district=self.district_id if self._district_ids else None)
        row_starts = [o[0] if o else 0 for o in offsets]
        self._table_seconds += time.perf_counter() - t0
        forms = list(typing.forms)

        def locate(offset: int) -> str:
            row = bisect.bisect_right(row_starts, offset)
            return f"{part.locator} {_row_locator(row, forms)}"

        # A table whose name columns are typed gives its names per row already; NER over every row of a
        # roster (each row has an ID, so each row is an NER window) would cost most of the scan.
        return self._typed_findings(part, typing.cells, list(typing.covered), locate, ner=not typing.named)

    def _detect_body(self, part: Part, carried: list[tuple[str, ...]] | None = None) -> Iterator[Finding]:
        """A text part: rosters pasted into it and label/value forms are typed like tables, the rest is text.

        Findings inside a table block are located by the text's line ("body row 14"), those of one form by
        the form's lines ("body row 3-9"), so that classification sees one record in each. ``carried``
        holds the header of the last table of the page before: a page of a report whose table has no
        header line of its own and as many columns takes it.
        """
        carried = [] if carried is None else carried
        t0 = time.perf_counter()
        tables = text_tables(part.text)
        forms = text_forms(part.text)
        if not tables and not forms:
            self._table_seconds += time.perf_counter() - t0
            yield from self.detect_text(part.text, part.locator)
            return
        cells: list[Cell] = []
        covered: list[tuple[int, int]] = []
        table_lines: list[tuple[int, int]] = []
        form_rows: list[tuple[int, int]] = []
        named_lines: list[tuple[int, int]] = []
        paged = part.locator.startswith("page ")
        if not paged:
            carried.clear()
        for table in tables:
            header = carried[0] if paged and carried and not table.header else None
            typing = type_grid(table.rows, table.starts, table.lines, self.validate, first_is_header=table.header,
                               context=" ".join(table.titles), carried=header,
                               district=self.district_id if self._district_ids else None)
            if paged and table.header:
                carried[:] = [table.rows[0]]
            if not typing.typed:
                continue
            cells.extend(typing.cells)
            covered.extend(typing.covered)
            if typing.forms:
                form_rows.extend(typing.forms)
            else:
                table_lines.append((table.lines[0], table.lines[-1]))
                if typing.named:
                    named_lines.append(table_lines[-1])
        for form in forms:
            if any(lo <= form.first <= hi or lo <= form.last <= hi for lo, hi in table_lines + form_rows):
                continue
            form_rows.append((form.first, form.last))
            context = " ".join(pair.label for pair in form.pairs) + " " + " ".join(form.titles)
            found = form_cells([(p.kind, p.value, p.start) for p in form.pairs], form.first, form.last, context,
                               self.validate)
            cells.extend(found)
            covered.extend((c.start, c.end) for c in found)
            # A label whose value the form took is blanked with it; one whose value it refused stays, as the
            # context of whatever the text engine finds in that value ("student,id" above "Jonah Pierce 230117").
            covered.extend((pair.label_start, pair.label_end) for pair in form.pairs
                           if any(pair.start <= c.start < pair.end + 1 for c in found))
        line_starts = line_starts_of(part.text)
        self._table_seconds += time.perf_counter() - t0

        # Each line's locator, the first table block or form holding it deciding (a roster pasted into a
        # long text holds thousands of findings: one lookup each, not a walk over every block).
        by_line: dict[int, str] = {}
        for lo, hi in reversed(form_rows):
            by_line.update(dict.fromkeys(range(lo, hi + 1), f"{part.locator} {_row_locator(lo, [(lo, hi)])}"))
        for lo, hi in reversed(table_lines):
            by_line.update({line: f"{part.locator} row {line}" for line in range(lo, hi + 1)})

        def locate(offset: int) -> str:
            return by_line.get(row_of(offset, line_starts), part.locator)

        for finding in self._typed_findings(part, cells, covered, locate, ner=True):
            # A table whose name column was typed has its people already: NER alone naming a word in
            # another of its cells ("Inhaler" in a notes column) is noise, as it is in a table part.
            if finding.entity == "PERSON" and finding.recognizer == "SpacyRecognizer" and named_lines:
                line = row_of(finding.start, line_starts)
                if any(lo <= line <= hi for lo, hi in named_lines):
                    continue
            yield finding

    def _typed_findings(self, part: Part, cells: Sequence[Cell], covered: list[tuple[int, int]],
                        locate: Callable[[int], str], *, ner: bool) -> list[Finding]:
        """Findings of typed cells, then the text engine's over the text with those cells blanked."""
        # A roster gives a finding per cell, tens of thousands per file: the row locator is made once per
        # row and the (preview, digest) once per distinct value, nothing else is looked up per cell, and
        # the findings go to a list, not through a generator.
        locators: dict[tuple[int, int | None], str] = {}
        digests, digest = self._digests, self._digest
        roster, show = self._roster, self._show_values
        findings: list[Finding] = []
        append = findings.append
        for cell in cells:
            entity, value = cell.entity, cell.value
            where = (cell.row, cell.last)
            locator = locators.get(where)
            if locator is None:
                locator = locators[where] = f"{part.locator} {cell.where}"
            preview, value_hash = digests.get((entity, value)) or digest(entity, value)
            subject = roster.index.subject_for(entity, value) if roster is not None else None
            append(Finding(entity, 0.9 if entity == "PERSON" else 1.0, locator, cell.start, cell.end, preview,
                           value_hash, "column", subject, value if show else None))
        covered = _merged(covered)
        starts = [c[0] for c in covered]
        # Typed cells were judged above: blank them (same length, so offsets and rows hold) so that the text
        # engine spends its time only on the other columns.
        text = part.text
        ends = [0, *(hi for _, hi in covered)]
        # Text before each span, then the span's blanks, alternately; at C level (a roster has ~100,000 spans).
        pieces: list[str] = [" "] * (2 * len(covered) + 1)
        pieces[0::2] = map(text.__getitem__, map(slice, ends, [*starts, len(text)]))
        pieces[1::2] = map(" ".__mul__, map(operator.sub, [hi for _, hi in covered], starts))
        residual = "".join(pieces)
        for f in self.detect_text(residual, part.locator, ner=ner, locate=locate):
            i = bisect.bisect_right(starts, f.start) - 1
            if i >= 0 and covered[i][0] <= f.start < covered[i][1]:
                continue
            append(f)
        return findings

    @property
    def fast_analyzer(self) -> FastAnalyzer | None:
        """The fast path's analyzer (its stage-1 database and per-recognizer counters), None on the plain path."""
        return self._fast

    def recognizer_counts(self) -> dict[str, tuple[int, int, int]]:
        """Per recognizer so far in this process: (candidates, validated, kept); empty on the plain path."""
        return {} if self._fast is None else self._fast.counts.totals()

    def stage_totals(self) -> dict[str, float]:
        """Seconds spent so far in each detection stage of this process (for the benchmark)."""
        totals = {"detect_tables": self._table_seconds}
        if self._fast is not None:
            totals.update(detect_prefilter=self._fast.times.triggers, detect_validate=self._fast.times.recognizers,
                          detect_ner=self._fast.times.ner)
        return totals

    def validate(self, entity: str, value: str) -> bool:
        """Does a recognizer of ``entity`` accept ``value`` given the context a typed column supplies?"""
        key = (entity, value)
        known = self._validated.get(key)
        if known is None:
            known = self._validate(entity, value)
            if len(self._validated) >= _VALIDATE_MEMO:
                self._validated.clear()  # bounded: a long scan's memo must not grow with every value seen
            self._validated[key] = known
        return known

    def _validate(self, entity: str, value: str) -> bool:
        plan = self._plans.get(entity)
        if plan is None:
            # Per recognizer, once: its quick cell scorer, or whether its plain patterns can be run directly.
            recognizers = [r for r in self._recognizers
                           if entity in r.supported_entities and type(r).__name__ != "SpacyRecognizer"]
            plan = self._plans[entity] = [(r, getattr(r, "cell_score", None), _plain_patterns(r)) for r in recognizers]
        prefix = f"{CONTEXT.get(entity, entity)}: "
        text = prefix + value
        for recognizer, quick, plain in plan:
            score = quick(value) if quick is not None else None
            if score is not None:
                if score >= COLUMN_MIN_SCORE:
                    return True
                continue
            if plain:
                if _pattern_covers(recognizer, entity, text, len(prefix)):
                    return True
                continue
            for res in recognizer.analyze(text, [entity], None) or []:
                # The header is the context, so a format-only score (a phone number's 0.4) is enough;
                # the 0.05 of a well-known test card number is not.
                if (res.entity_type == entity and res.score >= COLUMN_MIN_SCORE
                        and res.start <= len(prefix) and res.end >= len(text) - 1):
                    return True
        # A local ID column with no district pattern configured: the header vouches for ID-shaped values.
        # With one configured, the district's format decides (the recognizer's cell score above).
        return entity in ("STUDENT_ID", "EMPLOYEE_ID") and entity not in self._district_ids and bool(
            _LOCAL_ID.match(value))

    def _finding(self, entity: str, score: float, locator: str, start: int, end: int, value: str,
                 recognizer: str, subject: str | None = None) -> Finding:
        if subject is None and self._roster is not None:
            # Another recognizer's value (spaCy's PERSON, a SASID column) may still be a rostered person.
            subject = self._roster.index.subject_for(entity, value)
        preview, value_hash = self._digests.get((entity, value)) or self._digest(entity, value)
        # Positional: a frozen dataclass's constructor takes keywords at twice the cost.
        return Finding(entity, round(score, 3), locator, start, end, preview, value_hash, recognizer, subject,
                       value if self._show_values else None)

    def _digest(self, entity: str, value: str) -> tuple[str, str]:
        """(preview, keyed hash) of a value, remembered: a roster's dates and names recur across its files."""
        digested = (mask(entity, value, self._preview), keyed_hash(self._key, entity, value))
        if len(self._digests) >= _VALIDATE_MEMO:
            self._digests.clear()
        self._digests[(entity, value)] = digested
        return digested

    def detect_text(self, text: str, locator: str, ner: bool = True,
                    locate: Callable[[int], str] | None = None) -> Iterator[Finding]:
        """Findings in one text, analysed in overlapping windows; each span is reported once.

        Each finding has ``locator``, or with ``locate`` the locator it gives for the finding's start (a
        table's row).
        """
        seen: set[tuple[str, int, int]] = set()
        for offset, window in _windows(text, self.settings.max_chars_per_call, WINDOW_OVERLAP):
            results: Iterable[Any] = (
                self._fast.analyze(window, ner=ner) if self._fast is not None
                else _plain(self._analyzer).analyze(text=window, language=self.settings.language,
                                                    entities=self.entities)
            )
            # In every window but the last, a value reaching into the overlap may be cut at the window's
            # end; the next window holds it whole.
            cut = len(window) - WINDOW_OVERLAP if offset + len(window) < len(text) else len(window) + 1
            for res in results:
                if res.end > cut:
                    continue
                start, end = offset + res.start, offset + res.end
                key = (res.entity_type, start, end)
                if key in seen:
                    continue
                seen.add(key)
                value = text[start:end]
                metadata = getattr(res, "recognition_metadata", None) or {}
                yield self._finding(res.entity_type, float(res.score), locator if locate is None else locate(start),
                                    start, end, value, str(metadata.get("recognizer_name", "")),
                                    metadata.get("subject"))


def _supported_entities(recognizers: Iterable[EntityRecognizer], language: str) -> list[str]:
    """The entities the recognizers of ``language`` find (what AnalyzerEngine.get_supported_entities says)."""
    return list({e for r in recognizers if r.supported_language == language for e in r.get_supported_entities()})


def _plain(analyzer: AnalyzerEngine | None) -> AnalyzerEngine:
    """The plain path's AnalyzerEngine (only the fast path, which never asks for it, has none)."""
    if analyzer is None:
        raise RuntimeError("the fast engine has no AnalyzerEngine")
    return analyzer


def _plain_patterns(recognizer: Any) -> bool:
    """Whether a recognizer is a Presidio PatternRecognizer whose analyze() is the library's own."""
    from presidio_analyzer import PatternRecognizer

    if not isinstance(recognizer, PatternRecognizer) or type(recognizer).analyze is not PatternRecognizer.analyze:
        return False
    patterns: list[Any] = getattr(recognizer, "patterns", None) or []
    return bool(patterns)


def _pattern_covers(recognizer: Any, entity: str, text: str, prefix: int) -> bool:
    """What PatternRecognizer.analyze would say of a typed cell, without building its results.

    The same patterns (compiled as Presidio compiles them), validation and invalidation; True when a
    match scoring at least COLUMN_MIN_SCORE covers the value after the ``prefix`` characters. An e-mail
    column of a roster has thousands of cells, and each analyze() call builds explanations no one reads.
    """
    if recognizer.supported_entities[0] != entity:
        return False
    flags = recognizer.global_regex_flags
    for pattern in recognizer.patterns:
        compiled = pattern.compiled_regex
        if compiled is None or pattern.compiled_with_flags != flags:
            recognizer.analyze(text, [entity], None)  # compiles the patterns the library's way once
            compiled = pattern.compiled_regex
            if compiled is None:
                return False
        for match in compiled.finditer(text):
            start, end = match.span()
            if start == end or start > prefix or end < len(text) - 1:
                continue
            value = text[start:end]
            validated = recognizer.validate_result(value)
            score = pattern.score if validated is None else (1.0 if validated else 0.0)
            if recognizer.invalidate_result(value):
                score = 0.0
            if score >= COLUMN_MIN_SCORE:
                return True
    return False


def _row_locator(row: int, forms: list[tuple[int, int]]) -> str:
    """"row 14", or "row 3-9" for a row inside a form (rows 3 to 9), which is one record."""
    for lo, hi in forms:
        if lo <= row <= hi:
            return f"row {lo}" if lo == hi else f"row {lo}-{hi}"
    return f"row {row}"


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones merged (a header cell may also be a form label)."""
    ordered = sorted(spans)
    if len(ordered) < 2 or all(map(operator.lt, [hi for _, hi in ordered[:-1]], [lo for lo, _ in ordered[1:]])):
        return ordered  # the usual case, a typed table's cells: none overlaps or touches another
    out: list[tuple[int, int]] = []
    for lo, hi in ordered:
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


class _Model:
    """The spaCy model of an engine, loaded now (:meth:`load`) or on its first use.

    Presidio's NLP engine is made without loading the model, when first asked for (the fast engine asks at
    :meth:`load`: Presidio's NLP engines import spaCy); until the model is loaded, the NLP engine holds this
    object in its place, which loads the model on the first call (or attribute) anyone asks of it and
    forwards everything to it afterwards. The fast engine keeps only what NER needs of the pipeline.
    """

    def __init__(self, settings: DetectSettings, *, fast: bool, loaded: Callable[[], None] | None) -> None:
        self._language = settings.language
        self._name = settings.model
        self._fast = fast
        self._loaded = loaded
        self._nlp: Any = None
        self._lock = threading.Lock()

    @functools.cached_property
    def nlp_engine(self) -> SpacyNlpEngine:
        """Presidio's spaCy NLP engine for the model, with this object standing in for the model."""
        from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

        nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": self._language, "model_name": self._name}],
            # spaCy labels that are no personal information; Presidio warns once per text about each
            # label it does not map, which floods the log otherwise.
            ner_model_configuration=NerModelConfiguration.from_dict(
                {"labels_to_ignore": list(_IGNORED_NER_LABELS)}),
        )
        # Presidio's AnalyzerEngine loads an NLP engine that is not loaded yet: this stands in for the model.
        # (Presidio declares the attribute None, the type it has before loading.)
        nlp_engine.nlp = {self._language: self}  # type: ignore[assignment]
        return nlp_engine

    def installed(self) -> bool:
        """Whether the model is there to load (Presidio would try to download a missing one).

        spaCy's own test (``spacy.util.is_package``: an installed distribution of that name), without
        importing spaCy, which a worker whose model waits for its first use does not need yet.
        """
        try:
            importlib.metadata.distribution(self._name)
        except (importlib.metadata.PackageNotFoundError, ValueError):
            return Path(self._name).exists()
        return True

    def load(self) -> Any:
        """The model, loaded once (the first of several threads asking loads it, the others wait)."""
        if self._nlp is None:
            with self._lock:
                if self._nlp is None:
                    with _numpy_matmul() if self._fast else contextlib.nullcontext():
                        self.nlp_engine.load()  # replaces this stand-in in the NLP engine with the model
                    nlp = self.nlp_engine.nlp[self._language]  # type: ignore[index]
                    if self._fast:
                        # NER is all the fast path asks of spaCy; the parser and lemmatizer only cost time.
                        # The small English models give "ner" its own embedding layer (only the tagger and
                        # parser listen to the shared "tok2vec"), so tok2vec is left out too: the same
                        # entities, a third less time.
                        ner_only = ["ner"] if not _listens_to_tok2vec(nlp, "ner") else ["tok2vec", "ner"]
                        nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in ner_only])
                    self._nlp = nlp
                    if self._loaded is not None:
                        self._loaded()
        return self._nlp

    def __call__(self, text: str) -> Any:
        return self.load()(text)

    def __getattr__(self, name: str) -> Any:
        # Only attributes this class does not have (``pipe``, ``pipe_names``, ``vocab`` ...) come here; a
        # private or special one asked before __init__ ran (copying, unpickling) is not the model's.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)


@contextlib.contextmanager
def _numpy_matmul() -> Iterator[None]:
    """Build the model's layers on numpy's matrix product, with numpy's BLAS held to one thread by default.

    spaCy multiplies through blis by default; on NER's small matrices (a window of a few dozen tokens)
    numpy's OpenBLAS on one thread is about a fifth faster (145 windows of the mixed district set: 1.19 ->
    0.99 s CPU; 910 windows of the 2,000-file corpus: 7.9 -> 6.3 s), with the same entities in every
    window measured. One thread (unless an administrator set OPENBLAS_NUM_THREADS), process-wide: a BLAS
    thread per core in every worker would fight over the cores (a worker is one CPU-bound process per
    core), and the fast engine's BLAS work is NER alone.
    A layer takes the ops current when it is built, so only this model's layers change.
    """
    from thinc.api import NumpyOps, get_current_ops, set_current_ops
    from threadpoolctl import threadpool_limits

    # The threads an administrator set for OpenBLAS (dlp.worker._one_blas_thread defaults it to 1 in
    # workers), applied here too because numpy may have started its BLAS before the variable was set.
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "")
    threadpool_limits(limits=int(threads) if threads.isdigit() and int(threads) > 0 else 1, user_api="blas")
    previous = get_current_ops()
    set_current_ops(NumpyOps(use_blis=False))
    try:
        yield
    finally:
        set_current_ops(previous)


def _listens_to_tok2vec(nlp: Any, component: str) -> bool:
    """Whether a pipeline component reads the shared tok2vec's output (then tok2vec must run before it)."""
    if "tok2vec" not in nlp.pipe_names:
        return False
    return component in getattr(nlp.get_pipe("tok2vec"), "listening_components", [component])


def _windows(text: str, size: int, overlap: int) -> Iterator[tuple[int, str]]:
    """Split text into windows of ``size`` characters that overlap by ``overlap``.

    A value that straddles a border lies whole in the next window, because it is shorter than the
    overlap; the caller drops the duplicate span that both windows report.
    """
    if len(text) <= size:
        yield 0, text
        return
    step = size - overlap
    for start in range(0, len(text), step):
        yield start, text[start : start + size]
        if start + size >= len(text):
            break
