"""Benchmark: ``insights.stats.ppml_weighted`` (many resamples in one pass) against refits.

Generates ``--n`` creators (default 1,000, the size of a 2022 top-1,000 list) from a seeded
numpy generator: followers log-uniform between 1M and 300M, average engagement = 0.02 *
followers^0.6 with heavy (lognormal, sigma 1.2) noise, as on those lists. It then refits the
expected-estimand PPML fit (log link, HC1 errors) on ``--resamples`` bootstrap resamples of the
creators three ways, in the same process, on the very same resamples:

(a) ``stats.ppml_weighted``: every resample is a row of unit counts, all fitted together;
(b) ``stats.ppml_arrays`` on each resampled table, one at a time (the array path of the
    simulation studies);
(c) ``stats.fit_ppml`` (statsmodels GLM) on each resampled table, on ``--loop-resamples`` of
    them (the path of the claim functions).

It prints wall time, time per resample and peak extra memory of each, the ratios per resample,
and checks that (a) agrees with (b) and (c) on every resample both ran (slope and SE to 1e-7
relative); it exits with status 1 if not. Notebook 07's double bootstrap needs 500 x 200
resamples per interval. Run ``python benchmarks/bench_resampled_ppml.py --help``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

import numpy as np
import pandas as pd

from _measure import measure, mib, process_peak_rss
from insights import calibration, stats

SEED = 20_261_203


def generate(n: int, seed: int = SEED) -> pd.DataFrame:
    """``n`` creators, the same for the same seed (see the module docstring)."""
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(6, 8.5, n))
    engagement = 0.02 * followers**0.6 * rng.lognormal(0.0, 1.2, n)
    return pd.DataFrame({"followers": followers, "engagement": engagement})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000, help="number of creators")
    parser.add_argument("--resamples", type=int, default=1_000)
    parser.add_argument("--loop-resamples", type=int, default=100,
                        help="resamples refitted one at a time by statsmodels (the first ones)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if not 1 <= args.loop_resamples <= args.resamples:
        parser.error("--loop-resamples must be between 1 and --resamples")
    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    frame = generate(args.n, args.seed)
    design = stats.ppml_design(frame, y="engagement")
    counts = calibration.resample_counts(args.n, args.resamples,
                                         rng=np.random.default_rng(args.seed))
    print(f"data: {args.n:,} creators, {args.resamples:,} resamples, seed {args.seed}")

    (coef, cov, _), batched = measure(
        "ppml_weighted (all resamples at once)",
        lambda: stats.ppml_weighted(design.y, design.X, counts))
    batched["resamples"] = args.resamples

    def one_by_one(fit, resamples):
        out = []
        for row in counts[:resamples]:
            rows = np.repeat(np.arange(args.n), row)
            out.append(fit(rows))
        return np.array(out)

    def arrays_fit(rows):
        c, v, _ = stats.ppml_arrays(design.y[rows], design.X[rows])
        return c[1], np.sqrt(v[1, 1])

    def statsmodels_fit(rows):
        fit = stats.fit_ppml(frame.iloc[rows], y="engagement")
        return fit.estimate, fit.se

    arrays, loop = measure("ppml_arrays, one resample at a time",
                           lambda: one_by_one(arrays_fit, args.resamples))
    loop["resamples"] = args.resamples
    glm, slow = measure("fit_ppml (statsmodels), one at a time",
                        lambda: one_by_one(statsmodels_fit, args.loop_resamples))
    slow["resamples"] = args.loop_resamples

    print()
    print(f"{'method':<40} {'resamples':>9} {'wall time':>10} {'per resample':>13} "
          f"{'peak extra RSS':>15}")
    for row in (batched, loop, slow):
        row["per"] = row["seconds"] / row["resamples"]
        print(f"{row['label']:<40} {row['resamples']:>9,} {row['seconds']:>8.2f} s "
              f"{row['per'] * 1e3:>10.3f} ms {mib(row['peak_extra']):>15}")
    print(f"per resample: ppml_arrays / ppml_weighted {loop['per'] / batched['per']:.1f}x, "
          f"statsmodels / ppml_weighted {slow['per'] / batched['per']:.1f}x")
    print(f"process peak RSS (ru_maxrss): {mib(process_peak_rss())}")

    mine = np.column_stack([coef[:, 1], np.sqrt(cov[:, 1, 1])])
    agree_arrays = np.allclose(mine, arrays, rtol=1e-7, atol=0)
    agree_glm = np.allclose(mine[:args.loop_resamples], glm, rtol=1e-7, atol=0)
    print(f"slope and SE agree with ppml_arrays on {args.resamples:,} resamples: {agree_arrays}; "
          f"with statsmodels on {args.loop_resamples:,}: {agree_glm}")
    return 0 if agree_arrays and agree_glm else 1


if __name__ == "__main__":
    sys.exit(main())
