"""Finding the place names in a text: every gazetteer spelling at once (Aho-Corasick), then the rules that
tell a place from a word, a person or an organisation.

The automaton runs over the text lower-cased with punctuation blanked (same length, so offsets carry over)
and padded with spaces; its keys are spellings padded the same way, so every hit starts and ends on a word
boundary. What remains is cheap per hit: capitals, common words, the words around the name.
"""

from __future__ import annotations

import functools
import pickle
import re
from collections import Counter
from dataclasses import dataclass

import ahocorasick
import numpy as np

from .. import data
from .vocabulary import Vocabulary, cache, cache_key, load_vocabulary, normalise, sources

# Names that news uses for institutions, not places: "the White House said".
NOT_PLACES = frozenset(["white house"])
# Words that are never a place in English text, whatever a gazetteer says ("Of" is a Turkish town).
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either else even ever every few for from
further had has have having he her here hers him his how however i if in into is it its just may me might
more most much must my neither no nor not now of off on once one only or other our out over own per same
she should since so some such than that the their them then there these they this those though through
thus to too under until up upon very was we were what when where whether which while who whom whose why
will with within without would yet you your
monday tuesday wednesday thursday friday saturday sunday january february march april june july august
september october november december today yesterday tomorrow mr mrs ms dr
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
""".split())
# AP style abbreviations of US states and Canadian provinces, read only after a comma: "Glasgow, Ky."
STATE_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland",
    "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire", "N.J.": "New Jersey",
    "N.M.": "New Mexico", "N.Y.": "New York", "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma",
    "Ore.": "Oregon", "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington", "W.Va.": "West Virginia",
    "Wis.": "Wisconsin", "Wyo.": "Wyoming", "B.C.": "British Columbia", "Alta.": "Alberta", "Sask.": "Saskatchewan",
    "Man.": "Manitoba", "Ont.": "Ontario", "Que.": "Quebec", "N.S.": "Nova Scotia", "N.B.": "New Brunswick",
    "Nfld.": "Newfoundland and Labrador", "P.E.I.": "Prince Edward Island", "D.C.": "District of Columbia",
}
_STATE = re.compile(r"(?<=, )(" + "|".join(re.escape(a) for a in STATE_ABBREVIATIONS) + r")(?!\w)")
# Capitalised words that belong to the name they follow: "Metcalfe County", "Nyanza Province".
_NAME_SUFFIX = re.compile(r" (County|Parish|Province|District|Region|Governorate|Prefecture|Oblast|Municipality)\b")
# Said before a name, these make it a place ("in Rattu", "near Cherat", "from Moscow").
CUE_BEFORE = frozenset("""
in near at from to into across outside inside around throughout toward towards via through between
within off reached visited entered left leaving visiting border bordering north south east west
northern southern eastern western central downtown capital
""".split())
# Said after a name ("Nowshera district", "Sindh province", "Karachi-based").
CUE_AFTER = frozenset("""
district province city county region state area town village valley border borders capital airport
governorate prefecture municipality island islands coast river mountains based
""".split())
# Words that make a following capitalised name a title, not a longer proper noun ("Gov. Cuomo").
TITLES = frozenset("""
the president prime minister gov governor sen senator rep mayor king queen prince general gen lt col
st saint mount mt lake port cape fort
""".split())
# Said before a name, these make it a person's: "Mr Paterson", "Sen. Rubio", "President Bush".
PERSON_TITLES = frozenset("""
mr mrs ms miss dr sir dame lord lady president senator sen gov governor rep representative mayor judge justice
prof professor rev reverend pope minister chancellor secretary gen general col colonel lt lieutenant sgt
sergeant capt captain officer detective constable sheriff coach chairman chairwoman ceo spokesman
spokeswoman director
""".split())
# Connectors that stay lower case inside a multi-word name ("Bay of Bengal", "Trinidad and Tobago").
CONNECTORS = frozenset(
    "of the and de del la le les el al da do dos das du des di von van der den y e sur upon on am im bin au aux en "
    "under by".split())
CALENDAR = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december
""".split())
# Generic words that some province or town is named after ("Central", "Western", "Federal"): on their own
# in English they are adjectives.
GENERIC = frozenset("""
north south east west central western eastern northern southern federal centre center capital coast delta
bay island lake river valley mountain upper lower greater new old great little national metropolitan
middle north-west north-east south-west south-east northwest northeast southwest southeast interior
""".split())
PLACE_BEFORE = CUE_BEFORE | {"of"}
DISEASE_AFTER = frozenset("virus ebolavirus fever flu strain variant disease".split())
INSTITUTIONS = frozenset("""
university college school schools academy institute department ministry agency hospital police court
council association society foundation party zoo club company corporation bank church cathedral museum
gallery times post herald journal tribune gazette chronicle globe press news
""".split())
_CAPITALISED_RUN = re.compile(r"[ -]((?:[A-Z][\w’'.-]*\s?){1,4})")
SURNAME_ZIPF = 5.0
PERSON_AFTER = frozenset("said says told added wrote asked explained stated replied argued".split())

_WORD = re.compile(r"[\w’'.-]+")
_CAPITALISED = re.compile(r"(?<![\w’'-])[A-Z][\w-]*")


@dataclass(frozen=True)
class Matcher:
    automaton: ahocorasick.Automaton
    key_lengths: np.ndarray
    common: np.ndarray  # by key: how common the name is as an English word (wordfreq's Zipf scale)
    states: dict[str, int]  # STATE_ABBREVIATIONS -> key of the full name


@dataclass
class Hit:
    """One place-name occurrence and what its surroundings say about it."""

    start: int
    end: int
    key: int
    text: str
    cue: bool = False
    sentence_start: bool = False
    joined_before: bool = False  # after a capitalised word: a surname ("Paris Hilton", "Anne McLellan")
    joined_after: bool = False  # before one: "Washington Post", "Toronto General Hospital", "Vladimir Putin"
    first_name: bool = False  # the next word stands alone elsewhere in the text: "Vladimir Putin ... Putin"
    next_word: str = ""
    person: bool = False
    titled: bool = False  # "Mr Paterson": a person, however big a place shares the name
    currency: bool = False
    disease: bool = False
    institution: bool = False
    suffixed: bool = False  # "Metcalfe County": the name plus a word the gazetteer does not have


@functools.cache
def load_matcher() -> Matcher:
    """The automaton over every spelling, from the cache when the vocabulary's sources are unchanged."""
    path = data.cache_dir() / "read" / f"matcher-{cache_key(sources())}.pickle"
    if path.is_file():
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            pass
    matcher = build_matcher(load_vocabulary())
    cache(path, matcher)
    return matcher


def build_matcher(vocabulary: Vocabulary) -> Matcher:
    from wordfreq import zipf_frequency

    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for i, key in enumerate(vocabulary.keys):
        if key not in STOP_WORDS and key not in GENERIC and key not in NOT_PLACES and not key.isdigit():
            automaton.add_word(f" {key} ", i)
    automaton.make_automaton()
    common = np.array([zipf_frequency(key, "en") if " " not in key else 0.0 for key in vocabulary.keys],
                      dtype=np.float32)
    index = {key: i for i, key in enumerate(vocabulary.keys)}
    states = {abbr: index[name.lower()] for abbr, name in STATE_ABBREVIATIONS.items() if name.lower() in index}
    return Matcher(automaton, np.array([len(k) for k in vocabulary.keys], dtype=np.int32), common, states)


def find(text: str, matcher: Matcher, vocabulary: Vocabulary, bounds: list[tuple[int, int]]) -> list[Hit]:
    """Capitalised, non-overlapping gazetteer names (longest first), with their context."""
    found = []
    for end, key in matcher.automaton.iter(f" {normalise(text)} "):
        start = end - matcher.key_lengths[key] - 1
        surface = text[start:end - 1]
        if "." in surface and text[end - 1:end] == ".":  # "U.S." keeps its last full stop
            surface += "."
            end += 1
        if _capitalised(surface, bool(vocabulary.acronym[key])):
            found.append((start, end - 1, key, surface))
    found.sort(key=lambda h: (h[0] - h[1], h[0]))
    taken = bytearray(len(text) + 1)  # characters already in a longer name
    hits = []
    for start, end, key, surface in found:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            hits.append(Hit(int(start), int(end), int(key), surface))
    for match in _STATE.finditer(text):
        key = matcher.states.get(match.group(1))
        if key is not None and not any(taken[match.start():match.end()]):
            hits.append(Hit(match.start(), match.end(), key, match.group(1), cue=True))
    kinds = vocabulary.column["kind"]
    for hit in hits:
        suffix = _NAME_SUFFIX.match(text, hit.end)
        if suffix and kinds[vocabulary.candidates(hit.key)[0]] != "country":  # not "U.S. District Court"
            hit.end = suffix.end()
            hit.text = text[hit.start:hit.end]
            hit.cue = hit.suffixed = True
    hits.sort(key=lambda h: h.start)
    starts = {s for s, _ in bounds}
    for hit in hits:
        _context(text, hit, starts)
    # "Vladimir Putin ... Putin": the next word stands alone elsewhere, so this one is a first name; not
    # when the next word is an English word ("Queensland Police ... Police said")
    followers = [h for h in hits if h.joined_after and " " not in h.text and _rare(h.next_word)]
    if followers:
        capitalised = Counter(_CAPITALISED.findall(text))
        pairs = Counter((h.key, h.next_word) for h in followers)
        for hit in followers:
            hit.first_name = capitalised[hit.next_word] > pairs[(hit.key, hit.next_word)]
    return hits


@functools.lru_cache(maxsize=65536)
def _rare(word: str) -> bool:
    """Rarer in English than "medical": a surname ("Putin", "Trump"), not "Police" or "Government"."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < SURNAME_ZIPF


def _capitalised(surface: str, acronym: bool) -> bool:
    """A name as English writes one: each main word capitalised; a short all-capital word only when the
    gazetteer writes it so ("UK", not "ISPR" or "IT")."""
    if not surface[0].isupper():
        return False
    letters = surface.replace(".", "").replace(" ", "")
    if surface.isupper() and len(letters) <= 4:
        return acronym
    if len(letters) <= 2:
        return acronym and surface.isupper()
    words = re.split(r"[\s\-]+", surface)
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in CONNECTORS for w in words if w)


def _context(text: str, hit: Hit, sentence_starts: set[int]) -> None:
    before = text[max(0, hit.start - 40):hit.start]
    after = text[hit.end:hit.end + 40]
    prev = _WORD.findall(before)
    nxt = _WORD.findall(after)
    prev_word = prev[-1] if prev else ""
    next_word = nxt[0] if nxt else ""
    gap_before = before[len(before.rstrip()):] if not prev_word else before[before.rfind(prev_word) + len(prev_word):]
    gap_after = after[:after.find(next_word)] if next_word else ""
    hit.sentence_start = hit.start in sentence_starts or not before.strip() or before.rstrip()[-1:] in "\n\"“‘(:"
    # "Karachi-based", "Moscow's", "Kashmir district", "in Rattu", "near Cherat"
    lowered_prev, lowered_next = prev_word.lower().strip(".’'"), next_word.lower().strip(".’'")
    hit.cue = hit.cue or (lowered_prev in CUE_BEFORE and gap_before.strip() == "") or (
        lowered_next in CUE_AFTER and gap_after.strip() in ("", "-"))
    tight_after = (gap_after in (" ", "-") and next_word[:1].isupper() and not next_word.isupper()  # "Calgary MLA"
                   and lowered_next not in CUE_AFTER
                   and lowered_next not in CALENDAR and lowered_next not in STOP_WORDS
                   and not hit.text.endswith("."))  # "in the U.S. The first case": a new sentence
    tight_before = (gap_before == " " and prev_word[:1].isupper() and not prev_word.isupper()
                    and not hit.sentence_start and lowered_prev not in TITLES and lowered_prev not in CUE_BEFORE
                    and not prev_word.endswith("."))
    hit.joined_before, hit.joined_after = tight_before, tight_after
    titled = lowered_prev in PERSON_TITLES and gap_before.strip() in ("", ".")
    # "President George Washington": a title, then a capitalised first name, then the name
    titled = titled or (tight_before and len(prev) > 1 and prev[-2].lower().strip(".") in PERSON_TITLES)
    initial = len(prev_word) == 2 and prev_word[1] == "." and prev_word[0].isupper()  # "George W. Bush"
    hit.titled = titled
    hit.person = titled or initial
    hit.next_word = next_word.strip(".’'")
    hit.person = hit.person or (lowered_next in PERSON_AFTER and gap_after.strip() in ("", ",") and not hit.cue
                                and lowered_prev not in PLACE_BEFORE)  # not "a resident of Tyler said"
    hit.currency = "$" in (text[hit.start - 1:hit.start], text[hit.end:hit.end + 1])  # "US$460 million"
    hit.disease = lowered_next in DISEASE_AFTER and gap_after in (" ", "-")  # "Marburg virus"
    if tight_after:  # "Ohio State University", "Buffalo Public Schools": an institution named after the place
        run = _CAPITALISED_RUN.match(text, hit.end)
        hit.institution = bool(run) and run.group(1).rstrip(".,’'s").split()[-1].lower() in INSTITUTIONS
