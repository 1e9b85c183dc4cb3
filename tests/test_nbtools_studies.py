"""Tests for insights.nbtools.studies: a long study run in pieces, resumed, stored, read back
and checked row by row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from insights import simulate
from insights.nbtools import studies
from insights.simulate import CalibratedWorld, World, simulate_posts

STUDY = studies.NestedStudy("Toy world", seed=11, n_outer=5, n_inner=4)


@pytest.fixture(scope="module")
def world():
    truth = World.calibrated(b=0.8, rate=0.05, at=1e4, creator_sd=0.6, post_sd=0.5,
                             noise_df=None, age_elasticity=0.3)
    posts = simulate_posts(truth, 200, (3, 8), rng=np.random.default_rng(0))
    posts = posts.assign(engagement=posts["likes"] + posts["comments"])
    return CalibratedWorld.calibrated_to(posts, match=False)


@pytest.fixture(scope="module")
def full(world):
    return simulate.nested_coverage(world, n_outer=5, n_inner=4, rng=np.random.default_rng(11))


def test_slug_names_the_files():
    assert studies.NestedStudy("TikTok by_user", 1, 2, 3).slug == "tiktok-by-user"
    assert [s.slug for s in studies.NESTED] == ["tiktok-by-user", "twitter"]


def test_run_in_chunks_equals_one_run_and_is_stored(world, full, tmp_path):
    lines = []
    result = studies.run_nested(STUDY, world, tmp_path, chunk=2, progress=lines.append)
    pd.testing.assert_frame_equal(result, full)
    assert len(lines) == 3 and lines[-1].startswith("Toy world: 5/5 outer samples")
    stored, meta = studies.load_nested(STUDY, tmp_path, world=world)
    pd.testing.assert_frame_equal(stored, full, check_exact=False, rtol=1e-15)
    assert meta["settings"] == STUDY.settings() and meta["complete"] and meta["rows"] == 5
    assert meta["truth"] == world.expected_elasticity()
    assert meta["world_description"] == world.describe()
    assert not list(tmp_path.glob(".*partial"))  # nothing half-written left behind


def test_an_interrupted_run_resumes_with_the_missing_rows_only(world, full, tmp_path):
    calls = []

    def stop_after_first_chunk(line):
        calls.append(line)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        studies.run_nested(STUDY, world, tmp_path, chunk=2, progress=stop_after_first_chunk)
    meta = json.loads((tmp_path / "nested-toy-world.json").read_text())
    assert meta["rows"] == 2 and not meta["complete"]
    with pytest.raises(studies.StudyError, match="holds 2 of 5 outer samples"):
        studies.load_nested(STUDY, tmp_path)
    lines = []
    result = studies.run_nested(STUDY, world, tmp_path, chunk=2, progress=lines.append)
    pd.testing.assert_frame_equal(result, full, check_exact=False, rtol=1e-15)
    assert [line.split(",")[0] for line in lines] == ["Toy world: 4/5 outer samples",
                                                     "Toy world: 5/5 outer samples"]


def test_another_study_or_world_is_refused(world, tmp_path):
    studies.run_nested(STUDY, world, tmp_path, progress=None)
    other = studies.NestedStudy("Toy world", seed=11, n_outer=5, n_inner=6)
    with pytest.raises(studies.StudyError, match=r"n_inner 4 \(asked 6\)"):
        studies.load_nested(other, tmp_path)
    with pytest.raises(studies.StudyError, match="pass restart=True"):
        studies.run_nested(other, world, tmp_path, progress=None)
    moved = world.replace(b=world.b + 0.1)
    with pytest.raises(studies.StudyError, match="its world was"):
        studies.load_nested(STUDY, tmp_path, world=moved)
    replaced = studies.run_nested(other, world, tmp_path, restart=True, progress=None)
    assert len(replaced) == 5
    with pytest.raises(studies.StudyError, match="is missing: run python studies/nested"):
        studies.load_nested(STUDY, tmp_path / "elsewhere")


def test_check_recomputes_rows_and_finds_a_changed_one(world, tmp_path):
    studies.run_nested(STUDY, world, tmp_path, progress=None)
    stored, _ = studies.load_nested(STUDY, tmp_path)
    result = studies.check_nested(STUDY, world, stored, [4, 1])
    assert result["equal"].all() and sorted(result["outer"].unique()) == [1, 4]
    assert set(result["column"]) == set(stored.columns)
    stored.loc[4, "calibrated_high"] *= 1 + 1e-6
    stored.loc[1, "covered"] = not stored.loc[1, "covered"]
    changed = studies.check_nested(STUDY, world, stored, [4, 1])
    expected = [(1, "covered"), (4, "calibrated_high")]
    differ = changed.loc[~changed["equal"], ["outer", "column"]].to_numpy()
    assert sorted(map(tuple, differ)) == expected


@pytest.mark.parametrize(("changes", "match"), [
    ({"n_outer": 0}, "n_outer must be a whole number >= 1, got 0"),
    ({"n_inner": 2.5}, "n_inner must be a whole number >= 1, got 2.5"),
    ({"seed": -1}, "seed must be a whole number >= 0, got -1"),
    ({"level": 1.0}, "level must be between 0 and 1, got 1.0"),
    ({"fit": "post OLS"}, "fit must be one of"),
])
def test_a_study_refuses_bad_settings(changes, match):
    settings = {"world": "w", "seed": 1, "n_outer": 2, "n_inner": 3} | changes
    with pytest.raises(ValueError, match=match):
        studies.NestedStudy(**settings)


def test_chunk_must_be_positive(world, tmp_path):
    with pytest.raises(ValueError, match="chunk must be a whole number >= 1, got 0"):
        studies.run_nested(STUDY, world, tmp_path, chunk=0)


@pytest.mark.parametrize("study", studies.NESTED, ids=lambda s: s.slug)
def test_the_stored_studies_are_complete_and_made_with_their_settings(study):
    # notebook 07 also checks them against their worlds and recomputes some rows
    table, meta = studies.load_nested(study)
    assert list(table.index) == list(range(study.n_outer)) and meta["complete"]
    assert table["covered"].dtype == bool and table["covered_calibrated"].dtype == bool
    assert (table["calibrated_low"] < table["calibrated_high"]).all()
