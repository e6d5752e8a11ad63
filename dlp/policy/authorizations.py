"""Authorizations: the legal bases on which student or staff PI may go to a third party.

An authorization (CONTRACT.md sections 4 and 7) names its kind (a data privacy agreement, a contract, a
release, a consent, a subpoena, a court order, a law), the party, the recipients it covers (a domain
covers itself and its subdomains, an address matches exactly, case-insensitive), the data categories
it covers (CONTRACT.md section 6), the students it covers (none listed: any student) and its
inclusive ``effective`` .. ``expires`` dates.

They come from ``[[authorizations]]`` tables in the config and from the TOML file named by
``authorizations_file`` (the same tables). Student IDs are reduced to keyed hashes as soon as they are
loaded: in the config they are written as ``students = ["1234567890"]``; a file made by
``authorizations import`` carries ``student_hashes`` instead, so no raw ID is ever written by us.

A student ID hashes to the roster's digest of its digits (:func:`student_hash`), the same value the
roster keeps for a rostered student's SASID or local ID, so a student the check recognizes by name on
the roster is matched to the IDs an authorization lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlp.errors import ConfigError
from dlp.policy.categories import CATEGORIES
from dlp.roster import digest, digits_only, key_check

KINDS = ("dpa", "contract", "release", "consent", "subpoena", "court_order", "law")
_FIELDS = ("id", "kind", "party", "recipients", "data_categories", "students", "student_hashes", "effective",
           "expires")
_REQUIRED = ("id", "kind", "party", "recipients", "data_categories", "effective", "expires")
_HASH = re.compile(r"^[0-9a-f]{32}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


def student_hash(key: bytes, student_id: str) -> str:
    """The keyed hash of a student ID: the roster's digest (hex) of its digits, or of its folded text.

    Digits only, as the roster hashes IDs: SIS exports and e-mails write the same ID as ``S-204518``
    or ``204518``. An ID with no digit at all is hashed as its letters, upper-cased.
    """
    digits = digits_only(student_id)
    folded = digits if digits else re.sub(r"[^0-9A-Za-z]", "", student_id).upper()
    return digest(key, folded).hex()


@dataclass(frozen=True, slots=True)
class Student:
    """One distinct student of a transfer: every keyed hash that names them, and the one a disclosure logs.

    ``by_id``: found by a student ID or on the roster; false when only a full name in a student record
    names them, which no list of IDs can vouch for.
    """

    hashes: frozenset[str]
    log_key: str
    by_id: bool


@dataclass(frozen=True, slots=True)
class Authorization:
    """One legal basis for disclosing PI to a third party. ``students`` holds keyed hashes only."""

    id: str
    kind: str
    party: str
    recipients: tuple[str, ...]
    data_categories: frozenset[str]
    students: frozenset[str]
    effective: dt.date
    expires: dt.date

    def covers_recipient(self, address: str) -> bool:
        """Does a recipient address fall under this authorization (domain and subdomains, or exact)?"""
        address = address.strip().lower()
        domain = address.rpartition("@")[2]
        for entry in self.recipients:
            if "@" in entry:
                if address == entry:
                    return True
            elif domain == entry or domain.endswith("." + entry):
                return True
        return False

    def date_problem(self, today: dt.date) -> str | None:
        """Why the authorization does not count today (expired, not yet effective), or None."""
        if today > self.expires:
            return f"{self.id} expired on {self.expires.isoformat()}"
        if today < self.effective:
            return f"{self.id} is not effective until {self.effective.isoformat()}"
        return None

    def missing_categories(self, categories: Iterable[str], dob_only_demographics: bool = False) -> list[str]:
        """The categories sent that this authorization does not cover.

        A student's date of birth is covered by ``demographics`` or by ``date_of_birth`` (CONTRACT.md
        section 6); when the transfer's demographics are only that date of birth, either covers both.
        """
        covered = set(self.data_categories)
        if covered & {"date_of_birth", "demographics"}:
            covered.add("date_of_birth")
            if dob_only_demographics:
                covered.add("demographics")
        return sorted(set(categories) - covered)

    def uncovered_students(self, students: Iterable[frozenset[str]]) -> int:
        """How many of the students (each a set of hashes naming one student) this one does not list."""
        if not self.students:
            return 0
        return sum(1 for hashes in students if not hashes & self.students)


@dataclass(frozen=True, slots=True)
class Match:
    """Whether some authorization covers one transfer to one recipient, and if not, what each one lacks.

    ``problems`` holds, for every authorization naming the recipient, how far it is from covering the
    transfer (a rank: 3 for a date outside its term, else the number of things it lacks) and what it
    lacks, in the order the authorizations were checked. No authorization and no problem: none names the
    recipient at all.
    """

    authorization: Authorization | None
    problems: tuple[tuple[int, str], ...] = ()


def match(authorizations: Iterable[Authorization], address: str, categories: Iterable[str],
          students: Sequence[Student] | None, dob_only_demographics: bool, today: dt.date) -> Match:
    """The first authorization that covers this transfer to ``address`` today, every category and student.

    ``students`` is None when they cannot be known (a scan sees no student IDs to match): an authorization
    limited to listed students then covers nothing.
    """
    categories = tuple(categories)
    problems: list[tuple[int, str]] = []
    for auth in authorizations:
        if not auth.covers_recipient(address):
            continue
        dated = auth.date_problem(today)
        if dated:
            problems.append((3, dated))
            continue
        if students is None and auth.students:
            problems.append((1, f"{auth.id} covers listed students only, which a scan cannot match"))
            continue
        missing = auth.missing_categories(categories, dob_only_demographics)
        uncovered = auth.uncovered_students(s.hashes for s in students or ())
        if not missing and not uncovered:
            return Match(auth)
        bits = []
        if missing:
            bits.append(f"{auth.id} does not cover category {', '.join(missing)}")
        if uncovered and students is not None:
            by_name = sum(1 for s in students if not s.by_id)
            how = " (named without a student ID)" if by_name else ""
            bits.append(f"{auth.id} does not cover {uncovered} of the {len(students)} students{how}")
        problems.append((len(missing) + (1 if uncovered else 0), "; ".join(bits)))
    return Match(None, tuple(problems))


def parse_date(value: Any, where: str) -> dt.date:
    """A TOML date, or a string in ISO (2026-06-30) or US (6/30/2026) form."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return dt.datetime.strptime(text, "%m/%d/%Y").date()
        except ValueError:
            pass
    raise ConfigError(f"{where} must be a date such as 2026-06-30, not {value!r}")


def from_table(table: Mapping[str, Any], key: bytes, where: str) -> Authorization:
    """Check one ``[[authorizations]]`` table and build the authorization (student IDs hashed here).

    Raises:
        ConfigError: an unknown or missing field, or a wrong value; the message names the entry and field.
    """
    ident = table.get("id")
    label = f"{where} authorization {ident!r}" if isinstance(ident, str) and ident else f"{where} authorization"
    for name in table:
        if name not in _FIELDS:
            raise ConfigError(f"{label}: unknown field {name!r}; known fields: {', '.join(_FIELDS)}")
    for name in _REQUIRED:
        if name not in table:
            raise ConfigError(f"{label}: missing field {name!r}")
    for name in ("id", "kind", "party"):
        if not isinstance(table[name], str) or not table[name].strip():
            raise ConfigError(f"{label}: {name} must be a non-empty string")
    kind = table["kind"].strip().lower()
    if kind not in KINDS:
        raise ConfigError(f"{label}: kind = {table['kind']!r}; use one of {', '.join(KINDS)}")
    recipients = _strings(table["recipients"], f"{label}: recipients")
    if not recipients:
        raise ConfigError(f"{label}: recipients is empty; list the domains or addresses it covers")
    for entry in recipients:
        if not (_ADDRESS.match(entry) if "@" in entry else _DOMAIN.match(entry)):
            raise ConfigError(f"{label}: recipients entry {entry!r} is neither a domain nor an e-mail address")
    categories = _strings(table["data_categories"], f"{label}: data_categories")
    for category in categories:
        if category not in CATEGORIES:
            raise ConfigError(f"{label}: data_categories entry {category!r} is not a data category "
                              f"(CONTRACT.md section 6: {', '.join(CATEGORIES)})")
    hashes: set[str] = set()
    for student in _strings(table.get("students", []), f"{label}: students", lower=False):
        # Never echo the entry: it is a student ID.
        if not re.search(r"[0-9A-Za-z]", student):
            raise ConfigError(f"{label}: students holds an entry that is not a student ID")
        hashes.add(student_hash(key, student))
    for entry in _strings(table.get("student_hashes", []), f"{label}: student_hashes"):
        if not _HASH.match(entry):
            raise ConfigError(f"{label}: student_hashes entries must be 32 hex digits (made by authorizations import)")
        hashes.add(entry)
    effective = parse_date(table["effective"], f"{label}: effective")
    expires = parse_date(table["expires"], f"{label}: expires")
    if expires < effective:
        raise ConfigError(f"{label}: expires ({expires}) is before effective ({effective})")
    return Authorization(id=table["id"].strip(), kind=kind, party=table["party"].strip(), recipients=tuple(recipients),
                         data_categories=frozenset(categories), students=frozenset(hashes), effective=effective,
                         expires=expires)


def _strings(value: Any, where: str, *, lower: bool = True) -> list[str]:
    """A list of strings (a single string is split on ; and ,), stripped, empty entries dropped."""
    if isinstance(value, str):
        value = split_list(value)
    if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    out = [str(v).strip() for v in value if str(v).strip()]
    return [v.lower() for v in out] if lower else out


def split_list(cell: str) -> list[str]:
    """A spreadsheet cell holding a list: entries separated by ``;`` or ``,``."""
    return [p.strip() for p in re.split(r"[;,]", cell) if p.strip()]


def load_all(settings: Any, key: bytes) -> tuple[Authorization, ...]:
    """Every authorization of the config and of its ``authorizations_file``, checked.

    Raises:
        ConfigError: a bad entry, a duplicate id, or a file that is missing, not TOML, or hashed
            under another key.
    """
    origin = settings.path or "<config>"
    found = [from_table(t, key, origin) for t in settings.authorizations]
    if settings.authorizations_file:
        path = Path(settings.authorizations_file).expanduser()
        if not path.is_absolute() and settings.path and settings.path != "<config>":
            # A relative path is read next to the config file, as people write it.
            path = Path(settings.path).parent / path
        found.extend(load_file(path, key))
    seen: set[str] = set()
    for auth in found:
        if auth.id in seen:
            raise ConfigError(f"{origin}: authorization id {auth.id!r} is defined twice")
        seen.add(auth.id)
    return tuple(found)


def load_file(path: Path, key: bytes) -> list[Authorization]:
    """The authorizations of a TOML file of ``[[authorizations]]`` tables."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"authorizations_file {path} does not exist") from None
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"authorizations_file {path} cannot be read ({type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"authorizations_file {path} is not valid TOML: {exc}") from None
    for name in raw:
        if name not in ("authorizations", "key_check"):
            raise ConfigError(f"{path}: unknown key {name!r}; the file holds [[authorizations]] tables")
    tables = raw.get("authorizations", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{path}: authorizations must be an array of tables ([[authorizations]])")
    tag = raw.get("key_check")
    if tag is not None and tag != key_check(key) and any(t.get("student_hashes") for t in tables):
        raise ConfigError(f"{path}: its student_hashes were made under another key; import the spreadsheet again")
    return [from_table(t, key, str(path)) for t in tables]


# ---------------------------------------------------------------------------------------------------
# ``authorizations import FILE.csv``: the office's spreadsheet to a TOML file with hashed student IDs.

_COLUMNS = ("id", "kind", "party", "recipients", "data_categories", "students", "effective", "expires")


@dataclass(frozen=True)
class ImportSummary:
    """What an import read and wrote (counts only: no student ID)."""

    rows: int
    authorizations: tuple[Authorization, ...]
    students: int
    output: Path

    def lines(self) -> list[str]:
        """The summary printed by the command."""
        out = [f"imported {len(self.authorizations)} authorizations from {self.rows} rows into {self.output}"]
        for a in self.authorizations:
            who = f"{len(a.students)} students" if a.students else "any student"
            out.append(f"  {a.id}: {a.kind}, {a.party}, {len(a.recipients)} recipients, "
                       f"{len(a.data_categories)} categories, {who}, {a.effective} to {a.expires}")
        out.append(f"  student IDs hashed: {self.students} (no raw ID was written)")
        return out


def import_csv(source: Path, output: Path, key: bytes) -> ImportSummary:
    """Convert the spreadsheet to a TOML authorizations file; every row is checked before writing.

    Raises:
        ConfigError: the file is missing or unreadable, lacks a column, or a row is wrong (named by its
            line and field); nothing is written then.
    """
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"authorizations file {source} does not exist") from None
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"authorizations file {source.name} cannot be read ({type(exc).__name__})") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise ConfigError(f"{source.name}: the file is empty")
    header = [re.sub(r"[^a-z_]", "", c.strip().lower().replace(" ", "_")) for c in rows[0]]
    missing = [c for c in _COLUMNS if c not in header and c != "students"]
    if missing:
        raise ConfigError(f"{source.name}: missing column(s) {', '.join(missing)}; "
                          f"the columns are {', '.join(_COLUMNS)}")
    index = {name: header.index(name) for name in _COLUMNS if name in header}
    auths: list[Authorization] = []
    for line, row in enumerate(rows[1:], start=2):
        table: dict[str, Any] = {}
        for name, i in index.items():
            cell = row[i].strip() if i < len(row) else ""
            table[name] = split_list(cell) if name in ("recipients", "data_categories", "students") else cell
        auths.append(from_table(table, key, f"{source.name} line {line}:"))
    ids = [a.id for a in auths]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"{source.name}: authorization id(s) defined twice: {', '.join(duplicates)}")
    write_toml(output, auths, key)
    return ImportSummary(rows=len(rows) - 1, authorizations=tuple(auths),
                         students=sum(len(a.students) for a in auths), output=output)


def write_toml(path: Path, auths: Sequence[Authorization], key: bytes) -> None:
    """Write authorizations as TOML with ``student_hashes`` (never IDs), created 0600 like the store."""
    lines = ["# Made by `dlp authorizations import`; student IDs are keyed hashes (the district key).",
             f"key_check = {_toml(key_check(key))}", ""]
    for a in auths:
        lines += [
            "[[authorizations]]",
            f"id = {_toml(a.id)}",
            f"kind = {_toml(a.kind)}",
            f"party = {_toml(a.party)}",
            f"recipients = [{', '.join(_toml(r) for r in a.recipients)}]",
            f"data_categories = [{', '.join(_toml(c) for c in sorted(a.data_categories))}]",
            f"student_hashes = [{', '.join(_toml(s) for s in sorted(a.students))}]",
            f"effective = {a.effective.isoformat()}",
            f"expires = {a.expires.isoformat()}",
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.replace(tmp, path)


def _toml(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes; \uXXXX for control characters).
    return json.dumps(value, ensure_ascii=False)
