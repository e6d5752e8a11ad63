"""Roster exact-data-match (EDM): SIS and HR exports reduced to keyed hashes, and their in-memory index.

``dlp roster import FILE --kind student|employee`` reads a roster (CSV or a simple XLSX) and keeps only
HMAC-SHA256 digests, under the district key, of normalized values: each person's name forms (first +
last, last + first, nickname forms, initial + last, with the middle name or initial) and IDs (digits
only). Nothing else of the file is stored: no value, no column other than those that are hashed.

One module per concern:

* :mod:`~dlp.roster.fields`: kinds, field codes and the entity each field reports;
* :mod:`~dlp.roster.headers`: which column holds which field;
* :mod:`~dlp.roster.names`: name folding, nickname forms, IDs as digits;
* :mod:`~dlp.roster.hashing`: the keyed digests;
* :mod:`~dlp.roster.reading`: CSV/XLSX rows;
* :mod:`~dlp.roster.people`: rows to people and their digests;
* :mod:`~dlp.roster.store`: the roster file, the only code that knows its tables;
* :mod:`~dlp.roster.index`: the packed in-memory index;
* :mod:`~dlp.roster.cli`: the command.

This package imports neither Presidio nor spaCy, and numpy only where the index is packed or loaded
(``engine_version`` reads :func:`fingerprint` before a scan decides whether it needs them); the
recognizer lives in ``detectors/roster.py``.
"""

from __future__ import annotations

from dlp.roster.cli import import_file, run
from dlp.roster.fields import FIELD_BITS, KINDS, NAME_CODES
from dlp.roster.hashing import digest, key_check
from dlp.roster.headers import map_headers, safe_header
from dlp.roster.index import Match, RosterIndex
from dlp.roster.names import digits_only, fold_name, name_forms, name_variants
from dlp.roster.store import RosterPerson, fingerprint, rostered_people, student_hashes

__all__ = [
    "FIELD_BITS",
    "KINDS",
    "NAME_CODES",
    "Match",
    "RosterIndex",
    "RosterPerson",
    "digest",
    "digits_only",
    "fingerprint",
    "fold_name",
    "import_file",
    "key_check",
    "map_headers",
    "name_forms",
    "name_variants",
    "rostered_people",
    "run",
    "safe_header",
    "student_hashes",
]
