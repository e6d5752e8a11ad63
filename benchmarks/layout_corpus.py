"""A second labeled corpus, built the opposite way: many document LAYOUTS, not only many values.

Usage::

    python benchmarks/layout_corpus.py DEST --seed 5                  # about 300 files plus real PI-free ones
    python benchmarks/layout_corpus.py DEST --seed 5 --kinds 6 --per-kind 5 --no-real   # a small subset

Why a second corpus: ``accuracy_corpus.py`` reuses ``dlp/testdata/synth.py``, whose tables start with their header
and use the words the recognizers were tuned on. This generator shares nothing with it (its own invented
people, value generators, renderers and header vocabulary) and varies what real exports vary: title lines,
export banners and ``#`` comments above the header, two-row headers, a header repeated every page, footer
and total rows, key/value forms (adjacent cells, ``Label: value`` lines, two-column DOCX/PDF forms),
tables drawn into PDFs as positioned text, rosters pasted into e-mail bodies with every usual delimiter,
files with no extension or the wrong one, and names in free prose in every common form.

Every kind of document comes in at least five layouts. About 40% of the files are PI-free look-alikes
(library catalogs with ISBNs and 14-digit barcodes and authors, asset inventories, server logs, purchase
orders, invoices, budgets, menus, lesson plans about historical figures, job-title lists), and, when
``../shared/corpora`` exists, a ``real/`` folder of third-party PI-free text is copied in.

Labels (``DEST/_labels.json``) follow ``dlp/testdata/corpus.py``: per item (files, and ``file!/member`` for
attachments and archive members) the occurrences planted per canonical entity (PERSON counts full names,
however written), distinct subjects, expected classifications and decoys, plus ``kind``, ``layout`` and
``format``. No label holds a value. Classifications follow ``dlp/policy/classify.py`` and CONTRACT.md
section 3: e.g. a catalog's authors are no district people, so a catalog plants nothing and expects no
class; a vendor ACH form of a company (no person) plants its account numbers but expects no ``MA_PI``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
import shutil
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

GENERATOR = "benchmarks/layout_corpus.py"
LABELS_NAME = "_labels.json"
COUNTING = (
    "entities: occurrences planted per canonical entity (each a distinct span); PERSON counts full names "
    "(first + last in any form, one per person mention, split Last/First columns count once per row); "
    "subjects: distinct people with a planted entity; classifications: expected item classes; decoys: "
    "look-alikes that must not be reported; kind/layout/format: how the item was built. Keys are paths "
    "under the corpus root; members of archives and e-mails follow '!/'."
)
FIXED_ZIP_TIME = (2024, 6, 11, 8, 30, 0)
CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"

# --------------------------------------------------------------------------------------------- value formats
# Validators are exported so that tests can check every planted value.


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` (digits only) passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_complete(partial: str) -> str:
    """``partial`` with the Luhn check digit appended."""
    for d in "0123456789":
        if luhn_ok(partial + d):
            return partial + d
    raise AssertionError("unreachable: one check digit always fits")


def aba_ok(digits: str) -> bool:
    """ABA routing checksum 3-7-1 and an allowed Federal Reserve prefix."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    p = int(digits[:2])
    if not (0 <= p <= 12 or 21 <= p <= 32 or 61 <= p <= 72 or p == 80):
        return False
    d = [int(c) for c in digits]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def iban_ok(value: str) -> bool:
    """IBAN mod-97 check (spaces ignored)."""
    s = value.replace(" ", "")
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def ssn_ok(value: str) -> bool:
    """SSA issuance rules: area not 000/666/9xx, group not 00, serial not 0000, not a known void number."""
    d = "".join(c for c in value if c.isdigit())
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return (area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"
            and d not in ("078051120", "219099999"))


def itin_ok(value: str) -> bool:
    """ITIN: 9XX-XX-XXXX with the middle pair in 50-65, 70-88, 90-92 or 94-99."""
    d = "".join(c for c in value if c.isdigit())
    if len(d) != 9 or d[0] != "9":
        return False
    m = int(d[3:5])
    return 50 <= m <= 65 or 70 <= m <= 88 or 90 <= m <= 92 or 94 <= m <= 99


IBAN_SHAPES: dict[str, str] = {  # country -> BBAN shape: 'n' digit, 'a' upper-case letter
    "GB": "aaaannnnnnnnnnnnnn", "DE": "nnnnnnnnnnnnnnnnnn", "FR": "nnnnnnnnnnnnnnnnnnnnnnn",
    "ES": "nnnnnnnnnnnnnnnnnnnn", "IE": "aaaannnnnnnnnnnnnn", "NL": "aaaannnnnnnnnn",
    "PT": "nnnnnnnnnnnnnnnnnnnnn", "IT": "annnnnnnnnnnnnnnnnnnnnn",
}  # fmt: skip

# --------------------------------------------------------------------------------------------- invented people
# Written for this corpus; deliberately a different population from dlp/testdata/synth.py's.

FIRST_NAMES = (
    "Jordan", "Amara", "Tobias", "Ngozi", "Mateo", "Yusuf", "Priya", "Declan", "Soledad", "Kwame", "Ingrid",
    "Rafael", "Thandiwe", "Oskar", "Leilani", "Dmitri", "Fatima", "Cormac", "Esperanza", "Haruto", "Zoë",
    "José", "Chloé", "Inés", "Renée", "Björn", "Anaïs", "Joaquín", "Mónica", "Søren", "Beatriz", "Ezekiel",
    "Marisol", "Nikhil", "Oluwaseun", "Wren", "Caspian", "Delphine", "Ignacio", "Keziah", "Lucía", "Malik",
    "Noor", "Orla", "Perpetua", "Quentin", "Rosalind", "Saoirse", "Tariq", "Ulrike", "Valentina", "Wendell",
    "Ximena", "Yara", "Zainab", "Abdiel", "Bronwyn", "Cyrus", "Dagny", "Emeka", "Farah", "Gideon", "Hollis",
    "Imani", "Jasper", "Kalani", "Linnea", "Marcus", "Nadia", "Omar", "Paloma", "Rhiannon", "Silas", "Tamsin",
    "Uriel", "Vivian", "Winston", "Aurelio", "Bettina", "Cosima", "Dorian", "Eliska", "Florian", "Greta",
    "Hamza", "Isadora", "Jun", "Kofi", "Lorcan", "Mireille", "Nathaniel", "Odette", "Pedro", "Rosa", "Shira",
    "Teodoro", "Una", "Vikram", "Willa", "Aditi", "Bashir", "Celeste", "Desmond", "Elif", "Femi", "Gwen",
)  # fmt: skip
SURNAMES = (
    "Okafor", "Lindqvist", "Achterberg", "Ferreira", "Nakashima", "Abernathy", "Castellanos", "Mbeki",
    "Whitcombe", "Deschamps", "Kowalczyk", "Ramaswamy", "Oyelaran", "Halvorsen", "Quintero", "Brannigan",
    "Szabo", "Thibodeaux", "Villanueva", "Ashdown", "Baptiste", "Chikwanha", "Dunleavy", "Estrada",
    "Fairbanks", "Gallagher", "Hennessey", "Iwasaki", "Jablonski", "Kettering", "Lachance", "Moreau",
    "Nwachukwu", "Ostrowski", "Pemberton", "Quaye", "Rinaldi", "Sorensen", "Tran", "Underhill", "Vasquez",
    "Wojcik", "Yamamoto", "Zielinski", "Adeyemi", "Bellweather", "Cardenas", "Dimitriou", "Eriksen", "Fonseca",
    "Gutiérrez", "Núñez", "Schröder", "Müller", "Peña", "Ibáñez", "Brontë", "Lefèvre", "Sjöberg", "Ó Briain",
    "O'Connell", "O'Rourke", "McAllister", "McKenna", "MacLennan", "D'Souza", "D'Angelo", "de la Cruz",
    "de la Fuente", "van der Meer", "van Houten", "dos Santos", "da Silva", "Le", "Ng", "Young", "King",
    "Rivers", "Stone", "Hale", "Park", "Banerjee", "Chaudhry", "Desrosiers", "Fitzgerald", "Guerrero",
    "Holloway", "Ivanova", "Jaramillo", "Kaczmarek", "Lombardi", "Marchetti", "Novak", "Olawale", "Pacheco",
    "Rahman", "Salazar", "Takahashi", "Uchenna", "Vidal", "Whitaker", "Xiong", "Yilmaz", "Zamora", "Acheson",
)  # fmt: skip
STAFF_TITLES = (
    "Teacher", "Paraprofessional", "School Counselor", "School Nurse", "Principal", "Assistant Principal",
    "Custodian", "Bus Driver", "Van Driver", "Librarian", "Speech-Language Pathologist", "Food Service Worker",
    "Secretary", "IT Technician", "Special Education Teacher", "Adjustment Counselor",
)  # fmt: skip
SCHOOLS = (
    "Fletcher Maynard Academy", "Amigos School", "Haggerty School", "Cambridgeport School", "Graham & Parks",
    "King Open School", "Peabody School", "Tobin Montessori", "Putnam Avenue Upper School",
    "Rindge Avenue Upper School", "Vassal Lane Upper School", "Cambridge Rindge and Latin School",
)  # fmt: skip
STREETS = ("Elm St", "Hampshire St", "Oxford St", "Windsor St", "Cedar Ave", "Magazine St", "Fayette St",
           "Lopez Ave", "Sherman St", "Huron Ave", "Pleasant St", "Harvey St")
TOWNS = (("Cambridge", "02139"), ("Cambridge", "02140"), ("Cambridge", "02138"), ("Somerville", "02143"),
         ("Arlington", "02474"), ("Boston", "02134"))
AREA_CODES = ("617", "857", "781", "339", "508", "978")

# Historical figures and authors for PI-free look-alikes (public figures, not district people).
HISTORICAL = (("Crispus Attucks", "c. 1723"), ("Mercy Otis Warren", "September 25, 1728"),
              ("Lucy Stone", "August 13, 1818"), ("Horace Mann", "May 4, 1796"),
              ("Dorothea Dix", "April 4, 1802"), ("Maria Mitchell", "August 1, 1818"),
              ("William Lloyd Garrison", "December 10, 1805"), ("Elizabeth Freeman", "c. 1744"),
              ("Louisa May Alcott", "November 29, 1832"), ("Henry David Thoreau", "July 12, 1817"),
              ("Margaret Fuller", "May 23, 1810"), ("John Quincy Adams", "July 11, 1767"))
AUTHORS = ("Alcott, Louisa May", "Paterson, Katherine", "Lowry, Lois", "Woodson, Jacqueline", "Sachar, Louis",
           "Ryan, Pam Muñoz", "DiCamillo, Kate", "Curtis, Christopher Paul", "Cisneros, Sandra",
           "Reynolds, Jason", "Yang, Gene Luen", "Kwame Alexander", "Raúl the Third", "L'Engle, Madeleine",
           "Juster, Norton", "Spinelli, Jerry", "Park, Linda Sue", "Lai, Thanhha")
TITLES = ("The Crossover", "A Wrinkle in Time", "Bud, Not Buddy", "Brown Girl Dreaming", "Maniac Magee",
          "A Single Shard", "Inside Out & Back Again", "Because of Winn-Dixie", "The House on Mango Street",
          "Ghost", "American Born Chinese", "Little Women", "Number the Stars", "Esperanza Rising",
          "Holes", "The Phantom Tollbooth", "Bridge to Terabithia", "Lowriders in Space")
DEVICES = ("Chromebook 3110", "Latitude 5440", "iPad (10th gen)", "MacBook Air M2", "Epson EB-725W projector",
           "ELMO document camera", "HP LaserJet M507", "Cisco C9200 switch", "Aruba AP-515", "Smart Board 6000S")

# --------------------------------------------------------------------------------------------- tallies


@dataclass
class Tally:
    """What one item had planted in it (counts only leave this object; raw values stay in memory)."""

    counts: Counter[str] = field(default_factory=Counter)
    values: list[tuple[str, str]] = field(default_factory=list)  # (entity, raw value): tests only
    subjects: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    decoys: Counter[str] = field(default_factory=Counter)

    def put(self, entity: str, value: str, subject: str | None = None) -> str:
        """Record one planted occurrence and return the value (for use inside f-strings)."""
        self.counts[entity] += 1
        self.values.append((entity, value))
        if subject is not None:
            self.subjects.add(subject)
        return value

    def decoy(self, entity: str, value: str) -> str:
        """Record a look-alike of ``entity`` that a correct scanner does not report; return it."""
        self.decoys[entity] += 1
        return value

    def label(self) -> dict[str, Any]:
        """The value-free label."""
        out: dict[str, Any] = {"entities": dict(sorted(self.counts.items())), "subjects": len(self.subjects),
                               "classifications": sorted(self.classes)}
        if self.decoys:
            out["decoys"] = dict(sorted(self.decoys.items()))
        return out


@dataclass
class Item:
    """A rendered file (or member): name, bytes, and how and what it was built with."""

    name: str
    data: bytes
    kind: str
    layout: str
    fmt: str
    tally: Tally
    members: list[Item] = field(default_factory=list)
    expect: dict[str, str] = field(default_factory=dict)  # e.g. {"status": "not_examined"}

    def labels(self, path: str) -> dict[str, dict[str, Any]]:
        """Labels of this item and its members, keyed like scan URIs."""
        out = {path: {"kind": self.kind, "layout": self.layout, "format": self.fmt, **self.tally.label(),
                      **({"expect": self.expect} if self.expect else {})}}
        for m in self.members:
            out.update(m.labels(f"{path}!/{m.name}"))
        return out

    def all_values(self) -> list[tuple[str, str]]:
        """Every (entity, value) planted in this item and its members (tests only)."""
        out = list(self.tally.values)
        for m in self.members:
            out += m.all_values()
        return out


@dataclass(frozen=True)
class Person:
    """An invented person."""

    key: str
    first: str
    last: str
    middle: str
    role: str
    dob: dt.date
    grade: str = ""

    def name(self, style: str = "first last") -> str:
        """The full name in one of the usual written forms."""
        if style == "last, first":
            return f"{self.last}, {self.first}"
        if style == "first m. last":
            return f"{self.first} {self.middle}. {self.last}"
        if style == "LAST, FIRST":
            return f"{self.last}, {self.first}".upper()
        if style == "FIRST LAST":
            return f"{self.first} {self.last}".upper()
        if style == "last, first m":
            return f"{self.last}, {self.first} {self.middle}"
        return f"{self.first} {self.last}"


NAME_STYLES = ("first last", "last, first", "first m. last", "LAST, FIRST", "FIRST LAST", "last, first m")

# --------------------------------------------------------------------------------------------- generator


class Gen:
    """Invented people and valid-format values, all drawn from one seeded random stream."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self._n = 0
        self._used: set[str] = set()

    # ---- people -------------------------------------------------------------------------------------

    def person(self, role: str, grade: str = "") -> Person:
        """A new invented person; about 1 in 10 has a hyphenated surname."""
        r = self.r
        self._n += 1
        last = r.choice(SURNAMES)
        if r.random() < 0.1:
            other = r.choice([s for s in SURNAMES if " " not in s and "'" not in s])
            last = f"{last.split()[-1]}-{other}" if other != last else last
        if role == "student":
            year = 2024 - (int(grade) if grade.isdigit() else 0) - 6
            dob = dt.date(year, 1, 1) + dt.timedelta(days=r.randint(0, 364))
        else:
            dob = dt.date(r.randint(1960, 1999), 1, 1) + dt.timedelta(days=r.randint(0, 364))
        return Person(f"p{self._n}", r.choice(FIRST_NAMES), last, r.choice("ABCDEFGHJKLMNPRSTW"), role, dob,
                      grade)

    def student(self) -> Person:
        """A student with a grade K-12."""
        return self.person("student", self.r.choice(("K", *[str(g) for g in range(1, 13)])))

    # ---- identifiers --------------------------------------------------------------------------------

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            v = make()
            if v not in self._used:
                self._used.add(v)
                return v

    def digits(self, n: int, first: str = "") -> str:
        """``n`` random digits (starting with ``first`` when given)."""
        return first + "".join(str(self.r.randint(0, 9)) for _ in range(n - len(first)))

    def ssn(self, style: str = "dash") -> str:
        """A valid SSN, written AAA-GG-SSSS, with spaces, or as 9 bare digits."""
        r = self.r

        def make() -> str:
            area = r.randint(1, 899)
            area = 667 if area == 666 else area
            return f"{area:03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"

        d = self._unique(make)
        while not ssn_ok(d):
            d = self._unique(make)
        return self._sep(d, (3, 5), style)

    def itin(self, style: str = "dash") -> str:
        """A valid ITIN."""
        r = self.r
        mid = r.choice([*range(50, 66), *range(70, 89), 90, 91, 92, *range(94, 100)])
        d = self._unique(lambda: f"9{r.randint(0, 99):02d}{mid:02d}{r.randint(0, 9999):04d}")
        return self._sep(d, (3, 5), style)

    @staticmethod
    def _sep(d: str, cuts: tuple[int, int], style: str) -> str:
        a, b = cuts
        if style == "bare":
            return d
        sep = " " if style == "space" else "-"
        return f"{d[:a]}{sep}{d[a:b]}{sep}{d[b:]}"

    def card(self) -> str:
        """A Luhn-valid card number (Visa, Mastercard, Amex or Discover), grouped or bare."""
        r = self.r
        brand = r.choice(("visa", "mc", "mc2", "amex", "disc"))
        prefix, length = {"visa": ("4", 16), "mc": (str(r.randint(51, 55)), 16),
                          "mc2": (str(r.randint(2221, 2720)), 16), "amex": (r.choice(("34", "37")), 15),
                          "disc": ("6011", 16)}[brand]
        num = self._unique(lambda: luhn_complete(self.digits(length - 1, prefix)))
        if r.random() < 0.5:
            return num
        if length == 15:
            return f"{num[:4]} {num[4:10]} {num[10:]}"
        sep = r.choice((" ", "-"))
        return sep.join(num[i : i + 4] for i in range(0, 16, 4))

    def aba(self) -> str:
        """A valid ABA routing number (Boston-area prefixes most often)."""
        r = self.r

        def make() -> str:
            p = r.choice(("01", "01", "21", "21", "11", "02", "26", "31", "61", "07", "22"))
            body = p + self.digits(6)
            for d in "0123456789":
                if aba_ok(body + d):
                    return body + d
            raise AssertionError("unreachable: one check digit always fits")

        return self._unique(make)

    def account(self) -> str:
        """A bank account number: 8, 10, 11 or 12 digits (never 9: that is an SSN's or routing number's shape)."""
        return self._unique(lambda: self.digits(self.r.choice((8, 10, 10, 11, 12)), str(self.r.randint(1, 9))))

    def iban(self) -> str:
        """A valid IBAN of a European country, printed in groups of four or bare."""
        r = self.r
        cc = r.choice(sorted(IBAN_SHAPES))
        bban = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") if c == "a" else str(r.randint(0, 9))
                       for c in IBAN_SHAPES[cc])
        moved = bban + cc + "00"
        check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
        value = f"{cc}{check:02d}{bban}"
        assert iban_ok(value)
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if r.random() < 0.5 else value

    def ma_dl(self) -> str:
        """A Massachusetts license / ID number: S + 8 digits, or SA + 7 digits."""
        return self._unique(lambda: "S" + self.digits(8) if self.r.random() < 0.75 else "SA" + self.digits(7))

    def sasid(self) -> str:
        """A SASID: 10 digits starting with 1."""
        return self._unique(lambda: self.digits(10, "1"))

    def mepid(self) -> str:
        """A MEPID: 8 digits (no leading zero, so spreadsheets keep all eight)."""
        return self._unique(lambda: self.digits(8, str(self.r.randint(1, 9))))

    def lasid(self) -> str:
        """The district's local student number (configured pattern 2ddddd)."""
        return self._unique(lambda: self.digits(6, "2"))

    def emp_id(self) -> str:
        """The district's local employee number (configured pattern Eddddd)."""
        return self._unique(lambda: "E" + self.digits(5))

    def masshealth(self) -> str:
        """A 12-digit MassHealth member ID."""
        return self._unique(lambda: self.digits(12, "1"))

    def phone(self) -> str:
        """A personal phone number in one of the usual shapes."""
        r = self.r
        a, b, c = r.choice(AREA_CODES), r.randint(201, 989), r.randint(0, 9999)
        if b == 555:
            b = 556
        return r.choice((f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}"))

    def office_phone(self) -> str:
        """A school office number in the fictional 555-01xx range (public, not a person's)."""
        return f"617-555-01{self.r.randint(0, 99):02d}"

    def email(self, p: Person, domain: str = "example.com") -> str:
        """A mailbox for ``p`` (ASCII local part)."""
        first = p.first.encode("ascii", "ignore").decode().lower()
        last = "".join(c for c in p.last.encode("ascii", "ignore").decode().lower() if c.isalpha())
        return f"{first}.{last}{self.r.randint(1, 99)}@{domain}"

    def address(self) -> str:
        """A street address."""
        town, zipc = self.r.choice(TOWNS)
        return f"{self.r.randint(2, 240)} {self.r.choice(STREETS)}, {town}, MA {zipc}"

    def dob(self, p: Person, style: str | None = None) -> str:
        """``p``'s date of birth in one of the usual written forms."""
        d = p.dob
        style = style or self.r.choice(("iso", "us", "us_short", "long", "dmy"))
        return {"iso": d.isoformat(), "us": d.strftime("%m/%d/%Y"), "us_short": f"{d.month}/{d.day}/{d.year}",
                "long": d.strftime("%B ") + f"{d.day}, {d.year}", "dmy": d.strftime("%d-%b-%Y")}[style]

    def day(self, year: int = 2024) -> dt.date:
        """A school-year date."""
        return dt.date(year, 9, 3) + dt.timedelta(days=self.r.randint(0, 280))

    # ---- look-alikes ---------------------------------------------------------------------------------

    def isbn13(self) -> str:
        """A valid ISBN-13."""
        body = "978" + self.digits(9)
        check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
        d = body + str(check)
        return f"{d[:3]}-{d[3]}-{d[4:8]}-{d[8:12]}-{d[12]}" if self.r.random() < 0.4 else d

    def barcode14(self) -> str:
        """A 14-digit library item barcode (Codabar style: 3 + library prefix + item number + check)."""
        return luhn_complete("3" + self.digits(4) + "00" + self.digits(6))

    def asset_tag(self) -> str:
        """A district asset tag."""
        return self.r.choice((f"CPS-{self.r.randint(0, 999999):06d}", f"A{self.digits(7)}",
                              f"{self.r.randint(10, 99)}-{self.digits(5)}"))

    def serial(self) -> str:
        """A device serial number."""
        r = self.r
        return r.choice(("5CG" + "".join(r.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(7)),
                         "C02" + "".join(r.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9)),
                         self.digits(12), "SN" + self.digits(10)))


# --------------------------------------------------------------------------------------------- renderers


def fixed_zip(members: Sequence[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    """A zip of ``members`` with fixed timestamps (byte-identical for the same input)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i, (name, data) in enumerate(members):
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if (stored_first and i == 0) else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalize_zip(data: bytes) -> bytes:
    """Rewrite an OOXML package with fixed timestamps (openpyxl and python-docx stamp 'now' in places)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    fixed = [(n, _CORE_DATES.sub(rb"\g<1>2024-06-11T08:30:00Z\g<3>", d) if n == "docProps/core.xml" else d)
             for n, d in members]
    return fixed_zip(fixed)


def render_delimited(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    """Delimited text with csv quoting (a 'Last, First' cell is quoted in a CSV)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def render_fixed(rows: Sequence[Sequence[str]]) -> str:
    """Space-aligned columns (fixed-width text, as report writers print them)."""
    width = max((len(r) for r in rows), default=0)
    widths = [max((len(r[i]) for r in rows if i < len(r)), default=0) for i in range(width)]
    return "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows) + "\n"


def render_xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An XLSX workbook, one sheet per entry; rows written as they are (blank cells as None)."""
    from openpyxl import Workbook

    wb = Workbook()
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = name[:31]
        for row in rows:
            ws.append([None if c == "" else c for c in row])
    fixed = dt.datetime(2024, 6, 11, 8, 30)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return normalize_zip(buf.getvalue())


def render_docx(blocks: Sequence[str | list[list[str]]]) -> bytes:
    """A DOCX: strings are paragraphs ('# ' a heading), lists of rows are tables."""
    import docx

    d = docx.Document()
    for b in blocks:
        if isinstance(b, str):
            if b.startswith("# "):
                d.add_heading(b[2:], level=1)
            else:
                d.add_paragraph(b)
        else:
            ncols = max(len(r) for r in b)
            table = d.add_table(rows=len(b), cols=ncols)
            for i, row in enumerate(b):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
    fixed = dt.datetime(2024, 6, 11, 8, 30)
    d.core_properties.created = fixed
    d.core_properties.modified = fixed
    buf = io.BytesIO()
    d.save(buf)
    return normalize_zip(buf.getvalue())


def render_ods(rows: Sequence[Sequence[str]], sheet: str = "Sheet1") -> bytes:
    """A minimal OpenDocument spreadsheet (content.xml with one table), written by hand."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')
    body = []
    for row in rows:
        cells = "".join(f"<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>" if c else
                        "<table:table-cell/>" for c in row)
        body.append(f"<table:table-row>{cells}</table:table-row>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
               f'<office:spreadsheet><table:table table:name="{escape(sheet)}">{"".join(body)}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    return fixed_zip([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                      ("META-INF/manifest.xml", manifest.encode()), ("content.xml", content.encode())],
                     stored_first=True)


def render_xlsb_stub(rows: Sequence[Sequence[str]]) -> bytes:
    """An XLSB-shaped package (binary workbook parts); the scanner is expected not to examine it."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled'
          '.main"/><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.'
          'macroEnabled.main"/></Types>')
    # Binary records: not a faithful BIFF12 stream, only its package shape (no library here writes XLSB).
    blob = b"\x83\x01\x00" + "\x1f".join("\x1e".join(r) for r in rows).encode("utf-16-le")
    return fixed_zip([("[Content_Types].xml", ct.encode()), ("xl/workbook.bin", b"\x83\x01\x00\x84\x01\x00"),
                      ("xl/worksheets/sheet1.bin", blob)])


def render_html(title: str, blocks: Sequence[str | list[list[str]]], header_rows: int = 1) -> bytes:
    """An HTML page: strings are paragraphs, lists of rows are tables (first ``header_rows`` rows as th)."""
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>",
           f"<h1>{escape(title)}</h1>"]
    for b in blocks:
        if isinstance(b, str):
            out.append(f"<p>{escape(b)}</p>")
            continue
        out.append("<table border='1'>")
        for i, row in enumerate(b):
            tag = "th" if i < header_rows else "td"
            out.append("<tr>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in row) + "</tr>")
        out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out).encode("utf-8")


@dataclass(frozen=True)
class Glyph:
    """One run of text placed on a PDF page at (x, y) points from the bottom left."""

    x: float
    y: float
    text: str
    size: float = 9.0


def render_pdf(pages: Sequence[Sequence[Glyph]], landscape: bool = False) -> bytes:
    """A text-layer PDF with each run placed where given (Helvetica, WinAnsi encoding)."""
    w, h = (792, 612) if landscape else (612, 792)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    n = len(pages) or 1
    page_ids = [3 + 2 * i for i in range(n)]
    font_id = 3 + 2 * n
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    for i in range(n):
        glyphs = pages[i] if i < len(pages) else []
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Contents {page_ids[i] + 1} 0 R "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode())
        body = [b"BT"]
        for g in glyphs:
            text = g.text.encode("cp1252", "replace")
            text = text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            body.append(f"/F1 {g.size:g} Tf 1 0 0 1 {g.x:.1f} {g.y:.1f} Tm".encode() + b" (" + text + b") Tj")
        body.append(b"ET")
        stream = b"\n".join(body)
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf_lines(lines: Sequence[str], per_page: int = 52) -> bytes:
    """A PDF of text lines (one run per line, never wrapped, so no value is cut in two)."""
    pages = []
    for start in range(0, max(len(lines), 1), per_page):
        chunk = lines[start : start + per_page]
        pages.append([Glyph(54, 740 - 13.5 * i, ln, 10) for i, ln in enumerate(chunk) if ln])
    return render_pdf(pages)


def pdf_table(titles: Sequence[str], header: Sequence[Sequence[str]], rows: Sequence[Sequence[str]],
              footer: Sequence[str] = (), repeat_header: bool = True, rows_per_page: int = 40) -> bytes:
    """A report PDF: title lines, then a table drawn as positioned columns, paged, header on every page."""
    ncol = max(len(r) for r in [*header, *rows])
    widths = [max(len(r[i]) if i < len(r) else 0 for r in [*header, *rows]) for i in range(ncol)]
    size = 8.0
    xs, x = [], 36.0
    for wch in widths:
        xs.append(x)
        x += wch * size * 0.52 + 14
    landscape = x > 580
    top = (612 if landscape else 792) - 50
    pages: list[list[Glyph]] = []
    chunks = [rows[i : i + rows_per_page] for i in range(0, max(len(rows), 1), rows_per_page)]
    for pno, chunk in enumerate(chunks):
        g: list[Glyph] = []
        y = top
        if pno == 0:
            for t in titles:
                g.append(Glyph(36, y, t, 11))
                y -= 16
            y -= 6
        if pno == 0 or repeat_header:
            for hrow in header:
                g += [Glyph(xs[i], y, c, size) for i, c in enumerate(hrow) if c]
                y -= 12
        for row in chunk:
            g += [Glyph(xs[i], y, c, size) for i, c in enumerate(row) if c]
            y -= 11
        if pno == len(chunks) - 1:
            for f in footer:
                y -= 4
                g.append(Glyph(36, y, f, size))
                y -= 11
        g.append(Glyph(36, 24, f"Page {pno + 1} of {len(chunks)}", 7))
        pages.append(g)
    return render_pdf(pages, landscape)


def pdf_form(titles: Sequence[str], pairs: Sequence[tuple[str, str]], after: Sequence[str] = (),
             two_up: bool = False) -> bytes:
    """A form PDF: labels in one column and values in the next (two pairs per line when ``two_up``)."""
    g: list[Glyph] = []
    y = 740.0
    for t in titles:
        g.append(Glyph(54, y, t, 12))
        y -= 18
    y -= 8
    step = 2 if two_up else 1
    for i in range(0, len(pairs), step):
        for j, (label, value) in enumerate(pairs[i : i + step]):
            x0 = 54 + j * 280
            g.append(Glyph(x0, y, label, 9))
            g.append(Glyph(x0 + (110 if two_up else 170), y, value, 9))
        y -= 16
    y -= 8
    pages = [g]
    for line in after:
        if y < 60:
            pages.append([])
            y = 740.0
        pages[-1].append(Glyph(54, y, line, 9))
        y -= 13
    return render_pdf(pages)


def render_eml(r: random.Random, sender: str, to: str, subject: str, body: str,
               attachments: Sequence[tuple[str, bytes, str]] = ()) -> bytes:
    """An RFC 5322 message with a plain-text body and optional attachments (name, bytes, MIME type)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    day = dt.datetime(2024, 9, 3, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))) + dt.timedelta(
        minutes=r.randint(0, 400_000))
    msg["Date"] = format_datetime(day)
    msg["Message-ID"] = f"<{r.getrandbits(64):016x}@mail.example.org>"
    msg.set_content(body)
    for name, data, mime in attachments:
        main, sub = mime.split("/", 1)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    if attachments:
        msg.set_boundary(f"=_{r.getrandbits(64):016x}")  # the default boundary is random per run
    return bytes(msg)


MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf", "txt": "text/plain"}


# --------------------------------------------------------------------------------------------- tables


@dataclass
class Table:
    """A table as a system exports it: lines above, header row(s), rows, footer rows."""

    title: str
    above: list[str]  # title lines, banners, comments (rendered as written)
    header: list[list[str]]  # one or two rows
    rows: list[list[str]]
    footer: list[list[str]] = field(default_factory=list)


TABLE_LAYOUTS = (
    "header_first_csv", "title_lines_csv", "comment_banner_csv", "multirow_header_xlsx", "xlsx_title_rows",
    "paged_fixed_width_txt", "footer_totals_csv", "pdf_table", "html_table", "docx_table", "json_records",
    "mail_pasted_comma", "mail_pasted_tab", "mail_pasted_semicolon", "mail_pasted_pipe", "mail_pasted_fixed",
    "mail_attached_xlsx", "noext_pipe", "tsv_banner", "semicolon_csv", "csv_named_png", "csv_named_xlsx",
    "ods_sheet", "zip_export", "txt_tab", "xlsb_export",
)  # fmt: skip


@dataclass
class TableDoc:
    """What a table kind produces before layout: a Table, its tally, file stem, sender context for mail."""

    table: Table
    tally: Tally
    stem: str
    multi_header: list[str] | None = None  # group row for the two-row header layout


SYSTEMS = {"payroll_export": "MUNIS Payroll", "w4_tax_summary": "MUNIS Payroll", "mepid_list": "EPIMS",
           "sis_enrollment": "Aspen X2", "attendance_report": "Aspen X2", "gradebook": "Aspen X2",
           "lunch_status": "Mealtime POS", "library_catalog": "Destiny Library Manager",
           "asset_inventory": "IT asset manager", "purchase_orders": "MUNIS Purchasing",
           "pcard_list": "P-Card portal", "driver_roster": "Transportation DB"}


def _banner(g: Gen, system: str) -> list[str]:
    r = g.r
    d = g.day()
    return r.choice((
        [f"# Exported {d.isoformat()} {r.randint(6, 17):02d}:{r.randint(0, 59):02d} by {system}",
         f"# Report ID: RPT-{r.randint(1000, 9999)}  Rows: see footer"],
        [f"Run date: {d:%m/%d/%Y}", f"Source: {system}"],
        [f"{system} - data export", f"Generated {d:%B %d, %Y}", ""],
    ))


def table_item(g: Gen, kind: str, layout: str, doc: TableDoc) -> Item:
    """Render a table document in one of TABLE_LAYOUTS."""
    r, t, tb = g.r, doc.tally, doc.table
    stem = doc.stem
    header_rows = [doc.multi_header, *tb.header] if (doc.multi_header and "multirow" in layout) else tb.header
    flat_rows = [*header_rows, *tb.rows, *tb.footer]
    if layout == "header_first_csv":
        return Item(f"{stem}.csv", render_delimited([*tb.header, *tb.rows]).encode(), kind, layout, "csv", t)
    if layout == "title_lines_csv":
        lines = [tb.title, *tb.above, ""]
        return Item(f"{stem}.csv", ("\n".join(lines) + "\n" + render_delimited(flat_rows)).encode(), kind, layout,
                    "csv", t)
    system = SYSTEMS.get(kind, "District data warehouse")
    if layout == "comment_banner_csv":
        return Item(f"{stem}.csv", ("\n".join(_banner(g, system)) + "\n" + render_delimited(
            flat_rows)).encode(), kind, layout, "csv", t)
    if layout == "semicolon_csv":
        body = f"{tb.title}\n\n" + render_delimited(flat_rows, ";")
        return Item(f"{stem}.csv", body.encode("utf-8-sig"), kind, layout, "csv", t)
    if layout == "footer_totals_csv":
        rows = [*tb.header, *tb.rows, *tb.footer, [], [f"Total records: {len(tb.rows)}"],
                [f"Printed {g.day():%m/%d/%Y} - CONFIDENTIAL"]]
        return Item(f"{stem}.csv", render_delimited(rows).encode(), kind, layout, "csv", t)
    if layout == "tsv_banner":
        body = "\n".join(_banner(g, system)) + "\n" + render_delimited(flat_rows, "\t")
        return Item(f"{stem}.tsv", body.encode(), kind, layout, "tsv", t)
    if layout == "txt_tab":
        body = f"{tb.title}\n" + render_delimited(flat_rows, "\t")
        return Item(f"{stem}.txt", body.encode(), kind, layout, "txt", t)
    if layout == "noext_pipe":
        body = f"{tb.title}\n" + render_delimited(flat_rows, "|")
        return Item(f"{stem.upper()}_EXPORT", body.encode(), kind, layout, "noext", t)
    if layout == "paged_fixed_width_txt":
        per = r.choice((15, 20, 25))
        out_lines: list[str] = []
        chunks = [tb.rows[i : i + per] for i in range(0, max(len(tb.rows), 1), per)]
        for p, chunk in enumerate(chunks):
            block = render_fixed([*header_rows, *chunk] + (tb.footer if p == len(chunks) - 1 else []))
            out_lines += [f"{tb.title.upper()}", f"Page {p + 1} of {len(chunks)}", "", block, "\f"]
        return Item(f"{stem}.txt", "\n".join(out_lines).encode(), kind, layout, "txt", t)
    if layout in ("multirow_header_xlsx", "xlsx_title_rows"):
        xrows: list[list[Any]] = []
        if layout == "xlsx_title_rows":
            xrows += [[tb.title], *[[a] for a in tb.above], []]
        xrows += [*header_rows, *tb.rows, *tb.footer]
        sheets: dict[str, list[list[Any]]] = {r.choice(("Export", "Sheet1", "Report", tb.title[:20])): xrows}
        if r.random() < 0.4:
            sheets["Notes"] = [["Prepared by the district data office."], ["Do not forward outside the district."]]
        return Item(f"{stem}.xlsx", render_xlsx(sheets), kind, layout, "xlsx", t)
    if layout == "pdf_table":
        footer = [" ".join(f) for f in tb.footer] + [f"Total: {len(tb.rows)}"]
        data = pdf_table([tb.title, *[a for a in tb.above if a]], header_rows, tb.rows, footer,
                         repeat_header=r.random() < 0.7, rows_per_page=r.choice((30, 40, 45)))
        return Item(f"{stem}.pdf", data, kind, layout, "pdf", t)
    if layout == "html_table":
        return Item(f"{stem}.html", render_html(tb.title, [*tb.above, flat_rows], len(header_rows)), kind, layout,
                    "html", t)
    if layout == "docx_table":
        return Item(f"{stem}.docx", render_docx([f"# {tb.title}", *[a for a in tb.above if a], flat_rows]), kind,
                    layout, "docx", t)
    if layout == "ods_sheet":
        return Item(f"{stem}.ods", render_ods([[tb.title], [], *flat_rows]), kind, layout, "ods", t)
    if layout == "json_records":
        head = tb.header[-1]
        recs = [{h or f"col{i}": c for i, (h, c) in enumerate(zip(head, row, strict=False))} for row in tb.rows]
        payload: Any = recs if r.random() < 0.4 else {"report": tb.title, "exported": g.day().isoformat(),
                                                      "count": len(recs), "records": recs}
        return Item(f"{stem}.json", (json.dumps(payload, indent=1, ensure_ascii=r.random() < 0.5) + "\n").encode(),
                    kind, layout, "json", t)
    if layout in ("csv_named_png", "csv_named_xlsx"):
        ext = layout.rsplit("_", 1)[-1]
        return Item(f"{stem}.{ext}", render_delimited([*tb.header, *tb.rows]).encode(), kind, layout,
                    f"csv-as-{ext}", t)
    if layout == "xlsb_export":
        # Not examined by design (no XLSB reader): nothing can be found in it, so nothing is expected.
        return Item(f"{stem}.xlsb", render_xlsb_stub(flat_rows), kind, layout, "xlsb", Tally(),
                    expect={"status": "not_examined", "reason": "unsupported"})
    if layout == "zip_export":
        inner_csv = Item(f"export/{stem}.csv", render_delimited([*tb.header, *tb.rows]).encode(), kind,
                         "header_first_csv", "csv", t)
        readme = Item("export/README.txt", f"{tb.title}\nExport for the vendor's import tool.\n".encode(),
                      "readme", "prose_txt", "txt", Tally())
        data = fixed_zip([(inner_csv.name, inner_csv.data), (readme.name, readme.data)])
        return Item(f"{stem}_export.zip", data, kind, layout, "zip", Tally(), [inner_csv, readme])
    if layout.startswith("mail_"):
        return _mail_table(g, kind, layout, doc, header_rows)
    raise ValueError(f"unknown table layout {layout}")


def _staff_sender(g: Gen, t: Tally, title: str | None = None) -> tuple[Person, str]:
    """A staff sender whose display name is planted (a full name in a header counts as PERSON)."""
    p = g.person("staff")
    shown = t.put("PERSON", p.name(), p.key)
    addr = t.put("EMAIL_ADDRESS", g.email(p, "example.org"), p.key)
    return p, f"{shown} <{addr}>"


def _mail_table(g: Gen, kind: str, layout: str, doc: TableDoc, header_rows: list[list[str]]) -> Item:
    """A table in a message: pasted into the body (any delimiter, sometimes quoted) or attached as XLSX."""
    r, tb = g.r, doc.table
    attached = layout == "mail_attached_xlsx"
    # With an attachment, the table's tally belongs to the member and the message holds only its headers.
    t = Tally() if attached else doc.tally
    sender, from_h = _staff_sender(g, t)
    to_p, to_h = _staff_sender(g, t)
    greet = f"Hi {to_p.first},"
    attachments: list[tuple[str, bytes, str]] = []
    members: list[Item] = []
    if attached:
        name = f"{doc.stem}.xlsx"
        member = Item(name, render_xlsx({"Sheet1": [[tb.title], [], *header_rows, *tb.rows]}), kind,
                      "xlsx_title_rows", "xlsx", doc.tally)
        members.append(member)
        attachments.append((name, member.data, MIME["xlsx"]))
        body = f"{greet}\n\nAttached is the {tb.title.lower()} you asked for.\n\nThanks,\n{sender.first}\n"
    else:
        rows = [*tb.header, *tb.rows]
        delim = layout.rsplit("_", 1)[-1]
        if delim == "fixed":
            pasted = render_fixed(rows)
        else:
            pasted = render_delimited(rows, {"comma": ",", "tab": "\t", "semicolon": ";", "pipe": "|"}[delim])
        if r.random() < 0.3:
            pasted = "\n".join("> " + ln for ln in pasted.splitlines()) + "\n"
        body = (f"{greet}\n\nHere is the list from the {tb.title.lower()} - pasted below since the attachment "
                f"would not open on your end.\n\n{pasted}\nLet me know if anything looks off.\n\n{sender.first}\n")
    data = render_eml(r, from_h, to_h, tb.title, body, attachments)
    return Item(f"{doc.stem}.eml", data, kind, layout, "eml", t, members)


# --------------------------------------------------------------------------------------------- forms


@dataclass
class FormDoc:
    """A key/value form: title lines, labelled values, free text after, and its tally."""

    title: list[str]
    pairs: list[tuple[str, str]]
    after: list[str]
    tally: Tally
    stem: str


FORM_LAYOUTS = ("docx_two_col", "docx_four_col", "xlsx_adjacent", "xlsx_label_gap", "pdf_form", "pdf_two_up",
                "txt_colon", "txt_dot_leader", "html_form", "mail_form_body", "noext_colon", "blank_template")


def form_item(g: Gen, kind: str, layout: str, doc: FormDoc) -> Item:
    """Render a form in one of FORM_LAYOUTS."""
    r, t, pairs = g.r, doc.tally, doc.pairs
    if layout == "docx_two_col":
        return Item(f"{doc.stem}.docx", render_docx([f"# {doc.title[0]}", *doc.title[1:],
                                                     [[k, v] for k, v in pairs], *doc.after]),
                    kind, layout, "docx", t)
    if layout == "docx_four_col":
        quad = [[*pairs[i], *(pairs[i + 1] if i + 1 < len(pairs) else ("", ""))] for i in range(0, len(pairs), 2)]
        return Item(f"{doc.stem}.docx", render_docx([f"# {doc.title[0]}", *doc.title[1:], quad, *doc.after]), kind,
                    layout, "docx", t)
    if layout in ("xlsx_adjacent", "xlsx_label_gap"):
        gap = layout == "xlsx_label_gap"
        rows: list[list[Any]] = [[x] for x in doc.title] + [[]]
        rows += [[k, "", v] if gap else [k, v] for k, v in pairs]
        rows += [[]] + [[a] for a in doc.after]
        return Item(f"{doc.stem}.xlsx", render_xlsx({"Form": rows}), kind, layout, "xlsx", t)
    if layout in ("pdf_form", "pdf_two_up"):
        return Item(f"{doc.stem}.pdf", pdf_form(doc.title, pairs, doc.after, layout == "pdf_two_up"), kind, layout,
                    "pdf", t)
    if layout in ("txt_colon", "noext_colon"):
        text = "\n".join([*doc.title, "", *[f"{k}: {v}" for k, v in pairs], "", *doc.after]) + "\n"
        if layout == "noext_colon":
            return Item(doc.stem.upper(), text.encode("cp1252", "replace"), kind, layout, "noext", t)
        return Item(f"{doc.stem}.txt", text.encode(), kind, layout, "txt", t)
    if layout == "txt_dot_leader":
        text = "\n".join([*doc.title, "", *[f"{k} ".ljust(28, ".") + f" {v}" for k, v in pairs], "", *doc.after])
        return Item(f"{doc.stem}.txt", (text + "\n").encode(), kind, layout, "txt", t)
    if layout == "html_form":
        return Item(f"{doc.stem}.html", render_html(doc.title[0], [*doc.title[1:], [[k, v] for k, v in pairs],
                                                                   *doc.after], 0), kind, layout, "html", t)
    if layout == "mail_form_body":
        _, from_h = _staff_sender(g, t)
        _, to_h = _staff_sender(g, t)
        body = "\n".join(["Good afternoon,", "", f"Details for the {doc.title[0].lower()} below.", "",
                          *[f"{k}: {v}" for k, v in pairs], "", *doc.after, "", "Thank you"]) + "\n"
        return Item(f"{doc.stem}.eml", render_eml(r, from_h, to_h, doc.title[0], body), kind, layout, "eml", t)
    if layout == "blank_template":
        # The same form with nothing filled in: a PI-free look-alike full of the labels.
        blank = Tally()
        fmt = r.choice(("docx", "pdf", "txt"))
        rows2 = [[k, "_" * 18] for k, _ in pairs]
        if fmt == "docx":
            data = render_docx([f"# {doc.title[0]}", "Please complete and return to the main office.", rows2])
        elif fmt == "pdf":
            data = pdf_form([doc.title[0], "Please complete and return to the main office."],
                            [(k, "_" * 18) for k, _ in pairs])
        else:
            data = ("\n".join([doc.title[0], "", *[f"{k}: ____________" for k, _ in pairs]]) + "\n").encode()
        return Item(f"{doc.stem}_blank.{fmt}", data, kind, layout, fmt, blank)
    raise ValueError(f"unknown form layout {layout}")


# --------------------------------------------------------------------------------------------- prose


PROSE_LAYOUTS = ("prose_txt", "prose_docx", "prose_pdf", "prose_eml", "prose_html", "prose_noext",
                 "prose_txt_cp1252", "prose_txt_utf16", "prose_md")


def prose_item(g: Gen, kind: str, layout: str, stem: str, title: str, paras: list[str], t: Tally,
               mail: tuple[str, str] | None = None) -> Item:
    """Render paragraphs of prose in one of PROSE_LAYOUTS (``mail`` = (From, To) for the e-mail layout)."""
    if mail is not None and layout != "prose_eml":
        # A printed or saved copy of a message keeps its From/To lines (and the names in them).
        paras = [f"From: {mail[0]}\nTo: {mail[1]}\nSubject: {title}", *paras]
    text = "\n\n".join([title, *paras]) + "\n"
    if layout == "prose_txt":
        return Item(f"{stem}.txt", text.encode(), kind, layout, "txt", t)
    if layout == "prose_md":
        return Item(f"{stem}.md", ("# " + text).encode(), kind, layout, "txt", t)
    if layout == "prose_noext":
        return Item(stem.replace("_", "-"), text.encode(), kind, layout, "noext", t)
    if layout == "prose_txt_cp1252":
        return Item(f"{stem}.txt", text.encode("cp1252", "replace"), kind, layout, "txt", t)
    if layout == "prose_txt_utf16":
        return Item(f"{stem}.txt", text.encode("utf-16"), kind, layout, "txt", t)
    if layout == "prose_docx":
        return Item(f"{stem}.docx", render_docx([f"# {title}", *paras]), kind, layout, "docx", t)
    if layout == "prose_pdf":
        lines = [title, ""]
        for p in paras:
            lines += p.split("\n") + [""]
        return Item(f"{stem}.pdf", pdf_lines(lines), kind, layout, "pdf", t)
    if layout == "prose_html":
        return Item(f"{stem}.html", render_html(title, paras), kind, layout, "html", t)
    if layout == "prose_eml":
        if mail is None:
            # Role mailboxes, not a person's address.
            mail = (f"Main Office <{t.decoy('EMAIL_ADDRESS', 'office@example.org')}>",
                    f"All Families <{t.decoy('EMAIL_ADDRESS', 'families@example.org')}>")
        return Item(f"{stem}.eml", render_eml(g.r, mail[0], mail[1], title, "\n\n".join(paras) + "\n"), kind,
                    layout, "eml", t)
    raise ValueError(f"unknown prose layout {layout}")


# --------------------------------------------------------------------------------------------- kind helpers


def _name_cols(g: Gen, who: str = "Student") -> tuple[list[str], Callable[[Person], list[str]]]:
    """Header cells and a row function for a person's name, in one of the ways exports write it."""
    r = g.r
    v = r.randrange(7)
    if v == 0:
        return [f"{who} (Last, First)"], lambda p: [p.name("last, first")]
    if v == 1:
        return [r.choice((f"{who} Name", "Name", who))], lambda p: [p.name(r.choice(("first last", "first m. last")))]
    if v == 2:
        return ["Last", "First"], lambda p: [p.last, p.first]
    if v == 3:
        return ["LAST_NAME", "FIRST_NAME", "MI"], lambda p: [p.last.upper(), p.first.upper(), p.middle]
    if v == 4:
        return [r.choice(("Name (Last, First MI)", f"{who}"))], lambda p: [p.name("last, first m")]
    if v == 5:
        return ["Last Name", "First Name"], lambda p: [p.last, p.first]
    return [r.choice((f"{who.upper()} NAME", "NAME"))], lambda p: [p.name("LAST, FIRST")]


def _pick(g: Gen, *options: str) -> str:
    return g.r.choice(options)


def _flag(g: Gen, p: float) -> str:
    return "Y" if g.r.random() < p else g.r.choice(("N", "", "N"))


# ---- PI table kinds -------------------------------------------------------------------------------------


def k_driver_roster(g: Gen) -> TableDoc:
    """Transportation: drivers with MA license numbers."""
    r, t = g.r, Tally()
    ncols, namef = _name_cols(g, "Driver")
    lic_h = _pick(g, "CDL / MA DL", "License #", "MA DL No.", "Driver's License", "Lic. Number", "DL#")
    emp = r.random() < 0.6
    head = [*(["Emp ID"] if emp else []), *ncols, lic_h, "Class", "Exp.", "Route", *(["Cell"] if r.random() < 0.5
                                                                                   else [])]
    rows = []
    for _ in range(r.randint(8, 30)):
        p = g.person("staff")
        t.put("PERSON", p.name(), p.key)
        row = [*([t.put("EMPLOYEE_ID", g.emp_id(), p.key)] if emp else []), *namef(p),
               t.put("US_DRIVER_LICENSE", g.ma_dl(), p.key), _pick(g, "CDL-B", "CDL-B P/S", "7D", "D"),
               f"{r.randint(1, 12):02d}/{r.randint(2025, 2029)}", f"Route {r.randint(1, 40)}"]
        if len(head) > len(row):
            row.append(t.put("PHONE_NUMBER", g.phone(), p.key))
        rows.append(row)
    t.classes |= {"MA_PI", "EMPLOYEE_PII"}
    title = _pick(g, "Transportation - driver roster", "Bus Driver Roster SY2024-25", "Van drivers - license check")
    return TableDoc(Table(title, [f"Transportation Department - CDL compliance   Report date {g.day():%m/%d/%Y}"],
                          [head], rows,
                          [["", "", f"{len(rows)} drivers"]]), t, "driver_roster",
                    ["Driver", *[""] * (len(head) - 1)])


def k_payroll_export(g: Gen) -> TableDoc:
    """Payroll / direct-deposit export: SSN, routing and account numbers."""
    r, t = g.r, Tally()
    ncols, namef = _name_cols(g, "Employee")
    aba_h = _pick(g, "ABA Routing", "Routing No.", "RTN", "Bank Routing #", "Routing Number")
    acct_h = _pick(g, "Account", "Acct #", "DDA Account", "Deposit Acct No.", "Account Number")
    ssn_h = _pick(g, "SSN", "Social Sec #", "SS No.", "Soc Sec Num")
    ssn_style = _pick(g, "dash", "dash", "bare", "space")
    with_iban = r.random() < 0.3
    head = ["Emp ID", *ncols, ssn_h, aba_h, acct_h, "Type", "Net Pay", *(["IBAN (intl.)"] if with_iban else [])]
    rows = []
    total = 0.0
    for _ in range(r.randint(6, 40)):
        p = g.person("staff")
        t.put("PERSON", p.name(), p.key)
        pay = round(r.uniform(850, 4600), 2)
        total += pay
        rows.append([t.put("EMPLOYEE_ID", g.emp_id(), p.key), *namef(p), t.put("US_SSN", g.ssn(ssn_style), p.key),
                     t.put("ABA_ROUTING_NUMBER", g.aba(), p.key), t.put("US_BANK_NUMBER", g.account(), p.key),
                     _pick(g, "CHK", "SAV", "Checking"), f"{pay:,.2f}"])
        if with_iban:
            # Staff paid abroad (exchange teachers) have an IBAN; the others leave the cell empty.
            rows[-1].append(t.put("IBAN_CODE", g.iban(), p.key) if r.random() < 0.3 else "")
    t.classes |= {"MA_PI", "EMPLOYEE_PII"}
    pay_date = g.day()
    return TableDoc(Table(_pick(g, "Direct Deposit Register", "Payroll export - ACH file detail", "Pay Run Detail"),
                          [f"Pay date: {pay_date:%m/%d/%Y}", f"Batch {r.randint(100, 999)}"], [head], rows,
                          [["TOTAL", *[""] * (len(head) - 2), f"{total:,.2f}"]]),
                    t, f"direct_deposit_{pay_date:%Y%m%d}", ["Employee", *[""] * (len(ncols) + 1), "Bank", "", "",
                                                             "Amount", *([""] if with_iban else [])])


def k_pcard_list(g: Gen) -> TableDoc:
    """Purchasing-card holders: staff names with card numbers and limits."""
    r, t = g.r, Tally()
    ncols, namef = _name_cols(g, "Cardholder")
    head = [*ncols, _pick(g, "Card Number", "P-Card #", "Card No.", "Acct (Card)"), "Exp", "Dept",
            _pick(g, "Single Limit", "Txn Limit"), "Monthly Limit"]
    rows = []
    for _ in range(r.randint(5, 25)):
        p = g.person("staff")
        t.put("PERSON", p.name(), p.key)
        rows.append([*namef(p), t.put("CREDIT_CARD", g.card(), p.key), f"{r.randint(1, 12):02d}/{r.randint(26, 29)}",
                     _pick(g, "Facilities", "Athletics", "Food Services", "Library", "Science"),
                     f"{r.choice((500, 1000, 2500))}", f"{r.choice((2500, 5000, 10000))}"])
    t.classes |= {"MA_PI", "EMPLOYEE_PII"}
    return TableDoc(Table(_pick(g, "Procurement card holders", "P-Card program - active cards"),
                          ["Finance office - employee cardholder agreement on file"], [head], rows,
                          [[f"{len(rows)} active cards"]]), t, "pcard_holders")


def _student_rows(g: Gen, t: Tally, n: int, cols: list[tuple[str, Callable[[Person], str]]],
                  who: str = "Student") -> tuple[list[str], list[list[str]]]:
    """Header and rows of a student table: name columns first, then ``cols`` (header, cell function)."""
    ncols, namef = _name_cols(g, who)
    rows = []
    for _ in range(n):
        s = g.student()
        t.put("PERSON", s.name(), s.key)
        t.subjects.add(s.key)
        rows.append([*namef(s), *[f(s) for _, f in cols]])
    return [*ncols, *[h for h, _ in cols]], rows


def _sens_flags(g: Gen, t: Tally, names: Sequence[str], p: float = 0.15) -> list[tuple[str, Callable[[Person], str]]]:
    """Special-indicator flag columns; the item is STUDENT_SENSITIVE when any cell is set."""

    def cell(s: Person) -> str:
        v = _flag(g, p)
        if v == "Y":
            t.classes.add("STUDENT_SENSITIVE")
        return v

    return [(n, cell) for n in names]


def k_sis_enrollment(g: Gen) -> TableDoc:
    """SIS enrollment export with SASID, local ID, birthdate and program flags."""
    r, t = g.r, Tally()
    dob_style = _pick(g, "iso", "us", "us_short", "dmy")
    cols: list[tuple[str, Callable[[Person], str]]] = [
        (_pick(g, "SASID", "State ID", "DOE001 SASID", "State Student ID"),
         lambda s: t.put("MA_SASID", g.sasid(), s.key)),
        (_pick(g, "Local ID", "Student Number", "LASID", "Stu #"), lambda s: t.put("STUDENT_ID", g.lasid(), s.key)),
        (_pick(g, "Birthdate", "Date of Birth", "DOB", "Birth Date"),
         lambda s: t.put("DATE_OF_BIRTH", g.dob(s, dob_style), s.key)),
        (_pick(g, "Gr", "Grade", "Grade Level"), lambda s: s.grade),
        ("School", lambda s: r.choice(SCHOOLS)),
        ("Entry Date", lambda s: f"{g.day():%m/%d/%Y}"),
    ]  # fmt: skip
    if r.random() < 0.6:
        cols += _sens_flags(g, t, r.sample(("SPED", "ELL", "504", "IEP"), r.randint(1, 3)))
    head, rows = _student_rows(g, t, r.randint(10, 60), cols)
    t.classes.add("STUDENT_PII")
    return TableDoc(Table(_pick(g, "SIS Enrollment Export", "Enrollment - new entrants", "October 1 SIMS extract"),
                          [f"District 0049   School year 2024-2025   Extract {g.day():%m/%d/%Y}"], [head], rows,
                          [[f"Count: {len(rows)}"]]), t, "sis_enrollment",
                    ["Student", *[""] * (len(head) - 1)])


def k_attendance_report(g: Gen, big: bool = False) -> TableDoc:
    """Attendance report: one row per absence/tardy; the big one has 2,000 rows over a few hundred students."""
    r, t = g.r, Tally()
    pool = [g.student() for _ in range(r.randint(150, 250) if big else r.randint(6, 20))]
    ids = {s.key: g.sasid() for s in pool}
    ncols, namef = _name_cols(g, "Student")
    head = ["Date", _pick(g, "SASID", "State ID"), *ncols, "Gr", _pick(g, "Status", "Code", "Att. Code"), "Period"]
    rows = []
    for _ in range(2000 if big else r.randint(20, 80)):
        s = r.choice(pool)
        t.put("PERSON", s.name(), s.key)
        rows.append([f"{g.day():%m/%d/%Y}", t.put("MA_SASID", ids[s.key], s.key), *namef(s), s.grade,
                     _pick(g, "A", "T", "D", "AE", "AU"), _pick(g, "AM", "1", "2", "3", "Full day")])
    t.classes.add("STUDENT_PII")
    return TableDoc(Table(_pick(g, "Daily Attendance Report", "Attendance exceptions by date", "Absence Report"),
                          [f"{r.choice(SCHOOLS)}  -  Term 1"], [head], rows,
                          [[f"Records: {len(rows)}"]]), t, "attendance_report" + ("_full_year" if big else ""))


def k_gradebook(g: Gen) -> TableDoc:
    """Gradebook with numeric/code headers (Quiz 2, HW 3, Q1)."""
    r, t = g.r, Tally()
    assessments = r.sample(("Quiz 1", "Quiz 2", "Quiz 3", "HW 1", "HW 2", "HW 3", "HW 4", "Q1", "Q2", "Lab 1",
                            "Unit Test 2", "Midterm", "Proj 1"), r.randint(4, 8))
    cols: list[tuple[str, Callable[[Person], str]]] = [
        (_pick(g, "ID", "Student ID", "Local ID", "Stu #"), lambda s: t.put("STUDENT_ID", g.lasid(), s.key))]
    cols += [(a, lambda s: str(r.randint(55, 100))) for a in assessments]
    cols.append(("Avg", lambda s: f"{r.uniform(60, 99):.1f}"))
    head, rows = _student_rows(g, t, r.randint(12, 32), cols)
    t.classes.add("STUDENT_PII")
    course = _pick(g, "Algebra I", "Biology", "ELA 7", "World History", "Chemistry", "Grade 4 Math")
    return TableDoc(Table(f"Gradebook - {course}", [f"Teacher: {_pick(g, 'Rm 204', 'Rm 118', 'Rm 310')}  Term: Q2"],
                          [head], rows, [["Class average", "", f"{r.uniform(70, 90):.1f}"]]), t, "gradebook",
                    ["Student", *[""] * (len(head) - len(assessments) - 1), "Assessments", *[""] * len(assessments)])


def k_lunch_status(g: Gen) -> TableDoc:
    """Free/reduced lunch list with F/R / Meal Status columns."""
    r, t = g.r, Tally()
    h = _pick(g, "F/R", "Meal Status", "Meal Eligibility", "Lunch Code", "Elig.")
    codes = {"F/R": ("F", "R", "P"), "Lunch Code": ("F", "R", "P", "D")}.get(
        h, ("Free", "Reduced", "Paid", "Direct Cert"))
    cols: list[tuple[str, Callable[[Person], str]]] = [
        (_pick(g, "ID", "Student #", "LASID"), lambda s: t.put("STUDENT_ID", g.lasid(), s.key)),
        ("Grade", lambda s: s.grade),
        (h, lambda s: r.choice(codes)),
    ]
    head, rows = _student_rows(g, t, r.randint(10, 50), cols)
    t.classes |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    return TableDoc(Table(_pick(g, "Meal Benefits Roster", "Food Services - eligibility list", "F/R status by school"),
                          [f"{r.choice(SCHOOLS)}", "Confidential - USDA program data"], [head], rows), t,
                    "meal_eligibility")


def k_bus_roster(g: Gen) -> TableDoc:
    """Bus roster: riders, stops, guardian phones."""
    r, t = g.r, Tally()
    cols: list[tuple[str, Callable[[Person], str]]] = [
        ("Gr", lambda s: s.grade),
        ("Stop", lambda s: f"{r.choice(STREETS)} & {r.choice(STREETS)}"),
        (_pick(g, "AM", "Pickup"), lambda s: f"7:{r.randint(5, 55):02d}"),
    ]
    if r.random() < 0.5:
        cols.insert(0, (_pick(g, "SASID", "State ID"), lambda s: t.put("MA_SASID", g.sasid(), s.key)))
    if r.random() < 0.6:
        cols.append((_pick(g, "Guardian Phone", "Contact #", "Parent Cell"),
                     lambda s: t.put("PHONE_NUMBER", g.phone(), s.key)))
    head, rows = _student_rows(g, t, r.randint(10, 45), cols, "Rider")
    t.classes.add("STUDENT_PII")
    return TableDoc(Table(f"Bus {r.randint(1, 60)} - student riders", [f"Route {r.randint(100, 999)}   Depot: Main"],
                          [head], rows), t, "bus_roster")


def k_staff_directory(g: Gen) -> TableDoc:
    """Staff directory: names, titles, work e-mails and phones (not a personnel record)."""
    r, t = g.r, Tally()
    ncols, namef = _name_cols(g, "Staff")
    head = [*ncols, "Title", "School", "Email", "Ext."]
    rows = []
    for _ in range(r.randint(8, 40)):
        p = g.person("staff")
        t.put("PERSON", p.name(), p.key)
        rows.append([*namef(p), r.choice(STAFF_TITLES), r.choice(SCHOOLS),
                     t.put("EMAIL_ADDRESS", g.email(p, "example.org"), p.key), f"x{r.randint(2000, 6999)}"])
    return TableDoc(Table("Staff Directory", [f"Updated {g.day():%B %Y}"], [head], rows), t, "staff_directory")


def k_w4_summary(g: Gen) -> TableDoc:
    """W-4 / W-2 tax summary table: SSN (a few ITIN) and wages."""
    r, t = g.r, Tally()
    ncols, namef = _name_cols(g, "Employee")
    head = [_pick(g, "Emp ID", "Employee #"), *ncols, _pick(g, "SSN/ITIN", "TIN", "Taxpayer ID"), "Filing Status",
            "Allowances", "Box 1 Wages"]
    rows = []
    for _ in range(r.randint(6, 30)):
        p = g.person("staff")
        t.put("PERSON", p.name(), p.key)
        tin = t.put("US_ITIN", g.itin(), p.key) if r.random() < 0.15 else t.put("US_SSN", g.ssn(), p.key)
        rows.append([t.put("EMPLOYEE_ID", g.emp_id(), p.key), *namef(p), tin,
                     _pick(g, "Single", "Married filing jointly", "Head of household"), str(r.randint(0, 4)),
                     f"{r.uniform(18000, 98000):,.2f}"])
    t.classes |= {"MA_PI", "EMPLOYEE_PII"}
    return TableDoc(Table(_pick(g, "W-4 Withholding Summary", "W-2 Reconciliation - Tax Year 2024"),
                          ["Human Resources / Payroll"], [head], rows), t, "w4_summary")


def k_field_trip(g: Gen) -> TableDoc:
    """Field-trip permission list; a medication column makes it sensitive."""
    r, t = g.r, Tally()
    cols: list[tuple[str, Callable[[Person], str]]] = [
        ("Gr", lambda s: s.grade), ("Permission", lambda s: _pick(g, "Y", "Y", "Y", "N", "pending")),
        ("Guardian Cell", lambda s: t.put("PHONE_NUMBER", g.phone(), s.key))]
    if r.random() < 0.5:
        def med(s: Person) -> str:
            v = r.choice(("", "", "", "EpiPen (peanut allergy)", "Inhaler - asthma", "Insulin"))
            if v:
                t.classes.add("STUDENT_SENSITIVE")
            return v
        cols.append((_pick(g, "Medication", "Medical Notes", "Health"), med))
    head, rows = _student_rows(g, t, r.randint(10, 28), cols)
    t.classes.add("STUDENT_PII")
    return TableDoc(Table(f"Field trip permission - {_pick(g, 'Museum of Science', 'Harvard Forest', 'Drumlin Farm')}",
                          [f"Departs {g.day():%m/%d/%Y} 8:15 AM"], [head], rows), t, "field_trip_list")


def k_discipline_log(g: Gen) -> TableDoc:
    """Discipline log: incidents and consequences (sensitive)."""
    r, t = g.r, Tally()
    cols: list[tuple[str, Callable[[Person], str]]] = [
        ("Date", lambda s: f"{g.day():%m/%d/%Y}"),
        (_pick(g, "SASID", "ID"), lambda s: t.put("MA_SASID", g.sasid(), s.key)),
        ("Gr", lambda s: s.grade),
        ("Incident", lambda s: _pick(g, "Fighting", "Disruption", "Vaping", "Bullying", "Skipping class")),
        (_pick(g, "Action", "Consequence"), lambda s: _pick(g, "1-day suspension", "Detention", "Parent conference",
                                                             "3-day out-of-school suspension")),
    ]
    head, rows = _student_rows(g, t, r.randint(8, 30), cols)
    t.classes |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    return TableDoc(Table(_pick(g, "Discipline Log", "Behavior incidents - Q1", "Conduct referrals"),
                          ["Dean of Students office"], [head], rows), t, "discipline_log")


def k_nurse_log(g: Gen) -> TableDoc:
    """Nurse visit log."""
    r, t = g.r, Tally()
    cols: list[tuple[str, Callable[[Person], str]]] = [
        ("Date/Time", lambda s: f"{g.day():%m/%d} {r.randint(8, 14)}:{r.randint(0, 59):02d}"),
        ("Gr", lambda s: s.grade),
        (_pick(g, "Complaint", "Reason for visit"),
         lambda s: _pick(g, "headache", "asthma symptoms", "stomach ache", "insulin check", "seizure watch",
                         "injury - recess")),
        (_pick(g, "Action", "Disposition"),
         lambda s: _pick(g, "returned to class", "sent home", "ice", "medication given")),
    ]
    if r.random() < 0.4:
        cols.insert(0, ("DOB", lambda s: t.put("DATE_OF_BIRTH", g.dob(s), s.key)))
    head, rows = _student_rows(g, t, r.randint(8, 40), cols)
    t.classes |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    return TableDoc(Table(_pick(g, "Health Office Visit Log", "Nurse log - week of " + f"{g.day():%m/%d}"),
                          [r.choice(SCHOOLS)], [head], rows), t, "nurse_log")


def k_mepid_list(g: Gen) -> TableDoc:
    """Educator list with MEPIDs."""
    r, t = g.r, Tally()
    ncols, namef = _name_cols(g, "Educator")
    head = [*ncols, _pick(g, "MEPID", "EPIMS ID", "MA Educator ID", "MEPID #"), "Position", "School", "FTE"]
    rows = []
    for _ in range(r.randint(8, 40)):
        p = g.person("staff")
        t.put("PERSON", p.name(), p.key)
        rows.append([*namef(p), t.put("MA_MEPID", g.mepid(), p.key), r.choice(STAFF_TITLES), r.choice(SCHOOLS),
                     _pick(g, "1.0", "0.5", "0.8")])
    t.classes.add("EMPLOYEE_PII")
    return TableDoc(Table(_pick(g, "EPIMS Educator Roster", "Educator list (SIF export)", "Staff assignments - EPIMS"),
                          ["October 1 collection"], [head], rows), t, "epims_educators")


def k_pasted_roster_mail(g: Gen) -> TableDoc:
    """A class roster (names, SASIDs, DOB) meant to be pasted into a mail."""
    r, t = g.r, Tally()
    cols: list[tuple[str, Callable[[Person], str]]] = [
        (_pick(g, "SASID", "State ID"), lambda s: t.put("MA_SASID", g.sasid(), s.key)),
        ("DOB", lambda s: t.put("DATE_OF_BIRTH", g.dob(s, "us"), s.key)),
        ("Grade", lambda s: s.grade)]
    head, rows = _student_rows(g, t, r.randint(5, 20), cols)
    t.classes.add("STUDENT_PII")
    return TableDoc(Table(_pick(g, "Homeroom 204 roster", "Reading group list", "New students this week"), [],
                          [head], rows), t, "roster_for_mail")


# ---- PI-free table kinds -----------------------------------------------------------------------------------


def k_library_catalog(g: Gen) -> TableDoc:
    """Library catalog export: authors, ISBNs, 14-digit barcodes (no district people)."""
    r, t = g.r, Tally()
    head = ["Title", _pick(g, "Author", "Author (Last, First)", "Creator"), "ISBN", _pick(g, "Barcode", "Item Barcode",
                                                                                          "Copy #"),
            "Call No.", "Status"]
    rows = []
    for _ in range(r.randint(15, 60)):
        rows.append([r.choice(TITLES), t.decoy("PERSON", r.choice(AUTHORS)), t.decoy("ISBN", g.isbn13()),
                     t.decoy("US_BANK_NUMBER", g.barcode14()),
                     f"FIC {r.choice('ABCDEFGHJKLMNPRSTW')}{r.randint(10, 99)}",
                     _pick(g, "Available", "Checked out", "In transit")])
    return TableDoc(Table(_pick(g, "Library catalog export", "Destiny - title list", "Collection inventory"),
                          [f"Site: {r.choice(SCHOOLS)} Library"], [head], rows, [[f"{len(rows)} titles"]]), t,
                    "library_catalog")


def k_asset_inventory(g: Gen) -> TableDoc:
    """Asset inventory: tags, serials, PO numbers."""
    r, t = g.r, Tally()
    head = [_pick(g, "Asset Tag", "Tag #", "Asset No."), _pick(g, "Serial", "Serial Number", "S/N"), "Model", "Room",
            "PO #", "Purchased", "Cost"]
    rows = []
    for _ in range(r.randint(15, 70)):
        rows.append([t.decoy("ASSET_TAG", g.asset_tag()), t.decoy("SERIAL", g.serial()), r.choice(DEVICES),
                     f"Rm {r.randint(100, 350)}", t.decoy("US_BANK_NUMBER", g.digits(10, "4")),
                     f"{g.day(2022):%m/%d/%Y}", f"{r.uniform(180, 2400):.2f}"])
    return TableDoc(Table("IT asset inventory", [f"Building: {r.choice(SCHOOLS)}"], [head], rows,
                          [["", "", "", "", "", "Total", f"{r.uniform(20000, 90000):,.2f}"]]), t, "asset_inventory")


def k_purchase_orders(g: Gen) -> TableDoc:
    """Purchase order log: PO numbers, vendor numbers, account codes."""
    r, t = g.r, Tally()
    head = ["PO Number", "Vendor #", "Vendor", "Description", "Budget Acct", "Amount"]
    rows = []
    for _ in range(r.randint(10, 40)):
        rows.append([t.decoy("US_BANK_NUMBER", f"{r.randint(24, 25)}{g.digits(7)}"), g.digits(6),
                     _pick(g, "W.B. Mason", "CDW-G", "School Specialty", "Scholastic", "Amazon Business"),
                     _pick(g, "classroom supplies", "toner", "library books", "chromebook licenses"),
                     t.decoy("ACCOUNT_CODE", f"{r.randint(1, 99):02d}-{r.randint(100, 999)}-{r.randint(1000, 9999)}-"
                             f"{r.randint(5000, 5999)}"), f"{r.uniform(40, 9000):,.2f}"])
    return TableDoc(Table("Purchase orders issued", [f"Fiscal year 2025  Printed {g.day():%m/%d/%Y}"], [head], rows,
                          [["", "", "", "", "Total", f"{r.uniform(50000, 200000):,.2f}"]]), t, "purchase_orders")


def k_budget_sheet(g: Gen) -> TableDoc:
    """Budget sheet: chart-of-accounts codes and amounts."""
    r, t = g.r, Tally()
    head = ["Account", "Description", "FY24 Actual", "FY25 Budget", "Change"]
    rows = []
    for _ in range(r.randint(12, 40)):
        a, b = r.uniform(1e4, 2e6), r.uniform(1e4, 2e6)
        rows.append([t.decoy("ACCOUNT_CODE", f"{r.randint(1000, 1999)}.{r.randint(100, 999)}.{r.randint(5100, 5999)}"),
                     _pick(g, "Teacher salaries", "Instructional supplies", "Transportation contract", "Utilities",
                           "Substitutes", "Professional development", "Special education tuition"),
                     f"{a:,.0f}", f"{b:,.0f}", f"{b - a:+,.0f}"])
    return TableDoc(Table("FY25 Budget Detail", ["School Committee draft"], [head], rows,
                          [["", "Total", "", f"{r.uniform(1e7, 9e7):,.0f}", ""]]), t, "budget_fy25",
                    ["", "", "Fiscal year", "", ""])


def k_job_titles(g: Gen) -> TableDoc:
    """Job titles and salary grades (no people)."""
    r, t = g.r, Tally()
    head = ["Job Code", "Title", "Department", "Grade", "FTE Budgeted"]
    rows = [[f"J{r.randint(1000, 9999)}", t.decoy("PERSON", ti), _pick(g, "Schools", "Central Office", "Facilities"),
             f"{r.randint(1, 20)}", f"{r.uniform(1, 40):.1f}"] for ti in r.sample(STAFF_TITLES, r.randint(8, 14))]
    return TableDoc(Table("Position control - job titles", [], [head], rows), t, "job_titles")


def k_course_catalog(g: Gen) -> TableDoc:
    """Course catalog: course codes, credits, grade levels."""
    r, t = g.r, Tally()
    head = ["Course #", "Course", "Grades", "Credits", "Prerequisite"]
    rows = [[f"{r.randint(100, 999)}{r.choice('ABH')}", _pick(g, "Biology", "AP Chemistry", "Spanish II", "Ceramics",
                                                              "Computer Science Principles", "US History"),
             _pick(g, "9-10", "11-12", "9-12"), _pick(g, "5", "2.5", "10"),
             _pick(g, "none", "Algebra I", "Grade 9 ELA")]
            for _ in range(r.randint(10, 30))]
    return TableDoc(Table("Program of Studies", ["High school course catalog"], [head], rows), t, "course_catalog")


def k_bell_schedule(g: Gen) -> TableDoc:
    """Bell schedule: periods and times."""
    r, t = g.r, Tally()
    head = ["Period", "Start", "End", "Room block"]
    rows = [[f"Period {i}", f"{7 + i}:{r.randint(0, 5)}0", f"{8 + i}:{r.randint(0, 5)}0", f"Block {'ABCDEFG'[i - 1]}"]
            for i in range(1, 8)]
    return TableDoc(Table("Bell schedule", [r.choice(SCHOOLS)], [head], rows), t, "bell_schedule")


def k_lunch_menu(g: Gen) -> TableDoc:
    """Lunch menu table."""
    t = Tally()
    head = ["Day", "Entree", "Vegetarian", "Sides"]
    rows = [[d, _pick(g, "Chicken tacos", "Pasta bake", "Fish sticks", "Bean chili", "Cheese pizza"),
             _pick(g, "Hummus wrap", "Veggie burger", "Mac and cheese"), _pick(g, "Corn, apple", "Salad bar", "Rice")]
            for d in ("Mon", "Tue", "Wed", "Thu", "Fri")]
    return TableDoc(Table(f"Lunch menu - week of {g.day():%B %d}", [f"Questions: {g.office_phone()}"], [head], rows),
                    t, "lunch_menu")


# ---- forms ------------------------------------------------------------------------------------------------


def k_iep_notice(g: Gen) -> FormDoc:
    """IEP meeting notice as a two-column form."""
    r, t = g.r, Tally()
    s, parent, cm = g.student(), g.person("parent"), g.person("staff")
    pairs = [("Student", t.put("PERSON", s.name(_pick(g, "first last", "last, first")), s.key)),
             ("Date of Birth", t.put("DATE_OF_BIRTH", g.dob(s), s.key)),
             (_pick(g, "SASID", "State ID #"), t.put("MA_SASID", g.sasid(), s.key)),
             ("Grade", s.grade), ("School", r.choice(SCHOOLS)),
             (_pick(g, "Disability Category", "Primary Disability"), _pick(g, "Specific Learning Disability", "Autism",
                                                                          "Communication", "Health")),
             ("Parent/Guardian", t.put("PERSON", parent.name(), parent.key)),
             ("Phone", t.put("PHONE_NUMBER", g.phone(), parent.key)),
             ("Meeting", f"{g.day():%m/%d/%Y} 3:15 PM"), ("Case Manager", t.put("PERSON", cm.name(), cm.key))]
    after = ["Purpose: annual review of the IEP and consideration of extended-year services.",
             "Please contact the case manager if this time does not work for your family."]
    t.classes |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    return FormDoc(["Notice of Team Meeting - Individualized Education Program", "Special Education Department"],
                   pairs, after, t, "iep_meeting_notice")


def k_plan_504(g: Gen) -> FormDoc:
    """Section 504 plan."""
    r, t = g.r, Tally()
    s, coord = g.student(), g.person("staff")
    pairs = [("Name", t.put("PERSON", s.name(_pick(g, "first last", "first m. last")), s.key)),
             ("DOB", t.put("DATE_OF_BIRTH", g.dob(s), s.key)),
             (_pick(g, "Student ID", "ID"), t.put("STUDENT_ID", g.lasid(), s.key)),
             ("Grade", s.grade), ("Condition", _pick(g, "Type 1 diabetes", "ADHD", "Severe peanut allergy", "Asthma")),
             ("Accommodations", "extended time; preferential seating; access to nurse"),
             ("504 Coordinator", t.put("PERSON", coord.name(), coord.key))]
    t.classes |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    return FormDoc(["Section 504 Accommodation Plan", r.choice(SCHOOLS)], pairs,
                   ["Review date: next annual meeting."], t, "plan_504")


def k_registration_form(g: Gen) -> FormDoc:
    """New-student registration form."""
    r, t = g.r, Tally()
    s, p1, p2 = g.student(), g.person("parent"), g.person("parent")
    pairs = [("Student Last Name", s.last), ("Student First Name", s.first),
             ("Date of Birth", t.put("DATE_OF_BIRTH", g.dob(s), s.key)),
             ("Grade Entering", s.grade), ("Home Address", g.address()),
             ("Parent/Guardian 1", t.put("PERSON", p1.name(), p1.key)),
             ("Cell", t.put("PHONE_NUMBER", g.phone(), p1.key)),
             ("Email", t.put("EMAIL_ADDRESS", g.email(p1), p1.key)),
             ("Parent/Guardian 2", t.put("PERSON", p2.name(_pick(g, "first last", "last, first")), p2.key)),
             ("Previous School", _pick(g, "Brookline Early Education", "none", "Somerville Public Schools"))]
    t.put("PERSON", s.name(), s.key)  # split Last/First fields: one full name
    if r.random() < 0.4:
        pairs.insert(3, ("SASID (if known)", t.put("MA_SASID", g.sasid(), s.key)))
    t.classes.add("STUDENT_PII")
    return FormDoc(["Student Registration Form", "Family Resource Center"], pairs,
                   ["Signature of parent/guardian: ______________"], t, "registration")


def k_emergency_card(g: Gen) -> FormDoc:
    """Emergency contact card."""
    r, t = g.r, Tally()
    s, p1, doc = g.student(), g.person("parent"), g.person("staff")
    pairs = [("Student", t.put("PERSON", s.name(_pick(g, "FIRST LAST", "first last", "last, first")), s.key)),
             ("Birthdate", t.put("DATE_OF_BIRTH", g.dob(s), s.key)), ("Homeroom", f"{r.randint(100, 330)}"),
             ("Emergency Contact", t.put("PERSON", p1.name(), p1.key)),
             ("Relationship", _pick(g, "Mother", "Father", "Aunt", "Grandparent")),
             ("Contact Phone", t.put("PHONE_NUMBER", g.phone(), p1.key)),
             ("Physician", "Dr. " + t.put("PERSON", doc.name(), doc.key))]
    if r.random() < 0.5:
        pairs.append(("Allergies / Medical", _pick(g, "Peanuts - EpiPen in office", "Asthma - inhaler",
                                                   "Seizure disorder")))
        t.classes.add("STUDENT_SENSITIVE")
    if r.random() < 0.3:
        pairs.append(("MassHealth ID", t.put("MASSHEALTH_ID", g.masshealth(), s.key)))
    t.classes.add("STUDENT_PII")
    return FormDoc(["Emergency Information Card", "Keep on file in the main office"], pairs, [], t, "emergency_card")


def k_w4_form(g: Gen) -> FormDoc:
    """A single employee's W-4 style form."""
    r, t = g.r, Tally()
    p = g.person("staff")
    pairs = [("Employee Name", t.put("PERSON", p.name(_pick(g, "first m. last", "first last")), p.key)),
             ("Social Security Number", t.put("US_SSN", g.ssn(_pick(g, "dash", "space")), p.key)),
             ("Address", g.address()), ("Filing Status", _pick(g, "Single", "Married filing jointly")),
             ("Employee ID", t.put("EMPLOYEE_ID", g.emp_id(), p.key)), ("Extra withholding", f"{r.randint(0, 80)}.00")]
    t.classes |= {"MA_PI", "EMPLOYEE_PII"}
    return FormDoc(["Form W-4 Employee's Withholding Certificate", "Payroll Office copy"], pairs,
                   ["Employee signature on file."], t, "w4_form")


def k_vendor_ach(g: Gen) -> FormDoc:
    """Vendor ACH enrollment: an individual payee (MA_PI) or a company (accounts, no person)."""
    r, t = g.r, Tally()
    individual = r.random() < 0.6
    pairs: list[tuple[str, str]] = []
    if individual:
        p = g.person("vendor")
        pairs.append(("Payee Name", t.put("PERSON", p.name(), p.key)))
        pairs.append(("Business Name", f"{p.last} Tutoring Services"))
        key: str | None = p.key
        t.classes.add("MA_PI")
    else:
        pairs.append(("Company", _pick(g, "Northeast Bus Parts LLC", "Cambridge Copier Co.",
                                       "Greenline Catering Inc.")))
        key = None
    pairs += [("Vendor Number", g.digits(6)), (_pick(g, "ABA Routing", "Routing No.", "Bank Routing Number"),
                                               t.put("ABA_ROUTING_NUMBER", g.aba(), key)),
              (_pick(g, "Account Number", "Acct No.", "Checking Account #"), t.put("US_BANK_NUMBER", g.account(), key)),
              ("Account Type", _pick(g, "Checking", "Savings"))]
    if r.random() < 0.5:
        pairs.append(("IBAN (international)", t.put("IBAN_CODE", g.iban(), key)))
    return FormDoc(["ACH Vendor Enrollment Form", "Accounts Payable"], pairs,
                   ["Attach a voided check. Changes take one pay cycle."], t, "vendor_ach")


def k_transcript(g: Gen) -> FormDoc:
    """Transcript: student header fields and a course list as label/value lines."""
    r, t = g.r, Tally()
    s = g.student()
    pairs = [("Student", t.put("PERSON", s.name(_pick(g, "last, first", "first last", "LAST, FIRST")), s.key)),
             ("SASID", t.put("MA_SASID", g.sasid(), s.key)),
             ("Date of Birth", t.put("DATE_OF_BIRTH", g.dob(s), s.key)),
             ("Graduation Year", str(r.randint(2025, 2028)))]
    for _ in range(r.randint(4, 8)):
        pairs.append((_pick(g, "English 10", "Geometry", "Chemistry", "US History", "Spanish III", "Art I"),
                      f"{_pick(g, 'A', 'A-', 'B+', 'B', 'C+')}  5.0 cr"))
    pairs.append(("Cumulative GPA", f"{r.uniform(2.2, 4.0):.2f}"))
    t.classes.add("STUDENT_PII")
    return FormDoc(["Official Transcript", "Cambridge Rindge and Latin School"], pairs,
                   ["This transcript is not valid without the registrar's seal."], t, "transcript")


def k_invoice(g: Gen) -> FormDoc:
    """Vendor invoice (PI-free): invoice and customer numbers, totals."""
    r, t = g.r, Tally()
    pairs = [("Invoice #", t.decoy("US_BANK_NUMBER", g.digits(10, "7"))), ("Customer #", g.digits(8)),
             ("PO Number", t.decoy("US_BANK_NUMBER", f"{r.randint(24, 25)}{g.digits(7)}")),
             ("Invoice Date", f"{g.day():%m/%d/%Y}"), ("Bill To", "Cambridge Public Schools, Accounts Payable"),
             ("Remit Phone", g.office_phone())]
    for _ in range(r.randint(2, 6)):
        pairs.append((_pick(g, "Toner cartridges", "Copy paper (case)", "Field trip bus", "Catering - PD day"),
                      f"{r.uniform(30, 900):.2f}"))
    pairs.append(("Amount Due", f"{r.uniform(500, 9000):,.2f}"))
    return FormDoc([f"INVOICE - {_pick(g, 'Cambridge Copier Co.', 'Greenline Catering Inc.', 'Yellow Line Transit')}"],
                   pairs, ["Net 30. Thank you for your business."], t, "invoice")


# ---- prose ------------------------------------------------------------------------------------------------


def k_counselor_note(g: Gen) -> tuple[str, str, list[str], Tally, tuple[str, str] | None]:
    """Counselor contact note: names in free prose (surname-only mentions are not full names)."""
    r, t = g.r, Tally()
    s, parent, author = g.student(), g.person("parent"), g.person("staff")
    parent = Person(parent.key, parent.first, s.last, parent.middle, "parent", parent.dob)
    phone = t.put("PHONE_NUMBER", g.phone(), parent.key)
    full = t.put("PERSON", s.name(_pick(g, "first last", "first m. last")), s.key)
    paras = [f"{g.day():%m/%d/%Y} - Called the {s.last} home re: {full} - missing homework and two absences, "
             f"reached {t.put('PERSON', parent.name(), parent.key)} at {phone}.",
             f"{s.first} says things are hard at home since the move. Will check in weekly during advisory; "
             "referred to the adjustment counselor for a mental health screening.",
             _pick(g, f"Follow-up: {s.first} came by at lunch and seemed calmer.", "Follow-up: no change this week.")]
    if r.random() < 0.5:
        paras.append(f"SASID {t.put('MA_SASID', g.sasid(), s.key)}, grade {s.grade}.")
    paras.append(f"-- {t.put('PERSON', author.name(), author.key)}, School Counselor")
    t.classes |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    return "counselor_note", "Counseling contact log", paras, t, None


def k_counselor_mail(g: Gen) -> tuple[str, str, list[str], Tally, tuple[str, str] | None]:
    """A scheduling mail signed by a school counselor: names and IDs, no sensitive statement about anyone."""
    r, t = g.r, Tally()
    author, to = g.person("staff"), g.person("staff")
    from_h = f"{t.put('PERSON', author.name(), author.key)} <{t.put('EMAIL_ADDRESS', 'counselor@example.org')}>"
    to_h = f"{t.put('PERSON', to.name(), to.key)} <{t.put('EMAIL_ADDRESS', g.email(to, 'example.org'), to.key)}>"
    lines = []
    for _ in range(r.randint(3, 8)):
        s = g.student()
        lines.append(f"{t.put('PERSON', s.name(_pick(g, 'first last', 'last, first')), s.key)} "
                     f"({t.put('MA_SASID', g.sasid(), s.key)}) - grade {s.grade}, period {r.randint(1, 7)}")
    paras = [f"Hi {to.first},", "These students are moving into your section of Biology starting Monday "
             "(name, SASID). Their schedules are updated in Aspen:", "\n".join(lines), "Thanks!",
             f"{author.name()}\nSchool Counselor\nCambridge Rindge and Latin School\n"
             + t.put("EMAIL_ADDRESS", "counselor@example.org")]
    t.put("PERSON", author.name(), author.key)  # the signature repeats the full name
    t.classes.add("STUDENT_PII")
    return "schedule_changes", "Schedule changes - Biology", paras, t, (from_h, to_h)


def k_payment_mail(g: Gen) -> tuple[str, str, list[str], Tally, tuple[str, str] | None]:
    """A parent pays a fee by writing the card number into a message (name near a card: MA_PI)."""
    r, t = g.r, Tally()
    parent, child, to = g.person("parent"), g.student(), g.person("staff")
    from_h = f"{t.put('PERSON', parent.name(), parent.key)} <{t.put('EMAIL_ADDRESS', g.email(parent), parent.key)}>"
    to_h = f"{t.put('PERSON', to.name(), to.key)} <{t.put('EMAIL_ADDRESS', g.email(to, 'example.org'), to.key)}>"
    card = t.put("CREDIT_CARD", g.card(), parent.key)
    paras = [f"Hello {to.first},",
             f"I could not get the online payment to work for my {_pick(g, 'son', 'daughter', 'child')} "
             f"{t.put('PERSON', child.name(), child.key)}'s "
             f"{_pick(g, 'field trip', 'yearbook', 'after-school program')} fee. Please charge my card "
             f"{card}, exp {r.randint(1, 12):02d}/{r.randint(26, 29)}, billing zip {r.choice(TOWNS)[1]}.",
             "Thank you,", parent.name()]
    t.put("PERSON", parent.name(), parent.key)  # the signature repeats the full name
    t.classes |= {"MA_PI", "STUDENT_PII"}
    return "fee_payment", _pick(g, "Trip fee", "Payment for program", "Re: fee"), paras, t, (from_h, to_h)


def k_counseling_announcement(g: Gen) -> tuple[str, str, list[str], Tally, tuple[str, str] | None]:
    """A counseling office announcement (PI-free): signed by the role, sent from the counselor mailbox."""
    t = Tally()
    event = _pick(g, "College and Career Night", "FAFSA completion workshop", "Course selection info session",
                  "Grade 9 transition coffee")
    paras = [_pick(g, "Dear families,", "Hello juniors and seniors,"),
             f"The School Counseling Department invites you to our {event} on {g.day():%A, %B %d} at 6:30 PM in the "
             "library. Counselors will be available to answer questions about schedules and applications.",
             "No appointment is needed. Interpreters are available on request.",
             "Warmly,\nSchool Counseling Department\nSchool Counselor on duty: Room 112\n"
             f"{t.decoy('EMAIL_ADDRESS', 'counselor@example.org')} | {t.decoy('PHONE_NUMBER', g.office_phone())}"]
    mail = (f"School Counseling <{t.decoy('EMAIL_ADDRESS', 'counselor@example.org')}>",
            f"Families <{t.decoy('EMAIL_ADDRESS', 'families@example.org')}>")
    return "counseling_announcement", event, paras, t, mail


def k_newsletter(g: Gen) -> tuple[str, str, list[str], Tally, tuple[str, str] | None]:
    """Family newsletter (PI-free): dates, office phone, the counseling office named as a department."""
    r, t = g.r, Tally()
    paras = [f"Welcome back! Picture day is {g.day():%B %d}. Book fair runs all week in the library.",
             f"The Counseling Office (School Counselor, Room 112) hosts a family coffee on {g.day():%A, %B %d}. "
             "Questions about the nurse's office forms? Call " + t.decoy("PHONE_NUMBER", g.office_phone()) + ".",
             f"Grade 5 families: the Museum of Science trip is {g.day():%m/%d}. Forms are due Friday.",
             "- The Principal's Office"]
    return "newsletter", f"{r.choice(SCHOOLS)} Family Newsletter", paras, t, None


def k_lesson_plan(g: Gen) -> tuple[str, str, list[str], Tally, tuple[str, str] | None]:
    """Lesson plan about historical figures (names with birth dates that are no district people's)."""
    r, t = g.r, Tally()
    figs = r.sample(HISTORICAL, 3)
    paras = [f"Grade {r.randint(4, 11)} - Massachusetts reformers. Essential question: who changed schooling here?"]
    for name, born in figs:
        paras.append(f"{t.decoy('PERSON', name)} (born {t.decoy('DATE_OF_BIRTH', born)}): read the primary source "
                     "excerpt and annotate.")
    paras.append(f"Texts: ISBN {t.decoy('ISBN', g.isbn13())}; ISBN {t.decoy('ISBN', g.isbn13())}.")
    return "lesson_plan", "Lesson plan: Massachusetts reformers", paras, t, None


def k_server_log(g: Gen) -> tuple[str, str, list[str], Tally, tuple[str, str] | None]:
    """Gateway/server log (PI-free): record numbers, 16-digit trace ids, session ids, IPs."""
    r, t = g.r, Tally()
    lines = []
    base = dt.datetime(2024, 10, 1, 6, 0)
    for i in range(r.randint(80, 300)):
        ts = base + dt.timedelta(seconds=i * r.randint(1, 40))
        lines.append(f"{ts.isoformat()}Z gw01 rec={t.decoy('US_BANK_NUMBER', g.digits(11, '8'))} "
                     f"trace={t.decoy('CREDIT_CARD', g.digits(16, '4'))} "
                     f"src=10.{r.randint(0, 255)}.{r.randint(0, 255)}."
                     f"{r.randint(1, 254)} status={r.choice((200, 200, 302, 404, 500))} bytes={r.randint(200, 90000)} "
                     f"sess={r.getrandbits(48):012x}")
    return "gateway_log", "", ["\n".join(lines)], t, None


# --------------------------------------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class Kind:
    """One kind of document: its name, whether it is PI-free by design, its layouts and how to build one."""

    name: str
    pi_free: bool
    layouts: tuple[str, ...]
    build: Callable[[Gen, str], Item]


def _table_kind(name: str, make: Callable[[Gen], TableDoc], layouts: tuple[str, ...], pi_free: bool = False) -> Kind:
    def build(g: Gen, layout: str) -> Item:
        return table_item(g, name, layout, make(g))

    return Kind(name, pi_free, layouts, build)


def _form_kind(name: str, make: Callable[[Gen], FormDoc], layouts: tuple[str, ...], pi_free: bool = False) -> Kind:
    def build(g: Gen, layout: str) -> Item:
        return form_item(g, name, layout, make(g))

    return Kind(name, pi_free, layouts, build)


def _prose_kind(name: str, make: Callable[[Gen], tuple[str, str, list[str], Tally, tuple[str, str] | None]],
                layouts: tuple[str, ...], pi_free: bool = False) -> Kind:
    def build(g: Gen, layout: str) -> Item:
        stem, title, paras, t, mail = make(g)
        return prose_item(g, name, layout, stem, title, paras, t, mail)

    return Kind(name, pi_free, layouts, build)


def _attendance_kind() -> Kind:
    def build(g: Gen, layout: str) -> Item:
        if layout == "pdf_table_2000_rows":
            item = table_item(g, "attendance_report", "pdf_table", k_attendance_report(g, big=True))
            item.layout = layout
            return item
        return table_item(g, "attendance_report", layout, k_attendance_report(g))

    return Kind("attendance_report", False, ("pdf_table_2000_rows", "title_lines_csv", "pdf_table",
                                             "paged_fixed_width_txt", "xlsx_title_rows", "tsv_banner",
                                             "html_table", "noext_pipe", "comment_banner_csv"), build)


KINDS: tuple[Kind, ...] = (
    _table_kind("driver_roster", k_driver_roster, ("title_lines_csv", "xlsx_title_rows", "pdf_table",
                                                   "multirow_header_xlsx", "mail_pasted_tab", "docx_table",
                                                   "header_first_csv", "csv_named_png")),
    _table_kind("payroll_export", k_payroll_export, ("comment_banner_csv", "xlsx_title_rows", "footer_totals_csv",
                                                     "pdf_table", "multirow_header_xlsx", "noext_pipe", "tsv_banner",
                                                     "xlsb_export", "zip_export")),
    _table_kind("sis_enrollment", k_sis_enrollment, ("comment_banner_csv", "multirow_header_xlsx", "json_records",
                                                     "ods_sheet", "zip_export", "pdf_table", "semicolon_csv",
                                                     "header_first_csv", "csv_named_xlsx")),
    _attendance_kind(),
    _table_kind("gradebook", k_gradebook, ("xlsx_title_rows", "multirow_header_xlsx", "title_lines_csv", "html_table",
                                           "pdf_table", "mail_pasted_comma", "ods_sheet", "header_first_csv")),
    _table_kind("lunch_status", k_lunch_status, ("title_lines_csv", "xlsx_title_rows", "pdf_table",
                                                 "mail_attached_xlsx",
                                                 "paged_fixed_width_txt", "docx_table", "txt_tab", "json_records")),
    _table_kind("bus_roster", k_bus_roster, ("title_lines_csv", "pdf_table", "paged_fixed_width_txt", "html_table",
                                             "mail_pasted_fixed", "xlsx_title_rows", "noext_pipe", "docx_table")),
    _table_kind("staff_directory", k_staff_directory, ("html_table", "header_first_csv", "docx_table", "pdf_table",
                                                       "xlsx_title_rows", "json_records", "title_lines_csv")),
    _table_kind("w4_tax_summary", k_w4_summary, ("xlsx_title_rows", "pdf_table", "comment_banner_csv",
                                                 "footer_totals_csv", "docx_table", "tsv_banner",
                                                 "mail_attached_xlsx")),
    _table_kind("field_trip_list", k_field_trip, ("docx_table", "xlsx_title_rows", "mail_pasted_semicolon", "pdf_table",
                                                  "title_lines_csv", "html_table", "txt_tab")),
    _table_kind("discipline_log", k_discipline_log, ("xlsx_title_rows", "pdf_table", "title_lines_csv", "docx_table",
                                                     "paged_fixed_width_txt", "mail_pasted_pipe", "ods_sheet")),
    _table_kind("nurse_log", k_nurse_log, ("xlsx_title_rows", "docx_table", "pdf_table", "title_lines_csv",
                                           "paged_fixed_width_txt", "mail_pasted_tab", "noext_pipe")),
    _table_kind("mepid_list", k_mepid_list, ("comment_banner_csv", "xlsx_title_rows", "pdf_table", "tsv_banner",
                                             "json_records", "html_table", "header_first_csv")),
    _table_kind("pasted_roster_mail", k_pasted_roster_mail, ("mail_pasted_comma", "mail_pasted_tab",
                                                             "mail_pasted_semicolon", "mail_pasted_pipe",
                                                             "mail_pasted_fixed", "mail_attached_xlsx")),
    _form_kind("iep_notice", k_iep_notice, ("docx_two_col", "pdf_form", "docx_four_col", "txt_colon", "pdf_two_up",
                                            "html_form", "blank_template", "mail_form_body")),
    _form_kind("plan_504", k_plan_504, ("docx_two_col", "pdf_form", "xlsx_adjacent", "txt_dot_leader", "noext_colon",
                                        "docx_four_col", "blank_template")),
    _form_kind("registration_form", k_registration_form, ("pdf_two_up", "docx_four_col", "xlsx_label_gap", "html_form",
                                                          "txt_colon", "blank_template", "pdf_form")),
    _form_kind("emergency_card", k_emergency_card, ("pdf_form", "docx_two_col", "xlsx_adjacent", "txt_colon",
                                                    "mail_form_body", "pdf_two_up", "blank_template")),
    _form_kind("w4_form", k_w4_form, ("pdf_form", "docx_two_col", "xlsx_label_gap", "txt_dot_leader", "pdf_two_up",
                                      "mail_form_body", "blank_template")),
    _form_kind("vendor_ach", k_vendor_ach, ("pdf_form", "docx_two_col", "xlsx_adjacent", "txt_colon", "mail_form_body",
                                            "html_form", "blank_template", "noext_colon")),
    _form_kind("transcript", k_transcript, ("pdf_form", "docx_two_col", "txt_dot_leader", "html_form", "xlsx_label_gap",
                                            "pdf_two_up")),
    _form_kind("invoice", k_invoice, ("pdf_form", "docx_four_col", "xlsx_adjacent", "txt_dot_leader", "html_form",
                                      "mail_form_body"), pi_free=True),
    _prose_kind("counselor_note", k_counselor_note, ("prose_txt", "prose_docx", "prose_pdf", "prose_noext",
                                                     "prose_txt_cp1252", "prose_html", "prose_md")),
    _prose_kind("counselor_mail", k_counselor_mail, ("prose_eml", "prose_txt", "prose_docx", "prose_pdf",
                                                     "prose_txt_utf16")),
    _table_kind("pcard_list", k_pcard_list, ("xlsx_title_rows", "pdf_table", "title_lines_csv", "docx_table",
                                             "mail_attached_xlsx", "tsv_banner", "html_table")),
    _prose_kind("payment_mail", k_payment_mail, ("prose_eml", "prose_txt", "prose_pdf", "prose_docx",
                                                 "prose_noext")),
    _table_kind("library_catalog", k_library_catalog, ("header_first_csv", "xlsx_title_rows", "pdf_table", "tsv_banner",
                                                       "json_records", "title_lines_csv", "noext_pipe", "html_table"),
                pi_free=True),
    _table_kind("asset_inventory", k_asset_inventory, ("xlsx_title_rows", "header_first_csv", "pdf_table",
                                                       "footer_totals_csv", "ods_sheet", "txt_tab", "json_records"),
                pi_free=True),
    _prose_kind("server_log", k_server_log, ("prose_txt", "prose_noext", "prose_md", "prose_txt_cp1252", "prose_pdf"),
                pi_free=True),
    _table_kind("purchase_orders", k_purchase_orders, ("xlsx_title_rows", "pdf_table", "comment_banner_csv",
                                                       "footer_totals_csv", "docx_table", "html_table"), pi_free=True),
    _table_kind("budget_sheet", k_budget_sheet, ("xlsx_title_rows", "multirow_header_xlsx", "pdf_table",
                                                 "title_lines_csv", "ods_sheet", "html_table"), pi_free=True),
    _table_kind("lunch_menu", k_lunch_menu, ("html_table", "docx_table", "pdf_table", "title_lines_csv",
                                             "xlsx_title_rows"), pi_free=True),
    _prose_kind("newsletter", k_newsletter, ("prose_html", "prose_docx", "prose_pdf", "prose_eml", "prose_txt",
                                             "prose_txt_utf16"), pi_free=True),
    _prose_kind("counseling_announcement", k_counseling_announcement, ("prose_eml", "prose_txt", "prose_docx",
                                                                       "prose_pdf", "prose_html"), pi_free=True),
    _prose_kind("lesson_plan", k_lesson_plan, ("prose_docx", "prose_pdf", "prose_txt", "prose_html", "prose_md",
                                               "prose_noext"), pi_free=True),
    _table_kind("job_title_list", k_job_titles, ("xlsx_title_rows", "header_first_csv", "docx_table", "pdf_table",
                                                 "html_table"), pi_free=True),
    _table_kind("course_catalog", k_course_catalog, ("html_table", "docx_table", "pdf_table", "xlsx_title_rows",
                                                     "title_lines_csv"), pi_free=True),
    _table_kind("bell_schedule", k_bell_schedule, ("html_table", "docx_table", "pdf_table", "txt_tab",
                                                   "title_lines_csv"), pi_free=True),
)

FOLDERS = {"driver_roster": "transportation", "bus_roster": "transportation", "payroll_export": "hr/payroll",
           "w4_tax_summary": "hr/payroll", "w4_form": "hr/payroll", "mepid_list": "hr/epims",
           "staff_directory": "public", "vendor_ach": "finance/ap", "invoice": "finance/ap",
           "purchase_orders": "finance/purchasing", "budget_sheet": "finance/budget", "iep_notice": "sped",
           "plan_504": "sped/504", "nurse_log": "nurse", "emergency_card": "nurse", "lunch_status": "food-services",
           "lunch_menu": "food-services", "library_catalog": "library", "asset_inventory": "it",
           "server_log": "it/logs", "counselor_note": "counseling",
           "counseling_announcement": "counseling/announcements", "counselor_mail": "mail/counseling",
           "pasted_roster_mail": "mail/teachers", "payment_mail": "mail/families",
           "pcard_list": "finance/pcard", "newsletter": "public", "lesson_plan": "teachers/lessons"}


# --------------------------------------------------------------------------------------------- real files

# Third-party PI-free text (../shared/corpora). Folders with test-vector SSNs/cards or real PI are left out.
REAL_SOURCES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("cpython-testsuite", ("test_email_data/*.txt", "cjkencodings/*-utf8.txt"), 20),
    ("apache-tika-test-documents", ("text/*.txt", "html/*.html", "tika-server-core/*.txt",
                                    "tika-parsers-standard-integration-tests/*.txt",
                                    "scientific/testISATab_BII-I-1/*.txt", "microsoft/*.docx",
                                    "microsoft/*.xlsx", "pdf/*.pdf"), 30),
    ("flanker", ("**/*.eml",), 15),
)
REAL_CAP = 400_000  # bytes per file; larger ones are skipped (a few would dominate the per-MB figure)


def copy_real(dest: Path, r: random.Random) -> dict[str, dict[str, Any]]:
    """Copy a deterministic sample of third-party PI-free files into ``dest/real``; their labels."""
    labels: dict[str, dict[str, Any]] = {}
    if not CORPORA.is_dir():
        return labels
    for source, patterns, n in REAL_SOURCES:
        base = CORPORA / source
        files = sorted({p for pat in patterns for p in base.glob(pat) if p.is_file() and p.stat().st_size <= REAL_CAP})
        for p in sorted(r.sample(files, min(n, len(files)))):
            rel = f"real/{source}/{str(p.relative_to(base)).replace('/', '__')}"
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, out)
            ext = p.suffix.lstrip(".").lower() or "noext"
            labels[rel] = {"kind": "real_pi_free", "layout": "third_party", "format": ext, "entities": {},
                           "subjects": 0, "classifications": [], "real": True}
    return labels


# --------------------------------------------------------------------------------------------- main


@dataclass
class Corpus:
    """What :func:`generate` wrote (``values`` holds raw planted values in memory only, for tests)."""

    root: Path
    files: int = 0
    bytes: int = 0
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    totals: Counter[str] = field(default_factory=Counter)
    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    seconds: float = 0.0


def labels_text(header: dict[str, Any], items: dict[str, dict[str, Any]]) -> str:
    """The labels file: header keys, then one item per line (diff- and grep-friendly)."""
    head = json.dumps(header, indent=1)[:-2]
    lines = [f" {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in items.items()]
    return head + ',\n "items": {\n' + ",\n".join(lines) + "\n }\n}\n"


def generate(dest: str | Path, seed: int = 5, per_kind: int = 9, kinds: int | None = None,
             real: bool = True) -> Corpus:
    """Write the corpus under ``dest`` (empty or absent): ``per_kind`` files of each kind, cycling layouts.

    ``kinds`` limits the run to the first N kinds in a seed-shuffled order (a cheap subset for tests).

    Raises:
        FileExistsError: ``dest`` exists and is not an empty directory.
    """
    start = time.perf_counter()
    root = Path(dest)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise FileExistsError(f"{root} exists and is not an empty directory")
    root.mkdir(parents=True, exist_ok=True)
    order = list(KINDS)
    random.Random(seed).shuffle(order)
    chosen = order[:kinds] if kinds else order
    corpus = Corpus(root)
    for ki, kind in enumerate(chosen):
        # One stream per kind: a subset (--kinds) builds the same files of those kinds as the full corpus.
        g = Gen(seed * 1009 + sum(map(ord, kind.name)))
        for i in range(per_kind):
            layout = kind.layouts[i % len(kind.layouts)]
            item = kind.build(g, layout)
            folder = FOLDERS.get(kind.name, "shared/" + kind.name.replace("_", "-"))
            stem, dot, ext = item.name.rpartition(".")
            name = f"{stem}_{i:02d}{dot}{ext}" if dot else f"{item.name}_{i:02d}"
            rel = f"{folder}/{name}"
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(item.data)
            corpus.files += 1
            corpus.bytes += len(item.data)
            labels = item.labels(rel)
            corpus.items.update(labels)
            for lab in labels.values():
                corpus.totals.update(lab["entities"])
            corpus.values[rel] = item.all_values()
        del ki
    if real:
        real_labels = copy_real(root, random.Random(seed))
        for rel in real_labels:
            corpus.files += 1
            corpus.bytes += (root / rel).stat().st_size
        corpus.items.update(real_labels)
    top = [k for k in corpus.items if "!/" not in k]
    pi_free = sum(1 for k in top if not corpus.items[k]["entities"] and not any(
        corpus.items[m]["entities"] for m in corpus.items if m.startswith(k + "!/")))
    header = {"version": 1, "generator": GENERATOR, "seed": seed, "per_kind": per_kind,
              "kinds": len(chosen), "files": corpus.files, "bytes": corpus.bytes, "pi_free_files": pi_free,
              "counting": COUNTING, "totals": dict(sorted(corpus.totals.items()))}
    (root / LABELS_NAME).write_text(labels_text(header, corpus.items), encoding="utf-8")
    corpus.seconds = time.perf_counter() - start
    return corpus


def main(argv: list[str] | None = None) -> int:
    """Command line: ``layout_corpus.py DEST [--seed S] [--per-kind N] [--kinds K] [--no-real]``."""
    ap = argparse.ArgumentParser(description="Write the layout-varied labeled corpus.")
    ap.add_argument("dest", help="directory to create (must be empty or absent)")
    ap.add_argument("--seed", type=int, default=5, help="random seed (default 5)")
    ap.add_argument("--per-kind", type=int, default=9, help="files per kind, cycling its layouts (default 9)")
    ap.add_argument("--kinds", type=int, help="only this many kinds (seed-shuffled order)")
    ap.add_argument("--no-real", action="store_true", help="do not copy third-party PI-free files")
    args = ap.parse_args(argv)
    try:
        c = generate(args.dest, args.seed, args.per_kind, args.kinds, not args.no_real)
    except FileExistsError as exc:
        print(f"layout_corpus: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {c.files} files ({c.bytes / 1e6:.1f} MB, {len(c.items)} items, {sum(c.totals.values())} planted) "
          f"to {c.root} in {c.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
