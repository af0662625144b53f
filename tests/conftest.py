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
