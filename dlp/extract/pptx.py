"""PowerPoint 2007+ presentations (.pptx/.pptm): slide text, tables as rows, speaker notes.

Read with python-pptx, whose XML parser is built with ``resolve_entities=False`` (no entity expansion,
no external entities). The package's declared part sizes are checked first (``guard_zip_package``),
since python-pptx inflates whole parts into memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from dlp.extract._common import (
    TextBudget,
    cell_text,
    guard_zip_package,
    guess_header,
    open_binary,
    parsing,
    rows_to_text,
)
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part

# Group shapes nest; a hostile file can nest them thousands deep. Deeper groups are not read.
_MAX_GROUP_DEPTH = 32


class PptxExtractor(Extractor):
    """One ``slide N`` part per slide with text, ``slide N table M`` parts with rows for tables, and a
    ``slide N notes`` part for speaker notes. Slides past ``max_pages`` are not read and are counted in
    ``Document.untexted_pages``, as the PDF extractor does for pages.
    """

    name: ClassVar[str] = "pptx"
    media_types: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
    )
    extensions: ClassVar[tuple[str, ...]] = (".pptx", ".pptm", ".ppsx", ".potx")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Slides, tables and notes as parts; a broken package raises ItemError(CORRUPT)."""
        from pptx import Presentation

        budget = TextBudget(ctx.settings.max_text_chars)
        parts: list[Part] = []
        with open_binary(item) as stream:
            guard_zip_package(stream, ctx, "PPTX")
            with parsing("PPTX"):
                presentation = Presentation(stream)
                slides = list(presentation.slides)
                limit = min(len(slides), ctx.settings.max_pages)
                for number, slide in enumerate(slides[:limit], start=1):
                    if budget.exhausted:
                        break
                    parts.extend(_slide_parts(slide, number, budget))
        return Document(media_type=self.media_types[0], parts=tuple(parts), untexted_pages=len(slides) - limit)


def _slide_parts(slide: Any, number: int, budget: TextBudget) -> Iterator[Part]:
    texts: list[str] = []
    tables: list[list[tuple[str, ...]]] = []
    for shape in _shapes(slide.shapes, 0):
        if getattr(shape, "has_table", False):
            rows = [tuple(cell_text(cell.text) for cell in row.cells) for row in shape.table.rows]
            rows = [row for row in rows if any(row)]
            if rows:
                tables.append(rows)
        elif getattr(shape, "has_text_frame", False):
            text = shape.text_frame.text.strip()
            if text:
                texts.append(text)
    if texts:
        yield Part(locator=f"slide {number}", text=budget.take("\n".join(texts)))
    for index, rows in enumerate(tables, start=1):
        yield Part(
            locator=f"slide {number} table {index}",
            text=budget.take(rows_to_text(rows)),
            rows=tuple(rows),
            has_header=guess_header(rows),
        )
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        text = notes.text.strip() if notes is not None else ""
        if text:
            yield Part(locator=f"slide {number} notes", text=budget.take(text))


def _shapes(shapes: Iterable[Any], depth: int) -> Iterator[Any]:
    """Every shape, with the members of group shapes in place of the group."""
    from pptx.shapes.group import GroupShape

    for shape in shapes:
        if isinstance(shape, GroupShape):
            if depth < _MAX_GROUP_DEPTH:
                yield from _shapes(shape.shapes, depth + 1)
            continue
        yield shape
