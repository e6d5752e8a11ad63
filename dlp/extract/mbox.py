"""Unix mailbox files (.mbox): each message becomes a child ``message-N`` that the EML extractor reads.

The file is split while it is read line by line, without the standard library's ``mailbox`` module:
that one needs a path, keeps a table of every message's offsets and, for a file in memory, a temporary
copy. A message starts at a ``From `` line at the start of the file or after an empty line (the
"From_" line, which is not part of the message); ``>From `` lines written by mboxrd/mboxo writers
lose one ``>``. Children are bounded by ``max_members``; their total size by the file's own size.

Maildir folders are directories: the local connector walks them and each message file, which has no
extension, is recognised by ``sniff()`` from its mail headers and read as EML.
"""

from __future__ import annotations

import re
from typing import ClassVar

from dlp.errors import ItemError
from dlp.extract._common import open_binary
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Child, Document, Item, Reason, Status

_FROM_QUOTED = re.compile(rb"^>+From ")


class MboxExtractor(Extractor):
    """Splits a mailbox into its messages (see the module docstring)."""

    name: ClassVar[str] = "mbox"
    media_types: ClassVar[tuple[str, ...]] = ("application/mbox",)
    extensions: ClassVar[tuple[str, ...]] = (".mbox", ".mbx", ".mbs")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Messages as children; a file that does not start with a From_ line is corrupt."""
        children: list[Child] = []
        current: list[bytes] | None = None
        previous_blank = True
        with open_binary(item) as stream:
            for line in stream:
                if line.startswith(b"From ") and previous_blank:
                    if current is not None:
                        self._add(children, current, ctx)
                    current = []
                elif current is None:
                    if line.strip():
                        raise ItemError(Reason.CORRUPT, "mailbox does not start with a From_ line")
                else:
                    current.append(line[1:] if _FROM_QUOTED.match(line) else line)
                previous_blank = not line.strip()
        if current is not None:
            self._add(children, current, ctx)
        return Document(media_type=self.media_types[0], children=tuple(children))

    @staticmethod
    def _add(children: list[Child], lines: list[bytes], ctx: ExtractContext) -> None:
        name = f"message-{len(children) + 1}"
        if len(children) >= ctx.settings.max_members:
            children.append(Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.TOO_MANY_MEMBERS,
                                  detail=f"mailbox has more than {ctx.settings.max_members} messages"))  # fmt: skip
            lines.clear()
            return
        # The blank line before the next From_ line belongs to the separator, not to the message.
        if lines and not lines[-1].strip():
            lines.pop()
        children.append(Child(name=name, data=b"".join(lines)))
        lines.clear()
