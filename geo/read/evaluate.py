"""Scoring a geoparser against gold toponyms, as the geoparsing literature does (Gritta et al. 2018):
exact-span precision, recall and F1, then accuracy@161 km and the median error over the toponyms that
were recognised with the exact gold span."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..geodesy import geodesic_km

ACCURACY_KM = 161.0  # 100 miles


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    accuracy_161: float
    median_km: float
    gold: int
    found: int
    correct: int


def score(predicted: Iterable[list[dict]], gold: Iterable[list[dict]]) -> Scores:
    """``predicted`` and ``gold``: per document, mentions with ``start``, ``end``, ``lat``, ``lon``."""
    n_gold = n_found = 0
    pairs = []
    for found, truth in zip(predicted, gold, strict=True):
        spans = {(t["start"], t["end"]): t for t in truth}
        n_gold, n_found = n_gold + len(spans), n_found + len({(m["start"], m["end"]) for m in found})
        for m in found:
            t = spans.pop((m["start"], m["end"]), None)
            if t is not None:
                pairs.append((m["lon"], m["lat"], t["lon"], t["lat"]))
    correct = len(pairs)
    precision = correct / n_found if n_found else 0.0
    recall = correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    errors = geodesic_km(*np.array(pairs, dtype=float).T) if pairs else np.array([])
    accuracy = float(np.mean(errors <= ACCURACY_KM)) if pairs else 0.0
    median = float(np.median(errors)) if pairs else float("nan")
    return Scores(precision, recall, f1, accuracy, median, n_gold, n_found, correct)
