"""Hostile input through the worker: nothing crashes, hangs or blows memory, and every problem is a status.

A hang fails the test at a generous bound (tests/helpers/waiting.py); what is asserted is how far the
worker went (depth, bytes read, text kept), not how long it took.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from dlp import worker
from dlp.config import Settings
from dlp.types import Item, ItemRef, Reason, Status
from tests.helpers.waiting import run_bounded

MIB = 1024 * 1024


@pytest.fixture(scope="module", autouse=True)
def engine() -> None:
    settings = Settings().with_overrides(extract={"max_depth": 5, "max_expanded_bytes": 8 * MIB, "max_ratio": 500.0},
                                         detect={"ner": "off"})
    worker.init_worker(settings, b"k" * 32, False)


def judge(tmp_path: Path, name: str, data: bytes) -> list:
    path = tmp_path / name
    path.write_bytes(data)
    ref = ItemRef(source="t", item_id=name, uri=f"share/{name}", size=len(data), local_path=str(path))
    return run_bounded(lambda: worker.process_item(Item(ref=ref, name=name, path=str(path))), f"judging {name}")


def nested_zip(depth: int) -> bytes:
    data = b"SSN 284-73-9165 for Marisol Quintero\n"
    name = "deepest.txt"
    for level in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(name, data)
        data, name = buf.getvalue(), f"level-{depth - level}.zip"
    return data


def test_thirty_deep_nesting_stops_at_the_depth_limit(tmp_path: Path) -> None:
    results = judge(tmp_path, "deep.zip", nested_zip(30))
    assert results[0].status is Status.SCANNED
    too_deep = [r for r in results if r.reason is Reason.TOO_DEEP]
    assert len(too_deep) == 1 and too_deep[0].uri.count("!/") == 6
    assert all(r.uri.count("!/") <= 6 for r in results)


def overlapping_zip(copies: int, size: int) -> bytes:
    """Many central-directory entries that all point at one compressed local entry (an overlap bomb)."""
    payload = b"\0" * size
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(payload) + comp.flush()
    crc = zlib.crc32(payload)
    name = b"zeros.txt"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), size, len(name), 0)
    body = local + name + deflated
    central = b""
    for _ in range(copies):
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(deflated), size,
                               len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(central), len(body), 0)
    return body + central + end


def test_an_overlapping_entry_bomb_is_stopped_by_the_archive_limit(tmp_path: Path) -> None:
    data = overlapping_zip(copies=200, size=2 * MIB)  # 400 MB declared from a few KB
    assert len(data) < 64 * 1024
    results = judge(tmp_path, "overlap.zip", data)
    statuses = {(r.status, r.reason) for r in results}
    assert (Status.NOT_EXAMINED, Reason.BOMB) in statuses or results[0].reason is Reason.BOMB
    read = sum(r.size or 0 for r in results[1:] if r.status is Status.SCANNED)
    assert read <= 8 * MIB


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def ooxml(document_xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument'
                    '.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", document_xml)
    return buf.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_a_billion_laughs_document_is_not_expanded(tmp_path: Path) -> None:
    doc = LAUGHS + f"<w:document {W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    [result] = judge(tmp_path, "laughs.docx", ooxml(doc))
    assert result.status in (Status.SCANNED, Status.ERROR)
    assert (result.size or 0) < 10_000


def test_an_external_entity_is_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SSN 284-73-9165 of Marisol Quintero")
    doc = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           f"<w:document {W}><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>")
    [result] = judge(tmp_path, "xxe.docx", ooxml(doc))
    assert not any(f.entity == "US_SSN" for f in result.findings)
