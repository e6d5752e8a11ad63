"""JSON documents and JSON lines: every string and number leaf, with its key path as context."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from dlp.errors import ItemError
from dlp.extract._common import TextBudget, byte_budget, decode_text, read_bounded
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part, Reason

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


class JsonExtractor(Extractor):
    """Reads JSON and JSON lines into one part of ``path: value`` lines.

    The key path (``students[3].ssn``) stays next to each value, so that a context-word rule sees
    ``ssn`` beside the number as it would in prose. A JSON lines file's records are numbered from 0
    like an array's (``[2].ssn``); lines that are not JSON are kept verbatim as ``[2]: <text>``.
    """

    name: ClassVar[str] = "json"
    media_types: ClassVar[tuple[str, ...]] = (
        "application/json",
        "application/x-ndjson",
        "application/jsonl",
        "application/json-seq",
        "text/json",
    )
    extensions: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson", ".geojson")
    abstract: ClassVar[bool] = False

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """One ``json`` (or ``json lines``) part; raises ItemError(CORRUPT) when nothing parses."""
        data, truncated = read_bounded(item, byte_budget(ctx))
        text, truncated = decode_text(data, ctx.settings.max_text_chars, truncated=truncated)
        media_type = self.media_types[0]
        if not text.strip():
            return Document(media_type=media_type)
        budget = TextBudget(ctx.settings.max_text_chars)
        try:
            value = json.loads(text)
        except RecursionError as exc:
            raise ItemError(Reason.CORRUPT, "JSON nested too deeply") from exc
        except ValueError:
            try:
                lines = _json_lines(text, budget)
            except ItemError:
                if not truncated:
                    raise
                # Only a prefix was read (the file is over the text budget), so the document cannot
                # parse: its text is still worth scanning as it is.
                return Document(media_type=media_type, parts=(Part(locator="body", text=text),))
            return Document(
                media_type="application/x-ndjson", parts=(Part(locator="json lines", text=lines),)
            )
        out = _join(_leaves(value, ""), budget)
        return Document(media_type=media_type, parts=(Part(locator="json", text=out),))


def _json_lines(text: str, budget: TextBudget) -> str:
    """Text of a JSON lines file; raises ItemError(CORRUPT) when not one line is JSON."""
    out: list[str] = []
    parsed = 0
    for index, line in enumerate(line for line in text.splitlines() if line.strip()):
        if budget.exhausted:
            break
        try:
            record = json.loads(line)
        except RecursionError as exc:
            raise ItemError(Reason.CORRUPT, "JSON nested too deeply") from exc
        except ValueError:
            # A cut-off last line or a log line between records: scan it as it is.
            out.append(budget.take(f"[{index}]: {line.strip()}"))
            continue
        parsed += 1
        chunk = _join(_leaves(record, f"[{index}]"), budget)
        if chunk:
            out.append(chunk)
    if not parsed:
        raise ItemError(Reason.CORRUPT, "neither JSON nor JSON lines")
    return "\n".join(out)


def _join(leaves: Iterator[str], budget: TextBudget) -> str:
    out: list[str] = []
    for line in leaves:
        piece = budget.take(line + "\n")
        out.append(piece)
        if budget.exhausted:
            break
    return "".join(out).rstrip("\n")


def _leaves(value: Any, root: str) -> Iterator[str]:
    """``path: value`` for every string and number leaf, depth first, without recursion.

    An explicit stack because a hostile document nested 100 000 deep would overflow Python's stack
    (json.loads itself accepts depth up to the recursion limit).
    """
    stack: list[tuple[str, Any]] = [(root, value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(reversed([(_key_path(path, str(k)), v) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(node)]))
        elif isinstance(node, bool) or node is None:
            continue  # true/false/null carry no identifier
        elif isinstance(node, str):
            if node.strip():
                yield f"{path or '$'}: {node}"
        else:
            yield f"{path or '$'}: {node}"


def _key_path(parent: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"
