"""The facts of one transfer, and how the transfer rules of :mod:`dlp.policy.rules` turn them into a verdict.

A transfer is content on its way to, or already with, recipients: an outbound message at the pre-send
check (:mod:`dlp.presend.check`), or an item a scan finds shared or sent outside (:mod:`dlp.policy.exposure`).
Those front ends build a :class:`TransferContext`; every discovered rule reads it and returns its
:class:`RuleReason` objects; :func:`decide` makes them one verdict. The rules never see a raw value.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from dlp.policy.authorizations import Authorization, Match, Student, match
from dlp.policy.labels import PERSON_LABELS, PI_LABELS
from dlp.policy.recipients import INTERNAL, THIRD_PARTY, Recipient, authorized_address
from dlp.registry import by_name, discover

ALLOW, WARN, BLOCK = "allow", "warn", "block"
# A warning given only when nothing else blocks or warns (a missing notice on an otherwise lawful transfer).
ADVISE = "advise"
PRESEND, SCAN = "presend", "scan"


@dataclass(frozen=True, slots=True)
class Piece:
    """One piece of the transfer: the message, an attachment, an archive member, or the shared item."""

    where: str  # in the words of a reason: "attachment roster.zip!/a.csv", "the body", "a quoted reply"
    name: str = ""  # "" for the message or item itself, else its path ("roster.zip!/a.csv")
    labels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    pi_elements: frozenset[str] = frozenset()  # entities found in it that are PI of their own
    read: bool = True  # false: it could not be examined
    reason: str | None = None  # why not (a dlp.types.Reason value), when not read
    protected_by: str | None = None  # the cipher that keeps it encrypted in transit (128 bits or more)
    weak_cipher: str | None = None  # why its encryption does not count ("ZipCrypto")
    dob_only_demographics: bool = False  # its demographics are only a date of birth

    @property
    def has_pi(self) -> bool:
        """It holds personal information: a classification, or a value that is PI on its own."""
        return bool(self.labels or self.pi_elements)


@dataclass(frozen=True)
class TransferContext:
    """Everything a transfer rule may read about one transfer; built by the front end, read by every rule.

    ``phase`` says where it is judged: ``presend`` (a message that has not left: one reason may name
    several recipients) or ``scan`` (an item already shared: one context per exposure, the reasons in the
    store's shorter words). ``students`` is None when they cannot be known (a scan). ``notice_text`` is the
    text the recipient reads as the sender's (None when there is none to judge). ``unreadable`` is what
    ``[presend] unreadable`` makes of content that could not be read: ``block`` or ``warn``.
    """

    phase: str
    recipients: tuple[Recipient, ...]
    pieces: tuple[Piece, ...]
    today: dt.date
    authorizations: tuple[Authorization, ...] = ()
    internal_domains: tuple[str, ...] = ()
    students: tuple[Student, ...] | None = None
    subjects: int = 0
    hidden: frozenset[str] = frozenset()  # Bcc recipients
    notice_text: str | None = None
    unreadable: str = BLOCK

    @functools.cached_property
    def labels(self) -> tuple[str, ...]:
        """Every classification of every piece, sorted."""
        return tuple(sorted({label for p in self.pieces for label in p.labels}))

    @functools.cached_property
    def categories(self) -> tuple[str, ...]:
        """Every data category of every piece, sorted."""
        return tuple(sorted({c for p in self.pieces for c in p.categories}))

    @property
    def pi_labels(self) -> tuple[str, ...]:
        """The classifications that mark PI, sorted."""
        return tuple(label for label in self.labels if label in PI_LABELS)

    @property
    def pi_pieces(self) -> tuple[Piece, ...]:
        """The pieces that hold PI."""
        return tuple(p for p in self.pieces if p.has_pi)

    def of_kind(self, *kinds: str) -> tuple[Recipient, ...]:
        """The recipients of these kinds, in their order."""
        return tuple(r for r in self.recipients if r.kind in kinds)

    @property
    def outside(self) -> tuple[Recipient, ...]:
        """Every recipient outside the district."""
        return tuple(r for r in self.recipients if r.kind != INTERNAL)

    @property
    def dob_only_demographics(self) -> bool:
        """The transfer's demographics are only dates of birth (which ``date_of_birth`` covers too)."""
        flags = [p.dob_only_demographics for p in self.pieces if "demographics" in p.categories]
        return bool(flags) and all(flags)

    @property
    def where(self) -> str:
        """Where the PI is, in words: the first three pieces that hold it ("the message" when none)."""
        shown = [p.where for p in self.pi_pieces[:3]]
        more = f" and {len(self.pi_pieces) - 3} more" if len(self.pi_pieces) > 3 else ""
        return ", ".join(shown) + more if shown else "the message"

    @functools.cached_property
    def coverage(self) -> dict[str, Match]:
        """Third-party recipient -> the authorization covering the transfer, when it carries student or staff PI."""
        if not set(self.labels) & PERSON_LABELS:
            return {}
        return {r.address: match(self.authorizations, authorized_address(r, self.internal_domains),
                                 self.categories, self.students, self.dob_only_demographics, self.today)
                for r in self.of_kind(THIRD_PARTY)}

    @property
    def authorized(self) -> dict[str, Authorization]:
        """Third-party recipient -> the authorization that covers the transfer to it (covered ones only)."""
        return {address: m.authorization for address, m in self.coverage.items() if m.authorization is not None}


@dataclass(frozen=True, slots=True)
class RuleReason:
    """One rule's objection: its id (kebab-case), what it asks, the facts (never a value), whom it concerns."""

    rule: str
    action: str  # block | warn | advise
    message: str
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Expect:
    """An expected reason of a rule example: its action, the recipients it names, and words of its message."""

    action: str
    recipients: tuple[str, ...]
    says: str = ""


@dataclass(frozen=True, slots=True)
class RuleExample:
    """A context and exactly the reasons the rule must give for it (none: the rule must stay silent)."""

    title: str
    context: TransferContext
    expect: tuple[Expect, ...] = ()


class TransferRule:
    """One transfer rule: a module of :mod:`dlp.policy.rules` holding one subclass (see that package)."""

    name: ClassVar[str]  # the rule id reasons carry, kebab-case
    order: ClassVar[int]  # where its reasons stand in a verdict: lower first
    EXAMPLES: ClassVar[tuple[RuleExample, ...]] = ()

    def evaluate(self, context: TransferContext) -> list[RuleReason]:
        """The rule's reasons against this transfer; empty when it has nothing to say."""
        raise NotImplementedError


def decide(reasons: Sequence[RuleReason]) -> tuple[str, list[RuleReason]]:
    """The verdict of the rules' reasons, and the reasons it rests on, blocking ones first.

    Any ``block`` blocks; else any ``warn`` warns; else an ``advise`` warns; else allow.
    """
    blocks = [r for r in reasons if r.action == BLOCK]
    warns = [r for r in reasons if r.action == WARN]
    if blocks or warns:
        return (BLOCK if blocks else WARN), blocks + warns
    advice = [r for r in reasons if r.action == ADVISE]
    return (WARN if advice else ALLOW), advice


@functools.cache
def rules() -> tuple[TransferRule, ...]:
    """One instance of every rule of :mod:`dlp.policy.rules`, in their order."""
    found = discover("dlp.policy.rules", TransferRule)
    by_name(found)  # two modules claiming one rule id is a start-up error
    return tuple(cls() for cls in sorted(found, key=lambda c: (c.order, c.name)))


def evaluate(context: TransferContext) -> list[RuleReason]:
    """Every rule's reasons against this transfer, in rule order."""
    return [reason for rule in rules() for reason in rule.evaluate(context)]

