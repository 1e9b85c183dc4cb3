"""Benchmark C1 (both estimands) on 10^6 to 10^8 posts: Dask against the in-memory path.

For each size it writes seeded synthetic posts as Parquet (``creator, followers, likes,
comments, age_days``; elasticity 0.85, engagement drawn per post around a creator effect, a
few zeros), then times, in the same run:

1. the anchor: DuckDB's single pass of the OLS sums over the Parquet files (``X'X`` and ``X'y``
   of log engagement on log followers), the least any engine must do;
2. :func:`insights.scale.c1_elasticity` through Dask, both estimands (log-OLS: two passes;
   PPML: about eight), on the threaded scheduler and on a ``LocalCluster`` of two worker
   processes;
3. the in-memory path, :func:`insights.claims.c1_fit` (statsmodels) after reading the Parquet
   files with pandas, where it fits (``--in-memory-max``, default 10^7 posts).

Wall time, and peak memory as the largest sum of the resident set sizes of this process and
all its children (the cluster's workers), sampled every 50 ms with psutil. The estimates of all
paths are printed beside each other (they agree to 1e-6 or better), and the true elasticity.

Usage::

    python benchmarks/bench_scale.py                        # 10^6 and 10^7 posts
    python benchmarks/bench_scale.py --sizes 1e6 1e7 1e8    # the full run (disk: ~4 GB at 10^8)
    python benchmarks/bench_scale.py --keep DIR             # keep the Parquet folders in DIR
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

TRUE_B = 0.85
ROWS_PER_FILE = 2_000_000
POSTS_PER_CREATOR = 50
TARGET_SECONDS = 300  # 10^8 posts, both estimands
TARGET_BYTES = 4 * 2**30


def write_posts(folder: Path, n_posts: int, seed: int) -> float:
    """Seeded posts as Parquet files of ROWS_PER_FILE rows; returns the seconds it took."""
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    n_creators = max(n_posts // POSTS_PER_CREATOR, 10)
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7, n_creators))
    effect = rng.normal(0, 0.5, n_creators)
    for index, first in enumerate(range(0, n_posts, ROWS_PER_FILE)):
        rows = min(ROWS_PER_FILE, n_posts - first)
        part = np.random.default_rng([seed, index])
        creator = part.integers(0, n_creators, rows)
        age = part.uniform(0, 90, rows)
        f = followers[creator]
        mean = 0.05 * f**TRUE_B * np.exp(effect[creator] + part.normal(0, 0.8, rows)) \
            * (1 + age) ** 0.1
        likes = part.poisson(mean).astype(np.float64)
        table = pa.table({
            "creator": pa.array(np.char.add("c", creator.astype(str))),
            "followers": f,
            "likes": likes,
            "comments": part.poisson(likes * 0.02).astype(np.float64),
            "age_days": age,
        })
        pq.write_table(table, folder / f"part-{index:05d}.parquet")
    return time.perf_counter() - start


class TreePeak:
    """The peak of the summed RSS of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def timed(label: str, function):
    with TreePeak() as peak:
        start = time.perf_counter()
        value = function()
        seconds = time.perf_counter() - start
    return value, seconds, peak.peak


def duckdb_sums(folder: Path) -> np.ndarray:
    import duckdb

    query = f"""
        SELECT count(*), sum(lx), sum(lx * lx), sum(ly), sum(lx * ly) FROM (
            SELECT ln(followers) AS lx, ln(likes + comments) AS ly
            FROM read_parquet('{folder}/*.parquet')
            WHERE likes + comments > 0 AND followers > 0)
    """
    n, sx, sxx, sy, sxy = duckdb.sql(query).fetchall()[0]
    return np.linalg.solve([[n, sx], [sx, sxx]], [sy, sxy])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--in-memory-max", type=float, default=1e7,
                        help="largest size also run in memory (default 1e7)")
    parser.add_argument("--keep", type=Path, help="keep the Parquet folders here")
    args = parser.parse_args(argv)

    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from insights import claims
    from insights.scale import c1_elasticity, on_dask

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"2 estimands per path; true elasticity {TRUE_B}; {psutil.cpu_count()} CPUs")
    failed = False
    try:
        for size in (int(s) for s in args.sizes):
            folder = root / f"posts-{size}"
            if not folder.exists():
                made = write_posts(folder, size, args.seed)
                disk = sum(p.stat().st_size for p in folder.glob("*.parquet"))
                print(f"\n{size:,} posts: {disk / 2**20:,.0f} MiB of Parquet in "
                      f"{len(list(folder.glob('*.parquet')))} files ({made:.1f} s to make)")
            rows = []
            coef, seconds, peak = timed("duckdb", lambda f=folder: duckdb_sums(f))
            rows.append(("DuckDB OLS sums, 1 pass (anchor)", seconds, peak, coef[1], np.nan))

            def both(mapper_of):
                mapper = mapper_of()
                return tuple(c1_elasticity(mapper, estimand=e).estimate
                             for e in ("typical", "expected"))

            def dask_mapper(f=folder):
                return on_dask(dd.read_parquet(f, columns=["creator", "followers", "likes",
                                                          "comments", "age_days"]))

            with dask.config.set(scheduler="threads"):
                est, seconds, peak = timed("threads", lambda: both(dask_mapper))
            rows.append(("Dask, threads", seconds, peak, *est))
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster):
                est, seconds, peak = timed("processes", lambda: both(dask_mapper))
            rows.append(("Dask, LocalCluster of 2 processes", seconds, peak, *est))
            if size <= args.in_memory_max:
                def in_memory(f=folder):
                    posts = pd.read_parquet(f).assign(post_id=lambda d: np.arange(len(d)))
                    return tuple(claims.c1_fit(posts, components=("likes", "comments"),
                                               estimand=e).fit.estimate
                                 for e in ("typical", "expected"))
                est, seconds, peak = timed("memory", in_memory)
                rows.append(("in memory (pandas + statsmodels)", seconds, peak, *est))
            print(f"{'path':36} {'wall':>8} {'peak RSS':>10}  {'b typical':>10} "
                  f"{'b expected':>10}")
            for label, seconds, peak, typical, expected in rows:
                print(f"{label:36} {seconds:7.1f}s {peak / 2**20:8,.0f} MiB  {typical:10.6f} "
                      f"{expected:10.6f}")
            estimates = np.array([r[3:] for r in rows[1:]])
            spread = np.nanmax(np.abs(estimates - estimates[0]) / np.abs(estimates[0]))
            print(f"largest relative difference between the paths: {spread:.1e}")
            failed |= not spread < 1e-6
            if size >= 1e8:
                best = min(r[1] for r in rows[1:3])
                peak = min(r[2] for r in rows[1:3])
                met = best <= TARGET_SECONDS and peak <= TARGET_BYTES
                print(f"target 10^8 posts, both estimands, <= 5 min and 4 GiB: "
                      f"{'met' if met else 'NOT met'}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
