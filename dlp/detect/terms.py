"""Fast whole-word term search: Hyperscan finds candidates, the original regex confirms each one.

Python's ``re`` tries every branch of a long alternation at every position of the text: the term lists
of the classifier (student, health, personnel words) ran at about 8 MB/s, slower than all the
recognizers together. Hyperscan scans for all branches at once; each place it reports is then
confirmed with the original pattern, so the answers are exactly those of ``pattern.finditer``.
"""

from __future__ import annotations

import re
from typing import Any

from dlp.detect.hscache import compile_database


def strip_lookarounds(regex: str) -> str:
    """The regex without its lookahead/lookbehind groups (Hyperscan supports neither).

    The result matches a superset of the original: fine for a prefilter, whose matches are only places
    where the real pattern is then run.
    """
    out: list[str] = []
    i, n = 0, len(regex)
    while i < n:
        if regex.startswith(("(?<!", "(?<=", "(?!", "(?="), i):
            depth, j, in_class = 0, i, False
            while j < n:
                ch = regex[j]
                if ch == "\\":
                    j += 2
                    continue
                if in_class:
                    in_class = ch != "]"
                elif ch == "[":
                    in_class = True
                elif ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        if regex[i] == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        out.append(regex[i])
        i += 1
    return "".join(out)


# Cached term-matcher databases kept on disk: the two dozen a worker builds, for a few versions and settings.
_CACHED_MATCHERS = 100

# The numeric boundaries of detectors/base.py (NUM_START, NUM_END) as characters consumed instead of looked at,
# so that Hyperscan reports only runs of digits of the pattern's own length (a 16-digit request ID is no 9-digit
# SSN candidate). Each admits exactly what the lookarounds admit, one or two characters wider.
_NUM_START = r"(?<![\w-])(?<!\d[.,/])"
_NUM_START_HS = r"(?:^|[^\w\-.,/]|(?:^|\D)[.,/])"
_NUM_END = r"(?![\w-])(?![.,/]\d)"
_NUM_END_HS = r"(?:$|[^\w\-.,/]|[.,/](?:$|\D))"
# One negative lookaround of a single character class (or escape), at a pattern's start or end.
_CLASS = r"(?:\[(?!\^)(?:\\.|[^\]\\])+\]|\\[wdsWDS])"
_LEAD = re.compile(rf"^(?:\(\?<[!=][^()]*\))*\(\?<!({_CLASS})\)")
_TAIL = re.compile(rf"\(\?!({_CLASS})\)(?:\(\?[!=][^()]*\))*$")


def numeric_body(regex: str) -> str | None:
    """What a numeric pattern matches between the numeric boundaries of detectors/base.py, or None when the
    pattern does not start with ``NUM_START`` and end with ``NUM_END``."""
    if regex.startswith(_NUM_START) and regex.endswith(_NUM_END) and len(regex) > len(_NUM_START) + len(_NUM_END):
        return regex[len(_NUM_START):-len(_NUM_END)]
    return None


def _negated(cls: str) -> str:
    """The complement of a character class or class escape: ``[\\w-]`` -> ``[^\\w-]``, ``\\w`` -> ``\\W``."""
    return "[^" + cls[1:] if cls.startswith("[") else "\\" + cls[1].swapcase()


def hs_expression(regex: str, *, boundary_after: bool = True) -> bytes:
    """A Hyperscan expression that matches wherever ``regex`` does (a superset), keeping its shape.

    The numeric boundaries and a single-class negative lookbehind at the start or lookahead at the end
    become consumed characters (``(?:^|[^\\w-])``), so a candidate is a run of the pattern's own length
    and not every substring of a longer one; other lookarounds are dropped and back-references inlined
    (wider, never narrower). The reported match end may lie up to two characters past the real one.
    ``boundary_after=False`` drops the final lookahead instead: a context word is searched with an ``endpos`` at the
    candidate's start, where the lookahead sees the end of the string ("emp#E40022").
    Non-ASCII characters become ``?``, as the scanned text's do (see :meth:`TermMatcher.spans`).
    """
    # Only at the very start and end: a consumed character inside the pattern would demand one more.
    head, expr, tail = "", regex, ""
    if expr.startswith(_NUM_START):
        head, expr = _NUM_START_HS, expr[len(_NUM_START):]
    elif (lead := _LEAD.match(expr)) is not None:
        head, expr = "(?:^|" + _negated(lead.group(1)) + ")", expr[lead.end():]
    if not boundary_after:
        pass
    elif expr.endswith(_NUM_END):
        expr, tail = expr[:-len(_NUM_END)], _NUM_END_HS
    elif (end := _TAIL.search(expr)) is not None:
        expr, tail = expr[:end.start()], "(?:" + _negated(end.group(1)) + "|$)"
    if "|" in expr:
        expr = "(?:" + expr + ")"  # the consumed boundaries bind every branch of a top-level alternation
    expr = head + expr + tail
    expr = inline_backreferences(strip_lookarounds(expr))
    return "".join(ch if ch.isascii() else "\\?" for ch in expr).encode()


def inline_backreferences(regex: str) -> str:
    """Replace ``\\1``-style back-references by the group they refer to (Hyperscan has none).

    ``\\d{3}([- ])\\d{2}\\1\\d{4}`` becomes ``\\d{3}([- ])\\d{2}(?:[- ])\\d{4}``: consistent separators are
    no longer required, a superset again, and the real pattern still requires them.
    """
    groups: list[str] = []
    # For each open parenthesis: (its offset, its group number), the number -1 for a non-capturing one.
    stack: list[tuple[int, int]] = []
    i, n, in_class = 0, len(regex), False
    while i < n:
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            # Groups are numbered by their opening parenthesis, so the number is known here.
            capturing = not regex.startswith("(?", i) or regex.startswith("(?P<", i)
            stack.append((i, len(groups) if capturing else -1))
            if capturing:
                groups.append("")
        elif ch == ")" and stack:
            start, number = stack.pop()
            if number >= 0:
                body_start = regex.index(">", start) + 1 if regex.startswith("(?P<", start) else start + 1
                groups[number] = regex[body_start:i]
        i += 1
    return re.sub(r"\\([1-9])", lambda m: f"(?:{groups[int(m.group(1)) - 1]})"
                  if int(m.group(1)) <= len(groups) else m.group(0), regex)


class TermMatcher:
    """A compiled term pattern with a Hyperscan prefilter when the wheel is there."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._db: Any = None
        self._terminated: type[Exception] = Exception
        try:
            import hyperscan
        except ImportError:
            return
        expr = inline_backreferences(strip_lookarounds(pattern.pattern)).encode()
        flags = hyperscan.HS_FLAG_SOM_LEFTMOST | (hyperscan.HS_FLAG_CASELESS if pattern.flags & re.IGNORECASE else 0)
        try:
            # From the disk cache: compiling the two dozen matchers cost a fresh worker 0.13 s of its start.
            db = compile_database(hyperscan, [expr], [flags], kind="hyperscan-terms", keep=_CACHED_MATCHERS)
        except hyperscan.error:
            return  # the plain regex still gives the same answers
        self._db = db
        self._terminated = hyperscan.ScanTerminated

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every match, as ``pattern.finditer`` would give them."""
        if self._db is None:
            return [m.span() for m in self.pattern.finditer(text)]
        hits: list[tuple[int, int]] = []

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            hits.append((start, end))

        self._db.scan(_encoded(text), match_event_handler=on_match)
        found: set[tuple[int, int]] = set()
        last, at_start = -1, None
        for start, end in sorted(set(hits)):
            if start != last:  # one start often comes with several ends ("248.220 sl", "248.220 slo")
                last, at_start = start, self.pattern.match(text, start)
            span = self._confirmed(text, start, end, at_start)
            if span is not None:
                found.add(span)
        out: list[tuple[int, int]] = []
        for span in sorted(found):
            if not out or span[0] >= out[-1][1]:  # finditer's matches do not overlap
                out.append(span)
        return out

    def _confirmed(self, text: str, start: int, end: int, m: re.Match[str] | None) -> tuple[int, int] | None:
        """The real pattern's match at a Hyperscan candidate (``start``, ``end``), if any, and not empty.

        ``m``: the pattern's match at ``start``.
        """
        if m is None:
            # Hyperscan reports the leftmost start per end; a shorter branch starting later may be
            # the one the real pattern accepts: the first match starting before ``end`` (as a search up
            # to ``end + 64`` would find it, without trying the long alternation past ``end``).
            stop = min(len(text), end + 64)
            for pos in range(start + 1, end):
                m = self.pattern.match(text, pos, stop)
                if m is not None:
                    break
        return m.span() if m is not None and m.end() > m.start() else None

    def search(self, text: str) -> bool:
        """Whether the pattern occurs anywhere in the text."""
        if self._db is None:
            return self.pattern.search(text) is not None

        at_start: dict[int, re.Match[str] | None] = {}

        # :meth:`spans` is non-empty when any candidate is confirmed, so the scan stops at the first one.
        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> bool:
            if start not in at_start:
                at_start[start] = self.pattern.match(text, start)
            return self._confirmed(text, start, end, at_start[start]) is not None

        try:
            self._db.scan(_encoded(text), match_event_handler=on_match)
        except self._terminated:
            return True
        return False


# The texts scanned last, encoded: the classifier runs a dozen term lists over one item's text. Keyed by
# identity; an entry holds its text, so the identity is not reused while cached. Texts above _ENCODED_MAX
# characters are not kept: an entry outlives its item, and a worker must not hold several huge texts.
_ENCODED: list[tuple[str, bytes]] = []
_ENCODED_KEPT = 4
_ENCODED_MIN = 512
_ENCODED_MAX = 4_000_000


def _encoded(text: str) -> bytes:
    """One byte per character keeps offsets equal to string indices (non-ASCII becomes "?")."""
    if not _ENCODED_MIN <= len(text) <= _ENCODED_MAX:
        return text.encode("ascii", "replace")  # a cell or a line (no use keeping), or too large to keep
    for known, data in _ENCODED:
        if known is text:
            return data
    data = text.encode("ascii", "replace")
    _ENCODED.insert(0, (text, data))
    del _ENCODED[_ENCODED_KEPT:]
    return data
