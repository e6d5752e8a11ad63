"""What may be kept of a detected value: a masked preview and a keyed hash, never the value itself.

The keyed hash (HMAC-SHA256 under the district's key) lets reports count distinct people and match the
same SSN across items without storing it. Values are normalized first, so that ``078-05-1121`` and
``078 05 1121`` hash alike, and so do ``Jordan  Alvarez`` and ``jordan alvarez``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path

KEY_BYTES = 32

_NUMERIC_ENTITIES = frozenset(
    {
        "US_SSN",
        "US_ITIN",
        "CREDIT_CARD",
        "US_BANK_NUMBER",
        "ABA_ROUTING_NUMBER",
        "MA_SASID",
        "MA_MEPID",
        "PHONE_NUMBER",
        "MASSHEALTH_ID",
    }
)


def load_or_create_key(path: Path) -> bytes:
    """Read the HMAC key, creating it (random, mode 0600, parents 0700) on first use.

    Raises:
        PermissionError: the key file is readable by others (a key others can read is no secret).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o077
        if mode:
            raise PermissionError(
                f"key file {path} is readable by group or others (mode {oct(path.stat().st_mode & 0o777)}); "
                f"run: chmod 600 {path}"
            ) from None
        key = path.read_bytes()
        if len(key) < 16:
            raise PermissionError(
                f"key file {path} is too short to be a key; move it away to make a new one"
            ) from None
        return key
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(KEY_BYTES))
    return path.read_bytes()


_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_ALNUM = re.compile(r"[^\W_]")


@functools.lru_cache(maxsize=8)
def hmac_sha256(key: bytes) -> Callable[[bytes], bytes]:
    """HMAC-SHA256 under ``key`` (RFC 2104), the padded key's inner and outer states computed once.

    The same digests as ``hmac.new(key, data, "sha256")``; copying two prepared states costs about half
    of what ``hmac`` spends per message, and a roster table gives a hundred thousand values per file.
    """
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def keyed(data: bytes) -> bytes:
        i = inner.copy()
        i.update(data)
        o = outer.copy()
        o.update(i.digest())
        return o.digest()

    return keyed


def normalize(entity: str, value: str) -> str:
    """The canonical form of a value for hashing: digits only for numbers, folded text otherwise."""
    if entity in _NUMERIC_ENTITIES:
        # Letters and ASCII digits only already (a SASID, a bare SSN): nothing to take out.
        return value.upper() if value.isascii() and value.isalnum() else _NOT_ALNUM.sub("", value).upper()
    if not value.isascii():
        text = unicodedata.normalize("NFKD", value)
        value = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(value.casefold().split())


def keyed_hash(key: bytes, entity: str, value: str) -> str:
    """HMAC-SHA256 (hex) of the normalized value. The entity is not mixed in, so a number found as a
    SASID in one file and as a student ID in another still matches."""
    return hmac_sha256(key)(normalize(entity, value).encode("utf-8")).hex()


PREVIEWS = ("last4", "none")  # [store] preview


def mask(entity: str, value: str, preview: str = "last4") -> str:
    """A preview that shows the shape and at most the last four characters of a number.

    ``078-05-1121`` -> ``***-**-1121``; ``Jordan Alvarez`` -> ``J***** A******``;
    ``jdoe@example.org`` -> ``j***@example.org``. With ``preview="none"`` (``[store] preview``) only the
    shape is kept: ``***-**-****``, ``****** *******`` (word boundaries stay: classification counts the
    words of a name), ``****@*******.***``. Whoever holds both the store and the HMAC key can test a
    digest against every value that fits its preview: with the last four digits of an SSN that is 100,000
    tries, with no digits a billion; keeping the key apart from the store is what protects the values.
    """
    if preview == "none":
        return _ALNUM.sub("*", value)
    if entity == "EMAIL_ADDRESS" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if entity in ("PERSON",):
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in value.split())
    if entity == "CREDENTIAL":
        return "********"
    # [^\W_] is exactly str.isalnum. Star every letter and digit, then put back the last few.
    starred, total = _ALNUM.subn("*", value)
    keep = 4 if total > 6 else 2 if total > 3 else 0
    if not keep:
        return starred
    out = list(starred)
    i = len(value) - 1
    while keep and i >= 0:
        if out[i] == "*" and value[i] != "*":
            out[i] = value[i]
            keep -= 1
        i -= 1
    return "".join(out)
