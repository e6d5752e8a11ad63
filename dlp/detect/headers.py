"""What a column header or a form label says a value is: the header vocabulary, matched by words.

Real exports write the same column a hundred ways ("SSN", "Soc. Sec. #", "SS No", "Social Security
Number (last 4)"...). A header is first reduced to canonical words (punctuation, "#", "No.", "Nbr",
"/", parentheses and camel case normalized; "acct" becomes "account", "lic" becomes "license"), and
ordered rules over those words decide the kind. Kinds are the canonical entities, the name parts
(``NAME_FIRST``...), :data:`INDICATOR` (special-education, 504, EL, lunch status columns: no entity,
but they make a student table sensitive) and :data:`NOT_PI` (titles, authors, ISBNs, asset tags,
job titles: never a person or an account, so their cells are withheld from the text engine).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# Name parts are not entities themselves: they combine into one PERSON per row.
FIRST, LAST, MIDDLE, FULL = "NAME_FIRST", "NAME_LAST", "NAME_MIDDLE", "NAME_FULL"
NAME_KINDS = frozenset({FIRST, LAST, MIDDLE, FULL})
# A column of special-education, 504, EL, health or lunch-status flags (CONTRACT.md section 6,
# ``special_indicator``): no entity of its own.
INDICATOR = "SPECIAL_INDICATOR"
# A column whose values are never personal information (a title, an ISBN, a serial number, a job title).
NOT_PI = "NOT_PI"
NON_ENTITY_KINDS = frozenset({INDICATOR, NOT_PI})
# A taxpayer identification number: an SSN or an ITIN, whichever the value validates as.
TAX_ID = "TAX_ID"
# A bare "ID" column: a student's or an employee's local number when the table is about people.
PERSON_ID = "PERSON_ID"
# What a bare ID resolves to in a table or form of students (a SASID when it is one) or of staff.
STUDENT_NUMBER, STAFF_NUMBER = "STUDENT_NUMBER", "STAFF_NUMBER"
# A number the state assigns ("DOE ID", "DESE ID", "State #"): a student's SASID or an educator's MEPID.
STATE_ID = "STATE_ID"
ALTERNATIVES: dict[str, tuple[str, ...]] = {TAX_ID: ("US_ITIN", "US_SSN"), STUDENT_NUMBER: ("MA_SASID", "STUDENT_ID"),
                                            STAFF_NUMBER: ("EMPLOYEE_ID",), STATE_ID: ("MA_SASID", "MA_MEPID")}

# Phrases rewritten before the cell is cut into words (the order matters: longer phrases first).
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"d\.?\s?o\.?\s?b\.?", " dob "),
        (r"\be-mail\b", " email "),
        (r"\bf\s?/\s?r\b|\bf\s?&\s?r\b", " free reduced "),
        (r"\bs\.s\.n\.?|\bs\.s\.\s?#", " ssn "),
        (r"\bss\s?#|\bss\s+(?:no|num|nbr|number)\b", " ssn "),
        (r"\bsoc(?:ial|\.)?\s*sec(?:urity|\.)?", " ssn "),
        (r"\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirth\s*day\b|\bbirth\s+dt\b|\bdate\s+born\b", " dob "),
        # A column headed "Born" or "Birth" alone holds dates of birth ("Place born" does not).
        (r"^\s*(?:born|birth|b\.?\s?d\.?|bdate|bday)\s*(?:\(.*\))?\s*$", " dob "),
        # In Massachusetts the SASID is reported through SIMS: "SIMS ID", "SIMS #" name it.
        (r"\bsims\s*(?:student\s*)?(?:id|#|no\b|num\w*|nbr)", " sasid "),
        (r"\bdriver'?s'?\s+licen[cs]e\b|\bdriving\s+licen[cs]e\b|\boperator'?s?\s+licen[cs]e\b", " dl "),
        (r"\bpassport\b", " passport "),
        (r"\bfamily\s+name\b|\bsurname\b|\blname\b|\blastname\b", " last name "),
        (r"\bgiven\s+name\b|\bfname\b|\bfirstname\b|\bforename\b", " first name "),
        (r"\bmiddle\s*initial\b|\bmiddlename\b", " middle name "),
        (r"\bphone\s*#", " phone no "),
        (r"\bteacher\s+of\s+record\b", " teacher "),
        (r"\bpo\s*(?:#|no\b|number\b|num\b)", " order no "),
        (r"\bp\.o\.", " order "),
    )
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SYNONYMS: dict[str, str] = {
    "number": "no", "num": "no", "nbr": "no", "nr": "no", "nmbr": "no", "numb": "no", "nos": "no",
    "acct": "account", "acc": "account", "accnt": "account", "accounts": "account",
    "lic": "license", "licence": "license", "lisc": "license", "licenses": "license",
    "emp": "employee", "empl": "employee", "employees": "employee", "ee": "employee",
    "stu": "student", "stud": "student", "students": "student", "pupil": "student", "learner": "student",
    "tel": "phone", "telephone": "phone", "ph": "phone", "cell": "phone", "mobile": "phone", "cellphone": "phone",
    "dt": "date", "addr": "address", "dept": "department", "ident": "id", "identifier": "id",
    "identification": "id", "nm": "name", "names": "name", "cdl": "dl", "birthdate": "dob", "birthday": "dob",
    "pwd": "password", "pw": "password", "passwd": "password", "passcode": "password",
    "guardians": "guardian", "parents": "parent", "teachers": "teacher", "ssns": "ssn", "sasids": "sasid",
    "epims": "mepid", "elar": "mepid", "req": "requisition", "reqn": "requisition", "requisitions": "requisition",
    "catalogue": "catalog", "cat": "catalog",
    "rtn": "routing", "abartn": "routing", "aba": "routing", "transit": "routing",
    "medicaid": "masshealth", "mass health": "masshealth",
}
_STOP = frozenset({"of", "the", "s", "a", "for", "on", "in", "to", "and", "or", "if", "any"})


@functools.lru_cache(maxsize=8192)
def canonical(cell: str) -> str:
    """The header's canonical words joined by single spaces ("Routing No." -> "routing no")."""
    text = _CAMEL.sub(" ", cell.strip()).lower()
    text = text.replace("№", " no ").replace("’", "'")
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    text = text.replace("#", " no ").replace("'", "")
    words: list[str] = []
    for word in _NON_WORD.split(text):
        if not word or word in _STOP:
            continue
        word = _SYNONYMS.get(word, word)
        if not words or words[-1] != word:
            words.append(word)
    return " ".join(words)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Words that make a name column a person's ("Guardian Name", "Teacher", "Emergency Contact").
PERSON_WORDS = frozenset({
    "student", "employee", "staff", "teacher", "educator", "guardian", "parent", "mother", "father", "contact",
    "emergency", "driver", "payee", "patron", "borrower", "member", "person", "child", "sibling", "spouse",
    "beneficiary", "dependent", "counselor", "advisor", "adviser", "supervisor", "case", "manager", "coach", "tutor",
    "recipient", "applicant", "candidate", "volunteer", "substitute", "chaperone", "caregiver", "custodian",
    "physician", "doctor", "clinician", "paraprofessional", "aide", "evaluator", "observer", "homeroom",
    "worker", "participant", "athlete", "player", "owner", "holder", "subscriber", "insured", "primary",
    "secondary", "legal", "full", "preferred", "display", "name", "1", "2", "3", "record",
    "last", "first", "middle", "reporting", "assigned", "responsible", "adult", "relative", "nurse",
})
_NAME_HEADS = frozenset({"name", "student", "employee", "staff", "teacher", "educator", "guardian", "parent",
                         "contact", "payee", "patron", "borrower", "driver", "counselor", "advisor", "adviser",
                         "mother", "father", "child", "caregiver", "recipient", "applicant", "beneficiary",
                         "dependent", "spouse", "case manager", "tutor", "coach", "substitute", "volunteer",
                         "chaperone", "physician", "doctor", "evaluator", "observer", "member", "participant",
                         "athlete", "player", "supervisor"})

# Ordered rules: the first that matches the canonical words decides.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Part of an identifier is not the identifier: "SSN (last 4)", "Last four of account".
    (NOT_PI, _rx(r"\b(?:last ?4|last four|l4|4 digits?|partial|masked|redacted|truncated)\b"
                 r"|\blast (?:4|four)\b")),
    (INDICATOR, _rx(r"\b(?:sped|iep|504|504 plan|ell|el|lep|esl|esol|ell status|el status|english learner"
                    r"|limited english|disability|disabilities|disabled|special ed|special education|sp ed"
                    r"|special needs|free reduced|frl|frpl|low income|economically disadvantaged|econ disadv"
                    r"|econ dis|homeless|mckinney vento|mckinney|foster|foster care|diagnosis|diagnoses"
                    r"|accommodations?|modifications?|primary disability|medical alert|medical conditions?"
                    r"|health conditions?|medications?|allerg(?:y|ies)|immigrant|migrant|title i status"
                    r"|nurse notes?)\b"
                    r"|\b(?:meal|lunch|breakfast|nslp)(?: program)? (?:status|eligibility|code|category|type"
                    r"|benefit|elig)\b|^(?:meals?|lunch|nslp)$|\bfree lunch\b|\breduced lunch\b")),
    # A taxpayer number is an SSN or an ITIN: the value decides which.
    (TAX_ID, _rx(r"\btaxpayer(?: id| identification)?(?: no)?\b|^(?:tin|tax id|federal tax id)(?: no)?$"
                 r"|\bssn\b.*\b(?:tin|itin)\b|\b(?:tin|itin)\b.*\bssn\b")),
    ("US_ITIN", _rx(r"\bitin\b|\bindividual taxpayer\b")),
    ("US_SSN", _rx(r"\bssn\b")),
    ("MA_MEPID", _rx(r"\bmepid\b|\beducator id\b|\bstaff state id\b|\beducator (?:state )?no\b"
                     r"|\beducator license(?: no| id)?$")),
    ("MA_SASID", _rx(r"\bsasid\b|\bstate (?:assigned )?(?:student )?id\b|\bstate student no\b"
                     r"|\bma student id\b|\bstate id no\b")),
    ("STUDENT_ID", _rx(r"\blasid\b|\blocal (?:student )?id\b|\bstudent (?:id|no)\b|\bstudentid\b|^id no$"
                       r"|\bschool id\b|\bdistrict (?:student )?id\b|\bsis id\b|^perm(?:anent)? (?:id|no)\b"
                       r"|\b(?:aspen|powerschool|ps|x2|ipass|schoolbrains|mms) (?:student )?(?:id|no)\b")),
    # "DOE ID", "DESE ID", "State #": a state-assigned number, a SASID or a MEPID as the value's length says.
    (STATE_ID, _rx(r"^(?:ma )?(?:doe|dese|state) (?:id|no)$|^(?:doe|dese) (?:assigned )?(?:id|no)\b")),
    ("EMPLOYEE_ID", _rx(r"\bemployee (?:id|no|code)\b|\bstaff (?:id|no)\b|\bbadge(?: id| no)?\b"
                        r"|\bpayroll (?:id|no)\b|\bpersonnel (?:id|no)\b|\bemployeeid\b|\bhr id\b")),
    ("DATE_OF_BIRTH", _rx(r"\bdob\b")),
    # A bare "ID" names a person's local number only in a table or form of people (see tables.py).
    (PERSON_ID, _rx(r"^(?:id|id no)$")),
    # Cards that hold no payment account (a library card's barcode passes the card checksum).
    (NOT_PI, _rx(r"\b(?:library|report|id|gift|key|access|sim|business|index|lunch|meal|bus|time) card\b")),
    ("ABA_ROUTING_NUMBER", _rx(r"\brouting\b")),
    ("CREDIT_CARD", _rx(r"\bcredit\b|\bdebit\b|^cc(?: no)?$|\bcard\b|\bpan\b|\bp ?card\b")),
    ("IBAN_CODE", _rx(r"\biban\b")),
    # Ledger codes, user accounts and vendor accounts are not bank accounts.
    (NOT_PI, _rx(r"\b(?:gl|general ledger|budget|ledger|expense|revenue|fund|object|user|email|login|network"
                 r"|library|vendor|customer|google|microsoft|office|student|computer|lunch|meal)\b.*\baccount\b"
                 r"|\baccount (?:type|status|name|code|description|desc|holder|created|balance|manager|title|class"
                 r"|category|owner|login|user|expires?|locked|disabled|enabled)\b")),
    ("US_BANK_NUMBER", _rx(r"^(?:bank )?account(?: no)?$|\b(?:bank|checking|savings|deposit|dda) account\b"
                           r"|\baccount no\b|^(?:checking|savings)(?: no)?$|\bdirect deposit account\b")),
    (NOT_PI, _rx(r"\b(?:exp|expires|expiration|expiry|class|state|type|status|issued|issue|endorsements?"
                 r"|restrictions?|country|teaching|educator|professional|plate|software|vehicle|business"
                 r"|key|subject|area|field|grade level|level)\b.*\b(?:dl|license|passport)\b"
                 r"|\b(?:dl|license|passport)\b.*\b(?:exp|expires|expiration|expiry|class|state|type|status"
                 r"|issued|issue|endorsements?|restrictions?|country|area|field|subject|level|date)\b")),
    ("US_DRIVER_LICENSE", _rx(r"\bdl\b|^(?:ma |mass )?license(?: no| id)?$|\bdriver license\b")),
    ("US_PASSPORT", _rx(r"\bpassport\b")),
    ("MASSHEALTH_ID", _rx(r"\bmasshealth\b|\bmass health\b")),
    ("EMAIL_ADDRESS", _rx(r"\bemail\b|\be mail\b")),
    ("PHONE_NUMBER", _rx(r"\bphone\b|\bfax\b|^(?:home|work|day|evening|contact) no$")),
    ("CREDENTIAL", _rx(r"\bpassword\b|^pin$|\bpin (?:no|code)\b|\btemp pin\b")),
    # Never people nor accounts: bibliographic data, inventories, orders, positions, places.
    (NOT_PI, _rx(r"\b(?:author|authors|creator|creators|editor|editors|illustrator|illustrators|contributor"
                 r"|contributors|translator|narrator|written by|title|titles|publisher|publication|isbn|issn|lccn"
                 r"|barcode|bar code"
                 r"|call no|call|asset|tag|serial|serial no|model|make|manufacturer|order|invoice|po|purchase"
                 r"|requisition|job|position|positions|department|building|room|location|site|vendor|supplier"
                 r"|sku|upc|ean|item|edition|copies|copy|isbn13|isbn10|oclc|dewey|shelf|format|genre|ticket"
                 r"|incident no|case no|transaction|reference|ref no|confirmation|tracking|log id|record id"
                 r"|event id|session|request|device|computer|host|hostname|ip|mac|imei|version|license key"
                 r"|product|catalog|course|section|period|school|program|grade|part|stock|check|cheque|voucher"
                 r"|document|lot|batch|bid|contract|quote|quotation|receipt|permit|claim|warrant|shipment"
                 r"|delivery|account code)\b")),
    # "Student (Last, First)": a whole name in one cell.
    (FULL, _rx(r"\blast first\b|\bfirst last\b|\blast first middle\b|\bfull name\b|\blegal name\b")),
    (FIRST, _rx(r"(?:^|\b(?:student|legal|preferred|guardian|parent|employee|staff|teacher|contact|child) )"
                r"first(?: name)?$|^first name\b|\bfirst name$")),
    (LAST, _rx(r"(?:^|\b(?:student|legal|guardian|parent|employee|staff|teacher|contact|child) )"
               r"last(?: name)?$|^last name\b|\blast name$")),
    (MIDDLE, _rx(r"\bmiddle(?: name)?$|^mi$|^m i$")),
)

# Words that sit in headers but type no column: they tell a header row from a data row.
_LABEL_TEXT = """
grade gr homeroom hr school notes note comments comment date amount gross net pay rate hours status address
street city state zip zipcode postal gender sex race ethnicity period course section room bus route stop score
scores total points quiz hw test exam term year attendance absences absent present tardies tardy hire salary
step lane fte position title department building location type code description category program class
level days day reason incident action start end begin expires exp qty quantity price cost vendor item balance
due paid deduction deductions fica medicare federal withholding ytd check deposit bank units credits credit
gpa mcas ela math science assessment standard percent pct avg average max min count enrollment entry exit
withdrawal language country birthplace nationality age photo signature relationship relation priority ticket
asset serial model make isbn barcode author publisher call copy condition checkout returned fine unit size
ext extension username login user role group team sport jersey medical allergies medication dosage time
visit complaint treatment disposition service minutes frequency provider goal objective progress mark eval
evaluation rating observer observation id no name first last middle email phone dob ssn sasid account routing
license dl passport student employee staff teacher educator guardian parent contact emergency payee subject
value field question answer response week month semester quarter mp trimester tri description remarks
effective effective date schedule block lunch meal sped iep ell el 504 disability accommodations plan home
mailing apt unit town county district region campus site dept job supervisor manager hired terminated
annual monthly hourly overtime ot regular bonus stipend benefit benefits insurance health dental vision
retirement pension mtrs tax taxes withholding filing allowances exemptions dependents direct earnings
hrs wk wks current prior change new old previous rank percentile scaled raw achievement growth sgp principal
field label item question
"""
LABEL_WORDS = frozenset(_LABEL_TEXT.split())
_CODE_HEADER = re.compile(r"^(?:q|t|p|s|hw|wk|week|quiz|test|unit|lesson|term|period|mp|sem|ch|ex|exam|lab"
                          r"|project|proj|assign|assignment|a|day|d|gr|grade|m|mod|module|task|cw|qtr)\s?\d{1,2}$")


# A cell with no ASCII letter, "#" or "№" has only digit words after canonical(), and the one rule that
# reads a bare number is "504": dates, phone numbers and IDs need no rule search (nor a cache slot).
_NO_WORD_CELL = re.compile(r"[^A-Za-z#№]*")


def header_kind(cell: str) -> str | None:
    """The kind a header cell or form label names, or None when it names none we know."""
    if _NO_WORD_CELL.fullmatch(cell) and "504" not in cell:
        return None
    return _header_kind(cell)


@functools.lru_cache(maxsize=8192)
def _header_kind(cell: str) -> str | None:
    words = canonical(cell)
    if not words or len(words) > 60:
        return None
    for kind, rule in _RULES:
        if rule.search(words):
            return kind
    return _name_kind(words)


def _name_kind(words: str) -> str | None:
    """A column of people's names: "Name", "Student", "Guardian 1 Name", "Teacher of Record", "Educator"."""
    tokens = words.split()
    if not set(tokens) <= PERSON_WORDS:
        return None
    if "name" in tokens or any(t in _NAME_HEADS for t in tokens) or words in _NAME_HEADS:
        return FULL
    return None


_DIGIT_RUN = re.compile(r"\d+")


def is_label(cell: str) -> bool:
    """Whether a cell reads like a column name or form label (known words, or a code such as "Q1")."""
    if _NO_WORD_CELL.fullmatch(cell):
        # Only digit words (dates, IDs, amounts: most cells of an export), and none of them a code rule's: a
        # label only if one is a label word ("504"), as canonical() would give them, without its rewriting.
        runs = _DIGIT_RUN.findall(cell)
        tokens = [t for i, t in enumerate(runs) if not i or runs[i - 1] != t]
        return 0 < len(tokens) <= 6 and any(t in LABEL_WORDS for t in tokens)
    return _is_label(cell)


@functools.lru_cache(maxsize=8192)
def _is_label(cell: str) -> bool:
    words = canonical(cell)
    if not words:
        return False
    tokens = words.split()
    if len(tokens) > 6:
        return False
    if header_kind(cell) is not None or _CODE_HEADER.match(words):
        return True
    return any(t in LABEL_WORDS for t in tokens)


def names_a_column(value: str) -> bool:
    """Whether a cell's text is a column name or label ("Date of Birth", "Grade Entering"), not a value.

    A name that shares a word with the vocabulary ("Janet Price", "Ray Card") is still a name: at least
    half of the words must be label words, and the whole must name a kind.
    """
    # Cheap first: a roster has tens of thousands of distinct names, and most share no word with labels.
    if not any(t in LABEL_WORDS or t in _SYNONYMS for t in _NON_WORD.split(value.lower()) if t):
        return False
    if header_kind(value) is None:
        return False
    tokens = canonical(value).split()
    return sum(1 for t in tokens if t in LABEL_WORDS) * 2 >= len(tokens)


# Canonical words a typed column lends to the classification's term lists: a table with a "SPED" or
# "F/R" column is a special-education or lunch-status record even though no sentence says so.
_KIND_TERMS: dict[str, str] = {
    "MA_SASID": "student SASID", "STUDENT_ID": "student", "MA_MEPID": "MEPID employee",
    "EMPLOYEE_ID": "employee", STATE_ID: "state ID",
}
_INDICATOR_TERMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"\b(?:sped|special ed|special education|sp ed|special needs)\b"), "special education"),
    (_rx(r"\biep\b"), "IEP"),
    (_rx(r"\b504\b"), "504 plan"),
    (_rx(r"\b(?:ell|el|lep|esl|esol|english learner|limited english)\b"), "English learner"),
    (_rx(r"\bdisabilit|disabled\b"), "disability"),
    (_rx(r"\b(?:free reduced|frl|frpl|meal|lunch|breakfast|nslp|low income|econ)"), "free or reduced lunch"),
    (_rx(r"\bhomeless|mckinney"), "homeless"),
    (_rx(r"\bfoster\b"), "foster care"),
    (_rx(r"\b(?:diagnos|medical|medication|health|allerg|nurse)"), "medical"),
    (_rx(r"\b(?:accommodation|modification)"), "special education"),
    (_rx(r"\b(?:immigrant|migrant)\b"), "immigrant"),
)


def header_terms(cells: Iterable[str]) -> str:
    """Plain words for what the typed header cells mean, for the classification's term lists."""
    out: list[str] = []
    for cell in cells:
        kind = header_kind(cell)
        if kind == INDICATOR:
            words = canonical(cell)
            out.extend(term for pattern, term in _INDICATOR_TERMS if pattern.search(words))
        elif kind is not None and kind in _KIND_TERMS:
            out.append(_KIND_TERMS[kind])
        elif kind in NAME_KINDS and "student" in canonical(cell).split():
            out.append("student")
    return " ".join(out)
