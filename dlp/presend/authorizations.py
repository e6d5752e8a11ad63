"""The authorizations moved to :mod:`dlp.policy.authorizations`; the CLI's commands still import them here."""

from dlp.policy.authorizations import Authorization, import_csv, load_all, student_hash

__all__ = ["Authorization", "import_csv", "load_all", "student_hash"]
