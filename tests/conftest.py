"""Fixtures for every test: the network guard (tests/helpers/net.py).

Any connection a test opens to somewhere other than this machine (127.0.0.0/8, ::1, localhost, Unix
sockets) is refused when it is attempted and fails the test when it ends, even if the code under test
caught the error.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.net import NetworkGuard


@pytest.fixture(scope="session", autouse=True)
def _network_guard() -> Iterator[NetworkGuard]:
    guard = NetworkGuard()
    guard.install()
    yield guard
    guard.uninstall()


@pytest.fixture(autouse=True)
def _no_connection_off_this_machine(_network_guard: NetworkGuard) -> Iterator[None]:
    _network_guard.take()  # an earlier test's background thread is not this test's doing
    yield
    refused = _network_guard.take()
    if refused:
        pytest.fail(f"the test tried to connect off this machine: {', '.join(refused)}", pytrace=False)
