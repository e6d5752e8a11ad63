"""The fast path finds what the recognizers find, and the term prefilter what the regex finds."""

from __future__ import annotations

import re

import pytest

from detectors.base import load_recognizers, parse_example
from dlp.config import DetectSettings
from dlp.detect.engine import DetectionEngine
from dlp.detect.terms import TermMatcher, inline_backreferences, strip_lookarounds
from dlp.policy.classify import SENSITIVE_TERMS, STUDENT_TERMS

RECOGNIZERS = load_recognizers()
# The recognizers the prefilter covers (Presidio's e-mail recognizer, kept as it is, has no prefilter patterns).
CASES = [(type(r).__name__, text) for r in RECOGNIZERS if hasattr(r, "prefilter_patterns")
         for text in (*r.EXAMPLES.positives, *r.EXAMPLES.negatives)]


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine(DetectSettings(ner="off"), b"k" * 32)


def test_hyperscan_covers_every_district_recognizer(engine: DetectionEngine) -> None:
    fast = engine._fast
    assert fast is not None
    pytest.importorskip("hyperscan")
    district = [i for i, (r, _) in enumerate(fast.recognizers) if hasattr(r, "prefilter_patterns")]
    assert set(district) == fast.prefilter.covered


@pytest.mark.parametrize(("name", "example"), CASES)
def test_the_prefiltered_pass_equals_a_full_pass(engine: DetectionEngine, name: str, example: str) -> None:
    pytest.importorskip("hyperscan", reason="no hyperscan wheel here: every recognizer runs over whole texts")
    text, _ = parse_example(example)
    fast = engine._fast
    assert fast is not None
    index, recognizer = next((i, r) for i, (r, _) in enumerate(fast.recognizers) if type(r).__name__ == name)
    full = sorted((r.start, r.end, r.score) for r in recognizer.analyze(text, [recognizer.ENTITY], None))
    windows = fast.prefilter.candidates(text).get(index, [])
    quick = sorted((r.start, r.end, r.score) for r in recognizer.analyze_windows(text, windows))
    assert quick == full


def test_regex_rewrites_for_hyperscan() -> None:
    assert strip_lookarounds(r"(?<![\w-])\d{3}(?![\w(-])x") == r"\d{3}x"
    assert inline_backreferences(r"\d{3}([- ])\d{2}\1\d{4}") == r"\d{3}([- ])\d{2}(?:[- ])\d{4}"


@pytest.mark.parametrize("matcher", [STUDENT_TERMS, SENSITIVE_TERMS])
def test_term_matcher_gives_the_regex_answers(matcher: TermMatcher) -> None:
    text = ("The student's IEP and 504 plan; nonstudents; students-only; grade 5 and 12th grade; "
            "special education services; SPED; disability, diagnosed with asthma. " * 20)
    assert matcher.spans(text) == [m.span() for m in matcher.pattern.finditer(text)]
    plain = TermMatcher(re.compile(r"(?<![\w-])(?:free lunch|lunch)(?![\w-])", re.I))
    assert plain.spans("x-free lunch, lunch") == [(7, 12), (14, 19)]


def test_ner_without_the_shared_tok2vec_finds_the_same_names() -> None:
    """The fast engine runs spaCy's "ner" alone; its entities must equal those of the tok2vec+ner pipeline."""
    engine = DetectionEngine(DetectSettings(), b"k" * 32)
    fast = engine._fast
    assert fast is not None
    assert fast.nlp.pipe_names == ["ner"]  # the shared tok2vec feeds only the tagger and parser
    texts = [
        "Student: Marisol Quintero-Baptiste, DOB 04/11/2012, was referred by Dr. Alan Whitcombe.",
        "Please call Deshawn Okafor's mother, Renata Okafor, about the IEP meeting on Tuesday.",
        "Payroll change for Theodora Vance (employee ID E-20417) approved by Greg Lindqvist.",
    ]
    fast_ents = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in fast.nlp.pipe(texts)]
    import spacy

    full = spacy.load(engine.settings.model, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler"])
    assert "tok2vec" in full.pipe_names
    full_ents = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in full.pipe(texts)]
    assert fast_ents == full_ents
    assert any(label == "PERSON" for ents in fast_ents for _, _, label in ents)


@pytest.mark.parametrize("text", [
    "Write to jordan.alvarez@example.org or call.",
    "To: <m.alvarez@example.org>, r.natarajan@example.com;k.oneill@example.net\nCc: a@b.co",
    "user@localhost and user@@example.org and @example.org and trailing@example.org.",
    "x" * 5000 + " nobody@example.org " + "y@" * 50 + "\tend@example.com",
    "Zoë.Ångström@example.org wrote:\n> quoted reply from ops@vendor.example",
])
def test_email_runs_find_what_a_whole_text_pass_finds(engine: DetectionEngine, text: str) -> None:
    from dlp.detect.fast import _at_runs

    fast = engine._fast
    assert fast is not None
    (recognizer,) = [r for r, _ in fast.recognizers if set(r.supported_entities) <= {"EMAIL_ADDRESS"}]
    whole = sorted((r.start, r.end, r.score) for r in recognizer.analyze(text, ["EMAIL_ADDRESS"], None))
    runs = sorted((r.start + lo, r.end + lo, r.score) for lo, hi in _at_runs(text)
                  for r in recognizer.analyze(text[lo:hi], ["EMAIL_ADDRESS"], None))
    assert runs == whole
    found = {text[s:e] for s, e, _ in whole}
    assert found <= {text[s:e] for s, e, _ in runs}
    assert [f.entity for f in engine.detect_text(text, "body")].count("EMAIL_ADDRESS") == len(whole)


def test_a_pattern_hyperscan_refuses_leaves_only_its_recognizer_uncovered() -> None:
    pytest.importorskip("hyperscan")
    from dlp.detect.fast import _Prefilter

    class Fake:
        def __init__(self, regex: str) -> None:
            self.regex = regex

        def prefilter_patterns(self) -> list[tuple[str, int]]:
            return [(self.regex, 0)]

    good, refused = Fake(r"\d{3}-\d{2}-\d{4}"), Fake(r"(?>ab)c\d")  # atomic groups are not Hyperscan's
    prefilter = _Prefilter([good, refused])
    assert prefilter.covered == {0}  # the refused one runs over whole texts instead
    assert prefilter.candidates("SSN 523-47-1186 and abc1") == {0: [(0, 24)]}


def test_stage_one_keeps_the_shape_of_a_candidate(engine: DetectionEngine) -> None:
    """A run of 16 digits is one card candidate, not eight 9-digit SSN candidates; 9 digits are one."""
    pytest.importorskip("hyperscan")
    fast = engine._fast
    assert fast is not None
    names = {type(r).__name__: i for i, (r, _) in enumerate(fast.recognizers)}
    fast.prefilter.candidates("req=4556737586899855 done")
    assert names["SsnRecognizer"] not in fast.prefilter.hits
    assert fast.prefilter.hits[names["PaymentCardRecognizer"]] == 1
    fast.prefilter.candidates("id 524713390 and 3.524713390 and 524713390-1")
    assert fast.prefilter.hits[names["SsnRecognizer"]] == 1  # a decimal part and a dashed run are no SSNs


def test_a_gated_candidate_needs_a_context_word_in_the_same_pass(engine: DetectionEngine) -> None:
    """Bare nine digits need an SSN word: without one, stage 1 drops them before any Python runs."""
    pytest.importorskip("hyperscan")
    fast = engine._fast
    assert fast is not None
    ssn = next(i for i, (r, _) in enumerate(fast.recognizers) if type(r).__name__ == "SsnRecognizer")
    log = "\n".join(f"2025-03-03 gw id={524713390 + i} bytes={i}" for i in range(200))
    assert ssn not in fast.prefilter.candidates(log)
    assert fast.prefilter.hits[ssn] == 200 and fast.prefilter.passed[ssn] == 0
    labelled = log + "\nemployee SSN 524713390 on file"
    windows = fast.prefilter.candidates(labelled)
    assert 1 <= fast.prefilter.passed[ssn] <= 3  # the labelled one, and log lines just before the word
    recognizer = fast.recognizers[ssn][0]
    quick = sorted((r.start, r.end, r.score) for r in recognizer.analyze_windows(labelled, windows[ssn]))
    assert quick == sorted((r.start, r.end, r.score) for r in recognizer.analyze(labelled, ["US_SSN"], None))
    assert "524713390" in {labelled[s:e] for s, e, _ in quick}
    # In a text that introduces a list, the list's label decides from farther away (detectors/base.py).
    listed = "Staff moving to payroll B (name, SSN):\n" + "\n".join(
        f"Dana Whitfield{i} {524713390 + i}" for i in range(1, 400))
    fast.prefilter.candidates(listed)
    assert fast.prefilter.passed[ssn] == 399


def test_hs_expression_turns_boundaries_into_characters() -> None:
    from dlp.detect.terms import hs_expression

    assert hs_expression(r"(?<![\w-])S\d{8}(?![\w-])") == rb"(?:^|[^\w-])S\d{8}(?:[^\w-]|$)"
    term = hs_expression(r"(?<![0-9a-z])(?:ssn|emp\#)(?![0-9a-z])", boundary_after=False)
    assert term == rb"(?:^|[^0-9a-z])(?:(?:ssn|emp\#))"  # "emp#E40022": the word may touch the value
    assert hs_expression(r"\bab|cd\b") == rb"(?:\bab|cd\b)"
    assert hs_expression("caf\u00e9") == rb"caf\?"


def test_the_summary_counts_candidates_validated_and_kept(engine: DetectionEngine) -> None:
    """Per recognizer, the engine's counters move with each text (the scan summary sums them per item)."""
    before = engine.recognizer_counts()
    list(engine.detect_text("SSN 524-71-3390; order 524-71-3391 shipped; ref 4556737586899855", "body"))
    after = engine.recognizer_counts()
    name = "SsnRecognizer"
    moved = tuple(a - b for a, b in zip(after[name], before.get(name, (0, 0, 0)), strict=True))
    if engine._fast is not None and engine._fast.prefilter.db is not None:
        assert moved == (2, 2, 1)  # two candidates, both valid SSNs, one refused by its "order" word
    else:
        assert moved[1:] == (2, 1)


def test_a_window_ner_read_before_is_answered_from_memory() -> None:
    """The same window text (a quoted paragraph, a repeated form line) goes through the model once."""
    engine = DetectionEngine(DetectSettings(), b"k" * 32)
    fast = engine._fast
    assert fast is not None
    text = "Student: Marisol Quintero-Baptiste, DOB 04/11/2012, was referred by Dr. Alan Whitcombe."
    first = sorted((f.entity, f.start, f.end) for f in engine.detect_text(text, "body"))
    read = fast.ner_read
    again = sorted((f.entity, f.start, f.end) for f in engine.detect_text(text, "body"))
    assert again == first and ("PERSON", 9, 34) in first
    assert fast.ner_read == read and fast.ner_windows > read


def test_stage_one_drops_candidates_that_fail_their_checksum_in_bulk(engine: DetectionEngine) -> None:
    """SSNs with a void area and cards that fail Luhn never reach the recognizers' Python; valid ones do."""
    pytest.importorskip("hyperscan")
    fast = engine._fast
    assert fast is not None
    names = {type(r).__name__: i for i, (r, _) in enumerate(fast.recognizers)}
    ssn, card = names["SsnRecognizer"], names["PaymentCardRecognizer"]
    lines = [f"row {i} 666-{10 + i % 80:02d}-{1000 + i:04d} card 455673758689985{'012346789'[i % 9]}"
             for i in range(300)]
    text = "\n".join([*lines, "SSN 524-71-3390, Visa 4556737586899855"])
    windows = fast.prefilter.candidates(text)
    assert fast.prefilter.passed[ssn] == 301 and fast.prefilter.checked[ssn] == 1
    assert fast.prefilter.passed[card] == 301 and fast.prefilter.checked[card] == 1
    for index, entity in ((ssn, "US_SSN"), (card, "CREDIT_CARD")):
        recognizer = fast.recognizers[index][0]
        quick = sorted((r.start, r.end, r.score) for r in recognizer.analyze_windows(text, windows[index]))
        assert quick == sorted((r.start, r.end, r.score) for r in recognizer.analyze(text, [entity], None))
        assert len(quick) == 1


def test_stage_one_keeps_a_run_whose_neighbour_is_a_non_ascii_digit(engine: DetectionEngine) -> None:
    """Stage 1 reads text as ASCII, so "١23456789" looks like the counting run "23456789" there; the real
    pattern's value is "١23456789", which the bank-number recognizer accepts, so stage 1 must not drop it."""
    pytest.importorskip("hyperscan")
    found = [f.entity for f in engine.detect_text("Direct deposit account number ١23456789 at the union.", "body")]
    assert found == ["US_BANK_NUMBER"]
    # The same digits without the Arabic-Indic one are a counting run: no account.
    assert list(engine.detect_text("Direct deposit account number 123456789 at the union.", "body")) == []
