"""Benchmark: the coverage-study engine of notebook 05 against the statsmodels fits it mirrors.

Builds a posts table from the simple simulated world (``--creators`` creators, 5 to 50 posts
each, seeded), calibrates a :class:`insights.simulate.CalibratedWorld` to it, and then, in the
same process:

(a) fits the two post-level C1 primaries (log-OLS on the posts with engagement and PPML with
    zeros, both with ``log(1 + age)`` and errors clustered by creator) on ``--samples`` samples
    of the world with the library's statsmodels functions (``stats.fit_elasticity``,
    ``stats.fit_ppml``): the baseline;
(b) fits the same two on the same samples with ``stats.ols_arrays`` / ``stats.ppml_arrays``
    (``simulate.primary_fits``), and checks that every estimate and SE agrees to 1e-8;
(c) runs ``simulate.replicate_primaries`` (all five fits) with one process and with
    ``--workers`` forked processes, and checks the two tables are identical.

It prints wall time per sample and the ratios. Run ``python benchmarks/bench_coverage.py
--help``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from _measure import measure, mib, process_peak_rss
from insights import simulate, stats

SEED = 20_261_202
FITS = ["post log-OLS, clustered", "post PPML, clustered"]


def design(creators: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    posts = simulate.simulate_posts(simulate.World.calibrated(b=0.9), creators, (5, 50), rng=rng)
    return posts.assign(engagement=posts["likes"] + posts["comments"])


def statsmodels_fits(sample: simulate.WorldSample) -> list[float]:
    work = pd.DataFrame({"y": sample.engagement, "followers": sample.followers,
                         "log_age": np.log1p(sample.age_days), "creator": sample.owner})
    typical = stats.fit_elasticity(work[work["y"] > 0], y="y", controls=("log_age",),
                                   cluster="creator")
    expected = stats.fit_ppml(work, y="y", controls=("log_age",), cluster="creator")
    return [typical.estimate, typical.se, expected.estimate, expected.se]


def array_fits(sample: simulate.WorldSample) -> list[float]:
    table = simulate.primary_fits(sample, FITS).set_index("estimator")
    return [table.loc[FITS[0], "estimate"], table.loc[FITS[0], "se"],
            table.loc[FITS[1], "estimate"], table.loc[FITS[1], "se"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=1_800, help="creators in the design")
    parser.add_argument("--samples", type=int, default=20, help="samples per method in (a), (b)")
    parser.add_argument("--replicates", type=int, default=40, help="replicates in (c)")
    parser.add_argument("--workers", type=int, default=2, help="processes in (c)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, numpy {np.__version__}")
    world = simulate.CalibratedWorld.calibrated_to(design(args.creators, args.seed),
                                                   match=False)
    samples = [world.draw(rng=child) for child in np.random.default_rng(args.seed).spawn(
        args.samples)]
    posts = int(np.mean([len(s.engagement) for s in samples]))
    print(f"design: {args.creators:,} creators, about {posts:,} posts per sample")

    baseline, base_stats = measure("statsmodels", lambda: [statsmodels_fits(s) for s in samples])
    fast, fast_stats = measure("arrays", lambda: [array_fits(s) for s in samples])
    np.testing.assert_allclose(np.array(fast), np.array(baseline), rtol=1e-8)
    for row in (base_stats, fast_stats):
        print(f"(a/b) {row['label']:12} {row['seconds'] / args.samples * 1e3:8.1f} ms per sample"
              f" (two fits), peak extra {mib(row['peak_extra'])}")
    print(f"      arrays are {base_stats['seconds'] / fast_stats['seconds']:.1f}x faster; "
          "estimates and SEs agree to 1e-8")

    def run(workers: int) -> pd.DataFrame:
        return simulate.replicate_primaries(world, args.replicates,
                                            rng=np.random.default_rng(args.seed),
                                            workers=workers)

    start = time.perf_counter()
    one = run(1)
    serial = time.perf_counter() - start
    start = time.perf_counter()
    many = run(args.workers)
    forked = time.perf_counter() - start
    pd.testing.assert_frame_equal(one, many)
    print(f"(c)   replicate_primaries, {args.replicates} replicates x 5 fits: 1 process "
          f"{serial:.2f} s, {args.workers} processes {forked:.2f} s "
          f"({serial / forked:.1f}x); tables identical")
    print(f"process peak RSS {mib(process_peak_rss())}")


if __name__ == "__main__":
    main()
