"""RFC 5322 messages (.eml): address and subject headers, text and HTML bodies, attachments as children."""

from __future__ import annotations

import email
import email.header
import logging
from collections.abc import Callable
from email import policy
from email.message import Message
from typing import ClassVar, TypeVar

from dlp.errors import ItemError
from dlp.extract._common import TextBudget, byte_budget, read_bounded, unique_name
from dlp.extract.base import ExtractContext, Extractor
from dlp.extract.html import html_to_text
from dlp.types import Child, Document, Item, Part, Reason, Status

log = logging.getLogger(__name__)
T = TypeVar("T")
D = TypeVar("D")

_HEADERS = ("From", "To", "Cc", "Bcc", "Subject")
# Parts that say the content is encrypted end to end (S/MIME enveloped data, PGP/MIME).
_ENCRYPTED_TYPES = {
    "application/pkcs7-mime": "S/MIME",
    "application/x-pkcs7-mime": "S/MIME",
    "multipart/encrypted": "OpenPGP",
}


class EmlExtractor(Extractor):
    """Reads a message with the standard library's ``email`` package (``policy.default``).

    Parts: ``header From`` ... ``header Subject``, ``body`` for each text/plain body (``body 2`` and on
    for more) and ``html body`` for text/html bodies converted to text. Every attachment and every
    attached message (message/rfc822) becomes a :class:`Child` named by its file name or
    ``attachment-N`` (N counts the message's attachments from 1). The parser never raises on a
    malformed message; it records defects and carries on, and so does this extractor.
    """

    name: ClassVar[str] = "eml"
    media_types: ClassVar[tuple[str, ...]] = ("message/rfc822",)
    extensions: ClassVar[tuple[str, ...]] = (".eml", ".mht", ".mhtml")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Headers and bodies as parts, attachments as children."""
        data, truncated = read_bounded(item, byte_budget(ctx))
        try:
            message = email.message_from_bytes(data, policy=policy.default)
        except (ItemError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - the parser is meant not to raise; if it does, the mail is broken
            raise ItemError(Reason.CORRUPT, f"malformed message ({type(exc).__name__})") from exc
        walker = _Walker(ctx, TextBudget(ctx.settings.max_text_chars))
        parts = [part for name in _HEADERS if (part := _header_part(message, name, walker.budget))]
        walker.walk(message)
        cipher = walker.cipher
        return Document(
            media_type=self.media_types[0],
            parts=tuple(parts + walker.parts),
            children=tuple(walker.children),
            encrypted=cipher is not None,
            cipher=cipher,
        )


class _Walker:
    """Collects body parts and children while walking the MIME tree (not into attached messages)."""

    def __init__(self, ctx: ExtractContext, budget: TextBudget) -> None:
        self.ctx = ctx
        self.budget = budget
        self.parts: list[Part] = []
        self.children: list[Child] = []
        self.cipher: str | None = None
        self._names: dict[str, int] = {}
        self._attachments = 0
        self._bodies = {"body": 0, "html body": 0}

    def walk(self, message: Message) -> None:
        # An explicit stack: a hostile message nests multiparts thousands deep.
        stack: list[Message] = [message]
        while stack:
            node = stack.pop()
            content_type = _safe(node.get_content_type, "application/octet-stream")
            if content_type in _ENCRYPTED_TYPES and self.cipher is None:
                self.cipher = _ENCRYPTED_TYPES[content_type]
            if node.is_multipart() and content_type != "message/rfc822":
                payload = node.get_payload()
                if isinstance(payload, list):
                    stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
                continue
            if self._is_body(node, content_type):
                self._body(node, content_type)
            else:
                self._attach(node, content_type)

    @staticmethod
    def _is_body(node: Message, content_type: str) -> bool:
        if content_type not in ("text/plain", "text/html"):
            return False
        disposition = _safe(node.get_content_disposition, None)
        return disposition != "attachment" and not _safe(node.get_filename, None)

    def _body(self, node: Message, content_type: str) -> None:
        raw = node.get_payload(decode=True)
        if not isinstance(raw, bytes) or self.budget.exhausted:
            return
        text = _decode_part(node, raw)
        kind = "html body" if content_type == "text/html" else "body"
        if kind == "html body":
            text = html_to_text(text, self.ctx.settings.max_text_chars)
        text = self.budget.take(text.strip())
        if not text:
            return
        self._bodies[kind] += 1
        count = self._bodies[kind]
        self.parts.append(Part(locator=kind if count == 1 else f"{kind} {count}", text=text))

    def _attach(self, node: Message, content_type: str) -> None:
        self._attachments += 1
        filename = _safe(node.get_filename, None)
        name = unique_name(
            str(filename).strip() if filename else f"attachment-{self._attachments}", self._names
        )
        if len(self.children) >= self.ctx.settings.max_members:
            self.children.append(
                Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.TOO_MANY_MEMBERS)
            )
            return
        data: bytes | None
        if content_type == "message/rfc822":
            data = _attached_message(node)
        else:
            raw = node.get_payload(decode=True)
            data = raw if isinstance(raw, bytes) else None
        if data is None:
            self.children.append(
                Child(
                    name=name,
                    data=None,
                    status=Status.ERROR,
                    reason=Reason.CORRUPT,
                    detail="attachment content could not be decoded",
                )
            )
            return
        cipher = _ENCRYPTED_TYPES.get(content_type)
        if cipher is not None:
            # The encrypted blob itself: nothing to read without the recipient's key.
            self.children.append(
                Child(
                    name=name,
                    data=None,
                    status=Status.NOT_EXAMINED,
                    reason=Reason.ENCRYPTED,
                    encrypted=True,
                    cipher=cipher,
                )
            )
            return
        self.children.append(Child(name=name, data=data))


def _attached_message(node: Message) -> bytes | None:
    """The bytes of an attached message/rfc822 part."""
    payload = node.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        try:
            return payload[0].as_bytes(policy=policy.default.clone(linesep="\r\n"))
        except (ItemError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - a malformed inner message re-serializes badly: fall back
            pass
    raw = node.get_payload(decode=True)
    return raw if isinstance(raw, bytes) else None


def _header_part(message: Message, name: str, budget: TextBudget) -> Part | None:
    """One header's decoded values (all occurrences), or None when absent.

    A header the parser found defects in is taken raw (encoded words decoded): the parser's repair
    of ``Jordan Alvarez <jordan@@example..org>`` drops the address, which may be the very PI.
    """
    raw_values = _raw_headers(message, name)
    values: list[str] = []
    for index, raw in enumerate(raw_values):
        try:
            parsed = message.get_all(name) or []
            header = parsed[index]
            clean = not getattr(header, "defects", ())
            values.append(str(header) if clean else _raw_header(raw))
        except (ItemError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - policy.default parses headers lazily and may fail on junk
            values.append(_raw_header(raw))
    text = budget.take("\n".join(v.strip() for v in values if v and v.strip()))
    return Part(locator=f"header {name}", text=text) if text else None


def _raw_headers(message: Message, name: str) -> list[str]:
    # The unparsed (name, value) pairs: the fallback when the structured header cannot be built.
    return [value for key, value in message.raw_items() if key.lower() == name.lower()]


def _raw_header(value: str) -> str:
    try:
        # Folded lines are unfolded first, as a reader of the header would see them.
        unfolded = " ".join(str(value).split())
        return str(email.header.make_header(email.header.decode_header(unfolded)))
    except Exception:  # noqa: BLE001 - undecodable encoded-words: keep the raw value
        return value


def _decode_part(node: Message, raw: bytes) -> str:
    """A text part's payload decoded with its declared charset, falling back to Windows-1252."""
    charset = _safe(node.get_content_charset, None) or "utf-8"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        # An unknown charset name; cp1252 decodes every byte.
        return raw.decode("cp1252", errors="replace")


def _safe(method: Callable[[], T], default: D) -> T | D:
    """Call a header accessor that may raise on a malformed header; return ``default`` if it does."""
    try:
        return method()
    except (ItemError, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - see the docstring
        return default
