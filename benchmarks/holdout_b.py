"""Second held-out labeled corpus (holdout_b): district documents in layouts made up independently of the repository.

Provenance: written by helper H11 outside the repository, without reading the recognizers (``detectors/``,
``dlp/detect/``), ``benchmarks/layout_corpus.py``, the repository's other generators or the first held-out corpus
(``holdout_a.py``); it read only the label format of ``benchmarks/accuracy.py``, the docstring of
``dlp/policy/classify.py``, CONTRACT.md sections 3 and 6 and the identifier formats of domain.md. It served as a
blind check in the 2026-12-05 session and was blind at its first run; once its results have been described to
the developers it is no longer blind. Copied here unchanged in output (only lint fixes) so later sessions can
reproduce the check.

Usage::

    python benchmarks/holdout_b.py OUTDIR --seed 2026 [--files N]   # about 200 files (~2.4 MB), _labels.json
    python benchmarks/accuracy.py --layout-corpus OUTDIR --no-presidio   # score the scanner on it

Items and labels are the same on every run with the same seed; the bytes of .docx/.xlsx files (and the .zip
and .eml files that carry them) vary because python-docx and openpyxl stamp the save time, and the .eml MIME
boundaries are random. The label format and counting rules are in ``COUNTING`` (also written into the labels).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import email.message
import email.utils
import html
import io
import json
import random
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docx  # python-docx
import openpyxl
from fpdf import FPDF
from openpyxl.styles import Alignment, Font

GENERATOR = "holdout2_corpus.py (H11)"

# How labels count (the text is written into _labels.json as "counting"; kept byte-identical to the first version,
# whose module docstring held it, so the labels do not change).
COUNTING = (
    "(written into the labels too): one per occurrence rendered. Every value that counts is wrapped in a\n"
    "marker when the text is built and the marker is stripped (and counted) when the text is rendered into a file,\n"
    "so the label is the number of occurrences actually written. PERSON counts full names only (first + last,\n"
    'initial + last, "Last, First", upper-case forms; first and last name in adjacent columns of one row count\n'
    'once); a lone first name or a title + surname ("Ms. Okafor") does not count, nor do authors in a library\n'
    "catalog's Author column (bibliographic data names writers, not district people: classify.py's docstring). "
    "Dates count as DATE_OF_BIRTH\n"
    "only when they are someone's birth date. E-mail addresses and phone numbers count wherever they appear,\n"
    "e-mail headers included. Container files (.zip, .eml) are items of their own for their own text; members\n"
    'and attachments are "file!/member".'
)
FIXED_TIME = dt.datetime(2026, 1, 15, 9, 0, 0, tzinfo=dt.UTC)
MARK = re.compile("\x01([A-Z_]+)\x02(.*?)\x03", re.S)


def m(entity: str, value: str) -> str:
    """Wrap a value that counts as one occurrence of ``entity``."""
    return f"\x01{entity}\x02{value}\x03"


@dataclass
class Item:
    """One labeled item (a file, an archive member or an attachment)."""

    rel: str
    kind: str
    layout: str
    fmt: str
    classes: set[str] = field(default_factory=set)
    subjects: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    decoys: Counter[str] = field(default_factory=Counter)

    def t(self, s: object) -> str:
        """Render text: strip markers and count what they wrap."""
        def rep(mo: re.Match[str]) -> str:
            self.counts[mo.group(1)] += 1
            return mo.group(2)
        return MARK.sub(rep, str(s))


# ----------------------------------------------------------------------------------------------- people, values

FIRST = [
    "Aaliyah",
    "Abdi",
    "Adaeze",
    "Alejandro",
    "Amara",
    "Anika",
    "Arjun",
    "Beatriz",
    "Bennett",
    "Calvin",
    "Camila",
    "Chidi",
    "Cormac",
    "Dalia",
    "Darius",
    "Delphine",
    "Desmond",
    "Elif",
    "Emeka",
    "Esperanza",
    "Farida",
    "Finnegan",
    "Gabriela",
    "Gideon",
    "Hana",
    "Idris",
    "Imogen",
    "Ines",
    "Jasper",
    "Joaquin",
    "Kalani",
    "Kenji",
    "Keturah",
    "Laila",
    "Leopold",
    "Lucia",
    "Mateo",
    "Meera",
    "Micah",
    "Nadia",
    "Niamh",
    "Obinna",
    "Odette",
    "Oren",
    "Paloma",
    "Quentin",
    "Rafael",
    "Rania",
    "Rosalind",
    "Saoirse",
    "Santiago",
    "Selin",
    "Silas",
    "Soraya",
    "Tariq",
    "Thandiwe",
    "Tobias",
    "Ulani",
    "Valentina",
    "Wendell",
    "Ximena",
    "Yusuf",
    "Zainab",
    "Zoltan",
    "Marisol",
    "Teodoro",
    "Ingrid",
    "Cyrus",
    "Fiona",
    "Hollis",
]
LAST = [
    "Abernathy",
    "Achebe",
    "Alvarado",
    "Amsel",
    "Baptiste",
    "Barros",
    "Bellweather",
    "Brannigan",
    "Castellanos",
    "Chaudhry",
    "Cimino",
    "Dalgaard",
    "Demir",
    "Desrosiers",
    "Eze",
    "Fairbanks",
    "Fitzgerald",
    "Gallagher",
    "Greaves",
    "Haddad",
    "Halvorsen",
    "Ibarra",
    "Iwasaki",
    "Jankowski",
    "Kaminski",
    "Kettering",
    "Kowalczyk",
    "Lachance",
    "Lindqvist",
    "Mbeki",
    "Marchetti",
    "Medeiros",
    "Nakamura",
    "Nwosu",
    "O'Donnell",
    "Okonkwo",
    "Pacheco",
    "Pellegrino",
    "Quintero",
    "Rasmussen",
    "Rocha",
    "Saltonstall",
    "Sarkisian",
    "Szabo",
    "Tavares",
    "Thibodeau",
    "Truong",
    "Underhill",
    "Vasquez-Ortiz",
    "Villanueva",
    "Whitcombe",
    "Wojcik",
    "Yamamoto",
    "Zielinski",
    "Fontaine",
    "Gorski",
    "Hennessey",
    "Moreau",
    "Adeyemi",
    "Costa-Pereira",
    "Lindgren",
]
AREA = ("617", "508", "781", "978", "413", "339", "351", "774", "857")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SCHOOLS = ("Riverside Elementary", "Hawthorne Upper School", "Maple Street K-8", "Ellery Middle School",
           "Northgate High School", "Linden Early Learning Center")


@dataclass
class Person:
    """An invented person."""

    first: str
    last: str
    mi: str
    dob: dt.date
    gender: str

    def name(self, style: str = "fl") -> str:
        """A marked full name in one of several forms."""
        forms = {"fl": f"{self.first} {self.last}", "lf": f"{self.last}, {self.first}",
                 "LF": f"{self.last.upper()}, {self.first.upper()}", "FL": f"{self.first.upper()} {self.last.upper()}",
                 "il": f"{self.first[0]}. {self.last}", "fml": f"{self.first} {self.mi}. {self.last}",
                 "lfm": f"{self.last}, {self.first} {self.mi}."}
        return m("PERSON", forms[style])


class Gen:
    """Seeded source of people and valid identifiers."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.used: set[str] = set()

    def uniq(self, f: Callable[[], str]) -> str:
        for _ in range(100):
            v = f()
            if v not in self.used:
                self.used.add(v)
                return v
        raise RuntimeError("identifier space exhausted")

    def person(self, kind: str) -> Person:
        r = self.r
        if kind == "student":
            dob = dt.date(r.randint(2008, 2020), r.randint(1, 12), r.randint(1, 28))
        else:
            dob = dt.date(r.randint(1958, 1999), r.randint(1, 12), r.randint(1, 28))
        return Person(r.choice(FIRST), r.choice(LAST), r.choice("ABCDEFGHJKLMNPRSTW"), dob, r.choice("FMX"))

    def people(self, n: int, kind: str) -> list[Person]:
        seen: set[tuple[str, str]] = set()
        out: list[Person] = []
        while len(out) < n:
            p = self.person(kind)
            if (p.first, p.last) not in seen:
                seen.add((p.first, p.last))
                out.append(p)
        return out

    # identifiers -----------------------------------------------------------------------------------------
    def ssn(self, style: str = "-") -> str:
        r = self.r

        def one() -> str:
            while True:
                a = r.randint(1, 899)
                if a != 666:
                    break
            g, s = r.randint(1, 99), r.randint(1, 9999)
            v = f"{a:03d}{g:02d}{s:04d}"
            return "" if v == "078051120" or v == "219099999" else v
        v = self.uniq(one)
        sep = {"-": "-", " ": " ", "": ""}[style]
        return m("US_SSN", f"{v[:3]}{sep}{v[3:5]}{sep}{v[5:]}")

    def itin(self) -> str:
        r = self.r
        grp = r.choice([*range(50, 66), *range(70, 89), 90, 91, 92, *range(94, 100)])
        return m("US_ITIN", self.uniq(lambda: f"9{r.randint(0, 99):02d}-{grp:02d}-{r.randint(1, 9999):04d}"))

    @staticmethod
    def _luhn_complete(body: str) -> str:
        total = 0
        for i, ch in enumerate(reversed(body)):
            d = int(ch)
            if i % 2 == 0:
                d *= 2
                d -= 9 if d > 9 else 0
            total += d
        return body + str((10 - total % 10) % 10)

    def card(self, style: str = " ") -> str:
        r = self.r
        brand = r.choice(["visa", "mc", "mc2", "amex", "disc"])
        pre, n = {"visa": ("4", 16), "mc": (str(r.randint(51, 55)), 16), "mc2": (str(r.randint(2221, 2720)), 16),
                  "amex": (r.choice(["34", "37"]), 15), "disc": ("6011", 16)}[brand]
        num = self.uniq(
            lambda: self._luhn_complete(pre + "".join(str(r.randint(0, 9)) for _ in range(n - len(pre) - 1)))
        )
        if style == "":
            return m("CREDIT_CARD", num)
        groups = [num[:4], num[4:10], num[10:]] if n == 15 else [num[i:i + 4] for i in range(0, 16, 4)]
        return m("CREDIT_CARD", style.join(groups))

    def aba(self) -> str:
        r = self.r

        def one() -> str:
            d = [int(c) for c in r.choice(["01", "21", "61", "02", "22", "11"])] + [r.randint(0, 9) for _ in range(6)]
            for last in range(10):
                x = d + [last]
                if (3 * (x[0] + x[3] + x[6]) + 7 * (x[1] + x[4] + x[7]) + x[2] + x[5] + x[8]) % 10 == 0:
                    return "".join(map(str, x))
            return ""
        return m("ABA_ROUTING_NUMBER", self.uniq(one))

    def account(self) -> str:
        r = self.r
        return m("US_BANK_NUMBER", self.uniq(lambda: str(r.randint(1, 9)) + "".join(
            str(r.randint(0, 9)) for _ in range(r.randint(7, 11)))))

    def iban(self, grouped: bool) -> str:
        r = self.r
        cc, bban = r.choice(
            [
                ("DE", lambda: "".join(str(r.randint(0, 9)) for _ in range(18))),
                ("GB", lambda: r.choice(["NWBK", "BARC", "MIDL"]) + "".join(str(r.randint(0, 9)) for _ in range(14))),
                ("FR", lambda: "".join(str(r.randint(0, 9)) for _ in range(23))),
                ("IE", lambda: r.choice(["AIBK", "BOFI"]) + "".join(str(r.randint(0, 9)) for _ in range(14))),
            ]
        )
        b = bban()
        num = "".join(str(int(c, 36)) for c in b + cc + "00")
        check = 98 - int(num) % 97
        v = f"{cc}{check:02d}{b}"
        if grouped:
            v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
        return m("IBAN_CODE", v)

    def dl(self) -> str:
        r = self.r
        if r.random() < 0.7:
            return m("US_DRIVER_LICENSE", self.uniq(lambda: "S" + "".join(str(r.randint(0, 9)) for _ in range(8))))
        return m("US_DRIVER_LICENSE", self.uniq(lambda: "SA" + "".join(str(r.randint(0, 9)) for _ in range(7))))

    def sasid(self) -> str:
        r = self.r
        return m("MA_SASID", self.uniq(lambda: "1" + "".join(str(r.randint(0, 9)) for _ in range(9))))

    def mepid(self) -> str:
        r = self.r
        return m("MA_MEPID", self.uniq(lambda: str(r.randint(1, 9)) + "".join(str(r.randint(0, 9)) for _ in range(7))))

    def sid(self) -> str:
        r = self.r
        return m("STUDENT_ID", self.uniq(lambda: "2" + "".join(str(r.randint(0, 9)) for _ in range(5))))

    def eid(self) -> str:
        r = self.r
        return m("EMPLOYEE_ID", self.uniq(lambda: "E" + "".join(str(r.randint(0, 9)) for _ in range(5))))

    def masshealth(self) -> str:
        r = self.r
        return m("MASSHEALTH_ID", self.uniq(lambda: "1" + "".join(str(r.randint(0, 9)) for _ in range(11))))

    def phone(self) -> str:
        r = self.r
        a = r.choice(AREA)
        while True:
            ex = r.randint(201, 989)
            if ex != 555 and ex % 100 != 11:
                break
        ln = r.randint(0, 9999)
        style = r.choice(["paren", "dash", "dot"])
        v = {"paren": f"({a}) {ex}-{ln:04d}", "dash": f"{a}-{ex}-{ln:04d}", "dot": f"{a}.{ex}.{ln:04d}"}[style]
        return m("PHONE_NUMBER", v)

    def email(self, p: Person, domain: str) -> str:
        style = self.r.choice(["fl", "f.l", "fi"])
        local = {"fl": p.first + p.last, "f.l": f"{p.first}.{p.last}", "fi": p.first[0] + p.last}[style]
        local = re.sub(r"[^A-Za-z.]", "", local).lower()
        return m("EMAIL_ADDRESS", f"{local}@{domain}")

    def password(self) -> str:
        r = self.r
        chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
        return m("CREDENTIAL", "".join(r.choice(chars) for _ in range(r.randint(9, 13))) + r.choice("!#$%&*?"))

    def dob(self, p: Person, style: str | None = None) -> str:
        return m("DATE_OF_BIRTH", fdate(p.dob, style or self.r.choice(["iso", "us", "long", "dmy"])))

    def date(self, style: str | None = None) -> str:
        """A school-year date that is nobody's birth date."""
        d = dt.date(2025, 9, 2) + dt.timedelta(days=self.r.randint(0, 280))
        return fdate(d, style or self.r.choice(["iso", "us", "long", "dmy"]))


def fdate(d: dt.date, style: str) -> str:
    """A date in one of the formats staff and systems write."""
    if style == "iso":
        return d.isoformat()
    if style == "us":
        return f"{d.month}/{d.day}/{d.year}"
    if style == "long":
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    return f"{d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year}"


# ----------------------------------------------------------------------------------------------- file writers


def w_docx(it: Item, blocks: list[tuple[str, object]]) -> bytes:
    """Blocks: ("h", text) heading, ("p", text), ("table", rows), ("kv", [(label, value)])."""
    d = docx.Document()
    d.core_properties.created = d.core_properties.modified = FIXED_TIME  # same bytes for the same seed
    d.core_properties.author = "Office"
    for kind, val in blocks:
        if kind == "h":
            d.add_heading(it.t(val), level=1)
        elif kind == "p":
            d.add_paragraph(it.t(val))
        elif kind in ("table", "kv"):
            rows = val if kind == "table" else [list(x) for x in val]  # type: ignore[union-attr]
            tb = d.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[index, arg-type]
            tb.style = "Table Grid"
            for i, row in enumerate(rows):  # type: ignore[union-attr]
                for j, cell in enumerate(row):
                    tb.cell(i, j).text = it.t(cell)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def w_xlsx(it: Item, sheets: list[tuple[str, str | None, list[list[object]]]]) -> bytes:
    """Sheets: (name, merged title or None, rows)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.created = wb.properties.modified = FIXED_TIME
    for name, title, rows in sheets:
        ws = wb.create_sheet(name)
        r0 = 1
        width = max((len(r) for r in rows), default=1)
        if title:
            ws.cell(1, 1, it.t(title)).font = Font(bold=True, size=14)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 2))
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
            r0 = 3
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                ws.cell(r0 + i, j + 1, v if isinstance(v, (int, float)) else it.t(v))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def w_csv(it: Item, rows: list[list[object]], pre: list[str] = (), delim: str = ",") -> bytes:  # type: ignore[assignment]
    buf = io.StringIO()
    for line in pre:
        buf.write(it.t(line) + "\n")
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    for row in rows:
        w.writerow([it.t(c) for c in row])
    return buf.getvalue().encode("utf-8")


def w_json(it: Item, obj: object, ndjson: bool = False) -> bytes:
    def clean(o: object) -> object:
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return it.t(o) if isinstance(o, str) else o
    c = clean(obj)
    if ndjson and isinstance(c, list):
        return ("\n".join(json.dumps(x) for x in c) + "\n").encode()
    return json.dumps(c, indent=2).encode()


def w_html(it: Item, title: str, body: str) -> bytes:
    """``body`` is HTML with markers in text positions; values are escaped here."""
    def esc(mo: re.Match[str]) -> str:
        return m(mo.group(1), html.escape(mo.group(2), quote=False))
    body = MARK.sub(esc, body)
    doc = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<link rel="stylesheet" href="/static/intranet.css"></head>\n<body>\n<nav class="topbar"><a href="/">'
        'Staff Intranet</a> | <a href="/forms">Forms</a> | <a href="/calendar">Calendar</a></nav>\n'
        f"<main>\n{body}\n</main>\n<footer>Example Public Schools &middot; internal use</footer></body></html>\n"
    )
    return it.t(doc).encode()


def esc(s: str) -> str:
    """HTML-escape text that may hold markers (markers survive)."""
    return html.escape(s, quote=False)


class Pdf:
    """Positioned-text PDF pages (fpdf2, core fonts: latin-1 text only)."""

    def __init__(self, it: Item) -> None:
        self.it = it
        self.p = FPDF(unit="pt", format="letter")
        self.p.set_auto_page_break(False)
        self.p.set_creation_date(FIXED_TIME)

    def page(self) -> None:
        self.p.add_page()

    def text(self, x: float, y: float, s: object, size: int = 10, bold: bool = False) -> None:
        self.p.set_font("Helvetica", "B" if bold else "", size)
        self.p.text(x, y, self.it.t(s))

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.p.rect(x, y, w, h)

    def grid(self, x: float, y: float, widths: list[float], rows: list[list[object]], size: int = 9) -> float:
        for i, row in enumerate(rows):
            cx = x
            for w, c in zip(widths, row, strict=False):
                self.p.rect(cx, y, w, 16)
                self.text(cx + 3, y + 11, c, size, bold=(i == 0))
                cx += w
            y += 16
        return y

    def bytes(self) -> bytes:
        return bytes(self.p.output())


def w_eml(it: Item, frm: str, to: str, subject: str, date: str, body: str, cc: str | None = None,
          attachments: list[tuple[str, bytes, str, str]] = ()) -> bytes:  # type: ignore[assignment]
    msg = email.message.EmailMessage()
    msg["From"] = it.t(frm)
    msg["To"] = it.t(to)
    if cc:
        msg["Cc"] = it.t(cc)
    msg["Subject"] = it.t(subject)
    msg["Date"] = date
    msg["Message-ID"] = f"<{zlib.crc32(body.encode())}.{len(body)}@mail.example.org>"
    msg.set_content(it.t(body))
    for name, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def mail_date(g: Gen) -> str:
    d = dt.datetime(2025, 9, 3, 7, 0) + dt.timedelta(minutes=g.r.randint(0, 60 * 24 * 250))
    return email.utils.format_datetime(d.replace(tzinfo=dt.timezone(dt.timedelta(hours=-4))))


def addr(g: Gen, p: Person, domain: str) -> str:
    return f"{p.name('fl')} <{g.email(p, domain)}>"


# ----------------------------------------------------------------------------------------------- vocabulary

DISABILITIES = ("Specific Learning Disability", "Autism", "Communication impairment", "Health impairment (ADHD)",
                "Emotional impairment", "Developmental delay", "Neurological impairment")
COMPLAINTS = [
    ("stomachache, rested 15 min, returned to class", False),
    ("headache - no meds, water, back to rm", False),
    ("inhaler (albuterol) 2 puffs per asthma care plan", True),
    ("insulin 2 units per diabetes plan, BG 212", True),
    ("scraped knee at recess, cleaned + bandaid", False),
    ("methylphenidate 10mg daily dose given", True),
    ("peanut allergy reaction - hives, Benadryl per order, parent picked up", True),
    ("fever 100.8 - sent home", False),
    ("seizure precautions reviewed, rested", True),
]
GRADES = ["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
POSITIONS = ("Paraprofessional", "Grade 3 Teacher", "Custodian", "School Psychologist", "Cafeteria Worker",
             "Bus Monitor", "Math Teacher", "Speech-Language Pathologist", "Administrative Assistant")


# ----------------------------------------------------------------------------------------------- PI documents
# Each builder returns (extension, bytes, items): items[0] is the file, others are members ("!/" keys).

Out = tuple[str, bytes, list[Item]]


def b_iep_notice(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["letter_table", "letter_kv", "letter_prose"])
    it = Item("", kind, layout, "docx", {"STUDENT_PII", "STUDENT_SENSITIVE"}, 1)
    s, par, cm = g.person("student"), g.person("adult"), g.person("adult")
    par.last = s.last if r.random() < 0.6 else par.last
    school = r.choice(SCHOOLS)
    gr = r.choice(GRADES[1:])
    blocks: list[tuple[str, object]] = [("p", f"{school}\nOffice of Student Services\n{g.date('long')}"),
                                        ("p", f"{par.name('fl')}\n{r.randint(10, 999)} {r.choice(LAST)} Street\n"
                                              f"Cambridge, MA 0213{r.randint(8, 9)}"),
                                        ("p", f"Dear {r.choice(['Mr.', 'Ms.', 'Mx.'])} {par.last},")]
    if layout == "letter_prose":
        blocks.append(("p", f"This letter is to invite you to a Team meeting to review the Individualized Education "
                            f"Program (IEP) for your child, {s.name('fl')} (date of birth {g.dob(s)}, SASID "
                            f"{g.sasid()}), currently in grade {gr}. The Team will discuss progress on goals related "
                            f"to {r.choice(DISABILITIES).lower()} and consider related services."))
    else:
        blocks.append(("p", "The Team will meet to review your child's Individualized Education Program. "
                            "Meeting details appear below."))
        rows = [
            ["Student", s.name(r.choice(["fl", "lf"]))],
            ["Date of Birth", g.dob(s)],
            ["State ID (SASID)", g.sasid()],
            ["Grade / School", f"{gr} / {school}"],
            ["Primary Disability", r.choice(DISABILITIES)],
            ["Meeting", f"{g.date('long')} at {r.randint(8, 3 + 12) % 12 or 12}:{r.choice(['00', '30'])}"],
            ["Meeting type", r.choice(["Annual Review", "Re-evaluation", "Initial eligibility"])],
        ]
        blocks.append(("table", [["Item", "Details"], *rows]) if layout == "letter_table" else ("kv", rows))
    blocks.append(
        ("p", f"Please contact me at {g.phone()} or {g.email(cm, 'example.org')} if this time does not work.")
    )
    blocks.append(("p", f"Sincerely,\n\n{cm.name(r.choice(['fl', 'fml']))}\nSpecial Education Team Chair"))
    return "docx", w_docx(it, blocks), [it]


def b_nurse_log(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["freehand", "columns", "daily_blocks"])
    kids = g.people(r.randint(8, 22), "student")
    it = Item("", kind, layout, "txt", {"STUDENT_PII"}, len(kids))
    lines = [f"HEALTH OFFICE LOG  {r.choice(SCHOOLS)}   wk of {g.date('us')}", "nurse: " +
             g.person("adult").name("il"), ""]
    if layout == "columns":
        lines.append(f"{'date':<7}{'time':<7}{'student':<28}{'gr':<4}note")
    sens = False
    for k in kids:
        comp, s = r.choice(COMPLAINTS)
        sens = sens or s
        tm = f"{r.randint(8, 14)}:{r.randint(0, 59):02d}"
        day = f"{r.randint(9, 12)}/{r.randint(1, 28)}"
        nm = it.t(k.name(r.choice(["fl", "lf", "LF"])))  # rendered (and counted) here so that padding is right
        if layout == "freehand":
            lines.append(f"{day} {tm}  {nm} (gr {r.choice(GRADES)}) -- {comp}")
            if r.random() < 0.3:
                lines.append(f"      called mom @ {g.phone()}, lvm")
        elif layout == "columns":
            lines.append(f"{day:<7}{tm:<7}{nm:<28}{r.choice(GRADES):<4}{comp}")
        else:
            lines += [f"--- {day} ---", f"Student: {nm}   Grade {r.choice(GRADES)}", f"Seen for: {comp}",
                      f"Disposition: {r.choice(['returned to class', 'sent home', 'parent notified'])}", ""]
    if sens:
        it.classes.add("STUDENT_SENSITIVE")
    lines += ["", "reminder: restock epi-pens (exp 11/2025), order gauze"]
    return "txt", it.t("\n".join(lines)).encode(), [it]


def b_payroll_dd(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["title_multi_sheet", "plain_header", "notes_above"])
    staff = g.people(r.randint(6, 30), "adult")
    it = Item("", kind, layout, "xlsx", {"EMPLOYEE_PII", "MA_PI"}, len(staff))
    head = r.choice([["Emp #", "Employee", "Bank Routing", "Acct No.", "Type", "Effective"],
                     ["ID", "Name (Last, First)", "ABA", "Account", "Chk/Sav", "Start Pay Date"]])
    rows: list[list[object]] = [head]
    for p in staff:
        rows.append([g.eid(), p.name("lf" if "Last" in head[1] else r.choice(["fl", "lf"])), g.aba(), g.account(),
                     r.choice(["Checking", "Savings"]), g.date("us")])
    summary: list[list[object]] = [["Pay period", "Changes", "Entered by"], ["2025-10-A", len(staff), "payroll clerk"]]
    if layout == "notes_above":
        rows = [["Payroll direct deposit changes - verify against signed forms before upload"], [""], *rows]
    title = "Example Public Schools - Payroll Direct Deposit Changes" if layout != "plain_header" else None
    return "xlsx", w_xlsx(it, [("Direct Deposit", title, rows), ("Summary", None, summary)]), [it]


def b_newhire_pdf(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["boxed_form", "two_column"])
    p = g.person("adult")
    it = Item("", kind, layout, "pdf", {"EMPLOYEE_PII", "MA_PI"}, 1)
    pdf = Pdf(it)
    pdf.page()
    pdf.text(40, 50, "Human Resources - New Employee Information Sheet", 14, True)
    pdf.text(40, 68, f"Position: {r.choice(POSITIONS)}    Start date: {g.date('us')}", 10)
    fields = [("Employee name (Last, First, MI)", p.name("lfm")), ("Social Security No.", g.ssn(r.choice(["-", " "]))),
              ("Date of Birth", g.dob(p)), ("MA Driver License / ID", g.dl()),
              ("Home phone", g.phone()), ("Personal e-mail", g.email(p, "example.com")),
              ("Emergency contact", f"{g.person('adult').name('fl')}  {g.phone()}")]
    y = 100
    for i, (lab, val) in enumerate(fields):
        if layout == "boxed_form":
            pdf.box(40, y, 520, 34)
            pdf.text(44, y + 10, lab, 7)
            pdf.text(48, y + 27, val, 11)
            y += 40
        else:
            x = 40 if i % 2 == 0 else 310
            pdf.text(x, y, lab + ":", 8, True)
            pdf.text(x, y + 14, val, 10)
            y += 0 if i % 2 == 0 else 40
    pdf.text(40, 560, "I certify the information above is accurate.  Signature ____________________", 9)
    return "pdf", pdf.bytes(), [it]


def b_report_card(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["positioned_header", "grid_header"])
    kids = g.people(r.randint(2, 6), "student")
    it = Item("", kind, layout, "pdf", {"STUDENT_PII"}, len(kids))
    pdf = Pdf(it)
    teacher = g.person("adult")
    gr = r.choice(GRADES[1:9])
    for k in kids:
        pdf.page()
        pdf.text(40, 45, "PROGRESS REPORT  -  Term 1, 2025-2026", 13, True)
        pdf.text(400, 45, r.choice(SCHOOLS), 9)
        if layout == "positioned_header":
            pdf.text(40, 75, "Student", 8)
            pdf.text(40, 88, k.name("lf"), 11, True)
            pdf.text(260, 75, "State ID", 8)
            pdf.text(260, 88, g.sasid(), 10)
            pdf.text(380, 75, "Local #", 8)
            pdf.text(380, 88, g.sid(), 10)
            pdf.text(470, 75, "Grade", 8)
            pdf.text(470, 88, gr, 10)
            y = 120
        else:
            y = pdf.grid(40, 65, [200, 110, 90, 60, 70],
                         [["Name", "SASID", "Student ID", "Grade", "Birthdate"],
                          [k.name("fl"), g.sasid(), g.sid(), gr, g.dob(k, "us")]]) + 20
        rows = [["Subject", "T1", "Effort", "Comment"]]
        for subj in ("English Language Arts", "Mathematics", "Science", "Social Studies", "Art", "Physical Education"):
            rows.append([subj, r.choice(["4", "3", "2", "A-", "B+", "ME", "PM"]), r.choice(["E", "S", "N"]),
                         r.choice(["Reads with growing fluency", "Completes work on time", "Participates well",
                                   "Needs to show work", ""])])
        y = pdf.grid(40, y, [160, 50, 50, 270], rows)
        pdf.text(40, y + 30, f"Days absent: {r.randint(0, 9)}   Tardy: {r.randint(0, 5)}", 9)
        pdf.text(40, y + 50, f"Homeroom teacher: {teacher.name('fl')}", 9)
    return "pdf", pdf.bytes(), [it]


def b_vendor_json(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["nested_sensitive", "flat_roster", "ndjson_programs"])
    kids = g.people(r.randint(5, 25), "student")
    it = Item("", kind, layout, "json", {"STUDENT_PII"}, len(kids))
    recs: list[object] = []
    for n_rec, k in enumerate(kids):
        if layout == "nested_sensitive":
            recs.append({"sourcedId": g.sid(), "identifiers": {"state": g.sasid()},
                         "demographics": {"name": k.name("fl"), "birthDate": g.dob(k, "iso"), "sex": k.gender},
                         "enrollment": {"grade": r.choice(GRADES), "school": r.choice(SCHOOLS)},
                         "programs": {"mealStatus": "Free" if n_rec == 0 else r.choice(["Free", "Reduced", "Paid"]),
                                      "iep": r.random() < 0.3, "ell": r.random() < 0.2}})
        elif layout == "flat_roster":
            recs.append({"student_name": k.name(r.choice(["fl", "lf"])), "student_number": g.sid(),
                         "grade_level": r.choice(GRADES), "homeroom": f"Rm {r.randint(100, 330)}",
                         "dob": g.dob(k, "us")})
        else:
            recs.append({"id": g.sid(), "full_name": k.name("fl"), "sasid": g.sasid(),
                         "program": "Special Education" if n_rec == 0 else r.choice(
                             ["Special Education", "Section 504", "English Learner", "Free Lunch"]),
                         "start": g.date("iso")})
    if layout != "flat_roster":
        it.classes.add("STUDENT_SENSITIVE")
    obj = {"meta": {"vendor": "ClassLink-style roster sync (example.com)", "generated": g.date("iso"),
                    "page": 1, "pageSize": 100}, "data": recs}
    return "json", w_json(it, recs if layout == "ndjson_programs" else obj, ndjson=layout == "ndjson_programs"), [it]


def b_parent_reply(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["top_post_quoted", "inline_quoted"])
    par, tch, kid = g.person("adult"), g.person("adult"), g.person("student")
    kid.last = par.last
    it = Item("", kind, layout, "eml", {"STUDENT_PII", "STUDENT_SENSITIVE"}, 1)
    issue = r.choice([("asthma", "used her inhaler twice during recess and the nurse called"),
                      ("IEP", "the IEP accommodations for extended time were not applied on the unit test"),
                      ("suspension", "was given a one-day suspension after the incident in the cafeteria"),
                      ("diabetes", "needed a glucose check and snack before gym per the diabetes care plan")])
    gr = r.choice(GRADES[1:8])
    quoted = (f"Dear {par.name('fl')},\n\nI wanted to let you know that your child {kid.name('fl')} (grade {gr}, "
              f"Room {r.randint(100, 330)}) {issue[1]} today. Please call me at {g.phone()} if you have questions.\n\n"
              f"Best,\n{tch.name('fl')}\nGrade {gr} teacher, {r.choice(SCHOOLS)}")
    qt = "\n".join("> " + ln if ln else ">" for ln in quoted.split("\n"))
    who = (f"On {g.date('long')} at {r.randint(1, 11)}:{r.randint(10, 59)} PM, "
           f"{tch.name('fl')} <{g.email(tch, 'example.org')}> wrote:")
    reply = (f"Hi {tch.first},\n\nThank you for letting me know. {kid.first} has mentioned it at home too. "
             f"Can we talk Thursday after pickup?\n\n{par.first}")
    if layout == "top_post_quoted":
        body = f"{reply}\n\n{who}\n{qt}\n"
    else:
        body = f"{who}\n{qt}\n\nThanks - answers below.\n\n> Please call me\nI will call tomorrow.\n\n{par.first}\n"
    data = w_eml(it, addr(g, par, "example.com"), addr(g, tch, "example.org"), f"Re: {kid.first} - {issue[0]} today",
                 mail_date(g), body)
    return "eml", data, [it]


def roster_csv(g: Gen, it: Item, n: int, with_title: bool) -> bytes:
    r = g.r
    kids = g.people(n, "student")
    it.subjects = len(kids)
    hdr = r.choice([["LAST", "FIRST", "STATE ID", "DOB", "HOMEROOM"], ["Pupil", "SASID", "Birth Date", "Teacher"],
                    ["Kid name", "Loc ID", "Bday", "Bus"]])
    rows: list[list[object]] = [hdr]
    for k in kids:
        if hdr[0] == "LAST":
            rows.append([m("PERSON", k.last), k.first, g.sasid(), g.dob(k), f"{r.randint(100, 330)}"])
        elif hdr[0] == "Pupil":
            rows.append([k.name("lf"), g.sasid(), g.dob(k), f"Ms. {r.choice(LAST)}"])
        else:
            rows.append([k.name("fl"), g.sid(), g.dob(k, "us"), f"#{r.randint(1, 40)}"])
    pre = [f"Grade {r.choice(GRADES)} roster - Fall 2025", f"Exported {g.date('us')}", ""] if with_title else []
    return w_csv(it, rows, pre)


def b_forward_csv(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["fwd_attachment_titled", "fwd_attachment_plain"])
    a, b, c = g.person("adult"), g.person("adult"), g.person("adult")
    it = Item("", kind, layout, "eml", set(), 0)
    att = Item("", kind, layout + "/attachment", "csv", {"STUDENT_PII"}, 0)
    name = r.choice(["roster.csv", "class_list_fall.csv", "export (3).csv"])
    data = roster_csv(g, att, r.randint(12, 28), layout == "fwd_attachment_titled")
    body = (f"FYI - see below, can you load this into the reading platform?\n\n{c.first}\n\n"
            f"---------- Forwarded message ---------\nFrom: {addr(g, a, 'example.org')}\nDate: {g.date('long')}\n"
            f"Subject: class list\nTo: {addr(g, c, 'example.org')}\n\nHere is the list you asked for.\n")
    eml = w_eml(it, addr(g, c, "example.org"), addr(g, b, "example.org"), "Fwd: class list", mail_date(g), body,
                attachments=[(name, data, "text", "csv")])
    att.rel = name
    return "eml", eml, [it, att]


def b_sis_zip(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "zip_exports", "zip", set(), 0)
    kids = g.people(r.randint(10, 30), "student")
    stu = Item("export/students.csv", kind, "zip_member", "csv", {"STUDENT_PII"}, len(kids))
    ids = [g.sid() for _ in kids]
    rows: list[list[object]] = [["student_id", "state_id", "last_name", "first_name", "birthdate", "grade"]]
    for k, i in zip(kids, ids, strict=True):
        rows.append([i, g.sasid(), m("PERSON", k.last), k.first, g.dob(k, r.choice(["iso", "us"])), r.choice(GRADES)])
    stu_b = w_csv(stu, rows)
    con = Item("export/contacts.csv", kind, "zip_member", "csv", {"STUDENT_PII"}, len(kids))
    rows = [["student_id", "guardian", "relationship", "phone", "email"]]
    for k in kids:
        gp = g.person("adult")
        rows.append([ids[kids.index(k)], gp.name("fl"), r.choice(["Mother", "Father", "Guardian", "Grandparent"]),
                     g.phone(), g.email(gp, "example.com")])
    con_b = w_csv(con, rows)
    prg = Item("export/programs.csv", kind, "zip_member", "csv", {"STUDENT_PII", "STUDENT_SENSITIVE"}, 0)
    rows = [["student_id", "program_code", "program_name", "entry_date"]]
    chosen = r.sample(range(len(kids)), k=min(len(kids), r.randint(3, 8)))
    for j in chosen:
        code, nm = r.choice([("SPED", "Special Education - IEP"), ("504", "Section 504 Plan"), ("FRL", "Free Lunch"),
                             ("MKV", "McKinney-Vento (homeless)")])
        rows.append([ids[j], code, nm, g.date("iso")])
    prg.subjects = len(chosen)
    prg_b = w_csv(prg, rows)
    rd = Item("export/README.txt", kind, "zip_member", "txt", set(), 0)
    rd_b = rd.t("SIS nightly export. Files: students.csv, contacts.csv, programs.csv. Encoding UTF-8, comma "
                "separated. Job id 4471, run time 02:15.\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for x, d in ((stu, stu_b), (con, con_b), (prg, prg_b), (rd, rd_b)):
            z.writestr(x.rel, d)
    return "zip", buf.getvalue(), [it, stu, con, prg, rd]


def b_payment_csv(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["portal_export", "semicolon_title"])
    n = r.randint(6, 20)
    it = Item("", kind, layout, "csv", {"MA_PI", "STUDENT_PII"}, 0)
    rows: list[list[object]] = [["Txn", "Payer", "Card", "Exp", "Amount", "For student", "Grade", "Trip"]]
    subj = 0
    for _ in range(n):
        payer, kid = g.person("adult"), g.person("student")
        kid.last = payer.last if r.random() < 0.7 else kid.last
        masked = r.random() < 0.25
        card = "XXXX-XXXX-XXXX-" + str(r.randint(1000, 9999)) if masked else g.card(r.choice([" ", "-", ""]))
        if masked:
            it.decoys["masked_card"] += 1
        subj += 2
        rows.append(
            [
                f"T{r.randint(10**8, 10**9 - 1)}",
                payer.name("fl"),
                card,
                f"{r.randint(1, 12):02d}/{r.randint(26, 30)}",
                f"{r.choice([25, 40, 65, 120])}.00",
                kid.name("fl"),
                r.choice(GRADES),
                "Museum of Science",
            ]
        )
    it.decoys["nine_digit_txn"] += n
    it.subjects = subj
    pre = ["Field trip payments - online portal", f"Report date {g.date('us')}"] if layout == "semicolon_title" else []
    return "csv", w_csv(it, rows, pre, ";" if layout == "semicolon_title" else ","), [it]


def b_discipline(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["form_table", "narrative"])
    k, st = g.person("student"), g.person("adult")
    it = Item("", kind, layout, "docx", {"STUDENT_PII", "STUDENT_SENSITIVE"}, 1)
    action = r.choice(
        ["1-day out-of-school suspension", "2 days in-school suspension", "detention and parent conference"]
    )
    if layout == "form_table":
        blocks: list[tuple[str, object]] = [
            ("h", "Office Discipline Referral"),
            (
                "kv",
                [
                    ("Student Name", k.name(r.choice(["fl", "lf"]))),
                    ("Student ID", g.sid()),
                    ("Grade", r.choice(GRADES[5:])),
                    ("Date of incident", g.date()),
                    ("Location", r.choice(["Cafeteria", "Bus 7", "Hallway B", "Gym"])),
                    ("Behavior", r.choice(["Fighting", "Disrespect to staff", "Vandalism", "Bullying"])),
                    ("Administrative action", action),
                    ("Referring staff", st.name("fl")),
                ],
            ),
            ("p", "Parent/guardian notified by phone. Copy to student file."),
        ]
    else:
        blocks = [("h", "Incident summary"),
                  ("p", f"On {g.date('long')}, {k.name('fl')} (grade {r.choice(GRADES[5:])}, student #{g.sid()}) "
                        f"was involved in a physical altercation near the gym. After the investigation the "
                        f"assistant principal assigned a {action}."),
                  ("p", f"Reported by {st.name('fml')}, {r.choice(POSITIONS)}.")]
    return "docx", w_docx(it, blocks), [it]


def b_cori(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["txt_form", "pdf_form"])
    p = g.person("adult")
    fmt = "txt" if layout == "txt_form" else "pdf"
    it = Item("", kind, layout, fmt, {"EMPLOYEE_PII", "MA_PI"}, 1)
    fields = [
        ("Applicant", p.name(r.choice(["fl", "LF", "fml"]))),
        ("Date of birth", g.dob(p)),
        ("SSN", g.ssn(r.choice(["-", " ", ""]))),
        ("License #", g.dl()),
        ("Position applied for", r.choice(POSITIONS)),
        ("Mother's maiden name", r.choice(LAST)),
    ]
    if fmt == "txt":
        lines = ["HUMAN RESOURCES - CORI / SORI REQUEST (employment)", "=" * 48]
        lines += [f"{a + ':':<24}{b}" for a, b in fields]
        lines += ["", "Submitted to DCJIS iCORI on " + g.date("us")]
        return "txt", it.t("\n".join(lines)).encode(), [it]
    pdf = Pdf(it)
    pdf.page()
    pdf.text(40, 50, "CORI Acknowledgement Form - Human Resources", 13, True)
    y = 90
    for a, b in fields:
        pdf.text(40, y, a, 9, True)
        pdf.text(200, y, b, 10)
        pdf.p.line(195, y + 3, 520, y + 3)
        y += 28
    return "pdf", pdf.bytes(), [it]


def b_licensure(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["merged_title", "two_sheets_by_school"])
    staff = g.people(r.randint(8, 30), "adult")
    it = Item("", kind, layout, "xlsx", {"EMPLOYEE_PII"}, len(staff))
    head = ["Educator", "MEPID", "Employee No.", "License", "Expires"]
    rows: list[list[object]] = [head]
    for p in staff:
        rows.append([p.name(r.choice(["fl", "lf"])), g.mepid(), g.eid(),
                     r.choice(["Elementary 1-6 Prof", "Mathematics 8-12 Initial", "Moderate Disabilities PreK-8",
                               "ESL PreK-6 Prof"]), g.date("us")])
    if layout == "merged_title":
        sheets = [("Licensure", "Educator Licensure Status 2025-26 (ELAR)", rows)]
    else:
        half = len(rows) // 2
        sheets = [("North", "North campus", rows[:half]), ("South", "South campus", [head, *rows[half:]])]
    return "xlsx", w_xlsx(it, sheets), [it]


def b_stipend(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["itin_deposit_docx", "iban_reimb_html"])
    p = g.person("adult")
    if layout == "itin_deposit_docx":
        it = Item("", kind, layout, "docx", {"EMPLOYEE_PII", "MA_PI"}, 1)
        blocks: list[tuple[str, object]] = [
            ("h", "Summer Stipend - Payroll Authorization"),
            ("p", "Return to the Payroll Office with a voided check."),
            ("table", [["Field", "Entry"], ["Employee", p.name("fl")], ["Employee ID", g.eid()],
                       ["Taxpayer ID (ITIN)", g.itin()], ["Routing number", g.aba()], ["Account number", g.account()],
                       ["Stipend", f"${r.randint(8, 30) * 100}.00 summer curriculum work"]])]
        return "docx", w_docx(it, blocks), [it]
    it = Item("", kind, layout, "html", {"EMPLOYEE_PII", "MA_PI"}, 1)
    body = (f"<h1>Visiting teacher reimbursement</h1>\n<form><fieldset><legend>Payee</legend>\n"
            f"<label>Name</label> <span class=\"v\">{esc(p.name('fl'))}</span><br>\n"
            f"<label>Employee ID</label> <span class=\"v\">{g.eid()}</span><br>\n"
            f"<label>Bank (IBAN)</label> <span class=\"v\">{g.iban(r.random() < 0.5)}</span><br>\n"
            f"<label>Amount</label> <span class=\"v\">EUR {r.randint(200, 1800)}.00 travel</span></fieldset></form>\n"
            "<p>Approved by the Human Resources office for payroll processing.</p>")
    return "html", w_html(it, "Reimbursement", body), [it]


def b_health_card(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["dl_list", "table_form"])
    k, par = g.person("student"), g.person("adult")
    it = Item("", kind, layout, "html", {"STUDENT_PII", "STUDENT_SENSITIVE"}, 1)
    pairs = [("Student", esc(k.name("fl"))), ("Date of birth", g.dob(k)), ("Grade", r.choice(GRADES)),
             ("Allergies", r.choice(["Peanuts (anaphylaxis) - EpiPen in office", "Penicillin", "Bee stings"])),
             ("Medications at school", r.choice(["Albuterol inhaler", "None", "Insulin pump"])),
             ("MassHealth member ID", g.masshealth()), ("Parent/guardian", esc(par.name("fl"))),
             ("Cell", g.phone())]
    if layout == "dl_list":
        body = (
            "<h2>Emergency Health Card</h2>\n<dl>\n"
            + "".join(f"<dt>{a}</dt><dd>{b}</dd>\n" for a, b in pairs)
            + "</dl>"
        )
    else:
        body = ("<h2>Student health information</h2>\n<table class=\"form\">\n" +
                "".join(f"<tr><th>{a}</th><td>{b}</td></tr>\n" for a, b in pairs) + "</table>")
    return "html", w_html(it, "Health card", body), [it]


def b_credentials(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["staff_welcome_txt", "student_logins_xlsx"])
    if layout == "staff_welcome_txt":
        staff = g.people(r.randint(3, 8), "adult")
        it = Item("", kind, layout, "txt", {"CREDENTIALS", "EMPLOYEE_PII"}, len(staff))
        lines = [
            "New staff network accounts - week of " + g.date("us"),
            "Give each person their slip; they must change the password at first login.",
            "",
        ]
        for p in staff:
            lines += [
                f"{p.name('fl')}  (employee {g.eid()})",
                f"   username: {p.first[0].lower()}{re.sub('[^a-z]', '', p.last.lower())}",
                f"   temporary password: {g.password()}",
                "",
            ]
        return "txt", it.t("\n".join(lines)).encode(), [it]
    kids = g.people(r.randint(10, 26), "student")
    it = Item("", kind, layout, "xlsx", {"CREDENTIALS", "STUDENT_PII"}, len(kids))
    rows: list[list[object]] = [["Student", "Student #", "Chromebook login", "Password"]]
    for k in kids:
        rows.append([k.name("lf"), g.sid(), f"{k.first.lower()}.{r.randint(10, 99)}", g.password()])
    return "xlsx", w_xlsx(it, [("Logins", f"Room {r.randint(100, 330)} device logins", rows)]), [it]


def b_attendance_letter(g: Gen, kind: str) -> Out:
    r = g.r
    k, ap = g.person("student"), g.person("adult")
    it = Item("", kind, "letter_re_line", "docx", {"STUDENT_PII"}, 1)
    blocks: list[tuple[str, object]] = [
        ("p", f"{r.choice(SCHOOLS)}\n{g.date('long')}"),
        ("p", f"To the parent/guardian of {k.name('fl')}"),
        ("p", f"RE: {k.name('LF')} - Grade {r.choice(GRADES[6:])} - Student ID {g.sid()}"),
        ("p", f"Our records show {r.randint(6, 14)} absences this term. Regular attendance matters for learning. "
              "Please contact the office to set up a meeting with the attendance team."),
        ("table", [["Month", "Absent", "Tardy"], ["September", str(r.randint(0, 4)), str(r.randint(0, 3))],
                   ["October", str(r.randint(1, 6)), str(r.randint(0, 3))]]),
        ("p", f"{ap.name('fl')}\nAssistant Principal\n{g.phone()}")]
    return "docx", w_docx(it, blocks), [it]


def b_homeless_pdf(g: Gen, kind: str) -> Out:
    r = g.r
    k = g.person("student")
    it = Item("", kind, "checkbox_form", "pdf", {"STUDENT_PII", "STUDENT_SENSITIVE"}, 1)
    pdf = Pdf(it)
    pdf.page()
    pdf.text(40, 50, "Housing Questionnaire (McKinney-Vento)", 13, True)
    pdf.text(40, 80, "Student name:", 9)
    pdf.text(130, 80, k.name("fl"), 11)
    pdf.text(360, 80, "DOB:", 9)
    pdf.text(390, 80, g.dob(k), 11)
    pdf.text(40, 100, f"Grade: {r.choice(GRADES)}    School: {r.choice(SCHOOLS)}", 9)
    opts = ["In a shelter", "Doubled up with another family due to loss of housing", "In a motel or hotel",
            "In a car, park or campground", "None of the above"]
    pick = r.randrange(4)
    y = 130
    for i, o in enumerate(opts):
        pdf.box(40, y - 8, 9, 9)
        if i == pick:
            pdf.text(41, y, "X", 9, True)
        pdf.text(56, y, o, 10)
        y += 20
    pdf.text(40, y + 20, "Homeless liaison review: eligible for transportation and free meals.", 9)
    return "pdf", pdf.bytes(), [it]


def b_transport(g: Gen, kind: str) -> Out:
    r = g.r
    buses = r.randint(2, 4)
    it = Item("", kind, "sheet_per_bus", "xlsx", {"STUDENT_PII"}, 0)
    sheets = []
    n = 0
    for b in range(buses):
        rows: list[list[object]] = [["Stop", "Time", "Student rider", "Gr", "Pickup address"]]
        for k in g.people(r.randint(6, 15), "student"):
            n += 1
            rows.append(
                [
                    r.randint(1, 12),
                    f"7:{r.randint(0, 59):02d}",
                    k.name(r.choice(["fl", "lf"])),
                    r.choice(GRADES),
                    f"{r.randint(2, 400)} {r.choice(LAST)} {r.choice(['St', 'Ave', 'Rd'])}",
                ]
            )
        sheets.append((f"Bus {r.randint(1, 40)}-{b}", f"AM route - students riding bus, {r.choice(SCHOOLS)}", rows))
    it.subjects = n
    return "xlsx", w_xlsx(it, sheets), [it]


def b_salary_letter(g: Gen, kind: str) -> Out:
    r = g.r
    p, hr = g.person("adult"), g.person("adult")
    it = Item("", kind, "letter_table", "docx", {"EMPLOYEE_PII"}, 1)
    blocks: list[tuple[str, object]] = [
        ("p", g.date("long")),
        ("p", f"Dear {p.name('fl')},"),
        ("p", "Following the ratified agreement, your placement on the salary schedule for 2025-26 is shown below."),
        (
            "table",
            [
                ["Employee ID", "Lane", "Step", "Annual salary"],
                [
                    g.eid(),
                    r.choice(["BA", "MA", "MA+30"]),
                    str(r.randint(1, 14)),
                    f"${r.randint(52, 112)},{r.randint(100, 999)}",
                ],
            ],
        ),
        ("p", f"Human Resources\n{hr.name('fl')}, Director"),
    ]
    return "docx", w_docx(it, blocks), [it]


def b_sped_caseload(g: Gen, kind: str) -> Out:
    r = g.r
    kids = g.people(r.randint(6, 16), "student")
    it = Item("", kind, "intranet_table", "html", {"STUDENT_PII", "STUDENT_SENSITIVE"}, len(kids))
    trs = "".join(
        f"<tr><td>{esc(k.name(r.choice(['fl', 'lf'])))}</td><td>{r.choice(GRADES)}</td>"
        f"<td>{r.choice(DISABILITIES)}</td><td>{r.choice([30, 60, 90, 120])} min/wk</td></tr>\n"
        for k in kids
    )
    cm = g.person("adult")
    body = (
        f"<h1>Caseload - {esc(cm.name('fl'))}</h1>\n<p>Updated {g.date('long')}. Confidential: special education.</p>\n"
        "<table><thead><tr><th>Student</th><th>Gr</th><th>Disability</th><th>Service</th></tr></thead><tbody>\n"
        f"{trs}</tbody></table>"
    )
    return "html", w_html(it, "Caseload", body), [it]


# ----------------------------------------------------------------------------------------------- PI-free look-alikes


def b_inventory(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["xlsx_title", "csv_plain"])
    fmt = "xlsx" if layout == "xlsx_title" else "csv"
    it = Item("", kind, layout, fmt)
    rows: list[list[object]] = [["Asset tag", "Serial", "Model", "Room", "Purchased", "Cost"]]
    n = r.randint(40, 160)
    for _ in range(n):
        rows.append(
            [
                str(r.randint(10**7, 10**8 - 1)),
                f"{r.choice(['5CD', 'NXH', 'C02'])}{r.randint(10**6, 10**7 - 1)}",
                r.choice(["Chromebook 311", "Latitude 3440", "iPad 9th gen", "Epson projector", "Document camera"]),
                str(r.randint(100, 330)),
                g.date("us"),
                f"{r.randint(120, 900)}.{r.randint(0, 99):02d}",
            ]
        )
    it.decoys["eight_digit_tags"] = n
    if fmt == "xlsx":
        return "xlsx", w_xlsx(it, [("Devices", "Technology inventory - " + r.choice(SCHOOLS), rows)]), [it]
    return "csv", w_csv(it, rows), [it]


def b_catalog(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "library_export", "csv")
    rows: list[list[object]] = [["Call number", "Title", "Author", "ISBN", "Copies"]]
    for _ in range(r.randint(40, 120)):
        a = g.person("adult")
        isbn = "978" + "".join(str(r.randint(0, 9)) for _ in range(10))
        rows.append(
            [
                f"FIC {a.last[:3].upper()}",
                f"The {r.choice(['Silver', 'Hidden', 'Last', 'Winter'])} "
                f"{r.choice(['Garden', 'River', 'Key', 'Lighthouse'])}",
                f"{a.last}, {a.first}",
                isbn,
                r.randint(1, 4),
            ]
        )
        # Authors in bibliographic data are writers, not district people (classify.py): not labelled PERSON.
        it.decoys["isbn13"] += 1
        it.decoys["author_names"] += 1
    return "csv", w_csv(it, rows), [it]


def b_po(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "po_pdf", "pdf")
    pdf = Pdf(it)
    pdf.page()
    po = str(r.randint(10**8, 10**9 - 1))
    pdf.text(40, 50, "PURCHASE ORDER", 16, True)
    pdf.text(400, 50, f"PO # {po}", 11)
    pdf.text(40, 75, f"Vendor: {r.choice(['School Specialty', 'CDW-G', 'Really Good Stuff', 'WB Mason'])}   "
                     f"Vendor no. {r.randint(10**5, 10**6 - 1)}", 10)
    pdf.text(40, 90, f"Ship to: {r.choice(SCHOOLS)}, Receiving dock     Date: {g.date('us')}", 10)
    rows = [["Line", "Item no.", "Description", "Qty", "Unit", "Account"]]
    for i in range(r.randint(5, 18)):
        rows.append(
            [
                str(i + 1),
                str(r.randint(10**9, 10**10 - 1)),
                r.choice(["Copy paper case", "Dry erase markers", "Chart paper", "Toner cartridge", "Scissors 24pk"]),
                str(r.randint(1, 40)),
                f"{r.randint(3, 90)}.{r.randint(0, 99):02d}",
                f"1000-{r.randint(2000, 2999)}-{r.randint(500, 599)}",
            ]
        )
        it.decoys["ten_digit_item_no"] += 1
    pdf.grid(40, 110, [35, 80, 190, 35, 60, 110], rows, 8)
    it.decoys["nine_digit_po"] += 1
    return "pdf", pdf.bytes(), [it]


def b_menu(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["html_week", "pdf_month"])
    it = Item("", kind, layout, "html" if layout == "html_week" else "pdf")
    dishes = ["Chicken tenders", "Veggie chili", "Cheese pizza", "Bean & cheese burrito", "Pasta marinara",
              "Turkey wrap", "Teriyaki rice bowl", "Sunbutter sandwich"]
    if layout == "html_week":
        body = (
            "<h1>Lunch menu</h1><table><tr><th>Day</th><th>Entree</th><th>Side</th></tr>"
            + "".join(
                f"<tr><td>{g.date('long')}</td><td>{r.choice(dishes)}</td>"
                f"<td>{r.choice(['Apple', 'Carrots', 'Salad'])}</td></tr>"
                for _ in range(5)
            )
            + "</table><p>Free and reduced price meal applications are available online.</p>"
        )
        return "html", w_html(it, "Menu", body), [it]
    pdf = Pdf(it)
    pdf.page()
    pdf.text(40, 50, "Monthly Breakfast & Lunch Menu", 15, True)
    for i in range(20):
        pdf.text(40 + (i % 5) * 105, 90 + (i // 5) * 60, f"{i + 1}: {r.choice(dishes)}", 8)
    return "pdf", pdf.bytes(), [it]


def b_newsletter(g: Gen, kind: str) -> Out:
    r = g.r
    staff = g.people(r.randint(3, 7), "adult")
    it = Item("", kind, "newsletter_docx", "docx")
    blocks: list[tuple[str, object]] = [("h", f"{r.choice(SCHOOLS)} Family Newsletter - {r.choice(MONTHS)} 2025")]
    for p in staff:
        blocks.append(("p", f"Welcome to {p.name('fl')}, our new {r.choice(POSITIONS).lower()}! "
                            f"{r.choice(['She', 'He', 'They'])} joins us from a school in Worcester."))
    blocks.append(("p", "Picture day is " + g.date("long") + ". Book fair runs all week in the library."))
    blocks.append(("table", [["Event", "When"], ["Math night", g.date("us")], ["Early release", g.date("us")]]))
    return "docx", w_docx(it, blocks), [it]


def b_minutes(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["txt_minutes", "pdf_minutes"])
    members = g.people(5, "adult")
    it = Item("", kind, layout, "txt" if layout == "txt_minutes" else "pdf")
    lines = [f"SCHOOL COMMITTEE - REGULAR MEETING - {g.date('long')}", "Public session, Council Chamber", "",
             "Present: " + ", ".join(p.name("fl") for p in members), ""]
    for i in range(r.randint(4, 9)):
        a, b = r.sample(members, 2)
        topic = r.choice(
            ["FY27 budget calendar", "Policy JJIF first reading", "Curriculum update", "Facilities report"]
        )
        lines += [
            f"{i + 1}. {topic}",
            f"   Motion by {a.name('fl')}, seconded by {b.name('fl')}; approved {r.randint(4, 5)}-0.",
            "",
        ]
    lines.append("Adjourned 9:42 PM.")
    if layout == "txt_minutes":
        return "txt", it.t("\n".join(lines)).encode(), [it]
    pdf = Pdf(it)
    pdf.page()
    y = 50
    for ln in lines:
        if y > 740:
            pdf.page()
            y = 50
        pdf.text(40, y, ln, 9)
        y += 13
    return "pdf", pdf.bytes(), [it]


def b_syslog(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "server_log", "txt")
    lines = []
    t = dt.datetime(2025, 10, 2, 0, 0, 0)
    for _ in range(r.randint(600, 1400)):
        t += dt.timedelta(seconds=r.randint(1, 40))
        lines.append(
            f"{t.isoformat()}Z web-{r.randint(1, 4)} req={r.randint(10**8, 10**9 - 1)} "
            f"ip=10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)} "
            f"{r.choice(['GET', 'POST'])} /{r.choice(['login', 'api/v2/sections', 'static/app.js', 'health'])} "
            f"{r.choice([200, 200, 200, 302, 404, 500])} {r.randint(1, 2400)}ms sess={r.getrandbits(64):016x}"
        )
    it.decoys["nine_digit_request_ids"] = len(lines)
    return "txt", "\n".join(lines).encode(), [it]


def b_course_catalog(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "api_courses", "json")
    courses = [{"courseCode": f"{r.choice(['MAT', 'ENG', 'SCI', 'HIS'])}{r.randint(100, 499)}",
                "title": r.choice(["Algebra I", "Biology", "US History", "Creative Writing", "Chemistry Honors"]),
                "credits": r.choice([0.5, 1.0]), "gradeLevels": r.sample(GRADES[9:], 2),
                "sectionId": str(r.randint(10**9, 10**10 - 1)), "room": str(r.randint(100, 330))}
               for _ in range(r.randint(30, 90))]
    it.decoys["ten_digit_section_ids"] = len(courses)
    return "json", w_json(it, {"courses": courses, "term": "2025-26 S1"}), [it]


def b_directory(g: Gen, kind: str) -> Out:
    r = g.r
    staff = g.people(r.randint(8, 25), "adult")
    it = Item("", kind, "staff_directory_html", "html")
    trs = "".join(f"<tr><td>{esc(p.name('fl'))}</td><td>{r.choice(POSITIONS)}</td><td>{g.email(p, 'example.org')}</td>"
                  f"<td>x{r.randint(1000, 9999)}</td></tr>\n" for p in staff)
    body = (f"<h1>{r.choice(SCHOOLS)} staff directory</h1>\n<p>Main office {g.phone()}</p>\n"
            f"<table><tr><th>Name</th><th>Role</th><th>E-mail</th><th>Ext.</th></tr>\n{trs}</table>")
    return "html", w_html(it, "Directory", body), [it]


def b_work_orders(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "tab_separated", "csv")
    rows: list[list[object]] = [["WO#", "Opened", "Building", "Room", "Issue", "Priority", "Status"]]
    for _ in range(r.randint(30, 100)):
        rows.append([str(r.randint(10**8, 10**9 - 1)), g.date("iso"), r.choice(SCHOOLS), str(r.randint(100, 330)),
                     r.choice(["Leaking faucet", "HVAC not heating", "Ceiling tile stained", "Door closer broken"]),
                     r.choice(["Low", "Med", "High"]), r.choice(["Open", "Closed"])])
        it.decoys["nine_digit_wo"] += 1
    return "csv", w_csv(it, rows, delim="\t"), [it]


def b_athletics(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "season_sheets", "xlsx")
    sheets = []
    for sport in r.sample(["Soccer", "Cross Country", "Field Hockey", "Volleyball", "Basketball"], 3):
        rows: list[list[object]] = [["Date", "Opponent", "Home/Away", "Time", "Bus departs"]]
        for _ in range(r.randint(8, 14)):
            rows.append(
                [
                    g.date("us"),
                    r.choice(["Somerville", "Arlington", "Newton North", "Medford", "Belmont"]),
                    r.choice(["H", "A"]),
                    f"{r.randint(3, 6)}:{r.choice(['00', '30'])} PM",
                    f"{r.randint(1, 4)}:15 PM",
                ]
            )
        sheets.append((sport, f"Varsity {sport} 2025", rows))
    return "xlsx", w_xlsx(it, sheets), [it]


def b_menu_zip(g: Gen, kind: str) -> Out:
    it = Item("", kind, "zip_public", "zip")
    out = [it]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, f in enumerate((b_work_orders, b_course_catalog)):
            ext, data, items = f(g, kind)
            items[0].rel = f"public/{i}_{items[0].layout}.{ext}"
            z.writestr(items[0].rel, data)
            out.append(items[0])
    return "zip", buf.getvalue(), out


def b_budget(g: Gen, kind: str) -> Out:
    r = g.r
    it = Item("", kind, "budget_lines", "xlsx")
    rows: list[list[object]] = [["Account string", "Description", "FY25 actual", "FY26 budget", "Change"]]
    for _ in range(r.randint(40, 120)):
        a, b = r.randint(10**6, 10**7), r.randint(10**6, 10**7)
        rows.append(
            [
                f"{r.choice(['1000', '2500', '4000'])}-{r.randint(2000, 2999)}-{r.randint(500, 599)}",
                r.choice(["Instructional supplies", "Professional development", "Contracted services", "Utilities"]),
                a,
                b,
                b - a,
            ]
        )
    return "xlsx", w_xlsx(it, [("FY26", "FY26 Operating Budget - General Fund", rows)]), [it]


def b_benefits(g: Gen, kind: str) -> Out:
    r = g.r
    layout = r.choice(["csv_no_dash_ssn", "xlsx_dependents"])
    staff = g.people(r.randint(5, 14), "adult")
    fmt = "csv" if layout == "csv_no_dash_ssn" else "xlsx"
    it = Item("", kind, layout, fmt, {"EMPLOYEE_PII", "MA_PI"}, len(staff))
    rows: list[list[object]] = [["Employee", "SSN", "Birth date", "Plan", "Coverage", "Payroll deduction"]]
    for p in staff:
        rows.append([p.name(r.choice(["lf", "fl", "LF"])), g.ssn("" if fmt == "csv" else r.choice(["-", " "])),
                     g.dob(p), r.choice(["HMO Blue", "PPO", "Dental Basic"]), r.choice(["Individual", "Family"]),
                     f"{r.randint(40, 400)}.{r.randint(0, 99):02d}"])
    if fmt == "csv":
        return "csv", w_csv(it, rows, ["Open enrollment 2026 - employee elections (HR/benefits)", ""]), [it]
    dep: list[list[object]] = [["Employee", "Dependent", "Relationship", "Dependent DOB"]]
    for p in r.sample(staff, k=min(4, len(staff))):
        d = g.person("student")
        d.last = p.last
        it.subjects += 1
        dep.append([p.name("fl"), d.name("fl"), r.choice(["Child", "Spouse"]), g.dob(d)])
    return "xlsx", w_xlsx(it, [("Elections", "Benefits open enrollment - payroll deductions", rows),
                               ("Dependents", None, dep)]), [it]


def b_volunteers(g: Gen, kind: str) -> Out:
    r = g.r
    people = g.people(r.randint(5, 12), "adult")
    it = Item("", kind, "chaperone_list_docx", "docx", {"MA_PI"}, len(people))
    rows: list[list[object]] = [["Chaperone", "Driver's license", "Vehicle", "Trip"]]
    for p in people:
        rows.append([p.name(r.choice(["fl", "il"])), g.dl(), r.choice(["Minivan", "SUV", "Sedan", "none"]),
                     r.choice(["Harvard Forest", "Plimoth Patuxet", "Boston Harbor Islands"])])
    blocks: list[tuple[str, object]] = [("h", "Parent volunteer drivers - spring trips"),
                                        ("p", "Licenses checked by the main office on " + g.date("long") + "."),
                                        ("table", rows)]
    return "docx", w_docx(it, blocks), [it]


PI_KINDS: dict[str, Callable[[Gen, str], Out]] = {
    "iep_meeting_notice": b_iep_notice, "nurse_log": b_nurse_log, "payroll_direct_deposit": b_payroll_dd,
    "new_hire_form": b_newhire_pdf, "report_card": b_report_card, "vendor_roster_api": b_vendor_json,
    "parent_email_reply": b_parent_reply, "forwarded_roster": b_forward_csv, "sis_export_zip": b_sis_zip,
    "trip_payments": b_payment_csv, "discipline_referral": b_discipline, "cori_request": b_cori,
    "licensure_roster": b_licensure, "stipend_payment": b_stipend, "health_card": b_health_card,
    "account_credentials": b_credentials, "attendance_letter": b_attendance_letter,
    "housing_questionnaire": b_homeless_pdf, "bus_roster": b_transport, "salary_letter": b_salary_letter,
    "sped_caseload": b_sped_caseload, "benefits_enrollment": b_benefits, "volunteer_drivers": b_volunteers,
}
FREE_KINDS: dict[str, Callable[[Gen, str], Out]] = {
    "device_inventory": b_inventory, "library_catalog": b_catalog, "purchase_order": b_po, "lunch_menu": b_menu,
    "newsletter": b_newsletter, "board_minutes": b_minutes, "web_server_log": b_syslog,
    "course_catalog": b_course_catalog, "staff_directory": b_directory, "work_orders": b_work_orders,
    "athletics_schedule": b_athletics, "public_exports_zip": b_menu_zip, "budget_sheet": b_budget,
}


def generate(out: Path, seed: int = 2026, files: int = 200) -> dict[str, object]:
    """Write the corpus and its labels; returns the label dict."""
    g = Gen(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_free = round(files * 0.4)
    plan = [(k, True) for k in FREE_KINDS] + [(k, False) for k in PI_KINDS]
    while len(plan) < files:
        free = sum(f for _, f in plan) < n_free
        plan.append((g.r.choice(list(FREE_KINDS if free else PI_KINDS)), free))
    g.r.shuffle(plan)
    items: dict[str, dict[str, object]] = {}
    total = 0
    for i, (kind, free) in enumerate(plan):
        ext, data, its = (FREE_KINDS if free else PI_KINDS)[kind](g, kind)
        name = f"{['docs', 'shares/office', 'mail', 'exports', 'staff'][i % 5]}/{kind}_{i:03d}.{ext}"
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
        total += len(data)
        for j, it in enumerate(its):
            key = name if j == 0 else f"{name}!/{it.rel}"
            items[key] = {"entities": dict(sorted((e, c) for e, c in it.counts.items() if c)),
                          "subjects": it.subjects, "classifications": sorted(it.classes),
                          "decoys": dict(it.decoys), "kind": kind, "layout": it.layout, "format": it.fmt}
    classified_files = {k.split("!/", 1)[0] for k, v in items.items() if v["classifications"]}
    free_files = len(plan) - len(classified_files)
    labels = {
        "generator": GENERATOR,
        "seed": seed,
        "files": len(plan),
        "bytes": total,
        "pi_free_files": free_files,
        "counting": COUNTING,
        "kinds": len(PI_KINDS) + len(FREE_KINDS),
        "items": items,
    }
    (out / "_labels.json").write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
    return labels


def main() -> None:
    ap = argparse.ArgumentParser(description="Write the second held-out labeled corpus (holdout_b).")
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--files", type=int, default=200)
    a = ap.parse_args()
    lab = generate(a.out, a.seed, a.files)
    print(f"{lab['files']} files, {lab['bytes']} bytes, {lab['pi_free_files']} PI-free, {len(lab['items'])} items")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
