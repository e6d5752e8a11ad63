"""The roster in memory: sorted 64-bit digest prefixes and packed person/field codes in numpy arrays.

:func:`pack` turns the stored entries into the three blobs the roster file keeps ready; :class:`RosterIndex`
loads them with three reads and no per-entry Python object, and looks candidates up in batches.
numpy is imported where it is used, so that importing the roster costs a scan's main process nothing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dlp.roster.fields import AMBIGUOUS, FIELD_BITS, FIELD_ENTITY, FIELD_NAMES, FIELDS, FORMAT_VERSION, NAME_CODES
from dlp.roster.hashing import DIGEST_BYTES, hasher, key_check
from dlp.roster.names import digits_only, fold_name

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)


def pack(people: Sequence[tuple[int, bytes]], entries: Iterable[tuple[bytes, int, str]]) -> dict[str, bytes]:
    """The blobs :class:`RosterIndex` loads: ``keys`` (sorted digest prefixes), ``values``, ``subjects``.

    ``people`` is (person id, subject key) in id order; ``entries`` is (digest, person id, field name) in
    digest order, so that a digest shared by several people comes as a run.
    """
    import numpy as np

    position = {pid: i for i, (pid, _) in enumerate(people)}
    subjects = b"".join(s for _, s in people)
    prefixes: list[bytes] = []
    codes: list[int] = []
    last: bytes | None = None
    for h, pid, field_ in entries:
        prefix = h[:8]
        code = FIELDS[field_]
        if prefix == last:
            previous = codes[-1]
            prev_person, prev_code = previous >> FIELD_BITS, previous & ((1 << FIELD_BITS) - 1)
            if prev_code != code and {prev_code, code} <= NAME_CODES:
                code = FIELDS["name"]  # a student and an employee share this name
            elif prev_code != code:
                code = min(prev_code, code)
            if prev_person != position[pid] or prev_code != code:
                codes[-1] = (AMBIGUOUS << FIELD_BITS) | code
            continue
        last = prefix
        prefixes.append(prefix)
        codes.append((position[pid] << FIELD_BITS) | code)
    keys = np.frombuffer(b"".join(prefixes), dtype="<u8")
    values = np.array(codes, dtype="<u4")
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        order = np.argsort(keys, kind="stable")  # SQLite sorts blobs bytewise, numpy by integer value
        keys, values = keys[order], values[order]
    return {"keys": keys.tobytes(), "values": values.tobytes(), "subjects": subjects}


@dataclass(frozen=True)
class Match:
    """A roster hit: the entity to report, the person's subject key (None if shared) and the field."""

    entity: str
    subject: str | None
    kind: str | None
    field: str


class RosterIndex:
    """The roster in memory: three numpy arrays, looked up in batches with one ``searchsorted``.

    About 12 bytes per entry (8 of digest prefix, 4 of person and field) plus 16 per person; no Python
    object per entry, so 100,000 people (about 1.5 million entries) cost about 20 MB per worker.
    """

    def __init__(self, key: bytes, keys: npt.NDArray[np.uint64], values: npt.NDArray[np.uint32],
                 subjects: bytes, people_kinds: Sequence[str], id_lengths: frozenset[int] = frozenset()) -> None:
        self._key = key
        self.id_lengths = id_lengths
        self.keys = keys
        self.values = values
        self._subjects = subjects
        self._kinds = people_kinds
        self.people = len(subjects) // DIGEST_BYTES

    def __len__(self) -> int:
        return int(len(self.keys))

    @classmethod
    def load(cls, key: bytes, path: Path) -> RosterIndex | None:
        """Load the packed index; None when there is no roster, it is empty, or another key made it."""
        import numpy as np

        from dlp.roster.store import read_packed

        packed = read_packed(path)
        if packed is None:
            return None
        meta = packed.meta
        if meta.get("format") != str(FORMAT_VERSION):
            log.warning("roster file %s has format %s, not %s; import the rosters again", path,
                        meta.get("format"), FORMAT_VERSION)
            return None
        if meta.get("key_check") != key_check(key):
            log.warning("roster file %s was hashed under another key; import the rosters again", path)
            return None
        keys = np.frombuffer(packed.blobs.get("keys", b""), dtype="<u8")
        if not len(keys):
            return None
        values = np.frombuffer(packed.blobs["values"], dtype="<u4")
        # Kinds as a compact sequence: one interned str reference per person.
        lengths = frozenset(int(n) for name, v in meta.items() if name.startswith("id_lengths:")
                            for n in v.split(",") if n)
        return cls(key, keys, values, packed.blobs["subjects"], [sys.intern(k) for k in packed.kinds], lengths)

    def prefixes(self, folded: Iterable[str]) -> npt.NDArray[np.uint64]:
        """The 64-bit digest prefixes of folded candidate values, for :meth:`lookup_many`."""
        import numpy as np

        keyed = hasher(self._key)
        joined = b"".join(keyed(f)[:8] for f in folded)
        return np.frombuffer(joined, dtype="<u8")

    def lookup_many(self, prefixes: npt.NDArray[np.uint64]) -> list[int | None]:
        """For each prefix, its packed code, or None when it is not on the roster."""
        import numpy as np

        if not len(prefixes):
            return []
        at = np.searchsorted(self.keys, prefixes)
        at_clipped = np.minimum(at, len(self.keys) - 1)
        hit = self.keys[at_clipped] == prefixes
        codes = self.values[at_clipped]
        return [int(c) if h else None for h, c in zip(hit.tolist(), codes.tolist(), strict=True)]

    def match(self, code: int) -> Match:
        """What a packed code means: entity, subject key (hex, or None when several people share it)."""
        person, field_code = code >> FIELD_BITS, code & ((1 << FIELD_BITS) - 1)
        if person == AMBIGUOUS:
            return Match(FIELD_ENTITY[field_code], None, None, FIELD_NAMES[field_code])
        subject = self._subjects[person * DIGEST_BYTES : (person + 1) * DIGEST_BYTES].hex()
        return Match(FIELD_ENTITY[field_code], subject, self._kinds[person], FIELD_NAMES[field_code])

    def lookup(self, folded: str) -> Match | None:
        """One folded value (a name form or an ID's digits) on the roster, or None."""
        (code,) = self.lookup_many(self.prefixes([folded]))
        return None if code is None else self.match(code)

    def subject_for(self, entity: str, value: str) -> str | None:
        """The subject key of a value another recognizer found (a spaCy PERSON, a SASID), if rostered."""
        folded = fold_name(value) if entity == "PERSON" else digits_only(value)
        if not folded:
            return None
        found = self.lookup(folded)
        if found is None or (entity == "PERSON") != (found.entity == "PERSON"):
            return None
        return found.subject
