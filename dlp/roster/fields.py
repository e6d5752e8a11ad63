"""What a roster entry is: the kinds of people, the hashed fields and their codes, the entity each reports.

Shared by the import (which writes entries), the file (which stores them by name) and the in-memory
index (which packs a person and a field code into one 32-bit value).
"""

from __future__ import annotations

KINDS = ("student", "employee")

# Bump when the name forms or the hashing change: a roster imported under another format is refused
# at load time (and the fingerprint changes, so incremental scans judge everything again).
FORMAT_VERSION = 1

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
# The fields that hold a student's IDs (an authorization lists students by these).
STUDENT_ID_FIELDS = ("sasid", "student_id")
# Person bits all ones: the digest belongs to more than one person (a shared name, "J. Smith").
AMBIGUOUS = (1 << (32 - FIELD_BITS)) - 1
