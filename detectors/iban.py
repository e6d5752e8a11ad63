"""International Bank Account Numbers (93H element (c) for foreign accounts); domain rule 25.

Two letters of a country that uses IBANs, two check digits and the national account part, at that
country's exact length; moving the first four characters to the end and reading letters as 10-35
must give a number that is 1 mod 97. Written compact or in groups of four (spaces or dashes); a
trailing group that breaks the checksum (a word glued on after the IBAN) is trimmed off.
"""

from __future__ import annotations

import re

from detectors.base import DistrictPattern, DistrictPatternRecognizer, Examples

# Lengths from the IBAN registry (ISO 13616), by country code.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def is_valid_iban(value: str) -> bool:
    """Country, length and mod-97 check of an IBAN, compact or grouped with spaces or dashes."""
    compact = value.replace(" ", "").replace("-", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact) or IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


class IbanCodeRecognizer(DistrictPatternRecognizer):
    """IBAN_CODE: a country-length, mod-97-valid IBAN, compact or grouped in fours."""

    ENTITY = "IBAN_CODE"
    REPLACES = ("IbanRecognizer",)
    # IBANs are written in capitals; matching case-sensitively keeps lower-case words out of the groups.
    REGEX_FLAGS = 0
    PATTERNS = (
        DistrictPattern("iban compact", r"(?<![\w-])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?![\w-])", 0.8),
        # Groups of four, one separator throughout (a space, or a dash as some forms print it).
        DistrictPattern(
            "iban grouped",
            r"(?<![\w-])[A-Z]{2}\d{2}([ -])[A-Z0-9]{4}(?:\1[A-Z0-9]{4}){1,6}(?:\1[A-Z0-9]{1,4})?(?![\w-])",
            0.8,
        ),
    )
    CONTEXT = ("iban", "iban#", "bank account", "account", "swift", "bic", "wire", "transfer", "bank")
    EXAMPLES = Examples(
        positives=(
            "IBAN: [[GB82WEST12345698765432]]",
            "Wire the tuition refund to [[DE89 3704 0044 0532 0130 00]] (Sparkasse).",
            "Exchange family account [[FR1420041010050500013M02606]]",
            "Pay to [[NL91 ABNA 0417 1643 00]] ASAP",  # the trailing capitals are not part of the IBAN
        ),
        negatives=(
            "IBAN: GB82WEST12345698765433",  # checksum fails
            "IBAN DE89 3704 0044 0532 0130 0",  # one digit short for Germany
            "Code XX82WEST12345698765432 is not a country",
            "Order AB12 CDEF GHIJ KLMN from the catalog",
            "Call 617-555-0142",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Country length and mod-97."""
        return is_valid_iban(pattern_text)

    def locate(self, text: str, match: re.Match[str]) -> tuple[int, int] | None:
        """The longest prefix of the match, cut at a group boundary, that is a valid IBAN."""
        start, end = match.span()
        separator = (match.group(1) or " ") if match.re.groups else " "
        while end > start:
            if is_valid_iban(text[start:end]):
                return start, end
            cut = text.rfind(separator, start, end)
            if cut <= start:
                break
            end = cut
        return start, match.end()
