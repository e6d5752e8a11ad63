"""Names as the roster hashes them and the recognizer looks them up: folding, nickname forms, IDs' digits.

The same functions fold the roster's side (at import) and the text's side (at scan), so the two agree.
"""

from __future__ import annotations

import re

from dlp.detect.values import normalize

# Formal name -> common English (and a few Spanish) short forms. Used in both directions: a rostered
# "William" is also found as "Bill Okafor", a rostered "Bill" also as "William Okafor".
NICKNAMES: dict[str, tuple[str, ...]] = {
    "william": ("bill", "billy", "will", "willy", "liam"),
    "elizabeth": ("liz", "beth", "betty", "eliza", "lizzie", "libby", "betsy"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "richard": ("rick", "ricky", "rich", "richie", "dick"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny"),
    "joseph": ("joe", "joey"),
    "michael": ("mike", "mikey", "mick"),
    "thomas": ("tom", "tommy"),
    "charles": ("charlie", "chuck", "chaz"),
    "christopher": ("chris", "topher", "kit"),
    "daniel": ("dan", "danny"),
    "matthew": ("matt", "matty"),
    "anthony": ("tony",),
    "andrew": ("andy", "drew"),
    "joshua": ("josh",),
    "benjamin": ("ben", "benji", "benny"),
    "samuel": ("sam", "sammy"),
    "alexander": ("alex", "xander", "al"),
    "nicholas": ("nick", "nicky", "nico"),
    "jonathan": ("jon", "jonny"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "theodore": ("ted", "teddy", "theo"),
    "timothy": ("tim", "timmy"),
    "steven": ("steve",),
    "stephen": ("steve",),
    "kenneth": ("ken", "kenny"),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "gregory": ("greg",),
    "jeffrey": ("jeff",),
    "zachary": ("zach", "zack"),
    "nathaniel": ("nate", "nat"),
    "nathan": ("nate",),
    "gabriel": ("gabe",),
    "jacob": ("jake",),
    "david": ("dave", "davey"),
    "donald": ("don", "donnie"),
    "ronald": ("ron", "ronnie"),
    "raymond": ("ray",),
    "lawrence": ("larry",),
    "gerald": ("gerry", "jerry"),
    "francis": ("frank", "fran"),
    "franklin": ("frank",),
    "frederick": ("fred", "freddie"),
    "henry": ("hank", "harry"),
    "harold": ("harry", "hal"),
    "leonard": ("leo", "len", "lenny"),
    "douglas": ("doug",),
    "philip": ("phil",),
    "phillip": ("phil",),
    "vincent": ("vince", "vinny"),
    "margaret": ("maggie", "meg", "peggy", "margie", "greta"),
    "katherine": ("kate", "katie", "kathy", "kat", "kitty"),
    "catherine": ("cathy", "cate", "kate", "katie"),
    "kathleen": ("kathy", "kate"),
    "jennifer": ("jen", "jenny"),
    "jessica": ("jess", "jessie"),
    "rebecca": ("becky", "becca"),
    "victoria": ("vicky", "tori"),
    "alexandra": ("alex", "lexi", "ali"),
    "samantha": ("sam", "sammy"),
    "abigail": ("abby", "gail"),
    "allison": ("ali", "allie"),
    "amanda": ("mandy",),
    "deborah": ("deb", "debbie"),
    "susan": ("sue", "susie"),
    "patricia": ("pat", "patty", "trish"),
    "christina": ("chris", "tina", "chrissy"),
    "christine": ("chris", "tina", "chrissy"),
    "jacqueline": ("jackie",),
    "madeline": ("maddie", "maddy"),
    "natalie": ("nat",),
    "olivia": ("liv", "livvy"),
    "isabella": ("izzy", "bella", "isa"),
    "isabel": ("izzy", "bel", "isa"),
    "gabriella": ("gabby", "ella"),
    "eleanor": ("ellie", "nora", "nell"),
    "dorothy": ("dot", "dottie"),
    "barbara": ("barb",),
    "cynthia": ("cindy",),
    "pamela": ("pam",),
    "kimberly": ("kim",),
    "stephanie": ("steph",),
    "valerie": ("val",),
    "theresa": ("terry", "tess"),
    "josephine": ("jo", "josie"),
    "mary": ("molly", "polly"),
    "sarah": ("sadie", "sally"),
    "anne": ("annie", "nan"),
    "caroline": ("carrie",),
    "emily": ("em", "emmy"),
    "penelope": ("penny",),
    "julia": ("jules", "julie"),
    "nicole": ("nicki", "nikki"),
    "angela": ("angie",),
    "evelyn": ("evie",),
    "cassandra": ("cassie",),
    "jose": ("pepe",),
    "francisco": ("paco", "pancho"),
    "guillermo": ("memo",),
    "alejandro": ("alex", "ale"),
    "jesus": ("chuy",),
    "enrique": ("quique",),
    "roberto": ("beto",),
    "alberto": ("beto",),
    "eduardo": ("lalo",),
    "ignacio": ("nacho",),
    "dolores": ("lola",),
    "guadalupe": ("lupe",),
}
_FORMALS: dict[str, set[str]] = {}
for _formal, _short in NICKNAMES.items():
    for _nick in _short:
        _FORMALS.setdefault(_nick, set()).add(_formal)


def name_variants(first: str) -> set[str]:
    """A folded first name with its nickname forms (one step each way: William -> Bill, Bill -> William).

    One step only, so that "Bill" does not lead on to "Liam" through "William".
    """
    out = {first}
    out.update(NICKNAMES.get(first, ()))
    out.update(_FORMALS.get(first, ()))
    return out


_APOSTROPHES = re.compile(r"['’`ʼ]")
_NOT_WORD = re.compile(r"[\W_]+")


def fold_name(text: str) -> str:
    """Case-folded, diacritics and punctuation removed: "O’Brien-Núñez, J." -> "obrien nunez j".

    Apostrophes vanish (O'Brien, OBrien) and other punctuation separates words, the same way on the
    roster side and the text side, so the two always agree.
    """
    text = _APOSTROPHES.sub("", text)
    text = _NOT_WORD.sub(" ", text)
    return normalize("PERSON", text)


def digits_only(value: str) -> str:
    """An ID as it is hashed: its digits (SIS exports write "S-204518", "0204518 " and "204518")."""
    return re.sub(r"\D", "", value)


def name_forms(first: str, last: str, middle: str = "", preferred: str = "") -> set[str]:
    """Every folded form under which a person's name is looked up (at least two words each).

    A first or last name alone is never a form: with thousands of people, "Jordan" or "Lee" alone
    would match everywhere.
    """
    f, la, m, p = fold_name(first), fold_name(last), fold_name(middle), fold_name(preferred)
    if not la or not (f or p):
        return set()
    firsts: set[str] = set()
    for given in (f, p):
        if given:
            firsts |= name_variants(given)
            # A compound given name ("Mary Kate") is also written by its first word.
            if " " in given:
                firsts |= name_variants(given.split()[0])
    forms: set[str] = set()
    for given in firsts:
        forms.add(f"{given} {la}")
        forms.add(f"{la} {given}")
    if m:
        for given in {g for g in (f, p) if g}:
            for middle_form in {m, m[0]}:
                forms.add(f"{given} {middle_form} {la}")
                forms.add(f"{la} {given} {middle_form}")
    for given in {g for g in (f, p) if g}:
        forms.add(f"{given[0]} {la}")  # "J. Alvarez"
        forms.add(f"{la} {given[0]}")  # "Alvarez, J."
    return forms
