"""What the district calls personal information: the classification labels and the entity groups behind them.

The one place these names are defined (CONTRACT.md sections 3 and 6, domain.md sections 1 and 3). The
classifier, the transfer rules, the reports and the detection engine's triggers all read them from here.
This module imports nothing of the product but :class:`~dlp.detect.terms.TermMatcher`, so that
:mod:`dlp.detect` may use it without importing the policy layer above it.
"""

from __future__ import annotations

import re

from dlp.detect.terms import TermMatcher

# -- classification labels (CONTRACT.md section 3) --

MA_PI, STUDENT_PII, STUDENT_SENSITIVE, EMPLOYEE_PII, CREDENTIALS = (
    "MA_PI", "STUDENT_PII", "STUDENT_SENSITIVE", "EMPLOYEE_PII", "CREDENTIALS")
# Every label that marks personal information, in the order the reports list them.
PI_LABELS: tuple[str, ...] = (MA_PI, STUDENT_PII, STUDENT_SENSITIVE, EMPLOYEE_PII, CREDENTIALS)
STUDENT_LABELS = frozenset({STUDENT_PII, STUDENT_SENSITIVE})
# Records about a person the district answers for (FERPA, personnel records): a third party needs a legal basis.
PERSON_LABELS = STUDENT_LABELS | {EMPLOYEE_PII}

# -- entity groups --

# M.G.L. c. 93H section 1 elements: with a name, they make MA_PI. Ordered by how surely one value names one
# resident (the reports count a table row once, by its first element in this order).
MA_PI_ELEMENTS_RANKED: tuple[str, ...] = ("US_SSN", "US_DRIVER_LICENSE", "US_BANK_NUMBER", "CREDIT_CARD",
                                          "IBAN_CODE")
MA_PI_ELEMENTS = frozenset(MA_PI_ELEMENTS_RANKED)
STUDENT_IDS_RANKED: tuple[str, ...] = ("MA_SASID", "STUDENT_ID")
STUDENT_IDS = frozenset(STUDENT_IDS_RANKED)
EMPLOYEE_IDS_RANKED: tuple[str, ...] = ("EMPLOYEE_ID", "MA_MEPID")
EMPLOYEE_IDS = frozenset(EMPLOYEE_IDS_RANKED)
FINANCIAL = frozenset({"US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "CREDIT_CARD", "IBAN_CODE"})
# Entities that identify one person each: their distinct values estimate how many people an item is about.
PERSONAL_IDS = frozenset({"US_SSN", "US_ITIN", "MA_SASID", "MA_MEPID", "STUDENT_ID", "EMPLOYEE_ID",
                          "US_DRIVER_LICENSE", "MASSHEALTH_ID", "US_PASSPORT"})
# Values that are PI of their own even with no name beside them (domain.md rule 1: a PI element).
PI_ELEMENTS = MA_PI_ELEMENTS | FINANCIAL | STUDENT_IDS | EMPLOYEE_IDS | frozenset({
    "US_ITIN", "US_PASSPORT", "MASSHEALTH_ID", "CREDENTIAL"})

# -- words that make student PII sensitive (STUDENT_SENSITIVE; domain.md section 3) --


def words(*terms: str) -> TermMatcher:
    """A case-insensitive matcher of whole words or phrases (regular expressions, joined as alternatives)."""
    return TermMatcher(re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w-])", re.IGNORECASE))


# Unambiguous: these say something protected about whoever the record is about.
_STRONG = (
    r"ieps?", r"504 plans?", r"section 504", r"special education", r"sped", r"disabilit(?:y|ies)",
    r"diagnos(?:is|ed|es)", r"autism", r"autistic", r"adhd", r"dyslexi[ac]", r"epilep(?:sy|tic)", r"diabet(?:es|ic)",
    r"asthma", r"seizures?", r"mental health", r"suspen(?:ded|sion)", r"expelled", r"expulsion", r"51a", r"dcf",
    r"free (?:or|and|/) ?reduced(?:[- ]price)?(?: lunch| meals?)?", r"free lunch", r"reduced(?:[- ]price)? lunch",
    r"f/r(?: lunch)?", r"frl", r"frpl", r"(?:meal|lunch) (?:status|eligibility)", r"low[- ]income",
    r"economically disadvantaged", r"homeless", r"foster care", r"mckinney-vento", r"english learners?",
    r"english language learners?", r"ell", r"lep", r"limited english(?: proficien(?:t|cy))?", r"el students?",
    r"immigra(?:nt|tion) status", r"pregnan(?:t|cy)",
    # Weak words made specific: a column or a sentence about the record's own health or conduct.
    r"medical (?:conditions?|alerts?|notes?|needs?|history|information|info|plans?|diagnosis)",
    r"health (?:conditions?|alerts?|plans?|concerns?|notes?|history)", r"medications?",
    r"discipline (?:incidents?|referrals?|records?|history|actions?|reports?)",
    r"disciplinary (?:actions?|records?|referrals?|incidents?|hearings?)",
    r"counseling (?:notes|services|sessions?|referrals?|records?)", r"nurse visits?", r"allerg(?:y|ies|ic)",
    r"epi-?pens?", r"inhalers?", r"insulin",
)
# Words that are as often a role, a place or a policy as a fact about a student.
_WEAK = (
    r"nurses?", r"counsel(?:l)?ors?", r"counsel(?:l)?ing", r"medical", r"discipline", r"disciplinary",
    r"detentions?", r"immigra(?:nt|nts|tion)",
)
STRONG_TERMS = words(*_STRONG)
WEAK_TERMS = words(*_WEAK)
# Every term, strong or weak: where NER looks for names, and the classifier's first, cheap test.
SENSITIVE_TERMS = words(*_STRONG, *_WEAK)
