"""Roster exact-data-match (EDM): SIS and HR exports reduced to keyed hashes, and their in-memory index.

``dlp roster import FILE --kind student|employee`` reads a roster (CSV or a simple XLSX) and keeps only
HMAC-SHA256 digests, under the district key, of normalized values: each person's name forms (first +
last, last + first, nickname forms, initial + last, with the middle name or initial) and IDs (digits
only). Nothing else of the file is stored: no value, no column other than those that are hashed.

The file ``roster.sqlite`` (``[detect] roster_file``) holds:

* ``people``: one row per person, with its subject key (a keyed hash of its kind and best ID);
* ``entries``: digest (16 bytes) -> person, kind, field; the durable form of the roster;
* ``packed``: the same entries as three binary blobs ready for :class:`RosterIndex` (sorted 64-bit
  digest prefixes, packed person/field codes, subject keys), so that a worker loads 100,000 people
  with three reads and no per-row Python objects;
* ``imports``: the import log (file name, kind, rows, when): counts only, never values.

This module imports neither Presidio nor spaCy (``engine_version`` reads :func:`fingerprint` before a
scan decides whether it needs them); the recognizer lives in ``detectors/roster.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import hmac
import io
import logging
import os
import re
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlp.detect.values import mask, normalize
from dlp.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

KINDS = ("student", "employee")

# Bump when the name forms or the hashing change: a roster imported under another format is refused
# at load time (and the fingerprint changes, so incremental scans judge everything again).
FORMAT_VERSION = 1

# Stored digests are truncated HMAC-SHA256 outputs. 16 bytes in the file; the in-memory index keys on
# the first 8 (a random 64-bit value: with 1.5 million entries, a false match needs about 1e13 lookups).
DIGEST_BYTES = 16

# IDs shorter than this are not indexed: a 4-digit number matches years, room numbers and amounts.
MIN_ID_DIGITS = 5

# Field codes. The in-memory index packs (person << FIELD_BITS) | code into one uint32.
FIELD_BITS = 3
FIELDS: dict[str, int] = {
    "student_name": 0,
    "employee_name": 1,
    "sasid": 2,
    "student_id": 3,
    "employee_id": 4,
    "mepid": 5,
    "name": 6,  # a name form shared by a student and an employee
}
FIELD_NAMES = {code: name for name, code in FIELDS.items()}
# The canonical entity a match of each field is reported as (CONTRACT.md section 3).
FIELD_ENTITY: dict[int, str] = {
    FIELDS["student_name"]: "PERSON",
    FIELDS["employee_name"]: "PERSON",
    FIELDS["name"]: "PERSON",
    FIELDS["sasid"]: "MA_SASID",
    FIELDS["student_id"]: "STUDENT_ID",
    FIELDS["employee_id"]: "EMPLOYEE_ID",
    FIELDS["mepid"]: "MA_MEPID",
}
NAME_CODES = frozenset({FIELDS["student_name"], FIELDS["employee_name"], FIELDS["name"]})
# Person bits all ones: the digest belongs to more than one person (a shared name, "J. Smith").
AMBIGUOUS = (1 << (32 - FIELD_BITS)) - 1

# ---------------------------------------------------------------------------------------------------
# Column headers. Matched after folding: lower case, "#" read as "no", everything but letters and
# digits dropped ("Student #" -> "studentno", "first_name" -> "firstname").

_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "first": ("firstname", "first", "fname", "givenname", "forename", "legalfirstname", "studentfirstname",
              "stufirstname", "employeefirstname", "stafffirstname", "firstnm", "namefirst"),
    "last": ("lastname", "last", "lname", "surname", "familyname", "legallastname", "studentlastname",
             "stulastname", "employeelastname", "stafflastname", "lastnm", "namelast"),
    "middle": ("middlename", "middle", "mname", "middleinitial", "mi", "studentmiddlename", "legalmiddlename",
               "middlenm", "namemiddle"),
    "preferred": ("preferredname", "preferredfirstname", "preferred", "nickname", "nick", "goesby", "knownas",
                  "aka", "commonname", "chosenname"),
    "full": ("name", "fullname", "studentname", "employeename", "staffname", "displayname", "lastfirst",
             "namelastfirst", "lastfirstname", "studentfullname", "employeefullname"),
    "sasid": ("sasid", "stateid", "statestudentid", "statestudentidentifier", "stateidnumber", "stateidno",
              "masasid", "sasidnumber", "statesasid", "studentsasid"),
    "local_id": ("localid", "localidnumber", "localstudentid", "studentid", "studentno", "studentnumber",
                 "studentidnumber", "stuid", "stuno", "sisid", "id", "idno", "idnumber", "personid"),
    "employee_id": ("employeeid", "employeeno", "employeenumber", "empid", "empno", "staffid", "staffno",
                    "staffnumber", "hrid", "personnelid", "employeeidnumber"),
    "mepid": ("mepid", "mepidnumber", "mepidno", "educatorid", "maeducatorid", "licensureid"),
    "dob": ("dob", "dateofbirth", "birthdate", "birthday", "birthdt", "studentdob"),
}
_HEADER_INDEX: dict[str, str] = {alias: name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}

# Words that make a header cell safe to echo in an error message. A cell without one may be a value
# (a file with no header row starts with a person), and values are never printed.
_HEADER_WORDS = ("name", "id", "no", "number", "date", "birth", "grade", "school", "mail", "phone", "address",
                 "code", "type", "status", "year", "gender", "sex", "class", "homeroom", "teacher", "title",
                 "dept", "department", "position", "city", "state", "zip", "first", "last", "middle", "local",
                 "bus", "route", "room", "program", "course", "section", "level", "period", "counselor",
                 "advisor", "entry", "exit", "race", "ethnicity", "language", "lunch", "team", "cohort",
                 "building", "site", "role", "job", "salary", "hire", "street", "guardian", "parent")


def fold_header(cell: str) -> str:
    """The comparable form of a column header."""
    return re.sub(r"[^0-9a-z]", "", cell.casefold().replace("#", "no"))


def map_headers(header: Sequence[str]) -> dict[str, int]:
    """Roster field -> column index, for the columns of ``header`` that the alias table knows."""
    out: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _HEADER_INDEX.get(fold_header(cell or ""))
        if name is not None and name not in out:
            out[name] = index
    return out


def safe_header(cell: str) -> str:
    """A header as it may appear in a message: verbatim if it reads like a header, else masked.

    Whole words only ("David" holds "id", "Nolan" holds "no"), and nothing with a digit in it.
    """
    words = {w.casefold() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", cell)}
    if not re.search(r"\d", cell) and (fold_header(cell) in _HEADER_INDEX or words & set(_HEADER_WORDS)):
        return cell
    return mask("PERSON", cell) if cell.strip() else "(blank)"


# ---------------------------------------------------------------------------------------------------
# Names: folding and nickname forms.

# Formal name -> common English (and a few Spanish) short forms. Used in both directions: a rostered
# "William" is also found as "Bill Okafor", a rostered "Bill" also as "William Okafor".
NICKNAMES: dict[str, tuple[str, ...]] = {
    "william": ("bill", "billy", "will", "willy", "liam"),
    "elizabeth": ("liz", "beth", "betty", "eliza", "lizzie", "libby", "betsy"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "richard": ("rick", "ricky", "rich", "richie", "dick"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny"),
    "joseph": ("joe", "joey"),
    "michael": ("mike", "mikey", "mick"),
    "thomas": ("tom", "tommy"),
    "charles": ("charlie", "chuck", "chaz"),
    "christopher": ("chris", "topher", "kit"),
    "daniel": ("dan", "danny"),
    "matthew": ("matt", "matty"),
    "anthony": ("tony",),
    "andrew": ("andy", "drew"),
    "joshua": ("josh",),
    "benjamin": ("ben", "benji", "benny"),
    "samuel": ("sam", "sammy"),
    "alexander": ("alex", "xander", "al"),
    "nicholas": ("nick", "nicky", "nico"),
    "jonathan": ("jon", "jonny"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "theodore": ("ted", "teddy", "theo"),
    "timothy": ("tim", "timmy"),
    "steven": ("steve",),
    "stephen": ("steve",),
    "kenneth": ("ken", "kenny"),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "gregory": ("greg",),
    "jeffrey": ("jeff",),
    "zachary": ("zach", "zack"),
    "nathaniel": ("nate", "nat"),
    "nathan": ("nate",),
    "gabriel": ("gabe",),
    "jacob": ("jake",),
    "david": ("dave", "davey"),
    "donald": ("don", "donnie"),
    "ronald": ("ron", "ronnie"),
    "raymond": ("ray",),
    "lawrence": ("larry",),
    "gerald": ("gerry", "jerry"),
    "francis": ("frank", "fran"),
    "franklin": ("frank",),
    "frederick": ("fred", "freddie"),
    "henry": ("hank", "harry"),
    "harold": ("harry", "hal"),
    "leonard": ("leo", "len", "lenny"),
    "douglas": ("doug",),
    "philip": ("phil",),
    "phillip": ("phil",),
    "vincent": ("vince", "vinny"),
    "margaret": ("maggie", "meg", "peggy", "margie", "greta"),
    "katherine": ("kate", "katie", "kathy", "kat", "kitty"),
    "catherine": ("cathy", "cate", "kate", "katie"),
    "kathleen": ("kathy", "kate"),
    "jennifer": ("jen", "jenny"),
    "jessica": ("jess", "jessie"),
    "rebecca": ("becky", "becca"),
    "victoria": ("vicky", "tori"),
    "alexandra": ("alex", "lexi", "ali"),
    "samantha": ("sam", "sammy"),
    "abigail": ("abby", "gail"),
    "allison": ("ali", "allie"),
    "amanda": ("mandy",),
    "deborah": ("deb", "debbie"),
    "susan": ("sue", "susie"),
    "patricia": ("pat", "patty", "trish"),
    "christina": ("chris", "tina", "chrissy"),
    "christine": ("chris", "tina", "chrissy"),
    "jacqueline": ("jackie",),
    "madeline": ("maddie", "maddy"),
    "natalie": ("nat",),
    "olivia": ("liv", "livvy"),
    "isabella": ("izzy", "bella", "isa"),
    "isabel": ("izzy", "bel", "isa"),
    "gabriella": ("gabby", "ella"),
    "eleanor": ("ellie", "nora", "nell"),
    "dorothy": ("dot", "dottie"),
    "barbara": ("barb",),
    "cynthia": ("cindy",),
    "pamela": ("pam",),
    "kimberly": ("kim",),
    "stephanie": ("steph",),
    "valerie": ("val",),
    "theresa": ("terry", "tess"),
    "josephine": ("jo", "josie"),
    "mary": ("molly", "polly"),
    "sarah": ("sadie", "sally"),
    "anne": ("annie", "nan"),
    "caroline": ("carrie",),
    "emily": ("em", "emmy"),
    "penelope": ("penny",),
    "julia": ("jules", "julie"),
    "nicole": ("nicki", "nikki"),
    "angela": ("angie",),
    "evelyn": ("evie",),
    "cassandra": ("cassie",),
    "jose": ("pepe",),
    "francisco": ("paco", "pancho"),
    "guillermo": ("memo",),
    "alejandro": ("alex", "ale"),
    "jesus": ("chuy",),
    "enrique": ("quique",),
    "roberto": ("beto",),
    "alberto": ("beto",),
    "eduardo": ("lalo",),
    "ignacio": ("nacho",),
    "dolores": ("lola",),
    "guadalupe": ("lupe",),
}
_FORMALS: dict[str, set[str]] = {}
for _formal, _short in NICKNAMES.items():
    for _nick in _short:
        _FORMALS.setdefault(_nick, set()).add(_formal)


def name_variants(first: str) -> set[str]:
    """A folded first name with its nickname forms (one step each way: William -> Bill, Bill -> William).

    One step only, so that "Bill" does not lead on to "Liam" through "William".
    """
    out = {first}
    out.update(NICKNAMES.get(first, ()))
    out.update(_FORMALS.get(first, ()))
    return out


_APOSTROPHES = re.compile(r"['’`ʼ]")
_NOT_WORD = re.compile(r"[\W_]+")


def fold_name(text: str) -> str:
    """Case-folded, diacritics and punctuation removed: "O’Brien-Núñez, J." -> "obrien nunez j".

    Apostrophes vanish (O'Brien, OBrien) and other punctuation separates words, the same way on the
    roster side and the text side, so the two always agree.
    """
    text = _APOSTROPHES.sub("", text)
    text = _NOT_WORD.sub(" ", text)
    return normalize("PERSON", text)


def digits_only(value: str) -> str:
    """An ID as it is hashed: its digits (SIS exports write "S-204518", "0204518 " and "204518")."""
    return re.sub(r"\D", "", value)


@functools.lru_cache(maxsize=4)
def hasher(key: bytes) -> Callable[[str], bytes]:
    """HMAC-SHA256 under ``key`` (RFC 2104) with the padded key states computed once.

    ``hmac.digest`` rebuilds them on every call; precomputed, a digest costs less than half as much,
    which is most of an import's time and of the recognizer's per-candidate cost.
    """
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def keyed(folded: str) -> bytes:
        i = inner.copy()
        i.update(folded.encode("utf-8"))
        o = outer.copy()
        o.update(i.digest())
        return o.digest()[:DIGEST_BYTES]

    return keyed


def digest(key: bytes, folded: str) -> bytes:
    """The stored digest of a folded value: HMAC-SHA256 under the district key, truncated."""
    return hasher(key)(folded)


def key_check(key: bytes) -> str:
    """A tag of the key that hashed the roster; a roster hashed under another key can never match."""
    return hmac.digest(key, b"dlp roster key check", "sha256")[:8].hex()


def name_forms(first: str, last: str, middle: str = "", preferred: str = "") -> set[str]:
    """Every folded form under which a person's name is looked up (at least two words each).

    A first or last name alone is never a form: with thousands of people, "Jordan" or "Lee" alone
    would match everywhere.
    """
    f, la, m, p = fold_name(first), fold_name(last), fold_name(middle), fold_name(preferred)
    if not la or not (f or p):
        return set()
    firsts: set[str] = set()
    for given in (f, p):
        if given:
            firsts |= name_variants(given)
            # A compound given name ("Mary Kate") is also written by its first word.
            if " " in given:
                firsts |= name_variants(given.split()[0])
    forms: set[str] = set()
    for given in firsts:
        forms.add(f"{given} {la}")
        forms.add(f"{la} {given}")
    if m:
        for given in {g for g in (f, p) if g}:
            for middle_form in {m, m[0]}:
                forms.add(f"{given} {middle_form} {la}")
                forms.add(f"{la} {given} {middle_form}")
    for given in {g for g in (f, p) if g}:
        forms.add(f"{given[0]} {la}")  # "J. Alvarez"
        forms.add(f"{la} {given[0]}")  # "Alvarez, J."
    return forms


# ---------------------------------------------------------------------------------------------------
# Reading a roster file.


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


def read_table(path: Path) -> list[list[str]]:
    """The rows of a CSV/TSV or of the first sheet of an XLSX file, as strings."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        return _read_xlsx(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older SIS exports are Windows-1252.
        text = raw.decode("cp1252", errors="replace")
    sample = text[:65536]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException: all "not a workbook"
        raise ConfigError(f"{path.name} is not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in row])
        return rows
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # IDs typed as numbers in Excel
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


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


def subject_key(key: bytes, kind: str, id_field: str, value: str) -> bytes:
    """The keyed hash naming a person: of its kind and best ID (or, without an ID, its row)."""
    return digest(key, f"subject\x00{kind}\x00{id_field}\x00{value}")


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


# ---------------------------------------------------------------------------------------------------
# The roster file.

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_people_kind ON people (kind);
CREATE TABLE IF NOT EXISTS entries (
    hash BLOB NOT NULL,
    person INTEGER NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    PRIMARY KEY (hash, person)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packed (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    rows INTEGER NOT NULL,
    people INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
"""


def _open(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open the roster file; when creating, make it 0600 in a 0700 folder before SQLite writes to it."""
    if create:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        # A file made earlier with a looser umask is tightened: it is as sensitive as the key.
        os.chmod(path, 0o600)
        conn = sqlite3.connect(path)
        # One import is one transaction; a crash leaves the previous roster (the journal stays on).
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(_SCHEMA)
        return conn
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def store_people(path: Path, key: bytes, kind: str, people: Sequence[Person], summary: ImportSummary) -> None:
    """Replace ``kind``'s people in the roster file with ``people`` and rebuild the packed index."""
    conn = _open(path, create=True)
    try:
        with conn:
            conn.execute("DELETE FROM entries WHERE kind = ?", (kind,))
            conn.execute("DELETE FROM people WHERE kind = ?", (kind,))
            rows: list[tuple[bytes, int, str, str]] = []
            for person in people:
                cur = conn.execute("INSERT INTO people (kind, subject) VALUES (?, ?)", (kind, person.subject))
                pid = int(cur.lastrowid or 0)
                rows.extend((h, pid, kind, FIELD_NAMES[code]) for h, code in person.entries)
            # In key order, the B-tree grows at its end instead of splitting pages all over: 10x faster.
            rows.sort()
            conn.executemany("INSERT OR IGNORE INTO entries (hash, person, kind, field) VALUES (?, ?, ?, ?)", rows)
            del rows
            conn.execute(
                "INSERT INTO imports (file_name, kind, rows, people, skipped, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
                (summary.file_name, kind, summary.rows, summary.people, sum(summary.skipped.values()),
                 dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
            # The recognizer hashes only digit runs of these lengths (lengths are no values).
            conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                         (f"id_lengths:{kind}", ",".join(str(n) for n in sorted(summary.id_lengths))))
            _pack(conn, key)
        conn.execute("VACUUM")  # the old kind's pages would otherwise keep the file at its largest size
    finally:
        conn.close()


def _pack(conn: sqlite3.Connection, key: bytes) -> None:
    """Write the blobs that :class:`RosterIndex` loads: sorted digest prefixes, codes, subject keys."""
    import numpy as np

    people = conn.execute("SELECT id, kind, subject FROM people ORDER BY id").fetchall()
    position = {pid: i for i, (pid, _, _) in enumerate(people)}
    subjects = b"".join(s for _, _, s in people)
    prefixes: list[bytes] = []
    codes: list[int] = []
    last: bytes | None = None
    # Rows come in digest order (the table's primary key), so a digest shared by several people is a run.
    for h, pid, field_ in conn.execute("SELECT hash, person, field FROM entries ORDER BY hash, person"):
        prefix = h[:8]
        code = FIELDS[field_]
        if prefix == last:
            previous = codes[-1]
            prev_person, prev_code = previous >> FIELD_BITS, previous & ((1 << FIELD_BITS) - 1)
            if prev_code != code and {prev_code, code} <= NAME_CODES:
                code = FIELDS["name"]  # a student and an employee share this name
            elif prev_code != code:
                code = min(prev_code, code)
            if prev_person != position[pid] or prev_code != code:
                codes[-1] = (AMBIGUOUS << FIELD_BITS) | code
            continue
        last = prefix
        prefixes.append(prefix)
        codes.append((position[pid] << FIELD_BITS) | code)
    keys = np.frombuffer(b"".join(prefixes), dtype="<u8")
    values = np.array(codes, dtype="<u4")
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        order = np.argsort(keys, kind="stable")  # SQLite sorts blobs bytewise, numpy by integer value
        keys, values = keys[order], values[order]
    blobs = {"keys": keys.tobytes(), "values": values.tobytes(), "subjects": subjects}
    conn.executemany("INSERT OR REPLACE INTO packed (name, data) VALUES (?, ?)", list(blobs.items()))
    state = hashlib.sha256()
    for name in ("keys", "values", "subjects"):
        state.update(blobs[name])
    meta = {"format": str(FORMAT_VERSION), "key_check": key_check(key), "fingerprint": state.hexdigest()[:16],
            "people": str(len(people)), "entries": str(len(keys))}
    conn.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", list(meta.items()))


def fingerprint(path: Path) -> str:
    """A short digest of the roster's content ("" without a roster): part of the engine version, so that
    importing a roster makes the next incremental scan judge everything again."""
    if not path.is_file():
        return ""
    try:
        conn = _open(path, create=False)
        try:
            row = conn.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return "unreadable"
    return str(row[0]) if row else ""


@dataclass(frozen=True)
class Match:
    """A roster hit: the entity to report, the person's subject key (None if shared) and the field."""

    entity: str
    subject: str | None
    kind: str | None
    field: str


class RosterIndex:
    """The roster in memory: three numpy arrays, looked up in batches with one ``searchsorted``.

    About 12 bytes per entry (8 of digest prefix, 4 of person and field) plus 16 per person; no Python
    object per entry, so 100,000 people (about 1.5 million entries) cost about 20 MB per worker.
    """

    def __init__(self, key: bytes, keys: npt.NDArray[np.uint64], values: npt.NDArray[np.uint32],
                 subjects: bytes, people_kinds: Sequence[str], id_lengths: frozenset[int] = frozenset()) -> None:
        self._key = key
        self.id_lengths = id_lengths
        self.keys = keys
        self.values = values
        self._subjects = subjects
        self._kinds = people_kinds
        self.people = len(subjects) // DIGEST_BYTES

    def __len__(self) -> int:
        return int(len(self.keys))

    @classmethod
    def load(cls, key: bytes, path: Path) -> RosterIndex | None:
        """Load the packed index; None when there is no roster, it is empty, or another key made it."""
        import numpy as np

        if not path.is_file():
            return None
        try:
            conn = _open(path, create=False)
            try:
                meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
                blobs = dict(conn.execute("SELECT name, data FROM packed").fetchall())
                kinds = [k for (k,) in conn.execute("SELECT kind FROM people ORDER BY id")]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.warning("roster file %s cannot be read (%s); roster matching is off", path, type(exc).__name__)
            return None
        if meta.get("format") != str(FORMAT_VERSION):
            log.warning("roster file %s has format %s, not %s; import the rosters again", path,
                        meta.get("format"), FORMAT_VERSION)
            return None
        if meta.get("key_check") != key_check(key):
            log.warning("roster file %s was hashed under another key; import the rosters again", path)
            return None
        keys = np.frombuffer(blobs.get("keys", b""), dtype="<u8")
        if not len(keys):
            return None
        values = np.frombuffer(blobs["values"], dtype="<u4")
        # Kinds as a compact sequence: one interned str reference per person.
        lengths = frozenset(int(n) for name, v in meta.items() if name.startswith("id_lengths:")
                            for n in v.split(",") if n)
        return cls(key, keys, values, blobs["subjects"], [sys.intern(k) for k in kinds], lengths)

    def prefixes(self, folded: Iterable[str]) -> npt.NDArray[np.uint64]:
        """The 64-bit digest prefixes of folded candidate values, for :meth:`lookup_many`."""
        import numpy as np

        keyed = hasher(self._key)
        joined = b"".join(keyed(f)[:8] for f in folded)
        return np.frombuffer(joined, dtype="<u8")

    def lookup_many(self, prefixes: npt.NDArray[np.uint64]) -> list[int | None]:
        """For each prefix, its packed code, or None when it is not on the roster."""
        import numpy as np

        if not len(prefixes):
            return []
        at = np.searchsorted(self.keys, prefixes)
        at_clipped = np.minimum(at, len(self.keys) - 1)
        hit = self.keys[at_clipped] == prefixes
        codes = self.values[at_clipped]
        return [int(c) if h else None for h, c in zip(hit.tolist(), codes.tolist(), strict=True)]

    def match(self, code: int) -> Match:
        """What a packed code means: entity, subject key (hex, or None when several people share it)."""
        person, field_code = code >> FIELD_BITS, code & ((1 << FIELD_BITS) - 1)
        if person == AMBIGUOUS:
            return Match(FIELD_ENTITY[field_code], None, None, FIELD_NAMES[field_code])
        subject = self._subjects[person * DIGEST_BYTES : (person + 1) * DIGEST_BYTES].hex()
        return Match(FIELD_ENTITY[field_code], subject, self._kinds[person], FIELD_NAMES[field_code])

    def lookup(self, folded: str) -> Match | None:
        """One folded value (a name form or an ID's digits) on the roster, or None."""
        (code,) = self.lookup_many(self.prefixes([folded]))
        return None if code is None else self.match(code)

    def subject_for(self, entity: str, value: str) -> str | None:
        """The subject key of a value another recognizer found (a spaCy PERSON, a SASID), if rostered."""
        folded = fold_name(value) if entity == "PERSON" else digits_only(value)
        if not folded:
            return None
        found = self.lookup(folded)
        if found is None or (entity == "PERSON") != (found.entity == "PERSON"):
            return None
        return found.subject


def default_path() -> Path:
    """Where the roster lives when ``[detect] roster_file`` is empty."""
    from dlp.config import data_home

    return data_home() / "roster.sqlite"


# ---------------------------------------------------------------------------------------------------
# The command.


def import_file(path: Path, kind: str, key: bytes, roster_path: Path) -> ImportSummary:
    """Read a roster file and replace ``kind``'s people in the roster with it.

    Raises:
        ConfigError: the file cannot be read, or it has no name column (the message names the columns).
    """
    if kind not in KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(KINDS)}")
    started = time.perf_counter()
    try:
        rows = read_table(path)
    except FileNotFoundError:
        raise ConfigError(f"roster file {path} does not exist") from None
    except (OSError, csv.Error) as exc:
        raise ConfigError(f"roster file {path.name} cannot be read ({type(exc).__name__})") from None
    people, summary = parse_roster(rows, kind, key, path.name)
    del rows  # the values are dropped as early as possible
    store_people(roster_path, key, kind, people, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def run(args: Any) -> int:
    """``dlp roster import FILE --kind student|employee``: import, print the summary, return 0.

    Raises:
        ConfigError: a bad file or setting (exit 2).
    """
    from dlp import config as config_mod
    from dlp.detect.values import load_or_create_key

    settings = config_mod.load(args.config)
    try:
        key = load_or_create_key(settings.store.key_path())
    except PermissionError as exc:
        raise ConfigError(str(exc)) from None
    roster_path = settings.detect.roster_path()
    summary = import_file(Path(args.file), args.kind, key, roster_path)
    for line in summary.lines():
        print(line)
    print(f"  roster file: {roster_path}")
    return 0

