"""Benchmark C1 (both estimands) on 10^6 to 10^8 posts: Dask against the in-memory path.

For each size it writes seeded synthetic posts as Parquet (``creator, followers, likes,
comments, age_days``; elasticity 0.85, engagement drawn per post around a creator effect, a
few zeros), then times, in the same run:

1. the anchor: DuckDB's single pass of the OLS sums over the Parquet files (``X'X`` and ``X'y``
   of log engagement on log followers), the least any engine must do;
2. :func:`insights.scale.c1_elasticities` through Dask, both estimands in shared passes
   (about five over the files), on the threaded scheduler and on a ``LocalCluster`` of two
   worker processes;
3. the in-memory path, :func:`insights.claims.c1_fit` (statsmodels) after reading the Parquet
   files with pandas, where it fits (``--in-memory-max``, default 10^7 posts).

Each path runs in a child process of its own; wall time is measured inside it (starting
Python and the cluster excluded), peak memory as the largest sum of the resident set sizes of
that process and all its children (the cluster's workers), sampled every 50 ms with psutil.
The estimates of all paths are printed beside each other (they agree to 1e-6 or better),
with the true elasticity.

Usage::

    python benchmarks/bench_scale.py                        # 10^6 and 10^7 posts
    python benchmarks/bench_scale.py --sizes 1e6 1e7 1e8    # the full run (disk: ~4 GB at 10^8)
    python benchmarks/bench_scale.py --keep DIR             # keep the Parquet folders in DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
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


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_path(path: str, folder: Path) -> dict:
    """One path in a child process of its own (its workers are its children): its result
    (estimates, wall time measured inside) and the peak of the summed RSS of it and its
    descendants, sampled every 50 ms, so no path inherits another's memory."""
    child = subprocess.Popen([sys.executable, __file__, "--path", path, str(folder)],
                             stdout=subprocess.PIPE, text=True)
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(process))
        time.sleep(0.05)
    out = child.stdout.read()
    if child.returncode != 0:
        raise RuntimeError(f"{path} failed with status {child.returncode}")
    return {**json.loads(out.strip().splitlines()[-1]), "peak": peak}


def one_path(path: str, folder: Path) -> dict:
    """Run one path in this process; the wall time excludes starting Python and the cluster."""
    import dask
    import dask.dataframe as dd

    from insights.scale import c1_elasticities, on_dask

    columns = ["creator", "followers", "likes", "comments", "age_days"]
    if path == "duckdb":
        start = time.perf_counter()
        coef = duckdb_sums(folder)
        return {"seconds": time.perf_counter() - start, "typical": coef[1], "expected": None}
    if path == "memory":
        from insights import claims

        start = time.perf_counter()
        posts = pd.read_parquet(folder).assign(post_id=lambda d: np.arange(len(d)))
        fits = {e: claims.c1_fit(posts, components=("likes", "comments"), estimand=e).fit
                for e in ("typical", "expected")}
        return {"seconds": time.perf_counter() - start,
                **{e: f.estimate for e, f in fits.items()}}
    if path == "threads":
        with dask.config.set(scheduler="threads"):
            start = time.perf_counter()
            fits = c1_elasticities(on_dask(dd.read_parquet(folder, columns=columns)))
            seconds = time.perf_counter() - start
    else:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster):
            start = time.perf_counter()
            fits = c1_elasticities(on_dask(dd.read_parquet(folder, columns=columns)))
            seconds = time.perf_counter() - start
    return {"seconds": seconds, **{e: f.estimate for e, f in fits.items()}}


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


PATHS = {
    "duckdb": "DuckDB OLS sums, 1 pass (anchor)",
    "threads": "Dask, threads",
    "processes": "Dask, LocalCluster of 2 processes",
    "memory": "in memory (pandas + statsmodels)",
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--in-memory-max", type=float, default=1e7,
                        help="largest size also run in memory (default 1e7)")
    parser.add_argument("--keep", type=Path, help="keep the Parquet folders here")
    parser.add_argument("--path", nargs=2, metavar=("PATH", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.path:  # a child process: one path, its result as one line of JSON
        print(json.dumps(one_path(args.path[0], Path(args.path[1]))))
        return 0

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"C1, both estimands per path; true elasticity {TRUE_B}; {psutil.cpu_count()} CPUs; "
          "memory: peak summed RSS of the path's process and its workers")
    failed = False
    try:
        for size in (int(s) for s in args.sizes):
            folder = root / f"posts-{size}"
            if not folder.exists():
                made = write_posts(folder, size, args.seed)
                disk = sum(p.stat().st_size for p in folder.glob("*.parquet"))
                print(f"\n{size:,} posts: {disk / 2**20:,.0f} MiB of Parquet in "
                      f"{len(list(folder.glob('*.parquet')))} files ({made:.1f} s to make)")
            else:
                print(f"\n{size:,} posts (Parquet kept from an earlier run)")
            paths = [p for p in PATHS if p != "memory" or size <= args.in_memory_max]
            results = {p: run_path(p, folder) for p in paths}
            print(f"{'path':36} {'wall':>8} {'peak RSS':>10}  {'b typical':>10} "
                  f"{'b expected':>10}")
            for name, r in results.items():
                expected = "" if r["expected"] is None else f"{r['expected']:10.6f}"
                print(f"{PATHS[name]:36} {r['seconds']:7.1f}s {r['peak'] / 2**20:8,.0f} MiB  "
                      f"{r['typical']:10.6f} {expected}")
            engines = [results[p] for p in paths if p != "duckdb"]
            spread = max(abs(r[e] - engines[0][e]) / abs(engines[0][e])
                          for r in engines for e in ("typical", "expected"))
            print(f"largest relative difference between the engines: {spread:.1e}; the anchor "
                  f"took {results['threads']['seconds'] / results['duckdb']['seconds']:.0f}x "
                  "less than Dask's threads (one pass, no age control, no errors)")
            failed |= not spread < 1e-6
            if size >= 1e8:
                best = min(results[p]["seconds"] for p in ("threads", "processes"))
                least = min(results[p]["peak"] for p in ("threads", "processes"))
                met = best <= TARGET_SECONDS and least <= TARGET_BYTES
                print("target 10^8 posts, both estimands, <= 5 min and 4 GiB: "
                      f"{'met' if met else 'NOT met'}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
