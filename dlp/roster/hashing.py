"""Keyed hashes of folded roster values: the only form in which a roster value is ever kept."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable

from dlp.detect.values import hmac_sha256

# Stored digests are truncated HMAC-SHA256 outputs. 16 bytes in the file; the in-memory index keys on
# the first 8 (a random 64-bit value: with 1.5 million entries, a false match needs about 1e13 lookups).
DIGEST_BYTES = 16


@functools.lru_cache(maxsize=4)
def hasher(key: bytes) -> Callable[[str], bytes]:
    """HMAC-SHA256 under ``key`` of a folded value, truncated, with the padded key states computed once.

    ``hmac.digest`` rebuilds them on every call; precomputed (:func:`dlp.detect.values.hmac_sha256`), a
    digest costs less than half as much, which is most of an import's time and of the recognizer's
    per-candidate cost.
    """
    keyed = hmac_sha256(key)
    return lambda folded: keyed(folded.encode("utf-8"))[:DIGEST_BYTES]


def digest(key: bytes, folded: str) -> bytes:
    """The stored digest of a folded value: HMAC-SHA256 under the district key, truncated."""
    return hasher(key)(folded)


def key_check(key: bytes) -> str:
    """A tag of the key that hashed the roster; a roster hashed under another key can never match."""
    return hmac.digest(key, b"dlp roster key check", "sha256")[:8].hex()


def subject_key(key: bytes, kind: str, id_field: str, value: str) -> bytes:
    """The keyed hash naming a person: of its kind and best ID (or, without an ID, its row)."""
    return digest(key, f"subject\x00{kind}\x00{id_field}\x00{value}")
