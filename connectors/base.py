"""Connectors: one source per file, each a subclass of :class:`Connector`.

A connector has two jobs, kept apart so that enumeration stays cheap (after trufflehog's sources):

- :meth:`Connector.enumerate` lists :class:`~dlp.types.ItemRef` objects with the metadata an incremental
  scan compares (size, modified time, etag) and the exposure the policy needs (owner, sharing,
  recipients). It reads no content. An entry it cannot list (a folder it may not open, a symlink loop)
  is still yielded, with ``status`` and ``reason`` set, so that no gap is silent.
- :meth:`Connector.fetch` returns the :class:`~dlp.types.Item` with its content. The scan calls it in its
  I/O threads (``[scan] fetch_threads``) for an item without a local path, so that no worker waits on the
  network; an item with a local path goes to a worker as the path, which the worker reads itself.

``name`` is the URI scheme (``local``, ``smb``...). :meth:`Connector.from_uri` builds a connector from a
command-line SOURCE; :meth:`Connector.from_config` from a named ``[sources.NAME]`` table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from dlp.config import Settings
from dlp.registry import by_name, discover
from dlp.types import Item, ItemRef


class Connector:
    """Base class of every connector. Subclasses are discovered in ``connectors/``."""

    name: ClassVar[str] = ""
    schemes: ClassVar[tuple[str, ...]] = ()

    #: The key of this source in the store's incremental state (a resolved root path, a host/share).
    source_key: str

    @classmethod
    def from_uri(cls, uri: str, settings: Settings) -> Connector:
        """Build the connector for a command-line SOURCE."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], settings: Settings) -> Connector:
        """Build the connector for a named source of the config file."""
        raise NotImplementedError

    def enumerate(self) -> Iterator[ItemRef]:
        """Every item of the source, with metadata but no content."""
        raise NotImplementedError

    def fetch(self, ref: ItemRef) -> Item:
        """The item with its content (or a path to it that the worker may read); called in an I/O thread."""
        raise NotImplementedError

    def content_hash(self, ref: ItemRef) -> str | None:
        """A hash of the content when it is cheap to get (a local read, a checksum the API gives).

        Identical content at two places is then judged once. ``None`` means "unknown": the worker
        hashes what it reads, and no deduplication is attempted before the work is sent out.
        """
        return None

    def close(self) -> None:
        """Release connections. Called once at the end of a scan."""


def registry() -> dict[str, type[Connector]]:
    """Connector classes by name."""
    return by_name(discover("connectors", Connector))


def for_source(source: str, settings: Settings) -> Connector:
    """The connector for a command-line SOURCE: a named source, a URI with a scheme, or a local path.

    Raises:
        ConfigError: the scheme has no connector or a named source is not configured right.
    """
    from dlp.errors import ConfigError

    classes = registry()
    if source in settings.sources:
        conf = settings.sources[source]
        cls = classes.get(conf.type)
        if cls is None:
            raise ConfigError(f"[sources.{source}] type = {conf.type!r}: no such connector is installed")
        return cls.from_config(source, conf.options, settings)
    scheme = source.split("://", 1)[0].lower() if "://" in source else "local"
    for cls in classes.values():
        if scheme in cls.schemes or scheme == cls.name:
            return cls.from_uri(source, settings)
    raise ConfigError(f"source {source!r}: no connector reads {scheme}:// addresses")
