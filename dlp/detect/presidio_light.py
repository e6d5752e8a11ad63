"""Presidio's analyzer imported by the piece: what the fast engine uses, without the package's imports.

``import presidio_analyzer`` runs the package's ``__init__``, which imports the recognizer registry, every
NLP engine (and with them spaCy) and every country's predefined recognizers: about a second of a fresh
worker's start-up, for classes the fast engine never runs. The fast engine needs Presidio's recognizer base
classes and the few predefined recognizers whose entities it reports (spaCy only once its model loads).

:func:`install` puts Presidio's packages in ``sys.modules`` *deferred*: the package module exists but its
``__init__`` has not run. A deferred package holds the recognizer base classes (imported from their own
modules); a deferred package of predefined recognizers imports a recognizer class its ``__init__`` exports
from that class's own module when it is asked for. The first time anything else is asked of a deferred
package (``from presidio_analyzer import AnalyzerEngine``, as plain-Presidio mode and the benchmark do),
every deferred package runs its real ``__init__`` in place (a module ``__getattr__``, PEP 562), so the
process sees Presidio exactly as a plain import leaves it, with every predefined class imported (Presidio's
registry finds its recognizers among the imported subclasses).

:func:`predefined_recognizers` builds a language's predefined recognizers with Presidio's own configuration
(``conf/default_recognizers.yaml``) and loader, importing only the classes whose entities are wanted. It
returns None when this Presidio is laid out differently from what it expects; the caller then imports the
whole package as before. ``tests/detect/test_presidio_light.py`` checks the set against the full import.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import sys
import threading
from collections.abc import Collection, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

log = logging.getLogger(__name__)

ROOT = "presidio_analyzer"
PREDEFINED = "presidio_analyzer.predefined_recognizers"
# Presidio's configuration loaders, a module of the registry package (whose __init__ imports spaCy).
_LOADERS = "presidio_analyzer.recognizer_registry.recognizers_loader_utils"
# The base classes recognizers derive from, with their modules, in the order they import one another
# (each module imports the ones before it from the package).
_CORE = (("analysis_explanation", "AnalysisExplanation"), ("recognizer_result", "RecognizerResult"),
         ("entity_recognizer", "EntityRecognizer"), ("local_recognizer", "LocalRecognizer"),
         ("pattern", "Pattern"), ("pattern_recognizer", "PatternRecognizer"))

# Deferred packages whose __init__ has not run, by name, in the order they were deferred (parents first).
_PENDING: dict[str, ModuleType] = {}
# Deferred packages whose __init__ is running now (a name missing from one is missing, as in any partly
# initialised module).
_RUNNING: set[str] = set()
# Per deferred package of predefined recognizers: exported name -> (module, attribute), from its __init__.
_EXPORTS: dict[str, dict[str, tuple[str, str]]] = {}
# One completion at a time; reentrant, because completing one package completes others on the way.
_LOCK = threading.RLock()


class Unavailable(Exception):
    """This Presidio cannot be imported by the piece (a module or name is not where this module looks)."""


def install() -> None:
    """Make Presidio's recognizer base classes importable without the package's ``__init__``.

    Nothing happens when ``presidio_analyzer`` was imported already (deferred or whole).

    Raises:
        Unavailable: Presidio is not laid out as expected; nothing was changed then.
    """
    with _LOCK:
        if ROOT in sys.modules:
            return
        try:
            root = _defer(ROOT)
        except ImportError as exc:
            raise Unavailable(str(exc)) from None
        try:
            for module, name in _CORE:
                setattr(root, name, getattr(importlib.import_module(f"{ROOT}.{module}"), name))
            _defer(PREDEFINED)
            _defer(_LOADERS.rpartition(".")[0])
        except (ImportError, AttributeError) as exc:
            # Leave no half-deferred Presidio behind: the next import runs the real __init__.
            _complete_all()
            raise Unavailable(str(exc)) from None


def complete_all() -> None:
    """Run the real ``__init__`` of every deferred package: Presidio as a plain import leaves it."""
    with _LOCK:
        _complete_all()


def predefined_recognizers(language: str, entities: Collection[str], exclude: Collection[str],
                           global_regex_flags: int | None = None) -> list[EntityRecognizer]:
    """Presidio's predefined recognizers for ``language`` that find any of ``entities``, except those named
    in ``exclude``: what ``RecognizerRegistry.load_predefined_recognizers`` loads, filtered so, less its NLP
    recognizer (spaCy's entities, added after the configured ones), which the caller adds itself if it runs it.
    ``global_regex_flags``: the registry's (None: RecognizerRegistry's default, DOTALL | MULTILINE | IGNORECASE).

    Only the classes of the kept recognizers are imported (a configured entry's entity is read from its
    configuration, else from its class's source; the built recognizers are filtered by their real entities).

    Raises:
        Unavailable: Presidio's configuration, loader or a class is not where this module looks.
    """
    install()
    try:
        loaders = importlib.import_module(_LOADERS)
    except ImportError as exc:
        raise Unavailable(str(exc)) from None
    # What goes wrong when Presidio is not laid out as this module expects (the full import may still work).
    unexpected = (ImportError, AttributeError, KeyError, TypeError, ValueError, OSError,
                  getattr(loaders, "PredefinedRecognizerNotFoundError", LookupError))
    try:
        configuration_loader, list_loader = loaders.RecognizerConfigurationLoader, loaders.RecognizerListLoader
        configuration = _configuration(configuration_loader._get_full_conf_path())
        wanted = set(entities)
        kept = []
        for conf in configuration.get("recognizers") or []:
            if isinstance(conf, dict) and conf.get("type") == "predefined":
                if conf.get("name") in exclude:
                    continue
                languages = list_loader._get_recognizer_languages(conf, [language])
                if not list_loader.is_recognizer_enabled(conf) or all(
                        lang["supported_language"] != language for lang in languages):
                    # Presidio builds it only to drop it (disabled, or another language): left out.
                    continue
                cls_name = list_loader.get_recognizer_name(conf)
                declared = _declared_entities(conf, cls_name)
                if declared is not None and not declared & wanted:
                    continue
                _predefined_class(cls_name)  # imported, so that the loader finds it among the subclasses
            kept.append(conf)
        if global_regex_flags is None:
            import regex

            global_regex_flags = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE
        configuration.update(recognizers=kept, supported_languages=[language], global_regex_flags=global_regex_flags)
        built = list_loader.get(**configuration)
    except unexpected as exc:
        raise Unavailable(f"{type(exc).__name__}: {exc}") from None
    return [r for r in built if set(r.supported_entities) & wanted]


def _configuration(path: Path) -> dict[str, Any]:
    """Presidio's default recognizer configuration, read with libyaml where it is there (a tenth of a
    second faster than the pure-Python reader Presidio uses; the same plain YAML, the same values)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        loaded = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
    if not isinstance(loaded, dict):
        raise TypeError(f"{path.name}: not a mapping")
    return loaded


def _predefined_class(name: str) -> type:
    """The predefined recognizer class ``name``, imported from its own module only."""
    package = sys.modules[PREDEFINED]
    if PREDEFINED in _PENDING and name not in _exports(package):
        raise Unavailable(f"{PREDEFINED} exports no {name}")
    cls: type = getattr(package, name)
    return cls


def _declared_entities(conf: dict[str, Any], cls_name: str) -> set[str] | None:
    """The entities a configured predefined recognizer will support, when its configuration or its class's
    source says so without importing it (``supported_entity: str = "URL"`` in ``__init__``); else None."""
    if conf.get("supported_entities"):
        return set(conf["supported_entities"])
    if conf.get("supported_entity"):
        return {conf["supported_entity"]}
    source = _exports(sys.modules[PREDEFINED]).get(cls_name) if PREDEFINED in _PENDING else None
    if source is None:
        return None
    for ancestor in _ancestors(source[0], below=PREDEFINED):
        _defer(ancestor)  # finding the module imports the packages holding it: deferred, they run nothing
    spec = importlib.util.find_spec(source[0])
    if spec is None or spec.origin is None:
        return None
    tree = ast.parse(Path(spec.origin).read_bytes())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == source[1]:
            return _init_default_entities(node)
    return None


def _init_default_entities(cls: ast.ClassDef) -> set[str] | None:
    """The default of ``supported_entity`` (a string) or ``supported_entities`` (a list of strings) in the
    class's own ``__init__``; None when it has neither or another kind of default."""
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            args = [*node.args.args, *node.args.kwonlyargs]
            defaults = [*([None] * (len(node.args.args) - len(node.args.defaults))), *node.args.defaults,
                        *node.args.kw_defaults]
            for arg, default in zip(args, defaults, strict=True):
                if arg.arg == "supported_entity" and isinstance(default, ast.Constant) \
                        and isinstance(default.value, str):
                    return {default.value}
                if arg.arg == "supported_entities" and isinstance(default, ast.List) and default.elts:
                    names = [e.value for e in default.elts if isinstance(e, ast.Constant)]
                    if len(names) == len(default.elts) and all(isinstance(n, str) for n in names):
                        return {str(n) for n in names}
            return None
    return None


def _defer(name: str) -> ModuleType:
    """The package ``name`` in ``sys.modules``, with its parents; deferred unless it was imported already."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    parent, _, child = name.rpartition(".")
    if parent:
        _defer(parent)
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"no package {name}")
    module = importlib.util.module_from_spec(spec)
    module.__dict__["__getattr__"] = _attribute_of(module)
    sys.modules[name] = module
    _PENDING[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)
    return module


def _attribute_of(package: ModuleType) -> Any:
    """The module ``__getattr__`` of a deferred package (PEP 562): Python calls it for a name the package
    does not hold yet."""
    name = package.__name__

    def __getattr__(attribute: str) -> Any:
        with _LOCK:
            if name in _RUNNING or name not in _PENDING:
                # Partly initialised (its __init__ is running, and has not reached the name yet), or
                # complete: the name is not there.
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            source = _exports(package).get(attribute) if name.startswith(PREDEFINED) else None
            if source is None:
                _complete_all(first=name)
                return getattr(package, attribute)
            module, original = source
            # The packages between this one and the class's module are deferred too, so that importing
            # the module runs none of their __init__s.
            for ancestor in _ancestors(module, below=name):
                _defer(ancestor)
            value = getattr(importlib.import_module(module), original)
            setattr(package, attribute, value)
            return value

    return __getattr__


def _ancestors(module: str, below: str) -> Iterator[str]:
    """The packages holding ``module`` below the package ``below``, outermost first."""
    parts = module.split(".")
    for end in range(below.count(".") + 2, len(parts)):
        yield ".".join(parts[:end])


def _exports(package: ModuleType) -> dict[str, tuple[str, str]]:
    """What a package's ``__init__`` imports from its submodules: name -> (module, attribute).

    Read from the source, never run: the ``__init__`` of a deferred package is what is not wanted yet.
    """
    name = package.__name__
    found = _EXPORTS.get(name)
    if found is None:
        found = {}
        origin = package.__spec__.origin if package.__spec__ is not None else None
        if origin is not None and origin.endswith(".py"):
            for node in ast.parse(Path(origin).read_bytes()).body:
                if not isinstance(node, ast.ImportFrom) or node.module is None:
                    continue
                module = importlib.util.resolve_name("." * node.level + node.module, name) if node.level \
                    else node.module
                if module.startswith(name + "."):
                    for alias in node.names:
                        found[alias.asname or alias.name] = (module, alias.name)
        _EXPORTS[name] = found
    return found


def _complete_all(first: str | None = None) -> None:
    """Run the real ``__init__`` of every deferred package, ``first`` first, then outermost first.

    A package's ``__init__`` that asks a deferred one for a name completes that one on the way (its
    ``__getattr__`` runs on this thread, which holds the lock), and the rest with it, except those whose
    ``__init__`` is running already (their callers).
    """
    for name in [first] if first is not None else []:
        _complete(name)
    for name in list(_PENDING):
        if name in _PENDING and name not in _RUNNING:
            _complete(name)


def _complete(name: str) -> None:
    package = _PENDING[name]
    assert package.__spec__ is not None and package.__spec__.loader is not None
    _RUNNING.add(name)
    try:
        package.__spec__.loader.exec_module(package)
    except BaseException:
        _RUNNING.discard(name)
        raise
    _RUNNING.discard(name)
    del _PENDING[name]
    package.__dict__.pop("__getattr__", None)
    log.debug("presidio: %s imported whole", name)
