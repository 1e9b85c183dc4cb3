"""Shared test helpers: cleaning a registered data set's real files from the local mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights import paths
from insights.ingest import datasets

#: The local mirror of the registered data sets (tests that need it skip without it).
SHARED_DATA = Path("/work/shared/data")


@pytest.fixture(scope="module")
def clean_real(tmp_path_factory):
    """``clean_real(name, clean, probe)``: fetch a data set from the mirror into a temporary
    data folder and run its recipe's ``clean`` on it; skip when ``probe`` (a file of the data
    set) is not in the mirror."""

    def run(name, clean, probe):
        if not (SHARED_DATA / name / probe).is_file():
            pytest.skip(f"{SHARED_DATA / name / probe} is not available")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("INSIGHTS_DATA_DIR", str(tmp_path_factory.mktemp("data")))
            patch.setenv("INSIGHTS_DATA_MIRROR", str(SHARED_DATA))
            datasets.fetch(name, progress=False)
            return clean(paths.raw_dir(name))

    return run
