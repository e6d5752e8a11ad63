"""The gate behind a real Postfix (issue 14, item 1): the before-queue proxy, real SMTP, loopback only.

Postfix runs as a private instance (its config, queue and mail in a temporary folder) with
``smtpd_proxy_filter`` pointing at the DLP filter, which relays to a second ``smtpd`` that queues. "The
Internet" is Postfix's virtual delivery into local Maildirs, one per address. Checked: blocked mail is a
550 at SMTP time and ends nowhere (no Maildir, no bounce to the sender); allowed mail is delivered; an
internal-looking address that routes outside is refused; a stopped filter defers (451) and loses nothing.

Skipped when Postfix is not installed (Debian: ``apt-get install postfix``; .ci/run installs it) or the
tests do not run as root (Postfix's master runs as root and drops to its own account).
"""

from __future__ import annotations

import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dlp.presend.smtp import FilterOptions, start
from tests.presend.conftest import NOTICE, ROSTER_BODY, SASID_A, mail
from tests.presend.test_smtp import crlf, free_port

pytestmark = [
    pytest.mark.skipif(shutil.which("postfix") is None, reason="Postfix is not installed (apt-get install postfix)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="a private Postfix instance needs root to start"),
]

SENDER = "teacher@district.example"
DOMAINS = ("district.example", "dese.example", "unknown-vendor.example", "gmail.com")
ALLOWED = "data@dese.example"  # the law authorization LAW-DESE runs to 2030: the filter checks with today's date
ADDRESSES = (ALLOWED, SENDER, "principal@district.example", "parent@gmail.com", "ops@unknown-vendor.example")
DELIVERY_WAIT = 60.0  # seconds for the queue manager to hand a message to the virtual agent


class Postfix:
    """A private Postfix: submission smtpd (proxied to the filter), re-injection smtpd, virtual Maildirs."""

    def __init__(self, root: Path, filter_port: int) -> None:
        self.root = root
        self.conf = root / "conf"
        self.mail = root / "mail"
        self.port = free_port()
        self.reinject_port = free_port()
        self.filter_port = filter_port
        nobody = pwd.getpwnam("nobody")
        for d in (self.conf, self.mail, root / "queue", root / "data"):
            d.mkdir(parents=True, exist_ok=True)
        os.chown(self.mail, nobody.pw_uid, nobody.pw_gid)
        os.chown(root / "data", pwd.getpwnam("postfix").pw_uid, -1)
        # One Maildir per known address, one catch-all per domain (virtual(8) allows no regexp substitution).
        (self.conf / "vmailbox").write_text("".join(
            [f"{a} {a.partition('@')[2]}/{a.partition('@')[0]}/\n" for a in ADDRESSES]
            + [f"@{d} {d}/catch-all/\n" for d in DOMAINS]))
        main = {
            "compatibility_level": "3.6",
            "queue_directory": root / "queue",
            "data_directory": root / "data",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "mx.district.example",
            "mydomain": "district.example",
            "myorigin": "district.example",
            "mydestination": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "relayhost": "",
            "smtputf8_enable": "no",
            "biff": "no",
            "maillog_file": root / "maillog",
            "maillog_file_prefixes": root,
            # The gate's settings (README): no address rewriting that would route past the check.
            "allow_percent_hack": "no",
            "swap_bangpath": "no",
            "virtual_mailbox_domains": " ".join(DOMAINS),
            "virtual_mailbox_base": self.mail,
            "virtual_mailbox_maps": f"texthash:{self.conf / 'vmailbox'}",
            "virtual_uid_maps": f"static:{nobody.pw_uid}",
            "virtual_gid_maps": f"static:{nobody.pw_gid}",
            "virtual_minimum_uid": "1",
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "meta_directory": "/etc/postfix",
            "shlib_directory": "no",
        }
        (self.conf / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in main.items()))
        master = Path("/etc/postfix/master.cf.proto" if Path("/etc/postfix/master.cf.proto").exists()
                      else "/etc/postfix/master.cf").read_text()
        master = "\n".join(line for line in master.splitlines() if not line.startswith("smtp      inet"))
        master += (
            f"\n127.0.0.1:{self.port} inet n - n - - smtpd\n"
            f"  -o smtpd_proxy_filter=127.0.0.1:{filter_port}\n  -o smtpd_proxy_timeout=180s\n"
            f"127.0.0.1:{self.reinject_port} inet n - n - - smtpd\n"
            "  -o smtpd_proxy_filter=\n  -o smtpd_authorized_xforward_hosts=127.0.0.0/8\n"
        )
        (self.conf / "master.cf").write_text(master)
        # No chroot: a chrooted daemon would need copies of /etc files inside the temporary queue.
        subprocess.run(["postconf", "-c", str(self.conf), "-F", "*/*/chroot = n"], check=True, timeout=30)

    def postfix(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["postfix", "-c", str(self.conf), *args], capture_output=True, text=True, timeout=60)

    def start(self) -> None:
        done = self.postfix("start")
        if done.returncode != 0:
            pytest.skip(f"Postfix did not start: {(done.stdout + done.stderr)[-500:]}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("Postfix did not listen: " + self.log())

    def stop(self) -> None:
        self.postfix("stop")

    def log(self) -> str:
        path = self.root / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def delivered(self, address: str) -> list[bytes]:
        local, _, domain = address.partition("@")
        folder = self.mail / domain / (local if address in ADDRESSES else "catch-all") / "new"
        return [p.read_bytes() for p in sorted(folder.iterdir())] if folder.is_dir() else []

    def all_mail(self) -> list[Path]:
        return [p for p in self.mail.rglob("*") if p.is_file()]

    def queue_empty(self) -> bool:
        queue = self.root / "queue"
        return not any(p.is_file() for d in ("incoming", "active", "deferred", "maildrop")
                       for p in (queue / d).rglob("*"))

    def wait_delivered(self, address: str, containing: bytes = b"") -> list[bytes]:
        """The mail delivered to ``address``, once some (with ``containing``: one that holds those bytes) is."""
        deadline = time.monotonic() + DELIVERY_WAIT
        while time.monotonic() < deadline:
            found = self.delivered(address)
            if found and any(containing in m for m in found):
                return found
            time.sleep(0.1)
        raise AssertionError(f"nothing delivered to {address}: {self.log()[-3000:]}")

    def wait_idle(self) -> None:
        deadline = time.monotonic() + DELIVERY_WAIT
        while time.monotonic() < deadline and not self.queue_empty():
            time.sleep(0.1)

    def send(self, to: list[str], raw: bytes) -> dict[str, Any]:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=180) as client:
            return client.sendmail(SENDER, to, crlf(raw))


@pytest.fixture(scope="module")
def postfix(checker: Any) -> Iterator[tuple[Postfix, Any]]:
    root = Path(tempfile.mkdtemp(prefix="dlp-postfix-"))
    os.chmod(root, 0o755)  # the virtual agent (nobody) and Postfix's own account walk into it
    filter_port = free_port()
    server = Postfix(root, filter_port)
    running = list(start(checker, ("127.0.0.1", filter_port), FilterOptions(next_hop_port=server.reinject_port)))
    server.start()
    try:
        yield server, running
    finally:
        server.stop()
        if running:
            running[0].stop()
            running[1].close()
        shutil.rmtree(root, ignore_errors=True)


def test_allowed_mail_is_delivered(postfix: tuple[Postfix, Any]) -> None:
    server, _ = postfix
    raw = mail(ALLOWED, ROSTER_BODY + NOTICE, message_id="<pf-allow@district.example>")
    assert server.send([ALLOWED], raw) == {}
    [delivered] = server.wait_delivered(ALLOWED)
    assert b"<pf-allow@district.example>" in delivered


def test_blocked_mail_is_a_550_and_ends_nowhere(postfix: tuple[Postfix, Any]) -> None:
    server, _ = postfix
    before = set(server.all_mail())
    raw = mail("parent@gmail.com", ROSTER_BODY, message_id="<pf-block@district.example>")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        server.send(["parent@gmail.com"], raw)
    assert refused.value.smtp_code == 550
    assert b"personal-account" in refused.value.smtp_error
    server.wait_idle()
    new = set(server.all_mail()) - before
    # Nothing delivered anywhere: not to the personal account, and no bounce to the sender with the content.
    assert not [p for p in new if SASID_A.encode() in p.read_bytes()]
    assert server.delivered("parent@gmail.com") == [] and server.delivered(SENDER) == []


def test_mixed_recipients_550_names_the_blocked_one(postfix: tuple[Postfix, Any]) -> None:
    server, _ = postfix
    raw = mail(["principal@district.example", "parent@gmail.com"], ROSTER_BODY,
               message_id="<pf-mixed@district.example>")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        server.send(["principal@district.example", "parent@gmail.com"], raw)
    assert refused.value.smtp_code == 550 and b"parent@gmail.com" in refused.value.smtp_error
    server.wait_idle()
    assert server.delivered("principal@district.example") == []


def test_an_internal_looking_address_that_routes_outside_is_refused(postfix: tuple[Postfix, Any]) -> None:
    server, _ = postfix
    to = "ops%unknown-vendor.example@district.example"
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPRecipientsRefused)):
        server.send([to], mail(to, ROSTER_BODY + NOTICE, message_id="<pf-percent@district.example>"))
    server.wait_idle()
    assert not [p for p in server.all_mail() if b"<pf-percent@district.example>" in p.read_bytes()]


def test_a_stopped_filter_defers_and_loses_nothing(postfix: tuple[Postfix, Any], checker: Any) -> None:
    server, running = postfix
    controller, handler = running
    controller.stop()
    handler.close()
    running.clear()
    raw = mail(ALLOWED, ROSTER_BODY + NOTICE, message_id="<pf-down@district.example>")
    with pytest.raises((smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException)) as deferred:
        server.send([ALLOWED], raw)
    error = deferred.value
    codes = ([c for c, _ in error.recipients.values()] if isinstance(error, smtplib.SMTPRecipientsRefused)
             else [error.smtp_code])
    assert codes and all(400 <= c < 500 for c in codes), codes  # the sender's server keeps it, tries again
    server.wait_idle()
    assert not [p for p in server.all_mail() if b"<pf-down@district.example>" in p.read_bytes()]
    # Once the filter is back, the same message goes through.
    running.extend(start(checker, ("127.0.0.1", server.filter_port), FilterOptions(next_hop_port=server.reinject_port)))
    assert server.send([ALLOWED], raw) == {}
    # Earlier tests delivered to the same mailbox: wait for this message, not for any.
    assert any(b"<pf-down@district.example>" in m
               for m in server.wait_delivered(ALLOWED, containing=b"<pf-down@district.example>"))
