"""Geoparsing quality and speed of ``claimmap read`` on gold-annotated news corpora, beside a plain
gazetteer baseline (GeoNames cities >= 15,000 people + admin-1 + countries, longest match, most populous
wins) run on the same documents.

    CLAIMMAP_DATA_DIR=../shared/data python bench/bench_read.py [CORPUS_DIR] [--limit N]

CORPUS_DIR (default ``$CLAIMMAP_CORPORA`` or ../shared/corpora) holds trnews.jsonl and geovirus.jsonl:
one ``{"id", "text", "toponyms": [{"start", "end", "lat", "lon"}]}`` a line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import ahocorasick
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.read import mentions  # noqa: E402
from geo.read.evaluate import score  # noqa: E402
from geo.read.matcher import load_matcher  # noqa: E402
from geo.read.vocabulary import load_vocabulary, normalise  # noqa: E402

CORPORA = ("trnews.jsonl", "geovirus.jsonl")


def load_corpus(path: Path, limit: int | None = None) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    return docs[:limit] if limit else docs


class Baseline:
    """The geoparser a user could write in an afternoon: every capitalised gazetteer name, longest first,
    each resolved to its most populous place."""

    def __init__(self) -> None:
        vocabulary = load_vocabulary()
        places = vocabulary.places
        allowed = (places["kind"].isin(["country", "admin1"]) | (
            (places["kind"] == "city") & (places["population"] >= 15_000))).to_numpy()
        population = places["population"].to_numpy()
        self.automaton = ahocorasick.Automaton()
        self.lat, self.lon = places["lat"].to_numpy(), places["lon"].to_numpy()
        for k, key in enumerate(vocabulary.keys):
            rows = vocabulary.candidates(k)
            own = rows[~vocabulary.alternate[vocabulary.offsets[k]:vocabulary.offsets[k + 1]] & allowed[rows]]
            if len(own):
                self.automaton.add_word(f" {key} ", (len(key), int(own[np.argmax(population[own])])))
        self.automaton.make_automaton()

    def __call__(self, text: str) -> list[dict]:
        found = []
        for end, (length, place) in self.automaton.iter(f" {normalise(text)} "):
            start = end - length - 1
            if text[start].isupper():
                found.append((start, end - 1, place))
        found.sort(key=lambda h: (h[0] - h[1], h[0]))
        taken, out = [], []
        for start, end, place in found:
            if not any(start < e and s < end for s, e in taken):
                taken.append((start, end))
                out.append({"start": start, "end": end, "lat": self.lat[place], "lon": self.lon[place]})
        return out


def run(name: str, parse, docs: list[dict]) -> None:
    t0 = time.perf_counter()
    predicted = [parse(doc["text"]) for doc in docs]
    elapsed = time.perf_counter() - t0
    s = score(predicted, [doc["toponyms"] for doc in docs])
    print(f"  {name:9s} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  acc@161 {s.accuracy_161:.3f}  "
          f"median {s.median_km:7.1f} km  {len(docs) / elapsed:7.1f} articles/s  "
          f"(gold {s.gold}, found {s.found}, exact {s.correct})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("CLAIMMAP_CORPORA", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora")
    parser.add_argument("corpora", nargs="?", type=Path, default=Path(default))
    parser.add_argument("--limit", type=int, help="first N documents of each corpus")
    args = parser.parse_args()
    t0 = time.perf_counter()
    load_vocabulary(), load_matcher()
    print(f"index load (cached on disk after the first run): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    baseline = Baseline()
    print(f"baseline index build: {time.perf_counter() - t0:.2f} s")
    for corpus in CORPORA:
        docs = load_corpus(args.corpora / corpus, args.limit)
        chars = sum(len(d["text"]) for d in docs) / len(docs)
        print(f"{corpus}: {len(docs)} articles, {chars:,.0f} characters on average")
        mentions(docs[0]["text"])  # warm
        run("claimmap", mentions, docs)
        run("baseline", baseline, docs)


if __name__ == "__main__":
    main()
