"""Which names are places, and which place each one is, judged over the whole article.

A name is kept when it is capitalised and either important (a country, a region, a big city), or said
the way places are ("in X", "X district"), and not a common word, part of a longer name or a person.
Each distinct name then gets one place: the gazetteer's importance, raised for candidates in the
countries and provinces the article names, near its other places, or inside the place that follows it
("Rattu, Gilgit-Baltistan", "Cherat in Pakistan").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..geodesy import geodesic_km
from .matcher import Hit, Matcher
from .vocabulary import Vocabulary

BROAD = frozenset({"country", "admin1", "continent", "world region", "disputed region", "sea", "mountain range",
                   "island", "desert"})
MAX_CANDIDATES = 25
JOINED_IMPORTANCE = 5.0  # "Toronto General Hospital" names Toronto; "Killeen Police Department" is an office
# A name is a common word when English uses it more than its importance explains: wordfreq's Zipf value
# of "nice" (5.4) is above Nice's importance (5.7) less this margin; "berlin" (4.3) is far below Berlin's.
COMMON_MARGIN = 1.0
IMPORTANT = 6.0  # a city of a million people, or a capital of 100,000
MIN_IMPORTANCE = 3.0  # about a thousand people: smaller places need a cue
ALTERNATE_PENALTY = 1.0  # a name in another language or an old spelling is less likely meant
COUNTRY_WEIGHT = 3.0
ADMIN1_WEIGHT = 2.0
CONTAINER_WEIGHT = 4.0  # "X, Y" / "X in Y": X is inside Y
NEAR_KM = 300.0
NEAR_WEIGHT = 1.0
COUNTRY_NAME_MARGIN = 2.0
ROUNDS = 5  # context and choices are recomputed until they agree; two or three rounds usually do


@dataclass
class Mention:
    hit: Hit
    place: int  # row of Vocabulary.places
    confidence: float


def recognise(hits: list[Hit], matcher: Matcher, vocabulary: Vocabulary) -> list[tuple[Hit, float]]:
    """The hits that name places, each with a confidence in 0..1."""
    kinds, importance = vocabulary.column["kind"], vocabulary.column["importance"]
    # A name seen in "Firstname Name" or before "said" is a person for the rest of the article too.
    people = {h.key for h in hits if (h.person or h.first_name or h.joined_before)
              and importance[vocabulary.candidates(h.key)[0]] < JOINED_IMPORTANCE}
    titled = Counter(h.key for h in hits if h.titled)
    strong = {key for key, n in titled.items() if n >= 2 or not kinds[vocabulary.candidates(key)[0]] in BROAD}
    cued = {h.key for h in hits if h.cue and not (h.joined_before or h.joined_after)}
    kept = []
    for hit in hits:
        top = vocabulary.candidates(hit.key)[0]
        kind, imp = kinds[top], importance[top]
        if vocabulary.alternate[vocabulary.offsets[hit.key]]:
            imp -= ALTERNATE_PENALTY
        broad = kind in BROAD or imp >= IMPORTANT + 2
        common = matcher.common[hit.key] > imp - COMMON_MARGIN
        cue = hit.key in cued
        if hit.disease or hit.institution:
            continue  # "Marburg virus", "Ohio State University"
        if hit.currency or (hit.joined_before and (imp < JOINED_IMPORTANCE or hit.joined_after)):
            continue  # "US$", a surname, a name inside a longer name ("Agence France-Presse")
        if hit.person and not broad:
            continue
        if hit.joined_after and (hit.first_name or imp < JOINED_IMPORTANCE):
            continue
        if (hit.key in people and not broad) or hit.key in strong:
            continue
        if common and not (hit.cue or (cue and not hit.sentence_start)):
            continue
        if not (broad or cue or imp >= MIN_IMPORTANCE):
            continue
        confidence = 0.9 if broad else 0.6 + 0.1 * cue + 0.2 * min(1.0, max(0.0, imp - MIN_IMPORTANCE) / 3)
        kept.append((hit, round(confidence - 0.1 * common, 2)))
    return kept


def resolve(found: list[tuple[Hit, float]], text: str, vocabulary: Vocabulary) -> list[Mention]:
    """One place per distinct name, chosen in the article's context."""
    column = vocabulary.column
    importance, country, admin1, kinds = (column[c] for c in ("importance", "country", "admin1", "kind"))
    lat, lon = column["lat"], column["lon"]
    keys = list(dict.fromkeys(hit.key for hit, _ in found))
    options = {}
    open_to_context = {}
    for key in keys:
        rows = vocabulary.candidates(key)[:MAX_CANDIDATES]
        alt = vocabulary.alternate[vocabulary.offsets[key]:vocabulary.offsets[key] + len(rows)]
        options[key] = (rows, importance[rows] - ALTERNATE_PENALTY * alt)
        # A country's own name means the country ("Mexico", "Niger") unless the text places it ("Mexico,
        # Missouri"): neighbours alone do not turn it into Mexico City or Nigeria's Niger State, only into a
        # namesake nearly as important (the US state of Georgia in an American story).
        prior = options[key][1]
        country_name = kinds[rows[0]] == "country" and not alt[0]
        open_to_context[key] = ((kinds[rows] == "country") | (not country_name)
                                | (prior >= prior[0] - COUNTRY_NAME_MARGIN))
    containers = _containers(found, text)
    contained: dict[int, list[int]] = {}
    for inner, outers in containers.items():
        for outer in outers:
            contained.setdefault(outer, []).append(inner)
    choice = {key: rows[np.argmax(prior)] for key, (rows, prior) in options.items()}
    for _ in range(ROUNDS):  # the article's context from the current choices, then choose again in it
        countries = Counter(country[p] for p in choice.values() if country[p] is not None)
        provinces = Counter(admin1[p] for p in choice.values() if admin1[p] is not None)
        points = [p for p in choice.values() if kinds[p] not in BROAD]
        new = {}
        for key, (rows, prior) in options.items():
            score = prior.copy()
            own = choice[key]
            others_c = countries.copy()
            if country[own] is not None:
                others_c[country[own]] -= 1
            others_p = provinces.copy()
            if admin1[own] is not None:
                others_p[admin1[own]] -= 1
            context = np.zeros(len(rows))
            context += COUNTRY_WEIGHT * np.array([others_c.get(c, 0) > 0 for c in country[rows]])
            context += ADMIN1_WEIGHT * np.array([others_p.get(a, 0) > 0 for a in admin1[rows]])
            near = [p for p in points if p != own]
            if near and len(rows) > 1:
                grid = np.broadcast_arrays(lon[rows][:, None], lat[rows][:, None], lon[near], lat[near])
                d = geodesic_km(*(g.ravel() for g in grid)).reshape(grid[0].shape)
                context += NEAR_WEIGHT * (d.min(axis=1) < NEAR_KM)
            score += context * open_to_context[key]
            for inner in contained.get(key, ()):  # "London, Ontario": the Ontario that has a London
                inner_rows = options[inner][0]
                holds = np.where(kinds[rows] == "country", np.isin(country[rows], country[inner_rows]),
                                 (kinds[rows] == "admin1") & np.isin(admin1[rows], admin1[inner_rows]))
                score += CONTAINER_WEIGHT * holds
            for outer in containers.get(key, ()):
                if outer in choice:
                    o = choice[outer]
                    inside = (country[rows] == country[o]) if kinds[o] == "country" else (admin1[rows] == admin1[o])
                    score += CONTAINER_WEIGHT * inside
            new[key] = rows[int(np.argmax(score))]
        if new == choice:
            break
        choice = new
    # "Metcalfe County" stands for a county the gazetteer lacks: its namesake town answers only when it lies in
    # a province the article names; otherwise the mention is left out rather than put somewhere else.
    named = {admin1[p] for p in choice.values() if kinds[p] == "admin1"}
    return [Mention(hit, int(choice[hit.key]), confidence) for hit, confidence in found
            if not hit.suffixed or admin1[choice[hit.key]] in named]


def _containers(found: list[tuple[Hit, float]], text: str) -> dict[int, list[int]]:
    """Name -> names said to contain it: "X, Y", "X in Y", "X (Y)"."""
    out: dict[int, list[int]] = {}
    for (a, _), (b, _) in zip(found, found[1:]):
        gap = text[a.end:b.start]
        if gap in (", ", " in ", " (", ", in ") and a.key != b.key:
            out.setdefault(a.key, []).append(b.key)
    return out
