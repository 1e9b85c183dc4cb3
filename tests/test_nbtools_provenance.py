"""Tests for insights.nbtools.provenance: versions and the data snapshot notebooks end with."""

import hashlib
import re
from importlib import metadata

import pandas as pd

from insights.ingest import registry
from insights.nbtools import provenance


def test_package_versions_known_answer():
    result = provenance.package_versions(["pandas", "numpy"])
    expected = pd.DataFrame({"package": ["python", "pandas", "numpy"],
                             "version": [result["version"].iloc[0], metadata.version("pandas"),
                                         metadata.version("numpy")]})
    pd.testing.assert_frame_equal(result, expected)


def test_data_snapshot_fingerprint_is_the_hash_of_the_registry_lines():
    name = "tiktok-datares-2020"
    files = registry.files(name).sort_values("file")
    text = "\n".join(f"{f} {h}" for f, h in zip(files["file"], files["sha256"], strict=True))
    result = provenance.data_snapshot([name])
    assert result.loc[0, "fingerprint"] == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert result.loc[0, "files"] == len(files)
    assert result.loc[0, "bytes"] == files["bytes"].sum()


def test_data_snapshot_changes_when_a_file_hash_changes(monkeypatch):
    name = "top-insta-influencers-200"
    before = provenance.data_snapshot([name]).loc[0, "fingerprint"]
    real = registry._registry()
    changed = real.assign(sha256=real["sha256"].where(real["dataset"] != name, "0" * 64))
    monkeypatch.setattr(registry, "_registry", lambda: changed)
    after = provenance.data_snapshot([name]).loc[0, "fingerprint"]
    assert before != after


def test_provenance_has_both_tables_and_no_paths_or_dates():
    tables = provenance.provenance(registry.names())
    assert set(tables) == {"packages", "data"}
    text = pd.concat(tables.values()).to_string()
    assert "/" not in text
    assert re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", text) is None
