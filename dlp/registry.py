"""Discovery of extension classes: one file each, found by walking a package, never hand-listed.

A connector lives in ``connectors/<name>.py``, an extractor in ``dlp/extract/<format>.py``, a recognizer
in ``detectors/<entity>.py``. Each module is imported and every concrete subclass of the base class
defined in it is collected, except the classes marked :func:`not_discovered`. Two classes claiming the
same name is a start-up error.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import TypeVar

T = TypeVar("T")
C = TypeVar("C", bound=type)

# Classes that discovery passes over (see not_discovered). Only the marked class itself: a subclass
# defined later is found as usual, so a new extension never has to opt in.
_NOT_DISCOVERED: set[type] = set()


def not_discovered(cls: C) -> C:
    """Class decorator: :func:`discover` passes over this class; its subclasses are still found.

    For a shared base that lives beside its subclasses (the compressors' base in ``dlp/extract/archive.py``)
    and for an extension the product builds by hand (the roster recognizer needs the key and a roster).
    """
    _NOT_DISCOVERED.add(cls)
    return cls


def discover(package: str, base: type[T], *, skip: tuple[str, ...] = ("base",)) -> list[type[T]]:
    """Import every module of ``package`` and return the concrete subclasses of ``base`` defined there.

    Modules named in ``skip`` (the base module, helpers) are imported but contribute nothing. The
    order is the modules' alphabetical order, so discovery is deterministic.
    """
    pkg = importlib.import_module(package)
    found: list[type[T]] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in skip:
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        found.extend(_classes_in(module, base))
    return found


def _classes_in(module: ModuleType, base: type[T]) -> list[type[T]]:
    out: list[type[T]] = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if obj.__module__ != module.__name__ or not issubclass(obj, base) or obj is base:
            continue
        if inspect.isabstract(obj) or obj in _NOT_DISCOVERED:
            continue
        out.append(obj)
    return out


def by_name(classes: list[type[T]], attr: str = "name") -> dict[str, type[T]]:
    """Index classes by a class attribute; a duplicate is a start-up error naming both classes."""
    out: dict[str, type[T]] = {}
    for cls in classes:
        key = getattr(cls, attr)
        if key in out:
            raise RuntimeError(f"two extensions claim {attr} {key!r}: {out[key].__qualname__} and {cls.__qualname__}")
        out[key] = cls
    return out
