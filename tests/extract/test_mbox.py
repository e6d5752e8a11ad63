"""MBOX: each message a child; Maildir message files are recognised as mail by content."""

from __future__ import annotations

import pytest

from dlp.errors import ItemError
from dlp.extract.base import sniff
from dlp.types import Reason
from tests.extract.conftest import FILES, part


def test_messages_are_children_with_quoted_from_lines_restored(extract):
    children = extract("archive.mbox").children
    assert [c.name for c in children] == ["message-1", "message-2"]
    assert children[0].data.startswith(b"From: Dana Whitfield")
    assert b"\nFrom the office.\n" in children[0].data  # mboxrd ">From " unquoted
    assert not children[0].data.endswith(b"\n\n")
    inner = extract("message-2", children[1].data)
    assert inner.media_type == "message/rfc822"
    assert "SASID 1023456789" in part(inner, "body").text


def test_messages_past_max_members_are_not_examined(extract):
    children = extract("archive.mbox", max_members=1).children
    assert [c.reason for c in children] == [None, Reason.TOO_MANY_MEMBERS]


def test_a_file_that_is_not_a_mailbox_is_corrupt(extract):
    with pytest.raises(ItemError) as caught:
        extract("notes.mbox", b"just some text\nFrom nowhere\n")
    assert caught.value.reason is Reason.CORRUPT


@pytest.mark.parametrize("first", [b"Return-Path: <a@example.org>\n", b"Delivered-To: b@example.org\n"])
def test_a_maildir_message_file_without_extension_is_sniffed_as_mail(first):
    data = (FILES / "1736947800.M1P2.mailhost").read_bytes()
    assert sniff("1736947800.M1P2.mailhost", data[:8192]) == "message/rfc822"
    rest = data.split(b"\n", 2)[2]
    assert sniff("1736947801.M9P9.host:2,S", first + rest) == "message/rfc822"
