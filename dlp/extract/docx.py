"""Word documents (OOXML): body paragraphs, tables with rows, headers, footers, notes and comments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from docx.opc.part import PartFactory
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.package import Package
from docx.parts.document import DocumentPart

from dlp.errors import ItemError
from dlp.extract._common import (
    TextBudget,
    guard_zip_package,
    guess_header,
    open_binary,
    parsing,
    rows_to_text,
)
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part, Reason

# python-docx only maps the plain document's main part to DocumentPart (and its Document() refuses the
# rest); macro-enabled documents and templates have the same body, so they are read the same way.
for _content_type in (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
):
    PartFactory.part_type_for.setdefault(_content_type, DocumentPart)

_W_T, _W_TAB, _W_BR, _W_CR, _W_P = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:p")
_W_TXBX = qn("w:txbxContent")
_W_TBL, _W_TR, _W_TC, _W_SECTPR = qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sectPr")
# Related parts read as text, by the last segment of their relationship type, with their locator.
_SIDE_PARTS = {
    "header": "header",
    "footer": "footer",
    "footnotes": "footnotes",
    "endnotes": "endnotes",
    "comments": "comments",
}


class DocxExtractor(Extractor):
    """Reads .docx/.docm with python-docx.

    Parts: ``body`` (paragraphs in reading order, text boxes after them), ``table N`` with rows,
    and ``header``, ``footer``, ``footnotes``, ``endnotes``, ``comments`` when present.
    """

    name: ClassVar[str] = "docx"
    media_types: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-word.document.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
    )
    extensions: ClassVar[tuple[str, ...]] = (".docx", ".docm", ".dotx")
    abstract: ClassVar[bool] = False

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Parse the package; a broken one raises ItemError(CORRUPT), a bomb NotExamined(BOMB)."""
        budget = TextBudget(ctx.settings.max_text_chars)
        with open_binary(item) as stream:
            guard_zip_package(stream, ctx, "DOCX")
            with parsing("DOCX"):
                main = Package.open(stream).main_document_part
                if not isinstance(main, DocumentPart):
                    raise ItemError(Reason.CORRUPT, "DOCX package without a Word document part")
                parts = _body_parts(main, budget) + _side_parts(main, budget)
        return Document(media_type=self.media_types[0], parts=tuple(parts))


def _body_parts(main: DocumentPart, budget: TextBudget) -> list[Part]:
    body = main.document.element.body
    lines: list[str] = []
    tables: list[Part] = []
    for block in _blocks(body):
        if budget.exhausted:
            break
        if block.tag == _W_P:
            lines.append(budget.take(_paragraph_text(block)))
            continue
        rows = tuple(
            tuple(_element_text(tc) for tc in tr.iterchildren(_W_TC)) for tr in block.iterchildren(_W_TR)
        )
        if rows:
            text = budget.take(rows_to_text(rows))
            locator = f"table {len(tables) + 1}"
            tables.append(Part(locator=locator, text=text, rows=rows, has_header=guess_header(rows)))
    # Text boxes sit inside drawings in a run, out of reach of the paragraph's own runs. Word writes
    # each box twice (DrawingML and a VML fallback), hence the de-duplication.
    boxes = _unique(_element_text(box) for box in body.iter(_W_TXBX))
    lines.extend(budget.take(box) for box in boxes)
    text = "\n".join(line for line in lines if line)
    return ([Part(locator="body", text=text)] if text else []) + tables


def _blocks(container: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in reading order, including those inside content controls
    (``w:sdt``) and custom XML, which python-docx's own iteration skips."""
    for child in container.iterchildren():
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag != _W_SECTPR:
            yield from _blocks(child)


def _side_parts(main: DocumentPart, budget: TextBudget) -> list[Part]:
    texts: dict[str, list[str]] = {}
    for rel in main.rels.values():
        kind = _SIDE_PARTS.get(rel.reltype.rsplit("/", 1)[-1])
        if kind is None or rel.is_external or budget.exhausted:
            continue
        part: Any = rel.target_part
        element = part.element if hasattr(part, "element") else parse_xml(part.blob)
        text = _element_text(element)
        if text:
            texts.setdefault(kind, []).append(budget.take(text))
    # Sections often share one header; each distinct text once.
    return [Part(locator=kind, text="\n".join(_unique(found))) for kind, found in texts.items()]


def _paragraph_text(p: Any) -> str:
    """A paragraph's text from its runs (tabs and breaks kept), skipping text boxes it anchors."""
    out: list[str] = []
    for node in p.iter(_W_T, _W_TAB, _W_BR, _W_CR):
        if _inside_text_box(node, p):
            continue
        out.append(_node_text(node))
    return "".join(out)


def _node_text(node: Any) -> str:
    if node.tag == _W_T:
        return str(node.text or "")
    return "\t" if node.tag == _W_TAB else "\n"


def _inside_text_box(node: Any, stop: Any) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == _W_TXBX:
            return True
        parent = parent.getparent()
    return False


def _element_text(element: Any) -> str:
    """Text of every paragraph under an element (a cell, a header, a text box), one per line."""
    lines = []
    for p in element.iter(_W_P):
        # Only the text whose nearest paragraph is this one: a nested table's or text box's paragraphs
        # come round in this loop themselves.
        parts = [
            _node_text(node) for node in p.iter(_W_T, _W_TAB, _W_BR, _W_CR) if _nearest_paragraph(node) is p
        ]
        line = "".join(parts).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def _nearest_paragraph(node: Any) -> Any:
    parent = node.getparent()
    while parent is not None and parent.tag != _W_P:
        parent = parent.getparent()
    return parent


def _unique(texts: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for text in texts:
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return out
