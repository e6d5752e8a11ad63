"""The walk (dlp/walk.py): one recursion through containers for the scan and the pre-send check.

Real extractors on real archives and messages built here; the analysis is a plain function, so what the
walk does with a piece (order, names, limits, the error boundary) is seen without the detection engine.
"""

from __future__ import annotations

import dataclasses
import io
import warnings
from email.message import EmailMessage
from pathlib import Path

import pytest
import pyzipper

from dlp.config import ExtractSettings
from dlp.types import Child, Item, ItemRef, Reason, Status
from dlp.walk import Extracted, Limits, MoreChildren, Node, PasswordsFor, walk

CSV = b"Last Name,First Name,Grade\nAlvarez,Jordan,5\nChen,Maria,5\n"
PASSWORD = "walk-test-secret-3"


def zipped(members: list[tuple[str, bytes]], password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    if password is None:
        archive = pyzipper.ZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED)
    else:
        archive = pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES)
        archive.setpassword(password.encode())
    with archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate member names are the point of one test
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def item(name: str, data: bytes | None = None, *, path: Path | None = None, size: int | None = None) -> Item:
    ref = ItemRef(source="t", item_id=name, uri=f"share/{name}", size=size, owner="o", exposure=("public",))
    return Item(ref=ref, name=name, data=data, path=str(path) if path else None)


def limits(max_depth: int = 5, max_bytes: int | None = None) -> Limits:
    return Limits(dataclasses.replace(ExtractSettings(), max_depth=max_depth), max_bytes=max_bytes)


def media(found: Extracted) -> str:
    """An analysis that only says what it was given."""
    return f"{found.depth}:{found.media_type}"


def nodes(it: Item, lim: Limits | None = None, *, media_type: str | None = None,
          passwords_for: PasswordsFor | None = None, more_children: MoreChildren[str] | None = None) -> list[Node[str]]:
    return list(walk(it, lim or limits(), media, media_type=media_type, passwords_for=passwords_for,
                     more_children=more_children))


def test_a_container_comes_before_its_members_with_paths_refs_and_parents() -> None:
    data = zipped([("a.csv", CSV), ("inner.zip", zipped([("dir/b.csv", CSV)]))])
    found = nodes(item("outer.zip", data))
    assert [(n.path, n.parent, n.depth) for n in found] == [
        ("", None, 0), ("a.csv", "", 1), ("inner.zip", "", 1), ("inner.zip!/dir/b.csv", "inner.zip", 2)]
    assert [n.ref.uri for n in found] == ["share/outer.zip", "share/outer.zip!/a.csv", "share/outer.zip!/inner.zip",
                                          "share/outer.zip!/inner.zip!/dir/b.csv"]
    assert [n.parent_uri for n in found] == [None, "share/outer.zip", "share/outer.zip",
                                             "share/outer.zip!/inner.zip"]
    assert all(n.status is Status.SCANNED for n in found)
    assert [n.analysis for n in found] == ["0:application/zip", "1:text/csv", "1:application/zip", "2:text/csv"]
    assert found[0].children == 2 and found[2].children == 1
    # A member's reference inherits what the connector knew of its container.
    assert found[3].ref.owner == "o" and found[3].ref.exposure == ("public",) and found[3].ref.size == len(CSV)
    assert found[0].read_seconds is not None and found[1].read_seconds is None


def test_members_with_one_name_get_one_numbering_scheme_and_never_collide() -> None:
    data = zipped([("r.csv", CSV), ("r (2).csv", CSV), ("r.csv", CSV)])
    paths = [n.path for n in nodes(item("dup.zip", data))[1:]]
    assert paths == ["r.csv", "r (2).csv", "r (3).csv"]


def test_attachments_of_a_message_are_members_named_the_same_way() -> None:
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "two rosters"
    message.set_content("see attached")
    for _ in range(2):
        message.add_attachment(CSV, maintype="text", subtype="csv", filename="roster.csv")
    found = nodes(item("m.eml", bytes(message)))
    assert [n.path for n in found] == ["", "roster.csv", "roster (2).csv"]


def test_a_member_deeper_than_the_limit_is_not_examined_and_says_so() -> None:
    data = zipped([("inner.zip", zipped([("b.csv", CSV)]))])
    top, inner, deep = nodes(item("outer.zip", data), limits(max_depth=1))
    assert inner.status is Status.SCANNED
    assert (deep.status, deep.reason, deep.detail) == (Status.NOT_EXAMINED, Reason.TOO_DEEP, "nested deeper than 1")
    assert deep.size == len(CSV) and deep.media_type is None and deep.analysis is None


def test_a_member_its_container_could_not_open_keeps_the_containers_cipher() -> None:
    data = zipped([("r.csv", CSV)], password=PASSWORD)
    _, locked = nodes(item("locked.zip", data))
    assert (locked.status, locked.reason) == (Status.NOT_EXAMINED, Reason.ENCRYPTED)
    assert locked.encrypted and locked.key_bits == 256 and locked.member is not None and locked.member.data is None


def test_passwords_from_the_caller_open_an_archive_and_are_asked_per_piece() -> None:
    data = zipped([("r.csv", CSV)], password=PASSWORD)
    asked: list[tuple[str, str]] = []

    def passwords_for(path: str, media_type: str, _data: bytes) -> tuple[str, ...]:
        asked.append((path, media_type))
        return (PASSWORD,) if media_type == "application/zip" else ()

    top, member = nodes(item("locked.zip", data), passwords_for=passwords_for)
    assert member.status is Status.SCANNED and member.analysis == "1:text/csv"
    # The container's listing says how the member was protected.
    assert member.member is not None and member.member.encrypted and member.member.key_bits == 256
    assert asked == [("", "application/zip"), ("r.csv", "text/csv")]


def test_more_children_are_walked_after_the_containers_own_and_named_among_them() -> None:
    data = zipped([("a.csv", CSV), ("inner.zip", zipped([("b.csv", CSV)]))])

    def more(node: Node[str]) -> list[Child]:
        if node.depth:
            return []
        return [Child(name="a.csv", data=CSV), Child(name="", data=CSV),
                Child(name="body!/x.csv", data=None, status=Status.ERROR, reason=Reason.CORRUPT)]

    found = nodes(item("outer.zip", data), more_children=more)
    assert [n.path for n in found] == ["", "a.csv", "inner.zip", "inner.zip!/b.csv", "a (2).csv", "unnamed",
                                      "body!/x.csv"]
    assert (found[-1].status, found[-1].reason) == (Status.ERROR, Reason.CORRUPT)


def test_the_top_items_media_type_can_be_given_instead_of_sniffed() -> None:
    [top] = nodes(item("notes.txt", b"Subject: hello\n\nbody"), media_type="message/rfc822")
    assert top.media_type == "message/rfc822" and top.analysis == "0:message/rfc822"


def test_a_name_that_claims_another_format_is_noted_in_the_detail() -> None:
    [top] = nodes(item("photo.png", CSV))
    assert top.media_type == "text/csv" and top.detail and "image/png" in top.detail


def test_size_limits_and_read_failures_become_the_top_items_state(tmp_path: Path) -> None:
    over = nodes(item("big.csv", CSV), limits(max_bytes=10))
    assert [(n.status, n.reason) for n in over] == [(Status.NOT_EXAMINED, Reason.TOO_LARGE)]
    declared = nodes(item("big.csv", CSV, size=1000), limits(max_bytes=100))
    assert [(n.status, n.reason) for n in declared] == [(Status.NOT_EXAMINED, Reason.TOO_LARGE)]
    gone = nodes(item("gone.csv", path=tmp_path / "gone.csv"))
    assert [(n.status, n.reason, n.read_seconds) for n in gone] == [(Status.NOT_EXAMINED, Reason.VANISHED, None)]


@pytest.mark.parametrize(("raised", "reason"), [
    (ValueError("Alvarez 512-48-7793"), Reason.CORRUPT),
    (RuntimeError("Alvarez 512-48-7793"), Reason.INTERNAL),
    (MemoryError(), Reason.MEMORY_LIMIT),
])
def test_a_failing_analysis_is_the_pieces_failure_and_its_siblings_go_on(raised: BaseException,
                                                                          reason: Reason) -> None:
    data = zipped([("bad.csv", CSV), ("good.txt", b"plain words")])

    def analyse(found: Extracted) -> str:
        if found.path == "bad.csv":
            raise raised
        return found.media_type

    top, bad, good = walk(item("two.zip", data), limits(), analyse)
    assert (bad.status, bad.reason) == (Status.ERROR, reason)
    assert bad.detail and "Alvarez" not in bad.detail and "7793" not in bad.detail
    assert bad.media_type == "text/csv" and bad.content_hash and bad.analysis is None
    assert good.status is Status.SCANNED and good.analysis == "text/plain"


def test_a_memory_error_passes_through_when_the_caller_asks() -> None:
    def analyse(found: Extracted) -> str:
        raise MemoryError

    with pytest.raises(MemoryError):
        list(walk(item("a.txt", b"words"), limits(), analyse, record_memory_errors=False))
