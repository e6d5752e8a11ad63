"""Word documents (OOXML): body paragraphs, tables with rows, headers, footers, notes and comments."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from lxml import etree

from dlp.errors import ItemError
from dlp.extract._common import (
    BoundedMembers,
    TextBudget,
    guard_zip_package,
    guess_header,
    open_binary,
    parsing,
    rows_to_text,
)
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part, Reason

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_T, _W_TAB, _W_BR, _W_CR, _W_P = _W + "t", _W + "tab", _W + "br", _W + "cr", _W + "p"
_W_TXBX = _W + "txbxContent"
_W_TBL, _W_TR, _W_TC, _W_SECTPR = _W + "tbl", _W + "tr", _W + "tc", _W + "sectPr"
_W_DOCUMENT, _W_BODY = _W + "document", _W + "body"

_CT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}Types"
_CT_DEFAULT = "{http://schemas.openxmlformats.org/package/2006/content-types}Default"
_CT_OVERRIDE = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationships"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
# The main part of a document, a macro-enabled document and the two kinds of template: same body.
_MAIN_CONTENT_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    }
)
# Related parts read as text, by the last segment of their relationship type, with their locator.
_SIDE_PARTS = {
    "header": "header",
    "footer": "footer",
    "footnotes": "footnotes",
    "endnotes": "endnotes",
    "comments": "comments",
}

# Hostile-input settings: entities stay unexpanded (billion laughs, XXE), no DTD or network access,
# libxml2's size and depth limits kept. Blank text between tags is dropped as python-docx's parser
# did, so that the text read is the same as before this reader replaced it.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True
)


class DocxExtractor(Extractor):
    """Reads .docx/.docm/.dotx with a minimal OPC reader over zipfile and lxml.

    Only the main document part and the header, footer, notes and comments parts it refers to are
    inflated and parsed; images, styles, settings and the rest of the package are never touched.

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

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Parse the package; a broken one raises ItemError(CORRUPT), a bomb NotExamined(BOMB)."""
        budget = TextBudget(ctx.settings.max_text_chars)
        with open_binary(item) as stream:
            guard_zip_package(stream, ctx, "DOCX")
            with parsing("DOCX"), zipfile.ZipFile(stream) as archive:
                package = _Package(archive, ctx.settings.max_expanded_bytes)
                main = package.main_part()
                root = package.xml(main)
                body = root.find(_W_BODY) if root.tag == _W_DOCUMENT else None
                if body is None:
                    raise ItemError(Reason.CORRUPT, "DOCX main part without a document body")
                parts = _body_parts(body, budget) + _side_parts(package, main, budget)
        return Document(media_type=self.media_types[0], parts=tuple(parts))


class _Package:
    """The few parts of an OPC package the extractor needs, read straight from the zip.

    Part names are absolute (``/word/document.xml``); the zip member is the name without its slash.
    Inflation is bounded by the same ``max_expanded_bytes`` that guard_zip_package checked the
    declared sizes against, so no sequence of reads can inflate more than the guard allowed.
    """

    def __init__(self, archive: zipfile.ZipFile, max_bytes: int) -> None:
        self._members = BoundedMembers(archive, max_bytes, "DOCX")

    def read(self, partname: str) -> bytes | None:
        """The part's bytes, or None when the package has no such member."""
        return self._members.read(partname[1:])

    def xml(self, partname: str) -> Any:
        """The root element of a part that must be present."""
        data = self.read(partname)
        if data is None:
            raise ItemError(Reason.CORRUPT, "DOCX package lacks a part it refers to")
        return etree.fromstring(data, _PARSER)

    def rels(self, partname: str) -> list[Any]:
        """The relationships of a part (``/`` for the package itself); none without a rels part.

        Keyed by Id as python-docx keyed them: a repeated Id keeps its first place, its last value.
        """
        folder, name = posixpath.split(partname)
        data = self.read(posixpath.join(folder, "_rels", f"{name}.rels"))
        if data is None:
            return []
        root = etree.fromstring(data, _PARSER)
        if root.tag != _RELS:
            raise ItemError(Reason.CORRUPT, "DOCX relationships part of the wrong kind")
        by_id = {rel.get("Id"): rel for rel in root.iterchildren(_REL)}
        return list(by_id.values())

    def main_part(self) -> str:
        """The name of the Word main part the package relationship points at, checked by its content type."""
        main = [rel for rel in self.rels("/") if rel.get("Type") == _OFFICE_DOCUMENT]
        # A package has exactly one main part; two are as broken as none.
        if len(main) != 1 or _is_external(main[0]) or main[0].get("Target") is None:
            raise ItemError(Reason.CORRUPT, "DOCX package without a Word document part")
        partname = _resolve("/", main[0].get("Target"))
        if self._content_type(partname) not in _MAIN_CONTENT_TYPES:
            raise ItemError(Reason.CORRUPT, "DOCX package without a Word document part")
        return partname

    def _content_type(self, partname: str) -> str | None:
        """The part's content type: its Override, else the Default for its extension (both case-blind)."""
        types = self.xml("/[Content_Types].xml")
        if types.tag != _CT_TYPES:
            raise ItemError(Reason.CORRUPT, "DOCX content types of the wrong kind")
        overrides = {
            str(o.get("PartName", "")).lower(): o.get("ContentType")
            for o in types.iterchildren(_CT_OVERRIDE)
        }
        if partname.lower() in overrides:
            return overrides[partname.lower()]
        defaults = {
            str(d.get("Extension", "")).lower(): d.get("ContentType")
            for d in types.iterchildren(_CT_DEFAULT)
        }
        extension = posixpath.splitext(partname)[1][1:]
        return defaults.get(extension.lower())


def _resolve(base_part: str, target: str) -> str:
    """The absolute part name of a relationship target: relative targets are against the source's folder."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _is_external(rel: Any) -> bool:
    return bool(rel.get("TargetMode") == "External")


def _body_parts(body: Any, budget: TextBudget) -> list[Part]:
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
    (``w:sdt``) and custom XML, which a walk of the body's direct children would skip."""
    for child in container.iterchildren():
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag != _W_SECTPR:
            yield from _blocks(child)


def _side_parts(package: _Package, main: str, budget: TextBudget) -> list[Part]:
    texts: dict[str, list[str]] = {}
    seen: set[str] = set()
    for rel in package.rels(main):
        kind = _SIDE_PARTS.get(str(rel.get("Type", "")).rsplit("/", 1)[-1])
        target = rel.get("Target")
        if kind is None or _is_external(rel) or target is None or budget.exhausted:
            continue
        partname = _resolve(main, target)
        # Each part is inflated once, however many relationships point at it.
        if partname in seen:
            continue
        seen.add(partname)
        data = package.read(partname)
        # A relationship to a part the package lacks (a dangling one) leaves nothing to scan; the body
        # and the other parts are still read.
        if data is None:
            continue
        text = _element_text(etree.fromstring(data, _PARSER))
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
