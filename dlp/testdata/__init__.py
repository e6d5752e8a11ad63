"""Synthetic district data: invented people and the documents that hold them, with value-free labels.

:mod:`dlp.testdata.synth` makes people and documents; :mod:`dlp.testdata.corpus` writes a whole labelled share
of them. They are the corpus of ``dlp bench``, the source of the bundled example share
(``examples/make_example_share.py``) and of the benchmark corpora in ``benchmarks/``, and test data of the
test suite. Nothing here is real: numbers are valid in format only, domains are example.org / example.com.
"""
