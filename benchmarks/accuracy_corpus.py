"""A labeled corpus for the accuracy benchmark: every format the extractors read, ~40% PI-free look-alikes.

Usage::

    python benchmarks/accuracy_corpus.py DEST --files 360 --seed 11

It reuses :mod:`dlp.testdata.synth` for the documents that hold personal information (rosters, payroll,
memos, IEP and nurse notes, e-mail with attachments, archives, JSON exports, staff pages) and adds:

* the two formats the share generator does not write: TSV and PDF with a text layer (PI documents are
  re-rendered from their CSV or plain-text form, so the planted values and their labels are unchanged);
* PI-free documents full of look-alikes, each counted in the label's ``decoys``: order numbers, ISBNs
  (10 digits, like a SASID), invalid SSNs (areas 000/666/9xx, group 00, serial 0000) next to the word
  "SSN", Luhn-invalid 16-digit numbers and the public test card numbers next to "card number", version
  strings, district office phone numbers, ZIP+4 codes, budget "account numbers", dates that are not
  birthdays, password *policies* without a password, and historical figures (with their birth years)
  in lesson plans.

Labels use the same format and counting rules as ``dlp/testdata/corpus.py`` (``_labels.json``, counts only, no
values). A document is PI-free when its label plants no entity at all; office phone numbers and
historical names in PI-free documents are decoys of ``PHONE_NUMBER`` and ``PERSON``: the benchmark asks
whether the scanner reports *people's* information, so reporting them counts against precision.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import io
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dlp.testdata.corpus import COUNTING, LABELS_NAME  # noqa: E402
from dlp.testdata.synth import (  # noqa: E402
    AREA_CODES,
    SCHOOLS,
    TEST_CARDS,
    Doc,
    Synth,
    Tally,
    _luhn_check_digit,
    _paragraph,
    labels_json,
    luhn_ok,
    render_csv,
    render_docx,
    render_text,
    render_xlsx,
    render_zip,
)

GENERATOR = "benchmarks/accuracy_corpus.py"

# --------------------------------------------------------------------------------------------- renderers

PDF_LINES_PER_PAGE = 50


def render_pdf(text: str) -> bytes:
    """A text-layer PDF of ``text``: one Helvetica line per text line, 50 lines a page.

    Lines are never wrapped: a wrap could split a planted value (an SSN written with spaces) over two
    lines, and the text layer does not care that a long line runs past the page edge.
    """
    # The fixtures' PDF writer is tiny and deterministic; tests/ is importable from the repository root.
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    # Imported by name at run time: the fixtures script is outside the type-checked packages.
    minimal_pdf = importlib.import_module("tests.fixtures.make_fixtures").minimal_pdf

    lines = [ln.replace("\t", "    ") for ln in text.splitlines()]
    # cp1252 is the font encoding; anything outside it would not survive into the text layer.
    lines = [ln.encode("cp1252", "replace").decode("cp1252") for ln in lines]
    pages = [lines[i : i + PDF_LINES_PER_PAGE] for i in range(0, max(len(lines), 1), PDF_LINES_PER_PAGE)]
    return minimal_pdf(pages)


def render_tsv(rows: list[list[str]]) -> bytes:
    """TSV bytes (UTF-8, LF) of ``rows``."""
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _text_of(doc: Doc) -> str:
    """The text of a plain-text document (UTF-8, or UTF-16 with a BOM)."""
    if doc.data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return doc.data.decode("utf-16")
    return doc.data.decode("utf-8")


def as_pdf(doc: Doc) -> Doc:
    """The same plain-text document as a PDF: same tally, so the same label."""
    stem = doc.name.rsplit(".", 1)[0]
    return Doc(stem + ".pdf", render_pdf(_text_of(doc)), doc.kind, doc.tally, school=doc.school)


def as_tsv(doc: Doc) -> Doc:
    """The same CSV document as a TSV: same cells, same tally."""
    rows = list(csv.reader(io.StringIO(doc.data.decode("utf-8"))))
    stem = doc.name.rsplit(".", 1)[0]
    return Doc(stem + ".tsv", render_tsv(rows), doc.kind, doc.tally, school=doc.school)


# --------------------------------------------------------------------------------------------- look-alikes

HISTORICAL = (
    ("Abraham Lincoln", "February 12, 1809"),
    ("Harriet Tubman", "around 1822"),
    ("Frederick Douglass", "February 1818"),
    ("Susan B. Anthony", "February 15, 1820"),
    ("John Adams", "October 30, 1735"),
    ("Abigail Adams", "November 22, 1744"),
    ("Phillis Wheatley", "around 1753"),
    ("Paul Revere", "December 21, 1734"),
    ("Clara Barton", "December 25, 1821"),
    ("Eleanor Roosevelt", "October 11, 1884"),
    ("Benjamin Franklin", "January 17, 1706"),
    ("Sojourner Truth", "around 1797"),
    ("W. E. B. Du Bois", "February 23, 1868"),
    ("Emily Dickinson", "December 10, 1830"),
)
TOPICS = (
    "the Underground Railroad",
    "the abolitionist movement",
    "the American Revolution",
    "women's suffrage",
    "the Civil War",
    "the founding documents",
    "poetry of New England",
)
BOOKS = (
    "Charlotte's Web",
    "Bridge to Terabithia",
    "Hatchet",
    "Number the Stars",
    "The Giver",
    "Wonder",
    "Holes",
    "Esperanza Rising",
    "Because of Winn-Dixie",
    "The Phantom Tollbooth",
    "Island of the Blue Dolphins",
    "Roll of Thunder, Hear My Cry",
)
PRODUCTS = (
    "Chromebook charging cart",
    "Composition notebooks (case of 48)",
    "Dry-erase markers, assorted",
    "Document camera",
    "Science lab goggles (pack of 30)",
    "Copy paper, 10 reams",
    "Headphones, classroom pack",
    "Graphing calculators (10)",
)
SOFTWARE = ("Chrome OS", "Windows 11", "iPadOS", "Firefox ESR", "LibreOffice", "Zoom client", "Java runtime")


class LookalikeSynth:
    """PI-free district documents whose numbers and names look like personal information but are not."""

    def __init__(self, synth: Synth) -> None:
        self.s = synth
        self.r = synth.rng

    # ---- numbers ----------------------------------------------------------------------------------

    def isbn13(self) -> str:
        """A valid ISBN-13 (978 prefix), written with or without hyphens."""
        body = "978" + "".join(str(self.r.randint(0, 9)) for _ in range(9))
        check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
        digits = body + str(check)
        if self.r.random() < 0.5:
            return f"{digits[:3]}-{digits[3]}-{digits[4:7]}-{digits[7:12]}-{digits[12]}"
        return digits

    def isbn10(self) -> str:
        """A valid ISBN-10 without hyphens (10 digits: the shape of a SASID); redrawn until the check is a digit."""
        while True:
            body = f"{self.r.randint(0, 1)}" + "".join(str(self.r.randint(0, 9)) for _ in range(8))
            check = sum((10 - i) * int(c) for i, c in enumerate(body)) % 11
            check = (11 - check) % 11
            if check < 10:
                return body + str(check)

    def invalid_ssn(self) -> str:
        """An SSN-shaped number the SSA never issues: area 000, 666 or 9xx, group 00 or serial 0000."""
        r = self.r
        kind = r.randrange(5)
        area = ("000", "666", f"9{r.randint(0, 99):02d}", f"{r.randint(1, 665):03d}", f"{r.randint(1, 665):03d}")[kind]
        group = "00" if kind == 3 else f"{r.randint(1, 99):02d}"
        serial = "0000" if kind == 4 else f"{r.randint(1, 9999):04d}"
        return f"{area}-{group}-{serial}"

    def luhn_invalid(self) -> str:
        """A 16-digit number with a card-like prefix that fails the Luhn check."""
        r = self.r
        partial = r.choice(("4", "51", "52", "55", "6011")) + "".join(str(r.randint(0, 9)) for _ in range(11))
        partial = partial[:15]
        good = _luhn_check_digit(partial)
        value = partial + str((int(good) + r.randint(1, 9)) % 10)
        assert not luhn_ok(value)
        return " ".join(value[i : i + 4] for i in range(0, 16, 4)) if r.random() < 0.5 else value

    def office_phone(self) -> str:
        """A school office number (fictional 555-01xx range): public, not a person's."""
        return f"({self.r.choice(AREA_CODES)}) 555-01{self.r.randint(0, 99):02d}"

    def zip4(self) -> str:
        """A Massachusetts ZIP+4 code."""
        return f"0{self.r.randint(1000, 2799)}-{self.r.randint(0, 9999):04d}"

    def order_number(self) -> str:
        """A vendor order number in one of several common shapes."""
        r = self.r
        return r.choice(
            (
                f"{r.randint(100, 999)}-{r.randint(1_000_000, 9_999_999)}-{r.randint(1_000_000, 9_999_999)}",
                f"PO-{r.randint(2023, 2025)}-{r.randint(0, 99999):05d}",
                f"SO{r.randint(10**8, 10**9 - 1)}",
                f"{r.randint(10**8, 10**9 - 1)}",  # 9 digits: the shape of an SSN or a routing number
            )
        )

    def version(self) -> str:
        """A software version or build string."""
        r = self.r
        return r.choice(
            (
                f"{r.randint(1, 20)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
                f"10.0.{r.randint(17000, 26000)}.{r.randint(1000, 4000)}",
                f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}-rc{r.randint(1, 4)}",
                f"{r.randint(100, 130)}.0.{r.randint(1000, 6999)}.{r.randint(10, 250)}",
            )
        )

    def budget_account(self) -> str:
        """A municipal chart-of-accounts code: an 'account number' that is no bank account."""
        r = self.r
        return f"{r.randint(1, 99):02d}-{r.randint(100, 999)}-{r.randint(1000, 9999)}-{r.randint(5000, 5999)}"

    def day(self) -> str:
        """A school-calendar date in one of the usual formats."""
        d = self.s.school_day()
        return d.strftime(self.r.choice(("%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y")))

    # ---- documents --------------------------------------------------------------------------------

    def lesson_plan(self, fmt: str = "txt") -> Doc:
        """A history or ELA lesson plan: historical figures with birth dates, book ISBNs, due dates."""
        r, t = self.r, Tally()
        figures = r.sample(HISTORICAL, r.randint(2, 4))
        topic = r.choice(TOPICS)
        grade = r.randint(3, 12)
        lines: list[str | list[list[str]]] = [
            f"LESSON PLAN: {topic.upper()} (GRADE {grade})",
            f"Unit start: {t.decoy('DATE', self.day())}. Essay due {t.decoy('DATE', self.day())}.",
            "## Objectives",
            f"Students will describe the roles of key figures in {topic} and cite primary sources. "
            + _paragraph(r, 1, 2),
            "## Key figures",
        ]
        for name, born in figures:
            lines.append(
                f"{t.decoy('PERSON', name)} was born {t.decoy('DATE_OF_BIRTH', born)}. "
                f"Discuss how {name.split()[-1]} shaped {topic}."
            )
        lines += [
            "## Materials",
            [["Title", "ISBN", "Copies"]]
            + [[b, t.decoy("ISBN", self.isbn13()), str(r.randint(12, 30))] for b in r.sample(BOOKS, 3)],
            f"Library call slip: ISBN {t.decoy('MA_SASID', self.isbn10())}.",
            "## Assessment",
            _paragraph(r, 1, 3),
        ]
        stem = f"lesson_{topic.split()[-1].lower()}_grade{grade}"
        return self._render(stem, fmt, lines, "lesson_plan", t)

    def data_entry_guide(self, fmt: str = "txt") -> Doc:
        """A data-entry and payment-validation guide: invalid SSNs, test cards, a password policy."""
        r, t = self.r, Tally()
        bad_ssns = [t.decoy("US_SSN", self.invalid_ssn()) for _ in range(r.randint(3, 6))]
        cards = [t.decoy("CREDIT_CARD", c) for c in r.sample(sorted(c for c in TEST_CARDS if len(c) == 16), 3)]
        bad_cards = [t.decoy("CREDIT_CARD", self.luhn_invalid()) for _ in range(2)]
        lines: list[str | list[list[str]]] = [
            "STUDENT INFORMATION SYSTEM - DATA ENTRY VALIDATION GUIDE",
            "## Social Security numbers",
            "The SIS rejects an SSN that the Social Security Administration never issues. Each of these "
            "SSN values must be refused at entry: " + ", ".join(bad_ssns) + ".",
            "## Card payments",
            "In the payment sandbox, use the processor's test card number "
            + " or ".join(cards)
            + "; these card numbers fail the checksum and must be refused: "
            + ", ".join(bad_cards)
            + ".",
            "## Passwords",
            t.decoy(
                "CREDENTIAL",
                "Passwords must be at least 14 characters. Never write a password or access code in a "
                "ticket; the help desk will never ask for your password.",
            ),
            _paragraph(r, 1, 2),
            f"Version {t.decoy('VERSION', self.version())} of this guide, {t.decoy('DATE', self.day())}.",
        ]
        return self._render(f"data_entry_guide_{r.randint(1, 9)}", fmt, lines, "guide", t)

    def order_table(self, fmt: str = "csv") -> Doc:
        """A purchasing log: order numbers, ISBNs, dates, budget account codes, ship-to ZIP+4."""
        r, t = self.r, Tally()
        rows = [["Order #", "Date", "Item", "ISBN/SKU", "Budget Account", "Ship To ZIP", "Amount"]]
        for _ in range(r.randint(8, 25)):
            book = r.random() < 0.5
            rows.append(
                [
                    t.decoy("ORDER", self.order_number()),
                    t.decoy("DATE", self.day()),
                    r.choice(BOOKS) if book else r.choice(PRODUCTS),
                    t.decoy("ISBN", self.isbn13()) if book else f"SKU-{r.randint(10000, 99999)}",
                    t.decoy("US_BANK_NUMBER", self.budget_account()),
                    t.decoy("ZIP", self.zip4()),
                    f"{r.uniform(20, 2400):.2f}",
                ]
            )
        stem = f"purchase_orders_fy{r.randint(23, 25)}"
        if fmt == "xlsx":
            return Doc(stem + ".xlsx", render_xlsx({"Orders": rows}), "purchasing", t)
        if fmt == "tsv":
            return Doc(stem + ".tsv", render_tsv(rows), "purchasing", t)
        return Doc(stem + ".csv", render_csv(rows), "purchasing", t)

    def release_notes(self, fmt: str = "txt") -> Doc:
        """IT release notes: version and build strings, KB numbers, dates, a help-desk phone."""
        r, t = self.r, Tally()
        entries = [
            {
                "product": p,
                "version": t.decoy("VERSION", self.version()),
                "build": t.decoy("VERSION", str(r.randint(10**9, 10**10 - 1))),  # 10 digits: SASID shape
                "rollout": t.decoy("DATE", self.day()),
                "kb": f"KB{r.randint(5000000, 5099999)}",
            }
            for p in r.sample(SOFTWARE, r.randint(3, 6))
        ]
        phone = t.decoy("PHONE_NUMBER", self.office_phone())
        if fmt == "json":
            data = {"channel": "stable", "helpdesk": phone, "updates": entries}
            return Doc(f"release_notes_{r.randint(1, 52):02d}.json", json.dumps(data, indent=2).encode(), "release", t)
        lines: list[str | list[list[str]]] = ["TECHNOLOGY RELEASE NOTES"]
        for e in entries:
            lines.append(
                f"{e['product']} {e['version']} (build {e['build']}, {e['kb']}) rolls out on {e['rollout']}. "
                + _paragraph(r, 1, 1)
            )
        lines.append(f"Questions: help desk {phone}.")
        return self._render(f"release_notes_{r.randint(1, 52):02d}", fmt, lines, "release", t)

    def work_order(self, fmt: str = "txt") -> Doc:
        """A facilities work order: school address with ZIP+4, office phone, PO number, dates."""
        r, t = self.r, Tally()
        school = r.choice(SCHOOLS)
        lines: list[str | list[list[str]]] = [
            f"FACILITIES WORK ORDER {t.decoy('ORDER', self.order_number())}",
            f"Location: {school}, {r.randint(10, 999)} {r.choice(('Main', 'School', 'Elm', 'Central'))} Street, "
            f"Springfield, MA {t.decoy('ZIP', self.zip4())}",
            f"Main office: {t.decoy('PHONE_NUMBER', self.office_phone())}",
            f"Requested {t.decoy('DATE', self.day())}; scheduled {t.decoy('DATE', self.day())}.",
            f"Charge to account {t.decoy('US_BANK_NUMBER', self.budget_account())}.",
            _paragraph(r, 1, 3),
        ]
        return self._render(f"work_order_{r.randint(1000, 9999)}", fmt, lines, "work_order", t)

    def vendor_email(self) -> Doc:
        """A vendor's order confirmation (.eml) with a PDF invoice and a CSV packing list attached."""
        r, t = self.r, Tally()
        day = self.s.school_day()
        msg = EmailMessage(policy=SMTP)
        # Role mailboxes, like office phones, are contact details of no person: decoys.
        msg["From"] = f"Orders <{t.decoy('EMAIL_ADDRESS', 'orders@books.example.com')}>"
        msg["To"] = t.decoy("EMAIL_ADDRESS", "purchasing@example.org")
        order = t.decoy("ORDER", self.order_number())
        msg["Subject"] = f"Order confirmation {order}"
        msg["Date"] = format_datetime(
            dt.datetime(day.year, day.month, day.day, 9, r.randint(0, 59))
        )
        msg["Message-ID"] = f"<{r.getrandbits(64):016x}@books.example.com>"
        msg.set_content(
            f"Thank you for your order {order}.\n\nIt ships to ZIP {t.decoy('ZIP', self.zip4())} on "
            f"{t.decoy('DATE', self.day())}. Tracking: 1Z{r.getrandbits(60):015X}.\n"
            f"Customer service: {t.decoy('PHONE_NUMBER', self.office_phone())}.\n"
        )
        invoice = Tally()
        inv_lines = [
            f"INVOICE {invoice.decoy('ORDER', self.order_number())}",
            f"Date: {invoice.decoy('DATE', self.day())}",
            *(
                f"{b}    ISBN {invoice.decoy('ISBN', self.isbn13())}    {r.randint(5, 30)} copies"
                for b in r.sample(BOOKS, 4)
            ),
            f"Remit to: Book Depot, PO Box {r.randint(100, 9999)}, Boston, MA {invoice.decoy('ZIP', self.zip4())}",
        ]
        invoice_doc = Doc("invoice.pdf", render_pdf("\n".join(inv_lines)), "invoice", invoice)
        packing = self.order_table("csv")
        packing.name = "packing_list.csv"
        msg.add_attachment(invoice_doc.data, maintype="application", subtype="pdf", filename=invoice_doc.name)
        msg.add_attachment(packing.data, maintype="text", subtype="csv", filename=packing.name)
        msg.set_boundary(f"=_part_{r.getrandbits(48):012x}")
        return Doc(f"order_confirmation_{day:%Y%m%d}.eml", bytes(msg), "vendor_email", t, [invoice_doc, packing])

    def curriculum_zip(self) -> Doc:
        """A zip of a unit: a lesson plan page (HTML), a reading list (XLSX) and a guide (DOCX)."""
        plan = self.lesson_plan("html")
        plan.name = f"unit/{plan.name}"
        books = self.order_table("xlsx")
        books.name = "unit/reading_list.xlsx"
        notes = self.lesson_plan("docx")
        notes.name = f"unit/{notes.name}"
        data = render_zip([(m.name, m.data) for m in (plan, books, notes)])
        return Doc(f"curriculum_unit_{self.r.randint(1, 12)}.zip", data, "archive", Tally(), [plan, books, notes])

    def _render(self, stem: str, fmt: str, blocks: list[str | list[list[str]]], kind: str, t: Tally) -> Doc:
        """Render blocks as txt, docx, pdf or html."""
        title = blocks[0] if isinstance(blocks[0], str) else kind
        if fmt == "docx":
            return Doc(stem + ".docx", render_docx(title.title(), blocks[1:]), kind, t)
        if fmt == "pdf":
            return Doc(stem + ".pdf", render_pdf(render_text(blocks)), kind, t)
        if fmt == "html":
            body = []
            for b in blocks[1:]:
                if isinstance(b, str):
                    body.append(f"<h2>{b[3:]}</h2>" if b.startswith("## ") else f"<p>{b}</p>")
                else:
                    body.append(
                        "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in b)
                        + "</table>"
                    )
            html = (
                f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n'
                f"<body><h1>{title}</h1>\n" + "\n".join(body) + "\n</body></html>\n"
            )
            return Doc(stem + ".html", html.encode(), kind, t)
        return Doc(stem + ".txt", render_text(blocks).encode(), kind, t)


# --------------------------------------------------------------------------------------------- PI extras


def hr_email_with_pdf(s: Synth) -> Doc:
    """An HR e-mail forwarding a memo as a PDF attachment (PI in an attachment of a PDF type)."""
    r, t = s.rng, Tally()
    sender = s.staff("HR Generalist")
    memo = as_pdf(s.staff_memo("txt", identifier=r.choice(("ssn", "bank", "license", "card"))))
    memo.name = "memo.pdf"
    day = s.school_day()
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"{s._name(t, sender)} <{t.put('EMAIL_ADDRESS', sender.email, sender.key)}>"
    msg["To"] = "payroll@example.org"
    msg["Subject"] = "Memo for the personnel file"
    msg["Date"] = format_datetime(dt.datetime(day.year, day.month, day.day, 11, r.randint(0, 59)))
    msg["Message-ID"] = f"<{r.getrandbits(64):016x}@example.org>"
    msg.set_content(f"Hello,\n\nPlease file the attached memo.\n\n{_paragraph(r, 1, 2)}\n\n{sender.first}\n")
    msg.add_attachment(memo.data, maintype="application", subtype="pdf", filename=memo.name)
    msg.set_boundary(f"=_part_{r.getrandbits(48):012x}")
    return Doc(f"hr_memo_{day:%Y%m%d}.eml", bytes(msg), "hr_email", t, [memo])


def records_zip(s: Synth) -> Doc:
    """A zip of a payroll workbook and an IEP note as PDF (PI members of two formats)."""
    pay = s.payroll("xlsx", rows=s.rng.randint(5, 15))
    pay.name = f"records/{pay.name}"
    iep = as_pdf(s.iep_note("txt"))
    iep.name = f"records/{iep.name}"
    data = render_zip([(pay.name, pay.data), (iep.name, iep.data)])
    return Doc(f"records_{s.rng.randint(2023, 2025)}.zip", data, "archive", Tally(), [pay, iep])


# --------------------------------------------------------------------------------------------- the mix


@dataclass(frozen=True)
class Kind:
    """One kind of file: its weight in the mix, whether it should hold PI, and how to make it."""

    name: str
    weight: float
    pi: bool
    make: Callable[[Synth, LookalikeSynth, random.Random], Doc]


def _fmt(r: random.Random, *fmts: str) -> str:
    return r.choice(fmts)


# PI kinds weigh 0.60 in total, PI-free kinds 0.40. Sizes stay small (the plain-Presidio run is slow).
KINDS: tuple[Kind, ...] = (
    Kind("memo", 0.07, True, lambda s, x, r: s.staff_memo(_fmt(r, "txt", "docx"))),
    Kind("memo_pdf", 0.04, True, lambda s, x, r: as_pdf(s.staff_memo("txt"))),
    Kind("parent_email", 0.06, True, lambda s, x, r: s.parent_email()),
    Kind("staff_email", 0.02, True, lambda s, x, r: s.staff_email_roster()),
    Kind("hr_email", 0.02, True, lambda s, x, r: hr_email_with_pdf(s)),
    Kind("roster", 0.06, True, lambda s, x, r: s.roster(_fmt(r, "csv", "xlsx"), rows=r.randint(8, 24))),
    Kind("roster_tsv", 0.03, True, lambda s, x, r: as_tsv(s.roster("csv", rows=r.randint(8, 24)))),
    Kind("roster_pdf", 0.02, True, lambda s, x, r: _roster_pdf(s, r)),
    Kind("payroll", 0.04, True, lambda s, x, r: s.payroll(_fmt(r, "csv", "xlsx"), rows=r.randint(5, 20))),
    Kind("payroll_tsv", 0.02, True, lambda s, x, r: as_tsv(s.payroll("csv", rows=r.randint(5, 20)))),
    Kind("iep", 0.05, True, lambda s, x, r: s.iep_note(_fmt(r, "txt", "docx"))),
    Kind("iep_pdf", 0.02, True, lambda s, x, r: as_pdf(s.iep_note("txt"))),
    Kind("health", 0.04, True, lambda s, x, r: s.health_note(_fmt(r, "txt", "docx"))),
    Kind("health_pdf", 0.01, True, lambda s, x, r: as_pdf(s.health_note("txt"))),
    Kind("directory", 0.02, True, lambda s, x, r: s.staff_directory_html(r.randint(4, 12))),
    Kind("sis_export", 0.02, True, lambda s, x, r: s.sis_export_json(r.randint(3, 15))),
    Kind("roster_zip", 0.02, True, lambda s, x, r: s.roster_zip()),
    Kind("records_zip", 0.02, True, lambda s, x, r: records_zip(s)),
    Kind("report", 0.02, True, lambda s, x, r: s.long_report(_fmt(r, "txt", "docx"), r.randint(4, 12))),
    # ---- PI-free
    Kind("lesson_plan", 0.07, False, lambda s, x, r: x.lesson_plan(_fmt(r, "txt", "docx", "html", "pdf"))),
    Kind("data_entry_guide", 0.04, False, lambda s, x, r: x.data_entry_guide(_fmt(r, "txt", "docx", "pdf"))),
    Kind("purchasing", 0.05, False, lambda s, x, r: x.order_table(_fmt(r, "csv", "tsv", "xlsx"))),
    Kind("release_notes", 0.04, False, lambda s, x, r: x.release_notes(_fmt(r, "txt", "html", "json"))),
    Kind("work_order", 0.04, False, lambda s, x, r: x.work_order(_fmt(r, "txt", "pdf", "docx"))),
    Kind("vendor_email", 0.03, False, lambda s, x, r: x.vendor_email()),
    Kind("curriculum_zip", 0.02, False, lambda s, x, r: x.curriculum_zip()),
    Kind("lunch_menu", 0.02, False, lambda s, x, r: s.lunch_menu(_fmt(r, "txt", "csv", "docx"))),
    Kind("bus_schedule", 0.02, False, lambda s, x, r: s.bus_schedule(_fmt(r, "csv", "txt"))),
    Kind("newsletter", 0.02, False, lambda s, x, r: s.newsletter(_fmt(r, "txt", "docx"))),
    Kind("agenda", 0.01, False, lambda s, x, r: s.board_agenda()),
    Kind("inventory", 0.02, False, lambda s, x, r: s.inventory()),
    Kind("training", 0.01, False, lambda s, x, r: s.security_training()),
)


def _roster_pdf(s: Synth, r: random.Random) -> Doc:
    """A roster printed to PDF: the CSV's rows as tab-separated lines."""
    roster = s.roster("csv", rows=r.randint(8, 20))
    rows = list(csv.reader(io.StringIO(roster.data.decode("utf-8"))))
    text = "CLASS ROSTER\n" + "\n".join("\t".join(row) for row in rows)
    stem = roster.name.rsplit(".", 1)[0]
    return Doc(stem + ".pdf", render_pdf(text), roster.kind, roster.tally, school=roster.school)


@dataclass
class AccuracyCorpus:
    """What :func:`generate` wrote; ``values`` holds planted values in memory only (for tests)."""

    root: Path
    files: int
    bytes: int
    items: dict[str, dict[str, Any]]
    totals: Counter[str]
    values: set[str]
    pi_free_files: int
    seconds: float


def generate(dest: str | Path, files: int = 360, seed: int = 11) -> AccuracyCorpus:
    """Write ``files`` labeled files under ``dest`` (empty or absent) and ``_labels.json``.

    Raises:
        FileExistsError: ``dest`` exists and is not an empty directory.
    """
    start = time.perf_counter()
    root = Path(dest)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise FileExistsError(f"{root} exists and is not an empty directory")
    synth = Synth(seed)
    looks = LookalikeSynth(synth)
    r = random.Random(seed ^ 0xACC)  # choice of kind and format, independent of document content
    items: dict[str, dict[str, Any]] = {}
    totals: Counter[str] = Counter()
    values: set[str] = set()
    total_bytes = pi_free = 0
    weights = [k.weight for k in KINDS]
    for i in range(files):
        kind = r.choices(KINDS, weights)[0]
        doc = kind.make(synth, looks, r)
        stem, dot, ext = doc.name.rpartition(".")
        rel = f"{'pi' if kind.pi else 'clean'}/{kind.name}/{stem}_{i:04d}{dot}{ext}"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.data)
        total_bytes += len(doc.data)
        labels = doc.labels(rel)
        pi_free += not any(lab["entities"] for lab in labels.values())
        items.update(labels)
        for lab in labels.values():
            totals.update(lab["entities"])
        values |= doc.all_values()
    root.mkdir(parents=True, exist_ok=True)
    header = {
        "version": 1,
        "generator": GENERATOR,
        "seed": seed,
        "files": files,
        "bytes": total_bytes,
        "pi_free_files": pi_free,
        "counting": COUNTING,
        "totals": dict(sorted(totals.items())),
    }
    (root / LABELS_NAME).write_text(labels_json(header, items), encoding="utf-8")
    return AccuracyCorpus(root, files, total_bytes, items, totals, values, pi_free, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``accuracy_corpus.py DEST [--files N] [--seed S]``."""
    parser = argparse.ArgumentParser(description="Write a labeled accuracy corpus (every format, ~40% PI-free).")
    parser.add_argument("dest", help="directory to create (must be empty or absent)")
    parser.add_argument("--files", type=int, default=360, help="number of top-level files (default 360)")
    parser.add_argument("--seed", type=int, default=11, help="random seed (default 11)")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error("--files must be at least 1")
    try:
        c = generate(args.dest, args.files, args.seed)
    except FileExistsError as exc:
        print(f"accuracy_corpus: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {c.files} files ({c.bytes / 1e6:.2f} MB, {len(c.items)} items, {c.pi_free_files} PI-free files, "
        f"{sum(c.totals.values())} planted entities) to {c.root} in {c.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
