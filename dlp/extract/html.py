"""HTML pages and fragments: the text a reader sees, and tables as row-wise parts."""

from __future__ import annotations

import re
from typing import ClassVar

from bs4 import BeautifulSoup, Tag

from dlp.extract._common import TextBudget, byte_budget, guess_header, parsing, read_bounded, rows_to_text
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part

# Elements whose content is never shown as text. Hidden-by-CSS elements are kept on purpose: PI in a
# collapsed section or a display:none div is still in the file that leaves the district.
_INVISIBLE = ("script", "style", "noscript", "template", "head", "object", "iframe")
# Elements that break lines, so that "<p>Jordan</p><p>Alvarez</p>" is not read as "JordanAlvarez"
# while "<b>Jordan</b> Alvarez" stays on one line for the name detector.
_BLOCKS = (
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead",
    "title", "tr", "ul", "option", "label", "textarea",
)  # fmt: skip
_SPACES = re.compile(r"[\s\u00a0\u200b]+")
_BREAK = "\ue000"  # a private-use character: marks a line break until the text is normalized
# Form fields a reader can see filled in (and hidden ones, which often carry IDs).
_VALUE_INPUTS = ("text", "hidden", "email", "tel", "number", "date", "search", "")


class HtmlExtractor(Extractor):
    """Reads HTML with BeautifulSoup and lxml: a ``body`` part and one ``table N`` part per table."""

    name: ClassVar[str] = "html"
    media_types: ClassVar[tuple[str, ...]] = ("text/html", "application/xhtml+xml")
    extensions: ClassVar[tuple[str, ...]] = (".html", ".htm", ".xhtml", ".shtml")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Visible text as ``body`` (title first) and each outermost table as ``table N`` with rows."""
        data, _ = read_bounded(item, byte_budget(ctx))
        parts = html_parts(data, ctx.settings.max_text_chars)
        return Document(media_type=self.media_types[0], parts=tuple(parts))


def html_parts(markup: bytes | str, max_chars: int, *, body_locator: str = "body") -> list[Part]:
    """Parse HTML into a text part and table parts, at most ``max_chars`` characters in all.

    Raises:
        ItemError: reason ``corrupt`` when the parser fails on the input.
    """
    budget = TextBudget(max_chars)
    with parsing("HTML"):
        soup = BeautifulSoup(markup, "lxml")
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        for tag in soup.find_all(_INVISIBLE):
            tag.decompose()
        # Line breaks in the source are just spaces to a browser; breaks come from <br> and block
        # elements (and <pre>), marked with a private-use character and turned into newlines at the end.
        for tag in soup.find_all("pre"):
            for string in tag.find_all(string=True):
                string.replace_with(str(string).replace("\n", _BREAK))
        for tag in soup.find_all("br"):
            tag.replace_with(_BREAK)
        for tag in soup.find_all(_BLOCKS):
            tag.insert_before(_BREAK)
            tag.insert_after(_BREAK)
        fields = [
            str(tag.get("value", "")).strip()
            for tag in soup.find_all("input")
            if str(tag.get("type", "")).lower() in _VALUE_INPUTS and str(tag.get("value", "")).strip()
        ]
        tables: list[Part] = []
        outer = [t for t in soup.find_all("table") if t.find_parent("table") is None]
        for number, table in enumerate(outer, start=1):
            rows, header = _table_rows(table)
            table.extract()  # its text lives in the table part only, not twice
            if rows:
                text = budget.take(rows_to_text(rows))
                tables.append(Part(locator=f"table {number}", text=text, rows=rows, has_header=header))
        body = _normalize(soup.get_text())
    lines = [line for line in (title, body, "\n".join(fields)) if line]
    parts: list[Part] = []
    text = budget.take("\n".join(lines))
    if text:
        parts.append(Part(locator=body_locator, text=text))
    return parts + tables


def html_to_text(markup: bytes | str, max_chars: int) -> str:
    """All text of an HTML document (body and tables) as one string, for HTML mail bodies."""
    return "\n".join(part.text for part in html_parts(markup, max_chars))[:max_chars]


def _table_rows(table: Tag) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """The rows of one table (nested tables flatten into their cell) and whether row 1 is a header."""
    rows: list[tuple[str, ...]] = []
    header = False
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [c for c in tr.find_all(["td", "th"]) if c.find_parent("tr") is tr]
        if not rows:
            header = bool(cells) and all(c.name == "th" for c in cells)
        rows.append(tuple(_normalize(c.get_text()).replace("\n", " ") for c in cells))
    result = tuple(rows)
    return result, header or guess_header(result)


def _normalize(text: str) -> str:
    """Collapse whitespace (source newlines included), break lines at the marks, drop empty lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split(_BREAK))
    return "\n".join(line for line in lines if line)
