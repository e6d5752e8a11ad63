"""The command-line fixtures of the pipeline tests (a temporary DLP_HOME, ``run_cli``), shared here."""

from tests.pipeline.conftest import dlp_home, run_cli  # noqa: F401
