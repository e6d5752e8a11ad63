"""Hostile input: truncated and bit-flipped copies of every fixture raise ItemError or nothing else."""

from __future__ import annotations

import random

import pytest

from dlp.errors import ItemError
from tests.extract.conftest import FILES, run_extract

FIXTURES = sorted(p.name for p in FILES.iterdir())


def _mutants(data: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = [data[: len(data) * k // 5] for k in range(1, 5)]
    for _ in range(6):
        mutant = bytearray(data)
        for _ in range(max(1, len(data) // 200)):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
        out.append(bytes(mutant))
    return out


@pytest.mark.parametrize("name", FIXTURES)
def test_damaged_copies_fail_only_with_item_error(name):
    data = (FILES / name).read_bytes()
    for number, mutant in enumerate(_mutants(data, seed=len(name))):
        try:
            run_extract(name, mutant, passwords=("district-test-pw",))
        except ItemError as error:
            # Messages name the kind of problem, never content of the file.
            for value in ("523-47-1186", "Jordan", "1012345678"):
                assert value not in str(error), (name, number)
