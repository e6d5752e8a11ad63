"""ZIP archives: members as children, encryption detected and opened, bombs stopped early."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest
import pyzipper

from dlp.errors import ItemError
from dlp.extract.base import extractor_for
from dlp.types import Reason, Status
from tests.extract.conftest import FILES, PASSWORD, make_ctx, make_item


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_members_are_children_with_their_names_and_bytes(extract):
    children = extract("members.zip").children
    assert [c.name for c in children] == [
        "roster.csv",
        "notes/guidance.txt",
        "../escape.txt",
        "/absolute/path.txt",
    ]
    assert children[0].data == (FILES / "roster.csv").read_bytes()
    assert b"523-47-1186" in children[1].data
    assert all(c.status is None and not c.encrypted for c in children)


def test_hostile_member_names_are_only_names_and_nothing_is_written(extract, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    children = extract("members.zip", (FILES / "members.zip").read_bytes()).children
    assert children[2].data == b"path traversal test, SASID 1023456789\n"
    assert list(tmp_path.iterdir()) == []
    assert not os.path.exists(tmp_path.parent / "escape.txt")


def test_an_aes_member_without_the_password_is_not_examined_with_its_cipher(extract):
    document = extract("aes256.zip", passwords=("not-it",))
    for child in document.children:
        assert child.data is None
        assert (child.status, child.reason) == (Status.NOT_EXAMINED, Reason.ENCRYPTED)
        assert (child.encrypted, child.cipher, child.key_bits) == (True, "AES-256", 256)
    assert (document.encrypted, document.cipher, document.key_bits) == (True, "AES-256", 256)


def test_an_aes_member_is_read_with_a_configured_password(extract):
    children = extract("aes256.zip", passwords=("not-it", PASSWORD)).children
    assert children[0].data == (FILES / "roster.csv").read_bytes()
    assert children[0].status is None
    assert (children[0].encrypted, children[0].cipher) == (True, "AES-256")


@pytest.mark.parametrize(("nbits", "cipher"), [(128, "AES-128"), (192, "AES-192")])
def test_aes_strength_comes_from_the_extra_field(extract, nbits, cipher):
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(b"x")
        archive.setencryption(pyzipper.WZ_AES, nbits=nbits)
        archive.writestr("a.txt", b"secret")
    (child,) = extract("weak.zip", buffer.getvalue()).children
    assert (child.cipher, child.key_bits) == (cipher, nbits)


def test_zipcrypto_members_are_detected_and_read_with_the_password(extract):
    locked = extract("zipcrypto.zip").children
    assert [(c.status, c.reason, c.cipher, c.encrypted) for c in locked] == [
        (Status.NOT_EXAMINED, Reason.ENCRYPTED, "ZipCrypto", True)
    ] * 2
    opened = extract("zipcrypto.zip", passwords=(PASSWORD,)).children
    assert opened[0].data == (FILES / "roster.csv").read_bytes()
    assert b"Jordan Alvarez" in opened[1].data


def test_a_nested_zip_is_a_child_with_the_inner_archive_bytes(extract):
    children = extract("nested.zip").children
    assert [c.name for c in children] == ["inner.zip", "readme.txt"]
    inner = extract("inner.zip", children[0].data).children
    assert [c.name for c in inner] == ["inner/roster.csv"]


def test_a_truncated_archive_gives_its_intact_members_and_the_cut_one_is_corrupt(extract):
    children = extract("truncated.zip").children
    assert [c.name for c in children] == ["roster.csv", "notes/guidance.txt"]
    assert children[0].status is None and children[0].data == (FILES / "roster.csv").read_bytes()
    assert children[1].status is Status.ERROR and children[1].reason is Reason.CORRUPT
    assert children[1].data is None and "truncated" in (children[1].detail or "")


def test_an_archive_with_nothing_left_of_its_members_is_corrupt(extract):
    data = (FILES / "truncated.zip").read_bytes()
    with pytest.raises(ItemError) as caught:
        extract("truncated.zip", data[:20])  # not even one whole local header
    assert caught.value.reason is Reason.CORRUPT


def test_a_zip_bomb_member_is_not_examined_and_not_inflated(extract, monkeypatch):
    data = _zip({"zeros.bin": b"\0" * (50 << 20), "small.txt": b"SASID 1012345678"})
    assert len(data) < 100_000
    inflated = []
    original = pyzipper.zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        chunk = original(self, n)
        inflated.append(len(chunk))
        return chunk

    monkeypatch.setattr(pyzipper.zipfile.ZipExtFile, "read", counting_read)
    bomb, small = extract("bomb.zip", data, max_expanded_bytes=1 << 20).children
    assert (bomb.name, bomb.data, bomb.status, bomb.reason) == (
        "zeros.bin",
        None,
        Status.NOT_EXAMINED,
        Reason.BOMB,
    )
    assert small.data == b"SASID 1012345678"
    assert sum(inflated) < 1 << 20


def test_a_member_lying_about_its_size_is_stopped_at_the_declared_size(extract):
    data = bytearray(_zip({"liar.bin": b"\0" * (5 << 20)}))
    # Rewrite the declared expanded size (local header and central directory) to 100 bytes.
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 100)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)
    (child,) = extract("liar.zip", bytes(data), max_expanded_bytes=1 << 20).children
    assert child.data is None
    assert child.status in (Status.NOT_EXAMINED, Status.ERROR)
    assert child.reason in (Reason.BOMB, Reason.CORRUPT)


def test_a_highly_compressed_member_over_the_ratio_is_a_bomb(extract):
    data = _zip({"zeros.bin": b"\0" * (4 << 20)})
    (child,) = extract("ratio.zip", data, max_ratio=50.0).children
    assert child.reason is Reason.BOMB


def test_members_past_max_members_are_not_examined(extract):
    data = _zip({f"f{i}.txt": b"x" for i in range(4)})
    children = extract("many.zip", data, max_members=2).children
    assert [c.reason for c in children] == [None, None, Reason.TOO_MANY_MEMBERS, Reason.TOO_MANY_MEMBERS]
    assert children[3].data is None


def test_a_damaged_member_is_an_error_child_and_the_others_are_read(extract):
    data = bytearray(_zip({"good.txt": b"fine", "bad.txt": b"SSN 523-47-1186 " * 50}))
    second = data.index(b"PK\x03\x04", 4)
    name_len, extra_len = struct.unpack_from("<HH", data, second + 26)
    data[second + 30 + name_len + extra_len + 2] ^= 0xFF  # flip a byte of the compressed data
    good, bad = extract("damaged.zip", bytes(data)).children
    assert good.data == b"fine"
    assert (bad.data, bad.status, bad.reason) == (None, Status.ERROR, Reason.CORRUPT)
    assert "523-47-1186" not in (bad.detail or "")


def test_an_archive_on_disk_is_read_from_its_path():
    item = make_item("members.zip", path=FILES / "members.zip")
    document = extractor_for("application/zip").extract(item, make_ctx())
    assert len(document.children) == 4
