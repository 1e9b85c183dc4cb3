"""Benchmark: vectorised ``insights.stats.bootstrap_elasticity`` against a loop of refits.

Generates ``--n`` creators (default 10,000) from a seeded numpy generator: followers
log-uniform between 1k and 10M, engagements = 0.05 * followers^0.8 with lognormal noise. With
``--posts-per-creator m`` it makes ``m`` posts per creator instead, with a shared creator
effect, and resamples whole creators (``cluster="creator"``).

It then runs the same percentile bootstrap of the elasticity twice in the same process, with
the same seed, so both see the very same resamples:

(a) ``bootstrap_elasticity``: every resample is a vector of unit counts, and the normal
    equations of a batch of resamples come from one matrix product and one batched solve;
(b) ``bootstrap_elasticity_loop``: builds each resampled data set and refits it with
    ``numpy.linalg.lstsq``, one resample at a time.

It prints the wall time, time per resample and peak extra memory (resident set size above the
level before the step, sampled every 5 ms) of each, their ratio, the CI each gives, and checks
that the draws agree (``numpy.allclose``) on the resamples both ran. ``--loop-resamples``
runs the loop on fewer resamples; the ratio is then taken per resample. Run
``python benchmarks/bench_bootstrap.py --help``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

import numpy as np
import pandas as pd

from _measure import measure, mib, process_peak_rss
from insights.stats import bootstrap_elasticity, bootstrap_elasticity_loop, fit_elasticity

SEED = 20_240_601
ELASTICITY = 0.8  # the true b of the simulated data


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def generate(n: int, seed: int = SEED, posts_per_creator: int = 0) -> pd.DataFrame:
    """Return ``n`` creators (or ``n * posts_per_creator`` posts), the same for the same seed.

    Followers are log-uniform on [1e3, 1e7]; engagements = 0.05 * followers^0.8 times
    lognormal noise (sigma 0.5). Posts add a creator effect (sigma 0.4) shared by all of a
    creator's posts, and post noise (sigma 0.5).
    """
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7, n))
    if posts_per_creator <= 0:
        engagements = 0.05 * followers**ELASTICITY * rng.lognormal(0.0, 0.5, n)
        return pd.DataFrame({"creator": np.arange(n), "followers": followers,
                             "engagements": engagements})
    creator = np.repeat(np.arange(n), posts_per_creator)
    effect = rng.lognormal(0.0, 0.4, n)[creator]
    engagements = (
        0.05 * followers[creator] ** ELASTICITY * effect * rng.lognormal(0.0, 0.5, len(creator))
    )
    return pd.DataFrame({"creator": creator, "followers": followers[creator],
                         "engagements": engagements})


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of creators")
    parser.add_argument("--resamples", type=int, default=2_000,
                        help="bootstrap resamples for the vectorised version")
    parser.add_argument("--loop-resamples", type=int, default=None,
                        help="resamples for the loop (default: the same as --resamples); the "
                        "loop then runs the first ones of the same sequence")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="seed of the data and of the bootstrap generator")
    parser.add_argument("--posts-per-creator", type=int, default=0,
                        help="0 (default): one row per creator, rows resampled; m > 0: m posts "
                        "per creator, whole creators resampled (cluster='creator')")
    args = parser.parse_args(argv)
    loop_resamples = args.resamples if args.loop_resamples is None else args.loop_resamples
    if not 2 <= loop_resamples <= args.resamples:
        parser.error("--loop-resamples must be between 2 and --resamples")

    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    frame = generate(args.n, args.seed, args.posts_per_creator)
    cluster = "creator" if args.posts_per_creator > 0 else None
    unit = "creators (clusters)" if cluster else "creators (rows)"
    print(f"data: {len(frame):,} rows, {args.n:,} {unit}, seed {args.seed}, true b {ELASTICITY}")
    kwargs = dict(y="engagements", x="followers", cluster=cluster)

    fast, vec = measure(
        "bootstrap_elasticity (vectorised)",
        lambda: bootstrap_elasticity(frame, n_resamples=args.resamples,
                                     rng=np.random.default_rng(args.seed), **kwargs),
    )
    vec["resamples"] = args.resamples
    slow, loop = measure(
        "bootstrap_elasticity_loop",
        lambda: bootstrap_elasticity_loop(frame, n_resamples=loop_resamples,
                                          rng=np.random.default_rng(args.seed), **kwargs),
    )
    loop["resamples"] = loop_resamples

    print()
    print(f"{'method':<36} {'resamples':>9} {'wall time':>10} {'per resample':>13} "
          f"{'peak extra RSS':>15}")
    for stats in (vec, loop):
        stats["per"] = stats["seconds"] / stats["resamples"]
        print(f"{stats['label']:<36} {stats['resamples']:>9,} {stats['seconds']:>8.2f} s "
              f"{stats['per'] * 1e3:>10.3f} ms {mib(stats['peak_extra']):>15}")
    ratio = loop["per"] / vec["per"]
    if loop_resamples == args.resamples:
        print(f"ratio loop / vectorised: {ratio:.1f}x")
    else:
        print(f"ratio loop / vectorised, per resample: {ratio:.1f}x (loop projected to "
              f"{args.resamples:,} resamples: {loop['per'] * args.resamples:.1f} s)")
    print(f"process peak RSS (ru_maxrss): {mib(process_peak_rss())}")

    analytic = fit_elasticity(frame, **kwargs)
    print()
    print(f"full-sample elasticity: {fast.estimate:.4f}")
    print(f"  vectorised 95% CI ({fast.n_resamples:,} resamples): "
          f"[{fast.ci_low:.4f}, {fast.ci_high:.4f}], se {fast.se:.4f}, failed {fast.n_failed}")
    print(f"  loop       95% CI ({slow.n_resamples:,} resamples): "
          f"[{slow.ci_low:.4f}, {slow.ci_high:.4f}], se {slow.se:.4f}, failed {slow.n_failed}")
    print(f"  analytic   95% CI ({analytic.method.split('; ')[-1]}): "
          f"[{analytic.ci_low:.4f}, {analytic.ci_high:.4f}], se {analytic.se:.4f}")

    # Agreement on the resamples both ran (the loop's are the first ones of the same stream).
    both = fast.draws[:loop_resamples]
    agree = np.allclose(both, slow.draws, rtol=1e-9, atol=1e-12, equal_nan=True)
    worst = float(np.nanmax(np.abs(both - slow.draws))) if loop_resamples else 0.0
    print(f"draws agree on the {loop_resamples:,} resamples both ran: {agree} "
          f"(largest difference {worst:.1e})")
    if not agree:
        print("FAILED: the two methods disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
