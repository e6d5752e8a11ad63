"""The pre-send HTTP service: errors through FastAPI's TestClient with a tiny fake checker, verdicts through
a real uvicorn server on 127.0.0.1 with the real PresendChecker, and 16 concurrent clients."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from dlp import cli
from dlp.presend import service
from dlp.presend.service import create_app
from dlp.presend.verdict import ALLOW, BLOCK, Verdict, VerdictReason
from tests.helpers.waiting import wait_until
from tests.presend.conftest import MA_PI_TEXT, ROSTER_BODY, SASID_A, mail

TOKEN = "test-token-7f3a9c2e5b1d4a6f8e0c"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}
SECRET_LINE = f"Student: Jordan Alvarez, SASID {SASID_A}"


class FakeChecker:
    """Blocks a message that says "block", raises on "explode", allows everything else."""

    def __init__(self) -> None:
        self.calls: list[tuple[bytes, tuple[str, ...]]] = []

    def check(self, raw: bytes, today: dt.date | None = None, *, envelope_recipients: Any = ()) -> Verdict:
        self.calls.append((raw, tuple(envelope_recipients)))
        if b"explode" in raw:
            # The text of an exception can quote the message: the service must not pass it on.
            raise ValueError(f"cannot parse {raw[:80]!r}")
        if b"block" in raw:
            return Verdict(BLOCK, (VerdictReason("personal-account", "PI to a personal account"),))
        return Verdict(ALLOW)


@pytest.fixture()
def fake() -> FakeChecker:
    return FakeChecker()


@pytest.fixture()
def client(fake: FakeChecker) -> Iterator[TestClient]:
    with TestClient(create_app(fake, TOKEN, max_bytes=2_000)) as c:
        yield c


MESSAGE = b"From: a@district.example\r\nTo: b@district.example\r\nSubject: hi\r\n\r\nHello.\r\n"


# -- errors --


@pytest.mark.parametrize("headers", [
    {"Content-Type": "message/rfc822"},
    {"Content-Type": "message/rfc822", "Authorization": "Bearer wrong-token"},
    {"Content-Type": "message/rfc822", "Authorization": f"Basic {TOKEN}"},
    {"Content-Type": "message/rfc822", "Authorization": f"Bearer {TOKEN}x"},
    {"Content-Type": "message/rfc822", "Authorization": "Bearer "},
], ids=["no token", "wrong token", "wrong scheme", "token plus a byte", "empty token"])
def test_401_without_the_right_token(client: TestClient, fake: FakeChecker, headers: dict[str, str]) -> None:
    r = client.post("/v1/check", content=MESSAGE, headers=headers)
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert fake.calls == []


def test_413_over_the_limit_by_content_length(client: TestClient, fake: FakeChecker) -> None:
    r = client.post("/v1/check", content=MESSAGE + b"x" * 2_000, headers=AUTH)
    assert r.status_code == 413
    assert r.json() == {"error": "too_large", "message": "the message is larger than the limit of 2000 bytes"}
    assert fake.calls == []


def test_413_over_the_limit_when_chunked(client: TestClient, fake: FakeChecker) -> None:
    # No Content-Length to trust: the body is counted as it streams in.
    def body() -> Iterator[bytes]:
        yield MESSAGE
        for _ in range(5):
            yield b"y" * 1_000

    r = client.post("/v1/check", content=body(), headers=AUTH)
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"
    assert fake.calls == []


@pytest.mark.parametrize("body, error", [(b"", "empty_message"), (b"\r\n  \r\n", "empty_message"),
                                         (b"just some words, no header\r\n", "not_a_message"),
                                         (b"From someone Sat Nov 28 2026\r\nbody\r\n", "not_a_message")])
def test_400_for_an_empty_or_headerless_body(client: TestClient, fake: FakeChecker, body: bytes, error: str) -> None:
    r = client.post("/v1/check", content=body, headers=AUTH)
    assert r.status_code == 400
    assert r.json()["error"] == error
    assert fake.calls == []


def test_400_for_a_bad_content_length(fake: FakeChecker) -> None:
    app = create_app(fake, TOKEN, max_bytes=2_000)
    with TestClient(app) as c:
        r = c.post("/v1/check", content=MESSAGE, headers={**AUTH, "Content-Length": "lots"})
    assert r.status_code == 400


def test_415_for_another_content_type(client: TestClient) -> None:
    r = client.post("/v1/check", content=MESSAGE, headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 415
    assert r.json()["error"] == "unsupported_media_type"
    ok = client.post("/v1/check", content=MESSAGE, headers={**AUTH, "Content-Type": "application/octet-stream"})
    assert ok.status_code == 200


def test_500_on_a_checker_failure_says_nothing_of_the_message(client: TestClient,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    body = MESSAGE.replace(b"Hello.", f"explode {SECRET_LINE}".encode())
    with caplog.at_level(logging.INFO, logger="dlp.presend.service"):
        r = client.post("/v1/check", content=body, headers=AUTH)
    assert r.status_code == 500
    assert r.json()["error"] == "check_failed"
    assert SASID_A not in r.text and "Alvarez" not in r.text
    # The log says what failed and where, not the exception's text.
    assert "ValueError" in caplog.text and "test_service.py" in caplog.text
    assert SASID_A not in caplog.text and "Alvarez" not in caplog.text


def test_healthz_needs_no_token_and_unknown_paths_are_json(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.get("/v1/check", headers=AUTH)
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_envelope_recipients_reach_the_checker(client: TestClient, fake: FakeChecker) -> None:
    r = client.post("/v1/check?rcpt=hidden@gmail.com&rcpt=x@vendor.example", content=MESSAGE, headers=AUTH)
    assert r.status_code == 200
    assert fake.calls[-1] == (MESSAGE, ("hidden@gmail.com", "x@vendor.example"))


def test_a_protocol_only_checker_is_called_without_envelope() -> None:
    class Plain:
        def check(self, raw: bytes, today: dt.date | None = None) -> Verdict:
            return Verdict(ALLOW)

    with TestClient(create_app(Plain(), TOKEN)) as c:
        assert c.post("/v1/check?rcpt=a@b.example", content=MESSAGE, headers=AUTH).json()["verdict"] == "allow"


def test_create_app_refuses_an_empty_token(fake: FakeChecker) -> None:
    with pytest.raises(ValueError):
        create_app(fake, "", 10)


# -- the command --


def test_serve_refuses_to_start_without_a_token(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DLP_TEST_TOKEN_NONE", raising=False)
    assert cli.main(["serve", "--token-env", "DLP_TEST_TOKEN_NONE"]) == 2
    assert "DLP_TEST_TOKEN_NONE" in capsys.readouterr().err
    monkeypatch.setenv("DLP_TEST_TOKEN_NONE", "short")
    assert cli.main(["serve", "--token-env", "DLP_TEST_TOKEN_NONE"]) == 2
    assert "shorter than" in capsys.readouterr().err


def test_serve_runs_uvicorn_with_one_checker(monkeypatch: pytest.MonkeyPatch, fake: FakeChecker) -> None:
    seen: dict[str, Any] = {}

    def run(app: Any, **kw: Any) -> None:
        # While "uvicorn" runs: the checks go to the forked check workers, which stop when it returns.
        seen.update(kw)
        with TestClient(app) as c:
            seen["verdict"] = c.post("/v1/check", content=MESSAGE, headers=AUTH).json()["verdict"]

    monkeypatch.setenv("DLP_SERVE_TOKEN", TOKEN)
    monkeypatch.setattr(service, "build_checker", lambda config, db, log_disclosures=True: fake)
    monkeypatch.setattr(uvicorn, "run", run)
    assert cli.main(["serve", "--port", "9999"]) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 9999
    assert seen["log_config"] is None and seen["access_log"] is False
    assert seen["verdict"] == "allow"


# -- a real server with the real checker --


class Server:
    """uvicorn on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        wait_until(lambda: bool(self.server.started), "uvicorn started", interval=0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="module")
def live(checker: Any) -> Iterator[str]:
    """The real PresendChecker (tests/presend/conftest.py) behind a real uvicorn server."""
    with Server(create_app(checker, TOKEN)) as url:
        yield url


BLOCKED = mail("parent@gmail.com", ROSTER_BODY, message_id="<svc-block@district.example>")
ALLOWED = mail("principal@district.example", "The staff meeting moves to Thursday.",
               message_id="<svc-allow@district.example>")
BLOCKED_93H = mail("benefits@insurer.example", MA_PI_TEXT, message_id="<svc-93h@district.example>")


def test_blocked_message_gets_the_verdict_object(live: str) -> None:
    r = httpx.post(f"{live}/v1/check", content=BLOCKED, headers=AUTH, timeout=60)
    assert r.status_code == 200
    body = r.json()
    assert body["verdict"] == "block"
    assert [x["rule"] for x in body["reasons"]] == ["personal-account"]
    assert body["recipients"] == [{"address": "parent@gmail.com", "kind": "personal"}]
    assert "STUDENT_PII" in body["classifications"] and body["subjects"] >= 2
    assert set(body) >= {"verdict", "reasons", "recipients", "classifications", "subjects", "encrypted",
                         "authorization"}
    # The reasons name facts, never a value.
    assert SASID_A not in r.text


def test_allowed_message_gets_the_verdict_object(live: str) -> None:
    r = httpx.post(f"{live}/v1/check", content=ALLOWED, headers=AUTH, timeout=60)
    assert r.status_code == 200
    body = r.json()
    assert body["verdict"] == "allow" and body["reasons"] == []
    assert body["recipients"] == [{"address": "principal@district.example", "kind": "internal"}]


def test_hidden_bcc_from_the_envelope_is_judged(live: str) -> None:
    internal = mail("principal@district.example", ROSTER_BODY, message_id="<svc-bcc@district.example>")
    r = httpx.post(f"{live}/v1/check", params={"rcpt": ["principal@district.example", "me@gmail.com"]},
                   content=internal, headers=AUTH, timeout=60)
    assert r.json()["verdict"] == "block"


def test_errors_from_the_real_server(live: str) -> None:
    assert httpx.post(f"{live}/v1/check", content=ALLOWED, timeout=10).status_code == 401
    assert httpx.post(f"{live}/v1/check", content=b"", headers=AUTH, timeout=10).status_code == 400
    assert httpx.get(f"{live}/healthz", timeout=10).json() == {"status": "ok"}


def test_sixteen_concurrent_clients_all_get_correct_answers(live: str) -> None:
    cases = [(BLOCKED, "block"), (ALLOWED, "allow"), (BLOCKED_93H, "block")]

    def client(n: int) -> list[tuple[str, str]]:
        answers = []
        with httpx.Client(base_url=live, headers=AUTH, timeout=120) as c:
            for i in range(3):
                raw, expected = cases[(n + i) % len(cases)]
                r = c.post("/v1/check", content=raw)
                assert r.status_code == 200, r.text
                answers.append((r.json()["verdict"], expected))
        return answers

    barrier = threading.Barrier(16)

    def start_together(n: int) -> list[tuple[str, str]]:
        barrier.wait(30)  # all 16 connect at once, so the checks really overlap
        return client(n)

    with ThreadPoolExecutor(16) as pool:
        results = [a for answers in pool.map(start_together, range(16)) for a in answers]
    assert len(results) == 48
    assert all(got == expected for got, expected in results), results
