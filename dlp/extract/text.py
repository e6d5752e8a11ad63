"""Plain text in whatever charset a district's computers wrote it: UTF-8, UTF-16, Latin-1, Windows-1252."""

from __future__ import annotations

from typing import ClassVar

from dlp.extract._common import byte_budget, decode_text, read_bounded
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part


class TextExtractor(Extractor):
    """Reads text files; the charset comes from a BOM, a UTF-16 heuristic or charset-normalizer.

    Configuration and markup files that are text at heart (XML, YAML, INI, SQL) are read as text too:
    a pattern engine finds an SSN in ``<ssn>...</ssn>`` as well as in prose, and an unsupported
    status would leave a gap.
    """

    name: ClassVar[str] = "text"
    media_types: ClassVar[tuple[str, ...]] = (
        "text/plain",
        "text/markdown",
        "text/x-markdown",
        "text/x-log",
        "text/x-rst",
        "text/xml",
        "application/xml",
        "application/x-yaml",
        "text/yaml",
        "application/sql",
        "text/x-ini",
    )
    extensions: ClassVar[tuple[str, ...]] = (
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".log",
        ".rst",
        ".xml",
        ".yaml",
        ".yml",
        ".sql",
        ".ini",
        ".cfg",
        ".conf",
        ".properties",
    )

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """One ``body`` part with the decoded text, at most ``max_text_chars`` characters."""
        data, truncated = read_bounded(item, byte_budget(ctx))
        text, truncated = decode_text(data, ctx.settings.max_text_chars, truncated=truncated)
        parts = (Part(locator="body", text=text),) if text else ()
        return Document(media_type=self.media_types[0], parts=parts)
