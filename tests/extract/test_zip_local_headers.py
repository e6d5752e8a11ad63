"""A ZIP whose central directory is missing (a copy or download cut short) is read from its local headers:
every member before the cut, whatever its compression, with the same limits as a whole archive."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import pyzipper

from dlp.extract.zip import member_name
from dlp.types import Reason, Status

MEMBERS = {
    "staff/payroll.csv": b"name,ssn\nDana Whitfield,245-71-3894\n" * 40,
    "notes/readme.txt": b"Quarterly export of the HR system.\n",
    "stored.txt": b"kept without compression\n",
    "packed.txt": b"bzip2 compressed member\n" * 30,
}
METHODS = {"stored.txt": zipfile.ZIP_STORED, "packed.txt": zipfile.ZIP_BZIP2}


def _zip(streamed: bool = False) -> bytes:
    """The members in order; ``streamed`` writes them to an unseekable stream, as a zip made on the fly is
    (sizes and CRC in data descriptors after each member)."""
    buffer = io.BytesIO()

    class Unseekable(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            return buffer.write(b)

    target: Any = Unseekable() if streamed else buffer
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("staff/", (2026, 1, 5, 8, 0, 0)), b"")  # a directory entry
        for name, data in MEMBERS.items():
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 5, 8, 0, 0)), data,
                             compress_type=METHODS.get(name, zipfile.ZIP_DEFLATED))
    return buffer.getvalue()


def _central_directory_at(data: bytes) -> int:
    return data.index(b"PK\x01\x02")


@pytest.mark.parametrize("streamed", [False, True], ids=["sizes-in-headers", "data-descriptors"])
def test_without_the_central_directory_every_member_is_read(extract: Callable[..., Any], streamed: bool) -> None:
    data = _zip(streamed)
    cut = data[:_central_directory_at(data)]
    children = extract("export.zip", cut).children
    assert {c.name: c.data for c in children} == MEMBERS
    assert all(c.status is None for c in children)


@pytest.mark.parametrize("streamed", [False, True], ids=["sizes-in-headers", "data-descriptors"])
def test_a_member_the_archive_ends_inside_is_corrupt_and_those_before_it_are_read(
        extract: Callable[..., Any], streamed: bool) -> None:
    data = _zip(streamed)
    third = data.index(b"PK\x03\x04", data.index(b"notes/readme.txt"))
    cut = data[:third + 40]  # inside the third member's data
    children = extract("export.zip", cut).children
    assert [c.name for c in children] == ["staff/payroll.csv", "notes/readme.txt", "stored.txt"]
    assert [c.data for c in children[:2]] == [MEMBERS["staff/payroll.csv"], MEMBERS["notes/readme.txt"]]
    assert children[2].status is Status.ERROR and children[2].reason is Reason.CORRUPT and children[2].data is None


def test_a_damaged_member_fails_its_crc_and_is_an_error_child(extract: Callable[..., Any]) -> None:
    data = bytearray(_zip())
    start = data.index(b"stored.txt") + len(b"stored.txt")
    data[start + 2] ^= 0xFF  # a stored member's byte: the CRC no longer matches
    children = extract("export.zip", bytes(data[:_central_directory_at(bytes(data))])).children
    by_name = {c.name: c for c in children}
    assert by_name["stored.txt"].status is Status.ERROR and by_name["stored.txt"].reason is Reason.CORRUPT
    assert by_name["packed.txt"].data == MEMBERS["packed.txt"]


def test_limits_hold_without_the_central_directory(extract: Callable[..., Any]) -> None:
    data = _zip()
    cut = data[:_central_directory_at(data)]
    children = extract("export.zip", cut, max_members=2).children
    assert [c.status for c in children] == [None, None, Status.NOT_EXAMINED]
    assert children[2].reason is Reason.TOO_MANY_MEMBERS
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (8 * 1024 * 1024))
    raw = bomb.getvalue()
    [child] = extract("bomb.zip", raw[:_central_directory_at(raw)]).children
    assert child.status is Status.NOT_EXAMINED and child.reason is Reason.BOMB and child.data is None


def test_an_encrypted_member_is_reported_with_its_cipher(extract: Callable[..., Any]) -> None:
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(b"district-test-pw")
        archive.writestr("secret.txt", b"SSN 245-71-3894\n")
    raw = buffer.getvalue()
    document = extract("aes.zip", raw[:_central_directory_at(raw)], passwords=("district-test-pw",))
    [child] = document.children
    assert child.status is Status.NOT_EXAMINED and child.reason is Reason.ENCRYPTED
    assert child.cipher == "AES-256" and document.encrypted


def test_member_names_follow_the_utf8_flag_else_code_page_437() -> None:
    assert member_name("café.txt".encode(), 0x800) == "café.txt"
    assert member_name("café.txt".encode(), 0) == "café.txt"  # UTF-8 without the flag, as many tools write
    assert member_name(b"caf\x82.txt", 0) == "café.txt"  # cp437 0x82 is é


def _raw_zip(raw_name: bytes, data: bytes, extra: bytes = b"") -> bytes:
    """A stored one-member zip whose name is the given bytes with no UTF-8 flag (as old Windows tools write)."""
    import struct
    import zlib

    crc = zlib.crc32(data)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, crc, len(data), len(data),
                        len(raw_name), len(extra)) + raw_name + extra + data
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, crc, len(data), len(data),
                          len(raw_name), len(extra), 0, 0, 0, 0, 0) + raw_name + extra
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


def test_a_gbk_member_name_is_decoded_not_mojibake(extract: Callable[..., Any]) -> None:
    name = "学生名单.csv"
    archive = _raw_zip(name.encode("gbk"), b"name,grade\n")
    [child] = extract("export.zip", archive).children
    assert child.name == name and child.data == b"name,grade\n"
    # Without the central directory too.
    [child] = extract("export.zip", archive[:archive.index(b"PK\x01\x02")]).children
    assert child.name == name


def test_the_unicode_path_field_names_the_member() -> None:
    import struct
    import zlib

    raw = b"caf\x82.txt"
    field = bytes([1]) + struct.pack("<I", zlib.crc32(raw)) + "café-ü.txt".encode()
    extra = struct.pack("<HH", 0x7075, len(field)) + field
    assert member_name(raw, 0, extra) == "café-ü.txt"
    stale = bytes([1]) + struct.pack("<I", 0) + b"other.txt"  # written for another name: ignored
    assert member_name(raw, 0, struct.pack("<HH", 0x7075, len(stale)) + stale) == "café.txt"
