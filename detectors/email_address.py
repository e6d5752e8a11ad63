"""E-mail addresses: Presidio's own recognizer, kept as it is and declared here like every other entity.

Presidio's pattern and its public-suffix check (offline, see ``make_tldextract_offline``) already do
what the district needs, so nothing is changed but what this package adds to every recognizer: the
entity it declares, the trigger of the fast path and the examples the tests run. It replaces the
predefined instance under the same name, so findings and the store name ``EmailRecognizer`` as before.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer.predefined_recognizers import EmailRecognizer

from detectors.base import Examples


class EmailAddressRecognizer(EmailRecognizer):
    """EMAIL_ADDRESS: Presidio's e-mail pattern with a domain under a public suffix."""

    ENTITY: ClassVar[str] = "EMAIL_ADDRESS"
    # Every address holds an "@"; the fast path also looks only at the runs of text around each one.
    TRIGGER: ClassVar[str] = "@"
    REPLACES: ClassVar[tuple[str, ...]] = ("EmailRecognizer",)
    EXAMPLES: ClassVar[Examples] = Examples(
        positives=(
            "Contact: [[jdoe@example.org]]",
            "Send the IEP draft to [[m.quintero@school.example.com]] by Friday",
            "parent email - [[r_okafor+iep@example.net]]",
            "Reply to <[[a.nguyen@example.org]]>, cc [[office@example.com]]",
        ),
        negatives=(
            "ping admin@printer.local before the update",  # no public suffix
            "see @handle on the forum",
            "meet at 3 @ room 204",
            "ssh git@10.0.0.5 from the lab",
        ),
    )

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(supported_language=supported_language, name="EmailRecognizer")
