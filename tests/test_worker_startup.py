"""A worker that starts fresh (spawned, or a Dask worker on another host) builds only what it needs.

Its spaCy model is loaded on the first text that needs NER, not at start-up, and its Hyperscan database
comes from the cache a previous process wrote (the patterns are the same in every process, whatever
its string hash seed). The fork path keeps loading the model before the pool forks, so workers share it.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlp import worker
from dlp.config import Settings
from dlp.types import Item, ItemRef

MODEL = Settings().detect.model

# NER runs in a window around a SASID in prose: the name beside it is found by the model alone.
NAMED = "Met with Zorblat Quexington about his transfer today; SASID 1029384756 goes to the new school.\n"


def _model_imported() -> bool:
    return MODEL in sys.modules


def _judge_named(path: str) -> tuple[bool, list[str]]:
    """In a worker: judge a file whose name only NER finds; whether the model is loaded now, and the entities."""
    ref = ItemRef(source="t", item_id="named.txt", uri="share/named.txt", size=None, local_path=path)
    [result] = worker.process_item(Item(ref=ref, name="named.txt", path=path))
    return _model_imported(), sorted({f.entity for f in result.findings})


def test_a_spawned_worker_starts_without_the_model_and_loads_it_for_the_first_name(tmp_path: Path) -> None:
    named = tmp_path / "named.txt"
    named.write_text(NAMED, encoding="utf-8")
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1, initializer=worker.init_worker, initargs=(Settings(), b"k" * 32, False)) as pool:
        assert pool.apply(_model_imported) is False
        loaded, entities = pool.apply(_judge_named, (str(named),))
    assert loaded is True
    assert "PERSON" in entities and "MA_SASID" in entities


def test_a_process_that_forks_its_workers_loads_the_model_before_they_start() -> None:
    code = ("import sys; from dlp.config import Settings; from dlp.worker import preload_engine; "
            f"assert preload_engine(Settings(), bytes(32), False); print({MODEL!r} in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.strip() == "True"


@pytest.mark.parametrize("seeds", [("1", "2")])
def test_a_fresh_worker_loads_the_hyperscan_database_another_process_cached(tmp_path: Path,
                                                                            seeds: tuple[str, str]) -> None:
    pytest.importorskip("hyperscan")
    code = ("from dlp.config import Settings; from dlp.worker import init_worker; "
            "init_worker(Settings(), bytes(32), False)")
    cache = tmp_path / "cache" / "hyperscan"
    written: list[set[str]] = []
    for seed in seeds:  # another string hash seed, as every new process has
        env = {**os.environ, "DLP_HOME": str(tmp_path), "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=True)
        written.append({p.name for p in cache.glob("*.hsdb")})
    assert written[0] and written[1] == written[0]  # the second process compiled nothing new


def test_a_fresh_worker_imports_neither_spacy_nor_presidio_whole(tmp_path: Path) -> None:
    """Once a first process cached what is slow to build (the Hyperscan databases, the name lexicon), a fresh
    worker starts without spaCy and without Presidio's analyzer, registry and predefined recognizers."""
    heavy = ("spacy", "presidio_analyzer.analyzer_engine", "presidio_analyzer.nlp_engine",
             "presidio_analyzer.recognizer_registry.recognizer_registry",
             "presidio_analyzer.predefined_recognizers.country_specific.australia")
    code = ("import sys; from dlp.config import Settings; from dlp.worker import init_worker; "
            "init_worker(Settings(), bytes(32), False); "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    env = {**os.environ, "DLP_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                           check=True).stdout.strip() for _ in range(2)]
    assert runs[1] == "[]"
    assert "spacy" in runs[0]  # the first built the lexicon (through spaCy): the cache is what the second used
