"""Fixtures for every test: the network guard (tests/helpers/net.py), and the address-space limit put back.

Any connection a test opens to somewhere other than this machine (127.0.0.0/8, ::1, localhost, Unix
sockets) is refused when it is attempted and fails the test when it ends, even if the code under test
caught the error.
"""

from __future__ import annotations

import resource
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


# The limit pytest started with: a module-scoped fixture may set a worker's limit before a test begins.
_ADDRESS_SPACE = resource.getrlimit(resource.RLIMIT_AS)


@pytest.fixture(autouse=True)
def _address_space_limit_restored() -> Iterator[None]:
    """A test or fixture that runs a worker initializer in the test process (``init_worker``) sets the
    worker's address-space limit on pytest itself; every later subprocess would inherit it (headless
    Chromium's V8 then dies with SIGTRAP on its first large reservation). Each test starts and ends with the
    limit pytest started with."""
    if resource.getrlimit(resource.RLIMIT_AS) != _ADDRESS_SPACE:
        resource.setrlimit(resource.RLIMIT_AS, _ADDRESS_SPACE)
    yield
    if resource.getrlimit(resource.RLIMIT_AS) != _ADDRESS_SPACE:
        resource.setrlimit(resource.RLIMIT_AS, _ADDRESS_SPACE)
