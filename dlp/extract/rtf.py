"""Rich Text Format documents (.rtf): the document text, with \\'hh escapes and \\uN characters decoded.

A small converter of our own, not striprtf: striprtf (the PyPI choice) first runs a regular expression
for HYPERLINK fields whose nested ``.*`` backtracks catastrophically (a 35 KB file of unclosed field
groups took 16 s, and the time grows with the cube of the length), which a scanner of hostile files
cannot accept. This one is a single pass over tokens matched by an expression with no nested
repetition, so its time is linear in the input:

* groups ``{...}`` push and pop the state (Unicode skip count, whether output is suppressed, font);
* destinations that hold no document text (font/colour/style tables, pictures, embedded objects,
  field instructions, every ``\\*`` group) are suppressed; the font table is still read for the
  ``\\fcharset`` of each font so that ``\\'hh`` bytes decode with the right code page;
* ``\\'hh`` bytes are collected and decoded together (double-byte code pages need pairs);
* ``\\uN`` gives the character N (negative values wrap, as Word writes them) and skips the ``\\ucN``
  fallback characters that follow; surrogate pairs are joined;
* ``\\bin N`` skips N raw bytes; ``\\par``, ``\\line``, ``\\row`` and friends become line breaks and
  ``\\cell`` a cell separator, so table rows read as rows.

RTF is 7-bit text, so the bytes are read as Latin-1, which maps every byte to one character and
cannot fail; input is bounded by the text budget's bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from typing import ClassVar

from dlp.extract._common import CELL_SEPARATOR, TextBudget, byte_budget, read_bounded
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part

_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word with optional numeric parameter
    r"|\\'([0-9a-fA-F]{2})"  # hex-escaped byte
    r"|\\(.)"  # control symbol (\\ \{ \} \~ \- \* \<newline>)
    r"|([{}])"  # group start or end
    r"|[\r\n]+"  # line breaks in the file are not text
    r"|([^\\{}\r\n]+)",  # a run of plain text
    re.DOTALL,
)
_SURROGATES = re.compile("[\ud800-\udfff]")

# Destinations whose content is not document text.
_SKIP = frozenset(
    {
        "fonttbl",
        "colortbl",
        "stylesheet",
        "listtable",
        "listoverridetable",
        "revtbl",
        "rsidtbl",
        "generator",
        "info",
        "pict",
        "object",
        "objdata",
        "themedata",
        "colorschememapping",
        "datastore",
        "latentstyles",
        "xmlnstbl",
        "fldinst",
        "filetbl",
        "pgdsctbl",
        "mmathPr",
        "private",
        "nonshppict",
        "blipuid",
        "bkmkstart",
        "bkmkend",
        "shpinst",
        "sp",
        "sn",
        "sv",
        "leveltext",
        "levelnumbers",
    }
)
_BREAKS = {"par": "\n", "line": "\n", "sect": "\n\n", "page": "\n\n", "row": "\n", "tab": "\t",
           "cell": CELL_SEPARATOR, "nestcell": CELL_SEPARATOR, "nestrow": "\n"}  # fmt: skip
_SYMBOLS = {"emdash": "\u2014", "endash": "\u2013", "lquote": "\u2018", "rquote": "\u2019",
            "ldblquote": "\u201c", "rdblquote": "\u201d", "bullet": "\u2022", "emspace": " ",
            "enspace": " ", "qmspace": " "}  # fmt: skip
_CONTROL_SYMBOLS = {"\\": "\\", "{": "{", "}": "}", "~": "\u00a0", "_": "\u2011", "-": "", "\n": "\n", "\r": "\n"}
# \fcharset -> code page (RTF 1.9.1 spec, \fcharset table).
_CHARSETS = {0: "", 1: "", 2: "latin-1", 77: "mac_roman", 128: "cp932", 129: "cp949", 130: "johab", 134: "gbk",
             136: "big5", 161: "cp1253", 162: "cp1254", 163: "cp1258", 177: "cp1255", 178: "cp1256",
             186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250", 255: "cp437"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _State:
    """What a group inherits from its parent and restores on close."""

    skip: bool = False  # inside a destination that holds no text
    uc: int = 1  # fallback characters after a \uN
    font: str = ""
    fonttbl: bool = False  # inside the font table: read \f and \fcharset, output nothing


class RtfExtractor(Extractor):
    """The whole document as one ``body`` part."""

    name: ClassVar[str] = "rtf"
    media_types: ClassVar[tuple[str, ...]] = ("application/rtf", "text/rtf")
    extensions: ClassVar[tuple[str, ...]] = (".rtf",)

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Convert to text (never raises on malformed RTF: unknown words are ignored, braces repaired)."""
        data, _truncated = read_bounded(item, byte_budget(ctx))
        text = rtf_to_text(data.decode("latin-1"), ctx.settings.max_text_chars).strip()
        budget = TextBudget(ctx.settings.max_text_chars)
        parts = (Part(locator="body", text=budget.take(text)),) if text else ()
        return Document(media_type=self.media_types[0], parts=parts)


def rtf_to_text(rtf: str, max_chars: int = 50_000_000) -> str:
    """The text of an RTF document (see the module docstring); stops after ``max_chars`` characters."""
    out: list[str] = []
    size = 0
    state = _State()
    stack: list[_State] = []
    fonts: dict[str, str] = {}
    codepage = "cp1252"
    pending = bytearray()  # \'hh bytes not decoded yet
    skip_chars = 0  # fallback characters still to drop after a \uN
    font_being_defined = ""
    started = False
    pos = 0
    length = len(rtf)

    def codec() -> str:
        return fonts.get(state.font) or codepage

    while pos < length and size < max_chars:
        match = _TOKEN.match(rtf, pos)
        if match is None:  # cannot happen (the last alternative takes any other character), but be safe
            pos += 1
            continue
        pos = match.end()
        word, arg, hexbyte, symbol, brace, plain = match.groups()
        if pending and hexbyte is None:
            if not state.skip:
                out.append(_decode(bytes(pending), codec()))
                size += len(out[-1])
            pending.clear()
        if brace == "{":
            stack.append(state)
            started = True
            skip_chars = 0
        elif brace == "}":
            skip_chars = 0
            if not stack:
                if started:
                    break  # the document group is closed; anything after it is not part of it
                continue
            state = stack.pop()
        elif word is not None:
            if word == "bin":
                pos += max(0, int(arg or 0))  # raw binary data follows: skip it unread
                continue
            if state.fonttbl:
                if word == "f":
                    font_being_defined = arg or ""
                elif word == "fcharset" and arg is not None:
                    fonts[font_being_defined] = _CHARSETS.get(int(arg), "")
                continue
            if word in _SKIP:
                state = replace(state, skip=True, fonttbl=word == "fonttbl")
            elif word == "ansicpg" and arg:
                codepage = _known_codec(f"cp{arg}", codepage)
            elif word == "uc" and arg is not None:
                state = replace(state, uc=max(0, int(arg)))
            elif word == "f":
                state = replace(state, font=arg or "")
            elif state.skip:
                pass
            elif word == "u" and arg is not None:
                value = int(arg)
                value = value + 0x10000 if value < 0 else value
                out.append(chr(value) if 0 <= value <= 0x10FFFF else "\ufffd")  # hostile values
                size += 1
                skip_chars = state.uc
                continue
            elif word in _BREAKS:
                out.append(_BREAKS[word])
                size += len(out[-1])
            elif word in _SYMBOLS:
                out.append(_SYMBOLS[word])
                size += 1
            skip_chars = 0
        elif hexbyte is not None:
            if skip_chars:
                skip_chars -= 1
            else:
                pending.append(int(hexbyte, 16))
        elif symbol is not None:
            if symbol == "*":
                state = replace(state, skip=True)
            elif skip_chars and symbol in "\\{}":
                skip_chars -= 1
            elif not state.skip and symbol in _CONTROL_SYMBOLS:
                out.append(_CONTROL_SYMBOLS[symbol])
                size += len(out[-1])
        elif plain is not None:
            if skip_chars:
                dropped = min(skip_chars, len(plain))
                plain = plain[dropped:]
                skip_chars -= dropped
            if plain and not state.skip:
                out.append(plain)
                size += len(plain)
    if pending and not state.skip:
        out.append(_decode(bytes(pending), codec()))
    return _join_surrogates("".join(out))[:max_chars]


def _decode(data: bytes, codepage: str) -> str:
    try:
        return data.decode(codepage, "replace")
    except LookupError:
        return data.decode("cp1252", "replace")


def _known_codec(name: str, default: str) -> str:
    try:
        codecs.lookup(name)
    except LookupError:
        return default
    return name


def _join_surrogates(text: str) -> str:
    """Pair the UTF-16 surrogates that \\uN escapes produce (emoji, rare CJK); replace unpaired ones.

    A lone surrogate cannot be encoded as UTF-8, so it would break the store and the outputs.
    """
    if not _SURROGATES.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
