"""Synthetic district people and documents, for tests, the example share and the benchmark corpus.

Everything here is invented: the names come from short lists of common given names and surnames, and every
number is drawn at random so that it is *valid in format* (an SSN that passes the SSA rules, an ABA routing
number with a correct checksum, a card number that passes Luhn) without being anyone's. Phone numbers stay
in the fictional 555-01xx range and e-mail addresses under ``example.org`` (the district) and
``example.com`` (parents, vendors, personal mail).

One :class:`Synth` holds one ``random.Random(seed)``; the same seed and the same sequence of calls give the
same people and byte-identical documents (timestamps inside .docx/.xlsx/.zip/.eml are fixed).

Each document is returned as a :class:`Doc`: its bytes plus a :class:`Tally` of what was planted in it, by
canonical entity name (``US_SSN``, ``MA_SASID`` ...). ``Tally.label()`` gives counts only; the raw values
are kept in memory (``Tally.values``) so that tests can check that no label file ever contains them.

Counting rules for labels: one count per *occurrence* rendered in the document (a roster row with a name,
a SASID and a date of birth adds one ``PERSON``, one ``MA_SASID`` and one ``DATE_OF_BIRTH``). ``PERSON``
counts full names (first + last, in any order or split over two columns). ``subjects`` is the number of
distinct people with at least one planted entity. ``classifications`` is the expected class of the item
(contract section 3), a best estimate from how the document was built. ``decoys`` counts look-alikes that
must *not* be reported (void SSNs, public test card numbers, serial numbers without context).

python-docx and openpyxl are imported only when a .docx or .xlsx is rendered.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import struct
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

# --------------------------------------------------------------------------------------------- vocab

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret",
    "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
    "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie",
    "George", "Rebecca", "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Dorothy",
    "Jacob", "Amy", "Nicholas", "Kathleen", "Gary", "Angela", "Eric", "Shirley", "Jonathan", "Emma",
    "Stephen", "Brenda", "Larry", "Pamela", "Justin", "Nicole", "Scott", "Anna", "Brandon", "Samantha",
    "Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Debra", "Alexander", "Rachel", "Patrick",
    "Carolyn", "Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia", "Dennis", "Heather", "Jerry", "Helen",
    "Tyler", "Sofia", "Aaron", "Isabella", "Jose", "Mia", "Adam", "Ava", "Nathan", "Chloe", "Luis", "Priya",
    "Wei", "Aisha", "Mateo", "Fatima", "Diego", "Mei", "Omar", "Ana",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
    "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
    "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
    "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
    "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Sullivan", "Fitzgerald", "Doherty", "Callahan", "Pereira", "Silva", "Tran", "Chen", "Okafor", "Haddad",
)

SCHOOLS: tuple[str, ...] = (
    "Maple Street Elementary", "Harbor View Middle", "Riverside High", "Oak Hill Elementary",
    "Cedar Park K-8", "Northfield Elementary", "Westbrook Middle", "Quarry Road Elementary",
)

_SCHOOLS_BY_LEVEL: tuple[tuple[str, ...], ...] = (
    tuple(s for s in SCHOOLS if "Elementary" in s or "K-8" in s),
    tuple(s for s in SCHOOLS if "Middle" in s or "K-8" in s),
    tuple(s for s in SCHOOLS if "High" in s),
)

AREA_CODES: tuple[str, ...] = ("617", "508", "781", "978", "413", "774", "339", "857")

# Public test card numbers (payment processors' documentation) and other famous numbers: never generated.
TEST_CARDS: frozenset[str] = frozenset({
    "4111111111111111", "4242424242424242", "4012888888881881", "4222222222222", "4000056655665556",
    "4012888888881", "4000000000000002", "4000000000000077", "4000000000000093",
    "5555555555554444", "5105105105105100", "5200828282828210", "2223003122003222", "5454545454545454",
    "378282246310005", "371449635398431", "378734493671000", "340000000000009",
    "6011111111111117", "6011000990139424", "6011000000000004", "6011000400000000",
    "3566002020360505", "3530111333300000", "30569309025904", "38520000023237", "36227206271667",
})
VOID_SSNS: frozenset[str] = frozenset({"078051120", "219099999", "123456789"})
KNOWN_ROUTING: frozenset[str] = frozenset({
    "011000015", "021000021", "011000028", "026009593", "121000358", "111000025", "122105278", "011401533",
})

# fmt: on

FIXED_ZIP_TIME = (2025, 1, 6, 8, 0, 0)

# --------------------------------------------------------------------------------------------- validators


def ssn_ok(value: str) -> bool:
    """True if ``value`` (with or without dashes/spaces) is a well-formed SSN that is not a known void one."""
    digits = re.sub(r"[- ]", "", value)
    if not re.fullmatch(r"\d{9}", digits) or digits in VOID_SSNS:
        return False
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return 0 < area < 900 and area != 666 and group != 0 and serial != 0


def aba_ok(value: str) -> bool:
    """True if ``value`` is nine digits with a valid ABA prefix and 3-7-1 checksum."""
    if not re.fullmatch(r"\d{9}", value):
        return False
    prefix = int(value[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    d = [int(c) for c in value]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def luhn_ok(value: str) -> bool:
    """True if the digits of ``value`` pass the Luhn mod-10 check."""
    digits = [int(c) for c in re.sub(r"[- ]", "", value)]
    if not digits:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _luhn_check_digit(partial: str) -> str:
    for c in "0123456789":
        if luhn_ok(partial + c):
            return c
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------------------------- model


def labels_json(header: dict[str, Any], items: dict[str, dict[str, Any]]) -> str:
    """A labels file: the header keys, then ``"items"`` with one item per line (diff- and grep-friendly)."""
    head = json.dumps(header, indent=1)[:-2]  # drop the closing "\n}"
    lines = [f" {json.dumps(path)}: {json.dumps(label, sort_keys=True)}" for path, label in items.items()]
    sep = "," if header else ""
    return head + sep + '\n "items": {\n' + ",\n".join(lines) + "\n }\n}\n"


@dataclass
class Tally:
    """What one item (a file, an attachment, an archive member) had planted in it."""

    counts: Counter[str] = field(default_factory=Counter)
    values: set[str] = field(default_factory=set)  # raw values: in memory only, for tests
    subjects: set[str] = field(default_factory=set)
    classifications: set[str] = field(default_factory=set)
    decoys: Counter[str] = field(default_factory=Counter)

    def put(self, entity: str, value: str, subject: str | None = None) -> str:
        """Record one planted occurrence of ``value`` and return it (for use inside f-strings)."""
        self.counts[entity] += 1
        self.values.add(value)
        if subject is not None:
            self.subjects.add(subject)
        return value

    def decoy(self, entity: str, value: str) -> str:
        """Record a look-alike of ``entity`` that a correct scanner must not report; return it."""
        self.decoys[entity] += 1
        return value

    def label(self) -> dict[str, Any]:
        """The value-free label: counts per entity, distinct subjects, expected classes, decoys."""
        out: dict[str, Any] = {
            "entities": dict(sorted(self.counts.items())),
            "subjects": len(self.subjects),
            "classifications": sorted(self.classifications),
        }
        if self.decoys:
            out["decoys"] = dict(sorted(self.decoys.items()))
        return out


@dataclass
class Doc:
    """A rendered document: a suggested file name, its bytes, what kind it is, and what it holds.

    ``members`` lists the items inside the file that a scanner examines on their own (e-mail attachments,
    archive members); their bytes are already part of ``data`` and their ``name`` is the member path.
    """

    name: str
    data: bytes
    kind: str
    tally: Tally
    members: list[Doc] = field(default_factory=list)
    school: str = ""  # the school it belongs to, where there is one (for placing it in a share)

    def labels(self, path: str) -> dict[str, dict[str, Any]]:
        """Labels of this item and its members, keyed like scan URIs (``a.zip!/roster.csv``)."""
        out = {path: {"kind": self.kind, **self.tally.label()}}
        for m in self.members:
            out.update(m.labels(f"{path}!/{m.name}"))
        return out

    def all_values(self) -> set[str]:
        """Every raw value planted in this item and its members (for tests only)."""
        vals = set(self.tally.values)
        for m in self.members:
            vals |= m.all_values()
        return vals


@dataclass
class Person:
    """An invented person: a student, a staff member or a parent/guardian."""

    key: str
    first: str
    last: str
    role: str
    dob: dt.date
    email: str
    phone: str
    grade: str = ""
    school: str = ""
    title: str = ""
    _ids: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first} {self.last}"


# --------------------------------------------------------------------------------------------- prose

_SUBJ = (
    "The district",
    "Our building leadership team",
    "The curriculum committee",
    "The school council",
    "Grade-level teams",
    "The transportation office",
    "Central office staff",
    "The wellness committee",
    "The technology department",
    "Each school",
    "The family engagement office",
    "The math department",
    "The facilities team",
    "The superintendent's cabinet",
    "The literacy coaches",
    "The guidance department",
)
_VERB = (
    "reviewed",
    "will continue to monitor",
    "prioritized",
    "discussed",
    "approved",
    "started expanding",
    "evaluated",
    "set new targets for",
    "completed a survey of",
    "proposed changes to",
    "will report on",
    "shared updated guidance on",
    "identified gaps in",
    "invested in",
    "scheduled a review of",
)
_OBJ = (
    "the literacy intervention schedule",
    "attendance trends for the fall term",
    "the new science units",
    "professional development for new teachers",
    "the building maintenance plan",
    "family conference times",
    "after-school tutoring",
    "the bus route timing",
    "classroom technology refresh",
    "the recess schedule",
    "the winter concert logistics",
    "state assessment preparation",
    "the library collection",
    "cafeteria seating",
    "the inclusion model",
    "summer programming",
    "the field trip approval process",
    "the elementary report card",
    "dual-language enrollment",
    "school safety drills",
)
_TAIL = (
    "before the winter break.",
    "in collaboration with building principals.",
    "as outlined in the plan.",
    "with input from families.",
    "over the next two terms.",
    "at the next committee meeting.",
    "using the results of the spring survey.",
    "within the approved budget.",
    "for all grade levels.",
    "and will share an update in March.",
    "starting next school year.",
    "after a pilot at two schools.",
)
_NUMERIC = (
    "Enrollment this fall reached {n1:,} students across {n2} schools.",
    "Average daily attendance was {p1}.{p2} percent, up from last year.",
    "The fiscal year budget line for supplies is ${n1:,}.",
    "{n2} new staff members joined the district in August.",
    "Room {n3} will be used for make-up testing on Thursday.",
    "The bus fleet logged {n1:,} miles in October.",
    "The library circulated {n1:,} books during the first term.",
)


_ALLERGIES = ("peanuts", "tree nuts", "bee stings", "latex", "shellfish")
_DIAGNOSES = ("asthma", "type 1 diabetes", "ADHD", "seizure disorder")
_MEDICATIONS = ("albuterol inhaler", "methylphenidate 10 mg", "insulin per plan", "cetirizine 5 mg")


def _sentence(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(_NUMERIC).format(
            n1=rng.randint(1200, 98000),
            n2=rng.randint(3, 60),
            n3=rng.randint(100, 340),
            p1=rng.randint(88, 97),
            p2=rng.randint(0, 9),
        )
    return f"{rng.choice(_SUBJ)} {rng.choice(_VERB)} {rng.choice(_OBJ)} {rng.choice(_TAIL)}"


def _paragraph(rng: random.Random, lo: int = 3, hi: int = 7) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(lo, hi)))


# --------------------------------------------------------------------------------------------- rendering


def _fix_zip(data: bytes) -> bytes:
    """Set every timestamp of a zip (an OOXML package) to a fixed time, in place, so output is reproducible.

    Only the 2-byte DOS time and date fields of the local and central headers change; the compressed
    members are left as they are.
    """
    y, mo, d, h, mi, sec = FIXED_ZIP_TIME
    dos_time, dos_date = (h << 11) | (mi << 5) | (sec // 2), ((y - 1980) << 9) | (mo << 5) | d
    buf = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    for info in infos:
        struct.pack_into("<HH", buf, info.header_offset + 10, dos_time, dos_date)
    pos = zf.start_dir
    for _ in infos:
        if buf[pos : pos + 4] != b"PK\x01\x02":
            raise ValueError("unexpected zip central directory layout")
        struct.pack_into("<HH", buf, pos + 12, dos_time, dos_date)
        n, m, k = struct.unpack_from("<HHH", buf, pos + 28)
        pos += 46 + n + m + k
    return bytes(buf)


def render_docx(title: str, blocks: list[str | list[list[str]]]) -> bytes:
    """A .docx: a heading, then paragraphs (str; ``## `` makes a sub-heading) and tables (lists of rows)."""
    import docx  # lazy: only when a .docx is asked for

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = "Example Public Schools"
    d.core_properties.comments = ""
    d.core_properties.created = d.core_properties.modified = dt.datetime(*FIXED_ZIP_TIME)
    d.add_heading(title, level=1)
    h2 = d.styles["Heading 2"].style_id
    for block in blocks:
        if isinstance(block, str):
            # Plain runs go straight into <w:t>: python-docx's text setter scans every character.
            if block.startswith("## "):
                para = d.add_paragraph()
                para._p.style = h2
                para.add_run()._r.add_t(block[3:])
            elif "\n" in block or "\t" in block:
                d.add_paragraph(block)
            else:
                d.add_paragraph().add_run()._r.add_t(block)
        else:
            table = d.add_table(rows=0, cols=len(block[0]))
            for row in block:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=False):
                    cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    return _fix_zip(buf.getvalue())


def render_xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An .xlsx with one sheet per entry; rows are written as given (first row = header)."""
    import openpyxl  # lazy
    from openpyxl.writer.excel import ExcelWriter

    wb = openpyxl.Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    fixed = dt.datetime(*FIXED_ZIP_TIME)
    wb.properties.creator = "Example Public Schools"
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    # Workbook.save() would stamp "modified" with the current time; the writer itself does not.
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return _fix_zip(buf.getvalue())


def render_csv(rows: list[list[str]]) -> bytes:
    """CSV bytes (UTF-8, CRLF) of ``rows``."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def render_text(blocks: list[str | list[list[str]]]) -> str:
    """Plain text of paragraphs and tables (tables as tab-aligned lines)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            parts.append(block[3:].upper() if block.startswith("## ") else block)
        else:
            parts.append("\n".join("\t".join(row) for row in block))
    return "\n\n".join(parts) + "\n"


def render_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip archive of ``(path, bytes)`` members with fixed timestamps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, blob in members:
            out.writestr(zipfile.ZipInfo(name, FIXED_ZIP_TIME), blob, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------- generator


ROSTER_EXTRA_COLUMNS = ("Local ID", "Homeroom", "Guardian Phone", "Guardian Email", "Program")


class Synth:
    """A seeded source of invented people, identifiers and district documents."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self._used: dict[str, set[str]] = {}
        self._people = 0

    # ---- identifiers -----------------------------------------------------------------------------

    def _unique(self, kind: str, make: Callable[[], str]) -> str:
        used = self._used.setdefault(kind, set())
        while True:
            value = make()
            if value not in used:
                used.add(value)
                return value

    def ssn(self) -> str:
        """A new SSN ``AAA-GG-SSSS``: area 001-665 or 667-899, group 01-99, serial 0001-9999, not void."""
        r = self.rng

        def make() -> str:
            while True:
                area = r.randint(1, 898)
                area = area + 1 if area >= 666 else area
                digits = f"{area:03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"
                if digits not in VOID_SSNS:
                    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"

        return self._unique("ssn", make)

    def ma_license(self) -> str:
        """A Massachusetts driver's license number: ``S`` followed by 8 digits."""
        return self._unique("lic", lambda: f"S{self.rng.randint(10_000_000, 99_999_999)}")

    def sasid(self) -> str:
        """A Massachusetts state student ID (SASID): 10 digits starting with 1."""
        return self._unique("sasid", lambda: f"1{self.rng.randint(0, 999_999_999):09d}")

    def local_student_id(self) -> str:
        """A district-local student number (LASID): 6 digits starting with 2."""
        return self._unique("lasid", lambda: f"2{self.rng.randint(0, 99_999):05d}")

    def employee_id(self) -> str:
        """A district employee number: ``E`` followed by 5 digits."""
        return self._unique("emp", lambda: f"E{self.rng.randint(10_000, 99_999)}")

    def mepid(self) -> str:
        """A Massachusetts educator ID (MEPID): 8 digits."""
        return self._unique("mepid", lambda: f"{self.rng.randint(10_000_000, 99_999_999)}")

    def masshealth_id(self) -> str:
        """A MassHealth member ID: 12 digits starting with 1."""
        return self._unique("mh", lambda: f"1{self.rng.randint(0, 10**11 - 1):011d}")

    def routing_number(self) -> str:
        """An ABA routing number with a valid Federal Reserve prefix and 3-7-1 checksum."""
        r = self.rng

        def make() -> str:
            while True:
                prefix = r.choice((1, 1, 1, 2, 11, 21, 21, 22, 26, 31, 61, 62, 71, 72))
                body = f"{prefix:02d}{r.randint(0, 999_999):06d}"
                d = [int(c) for c in body]
                s = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
                value = body + str((10 - s % 10) % 10)
                if value not in KNOWN_ROUTING:
                    return value

        return self._unique("aba", make)

    def bank_account(self) -> str:
        """A bank account number of 8 to 12 digits."""
        return self._unique("acct", lambda: str(self.rng.randint(10**7, 10 ** self.rng.randint(8, 12) - 1)))

    def card_number(self) -> str:
        """A Luhn-valid card number (Visa, Mastercard, Amex or Discover) that is not a public test number."""
        r = self.rng

        def make() -> str:
            while True:
                brand = r.random()
                if brand < 0.5:
                    head, length = "4", 16
                elif brand < 0.8:
                    head, length = str(r.randint(51, 55)), 16
                elif brand < 0.92:
                    head, length = r.choice(("34", "37")), 15
                else:
                    head, length = "6011", 16
                partial = head + "".join(str(r.randint(0, 9)) for _ in range(length - len(head) - 1))
                value = partial + _luhn_check_digit(partial)
                if value not in TEST_CARDS and len(set(value[len(head) :])) > 3:
                    return value

        return self._unique("card", make)

    def phone(self) -> str:
        """A fictional phone number in the 555-0100..0199 range."""
        return f"({self.rng.choice(AREA_CODES)}) 555-01{self.rng.randint(0, 99):02d}"

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        """A day between ``start`` and ``end`` inclusive."""
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def school_day(self) -> dt.date:
        """A weekday in the 2023-2025 school years."""
        while True:
            d = self.date_between(dt.date(2023, 9, 1), dt.date(2025, 6, 20))
            if d.weekday() < 5:
                return d

    # ---- people ----------------------------------------------------------------------------------

    def _person(self, role: str, dob: dt.date, domain: str) -> Person:
        self._people += 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = self._email(f"{first}.{last}".lower(), domain)
        return Person(f"p{self._people}", first, last, role, dob, email, self.phone())

    def _email(self, local: str, domain: str) -> str:
        used = self._used.setdefault("email", set())
        addr = f"{local}@{domain}"
        while addr in used:
            addr = f"{local}{self.rng.randint(2, 999)}@{domain}"
        used.add(addr)
        return addr

    def student(self, grade: int | None = None, school: str | None = None) -> Person:
        """A student (grade K-12) with a SASID and a local ID."""
        g = self.rng.randint(0, 12) if grade is None else grade
        year = 2019 - g
        p = self._person(
            "student",
            self.date_between(dt.date(year - 1, 9, 1), dt.date(year, 8, 31)),
            "students.example.org",
        )
        p.grade = "K" if g == 0 else str(g)
        p.school = school or self.rng.choice(_SCHOOLS_BY_LEVEL[0 if g <= 5 else 1 if g <= 8 else 2])
        p._ids = {"sasid": self.sasid(), "lasid": self.local_student_id()}
        return p

    def staff(self, title: str | None = None) -> Person:
        """A staff member with an employee ID, an SSN, a license, a MEPID and a bank account."""
        p = self._person("staff", self.date_between(dt.date(1958, 1, 1), dt.date(2001, 12, 31)), "example.org")
        p.title = title or self.rng.choice(
            (
                "Teacher",
                "Teacher",
                "Teacher",
                "Paraprofessional",
                "Custodian",
                "School Nurse",
                "Counselor",
                "Principal",
                "Secretary",
                "Bus Monitor",
                "Librarian",
                "Speech-Language Pathologist",
            )
        )
        p.school = self.rng.choice(SCHOOLS)
        p._ids = {
            "emp": self.employee_id(),
            "ssn": self.ssn(),
            "lic": self.ma_license(),
            "mepid": self.mepid(),
            "aba": self.routing_number(),
            "acct": self.bank_account(),
        }
        return p

    def parent_of(self, child: Person) -> Person:
        """A parent or guardian of ``child``, usually sharing the last name, with personal e-mail."""
        p = self._person("parent", self.date_between(dt.date(1970, 1, 1), dt.date(1995, 12, 31)), "example.com")
        if self.rng.random() < 0.75:
            p.last = child.last
            p.email = self._email(f"{p.first}.{p.last}".lower(), "example.com")
        return p

    # ---- small helpers ---------------------------------------------------------------------------

    def _dob_style(self) -> str:
        return "%m/%d/%Y" if self.rng.random() < 0.7 else "%Y-%m-%d"

    def _fmt_dob(self, d: dt.date, style: str | None = None) -> str:
        return d.strftime(style or self._dob_style())

    def _name(self, t: Tally, p: Person, style: str = "first last") -> str:
        t.put("PERSON", p.name, p.key)
        return f"{p.last}, {p.first}" if style == "last, first" else p.name

    def _fmt_ssn(self, ssn: str) -> str:
        x = self.rng.random()
        return ssn.replace("-", "") if x < 0.1 else ssn.replace("-", " ") if x < 0.15 else ssn

    # ---- documents -------------------------------------------------------------------------------

    def staff_memo(self, fmt: str = "txt", identifier: str | None = "random") -> Doc:
        """A memo in prose; sometimes one SSN, license, account or card number in a sentence by a name.

        ``identifier`` is ``"ssn"``, ``"license"``, ``"bank"`` or ``"card"`` to plant that one, ``None`` for
        none, or ``"random"`` (about a third of memos get one).
        """
        r, t = self.rng, Tally()
        sender, subject_person = self.staff("Principal"), self.staff()
        day = self.school_day()
        if identifier not in (None, "random", "ssn", "license", "bank", "card"):
            raise ValueError(f"unknown identifier kind {identifier!r}")
        if identifier == "random":
            identifier = None
            if r.random() < 0.35:
                x = r.random()
                identifier = "ssn" if x < 0.45 else "license" if x < 0.75 else "bank" if x < 0.9 else "card"
        topic = {
            "ssn": "Payroll corrections",
            "license": "Field trip logistics",
            "bank": "Direct deposit changes",
            "card": "Reimbursement request",
        }.get(identifier or "") or r.choice(
            ("Staffing update", "Building update", "Professional development", "Substitute coverage")
        )
        blocks: list[str | list[list[str]]] = [
            f"MEMORANDUM\nTo: All staff, {sender.school}\nFrom: {self._name(t, sender)}, {sender.title}\n"
            f"Date: {day:%B %d, %Y}\nRe: {topic}",
            _paragraph(r),
        ]
        if identifier is None:
            sentence = f"{self._name(t, subject_person)} will join the planning group for {r.choice(_OBJ)}."
        else:
            t.classifications |= {"MA_PI", "EMPLOYEE_PII"}
            name = subject_person.name
            t.put("PERSON", name, subject_person.key)
            ids = subject_person._ids
            if identifier == "ssn":
                ssn = t.put("US_SSN", self._fmt_ssn(ids["ssn"]), subject_person.key)
                sentence = r.choice(
                    (
                        f"Please correct the W-4 on file for {name}; the Social Security number should read {ssn}.",
                        f"{name} (SSN {ssn}) joins the substitute payroll on {day:%m/%d/%Y}.",
                        f"HR confirmed that the social security number for {name} is {ssn}, not the one on "
                        "the application.",
                    )
                )
            elif identifier == "license":
                lic = t.put("US_DRIVER_LICENSE", ids["lic"], subject_person.key)
                sentence = r.choice(
                    (
                        f"{name} will drive the van for the trip; Massachusetts driver's license {lic} was "
                        "checked with the RMV.",
                        f"For the CORI packet, {name} listed driver's license number {lic}.",
                    )
                )
            elif identifier == "bank":
                sentence = (
                    f"Direct deposit for {name} should go to checking account "
                    f"{t.put('US_BANK_NUMBER', ids['acct'], subject_person.key)} at routing number "
                    f"{t.put('ABA_ROUTING_NUMBER', ids['aba'], subject_person.key)} from the next pay date."
                )
            else:
                card = self.card_number()
                shown = " ".join(card[i : i + 4] for i in range(0, len(card), 4)) if r.random() < 0.5 else card
                sentence = (
                    f"The conference registration for {name} was charged to the card "
                    f"{t.put('CREDIT_CARD', shown, subject_person.key)}, expiring {r.randint(1, 12):02d}/"
                    f"{r.randint(26, 30)}; please reconcile it with the purchasing office."
                )
        blocks += [sentence, _paragraph(r)]
        if r.random() < 0.5:
            blocks.append(
                f"Questions: {self._name(t, sender)}, {t.put('PHONE_NUMBER', sender.phone, sender.key)}, "
                f"{t.put('EMAIL_ADDRESS', sender.email, sender.key)}"
            )
        stem = f"memo_{topic.lower().replace(' ', '_')}_{day:%Y-%m-%d}"
        if fmt == "docx":
            return Doc(stem + ".docx", render_docx(topic, blocks), "memo", t)
        return Doc(stem + ".txt", self._encode(render_text(blocks)), "memo", t)

    def _encode(self, text: str, encoding: str = "utf-8") -> bytes:
        if encoding == "utf-16":
            return text.encode("utf-16")  # with BOM
        return text.encode(encoding)

    def roster(
        self,
        fmt: str = "csv",
        rows: int | None = None,
        school: str | None = None,
        grade: int | None = None,
        extra: tuple[str, ...] | None = None,
    ) -> Doc:
        """A class roster: Last Name, First Name, SASID, DOB, Grade and some optional columns.

        ``extra`` picks from ``ROSTER_EXTRA_COLUMNS``; by default each is included with probability 0.45.
        """
        r, t = self.rng, Tally()
        n = rows if rows is not None else r.randint(16, 30)
        g = r.randint(0, 12) if grade is None else grade
        school = school or r.choice(_SCHOOLS_BY_LEVEL[0 if g <= 5 else 1 if g <= 8 else 2])
        if extra is None:
            extra = tuple(c for c in ROSTER_EXTRA_COLUMNS if r.random() < 0.45)
        dob_style = self._dob_style()
        header = ["Last Name", "First Name", "SASID", "DOB", "Grade", *extra]
        table: list[list[str]] = [header]
        sensitive = False
        for _ in range(n):
            s = self.student(g, school)
            row = [
                s.last,
                s.first,
                t.put("MA_SASID", s._ids["sasid"], s.key),
                t.put("DATE_OF_BIRTH", self._fmt_dob(s.dob, dob_style), s.key),
                s.grade,
            ]
            t.put("PERSON", s.name, s.key)
            for col in extra:
                if col == "Local ID":
                    row.append(t.put("STUDENT_ID", s._ids["lasid"], s.key))
                elif col == "Homeroom":
                    row.append(f"{r.randint(100, 340)}")
                elif col == "Guardian Phone":
                    row.append(t.put("PHONE_NUMBER", s.phone, s.key))
                elif col == "Guardian Email":
                    parent = self.parent_of(s)
                    row.append(t.put("EMAIL_ADDRESS", parent.email, s.key))
                else:
                    prog = r.choice(("", "", "", "", "IEP", "504", "EL", "Free Lunch"))
                    sensitive |= prog in ("IEP", "504", "Free Lunch")
                    row.append(prog)
            table.append(row)
        t.classifications.add("STUDENT_PII")
        if sensitive:
            t.classifications.add("STUDENT_SENSITIVE")
        grade_name = "k" if g == 0 else str(g)
        stem = f"roster_grade{grade_name}_{r.choice(('fall', 'spring'))}{r.randint(2023, 2025)}"
        if fmt == "xlsx":
            return Doc(stem + ".xlsx", render_xlsx({"Roster": table}), "roster", t, school=school)
        return Doc(stem + ".csv", render_csv(table), "roster", t, school=school)

    def payroll(self, fmt: str = "csv", rows: int | None = None) -> Doc:
        """A payroll export: employee names, SSN, bank routing and account numbers."""
        r, t = self.rng, Tally()
        n = rows if rows is not None else r.randint(8, 60)
        with_mepid = r.random() < 0.5
        header = [
            "Employee ID",
            "Last Name",
            "First Name",
            "SSN",
            *(["MEPID"] if with_mepid else []),
            "Position",
            "Routing Number",
            "Account Number",
            "Account Type",
            "Net Pay",
        ]
        table: list[list[Any]] = [header]
        for _ in range(n):
            p = self.staff()
            ids = p._ids
            t.put("PERSON", p.name, p.key)
            row: list[Any] = [
                t.put("EMPLOYEE_ID", ids["emp"], p.key),
                p.last,
                p.first,
                t.put("US_SSN", self._fmt_ssn(ids["ssn"]) if fmt == "csv" else ids["ssn"], p.key),
            ]
            if with_mepid:
                row.append(
                    t.put("MA_MEPID", ids["mepid"], p.key)
                    if p.title in ("Teacher", "Principal", "Counselor", "Librarian", "Speech-Language Pathologist")
                    else ""
                )
            row += [
                p.title,
                t.put("ABA_ROUTING_NUMBER", ids["aba"], p.key),
                t.put("US_BANK_NUMBER", ids["acct"], p.key),
                r.choice(("Checking", "Savings")),
                f"{r.uniform(900, 4200):.2f}",
            ]
            table.append(row)
        t.classifications |= {"MA_PI", "EMPLOYEE_PII"}
        run = r.choice(("biweekly", "stipends", "summer"))
        stem = f"payroll_{r.randint(2023, 2025)}-{r.randint(1, 12):02d}_{run}"
        if fmt == "xlsx":
            return Doc(stem + ".xlsx", render_xlsx({"Direct Deposit": table}), "payroll", t)
        return Doc(stem + ".csv", render_csv([[str(c) for c in row] for row in table]), "payroll", t)

    def iep_note(self, fmt: str = "txt") -> Doc:
        """A special-education progress note: student identifiers with IEP vocabulary."""
        r, t = self.rng, Tally()
        s, case_mgr = self.student(), self.staff("Special Education Teacher")
        parent = self.parent_of(s)
        day = self.school_day()
        disability = r.choice(
            (
                "Specific Learning Disability",
                "Autism",
                "Communication",
                "Health (ADHD)",
                "Emotional",
                "Developmental Delay",
                "Neurological",
                "Sensory/Hearing",
            )
        )
        blocks: list[str | list[list[str]]] = [
            f"Student: {self._name(t, s)}\nSASID: {t.put('MA_SASID', s._ids['sasid'], s.key)}\n"
            f"Date of Birth: {t.put('DATE_OF_BIRTH', self._fmt_dob(s.dob), s.key)}\n"
            f"School: {s.school}    Grade: {s.grade}\nMeeting date: {day:%m/%d/%Y}",
            "## Eligibility and Team meeting",
            f"The Team met under 603 CMR 28.00 to review the Individualized Education Program. The Nature of "
            f"Primary Disability is {disability}; Level of Need: {r.choice(('Low', 'Moderate', 'High'))}. "
            f"{s.first} continues to be eligible for special education and related services.",
            "## Accommodations",
            "; ".join(
                r.sample(
                    (
                        "extended time on assessments",
                        "preferential seating",
                        "small-group testing",
                        "text-to-speech",
                        "frequent breaks",
                        "graphic organizers",
                        "check-ins with counselor",
                        "reduced written output",
                    ),
                    4,
                )
            )
            + ".",
            "## Service delivery",
            [
                ["Service", "Provider", "Frequency"],
                ["Reading support", "Special Education Teacher", f"{r.randint(2, 5)} x 30 min/week"],
                ["Speech and language", "SLP", f"{r.randint(1, 2)} x 30 min/week"],
            ],
            "## Progress",
            f"{s.first} made progress toward the goals in decoding and written expression. " + _paragraph(r, 2, 4),
            f"Team members: {self._name(t, case_mgr)} (case manager), {self._name(t, parent)} (parent).",
        ]
        if r.random() < 0.4:
            blocks.append(f"Parent contact: {t.put('PHONE_NUMBER', parent.phone, s.key)}")
        t.classifications |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
        stem = f"iep_progress_{day:%Y-%m-%d}"
        if fmt == "docx":
            return Doc(stem + ".docx", render_docx("IEP Progress Note", blocks), "iep_note", t)
        return Doc(stem + ".txt", render_text(["IEP PROGRESS NOTE - CONFIDENTIAL", *blocks]).encode(), "iep_note", t)

    def health_note(self, fmt: str = "txt", encoding: str = "utf-8") -> Doc:
        """A nurse's note: allergies, medications, sometimes a MassHealth ID."""
        r, t = self.rng, Tally()
        s = self.student()
        parent = self.parent_of(s)
        day = self.school_day()
        lines = [
            "SCHOOL HEALTH OFFICE - CONFIDENTIAL",
            f"Student: {self._name(t, s)}   DOB: {t.put('DATE_OF_BIRTH', self._fmt_dob(s.dob), s.key)}   "
            f"Grade {s.grade}",
            f"Date of visit: {day:%m/%d/%Y}",
            f"Allergy: {r.choice(_ALLERGIES)}; EpiPen kept in the nurse's office. "
            f"Diagnosis on file: {r.choice(_DIAGNOSES)}.",
            f"Medication administration: {r.choice(_MEDICATIONS)} given at "
            f"{r.randint(9, 13)}:{r.choice(('00', '15', '30', '45'))}.",
            _paragraph(r, 1, 3),
            f"Guardian: {self._name(t, parent)}, {t.put('PHONE_NUMBER', parent.phone, s.key)}",
        ]
        if r.random() < 0.3:
            lines.insert(3, f"MassHealth member ID: {t.put('MASSHEALTH_ID', self.masshealth_id(), s.key)}")
        t.classifications |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
        stem = f"nurse_note_{day:%Y-%m-%d}"
        if fmt == "docx":
            return Doc(stem + ".docx", render_docx("Health Office Note", list(lines[1:])), "health_note", t)
        return Doc(stem + ".txt", self._encode("\n".join(lines) + "\n", encoding), "health_note", t)

    def parent_email(self, attachment: bool | None = None) -> Doc:
        """A parent's e-mail to a teacher (.eml); sometimes with a CSV of pickup contacts attached."""
        r, t = self.rng, Tally()
        child, teacher = self.student(), self.staff("Teacher")
        parent = self.parent_of(child)
        day = self.school_day()
        msg = EmailMessage(policy=SMTP)
        msg["From"] = f"{self._name(t, parent)} <{t.put('EMAIL_ADDRESS', parent.email, parent.key)}>"
        msg["To"] = f"{self._name(t, teacher)} <{t.put('EMAIL_ADDRESS', teacher.email, teacher.key)}>"
        msg["Subject"] = r.choice(
            (
                f"Question about {child.first}",
                "Pickup change this week",
                "Absence note",
                "Homework question",
                "Upcoming conference",
            )
        )
        msg["Date"] = format_datetime(
            dt.datetime(
                day.year,
                day.month,
                day.day,
                r.randint(6, 21),
                r.randint(0, 59),
                tzinfo=dt.timezone(dt.timedelta(hours=-5)),
            )
        )
        msg["Message-ID"] = f"<{r.getrandbits(64):016x}.{day:%Y%m%d}@example.com>"
        t.subjects.add(child.key)
        body = [
            f"Hi {r.choice(('Ms.', 'Mr.', 'Mx.'))} {teacher.last},",
            "",
            f"This is {parent.first}, {self._name(t, child)}'s {r.choice(('mother', 'father', 'guardian'))}.",
        ]
        if r.random() < 0.3:
            body.append(f"The student ID is {t.put('STUDENT_ID', child._ids['lasid'], child.key)} if you need it.")
        if r.random() < 0.2:
            body.append(
                f"For the form, {child.first}'s date of birth is "
                f"{t.put('DATE_OF_BIRTH', self._fmt_dob(child.dob), child.key)}."
            )
        sensitive = r.random() < 0.3
        if sensitive:
            body.append(
                r.choice(
                    (
                        f"{child.first} has a new peanut allergy and the EpiPen is in the backpack.",
                        f"Can we discuss {child.first}'s IEP accommodations before the Team meeting?",
                        f"{child.first} started a new ADHD medication this week; please tell me how it goes.",
                        f"We were approved for free lunch again; {child.first} should not be charged.",
                    )
                )
            )
        body += [_paragraph(r, 1, 3), "", "Thank you,", parent.first]
        if r.random() < 0.6:
            body.append(t.put("PHONE_NUMBER", parent.phone, parent.key))
        msg.set_content("\n".join(body) + "\n")
        t.classifications.add("STUDENT_PII")
        if sensitive:
            t.classifications.add("STUDENT_SENSITIVE")
        members: list[Doc] = []
        if attachment if attachment is not None else r.random() < 0.3:
            a = Tally()
            rows = [["Name", "Relationship", "Phone", "Email"]]
            for _ in range(r.randint(2, 4)):
                adult = self.parent_of(child)
                a.put("PERSON", adult.name, adult.key)
                rows.append(
                    [
                        adult.name,
                        r.choice(("Grandparent", "Aunt", "Neighbor", "Parent")),
                        a.put("PHONE_NUMBER", adult.phone, adult.key),
                        a.put("EMAIL_ADDRESS", adult.email, adult.key),
                    ]
                )
            rows.append([f"Student: {child.name}", "", "", ""])
            a.put("PERSON", child.name, child.key)
            a.classifications.add("STUDENT_PII")
            data = render_csv(rows)
            msg.add_attachment(data, maintype="text", subtype="csv", filename="pickup_contacts.csv")
            msg.set_boundary(f"=_part_{r.getrandbits(48):012x}")
            members.append(Doc("pickup_contacts.csv", data, "contacts", a))
        return Doc(f"message_{day:%Y%m%d}.eml", bytes(msg), "parent_email", t, members)

    def staff_email_roster(self) -> Doc:
        """A staff e-mail to a vendor with a class roster attached (an outbound transfer)."""
        r, t = self.rng, Tally()
        sender = self.staff("Teacher")
        day = self.school_day()
        roster = self.roster("csv", rows=r.randint(12, 24))
        roster.name = "class_list.csv"
        msg = EmailMessage(policy=SMTP)
        msg["From"] = f"{self._name(t, sender)} <{t.put('EMAIL_ADDRESS', sender.email, sender.key)}>"
        vendor = r.choice(("onboarding", "support", "rostering", "help"))
        msg["To"] = t.put("EMAIL_ADDRESS", f"{vendor}@{r.choice(('learning.example.com', 'vendor.example.com'))}")
        msg["Subject"] = "Class list for the reading platform"
        msg["Date"] = format_datetime(
            dt.datetime(day.year, day.month, day.day, 15, r.randint(0, 59), tzinfo=dt.timezone(dt.timedelta(hours=-5)))
        )
        msg["Message-ID"] = f"<{r.getrandbits(64):016x}.{day:%Y%m%d}@example.org>"
        msg.set_content(
            f"Hello,\n\nAttached is my class list for the rollout.\n\n{_paragraph(r, 1, 2)}\n\n{sender.first}\n"
        )
        msg.add_attachment(roster.data, maintype="text", subtype="csv", filename=roster.name)
        msg.set_boundary(f"=_part_{r.getrandbits(48):012x}")
        return Doc(f"fwd_class_list_{day:%Y%m%d}.eml", bytes(msg), "staff_email", t, [roster])

    def long_report(self, fmt: str = "txt", kbytes: int = 60) -> Doc:
        """A long report (``kbytes`` KB of prose) with few identifiers: a case example, some staff credits."""
        r, t = self.rng, Tally()
        title = r.choice(
            (
                "District Improvement Plan",
                "Annual Report to the School Committee",
                "Curriculum Review",
                "Facilities Master Plan",
                "Special Education Program Review",
            )
        )
        blocks: list[str | list[list[str]]] = []
        size = 0
        section = 0
        while size < kbytes * 1024:
            if section % 6 == 0:
                heading = f"## {section // 6 + 1}. {r.choice(_OBJ).capitalize()}"
                blocks.append(heading)
            p = _paragraph(r, 4, 9)
            blocks.append(p)
            size += len(p) + 2
            section += 1
        if r.random() < 0.5:
            author = self.staff(r.choice(("Director of Curriculum", "Assistant Superintendent")))
            blocks.insert(1, f"Prepared by {self._name(t, author)}, {author.title}.")
        if r.random() < 0.3:
            s = self.student()
            t.classifications.add("STUDENT_PII")
            pos = r.randint(2, len(blocks))
            blocks.insert(
                pos,
                f"Case example: {self._name(t, s)} (SASID "
                f"{t.put('MA_SASID', s._ids['sasid'], s.key)}) moved from partial inclusion "
                f"to full inclusion after the Team review.",
            )
            if "Special Education" in title:
                t.classifications.add("STUDENT_SENSITIVE")
        stem = title.lower().replace(" ", "_")
        if fmt == "docx":
            return Doc(stem + ".docx", render_docx(title, blocks), "report", t)
        return Doc(stem + ".txt", render_text([title.upper(), *blocks]).encode(), "report", t)

    # ---- clean documents (no PI) -----------------------------------------------------------------

    def lunch_menu(self, fmt: str = "txt") -> Doc:
        """A weekly lunch menu: no personal information."""
        r = self.rng
        dishes = (
            "Chicken tenders",
            "Cheese pizza",
            "Bean and cheese burrito",
            "Pasta with meat sauce",
            "Turkey sandwich",
            "Vegetable stir-fry",
            "Fish tacos",
            "Mac and cheese",
            "Hummus plate",
            "Baked potato bar",
            "Chicken noodle soup",
            "Pancakes with fruit",
        )
        week = self.school_day()
        week -= dt.timedelta(days=week.weekday())
        table = [["Day", "Entree", "Side", "Price"]]
        for i, day in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")):
            table.append(
                [
                    f"{day} {week + dt.timedelta(days=i):%m/%d}",
                    r.choice(dishes),
                    r.choice(("Garden salad", "Apple slices", "Green beans", "Corn", "Carrots")),
                    f"${r.choice(('2.75', '3.00', '3.25'))}",
                ]
            )
        note = "Milk is included with every lunch. Menu subject to change."
        stem = f"lunch_menu_week_of_{week:%Y-%m-%d}"
        if fmt == "csv":
            return Doc(stem + ".csv", render_csv(table), "lunch_menu", Tally())
        if fmt == "docx":
            return Doc(stem + ".docx", render_docx("Lunch Menu", [table, note]), "lunch_menu", Tally())
        return Doc(stem + ".txt", render_text(["LUNCH MENU", table, note]).encode(), "lunch_menu", Tally())

    def bus_schedule(self, fmt: str = "csv") -> Doc:
        """A bus route schedule (stops and times): no personal information."""
        r = self.rng
        streets = (
            "Elm St",
            "Washington St",
            "Pleasant St",
            "Summer St",
            "Highland Ave",
            "Park Ave",
            "Central St",
            "Water St",
            "Prospect St",
            "Chestnut St",
            "Union St",
            "School St",
        )
        route = r.randint(1, 40)
        table = [["Route", "Stop", "AM Pickup", "PM Drop-off"]]
        h, m = 6, r.randint(40, 59)
        for i, street in enumerate(r.sample(streets, 8)):
            m += r.randint(3, 7)
            h, m = h + m // 60, m % 60
            table.append(
                [
                    str(route),
                    f"{street} & {r.choice(streets)}",
                    f"{h}:{m:02d}",
                    f"{14 + i // 4}:{(m + 15) % 60:02d}",
                ]
            )
        stem = f"bus_route_{route:02d}_schedule"
        if fmt == "txt":
            return Doc(stem + ".txt", render_text([f"BUS ROUTE {route}", table]).encode(), "bus_schedule", Tally())
        return Doc(stem + ".csv", render_csv(table), "bus_schedule", Tally())

    def newsletter(self, fmt: str = "txt") -> Doc:
        """A family newsletter in prose without names or numbers about people."""
        r = self.rng
        blocks: list[str | list[list[str]]] = [_paragraph(r) for _ in range(r.randint(3, 8))]
        stem = f"newsletter_{r.choice(('september', 'november', 'january', 'march', 'may'))}"
        if fmt == "docx":
            return Doc(stem + ".docx", render_docx("Family Newsletter", blocks), "newsletter", Tally())
        return Doc(stem + ".txt", render_text(["FAMILY NEWSLETTER", *blocks]).encode(), "newsletter", Tally())

    def board_agenda(self) -> Doc:
        """A school committee agenda: numbered items, no personal information."""
        r = self.rng
        day = self.school_day()
        items = [
            f"{i}. {r.choice(_OBJ).capitalize()} - {r.choice(('vote', 'discussion', 'report'))}"
            for i in range(1, r.randint(6, 12))
        ]
        text = f"SCHOOL COMMITTEE MEETING\n{day:%A, %B %d, %Y}, 7:00 PM\n\n" + "\n".join(items) + "\n"
        return Doc(f"agenda_{day:%Y-%m-%d}.txt", text.encode(), "agenda", Tally())

    def inventory(self) -> Doc:
        """A device inventory with 10-digit serial numbers: look-alikes of SASIDs without any context."""
        r, t = self.rng, Tally()
        table = [["Asset Tag", "Serial", "Model", "Room"]]
        for _ in range(r.randint(15, 40)):
            serial = f"1{r.randint(0, 999_999_999):09d}"
            table.append(
                [
                    f"EPS-{r.randint(1000, 9999)}",
                    t.decoy("MA_SASID", serial),
                    r.choice(("Chromebook 11", "Laptop 14", "Document camera", "Projector")),
                    str(r.randint(100, 340)),
                ]
            )
        return Doc(f"device_inventory_{r.randint(2023, 2025)}.csv", render_csv(table), "inventory", t)

    def security_training(self) -> Doc:
        """A training handout quoting a void SSN and a public test card number: decoys, not PI."""
        t = Tally()
        text = (
            "DATA SECURITY AWARENESS\n\nNever e-mail spreadsheets of student records to personal accounts. "
            "Example numbers used in this training are not real: the famous sample SSN "
            f"{t.decoy('US_SSN', '078-05-1120')} printed on wallet inserts decades ago, and the test card "
            f"{t.decoy('CREDIT_CARD', '4111 1111 1111 1111')} that card processors publish for testing.\n\n"
            + _paragraph(self.rng, 2, 4)
            + "\n"
        )
        return Doc("security_awareness_handout.txt", text.encode(), "training", t)

    def staff_directory_html(self, people: int = 8) -> Doc:
        """A school web page listing staff with titles, phones and e-mail addresses."""
        r, t = self.rng, Tally()
        school = r.choice(SCHOOLS)
        rows = []
        for _ in range(people):
            p = self.staff()
            rows.append(
                f"<tr><td>{self._name(t, p)}</td><td>{p.title}</td>"
                f"<td>{t.put('PHONE_NUMBER', p.phone, p.key)}</td>"
                f'<td><a href="mailto:{p.email}">{t.put("EMAIL_ADDRESS", p.email, p.key)}</a></td></tr>'
            )
        html = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{school} - Staff'
            f"</title></head>\n<body><h1>{school} Staff Directory</h1>\n<table>\n<tr><th>Name</th><th>Title"
            f"</th><th>Phone</th><th>E-mail</th></tr>\n" + "\n".join(rows) + "\n</table>\n</body></html>\n"
        )
        return Doc("staff_directory.html", html.encode(), "directory", t)

    def sis_export_json(self, students: int = 6) -> Doc:
        """A JSON export from a student information system: ids, names, birth dates, programs."""
        r, t = self.rng, Tally()
        records = []
        sensitive = False
        for _ in range(students):
            s = self.student()
            t.put("PERSON", s.name, s.key)
            prog = r.choice(([], [], ["IEP"], ["EL"], ["504"]))
            sensitive |= bool(set(prog) & {"IEP", "504"})
            records.append(
                {
                    "sasid": t.put("MA_SASID", s._ids["sasid"], s.key),
                    "local_id": t.put("STUDENT_ID", s._ids["lasid"], s.key),
                    "first_name": s.first,
                    "last_name": s.last,
                    "birth_date": t.put("DATE_OF_BIRTH", s.dob.isoformat(), s.key),
                    "grade": s.grade,
                    "school": s.school,
                    "programs": prog,
                }
            )
        t.classifications.add("STUDENT_PII")
        if sensitive:
            t.classifications.add("STUDENT_SENSITIVE")
        data = json.dumps({"exported": "2025-01-06", "students": records}, indent=2).encode()
        return Doc("sis_export.json", data, "sis_export", t)

    def roster_zip(self) -> Doc:
        """A zip archive of a roster CSV and a clean readme, as exported for a vendor."""
        roster = self.roster("csv")
        roster.name = f"export/{roster.name}"
        readme = Doc(
            "export/README.txt",
            b"Roster export for the reading platform. Do not forward.\n",
            "readme",
            Tally(),
        )
        data = render_zip([(roster.name, roster.data), (readme.name, readme.data)])
        return Doc(f"roster_export_{self.rng.randint(2023, 2025)}.zip", data, "archive", Tally(), [roster, readme])
