"""Held-out labeled corpus of a school district's documents (independent evaluation, issue 13).

Provenance: written by helper H8 outside the repository, without reading the recognizers (``detectors/``,
``dlp/detect/``) or ``benchmarks/layout_corpus.py``, and used as a blind check in the 2026-12-05 session. Its
failure patterns were then described to the developers, so it is NO LONGER BLIND: a good score on it shows the
reported failures are fixed, not that detection generalizes (use a corpus nobody has tuned against for that).
Copied here unchanged in output (only lint fixes) so later sessions can reproduce the check.

Usage::

    python benchmarks/holdout_a.py OUT_DIR --seed 13                 # write the corpus (byte-identical per seed)
    python benchmarks/accuracy.py --layout-corpus OUT_DIR --no-presidio   # score the scanner on it

Writes about 250 files (~3 MB) of invented district documents under OUT_DIR and ``OUT_DIR/_labels.json``
in the label format read by ``benchmarks/accuracy.py --layout-corpus``. Every value is synthetic and
valid in format (SSN/ITIN ranges, Luhn cards, ABA checksums, IBAN mod-97, MA license shapes, SASID,
MEPID); people are invented; e-mail domains are example.org / example.com.

Counting: every rendered occurrence of a value counts once (PERSON: every occurrence of a full name,
in any style, e-mail header display names included; a first and a last name in two adjacent columns of
one row count once). Dates count as DATE_OF_BIRTH only when labeled as a birth date. Local IDs follow
the scan config of accuracy.py (student ``2#####``, employee ``E#####``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
import string
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------------------------- model


@dataclass
class Item:
    """Labels of one item, filled while its content is built (each rendered value passes through v())."""

    kind: str
    layout: str = ""
    fmt: str = ""
    ents: Counter = field(default_factory=Counter)
    decoys: Counter = field(default_factory=Counter)
    subjects: set = field(default_factory=set)
    cls: set = field(default_factory=set)

    def v(self, entity: str, value: Any) -> str:
        self.ents[entity] += 1
        return str(value)

    def d(self, decoy: str, value: Any) -> str:
        self.decoys[decoy] += 1
        return str(value)

    def label(self) -> dict[str, Any]:
        return {"entities": dict(sorted((k, n) for k, n in self.ents.items() if n)),
                "subjects": len(self.subjects), "classifications": sorted(self.cls),
                "decoys": dict(sorted(self.decoys.items())), "kind": self.kind, "layout": self.layout,
                "format": self.fmt}


# Blocks of a document: ("h", text) title/banner, ("p", text), ("kv", [(label, value)]),
# ("t", Table), ("pre", [lines]).
@dataclass
class Table:
    head: list[str]
    rows: list[list[str]]
    groups: list[tuple[str, int]] | None = None  # a first header row of merged group labels

Doc = list[tuple[str, Any]]
FIXED_TIME = dt.datetime(2025, 10, 1, 8, 0, 0)  # document metadata times, so that a seed gives the same bytes

# ---------------------------------------------------------------------------------------------- people

FIRST = ["Maria", "James", "Aaliyah", "Liam", "Sofia", "Mateo", "Chloe", "Ethan", "Priya", "Noah", "Grace",
         "Dmitri", "Hannah", "Kwame", "Isabela", "Owen", "Mei", "Caleb", "Fatima", "Lucas", "Nora", "Tobias",
         "Amara", "Declan", "Yusuf", "Ingrid", "Rafael", "Leah", "Jonah", "Keisha", "Marcus", "Elena",
         "Colm", "Thandiwe", "Bridget", "Hiroshi", "Ximena", "Patrick", "Anjali", "Gabriel", "Rosa", "Dylan",
         "Margaret", "Samuel", "Vivian", "Desmond", "Layla", "Oscar", "Beatriz", "Wesley"]
FIRST_DIA = ["José", "Zoë", "Renée", "Inés", "François", "Søren", "Björn", "Chloé", "Aurélie", "Joaquín",
             "Siobhán", "Núria", "Raúl", "Léa", "Andrés", "Håkon", "Noémie", "Ángel", "Marisól", "Cécile"]
LAST = ["Whitfield", "Okafor", "Brennan", "Castellano", "Nguyen", "Kowalski", "Abernathy", "Fitzgerald",
        "Haddad", "Lindqvist", "Moreau", "Pemberton", "Quintero", "Rasmussen", "Sullivan", "Tanaka",
        "Underwood", "Valdés", "Wojcik", "Yilmaz", "Zamora", "Ashworth", "Boateng", "Carrington", "Delacroix",
        "Ellsworth", "Gallagher", "Hollis", "Iverson", "Jablonski", "Kearney", "Lockhart", "Mahoney",
        "Nakamura", "Oyelaran", "Petrakis", "Rinaldi", "Szymanski", "Thornbury", "Vasquez", "Wainwright",
        "Achebe", "Burkhardt", "Cavanaugh", "Donnelly", "Esposito", "Farrow", "Guerrero", "Halloran"]
LAST_ODD = ["de la Cruz", "van der Berg", "O'Neill", "D'Angelo", "McAllister", "Da Silva", "Nguyen-Tran",
            "St. Pierre", "MacDonald", "del Rosario", "von Ahn", "Ó Briain", "Müller", "Peña", "Sørensen",
            "Smith-Okoye", "Le Blanc", "dos Santos", "ten Haaf", "Ní Mhaoil"]
MIDDLE = list("ABCDEFGHJKLMNPRSTW")


@dataclass
class Person:
    """An invented person; identifiers are drawn lazily and kept, so a person's values repeat."""

    pid: int
    first: str
    last: str
    middle: str
    dob: dt.date
    attrs: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.attrs:
            self.attrs[key] = make()
        return self.attrs[key]


def name_of(p: Person, style: str) -> str:
    """One rendering of a full name."""
    if style == "fl":
        return f"{p.first} {p.last}"
    if style == "fml":
        return f"{p.first} {p.middle}. {p.last}"
    if style == "lf":
        return f"{p.last}, {p.first}"
    if style == "lfm":
        return f"{p.last}, {p.first} {p.middle}"
    if style == "LF":
        return f"{p.last.upper()}, {p.first.upper()}"
    if style == "lower":
        return f"{p.first} {p.last}".lower()
    if style == "lowerlf":
        return f"{p.last}, {p.first}".lower()
    raise ValueError(style)


# ---------------------------------------------------------------------------------------------- values


class G:
    """Value factory: deterministic for a seed."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.n = 0
        self.today = dt.date(2025, 10, 6)

    # people
    def person(self, student: bool) -> Person:
        r = self.r
        self.n += 1
        first = r.choice(FIRST_DIA) if r.random() < 0.15 else r.choice(FIRST)
        last = r.choice(LAST_ODD) if r.random() < 0.2 else r.choice(LAST)
        if student:
            dob = dt.date(2008, 1, 1) + dt.timedelta(days=r.randrange(365 * 12))
        else:
            dob = dt.date(1958, 1, 1) + dt.timedelta(days=r.randrange(365 * 42))
        return Person(self.n, first, last, r.choice(MIDDLE), dob)

    def people(self, n: int, student: bool) -> list[Person]:
        out, seen = [], set()
        while len(out) < n:
            p = self.person(student)
            if (p.first, p.last) not in seen:
                seen.add((p.first, p.last))
                out.append(p)
        return out

    # identifiers
    def ssn(self, sep: str = "-") -> str:
        r = self.r
        while True:
            a = r.randint(1, 899)
            if a != 666:
                break
        return f"{a:03d}{sep}{r.randint(1, 99):02d}{sep}{r.randint(1, 9999):04d}"

    def itin(self, sep: str = "-") -> str:
        r = self.r
        mid = r.choice(list(range(50, 66)) + list(range(70, 89)) + [90, 91, 92] + list(range(94, 100)))
        return f"9{r.randint(0, 99):02d}{sep}{mid}{sep}{r.randint(1, 9999):04d}"

    @staticmethod
    def luhn_complete(body: str) -> str:
        total = 0
        for i, ch in enumerate(reversed(body)):
            d = int(ch)
            if i % 2 == 0:
                d *= 2
                d -= 9 if d > 9 else 0
            total += d
        return body + str((10 - total % 10) % 10)

    def card(self, style: str = "space") -> str:
        r = self.r
        brand = r.choice(["visa", "visa", "mc", "mc2", "amex", "disc"])
        prefix, n = {"visa": ("4", 16), "mc": (str(r.randint(51, 55)), 16), "mc2": (str(r.randint(2221, 2720)), 16),
                     "amex": (r.choice(["34", "37"]), 15), "disc": ("6011", 16)}[brand]
        body = prefix + "".join(r.choice(string.digits) for _ in range(n - 1 - len(prefix)))
        num = self.luhn_complete(body)
        if style == "plain":
            return num
        sep = " " if style == "space" else "-"
        groups = [num[:4], num[4:10], num[10:]] if n == 15 else [num[i:i + 4] for i in range(0, 16, 4)]
        return sep.join(groups)

    def aba(self) -> str:
        r = self.r
        while True:
            first = r.choice(list(range(1, 13)) + list(range(21, 33)))
            d = [int(c) for c in f"{first:02d}" + "".join(r.choice(string.digits) for _ in range(6))]
            for last in range(10):
                dd = d + [last]
                if (3 * (dd[0] + dd[3] + dd[6]) + 7 * (dd[1] + dd[4] + dd[7]) + dd[2] + dd[5] + dd[8]) % 10 == 0:
                    return "".join(map(str, dd))

    def account(self) -> str:
        r = self.r
        return str(r.randint(1, 9)) + "".join(r.choice(string.digits) for _ in range(r.randint(7, 11)))

    def iban(self, spaced: bool = True) -> str:
        r = self.r
        country, bban = r.choice(
            [
                ("DE", lambda: "".join(r.choice(string.digits) for _ in range(18))),
                (
                    "GB",
                    lambda: (
                        r.choice(["NWBK", "BARC", "LOYD", "HBUK"]) + "".join(r.choice(string.digits) for _ in range(14))
                    ),
                ),
                ("IE", lambda: r.choice(["AIBK", "BOFI"]) + "".join(r.choice(string.digits) for _ in range(14))),
                (
                    "NL",
                    lambda: r.choice(["ABNA", "INGB", "RABO"]) + "".join(r.choice(string.digits) for _ in range(10)),
                ),
                ("FR", lambda: "".join(r.choice(string.digits) for _ in range(23))),
                ("ES", lambda: "".join(r.choice(string.digits) for _ in range(20))),
            ]
        )
        b = bban()
        num = int("".join(str(int(c, 36)) for c in b + country + "00"))
        iban = f"{country}{98 - num % 97:02d}{b}"
        return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if spaced else iban

    def dl(self) -> str:
        r = self.r
        if r.random() < 0.7:
            return "S" + "".join(r.choice(string.digits) for _ in range(8))
        return "SA" + "".join(r.choice(string.digits) for _ in range(7))

    def sasid(self) -> str:
        return "1" + "".join(self.r.choice(string.digits) for _ in range(9))

    def mepid(self) -> str:
        return str(self.r.randint(1, 9)) + "".join(self.r.choice(string.digits) for _ in range(7))

    def masshealth(self) -> str:
        return str(self.r.randint(1, 9)) + "".join(self.r.choice(string.digits) for _ in range(11))

    def stid(self) -> str:
        return "2" + "".join(self.r.choice(string.digits) for _ in range(5))

    def empid(self) -> str:
        return "E" + "".join(self.r.choice(string.digits) for _ in range(5))

    def phone(self) -> str:
        r = self.r
        a = r.choice(["617", "508", "781", "978", "413", "857", "339"])
        x, y = r.randint(201, 989), r.randint(0, 9999)
        if x % 100 == 11:  # N11 exchanges are not assigned
            x += 1
        return r.choice([f"({a}) {x}-{y:04d}", f"{a}-{x}-{y:04d}", f"{a}.{x}.{y:04d}", f"+1 {a} {x} {y:04d}"])

    def email(self, p: Person, staff: bool) -> str:
        def clean(s: str) -> str:
            import unicodedata
            s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
            return "".join(c for c in s.lower() if c.isalnum())
        if staff:
            return f"{clean(p.first)[0]}{clean(p.last)}@example.org"
        return f"{clean(p.first)}.{clean(p.last)}{self.r.randint(1, 99)}@example.com"

    def password(self) -> str:
        r = self.r
        return r.choice(["Welcome", "Spring", "Falcon", "Harbor", "Maple", "Cobalt"]) + r.choice("!#$%@") + \
            str(r.randint(1000, 9999)) + r.choice(string.ascii_lowercase)

    def date(self, d: dt.date, style: int) -> str:
        return [d.strftime("%m/%d/%Y"), d.isoformat(), f"{d.strftime('%B')} {d.day}, {d.year}",
                d.strftime("%d-%b-%Y"), f"{d.month}/{d.day}/{d.strftime('%y')}"][style % 5]

    def recent(self, days: int = 200) -> dt.date:
        return self.today - dt.timedelta(days=self.r.randrange(days))

    # decoys
    def digits(self, n: int, lead: str = "") -> str:
        return lead + "".join(self.r.choice(string.digits) for _ in range(n - len(lead)))

    def ein(self) -> str:
        return f"{self.r.choice(['04', '22', '13', '26', '45', '81'])}-{self.digits(7)}"

    def isbn(self) -> str:
        body = "978" + self.digits(9, str(self.r.randint(0, 1)))
        s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
        return body + str((10 - s % 10) % 10)

    def barcode(self) -> str:  # library item barcode: 14 digits with a mod-10 check digit, like real ones
        return self.luhn_complete("3" + self.digits(4) + "00" + self.digits(6))

    def serial(self) -> str:
        r = self.r
        return r.choice(["5CD", "C02", "NXH", "PF", "R9"]) + "".join(
            r.choice(string.ascii_uppercase + string.digits) for _ in range(r.randint(7, 9)))

    def mac(self) -> str:
        return ":".join(f"{self.r.randint(0, 255):02X}" for _ in range(6))

    def money(self, lo: float, hi: float) -> str:
        return f"{self.r.uniform(lo, hi):,.2f}"


# ---------------------------------------------------------------------------------------------- writers

def cell_rows(doc: Doc) -> list[list[str]]:
    """A document as rows of cells (csv/tsv/xlsx): banners as one-cell rows."""
    out: list[list[str]] = []
    for typ, b in doc:
        if typ in ("h", "p"):
            out.append([b])
        elif typ == "pre":
            out.extend([line] for line in b)
        elif typ == "kv":
            out.extend([k, v] for k, v in b)
        elif typ == "t":
            if b.groups:
                row: list[str] = []
                for label, span in b.groups:
                    row += [label] + [""] * (span - 1)
                out.append(row)
            if b.head:
                out.append(list(b.head))
            out.extend(list(r) for r in b.rows)
        elif typ == "blank":
            out.append([])
    return out


def w_csv(doc: Doc, delim: str = ",") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n" if delim == "," else "\n")
    for row in cell_rows(doc):
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def w_txt(doc: Doc, style: str = "aligned", width: int = 100) -> bytes:
    lines: list[str] = []
    for typ, b in doc:
        if typ == "h":
            lines += [b.center(width).rstrip() if style == "aligned" else b, "=" * min(width, len(b) + 4)]
        elif typ == "p":
            words, line = b.split(" "), ""
            for wd in words:
                if len(line) + len(wd) + 1 > width:
                    lines.append(line)
                    line = wd
                else:
                    line = f"{line} {wd}" if line else wd
            lines += [line, ""]
        elif typ == "pre":
            lines += b
        elif typ == "blank":
            lines.append("")
        elif typ == "kv":
            lw = max(len(k) for k, _ in b) + 2
            for k, v in b:
                lines.append(f"{k}:".ljust(lw) + " " + v if style != "dots" else f"{k} ".ljust(lw + 6, ".") + " " + v)
            lines.append("")
        elif typ == "t":
            rows = ([b.head] if b.head else []) + b.rows
            if style == "aligned" or style == "dots":
                ws = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(rows[0]))]
                if b.groups:
                    g, i = [], 0
                    for label, span in b.groups:
                        wspan = sum(ws[i:i + span]) + 2 * (span - 1)
                        g.append(label.center(wspan))
                        i += span
                    lines.append("  ".join(g).rstrip())
                for j, r in enumerate(rows):
                    lines.append("  ".join(c.ljust(ws[i]) for i, c in enumerate(r)).rstrip())
                    if j == 0 and b.head:
                        lines.append("  ".join("-" * w for w in ws))
            else:
                if b.groups:
                    lines.append(style.join(label for label, _ in b.groups))
                for r in rows:
                    lines.append(style.join(r))
            lines.append("")
    return ("\n".join(lines) + "\n").encode("utf-8")


def w_html(doc: Doc, title: str) -> bytes:
    from html import escape as e
    out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>", f"<title>{e(title)}</title>",
           "<style>td,th{border:1px solid #999;padding:2px 6px}table{border-collapse:collapse}</style>",
           "</head><body>"]
    first_h = True
    for typ, b in doc:
        if typ == "h":
            out.append(f"<h{1 if first_h else 3}>{e(b)}</h{1 if first_h else 3}>")
            first_h = False
        elif typ == "p":
            out.append(f"<p>{e(b)}</p>")
        elif typ == "pre":
            out.append("<pre>" + e("\n".join(b)) + "</pre>")
        elif typ == "kv":
            out.append("<table class='form'>" + "".join(
                f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in b) + "</table>")
        elif typ == "t":
            out.append("<table>")
            if b.groups or b.head:
                out.append("<thead>")
                if b.groups:
                    out.append("<tr>" + "".join(f"<th colspan='{s}'>{e(lb)}</th>" for lb, s in b.groups) + "</tr>")
                if b.head:
                    out.append("<tr>" + "".join(f"<th>{e(h)}</th>" for h in b.head) + "</tr>")
                out.append("</thead>")
            out.append("<tbody>")
            for r in b.rows:
                if not b.head:  # transposed: labels in the first column
                    out.append(f"<tr><th>{e(r[0])}</th>" + "".join(f"<td>{e(c)}</td>" for c in r[1:]) + "</tr>")
                else:
                    out.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>")
            out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out).encode("utf-8")


def w_docx(doc: Doc, kv_as: str = "table") -> bytes:
    import docx
    d = docx.Document()
    first_h = True
    for typ, b in doc:
        if typ == "h":
            d.add_heading(b, level=1 if first_h else 2)
            first_h = False
        elif typ == "p":
            d.add_paragraph(b)
        elif typ == "pre":
            for line in b:
                d.add_paragraph(line)
        elif typ == "kv":
            if kv_as == "table":
                t = d.add_table(rows=0, cols=2)
                t.style = "Table Grid"
                for k, v in b:
                    c = t.add_row().cells
                    c[0].text, c[1].text = k, v
            else:
                for k, v in b:
                    d.add_paragraph(f"{k}:\t{v}")
        elif typ == "t":
            ncol = len(b.rows[0]) if b.rows else len(b.head)
            t = d.add_table(rows=0, cols=ncol)
            t.style = "Table Grid"
            if b.groups:
                cells = t.add_row().cells
                i = 0
                for label, span in b.groups:
                    if span > 1:
                        cells[i].merge(cells[i + span - 1])
                    cells[i].text = label
                    i += span
            if b.head:
                for c, h in zip(t.add_row().cells, b.head, strict=False):
                    c.text = h
            for r in b.rows:
                for c, v in zip(t.add_row().cells, r, strict=False):
                    c.text = v
            d.add_paragraph("")
    d.core_properties.created = d.core_properties.modified = FIXED_TIME
    buf = io.BytesIO()
    d.save(buf)
    return _stable_zip(buf.getvalue())


def w_xlsx(sheets: list[tuple[str, Doc]], merge_banners: bool = True, typed: bool = False) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, doc in sheets:
        ws = wb.create_sheet(name[:31])
        rown = 0
        ncol = max((len(r) for r in cell_rows(doc)), default=1)
        for typ, b in doc:
            if typ in ("h", "p"):
                rown += 1
                ws.cell(rown, 1, b).font = Font(bold=typ == "h", size=13 if typ == "h" else 10)
                if merge_banners and ncol > 1:
                    ws.merge_cells(start_row=rown, start_column=1, end_row=rown, end_column=ncol)
            elif typ == "blank":
                rown += 1
            elif typ == "pre":
                for line in b:
                    rown += 1
                    ws.cell(rown, 1, line)
            elif typ == "kv":
                for k, v in b:
                    rown += 1
                    ws.cell(rown, 1, k).font = Font(bold=True)
                    ws.cell(rown, 2, v)
            elif typ == "t":
                if b.groups:
                    rown += 1
                    col = 1
                    for label, span in b.groups:
                        ws.cell(rown, col, label).font = Font(bold=True)
                        if span > 1:
                            ws.merge_cells(start_row=rown, start_column=col, end_row=rown, end_column=col + span - 1)
                        col += span
                if b.head:
                    rown += 1
                    for i, h in enumerate(b.head, 1):
                        ws.cell(rown, i, h).font = Font(bold=True)
                for r in b.rows:
                    rown += 1
                    for i, v in enumerate(r, 1):
                        ws.cell(rown, i, _typed(v) if typed else v)
                rown += 1
        for i in range(1, ncol + 1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = 16
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same OOXML package with fixed member times (the libraries stamp the current time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-10-01T08:00:00Z", body)
            z.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 10, 1, 8, 0, 0)), body,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _typed(v: str) -> Any:
    """Cells as Excel would hold them after a typist: ISO dates as dates, plain amounts as numbers."""
    try:
        if len(v) == 10 and v[4] == "-" and v[7] == "-":
            return dt.datetime.strptime(v, "%Y-%m-%d")
    except ValueError:
        pass
    if v.isdigit() and len(v) <= 12 and not v.startswith("0"):
        return int(v)
    return v


def _latin(s: str) -> str:
    return s.encode("latin-1", "replace").decode("latin-1")


def w_pdf(doc: Doc, boxed_forms: bool = False) -> bytes:
    from fpdf import FPDF
    widest = 0
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    for typ, b in doc:  # landscape when a table is wide
        if typ == "t":
            pdf.set_font("Helvetica", size=8)
            rows = ([b.head] if b.head else []) + b.rows
            ws = [max(pdf.get_string_width(_latin(r[i])) for r in rows) + 3 for i in range(len(rows[0]))]
            widest = max(widest, sum(ws))
    land = widest > 190
    pdf = FPDF(orientation="L" if land else "P", unit="mm", format="Letter")
    pdf.set_creation_date(FIXED_TIME.replace(tzinfo=dt.UTC))
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    page_w = pdf.w - 20
    for typ, b in doc:
        if typ == "h":
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(page_w, 7, _latin(b), new_x="LMARGIN", new_y="NEXT")
        elif typ == "p":
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(page_w, 5, _latin(b), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif typ == "pre":
            pdf.set_font("Courier", size=8)
            for line in b:
                pdf.cell(page_w, 4, _latin(line), new_x="LMARGIN", new_y="NEXT")
        elif typ == "blank":
            pdf.ln(4)
        elif typ == "kv":
            pdf.set_font("Helvetica", size=10)
            lw = max(pdf.get_string_width(_latin(k)) for k, _ in b) + 6
            for k, v in b:
                y = pdf.get_y()
                if boxed_forms:
                    pdf.set_font("Helvetica", size=7)
                    pdf.text(12, y + 3, _latin(k))
                    pdf.rect(10, y, page_w, 10)
                    pdf.set_font("Helvetica", size=10)
                    pdf.text(14, y + 8, _latin(v))
                    pdf.set_y(y + 11)
                else:
                    pdf.set_font("Helvetica", "B", 10)
                    pdf.text(12, y + 4, _latin(k))
                    pdf.set_font("Helvetica", size=10)
                    pdf.text(12 + lw, y + 4, _latin(v))
                    pdf.set_y(y + 6)
                if pdf.get_y() > pdf.h - 20:
                    pdf.add_page()
            pdf.ln(3)
        elif typ == "t":
            size = 8
            pdf.set_font("Helvetica", size=size)
            rows = ([b.head] if b.head else []) + b.rows
            ws = [max(pdf.get_string_width(_latin(r[i])) for r in rows) + 3 for i in range(len(rows[0]))]
            while sum(ws) > page_w and size > 5:
                size -= 1
                pdf.set_font("Helvetica", size=size)
                ws = [max(pdf.get_string_width(_latin(r[i])) for r in rows) + 2 for i in range(len(rows[0]))]
            h = size * 0.55
            if b.groups:
                pdf.set_font("Helvetica", "B", size)
                i = 0
                for label, span in b.groups:
                    pdf.cell(sum(ws[i:i + span]), h, _latin(label), border=1, align="C")
                    i += span
                pdf.ln(h)
            for j, r in enumerate(rows):
                pdf.set_font("Helvetica", "B" if j == 0 and b.head else "", size)
                for i, c in enumerate(r):
                    pdf.cell(ws[i], h, _latin(c), border=1)
                pdf.ln(h)
            pdf.ln(3)
    return bytes(pdf.output())


def w_json(doc: Doc, style: int) -> bytes:
    meta: dict[str, Any] = {}
    records: list[Any] = []
    for typ, b in doc:
        if typ == "h":
            meta.setdefault("report", b)
        elif typ == "p":
            meta.setdefault("notes", []).append(b)
        elif typ == "kv":
            meta.update({k: v for k, v in b})
        elif typ == "t":
            keys = list(b.head)
            if b.groups:
                names: list[str] = []
                for label, span in b.groups:
                    names += [label] * span
                keys = [f"{g} {k}".strip() for g, k in zip(names, keys, strict=False)]
            for r in b.rows:
                records.append(dict(zip(keys, r, strict=False)))
    if style == 0:
        out: Any = {"meta": meta, "data": records}
    elif style == 1:
        out = records if not meta else {"export": meta.get("report", ""), "count": len(records), "rows": records}
    else:
        out = {"header": meta, "results": {"total": len(records), "items": records}}
    return json.dumps(out, indent=2 if style != 1 else None, ensure_ascii=style == 2).encode("utf-8")


def render(doc: Doc, fmt: str, r: random.Random, title: str) -> tuple[bytes, str]:
    """Bytes of a document in a format; returns (bytes, layout note)."""
    if fmt == "csv":
        return w_csv(doc, r.choice([",", ",", ";", "|"])), ""
    if fmt == "tsv":
        return w_csv(doc, "\t"), ""
    if fmt == "txt":
        style = r.choice(["aligned", "aligned", "dots", " | ", "^", "\t"])
        return w_txt(doc, style), ""
    if fmt == "html":
        return w_html(doc, title), ""
    if fmt == "docx":
        return w_docx(doc, r.choice(["table", "para"])), ""
    if fmt == "xlsx":
        return w_xlsx([("Sheet1" if r.random() < 0.5 else title[:28], doc)], merge_banners=r.random() < 0.7,
                      typed=r.random() < 0.4), ""
    if fmt == "pdf":
        return w_pdf(doc, boxed_forms=r.random() < 0.5), ""
    if fmt == "json":
        return w_json(doc, r.randrange(3)), ""
    raise ValueError(fmt)


# ---------------------------------------------------------------------------------------------- kinds

SCHOOLS = ["Hawthorne Elementary", "Riverside Middle School", "North Valley High School", "Cedar Street School",
           "Lincoln-Alcott K-8", "Brookfield Early Learning Center", "Maplewood Intermediate"]
SIS_BANNERS = [
    ["PowerSchool SIS", "{school} -- Student Export", "Printed {date} by dataadmin   Records: {n}"],
    ["Aspen SIS  |  Query: Active Students Gr {g1}-{g2}", "District: Example Public Schools"],
    ["X2 Student Information -- {school}", "Export generated {date}", "Records 1 - {n} of {n}"],
    ["Example Public Schools - {school}", "STUDENT LIST (ALL ACTIVE)", "Run date: {date}"],
]
H_SASID = ["SASID", "State ID", "DOE ID", "St. ID (State)", "State Student ID", "DESE SASID", "SIMS ID", "StateID"]
H_LOCAL = ["Local ID", "Student #", "Stu Num", "LASID", "Student Number", "Perm ID", "St. ID"]
H_NAME = ["Student Name", "Name (Last, First)", "Student", "Learner", "Full Name", "Pupil"]
H_DOB = ["DOB", "Birth Date", "Date of Birth", "Birthdate", "D.O.B.", "Born", "Birth Dt"]
H_SSN = ["SSN", "Social Sec. No.", "SS Num", "Soc Sec #", "Social Security Number", "Tax ID (SSN)", "SS#"]
H_ROUT = ["Routing #", "Bank Rtg", "ABA/Routing No.", "Transit No", "RTN", "Routing Number", "ABA"]
H_ACCT = ["Acct Nbr", "Account #", "DDA", "Account Number", "Bank Acct", "Acct No."]
H_DL = ["Lic. Number", "DL #", "CDL No.", "Driver License", "License No.", "MA License/ID", "Lic #"]
H_MEPID = ["MEPID", "MA Educator ID", "EPIMS ID", "Educator ID (MEPID)", "ELAR ID", "MEPID #"]
H_EMP = ["Emp ID", "Employee #", "Empl No", "Staff ID", "Employee ID", "EE #"]
H_PHONE = ["Phone", "Cell", "Guardian Phone", "Contact #", "Tel.", "Home Phone"]
GRADES = ["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
DISAB = ["Specific Learning Disability", "Autism", "Communication", "Emotional", "Health", "Intellectual",
         "Multiple Disabilities", "Neurological", "Developmental Delay", "Sensory/Hearing"]


def pick(g: G, xs: list[Any]) -> Any:
    return g.r.choice(xs)


def nstyle(g: G) -> str:
    return pick(g, ["fl", "fl", "lf", "lf", "lfm", "LF", "fml", "lower", "lowerlf"])


def nm(g: G, it: Item, p: Person, style: str, subject: bool = True) -> str:
    if subject:
        it.subjects.add(p.pid)
    return it.v("PERSON", name_of(p, style))


def sasid_of(g: G, p: Person) -> str:
    return p.get("sasid", g.sasid)


def stid_of(g: G, p: Person) -> str:
    return p.get("stid", g.stid)


def banner(g: G, school: str, n: int) -> list[tuple[str, Any]]:
    lines = pick(g, SIS_BANNERS)
    gr = sorted(g.r.sample(range(1, 12), 2))
    out = [("h" if i == 0 else "p", x.format(school=school, date=g.date(g.recent(20), 0), n=n, g1=gr[0], g2=gr[1]))
           for i, x in enumerate(lines)]
    return out


def transposed(head: list[str], rows: list[list[str]]) -> Table:
    return Table([], [[h] + [r[i] for r in rows] for i, h in enumerate(head)])



Built = tuple[Doc, list[str], str]


def roster_layout(g: G, it: Item, n_range: tuple[int, int], fmts: list[str], allow_transposed: bool = True,
                  allow_json: bool = True) -> tuple[int, list[str]]:
    """Choose a table layout before building rows (so that every built row is rendered)."""
    x = g.r.random()
    if allow_transposed and x < 0.15:
        it.layout = "transposed"
        return g.r.randint(3, 5), ["xlsx", "html", "docx", "pdf"]
    if allow_json and x < 0.23:
        it.layout = "records_json"
        return g.r.randint(*n_range), ["json"]
    if x < 0.42:
        it.layout = "two_row_header"
        return g.r.randint(*n_range), ["xlsx", "html", "docx", "pdf", "csv", "txt"]
    it.layout = pick(g, ["banner_table", "banner_table", "plain_table"])
    return g.r.randint(*n_range), fmts


def finish(g: G, it: Item, title_blocks: Doc, head: list[str], rows: list[list[str]],
           groups: list[tuple[str, int]] | None, fmts: list[str], title: str, tail: Doc = ()) -> Built:
    if it.layout == "transposed":
        return title_blocks + [("t", transposed(head, rows))] + list(tail), fmts, title
    if it.layout == "plain_table":
        return [("t", Table(head, rows))], fmts, title
    if it.layout == "two_row_header" and groups:
        return title_blocks + [("t", Table(head, rows, groups))] + list(tail), fmts, title
    if it.layout == "two_row_header":
        it.layout = "banner_table"
    return title_blocks + [("t", Table(head, rows))] + list(tail), fmts, title


def k_sis_roster(g: G, it: Item) -> Built:
    school = pick(g, SCHOOLS)
    n, fmts = roster_layout(g, it, (12, 60), ["csv", "csv", "xlsx", "txt", "html", "pdf", "tsv"])
    kids = g.people(n, True)
    split = g.r.random() < 0.3 and it.layout != "transposed"
    ds, st = g.r.randrange(5), nstyle(g)
    head = (["Last Name", "First Name"] if split else [pick(g, H_NAME)]) + [
        pick(g, H_SASID), pick(g, H_LOCAL), pick(g, H_DOB), "Gr", "Homeroom", "Gender"]
    groups = [("Student", 2 if split else 1), ("Identifiers", 2), ("Demographics", 2), ("Placement", 2)]
    rows = []
    for p in kids:
        it.subjects.add(p.pid)
        nmc = [it.v("PERSON", p.last), p.first] if split else [nm(g, it, p, st)]
        rows.append(nmc + [it.v("MA_SASID", sasid_of(g, p)), it.v("STUDENT_ID", stid_of(g, p)),
                           it.v("DATE_OF_BIRTH", g.date(p.dob, ds)), pick(g, GRADES), f"Rm {g.r.randint(101, 330)}",
                           pick(g, ["F", "M", "X"])])
    groups = [groups[0], ("Identifiers", 2), ("Demographics", 1), ("Placement", 3)]
    it.cls |= {"STUDENT_PII"}
    return finish(g, it, banner(g, school, n), head, rows, groups, fmts, "sis_export")


def k_payroll(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (10, 45), ["xlsx", "pdf", "txt", "csv", "html"], allow_transposed=False)
    staff = g.people(n, False)
    masked = g.r.random() < 0.3
    with_acct = g.r.random() < 0.4
    st = nstyle(g)
    pay_date = g.recent(60)
    head = [pick(g, H_EMP), "Employee Name", "Last4 SSN" if masked else pick(g, H_SSN), "Dept", "Rate", "Hours",
            "Gross", "Fed W/H", "MA W/H", "Retire", "Net Pay", "Advice #"]
    groups = [("Employee", 4), ("Earnings", 3), ("Deductions", 3), ("Payment", 2)]
    if with_acct:
        head += [pick(g, H_ROUT), pick(g, H_ACCT)]
        groups[-1] = ("Payment", 4)
    rows = []
    for p in staff:
        ssn = p.get("ssn", g.ssn)
        row = [
            it.v("EMPLOYEE_ID", p.get("emp", g.empid)),
            nm(g, it, p, st),
            it.d("last4_ssn", "XXX-XX-" + ssn[-4:])
            if masked
            else it.v("US_SSN", ssn if g.r.random() < 0.8 else ssn.replace("-", "")),
            pick(g, ["1100 Admin", "2305 Teaching", "3300 Transp", "4220 Facilities", "2410 Guidance"]),
            g.money(22, 61),
            f"{g.r.choice([37.5, 40, 80, 75])}",
            g.money(1200, 4800),
            g.money(100, 600),
            g.money(40, 250),
            g.money(80, 500),
            g.money(900, 3600),
            it.d("advice_no", g.digits(7, "0")),
        ]
        if with_acct:
            row.append(it.v("ABA_ROUTING_NUMBER", p.get("aba", g.aba)))
            row.append(
                it.d("masked_account", "****" + g.digits(4))
                if masked
                else it.v("US_BANK_NUMBER", p.get("acct", g.account))
            )
        rows.append(row)
    it.cls |= {"EMPLOYEE_PII"} | (set() if masked else {"MA_PI"})
    title = [("h", "Example Public Schools -- Payroll Register"),
             ("p", f"Pay Date: {g.date(pay_date, 0)}   Period End: {g.date(pay_date - dt.timedelta(days=5), 0)}   "
                   f"Run: BW{g.r.randint(1, 26):02d}"),
             ("p", "CONFIDENTIAL - Business Office")]
    if it.layout == "banner_table" and g.r.random() < 0.5 and "txt" in fmts:
        # a paged report: the header repeats on each page
        it.layout = "paged_report"
        blocks: Doc = []
        for page, i in enumerate(range(0, len(rows), 15), 1):
            blocks += title + [("p", f"Page {page} of {(len(rows) + 14) // 15}"), ("t", Table(head, rows[i:i + 15]))]
        return blocks, ["txt", "pdf"], "payroll_register"
    return finish(g, it, title, head, rows, groups, fmts, "payroll_register")


def k_direct_deposit(g: G, it: Item) -> Built:
    p = g.person(False)
    it.subjects.add(p.pid)
    it.cls |= {"EMPLOYEE_PII", "MA_PI"}
    st = pick(g, ["fl", "fml", "lf"])
    last4 = g.r.random() < 0.3
    ssn = p.get("ssn", g.ssn)
    pairs = [
        ("Employee Name", nm(g, it, p, st)),
        (pick(g, H_EMP), it.v("EMPLOYEE_ID", p.get("emp", g.empid))),
        ("Last 4 of SSN", it.d("last4_ssn", ssn[-4:])) if last4 else (pick(g, H_SSN), it.v("US_SSN", ssn)),
        ("Home Phone", it.v("PHONE_NUMBER", g.phone())),
        (
            "Bank Name",
            pick(
                g, ["Eastern Bank", "Citizens Bank", "Rockland Trust", "Cambridge Savings Bank", "Harbor Credit Union"]
            ),
        ),
        (pick(g, H_ROUT), it.v("ABA_ROUTING_NUMBER", g.aba())),
        (pick(g, H_ACCT), it.v("US_BANK_NUMBER", g.account())),
        ("Account Type", pick(g, ["Checking", "Savings"])),
        ("Deposit", pick(g, ["100% of net pay", "Remainder", "$250.00 per pay period"])),
        ("Effective Pay Date", g.date(g.recent(30), 0)),
        ("Employee Signature", "________________________"),
    ]
    if g.r.random() < 0.4:  # a second account
        pairs.insert(9, ("Second Acct " + pick(g, H_ROUT), it.v("ABA_ROUTING_NUMBER", g.aba())))
        pairs.insert(10, ("Second " + pick(g, H_ACCT), it.v("US_BANK_NUMBER", g.account())))
    it.layout = "form"
    doc: Doc = [("h", pick(g, ["Direct Deposit Authorization", "DIRECT DEPOSIT CHANGE FORM",
                                 "Payroll Direct Deposit Enrollment / Change"])),
                ("p", "Example Public Schools - Human Resources & Payroll. Attach a voided check. Changes take "
                      "effect one to two pay periods after receipt."), ("kv", pairs)]
    return doc, ["docx", "pdf", "pdf", "txt", "html", "xlsx"], "direct_deposit"


def k_drivers(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (8, 30), ["csv", "xlsx", "pdf", "txt", "docx"])
    ppl = g.people(n, False)
    ds, st = g.r.randrange(5), nstyle(g)
    head = ["Driver", pick(g, H_DL), "Class", "Lic. Exp.", pick(g, H_DOB), pick(g, H_PHONE), "Route", "Bus #"]
    groups = [("Driver", 1), ("License", 3), ("Personal", 2), ("Assignment", 2)]
    rows = [[nm(g, it, p, st), it.v("US_DRIVER_LICENSE", p.get("dl", g.dl)), pick(g, ["B", "B", "C", "D"]),
             g.date(g.today + dt.timedelta(days=g.r.randrange(1500)), ds),
             it.v("DATE_OF_BIRTH", g.date(p.dob, ds)), it.v("PHONE_NUMBER", g.phone()),
             f"{g.r.randint(1, 40)}{pick(g, ['', 'A', 'B'])}", it.d("bus_no", str(g.r.randint(10, 99)))] for p in ppl]
    it.cls |= {"EMPLOYEE_PII", "MA_PI"}
    title = [("h", "Transportation Department - Bus Driver Roster"),
             ("p", f"School Year 2025-2026 / Updated {g.date(g.recent(30), 0)} / 7D certificates on file")]
    return finish(g, it, title, head, rows, groups, fmts, "driver_roster")


def k_sped(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (8, 28), ["xlsx", "docx", "html", "pdf", "csv"])
    kids = g.people(n, True)
    cm = g.person(False)
    ds, st = g.r.randrange(5), nstyle(g)
    head = [pick(g, H_NAME), pick(g, H_SASID), "Gr", pick(g, H_DOB), "Primary Disability", "IEP Start",
            "Annual Review", "Re-Eval Due", "Services"]
    groups = [("Student", 4), ("Eligibility", 1), ("IEP Dates", 3), ("", 1)]
    rows = []
    for p in kids:
        s = g.recent(300)
        rows.append([nm(g, it, p, st), it.v("MA_SASID", sasid_of(g, p)), pick(g, GRADES),
                     it.v("DATE_OF_BIRTH", g.date(p.dob, ds)), pick(g, DISAB), g.date(s, ds),
                     g.date(s + dt.timedelta(days=365), ds), g.date(s + dt.timedelta(days=g.r.randint(400, 1000)), ds),
                     pick(g, ["SLP 2x30", "OT 1x30; Read 5x45", "Counseling 1x30", "Inclusion", "Sub-sep ELA/Math"])])
    it.cls |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    title = [("h", f"Special Education Caseload - {nm(g, it, cm, 'fl', subject=False)}"),
             ("p", f"{pick(g, SCHOOLS)} / IEP Team Chair copy / CONFIDENTIAL")]
    return finish(g, it, title, head, rows, groups, fmts, "sped_caseload")


def k_health_log(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (15, 50), ["txt", "xlsx", "docx", "pdf", "csv"], allow_transposed=False)
    kids = g.people(max(3, n // 2), True)
    st = nstyle(g)
    with_dob = g.r.random() < 0.4
    head = ["Date", "Time In", "Student", "Gr"] + (["Birthdate"] if with_dob else []) + ["Complaint", "Action", "Disp."]
    rows = []
    d = g.recent(30)
    for _ in range(n):
        p = pick(g, kids)
        it.subjects.add(p.pid)
        rows.append(
            [g.date(d, 0), f"{g.r.randint(8, 14)}:{g.r.randint(0, 59):02d}", nm(g, it, p, st), pick(g, GRADES)]
            + ([it.v("DATE_OF_BIRTH", g.date(p.dob, 0))] if with_dob else [])
            + [
                pick(
                    g,
                    [
                        "headache",
                        "asthma - inhaler given",
                        "stomach ache",
                        "nosebleed",
                        "insulin check (T1D)",
                        "seizure plan review",
                        "anxiety",
                        "ADHD med - 12pm dose",
                        "injury at recess",
                    ],
                ),
                pick(g, ["rest 15 min", "ice", "called parent", "med administered", "BG 142"]),
                pick(g, ["RTC", "dismissed", "RTC", "911"]),
            ]
        )
        if g.r.random() < 0.3:
            d += dt.timedelta(days=1)
    it.cls |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    title = [
        ("h", "Health Office Daily Visit Log"),
        ("p", f"{pick(g, SCHOOLS)} - School Nurse - Student health records"),
    ]
    return finish(g, it, title, head, rows, None, fmts, "health_log")


def k_mepid(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (10, 40), ["xlsx", "csv", "pdf", "html", "txt"])
    ppl = g.people(n, False)
    st = nstyle(g)
    head = ["Educator", pick(g, H_MEPID), "Educator License ID", "License Field", "Type", "Expires", "Assignment"]
    groups = [("Staff", 2), ("ELAR License", 4), ("", 1)]
    rows = [
        [
            nm(g, it, p, st),
            it.v("MA_MEPID", p.get("mepid", g.mepid)),
            it.d("educator_license_no", g.digits(6, str(g.r.randint(1, 9)))),
            pick(
                g,
                [
                    "Mathematics (5-8)",
                    "English (8-12)",
                    "Elementary (1-6)",
                    "Moderate Disabilities (PreK-8)",
                    "Principal/Asst. Principal (PreK-6)",
                    "School Nurse",
                    "Biology (8-12)",
                ],
            ),
            pick(g, ["Initial", "Professional", "Provisional", "Temporary"]),
            g.date(g.today + dt.timedelta(days=g.r.randrange(1800)), 0),
            pick(g, SCHOOLS),
        ]
        for p in ppl
    ]
    it.cls |= {"EMPLOYEE_PII"}
    title = [("h", "Staff Licensure Status Report (ELAR extract)"),
             ("p", f"HR / Licensure compliance / as of {g.date(g.recent(10), 2)}")]
    return finish(g, it, title, head, rows, groups, fmts, "licensure")


def k_vendor_ach(g: G, it: Item) -> Built:
    if g.r.random() < 0.5:
        it.layout = "form"
        p = g.person(False)
        it.subjects.add(p.pid)
        intl = g.r.random() < 0.35
        biz = pick(g, ["Catering", "Tutoring Services", "Music Instruction", "Photography", "Consulting"])
        pairs = [("Vendor Name", f"{nm(g, it, p, 'fl')} d/b/a {p.last} {biz}"),
                 ("Vendor #", it.d("vendor_no", "V" + g.digits(6))),
                 ("Taxpayer ID", it.v("US_SSN", p.get("ssn", g.ssn)) if g.r.random() < 0.5 else it.d("ein", g.ein())),
                 ("Remit E-mail", it.v("EMAIL_ADDRESS", g.email(p, False))), ("Phone", it.v("PHONE_NUMBER", g.phone()))]
        if intl:
            pairs += [
                ("Bank", pick(g, ["AIB", "Deutsche Bank", "ING", "Barclays"])),
                ("SWIFT/BIC", pick(g, ["AIBKIE2D", "DEUTDEFF", "INGBNL2A"])),
                ("IBAN", it.v("IBAN_CODE", g.iban(g.r.random() < 0.6))),
            ]
        else:
            pairs += [
                ("Bank", pick(g, ["Eastern Bank", "Santander", "Bank of America"])),
                (pick(g, H_ROUT), it.v("ABA_ROUTING_NUMBER", g.aba())),
                (pick(g, H_ACCT), it.v("US_BANK_NUMBER", g.account())),
                ("Account Type", "Checking"),
            ]
        it.cls |= {"MA_PI"}
        doc: Doc = [("h", "ACH Vendor Enrollment Form"), ("p", "Accounts Payable - Example Public Schools. "
                    "Payments are made by ACH credit. Complete all fields."), ("kv", pairs)]
        return doc, ["docx", "pdf", "txt", "html"], "vendor_ach"
    n, fmts = roster_layout(g, it, (6, 20), ["xlsx", "csv", "pdf"], allow_transposed=False)
    head = ["Vendor #", "Payee", "TIN", pick(g, H_ROUT), pick(g, H_ACCT), "Type", "Prenote"]
    rows = []
    for i in range(n):
        if i == 0 or g.r.random() < 0.4:
            p = g.person(False)
            payee, tin = nm(g, it, p, "fl"), it.v("US_SSN", p.get("ssn", g.ssn))
            it.subjects.add(p.pid)
            it.cls.add("MA_PI")
        else:
            payee = pick(g, ["Acme School Supply LLC", "Northeast Bus Parts Inc", "Bright Minds Learning Co",
                             "Harbor Food Service Corp", "Quill & Page Books Inc"]) + f" #{i}"
            tin = it.d("ein", g.ein())
        rows.append([it.d("vendor_no", "V" + g.digits(6)), payee, tin, it.v("ABA_ROUTING_NUMBER", g.aba()),
                     it.v("US_BANK_NUMBER", g.account()), pick(g, ["CHK", "SAV"]), pick(g, ["Y", "N"])])
    title = [("h", "AP Vendor ACH Setup Batch"), ("p", f"Prepared {g.date(g.recent(20), 0)} - Accounts Payable")]
    return finish(g, it, title, head, rows, None, fmts, "vendor_ach")


def k_refund(g: G, it: Item) -> Built:
    if g.r.random() < 0.5:
        it.layout = "form"
        kid, par = g.person(True), g.person(False)
        it.subjects |= {kid.pid, par.pid}
        pairs = [
            ("Student Name", nm(g, it, kid, "fl")),
            ("Student ID", it.v("STUDENT_ID", stid_of(g, kid))),
            ("School", pick(g, SCHOOLS)),
            ("Parent/Guardian", nm(g, it, par, "fl")),
            ("Refund Amount", "$" + g.money(5, 120)),
            ("Reason", pick(g, ["Student withdrew", "Overpayment", "Graduated"])),
            ("Card Used for Original Payment", it.v("CREDIT_CARD", g.card(pick(g, ["space", "dash", "plain"])))),
            ("Exp.", f"{g.r.randint(1, 12):02d}/{g.r.randint(26, 30)}"),
            ("Parent E-mail", it.v("EMAIL_ADDRESS", g.email(par, False))),
        ]
        it.cls |= {"MA_PI", "STUDENT_PII"}
        return [("h", "Student Meal Account Refund Request"), ("p", "Food Services Office. Refunds are issued to the "
                                                                    "card used for payment."), ("kv", pairs)], \
            ["docx", "pdf", "html", "txt"], "refund"
    n, fmts = roster_layout(g, it, (6, 25), ["csv", "xlsx", "pdf", "txt"], allow_transposed=False)
    head = ["Txn Date", "Student", pick(g, H_LOCAL), "Payer", "Card Number", "Amount", "Auth Code"]
    rows = []
    for _ in range(n):
        kid, par = g.person(True), g.person(False)
        it.subjects |= {kid.pid, par.pid}
        rows.append(
            [
                g.date(g.recent(90), 1),
                nm(g, it, kid, "lf"),
                it.v("STUDENT_ID", stid_of(g, kid)),
                nm(g, it, par, "fl"),
                it.v("CREDIT_CARD", g.card(pick(g, ["plain", "space"]))),
                g.money(5, 150),
                it.d("auth_code", g.digits(6)),
            ]
        )
    it.cls |= {"MA_PI", "STUDENT_PII"}
    title = [("h", "Online Payments - Refund Batch Export"), ("p", "Student activity and meal accounts")]
    return finish(g, it, title, head, rows, None, fmts, "refund_batch")


def k_permission(g: G, it: Item) -> Built:
    it.layout = "form"
    kid, par, em = g.person(True), g.person(False), g.person(False)
    it.subjects |= {kid.pid, par.pid, em.pid}
    health = g.r.random() < 0.5
    pairs = [
        ("Student's Name", nm(g, it, kid, pick(g, ["fl", "lower", "fml"]))),
        ("Grade", pick(g, GRADES[1:])),
        ("Teacher", "Room " + str(g.r.randint(101, 330))),
        ("Date of Birth", it.v("DATE_OF_BIRTH", g.date(kid.dob, g.r.randrange(5))))
        if g.r.random() < 0.5
        else ("Bus", "yes"),
        ("Parent/Guardian Name", nm(g, it, par, "fl")),
        ("Daytime Phone", it.v("PHONE_NUMBER", g.phone())),
        ("Emergency Contact", f"{nm(g, it, em, 'fl')} {it.v('PHONE_NUMBER', g.phone())}"),
    ]
    if health:
        pairs += [
            (
                "Allergies / Medical Conditions",
                pick(g, ["peanut allergy - EpiPen in backpack", "asthma", "type 1 diabetes"]),
            ),
            ("Medications during trip", pick(g, ["inhaler as needed", "Zyrtec 10mg", "insulin pump"])),
        ]
        it.cls |= {"STUDENT_SENSITIVE"}
    else:
        pairs += [("Allergies / Medical Conditions", "none")]
    it.cls |= {"STUDENT_PII"}
    trip = pick(g, ["Museum of Science", "New England Aquarium", "Old Sturbridge Village", "Plimoth Patuxet"])
    doc: Doc = [("h", f"Field Trip Permission Slip - {trip}"),
                ("p", f"My child has permission to attend the trip on {g.date(g.today + dt.timedelta(days=20), 2)}. "
                      "Cost $18.00. Please return by Friday."), ("kv", pairs),
                ("p", "Parent/Guardian signature: ______________________  Date: ________")]
    return doc, ["docx", "pdf", "pdf", "html", "txt"], "permission_slip"


def k_field_trip(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (12, 40), ["txt", "docx", "xlsx", "csv", "html"], allow_transposed=False)
    kids = g.people(n, True)
    chap = g.people(g.r.randint(2, 4), False)
    st = nstyle(g)
    head = ["#", "Student", "HR", pick(g, H_PHONE), "Chaperone Group"]
    rows = [
        [
            str(i + 1),
            nm(g, it, p, st),
            f"{g.r.randint(101, 330)}",
            it.v("PHONE_NUMBER", g.phone()),
            str(g.r.randint(1, len(chap))),
        ]
        for i, p in enumerate(kids)
    ]
    it.cls |= {"STUDENT_PII"}
    title = [
        ("h", f"Grade {g.r.randint(3, 8)} Field Trip - Student List"),
        (
            "p",
            "Chaperones: "
            + "; ".join(f"Group {i + 1}: {nm(g, it, c, 'fl', subject=False)}" for i, c in enumerate(chap)),
        ),
    ]
    return finish(g, it, title, head, rows, None, fmts, "trip_list")


def k_bus_incident(g: G, it: Item) -> Built:
    it.layout = "form"
    kid, drv = g.person(True), g.person(False)
    it.subjects |= {kid.pid}
    pairs = [
        ("Date of Incident", g.date(g.recent(40), 0)),
        ("Bus #", it.d("bus_no", str(g.r.randint(10, 99)))),
        ("Route", str(g.r.randint(1, 40))),
        ("Driver", nm(g, it, drv, "fl", subject=False)),
        ("Student", nm(g, it, kid, pick(g, ["fl", "lf"]))),
        ("Grade", pick(g, GRADES[3:])),
        (pick(g, ["SASID", "State ID"]), it.v("MA_SASID", sasid_of(g, kid)))
        if g.r.random() < 0.5
        else ("School", pick(g, SCHOOLS)),
    ]
    desc = pick(g, ["Student was fighting with another student in seat 12 and refused to sit down.",
                    "Student threw objects out of the window while the bus was moving.",
                    "Repeated profanity toward the driver after two warnings."])
    doc: Doc = [("h", "SCHOOL BUS INCIDENT REPORT"), ("kv", pairs), ("p", "Description: " + desc),
                ("p", "Administrator action: " + pick(g, ["3-day bus suspension", "detention and parent conference",
                                                           "loss of bus privileges for 5 days (disciplinary)"]))]
    it.cls |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    return doc, ["docx", "pdf", "txt", "html"], "bus_incident"


def k_circulation(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (15, 50), ["csv", "txt", "html", "xlsx"], allow_transposed=False)
    kids = g.people(max(4, n // 2), True)
    st = nstyle(g)
    head = ["Patron", "Patron ID", "Item Barcode", "Title", "Due", "Fine"]
    rows = []
    for _ in range(n):
        p = pick(g, kids)
        it.subjects.add(p.pid)
        rows.append([nm(g, it, p, st), it.v("STUDENT_ID", stid_of(g, p)), it.d("library_barcode", g.barcode()),
                     pick(g, ["The Wild Robot", "Hatchet", "Wonder", "Holes", "Charlotte's Web", "New Kid", "Dog Man"]),
                     g.date(g.recent(30), 0), "$" + g.money(0, 5)])
    it.cls |= {"STUDENT_PII"}
    title = [("h", "Library Circulation - Overdue Items"), ("p", f"{pick(g, SCHOOLS)} Library Media Center")]
    return finish(g, it, title, head, rows, None, fmts, "circulation")


def k_device_assign(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (15, 60), ["csv", "xlsx", "json", "html", "txt"], allow_transposed=False)
    kids = g.people(n, True)
    st = nstyle(g)
    head = ["Asset Tag", "Serial No.", "Model", "Assigned To", pick(g, H_LOCAL), "Grade", "Issued"]
    rows = [
        [
            it.d("asset_tag", "EPS-" + g.digits(6)),
            it.d("serial", g.serial()),
            pick(g, ["Chromebook 3110", "Latitude 3120", "iPad 9th gen"]),
            nm(g, it, p, st),
            it.v("STUDENT_ID", stid_of(g, p)),
            pick(g, GRADES),
            g.date(g.recent(300), 1),
        ]
        for p in kids
    ]
    it.cls |= {"STUDENT_PII"}
    title = [("h", "1:1 Device Assignments"), ("p", "Technology Department - student devices")]
    return finish(g, it, title, head, rows, None, fmts, "device_assignment")


def k_cori(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (6, 25), ["xlsx", "csv", "pdf", "docx", "txt"])
    ppl = g.people(n, False)
    ds, st = g.r.randrange(5), nstyle(g)
    head = ["Volunteer", pick(g, H_DOB), pick(g, H_DL), "Mother's Maiden Name", "CORI Result", "Date Cleared"]
    rows = [
        [
            nm(g, it, p, st),
            it.v("DATE_OF_BIRTH", g.date(p.dob, ds)),
            it.v("US_DRIVER_LICENSE", p.get("dl", g.dl)),
            pick(g, LAST),
            pick(g, ["Cleared", "Cleared", "Pending", "Review"]),
            g.date(g.recent(200), ds),
        ]
        for p in ppl
    ]
    it.cls |= {"MA_PI"}
    title = [("h", "Volunteer CORI Request Log"), ("p", f"{pick(g, SCHOOLS)} PTO / Principal's office. iCORI checks.")]
    return finish(g, it, title, head, rows, None, fmts, "cori")


def k_tax(g: G, it: Item, form: str | None = None) -> Built:
    it.layout = "form"
    p = g.person(False)
    it.subjects.add(p.pid)
    form = form or pick(g, ["W-4", "W-9", "1099-NEC"])
    if form == "W-4":
        pairs = [
            ("(a) First name and middle initial", f"{p.first} {p.middle}"),
            ("Last name", it.v("PERSON", p.last)),
            ("(b) Social security number", it.v("US_SSN", p.get("ssn", g.ssn))),
            ("Address", f"{g.r.randint(2, 400)} {pick(g, ['Elm', 'Pine', 'Summer', 'Prospect'])} St"),
            (
                "City or town, state, and ZIP code",
                f"{pick(g, ['Quincy', 'Medford', 'Lowell', 'Worcester'])}, MA 0{g.digits(4)}",
            ),
            ("(c) Filing status", pick(g, ["Single", "Married filing jointly", "Head of household"])),
            ("Step 3 Claim dependents", "$" + g.money(0, 4000)),
            ("Employer's name", "Example Public Schools"),
            ("Employer identification number (EIN)", it.d("ein", g.ein())),
            ("First date of employment", g.date(g.recent(60), 0)),
        ]
        it.cls |= {"EMPLOYEE_PII", "MA_PI"}
        title = "Form W-4 Employee's Withholding Certificate 2025"
    elif form == "W-9":
        itin = g.r.random() < 0.4
        pairs = [
            ("1 Name (as shown on your income tax return)", nm(g, it, p, "fl")),
            ("2 Business name", pick(g, ["", f"{p.last} Consulting"])),
            ("3 Federal tax classification", "Individual/sole proprietor"),
            (
                "Part I Taxpayer Identification Number",
                it.v("US_ITIN", g.itin()) if itin else it.v("US_SSN", p.get("ssn", g.ssn)),
            ),
            ("Address", f"{g.r.randint(2, 400)} Walnut Ave, Boston, MA 021{g.digits(2)}"),
            ("Requester", "Example Public Schools, Accounts Payable"),
        ]
        if not itin:
            it.cls |= {"MA_PI"}
        title = "Form W-9 Request for Taxpayer Identification Number and Certification"
    else:
        pairs = [
            ("PAYER'S name", "Example Public Schools"),
            ("PAYER'S TIN", it.d("ein", g.ein())),
            ("RECIPIENT'S TIN", it.v("US_SSN", p.get("ssn", g.ssn))),
            ("RECIPIENT'S name", nm(g, it, p, pick(g, ["fl", "LF"]))),
            ("Account number (see instructions)", it.d("payer_account_ref", "V" + g.digits(6))),
            ("1 Nonemployee compensation", "$" + g.money(600, 18000)),
            ("4 Federal income tax withheld", "0.00"),
        ]
        it.cls |= {"MA_PI"}
        title = "Form 1099-NEC Nonemployee Compensation (Copy B) 2024"
    return [("h", title), ("kv", pairs)], ["pdf", "pdf", "docx", "txt"], "tax_" + form


def k_lunch(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (15, 60), ["xlsx", "csv", "pdf", "txt", "html"])
    kids = g.people(n, True)
    st = nstyle(g)
    head = [pick(g, H_NAME), pick(g, H_SASID), "School", "Eligibility", "Source", "Case #"]
    rows = [[nm(g, it, p, st), it.v("MA_SASID", sasid_of(g, p)), pick(g, SCHOOLS)[:12],
             pick(g, ["Free", "Free", "Reduced"]), pick(g, ["DirectCert-SNAP", "DirectCert-MassHealth", "Application"]),
             it.d("case_no", g.digits(8))] for p in kids]
    it.cls |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    title = [
        ("h", "Free and Reduced Price Meal Eligibility"),
        ("p", "Food Services - Direct Certification match - CONFIDENTIAL"),
    ]
    return finish(g, it, title, head, rows, None, fmts, "lunch_eligibility")


def k_medicaid(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (8, 30), ["xlsx", "csv", "pdf", "txt"], allow_transposed=False)
    kids = g.people(max(3, n // 2), True)
    st = nstyle(g)
    head = ["Student", pick(g, H_DOB), pick(g, ["MassHealth ID", "Medicaid #", "MassHealth Member ID"]), "DOS", "CPT",
            "Units", "Service"]
    rows = []
    for _ in range(n):
        p = pick(g, kids)
        it.subjects.add(p.pid)
        rows.append(
            [
                nm(g, it, p, st),
                it.v("DATE_OF_BIRTH", g.date(p.dob, 0)),
                it.v("MASSHEALTH_ID", p.get("mh", g.masshealth)),
                g.date(g.recent(60), 0),
                it.d("cpt", pick(g, ["92507", "97530", "97110", "90837"])),
                str(g.r.randint(1, 4)),
                pick(g, ["Speech therapy", "Occupational therapy", "Physical therapy", "Counseling"]),
            ]
        )
    it.cls |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    title = [("h", "School-Based Medicaid - Claims Detail"), ("p", "Special Education Dept. / billing agent upload")]
    return finish(g, it, title, head, rows, None, fmts, "medicaid")


def k_sports(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (12, 30), ["xlsx", "docx", "html", "pdf", "csv"])
    kids = g.people(n, True)
    coach = g.person(False)
    st = nstyle(g)
    head = ["No.", "Athlete", "Gr", pick(g, H_DOB), "Pos", pick(g, ["Emergency Phone", "Parent Cell"])]
    rows = [
        [
            str(g.r.randint(0, 99)),
            nm(g, it, p, st),
            pick(g, ["9", "10", "11", "12"]),
            it.v("DATE_OF_BIRTH", g.date(p.dob, 0)),
            pick(g, ["G", "D", "M", "F", "PG", "C"]),
            it.v("PHONE_NUMBER", g.phone()),
        ]
        for p in kids
    ]
    it.cls |= {"STUDENT_PII"}
    title = [("h", f"Varsity {pick(g, ['Soccer', 'Basketball', 'Lacrosse', 'Field Hockey'])} Roster 2025"),
             ("p", f"North Valley High School - Head Coach {nm(g, it, coach, 'fl', subject=False)} - MIAA eligibility")]
    return finish(g, it, title, head, rows, None, fmts, "sports_roster")


def k_attendance(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (15, 50), ["csv", "xlsx", "txt", "pdf", "html"])
    kids = g.people(n, True)
    st = nstyle(g)
    head = [pick(g, H_NAME), pick(g, H_LOCAL), "Gr", "Days Enrolled", "Absent", "Tardy", "Rate"]
    groups = [("Student", 3), ("Year to Date", 4)]
    rows = []
    for p in kids:
        en, ab = g.r.randint(20, 30), g.r.randint(0, 9)
        rows.append([nm(g, it, p, st), it.v("STUDENT_ID", stid_of(g, p)), pick(g, GRADES), str(en), str(ab),
                     str(g.r.randint(0, 6)), f"{100 * (en - ab) / en:.1f}%"])
    it.cls |= {"STUDENT_PII"}
    title = [
        ("h", "Chronic Absenteeism Watch List"),
        ("p", f"{pick(g, SCHOOLS)} - attendance through {g.date(g.recent(5), 0)}"),
    ]
    return finish(g, it, title, head, rows, groups, fmts, "attendance")


def k_enrollment(g: G, it: Item) -> Built:
    it.layout = "form"
    kid, m, f = g.person(True), g.person(False), g.person(False)
    it.subjects |= {kid.pid, m.pid, f.pid}
    sped = g.r.random() < 0.4
    pairs = [
        ("Student Legal Name", nm(g, it, kid, pick(g, ["fml", "fl", "LF"]))),
        ("Date of Birth", it.v("DATE_OF_BIRTH", g.date(kid.dob, g.r.randrange(5)))),
        ("Place of Birth", pick(g, ["Boston, MA", "Santo Domingo, DR", "Lowell, MA", "Porto, Portugal"])),
        ("Grade Entering", pick(g, GRADES)),
        ("Previous School", pick(g, ["St. Mary's", "Brockton Public", "none"])),
        ("Parent/Guardian 1", nm(g, it, m, "fl")),
        ("Cell", it.v("PHONE_NUMBER", g.phone())),
        ("E-mail", it.v("EMAIL_ADDRESS", g.email(m, False))),
        ("Parent/Guardian 2", nm(g, it, f, "fl")),
        ("Work Phone", it.v("PHONE_NUMBER", g.phone())),
        ("Home Language", pick(g, ["English", "Spanish", "Portuguese", "Haitian Creole"])),
        ("Does the student have an IEP or 504 plan?", "Yes - IEP (speech/language)" if sped else "No"),
    ]
    it.cls |= {"STUDENT_PII"} | ({"STUDENT_SENSITIVE"} if sped else set())
    doc: Doc = [
        ("h", "New Student Registration Form"),
        ("p", "Example Public Schools Family Welcome Center"),
        ("kv", pairs),
    ]
    return doc, ["pdf", "docx", "html", "txt", "json"], "registration"


def k_minutes(g: G, it: Item) -> Built:
    it.layout = "prose"
    mem = g.people(5, False)
    sup = g.person(False)
    names = [nm(g, it, p, "fl") for p in mem]
    doc: Doc = [
        ("h", "School Committee - Regular Meeting Minutes"),
        (
            "p",
            f"{g.date(g.recent(60), 2)}, 7:00 PM, Central Office Library. Present: {', '.join(names)}. "
            f"Also present: Superintendent {nm(g, it, sup, 'fl')}.",
        ),
        (
            "p",
            f"Motion to approve the FY26 budget transfer of ${g.money(10000, 90000)} from line 1000-2305-5110 "
            f"to 1000-3300-5200 made by {nm(g, it, mem[1], 'fl')}, seconded; passed 5-0.",
        ),
        (
            "p",
            "Public comment: two residents spoke about the bus route changes on Route 14. The committee "
            "thanked the transportation staff. Enrollment stands at 4,312 students (+1.8%).",
        ),
        ("p", f"Adjourned 9:12 PM. Respectfully submitted, {nm(g, it, mem[4], 'fl')}, Secretary."),
    ]
    return doc, ["docx", "pdf", "html", "txt"], "minutes"


def k_newsletter(g: G, it: Item) -> Built:
    it.layout = "prose"
    pr, pto = g.person(False), g.person(False)
    doc: Doc = [("h", f"{pick(g, SCHOOLS)} Family Newsletter - {pick(g, ['October', 'November', 'March'])} 2025"),
                ("p", f"A note from Principal {nm(g, it, pr, 'fl')}: Welcome back! Picture day is October 14. "
                      "Please label water bottles and jackets. Our 5th graders raised $1,240 for the food pantry."),
                ("p", f"PTO: contact {nm(g, it, pto, 'fl')} at {it.v('EMAIL_ADDRESS', g.email(pto, False))}. "
                      f"Main office: {it.v('PHONE_NUMBER', g.phone())}. Book fair 11/3-11/7, 8:00-3:15."),
                ("p", "Reminder: the Student Handbook (pp. 12-14) describes the cell phone policy. Grade 3 MCAS "
                      "practice begins in room 104. Lunch menu: www.example.org/menus")]
    return doc, ["html", "pdf", "docx", "txt"], "newsletter"


def k_1099_batch(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (8, 30), ["csv", "xlsx", "pdf", "txt", "tsv"], allow_transposed=False)
    head = ["Recipient", pick(g, ["Recipient TIN", "TIN", "SSN/ITIN/EIN", "Payee Tax ID"]), "TIN Type", "Box 1 NEC",
            "Fed W/H", "Vendor #"]
    rows = []
    for _ in range(n):
        x = g.r.random()
        if x < 0.3:
            payee, tin, typ = (
                pick(g, ["Granite Paving Co", "Bright Minds Learning Co", "Lakeside Tutoring LLC"]),
                it.d("ein", g.ein()),
                "EIN",
            )
        else:
            p = g.person(False)
            it.subjects.add(p.pid)
            payee = nm(g, it, p, pick(g, ["LF", "fl"]))
            if x < 0.6:
                tin, typ = it.v("US_ITIN", g.itin(pick(g, ["-", "-", ""]))), "ITIN"
            else:
                tin, typ = it.v("US_SSN", p.get("ssn", g.ssn)), "SSN"
                it.cls.add("MA_PI")
        rows.append([payee, tin, typ, g.money(600, 25000), "0.00", it.d("vendor_no", "V" + g.digits(6))])
    title = [("h", "1099-NEC Recipient File - Tax Year 2024"), ("p", "Accounts Payable / IRS FIRE upload prep")]
    return finish(g, it, title, head, rows, None, fmts, "1099_batch")


def k_wire(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (3, 12), ["xlsx", "pdf", "docx", "csv", "html"])
    ppl = g.people(n, False)
    st = nstyle(g)
    head = ["Exchange Teacher", pick(g, H_EMP), "Home Country", "IBAN", "BIC", "Stipend (USD)"]
    rows = [
        [
            nm(g, it, p, st),
            it.v("EMPLOYEE_ID", p.get("emp", g.empid)),
            pick(g, ["Ireland", "Germany", "Spain", "Netherlands", "France"]),
            it.v("IBAN_CODE", g.iban(g.r.random() < 0.7)),
            pick(g, ["AIBKIE2D", "DEUTDEFF", "CAIXESBB", "INGBNL2A"]),
            g.money(1500, 4000),
        ]
        for p in ppl
    ]
    it.cls |= {"MA_PI", "EMPLOYEE_PII"}
    title = [("h", "International Wire Requests - Visiting Teacher Stipends"), ("p", "Payroll / J-1 exchange program")]
    return finish(g, it, title, head, rows, None, fmts, "intl_wires")


# ------------------------------------------------------------------------------------------ PI-free kinds


def k_purchasing(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (20, 80), ["csv", "xlsx", "pdf", "json", "txt"], allow_transposed=False)
    head = ["PO Number", "Req #", "Vendor No", "Vendor", "Item", "UPC", "Qty", "Unit", "Ext", "GL Account"]
    rows = [
        [
            it.d("po_number", g.digits(8, "25")),
            it.d("requisition_10digit", g.digits(10, "1")),
            it.d("vendor_no", g.digits(6)),
            pick(g, ["W.B. Mason", "School Specialty", "CDW-G", "Really Good Stuff", "Lakeshore"]),
            pick(
                g,
                [
                    "Copy paper 8.5x11 case",
                    "Chromebook charger",
                    "Dry erase markers",
                    "Toner HP 58A",
                    "Math manipulatives kit",
                ],
            ),
            it.d("upc", g.digits(12, "0")),
            str(g.r.randint(1, 40)),
            g.money(2, 300),
            g.money(10, 3000),
            it.d("gl_account", f"1000-{g.r.randint(1000, 4999)}-{g.r.randint(5100, 5999)}-{g.digits(3)}"),
        ]
        for _ in range(n)
    ]
    title = [("h", "Purchase Order Detail Export"), ("p", f"MUNIS Financials - FY2026 - run {g.date(g.recent(15), 0)}")]
    return finish(g, it, title, head, rows, None, fmts, "po_export")


def k_catalog(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (25, 80), ["csv", "tsv", "txt", "html", "json"], allow_transposed=False)
    head = ["Title", "ISBN", "Call Number", "Barcode", "Pub Year", "Copies"]
    rows = [
        [
            pick(
                g,
                [
                    "Tuck Everlasting",
                    "Bridge to Terabithia",
                    "Number the Stars",
                    "Island of the Blue Dolphins",
                    "A Wrinkle in Time",
                    "Frindle",
                    "The Giver",
                    "Ghost",
                    "Esperanza Rising",
                ],
            ),
            it.d("isbn", g.isbn()),
            f"FIC {pick(g, string.ascii_uppercase)}{pick(g, string.ascii_lowercase)}{pick(g, 'aeiou')}",
            it.d("library_barcode", g.barcode()),
            str(g.r.randint(1960, 2024)),
            str(g.r.randint(1, 6)),
        ]
        for _ in range(n)
    ]
    title = [("h", "Library Catalog - Shelf List"), ("p", "Follett Destiny export, Fiction section")]
    return finish(g, it, title, head, rows, None, fmts, "catalog")


def k_inventory(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (25, 90), ["csv", "xlsx", "json", "txt", "html"], allow_transposed=False)
    head = ["Asset Tag", "Serial", "MAC", "Model", "Room", "Purchased", "Warranty End", "PO"]
    rows = [
        [
            it.d("asset_tag", "EPS-" + g.digits(6)),
            it.d("serial", g.serial()),
            it.d("mac", g.mac()),
            pick(g, ["Chromebook 3110", "OptiPlex 7010", "Epson BrightLink", "Cisco 9120AX"]),
            f"{g.r.randint(100, 330)}",
            g.date(g.recent(1000), 1),
            g.date(g.today + dt.timedelta(days=g.r.randrange(1000)), 1),
            it.d("po_number", g.digits(8, "2")),
        ]
        for _ in range(n)
    ]
    title = [("h", "Device Inventory - Unassigned / Classroom Equipment"), ("p", "IT Asset Management export")]
    return finish(g, it, title, head, rows, None, fmts, "inventory")


def k_weblog(g: G, it: Item, pi: bool = False) -> Built:
    it.layout = "log"
    lines = []
    t = dt.datetime(2025, 10, 3, 6, 0, 0)
    for _ in range(g.r.randint(300, 900)):
        t += dt.timedelta(seconds=g.r.randint(1, 40))
        ip = f"10.{g.r.randint(0, 255)}.{g.r.randint(0, 255)}.{g.r.randint(1, 254)}"
        path = pick(g, ["/", "/calendar", "/menus/oct.pdf", "/staff/directory", f"/news/{g.r.randint(100, 999)}",
                        f"/assets/app.{g.digits(8)}.js", f"/api/v2/session?rid={it.d('request_id', g.digits(9))}"])
        if pi and g.r.random() < 0.08:
            p = g.person(True)
            it.subjects.add(p.pid)
            path = f"/parentportal/student?sasid={it.v('MA_SASID', sasid_of(g, p))}&view=grades"
            it.cls.add("STUDENT_PII")
        lines.append(
            f'{ip} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} -0400] "GET {path} HTTP/1.1" '
            f'{pick(g, [200, 200, 304, 404])} {g.r.randint(200, 90000)} "-" "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0)"'
        )
    return [("pre", lines)], ["txt"], "access_log"


def k_lesson(g: G, it: Item) -> Built:
    it.layout = "prose"
    doc: Doc = [("h", f"Lesson Plan - Grade {g.r.randint(3, 8)} {pick(g, ['Math', 'ELA', 'Science'])}"),
                ("kv", [("Standards", "5.NBT.B.7; 5.NF.A.1; SMP 3"), ("Duration", "60 min"),
                        ("Materials", "fraction tiles, whiteboards, Eureka Module 3 pp. 45-52")]),
                ("t", Table(["Time", "Activity", "Grouping"],
                            [["0-10", "Do Now: 3/4 + 1/8 on whiteboards", "whole class"],
                             ["10-35", "Guided practice, problem set 1-12", "pairs"],
                             ["35-55", "Exit ticket (4 items), score 0-4", "individual"],
                             ["55-60", "Reflection and homework p. 53 #1-9", "whole class"]])),
                ("p", "Differentiation: students who score 3 or more on the exit ticket move to the enrichment task. "
                      "Room 214, period 3. Assessment data is reviewed in the PLC on Thursday.")]
    return doc, ["docx", "pdf", "html", "txt"], "lesson_plan"


def k_budget(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (15, 50), ["xlsx", "pdf", "csv", "html"], allow_transposed=False)
    head = ["Account", "Description", "FY25 Budget", "FY25 Actual", "FY26 Request", "Change %"]
    groups = [("", 2), ("Prior Year", 2), ("Budget Year", 2)]
    rows = [
        [
            it.d("gl_account", f"{g.r.randint(1000, 2999)}-{g.r.randint(1000, 4999)}-{g.r.randint(5100, 5999)}"),
            pick(
                g, ["Teacher salaries", "Instructional supplies", "Transportation contract", "Utilities", "Textbooks"]
            ),
            g.money(1e4, 4e6),
            g.money(1e4, 4e6),
            g.money(1e4, 4e6),
            f"{g.r.uniform(-8, 12):.1f}%",
        ]
        for _ in range(n)
    ]
    title = [("h", "FY2026 Budget Worksheet"), ("p", "School Committee presentation - draft")]
    return finish(g, it, title, head, rows, groups, fmts, "budget")


def k_bus_routes(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (20, 60), ["csv", "pdf", "txt", "xlsx", "html"], allow_transposed=False)
    head = ["Route", "Bus #", "VIN", "Stop", "AM", "PM"]
    rows = [
        [
            str(g.r.randint(1, 40)),
            it.d("bus_no", str(g.r.randint(10, 99))),
            it.d("vin", "1HV" + "".join(g.r.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(14))),
            f"{pick(g, ['Elm St', 'Maple Ave', 'Oak Rd', 'Summer St'])} & "
            f"{pick(g, ['Main St', 'Pine St', 'Park Ave'])}",
            f"7:{g.r.randint(0, 59):02d}",
            f"2:{g.r.randint(30, 59):02d}",
        ]
        for _ in range(n)
    ]
    title = [("h", "Bus Routes and Stop Times 2025-2026"), ("p", "Transportation Office - posted routes")]
    return finish(g, it, title, head, rows, None, fmts, "bus_routes")


def k_assess(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (8, 24), ["xlsx", "pdf", "html", "csv", "docx"], allow_transposed=False)
    head = ["School", "Grade", "Subject", "Students Tested", "% Meeting/Exceeding", "Avg Scaled Score", "SGP"]
    groups = [("", 3), ("Participation", 1), ("Achievement", 2), ("Growth", 1)]
    rows = [[pick(g, SCHOOLS), pick(g, ["3", "4", "5", "6", "7", "8", "10"]), pick(g, ["ELA", "Math", "Science"]),
             str(g.r.randint(40, 400)), f"{g.r.randint(20, 80)}%", str(g.r.randint(470, 530)), str(g.r.randint(35, 65))]
            for _ in range(n)]
    title = [("h", "MCAS Results Summary (aggregate, no student-level data)"),
             ("p", "Students with disabilities and English learner subgroups reported when n >= 10.")]
    return finish(g, it, title, head, rows, groups, fmts, "mcas_summary")


def k_blank_form(g: G, it: Item) -> Built:
    it.layout = "blank_form"
    which = pick(g, ["dd", "w4", "slip", "reg"])
    if which == "dd":
        pairs = [("Employee Name", "______________"), ("Employee ID", "______"), ("Social Security No.", "___-__-____"),
                 ("Bank Routing #", "_________"), ("Account #", "_______________"), ("Checking / Savings", "[ ] [ ]")]
        h = "Direct Deposit Authorization (blank)"
    elif which == "w4":
        pairs = [("First name and middle initial", ""), ("Last name", ""), ("Social security number", "   -  -    "),
                 ("Filing status", "[ ] Single [ ] Married")]
        h = "Form W-4 (template)"
    elif which == "slip":
        pairs = [("Student's Name", "____________"), ("Date of Birth", "__/__/____"), ("Parent/Guardian", "_________"),
                 ("Phone", "(___) ___-____"), ("Allergies / Medications", "")]
        h = "Field Trip Permission Slip (template)"
    else:
        pairs = [("Student Legal Name", ""), ("Date of Birth (MM/DD/YYYY)", ""), ("SASID (office use)", ""),
                 ("IEP / 504?", "Yes / No")]
        h = "Registration Form - blank"
    return [("h", h), ("p", "Return the completed form to the main office."), ("kv", pairs)], \
        ["docx", "pdf", "html", "txt"], "blank_form"


def k_payroll_summary(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (8, 20), ["xlsx", "pdf", "csv", "txt"], allow_transposed=False)
    head = ["Dept", "Headcount", "Gross", "Employer FICA/Medicare", "Check Range", "Batch ID"]
    rows = []
    for _ in range(n):
        c = g.r.randint(100000, 900000)
        rows.append(
            [
                pick(g, ["Teaching", "Admin", "Transportation", "Facilities", "Food Service"]),
                str(g.r.randint(3, 300)),
                g.money(1e4, 9e5),
                g.money(100, 20000),
                it.d("check_no", f"{c}-{c + g.r.randint(5, 80)}"),
                it.d("batch_id", g.digits(9, "7")),
            ]
        )
    title = [("h", "Payroll Summary by Department"), ("p", "Totals only - no employee detail")]
    return finish(g, it, title, head, rows, None, fmts, "payroll_summary")


def k_vendor_list(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (15, 50), ["csv", "xlsx", "pdf", "json"], allow_transposed=False)
    head = ["Vendor #", "Vendor Name", "FEIN", "Remit City", "Terms", "1099"]
    rows = [
        [
            it.d("vendor_no", g.digits(6)),
            pick(
                g,
                [
                    "Acme School Supply LLC",
                    "Northeast Bus Parts Inc",
                    "Bright Minds Learning Co",
                    "Harbor Food Service Corp",
                    "Quill & Page Books Inc",
                    "Granite Paving Co",
                ],
            ),
            it.d("ein", g.ein()),
            pick(g, ["Boston", "Worcester", "Nashua", "Providence"]),
            "Net 30",
            pick(g, ["Y", "N"]),
        ]
        for _ in range(n)
    ]
    title = [("h", "Active Vendor Master"), ("p", "Accounts Payable")]
    return finish(g, it, title, head, rows, None, fmts, "vendor_list")


def k_tickets(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (20, 60), ["csv", "json", "html", "xlsx"], allow_transposed=False)
    head = ["Ticket", "Opened", "Category", "Room", "Asset", "Status", "Summary"]
    rows = [
        [
            it.d("ticket_no", g.digits(7, "4")),
            g.date(g.recent(60), 1),
            pick(g, ["Projector", "Wi-Fi", "Printer", "Chromebook"]),
            str(g.r.randint(100, 330)),
            it.d("asset_tag", "EPS-" + g.digits(6)),
            pick(g, ["Open", "Closed", "Waiting"]),
            pick(g, ["no display on HDMI", "cannot reach portal", "paper jam tray 2", "cracked screen"]),
        ]
        for _ in range(n)
    ]
    title = [("h", "Help Desk Tickets"), ("p", "Export from ticketing system")]
    return finish(g, it, title, head, rows, None, fmts, "tickets")


def k_course_catalog(g: G, it: Item) -> Built:
    n, fmts = roster_layout(g, it, (20, 50), ["pdf", "docx", "html", "txt"], allow_transposed=False)
    head = ["Course #", "Title", "Credits", "Grades", "Prerequisite"]
    rows = [
        [
            str(g.r.randint(1000, 9999)),
            pick(g, ["Algebra I", "AP Biology", "World History", "Spanish III", "Robotics"]),
            pick(g, ["2.5", "5.0"]),
            pick(g, ["9-10", "11-12", "9-12"]),
            pick(g, ["none", "Algebra I", "teacher rec."]),
        ]
        for _ in range(n)
    ]
    title = [("h", "Program of Studies 2026-2027"), ("p", "North Valley High School course catalog")]
    return finish(g, it, title, head, rows, None, fmts, "course_catalog")


# ---------------------------------------------------------------------------------------------- mail

def _hdr(g: G, it: Item, p: Person | None, staff: bool = True, addr: str | None = None) -> str:
    """An address header value; its display name and address are labeled (correspondents: not subjects)."""
    if p is None:
        return it.v("EMAIL_ADDRESS", addr or "it-helpdesk@example.org")
    a = it.v("EMAIL_ADDRESS", g.email(p, staff))
    if g.r.random() < 0.8:
        return (
            f'"{nm(g, it, p, "fl", subject=False)}" <{a}>'
            if "," in p.last
            else f"{nm(g, it, p, 'fl', subject=False)} <{a}>"
        )
    return a


def make_eml(g: G, frm: str, to: str, subject: str, body: str, html: bool = False, cc: str | None = None,
             attachments: list[tuple[str, bytes]] = ()) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = frm, to, subject
    if cc:
        m["Cc"] = cc
    m["Date"] = format_datetime(
        dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=g.r.randrange(40000))
    )
    m["Message-ID"] = f"<{g.digits(12)}.{g.digits(6)}@mail.example.org>"
    m.set_content(body, subtype="html" if html else "plain")
    for name, data in attachments:
        ext = name.rsplit(".", 1)[-1]
        mt = {"pdf": ("application", "pdf"), "csv": ("text", "csv"), "txt": ("text", "plain"),
              "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
              "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              "html": ("text", "html"), "json": ("application", "json"), "tsv": ("text", "tab-separated-values")}[ext]
        m.add_attachment(data, maintype=mt[0], subtype=mt[1], filename=name)
    if m.is_multipart():
        m.set_boundary(f"=_part_{g.digits(16)}")  # the library's boundary is random: keep files byte-stable
    return bytes(m)


def k_referral(g: G, it: Item) -> tuple[bytes, list[tuple[str, Item]]]:
    """Counselor referral e-mail, sometimes with a referral form attached."""
    it.layout = "mail_prose"
    t, c, kid = g.person(False), g.person(False), g.person(True)
    it.subjects.add(kid.pid)
    frm, to = _hdr(g, it, t), _hdr(g, it, c)
    subj = f"Referral - {nm(g, it, kid, 'fl')}" if g.r.random() < 0.6 else "Confidential: student referral"
    ident = (f"(SASID {it.v('MA_SASID', sasid_of(g, kid))})" if g.r.random() < 0.5 else
             f"(student #{it.v('STUDENT_ID', stid_of(g, kid))})")
    concern = pick(g, ["has been talking about self-harm and seems withdrawn since the break",
                       "has had several panic attacks in class; mom mentioned a new anxiety diagnosis",
                       "disclosed that there is not enough food at home and the family may be homeless",
                       "is struggling since her IEP services were reduced and her grades dropped"])
    body = (
        f"Hi {c.first},\n\nI'd like to refer {nm(g, it, kid, pick(g, ['fl', 'fml']))} {ident}, grade "
        f"{g.r.randint(6, 12)}, to you. {kid.first} {concern}. Could you check in this week?\n\n"
        f"Thanks,\n{nm(g, it, t, 'fl', subject=False)}\n{pick(g, ['Grade 7 ELA', 'Science, Room 212', 'Math Dept.'])}\n"
        f"{it.v('PHONE_NUMBER', g.phone())}\n"
    )
    it.cls |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
    atts: list[tuple[str, Item]] = []
    raw_atts = []
    if g.r.random() < 0.5:
        a = Item("referral_form", "form")
        a.subjects.add(kid.pid)
        pairs = [
            ("Student", nm(g, a, kid, "fl")),
            (pick(g, H_DOB), a.v("DATE_OF_BIRTH", g.date(kid.dob, 0))),
            ("Referred by", nm(g, a, t, "fl", subject=False)),
            ("Reason", concern),
            ("Prior interventions", "504 meeting held; parent contacted"),
            ("Urgency", pick(g, ["High", "Routine"])),
        ]
        a.cls |= {"STUDENT_PII", "STUDENT_SENSITIVE"}
        doc: Doc = [("h", "Student Support Team Referral"), ("kv", pairs)]
        fmt = pick(g, ["docx", "pdf"])
        a.fmt = fmt
        data, _ = render(doc, fmt, g.r, "referral")
        name = f"referral_{kid.last.replace(' ', '').replace(chr(39), '')}.{fmt}"
        atts.append((name, a))
        raw_atts.append((name, data))
    return make_eml(g, frm, to, subj, body, attachments=raw_atts), atts


def k_passwords(g: G, it: Item) -> tuple[bytes, list[tuple[str, Item]]]:
    it.layout = "mail_body_table"
    pr = g.person(False)
    frm, to = _hdr(g, it, None, addr="helpdesk@example.org"), _hdr(g, it, pr)
    ppl = g.people(g.r.randint(2, 6), False)
    rows = []
    for p in ppl:
        it.subjects.add(p.pid)
        user = it.v("EMAIL_ADDRESS", g.email(p, True))
        rows.append([nm(g, it, p, "fl"), user, it.v("CREDENTIAL", g.password())])
    table = w_txt([("t", Table(["Name", "Login", "Temp Password"], rows))]).decode()
    body = (f"Hello {pr.first},\n\nHere are the Google Workspace accounts for your new staff. They must change "
            f"the temporary password at first sign-in.\n\n{table}\nIT Help Desk x4400\n")
    it.cls |= {"CREDENTIALS"}
    return make_eml(g, frm, to, "New accounts", body), []


def k_hr_mail(g: G, it: Item) -> tuple[bytes, list[tuple[str, Item]]]:
    it.layout = "mail_prose"
    hr, pay, p = g.person(False), g.person(False), g.person(False)
    it.subjects.add(p.pid)
    frm, to = _hdr(g, it, hr), _hdr(g, it, pay)
    body = (
        f"Hi {pay.first},\n\nPlease set up new hire {nm(g, it, p, 'fl')} "
        f"(Employee ID {it.v('EMPLOYEE_ID', p.get('emp', g.empid))}), "
        f"paraprofessional at {pick(g, SCHOOLS)}, start date {g.date(g.recent(20), 0)}, salary step 3. "
        f"Her W-4 and direct deposit paperwork are attached.\n\nThank you,\n{nm(g, it, hr, 'fl', subject=False)}\n"
        f"Human Resources\n"
    )
    it.cls |= {"EMPLOYEE_PII"}
    atts, raw = [], []
    for fn in (lambda g_, a_: k_tax(g_, a_, "W-4"), k_direct_deposit):
        a = Item("tax_form" if not atts else "direct_deposit")
        doc, fmts, title = fn(g, a)  # the forms name their own (invented) employee
        a.fmt = pick(g, ["pdf", "docx"])
        data, _ = render(doc, a.fmt, g.r, title)
        name = f"{title}.{a.fmt}"
        atts.append((name, a))
        raw.append((name, data))
    return make_eml(g, frm, to, "New hire paperwork", body, attachments=raw), atts


# ---------------------------------------------------------------------------------------------- plan

PI_KINDS: dict[str, tuple[Callable[[G, Item], Any], int]] = {
    "sis_roster": (k_sis_roster, 13),
    "payroll_register": (k_payroll, 10),
    "direct_deposit": (k_direct_deposit, 8),
    "driver_roster": (k_drivers, 6),
    "sped_caseload": (k_sped, 7),
    "health_log": (k_health_log, 6),
    "counselor_referral": (k_referral, 7),
    "staff_licensure": (k_mepid, 6),
    "vendor_ach": (k_vendor_ach, 7),
    "account_refund": (k_refund, 7),
    "permission_slip": (k_permission, 6),
    "field_trip_list": (k_field_trip, 5),
    "bus_incident": (k_bus_incident, 5),
    "library_circulation": (k_circulation, 5),
    "device_assignment": (k_device_assign, 5),
    "volunteer_cori": (k_cori, 5),
    "tax_form": (k_tax, 8),
    "lunch_eligibility": (k_lunch, 5),
    "medicaid_billing": (k_medicaid, 4),
    "sports_roster": (k_sports, 4),
    "account_passwords": (k_passwords, 3),
    "attendance": (k_attendance, 5),
    "hr_mail": (k_hr_mail, 4),
    "registration_form": (k_enrollment, 5),
    "board_minutes": (k_minutes, 3),
    "newsletter": (k_newsletter, 3),
    "tax_1099_batch": (k_1099_batch, 5),
    "intl_wires": (k_wire, 4),
    "portal_log": (lambda g, it: k_weblog(g, it, True), 2),
}
FREE_KINDS: dict[str, tuple[Callable[[G, Item], Any], int]] = {
    "purchasing_export": (k_purchasing, 15), "library_catalog": (k_catalog, 10), "device_inventory": (k_inventory, 10),
    "web_server_log": (k_weblog, 8), "lesson_plan": (k_lesson, 11), "budget_report": (k_budget, 10),
    "bus_routes": (k_bus_routes, 9), "assessment_summary": (k_assess, 11), "blank_form": (k_blank_form, 13),
    "payroll_summary": (k_payroll_summary, 9), "vendor_list": (k_vendor_list, 9), "helpdesk_tickets": (k_tickets, 7),
    "course_catalog": (k_course_catalog, 7),
}
MAIL_KINDS = {"counselor_referral", "account_passwords", "hr_mail"}
EXT = {"csv": "csv", "tsv": "tsv", "txt": "txt", "json": "json", "html": "html", "docx": "docx", "xlsx": "xlsx",
       "pdf": "pdf", "eml": "eml", "zip": "zip"}


@dataclass
class Made:
    files: int
    bytes: int


def generate(out: Path, seed: int = 13) -> Made:
    """Write the corpus and its labels under ``out``."""
    g = G(seed)
    out.mkdir(parents=True, exist_ok=True)
    labels: dict[str, dict[str, Any]] = {}
    plan = [(k, True) for k, (_, n) in PI_KINDS.items() for _ in range(n)] + \
           [(k, False) for k, (_, n) in FREE_KINDS.items() for _ in range(n)]
    g.r.shuffle(plan)
    counter: Counter = Counter()
    pending_zip: list[tuple[str, bytes, Item]] = []
    files = 0

    def fname(kind: str, ext: str) -> str:
        counter[kind] += 1
        return f"{kind}_{counter[kind]:02d}.{ext}"

    def write(rel: str, data: bytes) -> None:
        nonlocal files
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        files += 1

    folders = ["business_office", "hr", "student_services", "transportation", "it", "schools/hawthorne",
               "schools/nvhs", "food_services", "library", "shared"]
    for kind, is_pi in plan:
        fn = (PI_KINDS if is_pi else FREE_KINDS)[kind][0]
        it = Item(kind)
        folder = pick(g, folders)
        if kind in MAIL_KINDS:
            data, atts = fn(g, it)
            it.fmt = "eml"
            rel = f"{folder}/{fname(kind, 'eml')}"
            write(rel, data)
            labels[rel] = it.label()
            for name, a in atts:
                labels[f"{rel}!/{name}"] = a.label()
            continue
        doc, fmts, title = fn(g, it)
        fmt = pick(g, fmts)
        it.fmt = fmt
        data, _ = render(doc, fmt, g.r, title)
        x = g.r.random()
        if x < 0.10 and is_pi and fmt in ("csv", "xlsx", "pdf", "docx", "txt", "html", "tsv"):
            # sent as an attachment with a short cover note
            cover = Item("cover_mail", "mail_cover", "eml")
            s, r_ = g.person(False), g.person(False)
            frm, to = _hdr(g, cover, s), _hdr(g, cover, r_)
            body = f"Hi {r_.first},\n\nAttached as requested.\n\n{s.first}\n"
            rel = f"{folder}/{fname(kind + '_mail', 'eml')}"
            att = f"{title}.{EXT[fmt]}"
            write(rel, make_eml(g, frm, to, pick(g, ["FW: report", "as requested", "for review"]), body,
                                attachments=[(att, data)]))
            labels[rel] = cover.label()
            labels[f"{rel}!/{att}"] = it.label()
        elif x < 0.17 and fmt in ("csv", "txt", "tsv", "html", "xlsx", "docx", "pdf") and any(t == "t" for t, _ in doc):
            # the document pasted into the body of a message
            html = g.r.random() < 0.4
            it.layout = "mail_body_" + (it.layout or "table")
            it.fmt = "eml"
            s, r_ = g.person(False), g.person(False)
            frm, to = _hdr(g, it, s), _hdr(g, it, r_)
            body = (
                w_html(doc, title)
                if html
                else f"Hi {r_.first},\n\nSee below.\n\n".encode()
                + w_txt(doc, "aligned", 140)
                + f"\n-- {s.first}\n".encode()
            )
            rel = f"{folder}/{fname(kind + '_mail', 'eml')}"
            write(rel, make_eml(g, frm, to, "list " + title.replace("_", " "), body.decode("utf-8"), html=html))
            labels[rel] = it.label()
        elif x < 0.25:
            pending_zip.append((f"{title}_{counter[kind] + 1:02d}.{EXT[fmt]}", data, it))
            counter[kind] += 1
            if len(pending_zip) >= g.r.randint(2, 4):
                rel = f"{folder}/{fname('export_bundle', 'zip')}"
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                    for name, d, _ in pending_zip:
                        z.writestr(zipfile.ZipInfo(name, date_time=(2025, 10, 1, 8, 0, 0)), d,
                                   compress_type=zipfile.ZIP_DEFLATED)
                write(rel, buf.getvalue())
                labels[rel] = Item("archive", "zip_container", "zip").label()
                for name, _, a in pending_zip:
                    labels[f"{rel}!/{name}"] = a.label()
                pending_zip = []
        else:
            rel = f"{folder}/{fname(kind, EXT[fmt])}"
            write(rel, data)
            labels[rel] = it.label()
    if pending_zip:  # the last member(s) as plain files
        for name, d, a in pending_zip:
            rel = f"shared/{name}"
            write(rel, d)
            labels[rel] = a.label()
    total = sum((out / k).stat().st_size for k in labels if "!/" not in k)
    free = sum(1 for k, v in labels.items() if "!/" not in k and not v["entities"]
               and not any(k2.startswith(k + "!/") and labels[k2]["entities"] for k2 in labels))
    meta = {"generator": "holdout/holdout_corpus.py (independent held-out generator, helper H8)", "seed": seed,
            "files": files, "bytes": total, "pi_free_files": free,
            "kinds": len(PI_KINDS) + len(FREE_KINDS), "per_kind": None,
            "counting": "one per occurrence rendered (each occurrence of a value counts; PERSON = full names, "
                        "a first and last name split over two cells of one row count once; e-mail header display "
                        "names and addresses count); DATE_OF_BIRTH only for birth dates",
            "items": labels}
    (out / "_labels.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    return Made(files, total)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=13)
    a = ap.parse_args()
    made = generate(a.out, a.seed)
    print(f"{made.files} files, {made.bytes / 1e6:.2f} MB in {a.out}")


if __name__ == "__main__":
    main()
