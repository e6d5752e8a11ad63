"""Dates of birth (a FERPA indirect identifier; ``demographics`` / ``date_of_birth`` data); domain rule 40.

A date counts only with a birth word nearby (DOB, born, birth date, birthdate, date of birth, birthday);
"birth" alone does not count, since "birth certificate received 09/02/2024" is an office date. The
nearest word decides, so in "DOB 04/12/2011, enrolled 09/01/2016" only the first date is a birth date.
The date must exist on the calendar and fall between 1900 and today.
"""

from __future__ import annotations

import datetime as dt
import re

from detectors.base import DistrictPattern, DistrictPatternRecognizer, Examples

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_MDY = r"\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})"
_YMD = r"(?:19|20)\d{2}([/.-])\d{1,2}\1\d{1,2}"
_MONTH_DAY_YEAR = _MONTH_NAME + r"\s+\d{1,2}" + _ORDINAL + r",?\s+(?:19|20)\d{2}"
_DAY_MONTH_YEAR = r"\d{1,2}" + _ORDINAL + r"\s+(?:of\s+)?" + _MONTH_NAME + r",?\s+(?:19|20)\d{2}"
# "03-Aug-2017", "3/Aug/17", "Aug-03-2017": SIS and health-system exports.
_DAY_MON_YEAR = r"\d{1,2}([-/ ])" + _MONTH_NAME + r"\1(?:(?:19|20)\d{2}|\d{2})"
_MON_DAY_YEAR = _MONTH_NAME + r"([-/])\d{1,2}\1(?:19|20)\d{2}"
_START = r"(?<![\w/.-])"
_END = r"(?![\w/-])(?!\.\d)"


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: a birth year is never in the future.
        year += 2000 if year <= dt.date.today().year % 100 else 1900
    return year


def _real(year: int, month: int, day: int) -> bool:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= date <= dt.date.today()


def is_plausible_birth_date(text: str) -> bool:
    """True when ``text`` is a real calendar date between 1900 and today, in any of the accepted forms.

    Numeric dates are read month-first (US) and, failing that, day-first.
    """
    t = text.strip().lower()
    numeric = re.fullmatch(r"(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})", t)
    if numeric:
        a, _, b, c = numeric.groups()
        if len(a) == 4:
            return _real(int(a), int(b), int(c))
        if len(c) not in (2, 4):
            return False
        year = _year(c)
        return _real(year, int(a), int(b)) or _real(year, int(b), int(a))
    words = re.findall(r"[a-z]+|\d+", t)
    month = next((_MONTHS[w[:3]] for w in words if w.isalpha() and w[:3] in _MONTHS), None)
    numbers = [w for w in words if w.isdigit()]
    if month is None or len(numbers) != 2:
        return False
    if len(numbers[1]) == 4:
        day, year = numbers
    elif len(numbers[0]) == 4:
        year, day = numbers
    else:
        day, year = numbers  # "3-Sep-12": the day first, a two-digit year last
    return len(year) in (2, 4) and _real(_year(year), month, int(day))


class DateOfBirthRecognizer(DistrictPatternRecognizer):
    """DATE_OF_BIRTH: a real date next to a birth word."""

    ENTITY = "DATE_OF_BIRTH"
    PATTERNS = (
        DistrictPattern("date m/d/y", _START + _MDY + _END, 0.3, requires_context=True),
        DistrictPattern("date iso", _START + _YMD + _END, 0.3, requires_context=True),
        DistrictPattern("date month name", r"\b" + _MONTH_DAY_YEAR + r"\b", 0.3, requires_context=True),
        DistrictPattern("date day month", r"\b" + _DAY_MONTH_YEAR + r"\b", 0.3, requires_context=True),
        DistrictPattern("date d-mon-y", _START + _DAY_MON_YEAR + _END, 0.3, requires_context=True),
        DistrictPattern("date mon-d-y", _START + _MON_DAY_YEAR + _END, 0.3, requires_context=True),
    )
    CONTEXT = (
        "dob", "d.o.b", "d.o.b.", "born", "birth date", "birthdate", "date of birth", "birthday", "bday",
        "b-day", "fecha de nacimiento",
    )
    NEGATIVE_CONTEXT = (
        "enrolled", "enrollment", "entry date", "exit date", "withdrawn", "withdrawal", "issued",
        "issue date", "expires", "expiration", "exp", "due", "date of service", "graduation", "admitted",
        "updated", "signed", "effective", "received", "hired", "hire date", "start date", "meeting",
        "invoice",
    )
    EXAMPLES = Examples(
        positives=(
            "DOB: [[04/12/2011]]",
            "Student: Maya Chen, date of birth [[March 3, 2012]], Grade 6",
            "born [[2010-11-23]] in Lowell",
            "last,first,birthdate\nOkafor,Amara,[[7/9/13]]",
            "Birthday: [[5th of June 2014]]",
            "DOB [[04/12/2011]], enrolled 09/01/2016",  # the enrollment date is not a birth date
            "DOB ........................ [[03-Aug-2017]]",
            "Birth Date: [[Aug-03-2017]]",
            "dob [[3/Sep/12]]",
        ),
        negatives=(
            "Due date 03/15/2024 for the permission slip",
            "Birth certificate received 09/02/2024",  # "birth" alone is not a birth-date word
            "DOB: 02/30/2011",  # no such day
            "DOB: 13/45/2010",
            "Date of birth: 04/12/2091",  # in the future
            "Born to Run, track 3, 1975 remaster",
            "DOB: 31-Feb-2012",  # no such day
            "Due 03-Aug-2017 (date of birth form)",  # the due word is nearer
            "Call 617-555-0142",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """A real calendar date between 1900 and today."""
        return is_plausible_birth_date(pattern_text)
