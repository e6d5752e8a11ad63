"""Calendar (.ics, iCalendar) and contact (.vcf, vCard) files: the properties that hold people.

Both formats are lines of ``NAME;PARAM=VALUE:value`` folded at 75 octets, which are unfolded first.
Parsed here directly (a few dozen lines; the PyPI parsers build full object models and are stricter
than what address-book exports actually contain). Kept, one ``event N`` / ``todo N`` / ``contact N``
part per component, each property on its own line with a label:

* iCalendar: SUMMARY, DESCRIPTION, LOCATION, COMMENT, ATTENDEE and ORGANIZER (with their CN names);
* vCard: FN, N, NICKNAME, TEL, EMAIL, ADR, BDAY, NOTE, ORG, TITLE. BDAY is written as
  ``birth date: ...`` so that the date-of-birth recognizer sees its context word next to the date.

vCard 2.1 quoted-printable values (``ENCODING=QUOTED-PRINTABLE``, soft line breaks with ``=``) are
decoded; base64 values (photos, keys) are skipped.
"""

from __future__ import annotations

import quopri
import re
from typing import ClassVar

from dlp.extract._common import TextBudget, byte_budget, decode_text, read_bounded
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part

_LINE = re.compile(r"^(?P<name>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)?)(?P<params>(?:;[^:]*)?):(?P<value>.*)$")
_LABELS = {
    "SUMMARY": "summary",
    "DESCRIPTION": "description",
    "LOCATION": "location",
    "COMMENT": "comment",
    "ATTENDEE": "attendee",
    "ORGANIZER": "organizer",
    "FN": "name",
    "N": "name",
    "NICKNAME": "nickname",
    "TEL": "phone",
    "EMAIL": "email",
    "ADR": "address",
    "BDAY": "birth date",
    "NOTE": "note",
    "ORG": "organization",
    "TITLE": "title",
}
_COMPONENTS = {"VEVENT": "event", "VTODO": "todo", "VJOURNAL": "journal", "VCARD": "contact"}


class CalendarExtractor(Extractor):
    """iCalendar and vCard files (see the module docstring)."""

    name: ClassVar[str] = "calendar"
    media_types: ClassVar[tuple[str, ...]] = ("text/calendar", "text/vcard", "text/x-vcard", "text/directory")
    extensions: ClassVar[tuple[str, ...]] = (".ics", ".ical", ".ifb", ".vcs", ".vcf", ".vcard")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """One part per event, task or contact; text outside any component is ignored."""
        data, truncated = read_bounded(item, byte_budget(ctx))
        text, _ = decode_text(data, ctx.settings.max_text_chars, truncated=truncated)
        budget = TextBudget(ctx.settings.max_text_chars)
        parts: list[Part] = []
        counts: dict[str, int] = {}
        stack: list[tuple[str, list[str]]] = []
        for line in unfold(text):
            match = _LINE.match(line)
            if match is None:
                continue
            name = match["name"].rsplit(".", 1)[-1].upper()  # vCard groups: "item1.TEL"
            value = match["value"]
            if name == "BEGIN":
                stack.append((value.strip().upper(), []))
                continue
            if name == "END":
                if stack:
                    component, lines = stack.pop()
                    kind = _COMPONENTS.get(component)
                    if kind and lines and not budget.exhausted:
                        counts[kind] = counts.get(kind, 0) + 1
                        parts.append(Part(locator=f"{kind} {counts[kind]}", text=budget.take("\n".join(lines))))
                continue
            if not stack or name not in _LABELS:
                continue
            rendered = _render(name, match["params"], value)
            line_text = f"{_LABELS[name]}: {rendered}"
            if rendered and line_text not in stack[-1][1]:  # FN and N usually say the same name
                stack[-1][1].append(line_text)
        return Document(media_type=self.media_types[0], parts=tuple(parts))


def unfold(text: str) -> list[str]:
    """Logical lines: a line starting with a space or tab continues the previous one (RFC 5545 3.1);
    a quoted-printable line ending in ``=`` continues on the next line (vCard 2.1)."""
    lines: list[str] = []
    for raw in text.splitlines():
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif lines and lines[-1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1].split(":", 1)[0].upper():
            lines[-1] = lines[-1][:-1] + raw
        else:
            lines.append(raw)
    return lines


def _render(name: str, params: str, value: str) -> str:
    """A property's value as a person would read it."""
    upper = params.upper()
    if "ENCODING=B" in upper or "ENCODING=BASE64" in upper:
        return ""  # a photo or a key, not text
    if "QUOTED-PRINTABLE" in upper:
        charset = re.search(r"CHARSET=([A-Za-z0-9_-]+)", params, re.IGNORECASE)
        raw = quopri.decodestring(value.encode("latin-1", "replace"))
        try:
            value = raw.decode(charset.group(1) if charset else "utf-8", "replace")
        except LookupError:
            value = raw.decode("cp1252", "replace")
    if name in ("ATTENDEE", "ORGANIZER"):
        address = re.sub(r"^mailto:", "", value.strip(), flags=re.IGNORECASE)
        common = re.search(r'CN=("[^"]*"|[^;:]*)', params, re.IGNORECASE)
        label = common.group(1).strip('"') if common else ""
        return f"{label} <{address}>" if label else address
    if name in ("N", "ADR", "ORG"):
        fields = [_unescape(f).strip() for f in re.split(r"(?<!\\);", value)]
        if name == "N" and len(fields) >= 2:
            # Family;Given;Additional;Prefix;Suffix -> "Prefix Given Additional Family Suffix"
            fields += [""] * (5 - len(fields))
            fields = [fields[3], fields[1], fields[2], fields[0], fields[4]]
            return " ".join(f for f in fields if f)
        return ", ".join(f for f in fields if f)
    return _unescape(value).strip()


def _unescape(value: str) -> str:
    return re.sub(r"\\([nN,;\\])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
