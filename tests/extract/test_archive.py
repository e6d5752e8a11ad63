"""TAR, GZ/BZ2/XZ and 7z: members as children, links skipped with a reason, bombs stopped, damage reported."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason, Status
from tests.extract.conftest import FILES, PASSWORD


def test_tar_members_are_children_and_links_and_fifos_are_skipped_with_a_reason(extract, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    children = extract("members.tar").children
    assert [c.name for c in children] == ["roster.csv", "notes/guidance.txt", "link-to-passwd", "a-fifo"]
    assert children[0].data == (FILES / "roster.csv").read_bytes()
    link, fifo = children[2], children[3]
    assert (link.data, link.status, link.reason) == (None, Status.NOT_EXAMINED, Reason.UNSUPPORTED)
    assert "symbolic link" in link.detail and "FIFO" in fifo.detail
    assert list(tmp_path.iterdir()) == []  # nothing extracted


def test_tar_gz_is_a_gz_whose_child_is_the_tar(extract):
    (child,) = extract("members.tar.gz").children
    assert child.name == "members.tar"
    assert [c.name for c in extract(child.name, child.data).children] == ["roster.csv", "notes/guidance.txt"]


@pytest.mark.parametrize("name", ["note.txt.bz2", "note.txt.xz"])
def test_single_stream_files_give_one_child_named_without_the_suffix(extract, name):
    (child,) = extract(name).children
    assert child.name == "note.txt"
    assert child.data == (FILES / "note_utf8.txt").read_bytes()


@pytest.mark.parametrize(
    ("name", "compress"),
    [("zeros.gz", gzip.compress), ("zeros.bz2", bz2.compress), ("zeros.xz", lzma.compress)],
)
def test_compression_bombs_are_stopped_while_decompressing(extract, name, compress):
    data = compress(b"\0" * (64 << 20))
    assert len(data) < 200_000
    with pytest.raises(NotExamined) as caught:
        extract(name, data, max_expanded_bytes=8 << 20, max_ratio=1e9)
    assert caught.value.reason is Reason.BOMB
    with pytest.raises(NotExamined) as caught:
        extract(name, data, max_ratio=100.0)
    assert caught.value.reason is Reason.BOMB and "ratio" in caught.value.detail


def test_tar_members_past_the_limits_are_not_examined(extract):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for index in range(4):
            info = tarfile.TarInfo(f"f{index}.txt")
            info.size = 1000
            archive.addfile(info, io.BytesIO(b"x" * 1000))
    children = extract("many.tar", buffer.getvalue(), max_members=3).children
    assert [c.reason for c in children] == [None, None, None, Reason.TOO_MANY_MEMBERS]
    children = extract("many.tar", buffer.getvalue(), max_expanded_bytes=2500).children
    assert [c.reason for c in children] == [None, None, Reason.BOMB, Reason.BOMB]


def test_damaged_compressed_files_and_tars_are_corrupt(extract):
    for name in ("members.tar.gz", "note.txt.bz2", "note.txt.xz", "members.7z"):
        data = (FILES / name).read_bytes()
        with pytest.raises(ItemError) as caught:
            extract(name, data[: len(data) // 2])
        assert caught.value.reason is Reason.CORRUPT, name
    with pytest.raises(ItemError) as caught:
        extract("junk.tar", os.urandom(10) + b"\x00" * 1000)
    assert caught.value.reason is Reason.CORRUPT


def test_a_tar_cut_inside_a_member_keeps_the_members_before_it(extract):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, size in (("a.txt", 1000), ("b.txt", 5000)):
            info = tarfile.TarInfo(name)
            info.size = size
            archive.addfile(info, io.BytesIO(b"x" * size))
    first, second, *rest = extract("cut.tar", buffer.getvalue()[:4096]).children
    assert first.data == b"x" * 1000
    assert (second.data, second.status, second.reason) == (None, Status.ERROR, Reason.CORRUPT)
    assert all(child.status is Status.ERROR for child in rest)  # "damaged after this member"


def test_7z_members_are_children(extract):
    children = extract("members.7z").children
    assert [c.name for c in children] == ["roster.csv", "notes/guidance.txt"]
    assert children[0].data == (FILES / "roster.csv").read_bytes()


def test_an_encrypted_7z_is_not_examined_with_aes_256(extract):
    with pytest.raises(NotExamined) as caught:
        extract("members_aes.7z", passwords=("wrong",))
    error = caught.value
    assert (error.reason, error.encrypted, error.cipher, error.key_bits) == (Reason.ENCRYPTED, True, "AES-256", 256)


def test_an_encrypted_7z_is_read_with_a_configured_password(extract):
    document = extract("members_aes.7z", passwords=("wrong", PASSWORD))
    assert (document.encrypted, document.cipher) == (True, "AES-256")
    assert document.children[0].data == (FILES / "roster.csv").read_bytes()


def test_a_7z_bomb_is_stopped(extract):
    import py7zr

    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(b"\0" * (32 << 20), "zeros.bin")
    with pytest.raises(NotExamined) as caught:
        extract("bomb.7z", buffer.getvalue(), max_expanded_bytes=4 << 20)
    assert caught.value.reason is Reason.BOMB
