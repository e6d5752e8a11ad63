"""A roster's rows to people: each person's subject key and the digests that find it, and the import's counts.

Values never leave :func:`parse_roster`: what comes out is digests and counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dlp.errors import ConfigError
from dlp.roster.fields import FIELDS, MIN_ID_DIGITS, NAME_CODES
from dlp.roster.hashing import digest, subject_key
from dlp.roster.headers import map_headers, safe_header
from dlp.roster.names import digits_only, name_forms


@dataclass
class Person:
    """One person of an import: its subject key and the digests that find it (no values)."""

    subject: bytes
    entries: set[tuple[bytes, int]] = field(default_factory=set)


@dataclass
class ImportSummary:
    """What an import did, in counts only."""

    file_name: str
    kind: str
    rows: int = 0
    people: int = 0
    name_forms: int = 0
    ids: int = 0
    merged: int = 0
    id_lengths: set[int] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)
    columns: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The printed summary: counts and column names, never a value."""
        used = ", ".join(f"{name}={header!r}" for name, header in self.columns.items())
        out = [
            f"roster import ({self.kind}): {self.file_name}",
            f"  columns used: {used}",
            f"  rows read: {self.rows}",
            f"  people: {self.people}" + (f" ({self.merged} rows merged into a person with the same ID)"
                                          if self.merged else ""),
            f"  indexed: {self.name_forms} name forms, {self.ids} IDs",
        ]
        if self.skipped:
            out.append("  skipped rows: " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items())))
        else:
            out.append("  skipped rows: 0")
        out.append(f"  seconds: {self.seconds:.2f}")
        return out


def _split_full(full: str) -> tuple[str, str, str]:
    """(first, middle, last) of a one-column name: "Alvarez, Jordan M" or "Jordan M Alvarez"."""
    if "," in full:
        last, _, rest = full.partition(",")
        words = rest.split()
        return (words[0] if words else ""), " ".join(words[1:]), last.strip()
    words = full.split()
    if len(words) < 2:
        return "", "", ""
    return words[0], " ".join(words[1:-1]), words[-1]


def _id_field(column: str, kind: str) -> str:
    """The stored field of an ID column; a "Local ID" in an HR export is an employee number."""
    if column == "local_id":
        return "student_id" if kind == "student" else "employee_id"
    return column


# Order in which IDs name a person's subject key (the most stable first).
_BEST_ID = {"student": ("sasid", "local_id", "employee_id", "mepid"),
            "employee": ("employee_id", "mepid", "local_id", "sasid")}


def parse_roster(rows: list[list[str]], kind: str, key: bytes, file_name: str) -> tuple[list[Person], ImportSummary]:
    """Turn the rows of a roster into people with their digests; values never leave this function.

    Raises:
        ConfigError: no header row with a name column within the first ten rows.
    """
    summary = ImportSummary(file_name=file_name, kind=kind)
    header_at = None
    columns: dict[str, int] = {}
    for i, row in enumerate(rows[:10]):
        columns = map_headers(row)
        if ("first" in columns and "last" in columns) or "full" in columns:
            header_at = i
            break
    if header_at is None:
        seen = next((r for r in rows if any(c.strip() for c in r)), [])
        shown = ", ".join(safe_header(c) for c in seen) or "none (the file is empty)"
        raise ConfigError(
            f"{file_name}: no name column found (need First Name + Last Name, or a Name column); "
            f"columns seen: {shown}"
        )
    header = rows[header_at]
    summary.columns = {name: header[index] for name, index in sorted(columns.items(), key=lambda kv: kv[1])}
    name_field = FIELDS[f"{kind}_name"]
    by_subject: dict[bytes, Person] = {}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        summary.rows += 1
        if not any(c.strip() for c in row):
            summary.skipped["empty"] += 1
            continue

        def get(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        first, last, middle = get("first"), get("last"), get("middle")
        if not (first and last) and get("full"):
            first, middle, last = _split_full(get("full"))
        ids: dict[str, str] = {}
        for column in ("sasid", "local_id", "employee_id", "mepid"):
            digits = digits_only(get(column))
            if digits:
                ids[column] = digits
        forms = name_forms(first, last, middle, get("preferred"))
        if not forms and not ids:
            summary.skipped["with no full name and no ID"] += 1
            continue
        best = next((c for c in _BEST_ID[kind] if c in ids), None)
        subject = (subject_key(key, kind, _id_field(best, kind), ids[best]) if best is not None
                   else subject_key(key, kind, "row", f"{file_name}:{number}"))
        person = by_subject.get(subject)
        if person is None:
            person = by_subject[subject] = Person(subject=subject)
        else:
            summary.merged += 1
        for form in forms:
            person.entries.add((digest(key, form), name_field))
        for column, digits in ids.items():
            if len(digits) >= MIN_ID_DIGITS:
                person.entries.add((digest(key, digits), FIELDS[_id_field(column, kind)]))
                summary.id_lengths.add(len(digits))
            else:
                summary.skipped[f"IDs shorter than {MIN_ID_DIGITS} digits (not indexed; row kept)"] += 1
    people = list(by_subject.values())
    summary.people = len(people)
    summary.name_forms = sum(1 for p in people for _, f in p.entries if f in NAME_CODES)
    summary.ids = sum(1 for p in people for _, f in p.entries if f not in NAME_CODES)
    return people, summary
