"""The pre-send commands of the CLI: ``check``, ``authorizations import``, ``disclosures``, ``protect``.

``dlp/cli.py`` only declares their arguments (:func:`add_arguments`) and calls :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from dlp.errors import ConfigError

EXIT_INTERNAL = 1


def add_arguments(sub: Any, common: argparse.ArgumentParser) -> None:
    """Declare the pre-send subcommands on the CLI's subparsers."""
    check = sub.add_parser("check", parents=[common],
                           help="pre-send check of one message: exit 0 allow, 10 warn, 20 block")
    check.add_argument("message", metavar="MESSAGE.eml", help="the raw RFC 5322 message ('-' reads standard input)")
    check.add_argument("--json", action="store_true", help="print the contract's JSON object")
    check.add_argument("--rcpt", action="append", default=[], metavar="ADDRESS",
                       help="an envelope recipient (RCPT TO) besides the headers' (repeatable)")
    check.add_argument("--no-log", action="store_true",
                       help="do not record allowed disclosures in the store (a dry run)")

    auth = sub.add_parser("authorizations", parents=[common], help="authorizations: import the office's spreadsheet")
    auth.add_argument("action", choices=["import"])
    auth.add_argument("file", metavar="FILE.csv", help="columns id, kind, party, recipients, data_categories, "
                                                       "students, effective, expires")
    auth.add_argument("--output", metavar="FILE.toml",
                      help="the TOML file to write (default: authorizations_file, else $DLP_HOME/authorizations.toml)")

    disc = sub.add_parser("disclosures", parents=[common], help="the record of disclosures of one student")
    disc.add_argument("--student", required=True, metavar="ID", help="the student's SASID or local ID")
    disc.add_argument("--json", action="store_true", help="one JSON object per line")

    protect = sub.add_parser("protect", parents=[common],
                             help="pack files into an AES-256 zip with a generated passphrase")
    protect.add_argument("files", nargs="+", metavar="FILE")
    protect.add_argument("--output", default="protected.zip", help="the zip to write (default: protected.zip)")


def run(args: argparse.Namespace) -> int:
    """Run one pre-send command; return its exit code. ConfigError goes to the caller (exit 2)."""
    if args.command == "check":
        return _check(args)
    if args.command == "authorizations":
        return _authorizations(args)
    if args.command == "disclosures":
        return _disclosures(args)
    return _protect(args)


def _settings_and_key(args: argparse.Namespace) -> tuple[Any, bytes]:
    from dlp import config as config_mod
    from dlp.detect.values import load_or_create_key

    settings = config_mod.load(args.config)
    if getattr(args, "db", None):
        settings = settings.with_overrides(store={"db": args.db})
    try:
        key = load_or_create_key(settings.store.key_path())
    except PermissionError as exc:
        raise ConfigError(str(exc)) from None
    return settings, key


def _check(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from dlp.presend.check import PresendChecker

    try:
        raw = sys.stdin.buffer.read() if args.message == "-" else Path(args.message).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"message file {args.message} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"message file {args.message} cannot be read ({exc.strerror})") from None
    why = not_a_message(raw)
    if why is not None:
        # As the HTTP service answers 400: a verdict on what is not a message would be a guess.
        raise ConfigError(f"{args.message} is not a message: {why}")
    settings, key = _settings_and_key(args)
    checker = PresendChecker(settings, key, log_disclosures=not args.no_log)
    try:
        verdict = checker.check(raw, envelope_recipients=args.rcpt)
    except SQLAlchemyError as exc:
        # The disclosure could not be recorded: the transfer must not pass unrecorded.
        print(f"error: the disclosure log cannot be written ({type(exc).__name__}); check --db / [store] db",
              file=sys.stderr)
        return EXIT_INTERNAL
    if args.json:
        print(json.dumps(verdict.to_dict()))
    else:
        count = len(verdict.recipients)
        print(f"{verdict.verdict.upper()}: {count} recipient{'' if count == 1 else 's'}, "
              f"{', '.join(verdict.classifications) or 'no PI found'}"
              + (f", {verdict.subjects} people" if verdict.subjects else "")
              + (", encrypted" if verdict.encrypted else "")
              + (f", under {verdict.authorization}" if verdict.authorization else ""))
        for reason in verdict.reasons:
            print(f"  [{reason.rule}] {reason.message}")
        for r in verdict.recipients:
            print(f"  {r.kind:<11} {r.address}")
    return verdict.exit_code


def not_a_message(raw: bytes) -> str | None:
    """Why ``raw`` is not an RFC 5322 message, or None when it starts like one.

    The same test as the HTTP service's (``dlp serve`` answers 400 ``not_a_message``): the first line
    must be a header field, ``Name: value``, whose name is printable ASCII without spaces. A CSV, random
    bytes or an mbox file (its ``From `` line is not a field) fail it.
    """
    if not raw.strip():
        return "it is empty"
    first = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    name, colon, _ = first.partition(b":")
    if not colon or not name or not all(33 <= b <= 126 for b in name):
        return "it does not start with RFC 5322 header fields (Name: value)"
    return None


# A student ID as the SIS and the disclosure log write it: a SASID (10 digits) or a local ID with at least
# four digits, optionally with a letter prefix and separators (S-204518).
_STUDENT_ID = re.compile(r"[A-Za-z]{0,4}[- ]?(?=(?:\D*\d){4})[0-9][0-9 -]{2,18}[0-9]")


def _authorizations(args: argparse.Namespace) -> int:
    from dlp.config import data_home
    from dlp.presend.authorizations import import_csv

    settings, key = _settings_and_key(args)
    if args.output:
        output = Path(args.output)
    elif settings.authorizations_file:
        output = Path(settings.authorizations_file).expanduser()
    else:
        output = data_home() / "authorizations.toml"
    summary = import_csv(Path(args.file), output, key)
    for line in summary.lines():
        print(line)
    if str(output) != settings.authorizations_file:
        print(f'  to use it: authorizations_file = "{output}" in the config')
    return 0


def _disclosures(args: argparse.Namespace) -> int:
    from dlp.presend.check import hashes_for_student
    from dlp.presend.disclosures import DisclosureLog
    from dlp.store.db import Store

    if not _STUDENT_ID.fullmatch(args.student.strip()):
        raise ConfigError(f"--student {args.student!r} is not a student ID; give the SASID (10 digits) or "
                          "the local ID (digits, e.g. 204518 or S-204518)")
    settings, key = _settings_and_key(args)
    hashes = hashes_for_student(key, settings.detect.roster_path(), args.student)
    store = Store(settings.store.url())
    try:
        rows = DisclosureLog(store.engine).for_students(hashes)
    finally:
        store.close()
    if args.json:
        for d in rows:
            print(json.dumps({"date": d.disclosed_on.isoformat(), "recipient": d.recipient, "party": d.party,
                              "authorization": d.authorization, "kind": d.authorization_kind,
                              "data_categories": list(d.data_categories), "message_id": d.message_id,
                              "verdict": d.verdict}))
        return 0
    print(f"{len(rows)} disclosure{'' if len(rows) == 1 else 's'} of this student's records")
    for d in rows:
        print(f"  {d.disclosed_on}  {d.recipient}  ({d.party or '-'}; {d.authorization or '-'} "
              f"{d.authorization_kind or ''})  categories: {', '.join(d.data_categories) or '-'}"
              f"  message: {d.message_id or '-'}")
    return 0


def _protect(args: argparse.Namespace) -> int:
    from dlp.presend.protect import protect

    output = Path(args.output)
    passphrase, count = protect([Path(f) for f in args.files], output)
    print(f"wrote {output}: {count} files, AES-256")
    print(f"passphrase: {passphrase}")
    print("Send the passphrase by another channel (phone, text message), never in the same e-mail; "
          "it is not shown again.")
    return 0
