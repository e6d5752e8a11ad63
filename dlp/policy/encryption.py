"""What counts as encrypted: M.G.L. c. 93H section 1 means a process of 128 bits or more (201 CMR 17.02)."""

from __future__ import annotations

MIN_KEY_BITS = 128
# Ciphers that name no key size of their own: whole-message S/MIME and OpenPGP use 128 bits or more.
CIPHER_BITS: dict[str, int] = {"S/MIME": MIN_KEY_BITS, "OpenPGP": MIN_KEY_BITS}


def strong(key_bits: int | None, cipher: str | None = None) -> bool:
    """Encrypted with a key of 128 bits or more (``key_bits``, else what ``cipher`` implies)."""
    bits = key_bits or CIPHER_BITS.get(cipher or "")
    return bits is not None and bits >= MIN_KEY_BITS
