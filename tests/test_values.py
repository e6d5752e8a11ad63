"""Keyed hashes and masked previews: what is kept of a value instead of the value."""

from __future__ import annotations

import hmac
import stat
from pathlib import Path

import pytest

from dlp.detect.values import hmac_sha256, keyed_hash, load_or_create_key, mask


def test_the_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "home" / "hmac.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hmac.key"
    load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_or_create_key(path)


def test_hashes_match_across_formatting_and_differ_across_keys() -> None:
    k1, k2 = b"k" * 32, b"j" * 32
    assert keyed_hash(k1, "US_SSN", "284-73-9165") == keyed_hash(k1, "US_SSN", "284 73 9165")
    assert keyed_hash(k1, "PERSON", "Renée  Dubois") == keyed_hash(k1, "PERSON", "renee dubois")
    assert keyed_hash(k1, "US_SSN", "284-73-9165") != keyed_hash(k2, "US_SSN", "284-73-9165")
    assert "284" not in keyed_hash(k1, "US_SSN", "284-73-9165")


@pytest.mark.parametrize("size", [1, 16, 32, 63, 64, 65, 200])
def test_the_prepared_hmac_is_the_standard_one(size: int) -> None:
    # Digests are stored and compared across runs: the prepared states must give RFC 2104's HMAC exactly,
    # for keys shorter than, equal to and longer than SHA-256's block.
    key = bytes((7 * i + size) % 256 for i in range(size))
    for data in (b"", b"1012345678", "renée dubois".encode(), b"x" * 200):
        assert hmac_sha256(key)(data) == hmac.new(key, data, "sha256").digest()
    assert keyed_hash(key, "US_SSN", "284-73-9165") == hmac.new(key, b"284739165", "sha256").hexdigest()


@pytest.mark.parametrize(
    ("entity", "value", "expected"),
    [
        ("US_SSN", "284-73-9165", "***-**-9165"),
        ("CREDIT_CARD", "4929 1234 5678 9012", "**** **** **** 9012"),
        ("PERSON", "Dana Whitfield", "D*** W********"),
        ("EMAIL_ADDRESS", "dana@example.org", "d***@example.org"),
        ("CREDENTIAL", "hunter22", "********"),
        ("MA_SASID", "1012345678", "******5678"),
    ],
)
def test_previews_show_shape_and_at_most_the_last_four(entity: str, value: str, expected: str) -> None:
    assert mask(entity, value) == expected
