"""Delimited text: CSV, TSV and their semicolon/pipe cousins, as one table part with rows."""

from __future__ import annotations

import csv
import io
import itertools
import os
from typing import ClassVar

from dlp.extract._common import byte_budget, decode_text, guess_header, read_bounded, rows_to_text
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part

_DELIMITERS = ",\t;|"
_SNIFF_CHARS = 64 * 1024


class DelimitedExtractor(Extractor):
    """Reads CSV/TSV into a ``table`` part whose ``rows`` the engine types by column header.

    The delimiter is sniffed (a ``.csv`` exported by a European-locale Excel uses semicolons); a file
    that does not parse as delimited text is still scanned, as a plain ``body`` part.
    """

    name: ClassVar[str] = "delimited"
    media_types: ClassVar[tuple[str, ...]] = ("text/csv", "text/tab-separated-values", "application/csv")
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".tab", ".psv")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """One ``table`` part with the rows; the header flag is guessed from the first rows."""
        data, truncated = read_bounded(item, byte_budget(ctx))
        text, truncated = decode_text(data, ctx.settings.max_text_chars, truncated=truncated)
        media_type = self.media_types[0]
        if not text.strip():
            return Document(media_type=media_type)
        delimiter = _delimiter(text, item.name)
        try:
            rows = _rows(text, delimiter)
        except csv.Error:
            # A field over the csv module's size limit or a stray quote in strict mode: the text is
            # still worth scanning, just not as a table.
            return Document(media_type=media_type, parts=(Part(locator="body", text=text),))
        # Trailing blank lines are not rows; inner blank rows are kept so row numbers match the file.
        while rows and not any(rows[-1]):
            rows = rows[:-1]
        part = Part(locator="table", text=rows_to_text(rows), rows=rows, has_header=guess_header(rows))
        return Document(media_type=media_type, parts=(part,))


def _rows(text: str, delimiter: str) -> tuple[tuple[str, ...], ...]:
    """The rows of delimited text, cells stripped, as the csv module reads them (raises its csv.Error).

    Text without quotes, NULs or lone carriage returns reads the same by splitting, at C level: an
    export of tens of thousands of rows is not walked cell by cell in Python. Anything else, and any
    line long enough to reach the csv module's field limit, goes through the csv module.
    """
    plain = '"' not in text and "\0" not in text and text.count("\r") == text.count("\r\n")
    lines = (text.replace("\r\n", "\n") if "\r" in text else text).split("\n") if plain else []
    if lines and not lines[-1]:
        lines.pop()  # a line break ends the last row; no empty row follows it
    if not plain or max(map(len, lines), default=0) > csv.field_size_limit():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return tuple(tuple(map(str.strip, row)) for row in reader)
    counts = set(map(str.count, lines, itertools.repeat(delimiter)))
    if len(counts) == 1 and all(lines):
        # Every line has as many cells: the cells of all lines in one stream, the rows zipped from it.
        cells = map(str.strip, itertools.chain.from_iterable(map(str.split, lines, itertools.repeat(delimiter))))
        return tuple(zip(*[cells] * (counts.pop() + 1), strict=False))
    # An empty line is a row without cells, as the csv module reads it.
    return tuple(tuple(map(str.strip, line.split(delimiter))) if line else () for line in lines)


def _delimiter(text: str, name: str) -> str:
    """The field delimiter: sniffed from the first lines, else by extension, else a comma."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut last line would mislead the sniffer
    plain = _consistent_delimiter(sample)
    if plain is not None:
        return plain
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    if os.path.splitext(name.lower())[1] in (".tsv", ".tab"):
        return "\t"
    first_line = sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _consistent_delimiter(sample: str) -> str | None:
    """The candidate that splits most of the first lines into one same number of fields.

    Title lines, banners and report dates above the header hold no delimiter: they are left out of
    the count. Of two candidates that fit equally many lines, the one making more fields wins (a pipe
    export whose "Last, First" names hold commas is still split on the pipe). Settles the usual export
    in microseconds, where the csv module's sniffer tabulates every character of the sample.
    """
    lines = [line for line in sample.split("\n", 41)[:40] if line.strip()]
    if len(lines) < 2:
        return None
    best: tuple[int, int, str] | None = None
    tie = False
    for d in _DELIMITERS:
        counts = [line.count(d) for line in lines if '"' not in line]
        counts = [c for c in counts if c]
        if len(counts) < 2:
            continue
        modal = max(set(counts), key=counts.count)
        fit = counts.count(modal)
        if fit * 10 < len(lines) * 6:  # most lines must agree (titles and notes are the exceptions)
            continue
        if best is None or (fit, modal) > best[:2]:
            best = (fit, modal, d)
            tie = False
        elif (fit, modal) == best[:2]:
            tie = True  # two candidates that fit alike: the sniffer decides
    return best[2] if best is not None and not tie else None
