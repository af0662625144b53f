"""claimmap read on a date: the article's own date (HTML metadata) sets the claims unless --as-of is given."""

import datetime as dt
import json

import pytest

from geo.cli import main
from geo.read import open_article, read_article

PARAGRAPHS = ("<p>Residents of Simferopol queued for water on Saturday as the city's reservoirs ran low after a "
              "dry spring.</p><p>Officials said supplies would be restored within a week.</p>")
TODAY = dt.date.today().isoformat()


def page(tmp_path, head: str):
    path = tmp_path / "article.html"
    path.write_text(f"<html><head><title>Water shortages in Simferopol</title>{head}</head><body><article>"
                    f"<h1>Water shortages in Simferopol</h1>{PARAGRAPHS}</article></body></html>", encoding="utf-8")
    return path


def published(on: str) -> str:
    return f'<meta property="article:published_time" content="{on}T09:00:00+00:00">'


def simferopol(out) -> dict:
    features = json.loads((out / "sites.geojson").read_text(encoding="utf-8"))["features"]
    return next(f["properties"] for f in features if f["properties"]["name"] == "Simferopol")


@pytest.mark.filterwarnings("ignore:claims on")
def test_article_date_sets_the_claims_and_as_of_wins(tmp_path, capsys):
    article = page(tmp_path, published("2013-06-01"))
    assert main(["read", str(article), "-o", str(tmp_path / "dated")]) == 0
    report = capsys.readouterr().out
    assert "claims as of 2013-06-01 (article date)" in report
    site = simferopol(tmp_path / "dated")
    assert (site["as_of"], site["status"], site["country"], site["claimed_by"]) == (
        "2013-06-01", "undisputed", "UKR", ["UKR"])

    assert main(["read", str(article), "--as-of", "2016-10-07", "-o", str(tmp_path / "given")]) == 0
    report = capsys.readouterr().out
    assert "claims as of 2016-10-07 (--as-of)" in report
    assert "inside Crimea: administered by Russia (RUS); claimed by Russia (RUS), Ukraine (UKR)" in report
    site = simferopol(tmp_path / "given")
    assert (site["as_of"], site["status"], site["administered_by"], site["claimed_by"]) == (
        "2016-10-07", "inside", "RUS", ["RUS", "UKR"])
    assert site["errata"], "the erratum that decides Crimea in 2016 is named"


def test_json_ld_date_read_by_the_library(tmp_path):
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2016-10-07"}</script>'
    assert open_article(page(tmp_path, ld)).date == dt.date(2016, 10, 7)
    assert open_article(page(tmp_path, "")).date is None  # "on Saturday" in the text is not the article's date


def test_text_article_is_read_as_of_today(tmp_path, capsys):
    article = tmp_path / "article.txt"
    article.write_text("Published 2013-06-01. Residents of Simferopol queued for water.", encoding="utf-8")
    sites = read_article(article)
    assert sites.attrs["as_of_origin"] == "today" and set(sites["as_of"]) == {TODAY}
    row = sites.set_index("name").loc["Simferopol"]
    assert (row["administered_by"], row["claimed_by"]) == ("RUS", ["RUS", "UKR"])
    assert main(["read", str(article)]) == 0
    assert f"claims as of {TODAY} (today, the default)" in capsys.readouterr().out


@pytest.mark.parametrize("head", [published("1930-05-02"), published("2999-01-01")])
def test_unusable_article_date_falls_back_to_today(tmp_path, capsys, head):
    assert main(["read", str(page(tmp_path, head))]) == 0
    captured = capsys.readouterr()
    warning = [line for line in captured.err.splitlines() if "article date" in line]
    assert len(warning) == 1 and warning[0].startswith("claimmap: warning: article date not used")
    assert f"claims as of {TODAY} (today, the default)" in captured.out


@pytest.mark.parametrize("as_of", ["2016-13-01", "tomorrow", "1930-01-01", "2999-01-01"])
def test_bad_as_of(tmp_path, capsys, as_of):
    out = tmp_path / "out"
    assert main(["read", str(page(tmp_path, published("2016-10-07"))), "--as-of", as_of, "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert captured.err.startswith("claimmap: error: ")
    assert not out.exists()


def test_as_of_is_for_one_article(tmp_path, capsys):
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"id": 1, "text": "In Simferopol."}\n', encoding="utf-8")
    assert main(["read", "--jsonl", str(docs), "--as-of", "2016-10-07"]) == 2
    assert "--as-of" in capsys.readouterr().err
