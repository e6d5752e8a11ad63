"""The network guard (tests/conftest.py, tests/helpers/net.py) fails a test that connects off this machine.

Nothing here sends a packet off the machine even if the guard were broken: the off-machine attempts are
UDP ``connect`` calls (which only set a default destination) or go to stand-ins for the real methods.
The address used, 192.0.2.1, is in TEST-NET-1 (RFC 5737), which is never routed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.net import NetworkGuard, NonLocalConnection, is_local

ROOT = Path(__file__).resolve().parent.parent
OFF = "192.0.2.1"


@pytest.mark.parametrize("family, address, local", [
    (socket.AF_INET, ("127.0.0.1", 25), True),
    (socket.AF_INET, ("127.3.4.5", 25), True),
    (socket.AF_INET, ("localhost", 8786), True),
    (socket.AF_INET, ("LOCALHOST", 8786), True),
    (socket.AF_INET, ("0.0.0.0", 80), True),
    (socket.AF_INET6, ("::1", 25, 0, 0), True),
    (socket.AF_INET6, ("::ffff:127.0.0.1", 25, 0, 0), True),
    (socket.AF_UNIX, "/tmp/.s.PGSQL.5432", True),
    (socket.AF_UNIX, b"\0abstract", True),
    (socket.AF_INET, (OFF, 25), False),
    (socket.AF_INET, ("10.0.0.5", 8786), False),
    (socket.AF_INET, ("192.168.1.10", 445), False),
    (socket.AF_INET, ("smtp.example.org", 25), False),
    (socket.AF_INET, ("localhost.example.org", 25), False),
    (socket.AF_INET6, ("2001:db8::1", 25, 0, 0), False),
    (socket.AF_INET6, ("::ffff:192.0.2.1", 25, 0, 0), False),
    (socket.AF_INET6, ("fe80::1%eth0", 25, 0, 2), False),
])  # fmt: skip
def test_what_counts_as_this_machine(family: int, address: Any, local: bool) -> None:
    assert is_local(family, address) is local


def test_an_off_machine_address_never_reaches_the_real_method() -> None:
    calls: list[tuple[str, Any]] = []

    def stand_in(name: str) -> Any:
        def real(sock: socket.socket, *args: Any) -> int:
            calls.append((name, args[-1]))
            return 0
        return real

    guard = NetworkGuard({name: stand_in(name) for name in NetworkGuard.METHODS})
    wrapped = guard.wrappers()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        for name, args in (("connect", ((OFF, 25),)), ("connect_ex", ((OFF, 25),)),
                           ("sendto", (b"x", (OFF, 53))), ("sendto", (b"x", 0, (OFF, 53)))):
            with pytest.raises(NonLocalConnection, match=OFF):
                wrapped[name](sock, *args)
        assert calls == []
        assert len(guard.take()) == 4 and guard.take() == []
        wrapped["connect"](sock, ("127.0.0.1", 25))
        wrapped["sendto"](sock, b"x", ("::1", 53, 0, 0))
    assert calls == [("connect", ("127.0.0.1", 25)), ("sendto", ("::1", 53, 0, 0))]
    assert guard.take() == []


def test_the_guard_is_on_in_this_session(_network_guard: NetworkGuard) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(NonLocalConnection):
        udp.connect((OFF, 9))
    # Taken here, so that this test does not fail at its end as the next one shows.
    assert [OFF in text for text in _network_guard.take()] == [True]
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=30).close()


INNER = '''
import socket
import subprocess
import sys


def _udp_off():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.connect(("{off}", 9))


def test_reaches_off():
    _udp_off()


def test_reaches_off_and_swallows_the_error():
    try:
        _udp_off()
    except Exception:
        pass


def test_stays_on_loopback():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=30).close()


def test_a_subprocess_runs_unguarded():
    code = "import socket, _socket; assert socket.socket.connect is _socket.socket.connect"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
'''


def test_a_test_that_connects_off_the_machine_fails_and_others_do_not(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import _network_guard, _no_connection_off_this_machine  # noqa: F401\n")
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER.format(off=OFF)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    assert "FAILED test_inner.py::test_reaches_off - " in out
    assert "ERROR test_inner.py::test_reaches_off_and_swallows_the_error - " in out
    assert "PASSED test_inner.py::test_stays_on_loopback" in out
    assert "PASSED test_inner.py::test_a_subprocess_runs_unguarded" in out
    assert "tried to connect off this machine" in out and OFF in out
