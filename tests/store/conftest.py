"""A real PostgreSQL for the store tests: initdb in a temp dir, listening only on a unix socket there.

Skipped with a message when the PostgreSQL server binaries are not installed
(``apt-get install postgresql`` provides them). As root (``.ci/run``), the server runs as the
``postgres`` user through ``runuser``, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PORT = 55439  # only names the socket file (.s.PGSQL.PORT); TCP is off


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The directory of the server's socket; the server is stopped at the end of the session."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); "
                    "apt-get install postgresql to run the PostgreSQL store tests")
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server as")
    # Short path: a unix socket path must stay under 107 characters.
    base = Path(tempfile.mkdtemp(prefix="dlp-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data = base / "data"
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                 "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True)
    options = (f"-c listen_addresses='' -c port={PORT} -c unix_socket_directories={base} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"),
                                 "-w", "-t", "30", "-o", options, "start"]), check=True, capture_output=True)
    try:
        yield str(base)
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Callable[[], str]:
    """Makes a new empty database on the test server and returns its ``postgresql://`` URL."""
    import psycopg

    def make() -> str:
        name = f"dlp_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=pg_server, port=PORT, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@/{name}?host={pg_server}&port={PORT}"

    return make
