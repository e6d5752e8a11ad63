"""Passwords, PINs and access codes written out in clear text (the ``CREDENTIALS`` class).

A credential is a value written right after its keyword: "password: Tr0ub4dor&3", "PIN 4821",
"door code is 7731#". Only the value is reported. Masked values, placeholders and ordinary words
("password: required", "your password is incorrect") are not credentials; after "is" the value must
look like a secret (a digit, a symbol or mixed case), because plain English follows "is" far more often.
"""

from __future__ import annotations

import re

from detectors.base import DistrictPattern, DistrictPatternRecognizer, Examples

_SECRET_WORDS = (
    r"(?:temporary\s+|temp\s+|initial\s+|default\s+|new\s+|wi-?fi\s+|network\s+)?"
    r"(?:password|passwd|pwd|pw|passphrase|pass\s*code|passcode|pass\s*word)"
)
_CODE_WORDS = r"(?:access|door|alarm|gate|entry|lock|login|security|building|keypad|locker)\s+code"
_PIN_WORDS = r"(?:pin|pin\s+number|pin\s+code|pin\s+#)"
# A value ends before whitespace, a quote or an angle bracket; one trailing '.', ',' or ';' closing
# the sentence is not part of it.
_VALUE = r"(?P<value>[^\s\"'<>]{4,64}?)(?=[.,;]?(?:\s|$|[\"'<>]))"

# Words that follow "password:" in instructions and forms rather than a password.
_NOT_SECRETS = frozenset({
    "required", "reset", "expired", "incorrect", "invalid", "changed", "protected", "policy", "hidden",
    "redacted", "none", "null", "same", "sent", "attached", "below", "above", "here", "unknown", "blank",
    "empty", "n/a", "tbd", "optional", "enter", "change", "forgot", "your", "the", "must", "will", "should",
    "removed", "updated", "unchanged", "requirements", "manager", "strength", "length", "field", "prompt",
    # Stand-ins that documentation and sample configs use instead of a real password.
    "secret", "password", "passwd", "pass", "changeme", "example", "sample", "test", "dummy", "placeholder",
    "mypassword", "yourpassword", "foo", "bar", "foobar", "xyz", "abc", "qwerty",
})
# Source code that assigns or passes a password variable: "password = userinfo.partition(':')".
_CODE = re.compile(r"^[A-Za-z_][\w.]*\s*[(\[]|^self\.|^(?:os\.environ|getpass|input)\b")
_PLACEHOLDER = re.compile(r"^(?:[*x•.#_-]+|[$%{<\[].*|.*[}>\]]|\?+)$", re.IGNORECASE)


# A value that names itself as a stand-in: "rest-of-my-password", "your_password_here", "test-secret".
_SELF_NAMED = re.compile(
    r"(?:my|your|the|some|fake|dummy|test|sample|example|real|user|db)[-_.]?(?:pass(?:word|wd|phrase)?|pwd|secret)"
    r"|pass(?:word|wd)[-_.]?(?:here|goes)",
    re.IGNORECASE,
)


def looks_like_secret(value: str) -> bool:
    """True unless ``value`` is a mask, a placeholder or an ordinary word from a form or instruction."""
    return not (_PLACEHOLDER.match(value) or value.lower().strip(".,;:!") in _NOT_SECRETS or _CODE.match(value)
                or _SELF_NAMED.search(value))


def looks_strong(value: str) -> bool:
    """True when ``value`` has a digit, a symbol, or mixed case (what follows "is" in a real leak)."""
    return (
        any(ch.isdigit() for ch in value)
        or any(not ch.isalnum() for ch in value)
        or (any(ch.islower() for ch in value) and any(ch.isupper() for ch in value[1:]))
    )


class CredentialRecognizer(DistrictPatternRecognizer):
    """CREDENTIAL: the value after "password:", "PIN", "access code" and the like."""

    ENTITY = "CREDENTIAL"
    # Every pattern starts with one of its words (a password word, a PIN, a "... code"), not with digits.
    TRIGGER = re.compile(r"pass|pwd|pw\b|\bpin|code", re.IGNORECASE)
    # A password beside a name makes no record.
    NAME_ANCHOR = False
    PATTERNS = (
        DistrictPattern("password colon", r"\b" + _SECRET_WORDS + r"\s*(?:[:=]|-\s)\s*" + _VALUE, 0.7),
        DistrictPattern("password is", r"\b" + _SECRET_WORDS + r"\s+(?:is|was|will\s+be)\s+" + _VALUE, 0.6),
        DistrictPattern("pin", r"\b" + _PIN_WORDS + r"\s*(?:[:=#]|is|-)?\s*(?P<value>\d{4,8})\b", 0.6),
        DistrictPattern("access code", r"\b" + _CODE_WORDS + r"\s*(?:[:=]|is|-)?\s*" + _VALUE, 0.6),
    )
    CONTEXT = (
        "username", "user name", "user", "login", "log in", "sign in", "account", "email", "wifi", "ssid",
    )
    EXAMPLES = Examples(
        positives=(
            "Password: [[Tr0ub4dor&3]]",
            "Your temporary password is [[Maple-Crest42]].",
            "Username: jsmith  pwd=[[Sunny2024!]]",
            "PIN [[4821]] for the copier",
            "Front door code is [[7731#]]",
            "Wi-Fi password: [[CambridgeGuest77]], network SCHOOL-GUEST",
            "Access code: [[RX92KT]]",
        ),
        negatives=(
            "Password: ********",
            "[server1]\nusername:me\npassword:secret",  # a sample config's stand-in
            "    username, have_password, password = userinfo.partition(':')",  # source code
            "Password: required",
            "Your password is incorrect, please try again.",
            "Forgot your password? Use the reset link.",
            "password = ${DB_PASSWORD}",
            "The PIN must be 4 to 8 digits",
            "Passwords expire every 90 days per policy",
            "pin 12 on the bulletin board",
            "[server3]\nusername:cbiggles\npassword:yh^%#rest-of-my-password",  # a test file's stand-in
            "db_password = your_password_here",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Refuse masks, placeholders and ordinary words."""
        return looks_like_secret(pattern_text)

    def locate(self, text: str, match: re.Match[str]) -> tuple[int, int] | None:
        """The value only; after "is" it must look like a secret."""
        span = super().locate(text, match)
        after_is = " is " in match.group(0).lower()
        if span is not None and after_is and not looks_strong(text[span[0] : span[1]]):
            return None
        return span
