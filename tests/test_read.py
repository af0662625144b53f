"""claimmap read: place names found in news text, resolved in context, checked against gold corpora."""

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.cli import main
from geo.read import mentions, read_documents
from geo.read.evaluate import score
from geo.read.text import sentences

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ARTICLE = SHARED / "fixtures" / "friendship-2016-article.txt"
CORPORA = Path(os.environ.get("CLAIMMAP_CORPORA", SHARED / "corpora"))


@pytest.fixture(scope="module")
def founding(tmp_path_factory):
    out = tmp_path_factory.mktemp("read")
    run = subprocess.run([sys.executable, "-m", "geo.cli", "read", str(ARTICLE), "-o", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return out, run.stdout


def test_founding_article_places(founding):
    out, report = founding
    sites = gpd.read_file(out / "sites.geojson").set_index("name")
    assert {"Rattu", "Cherat", "Gilgit-Baltistan", "Kashmir", "Pakistan", "India", "Russia"} <= set(sites.index)
    rattu, cherat = sites.loc["Rattu"], sites.loc["Cherat"]
    assert rattu["status"] == "inside" and list(rattu["regions"]) == ["Gilgit-Baltistan"]
    assert rattu["administered_by"] == "PAK" and list(rattu["claimed_by"]) == ["IND", "PAK"]
    assert cherat["status"] == "undisputed" and cherat["country"] == "PAK"
    assert "Rattu  35.1500°N 74.8000°E" in report
    assert "inside Gilgit-Baltistan: administered by Pakistan (PAK); claimed by India (IND), Pakistan (PAK)" in report


def test_founding_article_mentions_and_quotes(founding):
    out, _ = founding
    text = ARTICLE.read_text(encoding="utf-8")
    features = json.loads((out / "sites.geojson").read_text())["features"]
    rattu = next(f["properties"] for f in features if f["properties"]["name"] == "Rattu")
    quote = "The Pakistani media reports that drills will continue until October 7 at the Army High Altitude School " \
            "in Rattu and at a special forces training center in Cherat area."
    assert any(m["text"] == "Rattu" and m["sentence"] == quote for m in rattu["mentions"])
    for m in rattu["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    html = (out / "map.html").read_text(encoding="utf-8")
    assert json.dumps(quote)[1:-1] in html  # the quote is in the map's embedded JSON data
    assert "part of the exercises would be conducted in Gilgit-Baltistan." in html
    csv = (out / "sites.csv").read_text(encoding="utf-8")
    assert "mentions" in csv.splitlines()[0]


def test_html_article_and_stdin(tmp_path, capsys, monkeypatch):
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE.read_text(encoding="utf-8").split("\n\n"))
    page = tmp_path / "article.html"
    page.write_text(f"<html><head><title>t</title><script>var Lahore = 1;</script></head><body><nav>Home</nav>"
                    f"<article>{paragraphs}</article></body></html>", encoding="utf-8")
    assert main(["read", str(page)]) == 0
    report = capsys.readouterr().out
    assert "Rattu" in report and "Lahore" not in report
    monkeypatch.setattr(sys, "stdin", open(ARTICLE, encoding="utf-8"))
    assert main(["read", "-"]) == 0
    assert "Cherat" in capsys.readouterr().out


def test_jsonl_batch(tmp_path, capsys):
    docs = [{"id": "a", "text": "Troops arrived in Rattu and Cherat."}, {"id": 7, "text": "Nothing here."},
            {"id": "c", "text": "He flew from Paris, Texas, to Karachi."}]
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    assert main(["read", "--jsonl", str(path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in lines] == ["a", 7, "c"]
    assert lines == read_documents(docs)  # the Python call returns the same records
    rattu = lines[0]["mentions"][0]
    assert docs[0]["text"][rattu["start"]:rattu["end"]] == "Rattu" == rattu["text"]
    assert {"lat", "lon", "resolved_name", "source", "score"} <= set(rattu)
    assert lines[1]["mentions"] == []
    paris = lines[2]["mentions"][0]
    assert paris["text"] == "Paris" and paris["country"] == "USA"  # "X, Y": Paris in Texas


def test_jsonl_malformed_line(tmp_path, capsys):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b'{"id": 1, "text": "In Lahore."}\n{"id": 2, "text": \n\n{"id": 3, "text": "In Quetta."}\n'
                     b'{"id": 4, "text": "\xff"}\n')
    assert main(["read", "--jsonl", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "line 2" in captured.err and len(captured.err.splitlines()) == 1
    assert main(["read", "--jsonl", str(path), "--on-error", "skip"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [1, 3]
    path.write_bytes(b'{"id": 1, "text": "In Lahore."}\n{"id": 4, "text": "\xff"}\n')
    assert main(["read", "--jsonl", str(path)]) == 2
    assert "line 2: not valid UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"Troops in Rattu \xff\xfe and Cherat", "not valid UTF-8"),
    (b"<html><body><script>var x = 'Rattu';</script></body></html>", "no article text"),
])
def test_bad_article(tmp_path, capsys, content, message):
    article = tmp_path / ("bad.html" if b"<html" in content else "bad.txt")
    article.write_bytes(content)
    out = tmp_path / "out"
    assert main(["read", str(article), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_huge_article(tmp_path, capsys):
    article = tmp_path / "huge.txt"
    with open(article, "wb") as f:
        f.truncate(50_000_000)
    assert main(["read", str(article), "-o", str(tmp_path / "out")]) == 2
    assert "too long" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_words_that_are_not_places():
    text = ("Nice weather today. We met in Nice last May. Russian troops and Indian officials met in "
            "New Delhi. Vladimir Putin met Paris Hilton. Putin said Hilton is nice. Reading is fun.")
    found = [(m["text"], m["country"]) for m in mentions(text)]
    assert found == [("Nice", "FRA"), ("New Delhi", "IND")]


def test_same_name_one_place_in_context():
    text = "The fair is in Paris, Texas. Paris has 25,000 people. London, Ontario sent a band; London cheered."
    found = {(m["text"], m["start"]): m for m in mentions(text)}
    assert {m["country"] for m in found.values() if m["text"] == "Paris"} == {"USA"}
    assert {m["country"] for m in found.values() if m["text"] == "London"} == {"CAN"}


def test_index_cache_is_keyed_by_the_data_files(tmp_path):
    from geo import data
    from geo.read.vocabulary import cache_key, load_vocabulary

    load_vocabulary()
    assert len(list((data.cache_dir() / "read").glob("vocabulary-*.pickle"))) == 1  # older builds removed
    source = tmp_path / "cities.txt"
    source.write_text("a")
    before = cache_key({"cities500": source})
    os.utime(source, ns=(0, 10**9))
    touched = cache_key({"cities500": source})
    source.write_text("ab")
    assert len({before, touched, cache_key({"cities500": source})}) == 3


def test_sentences():
    text = "Lt. Gen. Bajwa spoke in the U.S. yesterday. Then he left!\n\nNew paragraph"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Lt. Gen. Bajwa spoke in the U.S. yesterday.", "Then he left!", "New paragraph"]


@pytest.mark.parametrize("corpus", ["trnews.jsonl", "geovirus.jsonl"])
def test_corpus_targets(corpus):
    """The issue's targets on gold-annotated news (all documents; about a second each)."""
    path = CORPORA / corpus
    if not path.is_file():
        pytest.skip(f"{path} not found (set CLAIMMAP_CORPORA)")
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    s = score([mentions(d["text"]) for d in docs], [d["toponyms"] for d in docs])
    assert s.f1 >= 0.75, s
    assert s.accuracy_161 >= 0.80, s
