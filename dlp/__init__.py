"""District DLP scanner: finds student and staff personal information and checks transfers."""

__version__ = "0.1.0"
