"""Free loopback ports, and the network guard: no test may open a connection off this machine.

The tests' servers (Samba, the SMTP sinks, the Google and Graph emulators, PostgreSQL, Dask) all listen on
127.0.0.1 or a Unix socket. A test that reaches anything else depends on a network CI does not have, or
sends traffic where it must not; the guard makes such a test fail at once, naming the address.

The guard wraps ``connect``, ``connect_ex`` and ``sendto`` of :class:`socket.socket` (``create_connection``,
``asyncio``, ``ssl``, ``smtplib`` and the HTTP clients all come through them) in this process, and in
processes forked from it. A subprocess started with ``subprocess`` or ``spawn`` runs unguarded (it does not
inherit the patch), so tests that run the real command line are not affected.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_local(family: int, address: Any) -> bool:
    """Whether ``address`` (as passed to ``connect``) stays on this machine.

    Unix sockets and other non-IP families (netlink ...) do; for IPv4 and IPv6, loopback addresses
    (127.0.0.0/8, ::1, their IPv4-mapped forms), the unspecified address (which Linux routes to this
    host) and the names ``localhost`` / ``*.localhost``. Any other name counts as remote: resolving it
    could itself go to the network, and a test has no business naming another host.
    """
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0]  # an IPv6 scope (fe80::1%eth0) is not part of the address
    if host.lower() in LOOPBACK_NAMES or host.lower().endswith(".localhost") or host == "":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_loopback or ip.is_unspecified


class NonLocalConnection(RuntimeError):
    """Raised in place of a connection off this machine (not an OSError, so that retry loops that treat
    OSError as a passing network fault do not swallow it)."""


class NetworkGuard:
    """Refuses connections off this machine and remembers them, so that a test that caught the error
    still fails when it ends.

    ``real`` maps each wrapped method name to the method it wraps (the socket module's own ones by
    default; a test of the guard passes stand-ins, so that nothing is sent if the guard fails).
    """

    METHODS = ("connect", "connect_ex", "sendto")

    def __init__(self, real: dict[str, Callable[..., Any]] | None = None) -> None:
        self.real = real if real is not None else {name: getattr(socket.socket, name) for name in self.METHODS}
        self.refused: list[str] = []
        self._lock = threading.Lock()
        self._replaced: dict[str, Any] | None = None  # socket.socket's own entries, while installed

    def check(self, sock: socket.socket, address: Any) -> None:
        """Raise :class:`NonLocalConnection` (and remember it) if ``address`` is off this machine."""
        if is_local(sock.family, address):
            return
        text = f"{address!r} ({socket.AddressFamily(sock.family).name})"
        with self._lock:
            self.refused.append(text)
        raise NonLocalConnection(f"a test tried to reach {text}: tests may only use 127.0.0.1, ::1, "
                                 "localhost or Unix sockets")

    def wrappers(self) -> dict[str, Callable[..., Any]]:
        """The guarded methods, each checking the address before calling the real one."""
        guard = self
        real = self.real

        def connect(sock: socket.socket, address: Any) -> None:
            guard.check(sock, address)
            real["connect"](sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            guard.check(sock, address)
            return int(real["connect_ex"](sock, address))

        def sendto(sock: socket.socket, data: Any, *args: Any) -> int:
            guard.check(sock, args[-1])  # sendto(data, address) or sendto(data, flags, address)
            return int(real["sendto"](sock, data, *args))

        return {"connect": connect, "connect_ex": connect_ex, "sendto": sendto}

    def install(self) -> None:
        """Put the guarded methods on :class:`socket.socket` (and so on its subclasses: ssl, asyncio)."""
        if self._replaced is None:
            self._replaced = {name: vars(socket.socket).get(name) for name in self.METHODS}
            for name, wrapper in self.wrappers().items():
                setattr(socket.socket, name, wrapper)

    def uninstall(self) -> None:
        """Leave :class:`socket.socket` as it was (its methods inherited from ``_socket.socket`` again)."""
        if self._replaced is not None:
            for name, own in self._replaced.items():
                if own is None:
                    delattr(socket.socket, name)
                else:
                    setattr(socket.socket, name, own)
            self._replaced = None

    def take(self) -> list[str]:
        """What was refused since the last call, and forget it."""
        with self._lock:
            refused, self.refused = self.refused, []
        return refused
