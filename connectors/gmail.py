"""Gmail: the messages of one or more mailboxes, read as raw MIME (Gmail API v1).

A service account with domain-wide delegation impersonates each user (``users``, or ``["*"]`` for every
active user of the domain through the Directory API). Enumeration lists message ids
(``users.messages.list``, spam and trash excluded) and reads only the headers of messages it has not
seen before (``format=metadata`` with From/To/Cc/Bcc): every To/Cc/Bcc address is a recipient, and a
message sent by the mailbox's user to an address outside ``[organization] internal_domains`` carries
``external:<address>`` as its exposure (a transfer, for the policy). The content is fetched as
``format=raw`` and handed over as ``<id>.eml``, so the EML extractor reads its headers, bodies and
attachments (each attachment an item of its own).

Incremental: the mailbox's history id is kept with the metadata of the messages known at that id
(:class:`connectors._google.RootState`). A later run reads ``users.history.list`` from it (messages
added and deleted), then yields every known message; the store skips unchanged ones (a message's content
never changes, so its id is its etag) and marks deleted ones removed. Without a stored history id, or
when Gmail no longer has that much history (HTTP 404), the mailbox is listed in full.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import logging
from collections.abc import Iterator
from typing import Any, ClassVar

from googleapiclient.errors import HttpError

from connectors import _google as g
from connectors.base import Connector
from dlp.config import Settings
from dlp.errors import ItemError, NotExamined
from dlp.types import Item, ItemRef, Reason, Status

log = logging.getLogger(__name__)

_HEADERS = ["From", "To", "Cc", "Bcc"]
_PAGE = 500


class GmailConnector(Connector):
    """Messages of Gmail mailboxes."""

    name: ClassVar[str] = "gmail"
    schemes: ClassVar[tuple[str, ...]] = ("gmail",)

    def __init__(self, opts: g.GoogleOptions, settings: Settings) -> None:
        self.opts = opts
        self.settings = settings
        self.source_key = opts.source_key()
        self._clients = g.Clients(self._build)

    @classmethod
    def from_uri(cls, uri: str, settings: Settings) -> GmailConnector:
        """``gmail://user@domain``: one mailbox, with the settings of a named gmail source."""
        return cls(g.options_for_uri("gmail", uri, settings), settings)

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], settings: Settings) -> GmailConnector:
        """``[sources.NAME]`` with ``type = "gmail"`` (CONTRACT.md section 5)."""
        return cls(g.parse_options("gmail", name, options), settings)

    def _build(self, user: str) -> Any:
        creds = g.credentials(self.opts, user, g.SCOPES["gmail"])
        # Gmail's method paths carry "gmail/v1/" themselves (its servicePath is empty).
        return g.build_service("gmail", "v1", creds, self.opts.endpoint, self.opts.timeout)

    # -- enumeration --

    def enumerate(self) -> Iterator[ItemRef]:
        """Every message of every mailbox; a mailbox that cannot be read is reported and skipped."""
        if self.opts.all_users:
            try:
                users = g.list_users(self.opts)
            except g.API_ERRORS as exc:
                yield ItemRef(source=self.source_key, item_id="*", uri="gmail://*/", status=Status.ERROR,
                              reason=Reason.UNREADABLE, detail=f"users of the domain not listed: {g.describe(exc)}")
                return
        else:
            users = list(self.opts.users)
        for user in users:
            yield from self._mailbox(user.lower())

    def _mailbox(self, user: str) -> Iterator[ItemRef]:
        state = g.RootState("gmail", self.source_key, f"mailbox:{user}")
        saved = state.load()
        try:
            svc = self._clients.get(user)
            data = self._listing(svc, user, saved)
        except g.API_ERRORS as exc:
            log.warning("mailbox %s not listed: %s", user, g.describe(exc))
            yield ItemRef(source=self.source_key, item_id=f"{user}/", uri=f"gmail://{user}/", status=Status.ERROR,
                          reason=Reason.UNREADABLE, detail=f"mailbox not listed: {g.describe(exc)}")
            # The messages known from the last run stay known (not "removed") while the mailbox is unreachable.
            if saved is not None:
                yield from self._refs(user, saved)
            return
        yield from self._refs(user, data)
        state.save(data)

    def _listing(self, svc: Any, user: str, saved: dict[str, Any] | None) -> dict[str, Any]:
        if saved is not None and self.opts.incremental and saved.get("history_id"):
            try:
                return self._history(svc, user, saved)
            except HttpError as exc:
                if g.status_of(exc) != 404:
                    raise
                log.info("mailbox %s: history id too old (%s); listing everything", user, g.describe(exc))
        return self._full(svc, user, saved)

    def _full(self, svc: Any, user: str, saved: dict[str, Any] | None) -> dict[str, Any]:
        # The history id is taken before listing, so that mail arriving during the listing is seen next time.
        profile = g.execute(svc.users().getProfile(userId=user), "users.getProfile")
        known: dict[str, Any] = dict(saved.get("messages", {})) if saved else {}
        messages: dict[str, Any] = {}
        request = svc.users().messages().list(userId=user, maxResults=_PAGE, includeSpamTrash=False,
                                              fields="nextPageToken,messages(id)")
        while request is not None:
            response = g.execute(request, "users.messages.list")
            for entry in response.get("messages", []):
                # A message never changes: headers read on an earlier run are reused.
                messages[entry["id"]] = known.get(entry["id"]) or self._metadata(svc, user, entry["id"])
            request = svc.users().messages().list_next(request, response)
        messages = {k: v for k, v in messages.items() if v is not None}
        log.info("mailbox %s: full listing, %d messages", user, len(messages))
        return {"history_id": str(profile["historyId"]), "messages": messages}

    def _history(self, svc: Any, user: str, saved: dict[str, Any]) -> dict[str, Any]:
        messages: dict[str, Any] = dict(saved.get("messages", {}))
        history_id = str(saved["history_id"])
        added: list[str] = []
        request = svc.users().history().list(userId=user, startHistoryId=history_id, maxResults=_PAGE,
                                             historyTypes=["messageAdded", "messageDeleted"])
        while request is not None:
            response = g.execute(request, "users.history.list")
            for record in response.get("history", []):
                for entry in record.get("messagesAdded", []):
                    message = entry.get("message", {})
                    labels = set(message.get("labelIds", []))
                    if message.get("id") and not labels & {"SPAM", "TRASH"}:
                        added.append(message["id"])
                for entry in record.get("messagesDeleted", []):
                    gone = entry.get("message", {}).get("id")
                    messages.pop(gone, None)
                    if gone in added:
                        added.remove(gone)
            if response.get("historyId"):
                history_id = str(response["historyId"])
            request = svc.users().history().list_next(request, response)
        for message_id in added:
            if message_id not in messages:
                meta = self._metadata(svc, user, message_id)
                if meta is not None:
                    messages[message_id] = meta
        log.info("mailbox %s: %d new messages since the last run", user, len(added))
        return {"history_id": history_id, "messages": messages}

    def _metadata(self, svc: Any, user: str, message_id: str) -> dict[str, Any] | None:
        """The sender, recipients, size and date of one message (None when it was deleted meanwhile)."""
        try:
            msg = g.execute(svc.users().messages().get(userId=user, id=message_id, format="metadata",
                                                       metadataHeaders=_HEADERS,
                                                       fields="id,internalDate,sizeEstimate,labelIds,payload/headers"),
                            "users.messages.get")
        except HttpError as exc:
            if g.status_of(exc) == 404:
                return None
            raise
        headers: dict[str, list[str]] = {}
        for header in msg.get("payload", {}).get("headers", []):
            headers.setdefault(str(header.get("name", "")).lower(), []).append(str(header.get("value", "")))
        senders = [a.lower() for _, a in email.utils.getaddresses(headers.get("from", [])) if "@" in a]
        recipients: list[str] = []
        for name in ("to", "cc", "bcc"):
            for _, address in email.utils.getaddresses(headers.get(name, [])):
                address = address.lower()
                if "@" in address and address not in recipients:
                    recipients.append(address)
        return {"from": senders[0] if senders else "", "recipients": recipients,
                "sent": "SENT" in msg.get("labelIds", []),
                "size": int(msg.get("sizeEstimate", 0) or 0), "date": int(msg.get("internalDate", 0) or 0)}

    def _refs(self, user: str, data: dict[str, Any]) -> Iterator[ItemRef]:
        internal = g.internal_domains(self.settings, user)
        for message_id, meta in sorted(data.get("messages", {}).items(), key=lambda kv: (kv[1]["date"], kv[0])):
            recipients = tuple(meta["recipients"])
            outbound = meta["from"] == user or meta.get("sent", False)
            exposure = tuple(sorted(f"external:{a}" for a in recipients
                                    if not g.is_internal(g.domain_of(a), internal))) if outbound else ()
            yield ItemRef(source=self.source_key, item_id=f"{user}/{message_id}", uri=f"gmail://{user}/{message_id}",
                          size=meta["size"] or None, modified=meta["date"] / 1000 if meta["date"] else None,
                          etag=f"{message_id}|{g.short_hash(exposure)}", owner=user, exposure=exposure,
                          recipients=recipients)

    # -- content --

    def fetch(self, ref: ItemRef) -> Item:
        """The message as raw RFC 822 bytes, named ``<id>.eml`` for the EML extractor."""
        user, _, message_id = ref.item_id.partition("/")
        limit = self.settings.scan.max_item_bytes
        if ref.size is not None and ref.size > limit * 4 // 3 + 4096:
            # sizeEstimate is close to the raw size; only a message clearly over the cap is skipped here.
            raise NotExamined(Reason.TOO_LARGE, f"about {ref.size} bytes, over the limit of {limit}")
        try:
            msg = g.execute(self._clients.get(user).users().messages().get(userId=user, id=message_id, format="raw",
                                                                            fields="raw"),
                            "users.messages.get raw")
        except HttpError as exc:
            if g.status_of(exc) == 404:
                raise NotExamined(Reason.VANISHED, f"message deleted ({g.describe(exc)})") from None
            raise ItemError(Reason.UNREADABLE, f"download failed ({g.describe(exc)})") from None
        except g.API_ERRORS as exc:
            raise ItemError(Reason.UNREADABLE, f"download failed: {g.describe(exc)}") from None
        raw = msg.get("raw", "")
        try:
            data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except (binascii.Error, ValueError):
            raise ItemError(Reason.CORRUPT, "raw message is not base64url") from None
        if len(data) > limit:
            raise NotExamined(Reason.TOO_LARGE, f"{len(data)} bytes, over the limit of {limit}")
        return Item(ref=ref, name=f"{message_id}.eml", data=data)
