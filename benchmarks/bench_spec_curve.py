"""Benchmark: the C1 specification curve on TikTok ``by_user`` against one claim call per spec.

Both sides compute the same 120 specifications of ``claims.DEFAULT_GRID`` on the real
``by_user`` posts (50,054 posts, 1,792 creators):

1. ``claims.specification_curve``: each sample window is cut once, each model frame is built
   once per (window, engagement, age control) and shared by the estimators that use it;
2. the baseline a notebook would write: ``claims.engagement_vs_followers`` (or the creator
   aggregate) called once per specification, rebuilding the model frame, the notes and the
   registry lookups every time.

The script checks that both give the same estimates (to 1e-9) and prints wall time and peak
extra memory for each. Run it after ``make data``::

    .venv/bin/python benchmarks/bench_spec_curve.py
"""

from __future__ import annotations

import numpy as np

from _measure import measure, mib
from insights import claims
from insights.ingest import datasets


def baseline(by_user, seeds):
    """One claim call per specification, in the curve's order."""
    estimates = []
    grid = claims.DEFAULT_GRID
    for estimator in grid["estimator"]:
        estimand, level_name = claims.SPEC_ESTIMATORS[estimator]
        post_ols = estimator == "post log-OLS"
        for components in grid["engagement"]:
            for zeros in (grid["zeros"] if post_ols else ("n/a",)):
                for age in (grid["age_control"] if level_name == "posts" else ("n/a",)):
                    for window in grid["window"]:
                        sample = claims._window(by_user, window, seeds)
                        if level_name == "creators":
                            stat = "median" if estimand == "typical" else "mean"
                            result = claims.engagement_vs_followers(
                                sample, components=components, aggregate=stat)
                        elif zeros == "log1p":
                            shifted = sample.assign(**{c: sample[c] + 1.0 / len(components)
                                                       for c in components})
                            result = claims.engagement_vs_followers(
                                shifted, components=components, control_age=age)
                        else:
                            result = claims.engagement_vs_followers(
                                sample, components=components, control_age=age,
                                estimand=estimand)
                        estimates.append(result.estimate)
    return np.asarray(estimates)


def main() -> None:
    posts = datasets.load("tiktok-datares-2020", "posts")
    by_user = posts[posts["part"] == "by_user"]
    seeds = sorted(by_user.loc[by_user["source_file"].str.endswith("top_users_vids.csv"),
                               "creator"].unique())
    curve, fast = measure("specification_curve",
                          lambda: claims.specification_curve(by_user, seeds=seeds))
    loop, slow = measure("one claim call per spec", lambda: baseline(by_user, seeds))
    difference = float(np.nanmax(np.abs(curve["estimate"].to_numpy() - loop)))
    print(f"{len(curve)} specifications on {len(by_user):,} posts, "
          f"{by_user['creator'].nunique():,} creators")
    for stats in (fast, slow):
        print(f"{stats['label']:28} {stats['seconds']:6.1f} s   "
              f"peak extra {mib(stats['peak_extra'])}")
    print(f"speed-up {slow['seconds'] / fast['seconds']:.1f}x; largest estimate difference "
          f"{difference:.1e}")
    assert difference < 1e-9, difference


if __name__ == "__main__":
    main()
