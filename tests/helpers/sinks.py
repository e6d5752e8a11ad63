"""Sinks that keep what they are given: a scan's item results, and the messages an SMTP next hop receives."""

from __future__ import annotations

from typing import Any

from dlp.types import ItemResult


class ResultSink:
    """The output side of ``Scanner.run``: keeps every item result and the closing summary."""

    def __init__(self) -> None:
        self.items: list[ItemResult] = []
        self.summary: dict[str, Any] = {}

    def item(self, result: ItemResult) -> None:
        """Keep one item's result."""
        self.items.append(result)

    def close(self, summary: dict[str, Any]) -> None:
        """Keep the run's summary."""
        self.summary = summary

    def by_uri(self) -> dict[str, ItemResult]:
        """The results by URI (an item reported twice keeps its last result)."""
        return {r.uri: r for r in self.items}


class MailSink:
    """An aiosmtpd handler for the next hop: keeps what it is given, or refuses with ``answer``."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.answer = "250 2.0.0 Queued"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's DATA hook: keep (sender, recipients, content) when the answer accepts it."""
        if self.answer.startswith("250"):
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return self.answer
