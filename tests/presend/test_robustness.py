"""No parser failure reaches the verdict (issue 14, item 4): damaged archives, mangled MIME, broken encodings
and junk headers each become a part that could not be read, never an exception, a 500 or a 451.

The fuzz test mutates a handful of synthetic messages with a fixed seed, so a failure is reproducible by
its case number; it runs the session's warm checker, so 1,000 small checks take seconds.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from dlp.presend.check import PresendChecker
from tests.fixtures.make_fixtures import zipcrypto
from tests.presend.conftest import MA_PI_TEXT, ROSTER_CSV, TODAY, aes_zip, mail, plain_zip

FUZZ_CASES = 1000
SEED = 1414
ZIP = "application/zip"
VERDICTS = {"allow", "warn", "block"}


def damaged_zip() -> bytes:
    """A zip whose central directory is cut off: pyzipper raises its own BadZipFile on opening it."""
    whole = plain_zip([("roster.csv", ROSTER_CSV)])
    return whole[: len(whole) // 2]


def test_a_damaged_zip_is_a_part_that_could_not_be_read(checker: PresendChecker) -> None:
    raw = mail("ops@vendor.example", "Files attached.", attachments=[("export.zip", damaged_zip(), ZIP)])
    verdict = checker.check(raw, today=TODAY)
    assert verdict.verdict in VERDICTS
    assert {"attachment": "export.zip", "reason": "corrupt"} in verdict.extra["not_examined"]


def test_a_damaged_zip_named_as_something_else_is_a_part_too(checker: PresendChecker) -> None:
    raw = mail("principal@district.example", "Attached.",
               attachments=[("notes.docx", damaged_zip(), "application/octet-stream")])
    verdict = checker.check(raw, today=TODAY)
    assert verdict.verdict == "allow"  # internal: nothing leaves
    assert [u["attachment"] for u in verdict.extra["not_examined"]] == ["notes.docx"]


# -- the fuzz test --


def _nested() -> bytes:
    inner = EmailMessage()
    inner["From"] = "Office <office@district.example>"
    inner["To"] = "counselor@district.example"
    inner["Subject"] = "=?utf-8?b?UmVjb3Jkcw==?="
    inner.set_content("Forwarded records.")
    inner.add_attachment(plain_zip([("a/roster.csv", ROSTER_CSV)]), maintype="application", subtype="zip",
                         filename="inner.zip")
    outer = EmailMessage()
    outer["From"] = "d.whitfield@district.example"
    outer["To"] = "ops@vendor.example"
    outer["Subject"] = "Fwd: records"
    outer.set_content("See the attached message.")
    outer.add_attachment(inner)
    return bytes(outer)


def _encodings() -> bytes:
    qp = MA_PI_TEXT.encode("utf-8").replace(b" ", b"=20")
    b64 = base64.encodebytes(ROSTER_CSV)
    return (b"From: =?iso-8859-1?q?Dana_Whitfield?= <d.whitfield@district.example>\r\n"
            b"To: ops@vendor.example\r\nSubject: =?utf-8?q?Pay=C3=A9?=\r\nMIME-Version: 1.0\r\n"
            b"X-Note: =?utf-8?b?bm90IGJhc2U2NA?=\r\n"
            b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + qp + b"\r\n--XX\r\nContent-Type: text/csv; name=roster.csv\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename*=utf-8''roster%20%C3%A9.csv\r\n\r\n" + b64
            + b"\r\n--XX\r\nContent-Type: text/html; charset=x-unknown-charset\r\n\r\n<p>Hi</p>\r\n--XX--\r\n")


BASES: list[Callable[[], bytes]] = [
    lambda: mail("ops@vendor.example", "Files attached.",
                 attachments=[("export.zip", plain_zip([("roster.csv", ROSTER_CSV), ("x/y.txt", b"hello")]), ZIP)]),
    lambda: mail("hr@payroll.example", "Attached; passphrase by phone.",
                 attachments=[("pay.zip", aes_zip([("pay.txt", MA_PI_TEXT.encode())], "only-they-know"), ZIP)]),
    lambda: mail("hr@payroll.example", "Attached.",
                 attachments=[("pay.zip", zipcrypto([("pay.txt", MA_PI_TEXT.encode())], b"pw-1234"), ZIP)]),
    _nested,
    _encodings,
]

_JUNK = [b"\x00", b"\xff\xfe", b"=?", b"?=", b"--", b"\r\n", b"\r\n\r\n", b"PK\x03\x04", b"PK\x01\x02",
         b"PK\x05\x06", b"begin 644 x\r\n", b"Content-Type: multipart/mixed; boundary=\"", b"=\r\n", b"\t",
         b"=?utf-8?b?", b"%PDF-1.7\n", b"\xef\xbb\xbf", b"charset=\"utf-16\"", b";" * 40, b"A" * 2000]


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """One to four edits: flip bytes, cut, duplicate or drop a slice, or insert a junk token."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            out.extend(rng.choice(_JUNK))
            continue
        at = rng.randrange(len(out))
        kind = rng.randrange(6)
        if kind == 0:
            for _ in range(rng.randint(1, 16)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif kind == 1:
            del out[at:]
        elif kind == 2:
            end = min(len(out), at + rng.randint(1, 512))
            out[at:at] = out[at:end]
        elif kind == 3:
            del out[at:at + rng.randint(1, 256)]
        elif kind == 4:
            out[at:at] = rng.choice(_JUNK)
        else:
            out[at:at + 4] = rng.randbytes(4)
    return bytes(out)


def _zip_in_a_message(rng: random.Random) -> bytes:
    members = [("roster.csv", ROSTER_CSV), ("notes.txt", b"see roster")]
    pick = rng.randrange(3)
    archive = (plain_zip(members) if pick == 0 else aes_zip(members, "secret-9") if pick == 1
               else zipcrypto(members, b"secret-9"))
    if rng.random() < 0.3:  # a zip inside the zip, damaged inside
        archive = plain_zip([("inner.zip", _mutate_bytes(rng, archive))])
    name = rng.choice(["a.zip", "a.docx", "a.xlsx", "a.bin", "a.pdf", "noext"])
    return mail("ops@vendor.example", "Attached.", attachments=[(name, _mutate_bytes(rng, archive), ZIP)])


def fuzz_messages(count: int, seed: int) -> list[bytes]:
    """``count`` mutated messages: half with a damaged archive inside, half with the raw bytes mangled."""
    rng = random.Random(seed)
    bases = [make() for make in BASES]
    out = []
    for i in range(count):
        if i % 2 == 0:
            out.append(_zip_in_a_message(rng))
        else:
            out.append(_mutate_bytes(rng, rng.choice(bases)))
    return out


@pytest.mark.parametrize("chunk", range(4))
def test_fuzzed_messages_never_raise(checker: PresendChecker, chunk: int) -> None:
    messages = fuzz_messages(FUZZ_CASES, SEED)
    size = FUZZ_CASES // 4
    failures = []
    for number in range(chunk * size, (chunk + 1) * size):
        try:
            verdict = checker.check(messages[number], today=TODAY)
        except Exception as exc:  # noqa: BLE001 - the test collects every failure to report them together
            failures.append(f"case {number}: {type(exc).__name__}")
            continue
        if verdict.verdict not in VERDICTS:
            failures.append(f"case {number}: verdict {verdict.verdict!r}")
    assert not failures, failures[:20]


# -- the front ends: no 500 and no 451 from a damaged attachment --


def test_sixty_damaged_zips_over_http_all_get_a_verdict(checker: PresendChecker) -> None:
    from fastapi.testclient import TestClient

    from dlp.presend.service import create_app

    token = "robustness-token-0123456789"
    rng = random.Random(SEED + 1)
    with TestClient(create_app(checker, token)) as client:
        for number in range(60):
            raw = _zip_in_a_message(rng)
            r = client.post("/v1/check", content=raw,
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"})
            assert r.status_code == 200, (number, r.status_code)
            assert r.json()["verdict"] in VERDICTS


def test_a_damaged_zip_through_the_smtp_filter_is_judged_not_deferred(checker: PresendChecker) -> None:
    import smtplib

    from aiosmtpd.controller import Controller

    from tests.presend.test_smtp import Filter, Sink, crlf, free_port

    sink = Sink()
    next_hop = Controller(sink, hostname="127.0.0.1", port=free_port())
    next_hop.start()
    f = Filter(checker, next_hop.port, fail_open=True)
    try:
        raw = mail("ops@vendor.example", "Files attached.", attachments=[("export.zip", damaged_zip(), ZIP)])
        with pytest.raises(smtplib.SMTPDataError) as refused:
            f.send(raw, ["ops@vendor.example"])
        # Blocked as unreadable content to a third party; neither deferred (451) nor relayed unchecked.
        assert refused.value.smtp_code == 550
        internal = mail("principal@district.example", "Files attached.",
                        attachments=[("export.zip", damaged_zip(), ZIP)])
        assert f.send(internal, ["principal@district.example"]) == {}
        assert [data for _, _, data in sink.messages] == [crlf(internal)]
    finally:
        f.close()
        next_hop.stop()
