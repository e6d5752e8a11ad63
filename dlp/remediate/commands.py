"""The ``remediate`` command (CONTRACT.md section 8).

``remediate [--rule RULE] [--source NAME] (--dry-run | --apply) [--json]`` plans (a dry run, the default)
or carries out the actions for the stored items a rule flags; ``remediate --undo RUN_ID`` reverses an
applied run where the source allows. Every action is a row in the store, written as it happens. Exit 0
done, 2 usage, 6 some actions failed (each is named).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from dlp.access.exposure import BroadGroups
from dlp.config import Settings
from dlp.errors import ConfigError, DlpError
from dlp.remediate import Flagged, RemediationError, Step, Target
from dlp.remediate.select import RULES, rules_of
from dlp.store import remediations as records
from dlp.store.db import Store

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_FAILED = 6

#: What a target's failure may raise: its own error, a file system's, a connector's (SMB unreachable).
FAILURES: tuple[type[BaseException], ...] = (RemediationError, OSError, DlpError)


def add_arguments(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``remediate``."""
    p = sub.add_parser(
        "remediate", parents=[common],
        help="fix what a rule flagged: remove Drive sharing, broad file access, or quarantine (dry run by default)",
        description="Plan (a dry run, the default: nothing changes), carry out (--apply) or reverse (--undo)\n"
                    "the actions for the stored items a rule flagged:\n"
                    "  Drive              the file loses its public link and outside permissions\n"
                    "  SMB and local      broad-access takes the broad grant off the file (remove_ace),\n"
                    "                     or moves it to quarantine (--file-action quarantine);\n"
                    "                     former-staff-access moves it to quarantine\n"
                    "  Gmail, Microsoft   reported only: mail is never changed\n"
                    "Every action is recorded in the store with its state before and after.\n"
                    "Exit 0 done, 2 usage, 6 some actions failed (each is named).",
        epilog="examples:\n"
               "  dlp remediate --rule broad-access                  print the plan\n"
               "  dlp remediate --rule broad-access --apply --by analyst1\n"
               "  dlp remediate --undo 12                            put run 12's changes back\n",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rule", help=f"only items this rule flagged ({', '.join(RULES)}); default: all of them")
    p.add_argument("--source", help="only this source (a [sources.NAME], a scanned path, or a store source key)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the plan and change nothing (the default)")
    mode.add_argument("--apply", action="store_true", help="carry out the plan")
    mode.add_argument("--undo", type=int, metavar="RUN_ID", help="reverse the actions of an applied run")
    p.add_argument("--file-action", choices=("remove_ace", "quarantine"),
                   help="what broad-access does to an SMB or local file: take the broad grant away, or move the "
                        "file to quarantine (default: [remediate] file_action, else remove_ace)")
    p.add_argument("--by", help="who is running it, for the record (default: the account running the command)")
    p.add_argument("--json", action="store_true", help="print the run as one JSON object")


def run(args: argparse.Namespace) -> int:
    """Run ``remediate``; returns the exit code."""
    from dlp.report.commands import open_store

    settings, store = open_store(args)
    if args.file_action:
        settings = settings.with_overrides(remediate={"file_action": args.file_action})
    by = args.by or _whoami()
    targets = _Targets(settings)
    try:
        if args.undo is not None:
            if args.rule or args.source:
                raise ConfigError("--undo reverses a whole run; it takes no --rule or --source")
            result = undo(store, targets, args.undo, by)
        else:
            result = remediate(store, settings, targets, by, rule=args.rule, source=args.source, apply=args.apply)
    finally:
        targets.close()
        store.close()
    _print(result, args.json)
    return EXIT_FAILED if result["failed"] else EXIT_OK


def _whoami() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


class _Targets:
    """One target per source key, made on first use; a source that cannot be reached gives its reason."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._made: dict[str, Target | str] = {}

    def get(self, source: str) -> Target | str:
        """The target of a stored source key, or why there is none."""
        if source not in self._made:
            try:
                self._made[source] = self._make(source)
            except ConfigError as exc:
                self._made[source] = str(exc)
        return self._made[source]

    def _make(self, source: str) -> Target | str:
        kind = source.split(":", 1)[0]
        if kind == "local":
            from dlp.remediate import local

            return local.target(self.settings, source)
        if kind in ("gmail", "graph"):
            from dlp.remediate.mail import MailReport

            return MailReport()
        if kind == "gdrive":
            from dlp.remediate.gdrive import DriveTarget, options_for

            opts = options_for(self.settings, source)
            if opts is None:
                return "no [sources.NAME] of type gdrive in the config has this source's users and endpoint"
            return DriveTarget(self.settings, opts)
        if kind == "smb":
            from connectors.base import for_source
            from connectors.smb import SmbConnector
            from dlp.remediate import smb

            for name, conf in self.settings.sources.items():
                if conf.type == "smb":
                    connector = for_source(name, self.settings)
                    if isinstance(connector, SmbConnector) and connector.source_key == source:
                        return smb.target(self.settings, connector)
            return "no [sources.NAME] of type smb in the config has this host, share and path"
        return f"sources of kind {kind!r} cannot be remediated"

    def close(self) -> None:
        """Close every target made."""
        for made in self._made.values():
            if isinstance(made, Target):
                made.close()


def resolve_source(name: str, settings: Settings, store: Store) -> str:
    """The store key of ``--source``: a named source, a scanned path, or a key as stored."""
    from dlp.report.data import source_keys

    if name in settings.sources:
        from connectors.base import for_source

        return for_source(name, settings).source_key
    keys = source_keys(store)
    if name in keys:
        return name
    if os.path.exists(name) and f"local:{os.path.realpath(name)}" in keys:
        return f"local:{os.path.realpath(name)}"
    raise ConfigError(f"--source {name!r}: not a [sources.NAME] of the config nor a source in the store")


def flagged_items(store: Store, broad: BroadGroups, rule: str | None, source: str | None) -> list[Flagged]:
    """Items a rule flagged (one entry per item, under the first rule in :data:`RULES` order)."""
    from dlp.report.data import load_items

    out: list[Flagged] = []
    for item in load_items(store, [source] if source else None):
        found = rules_of(item, broad)
        chosen = [r for r in (*RULES, *sorted(found - set(RULES))) if r in found and (rule is None or r == rule)]
        if not chosen:
            continue
        out.append(Flagged(source=item.source, item_id=item.item_id, uri=item.uri, rule=chosen[0], owner=item.owner,
                           exposure=tuple(item.exposure), classifications=tuple(item.classifications)))
    return out


def remediate(store: Store, settings: Settings, targets: _Targets, by: str, *, rule: str | None = None,
              source: str | None = None, apply: bool = False) -> dict[str, Any]:
    """Plan (and with ``apply``, carry out) the actions for flagged items; each is stored as it happens."""
    if rule is not None and rule not in RULES:
        raise ConfigError(f"--rule {rule!r}: remediate acts on {', '.join(RULES)}")
    key = resolve_source(source, settings, store) if source else None
    items = flagged_items(store, BroadGroups.from_config(settings.access.broad_groups), rule, key)
    in_force = records.item_states(store)
    run_id = records.start_run(store, "apply" if apply else "dry_run", by, rule=rule, source=key)
    out: list[dict[str, Any]] = []
    planned: set[tuple[str, str, str]] = set()  # (source, action, target): members share their container
    for item in items:
        if any(a.action == "quarantine" for a in in_force.get((item.source, item.item_id.split("!/", 1)[0]), [])):
            continue  # already in quarantine; the store shows it until the next scan
        target = targets.get(item.source)
        if isinstance(target, str):
            out.append(_store(store, run_id, by, Step(item, "none", item.source, None, None), "failed", target))
            continue
        try:
            steps = target.plan(item, run_id)
        except FAILURES as exc:
            out.append(_store(store, run_id, by, Step(item, "plan", item.uri, None, None), "failed", _why(exc)))
            continue
        for step in steps:
            if (item.source, step.action, step.target) in planned:
                continue
            planned.add((item.source, step.action, step.target))
            if not apply:
                out.append(_store(store, run_id, by, step, "planned", step.detail or None))
                continue
            try:
                after = target.apply(step)
            except FAILURES as exc:
                out.append(_store(store, run_id, by, step, "failed", _why(exc)))
                continue
            status = "skipped" if step.action == "report_only" else "done"
            out.append(_store(store, run_id, by, Step(item, step.action, step.target, step.before, after),
                              status, step.detail or None))
    failed = sum(1 for a in out if a["status"] == "failed")
    records.finish_run(store, run_id, failed=bool(failed))
    return {"run_id": run_id, "mode": "apply" if apply else "dry_run", "rule": rule, "source": key,
            "by": by, "actions": out, "failed": failed}


def undo(store: Store, targets: _Targets, run_id: int, by: str) -> dict[str, Any]:
    """Reverse the done actions of applied run ``run_id`` (newest first) that were not reversed yet."""
    row = records.run_row(store, run_id)
    if row is None or row["mode"] != "apply":
        raise ConfigError(f"--undo {run_id}: no applied remediation run has this id")
    done = [a for a in records.actions(store, run_id) if a.status == "done"]
    already = records.reversed_ids(store)
    undo_id = records.start_run(store, "undo", by, rule=row["rule"], source=row["source"], undoes=run_id)
    out: list[dict[str, Any]] = []
    for act in reversed(done):
        if act.id in already:
            continue
        target = targets.get(act.source)
        status, detail, after = "done", None, None
        if isinstance(target, str):
            status, detail = "failed", target
        else:
            try:
                after = target.undo(act)
            except FAILURES as exc:
                status, detail = "failed", _why(exc)
        rid = records.record(store, undo_id, source=act.source, item_id=act.item_id, uri=act.uri, rule=act.rule,
                             action=f"undo_{act.action}", target=act.target, before=act.after, after=after,
                             status=status, detail=detail, by=by, reverses=act.id)
        out.append({"id": rid, "uri": act.uri, "rule": act.rule, "action": f"undo_{act.action}",
                    "target": act.target, "status": status, "detail": detail})
    failed = sum(1 for a in out if a["status"] == "failed")
    records.finish_run(store, undo_id, failed=bool(failed))
    return {"run_id": undo_id, "mode": "undo", "undoes": run_id, "by": by, "actions": out, "failed": failed}


def _store(store: Store, run_id: int, by: str, step: Step, status: str, detail: str | None) -> dict[str, Any]:
    item = step.item
    rid = records.record(store, run_id, source=item.source, item_id=item.item_id, uri=item.uri, rule=item.rule,
                         action=step.action, target=step.target, before=step.before, after=step.after,
                         status=status, detail=detail, by=by)
    return {"id": rid, "uri": item.uri, "rule": item.rule, "action": step.action, "target": step.target,
            "status": status, "detail": detail}


def _why(exc: BaseException) -> str:
    """A failure in words: the message of our own errors, the kind and errno of the others."""
    if isinstance(exc, RemediationError | DlpError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return type(exc).__name__


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, sort_keys=True))
        return
    what = {"dry_run": "plan (dry run: nothing changed; --apply carries it out)", "apply": "applied",
            "undo": f"undo of run {result.get('undoes')}"}[result["mode"]]
    print(f"remediation run {result['run_id']}, {what}: {len(result['actions'])} actions, "
          f"{result['failed']} failed")
    for a in result["actions"]:
        line = f"  {a['status']:<8} {a['action']:<22} {a['rule']:<20} {a['uri']}"
        if a["target"] and a["target"] != a["uri"]:
            line += f"  [{a['target']}]"
        if a["detail"]:
            line += f"  ({a['detail']})"
        print(line, file=sys.stderr if a["status"] == "failed" else sys.stdout)
