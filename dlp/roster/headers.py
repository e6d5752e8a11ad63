"""Roster column headers: which column holds which field, and which header may be echoed in a message."""

from __future__ import annotations

import re
from collections.abc import Sequence

from dlp.detect.values import mask

# Column headers are matched after folding: lower case, "#" read as "no", everything but letters and
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

