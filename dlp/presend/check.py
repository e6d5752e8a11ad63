"""The pre-send check (CONTRACT.md section 4, issue 7): may this message leave, and if not, why.

One :class:`PresendChecker` per process holds a warm detection engine and the loaded authorizations;
:meth:`PresendChecker.check` judges one raw RFC 5322 message:

1. every recipient (To, Cc, Bcc, Resent-*, and envelope recipients when the caller knows them) is
   ``internal`` (the organization's domains and their subdomains), ``personal`` (a consumer mail
   service) or ``third_party``;
2. the message is extracted, detected and classified the way a scan does it (the same walk, dlp/walk.py), down
   through attachments and archives under the same limits, in process: the subject, every body (quoted
   replies as a part of their own), every attachment;
3. encryption is worked out per piece: the whole message (S/MIME, PGP/MIME), or the archive member
   that holds the PI (AES with a key of 128 bits or more, and its password not written in the message);
4. the transfer rules of :mod:`dlp.policy.rules` decide on a :class:`~dlp.policy.transfer.TransferContext`
   built here (each reason names the rule and the facts, never a value): ``personal-account``,
   ``third-party-without-authorization``, ``unencrypted-93h`` and ``unreadable-content`` block (the last
   as ``[presend] unreadable`` says), ``missing-redisclosure-notice`` warns on an otherwise allowed
   transfer of student PII; otherwise allow.

5. an allowed (allow or warn) third-party transfer of student PII is logged, one row per student and
   recipient, in the store's ``disclosures`` table (34 CFR 99.32, 603 CMR 23.07), once per Message-ID,
   recipient and student; the SMTP filter logs it when the next hop has taken the message.
"""

from __future__ import annotations

import binascii
import bisect
import dataclasses
import datetime as dt
import email
import email.header
import email.parser
import email.utils
import io
import logging
import os
import re
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

import pyzipper

from dlp.config import Settings
from dlp.detect.engine import DetectionEngine
from dlp.errors import EXPECTED_ITEM_ERRORS
from dlp.extract.zip import ZipExtractor
from dlp.policy.authorizations import Authorization, Student, load_all, student_hash
from dlp.policy.classify import _CATEGORY_TERMS, classify, count_subjects
from dlp.policy.encryption import strong
from dlp.policy.labels import EMPLOYEE_IDS, PI_ELEMENTS, STUDENT_IDS, STUDENT_LABELS
from dlp.policy.recipients import PERSONAL_DOMAINS, Recipient, destination, recipient_kind
from dlp.policy.transfer import PRESEND, Piece, TransferContext, decide, evaluate
from dlp.presend.disclosures import Disclosure, DisclosureLog
from dlp.presend.verdict import ALLOW, BLOCK, WARN, Verdict, VerdictReason
from dlp.roster import rostered_people, student_hashes
from dlp.types import Child, Document, Finding, Item, ItemRef, Part, Reason, Status
from dlp.walk import Extracted, Limits, Node, walk

log = logging.getLogger(__name__)

RECIPIENT_HEADERS = ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc")
SUBJECT = "subject"  # the locator of the Subject line in the check (the scan's "header Subject")

# Lines of a quoted reply: "> ..." and everything after an Outlook/Gmail reply header.
_QUOTE_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_REPLY_HEADER = re.compile(r"^(?:-{2,}\s*Original Message\s*-{2,}|On .{4,200} wrote:|From: .+)$", re.IGNORECASE)
_PASSWORD_WORD = re.compile(r"pass(?:word|code|phrase)|\bpw\b|\bpwd\b|\bkey\b|\bcode\b|\bpin\b", re.IGNORECASE)
# A uuencoded file in a text body: "begin MODE NAME", lines of at most 61 printable characters, "end".
_UUENCODED = re.compile(r"^begin [0-7]{3,4} (?P<name>[^\n]{1,255})\n(?P<data>(?:[ -`]{1,62}\n){1,2000000}?)`?\n?end$",
                        re.MULTILINE)
# Parts the check adds to a message's or archive's text (see _with_context_parts).
OTHER_HEADERS, DISPLAY_NAMES, FILE_NAMES = "other headers", "display names", "file names"
CONTEXT_PARTS = frozenset({OTHER_HEADERS, DISPLAY_NAMES, FILE_NAMES})
_CORRESPONDENT_ENTITIES = frozenset({"PERSON", "EMAIL_ADDRESS"})
_ADDRESS_FIELDS = frozenset({"from", "to", "cc", "bcc", "sender", "reply-to", "resent-from", "resent-to",
                             "resent-cc", "resent-bcc", "resent-sender", "return-receipt-to",
                             "disposition-notification-to", "mail-followup-to", "mail-reply-to"})
# Fields read elsewhere (Subject), machine-made structure, trace and signatures: no sender writes PI there.
_UNREAD_FIELDS = frozenset({"subject", "mime-version", "content-type", "content-transfer-encoding",
                            "content-disposition", "content-id", "received", "return-path", "date",
                            "dkim-signature", "authentication-results", "received-spf"})
_UNREAD_PREFIXES = ("arc-", "x-google-dkim", "x-ms-exchange-", "x-microsoft-antispam")
# Base64 and hex blobs in header values (Message-ID hashes, Thread-Index): random digits, not values.
_BLOB = re.compile(r"[A-Za-z0-9+/=_]{24,}")
# Names the e-mail extractor makes up for attachments without a file name.
_GENERATED_NAME = re.compile(r"attachment-\d+(?: \(\d+\))?$")
# A route-addr in a header: <@hop1,@hop2:user@host>.
_ROUTE_ADDR = re.compile(r"<\s*(@[^<>:\s,]+(?:\s*,\s*@[^<>:\s,]+)*\s*:)\s*([^<>\s]+@[^<>\s]+)\s*>")
_TOKEN_STRIP = "\"'()[]{}<>.,;:!?*`"
MAX_PASSWORD_CANDIDATES = 200


@dataclass
class _Node:
    """One extracted piece of the message: the message itself, an attachment, an archive member."""

    name: str  # "" for the message itself, else "report.zip!/roster.csv"
    status: Status
    reason: str | None = None
    labels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    findings: list[Finding] = field(default_factory=list)
    text: str = ""
    protected_by: str | None = None  # the cipher that keeps it encrypted in transit, if any
    weak_cipher: str | None = None  # why it is not: "ZipCrypto", "AES-256 with the password in the message"
    dob_only_demographics: bool = False

    def pi_findings(self) -> list[Finding]:
        """Findings that are PI of their own (not the correspondents' addresses in the headers)."""
        return [f for f in self.findings if not _correspondent(f)]


class PresendChecker:
    """The :class:`~dlp.presend.verdict.Checker` of the CLI, the HTTP service and the SMTP filter.

    Build one per process: it builds the detection engine (spaCy) once, or takes one, loads and checks
    the authorizations (a bad entry raises :class:`~dlp.errors.ConfigError` here, at start-up) and the
    roster's student IDs. :meth:`check` is safe to call from several threads.

    Disclosures of allowed third-party transfers are written to ``disclosure_log`` when one is given;
    with ``log_disclosures=True`` and none given, to the store of ``settings`` (opened on first need).
    """

    def __init__(self, settings: Settings, key: bytes, engine: DetectionEngine | None = None, *,
                 disclosure_log: DisclosureLog | None = None, log_disclosures: bool = True) -> None:
        self.settings = settings
        self.key = key
        self.authorizations: tuple[Authorization, ...] = load_all(settings, key)
        # Values stay in this process's memory only long enough to hash student IDs the way the
        # roster and the authorizations do; nothing with a value leaves :meth:`check`.
        self.engine = engine if engine is not None else DetectionEngine(settings.detect, key, show_values=True)
        self.internal = tuple(d.strip().lower().lstrip("@") for d in settings.organization.internal_domains)
        own = settings.organization.personal_domains
        self.personal = PERSONAL_DOMAINS | {d.strip().lower().lstrip("@") for d in own}
        self.passwords = settings.extract.all_passwords()
        self._roster = rostered_people(settings.detect.roster_path())
        self._log = disclosure_log
        self._log_disclosures = log_disclosures
        self._log_lock = threading.Lock()
        # The engine's stage timers are plain attributes; one check at a time keeps them consistent.
        self._engine_lock = threading.Lock()

    # -- the check --

    def check(self, raw: bytes, today: dt.date | None = None, *, envelope_recipients: Sequence[str] = (),
              defer_disclosures: bool = False) -> Verdict:
        """The verdict on one raw RFC 5322 message (``envelope_recipients``: the SMTP RCPT TO list).

        The disclosures of an allowed transfer are written now, or with ``defer_disclosures`` carried in
        ``verdict.disclosures`` for :meth:`record_disclosures` once the next hop has taken the message
        (the SMTP filter: a message deferred and retried, or refused downstream, was disclosed to no one).
        """
        today = today or dt.date.today()
        message = email.message_from_bytes(raw, policy=policy.default)
        recipients = self._recipients(message, envelope_recipients)
        with self._engine_lock:
            nodes, message_encrypted = self._analyse(raw, message)
        top = nodes[0]
        pieces = tuple(_piece(n) for n in nodes)
        findings = [f for n in nodes for f in n.pi_findings()]
        students = self._students(nodes)
        staff_ids = {f.subject or f.value_hash for f in findings if f.entity in EMPLOYEE_IDS}
        staff = len(staff_ids | {f.subject for f in findings
                                 if f.subject and self._roster.get(f.subject, ("",))[0] == "employee"})
        subjects = count_subjects(findings)
        context = TransferContext(
            phase=PRESEND, recipients=tuple(recipients), pieces=pieces, today=today,
            authorizations=self.authorizations, internal_domains=self.internal, students=tuple(students),
            subjects=subjects, hidden=frozenset(a.lower() for a in _addresses(message, ("Bcc", "Resent-Bcc"))),
            notice_text=top.text, unreadable=self.settings.presend.unreadable)
        verdict, found = decide(evaluate(context))
        reasons = [VerdictReason(r.rule, r.message) for r in found]
        # The recipients some blocking rule names: the others may be separated.
        blocked = {address for r in found if r.action == BLOCK for address in r.recipients}
        labels, categories = list(context.labels), list(context.categories)
        used = context.authorized
        student_transfer = bool(set(labels) & STUDENT_LABELS) and bool(used)

        logged = 0
        pending: tuple[Disclosure, ...] = ()
        if verdict in (ALLOW, WARN) and student_transfer:
            pending = self._transfer_entries(message, used, students, categories, today, verdict)
            if not defer_disclosures:
                logged = self._record(pending)
                pending = ()

        protected = [p for p in pieces if p.protected_by]
        encrypted = message_encrypted or (bool(protected) and not any(
            p.protected_by is None for p in context.pi_pieces if p.name or not message_encrypted))
        first = next(iter(used.values()), None)
        extra: dict[str, Any] = {"students": len(students), "staff": staff}
        if len({a.id for a in used.values()}) > 1:
            extra["authorizations"] = {address: a.id for address, a in used.items()}
        if logged:
            extra["disclosures_logged"] = logged
        if verdict == BLOCK:
            # Which recipients the block is for (in the order of the recipients): an SMTP filter can name
            # them in its reply, or deliver to the others when it can separate them.
            extra["blocked_recipients"] = [r.address for r in recipients if r.address in blocked]
        unread = [{"attachment": n.name, "reason": n.reason} for n in nodes
                  if n.status is not Status.SCANNED and not n.protected_by]
        if unread:
            extra["not_examined"] = unread
        return Verdict(verdict=verdict, reasons=tuple(reasons), recipients=tuple(recipients),
                       classifications=tuple(labels), subjects=subjects, encrypted=encrypted,
                       authorization=first.id if first else None, data_categories=tuple(categories), extra=extra,
                       disclosures=pending)

    # -- recipients --

    def _recipients(self, message: Message, envelope: Sequence[str]) -> list[Recipient]:
        seen: dict[str, Recipient] = {}
        for address in [*_addresses(message, RECIPIENT_HEADERS), *envelope]:
            address = address.strip().strip("<>").lower()
            if address and address not in seen:
                final, hosts = destination(address)
                routed = final if len(hosts) > 1 and final != address else None
                seen[address] = Recipient(address, recipient_kind(address, self.internal, self.personal),
                                          routes_to=routed)
        return list(seen.values())

    # -- extraction, detection, classification --

    def _analyse(self, raw: bytes, message: Message) -> tuple[list[_Node], bool]:
        """Every piece of the message as a node, the message first; and whether it is encrypted whole."""
        message_cipher = _message_encryption(message)
        walked = _MessageWalk(self._node, message)
        root = Item(ref=ItemRef(source="presend", item_id="message", uri="message"), name="message.eml", data=raw)
        nodes: list[_Node] = []
        protection: dict[str, str | None] = {}  # by path: what keeps the piece encrypted in transit
        for piece in walk(root, Limits(self.settings.extract, self.passwords), walked.analyse,
                          media_type="message/rfc822", passwords_for=walked.passwords_for,
                          more_children=walked.uuencoded, record_memory_errors=False):
            if piece.parent is None:
                nodes.append(self._top(piece, message, message_cipher))
                protection[piece.path] = None  # the message's own encryption is not its attachments'
                continue
            node = piece.analysis or _Node(name=piece.path, status=piece.status,
                                           reason=piece.reason.value if piece.reason else None)
            node.protected_by, node.weak_cipher = _protection(piece, protection[piece.parent],
                                                              walked.exposed.get(piece.parent, frozenset()))
            protection[piece.path] = node.protected_by
            nodes.append(node)
        return nodes, message_cipher is not None

    def _top(self, piece: Node[_Node], message: Message, message_cipher: str | None) -> _Node:
        """The node of the message itself; its header fields are read even when its body could not be."""
        top = piece.analysis
        if top is None:
            top = self._node("", _with_context_parts(_split_quotes(Document(media_type="message/rfc822")), message))
            top.status, top.reason = Status.ERROR, piece.reason.value if piece.reason else None
        if message_cipher:
            top.protected_by = message_cipher
            if any(f.locator == SUBJECT for f in top.pi_findings()):
                # S/MIME and PGP/MIME leave the Subject line in clear text.
                top.protected_by = None
                top.weak_cipher = f"in the Subject line, which {message_cipher} does not encrypt"
        return top

    def _node(self, name: str, document: Document) -> _Node:
        """Detection and classification of one extracted piece; a failure there is an unreadable node."""
        document = _encodable(document)
        try:
            findings = self.engine.detect(document)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - the same boundary as the parsers': see _unparsed
            return _Node(name=name, status=Status.ERROR, reason=_unparsed("a part's text", exc))
        findings = _own_names_apart(document, findings)
        # The correspondents' own addresses in From/To/Cc are not a record's contact data.
        result = classify(document, [f for f in findings if not _correspondent(f)], self.settings.detect.proximity)
        text = "\n".join(p.text for p in document.parts)
        dob_only = "DATE_OF_BIRTH" in {f.entity for f in findings} and not _CATEGORY_TERMS["demographics"].search(text)
        return _Node(name=name, status=Status.SCANNED, labels=result.labels, categories=result.categories,
                     findings=findings, dob_only_demographics=dob_only)

    # -- students and authorizations --

    def _students(self, nodes: Sequence[_Node]) -> list[Student]:
        """The distinct students: by roster subject, else by hashed ID; by name only when no ID is found."""
        groups: dict[str, tuple[set[str], str]] = {}  # group key -> (every hash naming them, the one to log)
        for n in nodes:
            for f in n.pi_findings():
                roster = self._roster.get(f.subject) if f.subject else None
                is_student_id = f.entity in STUDENT_IDS
                if not is_student_id and not (roster and roster[0] == "student"):
                    continue
                ident = student_hash(self.key, f.value) if f.value else f.value_hash[:32]
                group_key = f.subject or ident
                hashes = set(roster[1]) if roster else set()
                if is_student_id:
                    hashes.add(ident)
                if group_key not in groups:
                    log_key = ident if is_student_id else (min(roster[1]) if roster and roster[1] else group_key)
                    groups[group_key] = (hashes or {group_key}, log_key)
                else:
                    groups[group_key][0].update(hashes)
        if groups:
            return [Student(frozenset(hashes), log_key, True) for hashes, log_key in groups.values()]
        # No ID and no rostered student: the full names of student records are the students, which a
        # list of IDs cannot vouch for.
        names: dict[str, Student] = {}
        for n in nodes:
            if not set(n.labels) & STUDENT_LABELS:
                continue
            for f in n.pi_findings():
                if f.entity == "PERSON" and len(f.preview.split()) >= 2:
                    key = "name:" + f.value_hash[:27]
                    names.setdefault(key, Student(frozenset({key}), key, False))
        return list(names.values())

    def _transfer_entries(self, message: Message, used: dict[str, Authorization], students: Sequence[Student],
                          categories: Sequence[str], today: dt.date, verdict: str) -> tuple[Disclosure, ...]:
        message_id = _header(message, "Message-ID")
        return tuple(Disclosure(student=s.log_key, recipient=address, party=auth.party, disclosed_on=today,
                                data_categories=tuple(categories), authorization=auth.id,
                                authorization_kind=auth.kind, message_id=message_id, verdict=verdict)
                     for address, auth in used.items() for s in students)

    def _record(self, entries: Sequence[Disclosure]) -> int:
        target = self._disclosure_log()
        return target.record(entries) if target is not None and entries else 0

    def record_disclosures(self, verdict: Verdict, recipients: Sequence[str] | None = None) -> int:
        """Write a deferred verdict's disclosures (only those to ``recipients``, when given); return how many.

        Rows already in the log for the same Message-ID, recipient and student are not written again, so
        a message retried after a failure downstream is recorded once.
        """
        entries: Sequence[Disclosure] = verdict.disclosures
        if recipients is not None:
            wanted = {r.strip().strip("<>").lower() for r in recipients}
            entries = [e for e in entries if e.recipient in wanted]
        return self._record(entries)

    def _disclosure_log(self) -> DisclosureLog | None:
        if self._log is not None or not self._log_disclosures:
            return self._log
        with self._log_lock:
            if self._log is None:
                from dlp.store.db import Store

                self._log = DisclosureLog(Store(self.settings.store.url()).engine)
        return self._log


class _MessageWalk:
    """The check's part in the walk of one message: the analysis of each piece, and the walk's hooks.

    The message's own text (read first) gives the words that may be an archive's password; a zip one of
    them opens is read with it, and its members the word opens are marked exposed (their encryption does
    not protect them from a recipient who has the message). Files uuencoded in the message's bodies are
    walked as members of the message.
    """

    def __init__(self, judge: Callable[[str, Document], _Node], message: Message) -> None:
        self.judge = judge  # detection and classification of one piece's document (PresendChecker._node)
        self.message = message
        self.candidates: list[str] = []
        self.exposed: dict[str, frozenset[str]] = {}  # a zip's path -> its members a word of the message opens
        self.document: Document | None = None  # the message's, with quoted replies and context as parts

    def analyse(self, found: Extracted) -> _Node:
        """Detection and classification of one piece, with the context a recipient sees around it."""
        document = found.document
        if not found.path:
            document = _with_context_parts(_split_quotes(document), self.message)
            top = self.judge("", document)
            top.text = "\n".join(p.text for p in document.parts
                                 if not p.locator.startswith("header ") and p.locator not in CONTEXT_PARTS)
            self.candidates = _password_candidates(top.text)
            self.document = document
            return top
        if found.media_type == "message/rfc822":
            document = _with_context_parts(_split_quotes(document), _headers_of(found.data))
        elif document.children:
            document = _with_context_parts(document, None)
        return self.judge(found.path, document)

    def passwords_for(self, path: str, media_type: str, data: bytes) -> tuple[str, ...]:
        """The word of the message that opens this zip, if one does."""
        if media_type not in ZipExtractor.media_types:
            return ()
        found, opened = _message_password(data, self.candidates)
        if found is None:
            return ()
        self.exposed[path] = frozenset(opened)
        return (found,)

    def uuencoded(self, node: Node[_Node]) -> list[Child]:
        """Files uuencoded inside the message's text bodies (``begin 644 name`` ... ``end``), as its members.

        Mail clients of old and some scripts still send files this way; the text is unreadable as written.
        The member's name is the part's locator and the file's name (``body!/grades.csv``).
        """
        if node.parent is not None or self.document is None:
            return []
        found: list[Child] = []
        for part in self.document.parts:
            if not part.locator.startswith(("body", "quoted reply")) or "begin " not in part.text:
                continue
            text = part.text.replace("\r\n", "\n") if "\r" in part.text else part.text
            for match in _UUENCODED.finditer(text):
                name = f"{part.locator}!/{match.group('name').strip()}"
                data = _uudecode(match.group("data"))
                found.append(Child(name=name, data=data) if data is not None else
                             Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT))
        return found


def _protection(piece: Node[_Node], container: str | None, exposed: Set[str]) -> tuple[str | None, str | None]:
    """What keeps a member encrypted in transit, and why it is not when it is encrypted weakly.

    A member inherits its container's protection, or has its own when its container lists it encrypted
    at 128 bits or more and no word of the message opens it. ``weak`` says why an encrypted member is not
    protected: its cipher ("ZipCrypto"), or "AES-256 with its password in the message". A member the
    walk could not read because of its own encryption is judged the same way by that encryption.
    """
    protected, weak = container, None
    member = piece.member
    if member is not None and member.encrypted and member.cipher is not None:
        if not strong(member.key_bits, member.cipher):
            weak = member.cipher
        elif member.data is not None and member.name in exposed:
            weak = f"{member.cipher} with its password in the message"
        else:
            protected = protected or member.cipher
    if piece.status is not Status.SCANNED and piece.encrypted and piece.cipher is not None:
        if strong(piece.key_bits, piece.cipher):
            protected = protected or piece.cipher
        else:
            weak = weak or piece.cipher
    return protected, weak


def hashes_for_student(key: bytes, roster_path: Path, student_id: str) -> set[str]:
    """Every hash the disclosure log may hold for this student ID: its own, and its roster person's."""
    own = student_hash(key, student_id)
    return {own} | student_hashes(roster_path, own)


# ---------------------------------------------------------------------------------------------------
# Helpers.


def _correspondent(f: Finding) -> bool:
    # The address headers name the correspondents; the subject (renamed by _split_quotes) is content. In
    # the display names, a name or an address alone is the correspondent's own (see _own_names_apart).
    return f.locator.startswith("header ")


def _own_names_apart(document: Document, findings: list[Finding]) -> list[Finding]:
    """The findings, with a display name that is only a name marked as the correspondent's own.

    A name beside another value in the same display name (``"Jordan Alvarez 512-48-7793" <a@b>``) is
    content, like a name beside an SSN in the body; a display name that is just a name is who the mail is
    from or to. Those are moved to the locator ``header display name`` (a correspondent's, see
    _correspondent).
    """
    part = next((p for p in document.parts if p.locator == DISPLAY_NAMES), None)
    if part is None:
        return findings
    starts = [0] + [i + 1 for i, ch in enumerate(part.text) if ch == "\n"]

    def line(f: Finding) -> int:
        return bisect.bisect_right(starts, f.start)

    valued = {line(f) for f in findings if f.locator == DISPLAY_NAMES and f.entity not in _CORRESPONDENT_ENTITIES}
    return [dataclasses.replace(f, locator="header display name")
            if f.locator == DISPLAY_NAMES and f.entity in _CORRESPONDENT_ENTITIES and line(f) not in valued else f
            for f in findings]


def _headers_of(data: bytes) -> Message | None:
    """The header fields of an attached message (the body is not parsed again), or None."""
    try:
        return email.parser.BytesHeaderParser(policy=policy.default).parsebytes(data)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - the parser is meant not to raise; its headers are then unread
        return None


def _with_context_parts(document: Document, message: Message | None) -> Document:
    """The document with the text around its content that a recipient also sees, as parts of their own.

    ``other headers``: every header field but the address ones, Subject (already parts), the MIME
    structure, trace and signature fields (``X-Student: ...`` reaches the recipient like the body);
    ``display names``: the names in the address fields (``"Jordan Alvarez 512-48-7793" <a@b>``);
    ``file names``: the names of the attachments or archive members (``Alvarez_SSN_512-48-7793.pdf``).
    """
    extra: list[Part] = []
    if message is not None:
        other: list[str] = []
        names: list[str] = []
        for key, value in message.raw_items():
            lowered = key.lower()
            text = _header_text(value)
            if lowered in _ADDRESS_FIELDS:
                names += [name for name, _ in email.utils.getaddresses([text]) if name.strip()]
            elif lowered not in _UNREAD_FIELDS and not lowered.startswith(_UNREAD_PREFIXES):
                other.append(f"{key}: {_BLOB.sub(' ', text)}")
        if other:
            extra.append(Part(locator=OTHER_HEADERS, text="\n".join(other)))
        if names:
            extra.append(Part(locator=DISPLAY_NAMES, text="\n".join(names)))
    # "_" joins words in file names; detection reads words, so it becomes a space.
    files = [c.name.replace("_", " ") for c in document.children if c.name and not _GENERATED_NAME.match(c.name)]
    if files:
        extra.append(Part(locator=FILE_NAMES, text="\n".join(files)))
    if not extra:
        return document
    return dataclasses.replace(document, parts=(*document.parts, *extra))


def _header_text(value: Any) -> str:
    """A header's value unfolded, encoded words decoded (undecodable ones kept as written)."""
    text = " ".join(str(value).split())
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - malformed encoded words: the raw text is still what we check
        return text


def _addresses(message: Message, headers: Iterable[str]) -> list[str]:
    values: list[str] = []
    routes: list[str] = []
    for name in headers:
        for key, value in message.raw_items():
            if key.lower() == name.lower():
                # getaddresses() drops a source route's hops; take route-addrs out whole first.
                text = " ".join(str(value).split())
                routes += ["".join(m.group(1, 2)).replace(" ", "") for m in _ROUTE_ADDR.finditer(text)]
                values.append(_ROUTE_ADDR.sub(" ", text))
    return [addr for _, addr in email.utils.getaddresses(values) if addr and "@" in addr] + routes


def _header(message: Message, name: str) -> str | None:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return " ".join(str(value).split()) or None
    return None


def _message_encryption(message: Message) -> str | None:
    """``S/MIME`` or ``OpenPGP`` when the message body is encrypted end to end, else None."""
    content_type = message.get_content_type()
    if content_type in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        smime_type = (message.get_param("smime-type", header="content-type") or "")
        # signed-data is a signature wrapper: readable by anyone, so not encryption.
        return None if str(smime_type).lower() == "signed-data" else "S/MIME"
    if content_type == "multipart/encrypted":
        return "OpenPGP"
    return None


def _split_quotes(document: Document) -> Document:
    """Quoted replies in text bodies become parts of their own (``quoted reply``), their ``>`` removed.

    The Subject header becomes the part ``subject``.

    Detection then reads a quoted table or record as it was first written, and a reason can say the PI
    is only in the quoted reply.
    """
    parts: list[Part] = []
    quoted_count = 0
    for part in document.parts:
        if part.locator == "header Subject":
            # The subject is content the sender wrote, not a correspondent's name: give it a locator
            # that classification reads like a body.
            parts.append(Part(locator=SUBJECT, text=part.text))
            continue
        if not part.locator.startswith("body"):
            parts.append(part)
            continue
        own: list[str] = []
        quoted: list[str] = []
        in_reply = False
        for line in part.text.splitlines():
            if _QUOTE_MARK.match(line):
                quoted.append(_QUOTE_MARK.sub("", line))
            elif in_reply or _REPLY_HEADER.match(line.strip()):
                in_reply = True
                quoted.append(line)
            else:
                own.append(line)
        if own and "\n".join(own).strip():
            parts.append(Part(locator=part.locator, text="\n".join(own)))
        if quoted:
            quoted_count += 1
            parts.append(Part(locator="quoted reply" if quoted_count == 1 else f"quoted reply {quoted_count}",
                              text="\n".join(quoted)))
    return Document(media_type=document.media_type, parts=tuple(parts), children=document.children,
                    encrypted=document.encrypted, cipher=document.cipher, key_bits=document.key_bits,
                    untexted_pages=document.untexted_pages)


def _uudecode(block: str) -> bytes | None:
    """The bytes of a uuencoded block's lines, or None when a line is not uuencoding."""
    out = bytearray()
    for line in block.splitlines():
        if not line.strip():
            continue
        try:
            out += binascii.a2b_uu(line)
        except (binascii.Error, ValueError):
            return None
    return bytes(out)


def _encodable(document: Document) -> Document:
    """The document with lone surrogates in its texts replaced, so that every text encodes as UTF-8.

    The e-mail parser decodes undecodable header bytes as surrogates (surrogateescape); spaCy's
    tokenizer and Hyperscan need real UTF-8 and raise on them.
    """
    bad = False
    for part in document.parts:
        try:
            part.text.encode("utf-8")
        except UnicodeEncodeError:
            bad = True
            break
    if not bad:
        return document
    parts = tuple(dataclasses.replace(p, text=p.text.encode("utf-8", "replace").decode("utf-8"))
                  for p in document.parts)
    return dataclasses.replace(document, parts=parts)


def _unparsed(what: str, exc: Exception) -> str:
    """The reason of a part whose parser failed in a way no extractor expects (``internal``), logged.

    Hostile input reaches third-party parsers that raise almost anything. Inside the check such a failure
    is a part that could not be read, judged by ``[presend] unreadable`` like any other: were it an
    exception, a broken attachment would turn the verdict into a 500, a 451 retried for days, or, with
    ``fail_open``, a message relayed unchecked. Only MemoryError and other BaseExceptions pass through.
    The log names the exception's type and place, never its text (which may quote the content).
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    log.warning("%s could not be parsed: %s.%s%s (a parser defect; the part counts as unreadable)",
                what, type(exc).__module__, type(exc).__qualname__, where)
    return Reason.INTERNAL.value


def _password_candidates(text: str) -> list[str]:
    """Words of the message that may be an archive's password, the likeliest first, at most 200.

    First the words right after "password", "passcode", "code", "key"...; then words that look made
    up (digits, inner capitals, symbols); then the rest. Each try of an AES password costs a key
    derivation (about 3 ms), hence the cap.
    """
    ranked: dict[str, int] = {}
    words = text.split()
    for i, word in enumerate(words):
        for token in {word, word.strip(_TOKEN_STRIP), word.rstrip(".,;:!?")}:
            if not 4 <= len(token) <= 128:
                continue
            near = any(_PASSWORD_WORD.search(w) for w in words[max(0, i - 3):i])
            shaped = bool(re.search(r"\d", token) or re.search(r"[A-Z]", token[1:]) or re.search(r"[^\w]", token))
            rank = 0 if near else 1 if shaped else 2
            ranked[token] = min(rank, ranked.get(token, rank))
    ordered = sorted(ranked, key=lambda t: ranked[t])
    return ordered[:MAX_PASSWORD_CANDIDATES]


def _message_password(data: bytes, candidates: Sequence[str]) -> tuple[str | None, set[str]]:
    """The word of the message that opens this zip's encrypted members, and which members it opens.

    Found on the first encrypted member, then tried on the others. Whether a configured password (the
    district's own) also opens it does not matter: the recipient needs only the word in the message.
    """
    try:
        with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
            encrypted = [i for i in archive.infolist() if i.flag_bits & 0x1 and not i.is_dir()]
            if not encrypted:
                return None, set()
            first = encrypted[0]
            for candidate in candidates:
                if _opens(archive, first, candidate):
                    return candidate, {i.filename for i in encrypted if i is first or _opens(archive, i, candidate)}
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - only a probe: the zip extractor reports a damaged archive itself
        return None, set()
    return None, set()


def _opens(archive: Any, info: Any, password: str) -> bool:
    try:
        with archive.open(info, pwd=password.encode("utf-8")) as handle:
            # Reading to the end checks the CRC (ZipCrypto) or the HMAC (AES), not only the 1-2 byte
            # password check, which a wrong password passes once in 256 or 65536 tries.
            while handle.read(1 << 20):
                pass
        return True
    except (RuntimeError, ValueError, OSError, EOFError, NotImplementedError):
        return False
    except EXPECTED_ITEM_ERRORS:
        return False


def _describe(node: _Node) -> str:
    """Where a node's PI is: "attachment roster.zip!/roster.csv", "the body", "a quoted reply"."""
    if node.name:
        return f"attachment {node.name}"
    places = []
    for f in node.pi_findings():
        loc = f.locator.split(" row ")[0]
        place = {SUBJECT: "the subject", "body": "the body", "html body": "the HTML body",
                 OTHER_HEADERS: "the header fields", DISPLAY_NAMES: "the display names",
                 FILE_NAMES: "the file names"}.get(loc)
        if place is None:
            place = "a quoted reply" if loc.startswith("quoted reply") else "the body" if loc.startswith(
                "body") else "the HTML body" if loc.startswith("html body") else loc
        if place not in places:
            places.append(place)
    return " and ".join(places) if places else "the message"


def _piece(node: _Node) -> Piece:
    """What the transfer rules read of a node: no finding, no value."""
    return Piece(where=_describe(node), name=node.name, labels=frozenset(node.labels),
                 categories=frozenset(node.categories),
                 pi_elements=frozenset(f.entity for f in node.pi_findings() if f.entity in PI_ELEMENTS),
                 read=node.status is Status.SCANNED, reason=node.reason, protected_by=node.protected_by,
                 weak_cipher=node.weak_cipher, dob_only_demographics=node.dob_only_demographics)
