"""Point claimmap at the shared reference data, as a user's offline data folder would."""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# Absolute, because the notebook's kernel runs in notebooks/, not where pytest was started.
os.environ["CLAIMMAP_DATA_DIR"] = str(Path(os.environ.get("CLAIMMAP_DATA_DIR", SHARED_DATA)).resolve())


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return Path(os.environ["CLAIMMAP_DATA_DIR"])


@pytest.fixture(scope="session", autouse=True)
def built_indexes() -> None:
    """Build the on-disk indexes (gazetteer, article vocabulary, spatial engine) once, before any test.

    On a fresh machine the first build prints a one-time note on stderr; built here, it never lands in
    a test that checks that the command prints exactly one line.
    """
    from geo.check import check
    from geo.read import mentions

    check(["Rattu"])
    mentions("Rattu is in Pakistan.")
