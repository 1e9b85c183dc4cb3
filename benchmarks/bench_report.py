"""Benchmark ``insights report`` end to end on a large post-level export.

Generates a seeded post-level CSV (default 1,000,000 posts by 20,000 creators, in the shape of
a platform export: display counts such as ``12.5K``, ISO dates, a few bad values), then runs,
in this order and in the same run:

1. the baseline: ``pandas.read_csv`` of the file, the least any tool must do with it;
2. the intake alone (:func:`insights.ingest.intake.load`: read, map, parse, clean, log) in-process;
3. the whole command, ``insights report FILE``, as a child process: intake, the template
   notebook in its own kernel, the HTML and the exports;
4. the same command on a small creator list (150 rows), where the fixed costs (starting the
   command and the kernel, importing the scientific stack, drawing the figures) are all there
   is;
5. with ``--engines pandas,dask``, the command again with ``--engine dask`` (the file read in
   blocks on Dask's threads) and ``--engine dask --workers 2``, each checked against the
   in-memory report's ``tables/summary.csv`` (to 1e-6). ``--engines dask`` runs only the block
   engine, for files too large for the in-memory path.

For each it prints the wall time and the peak memory. For the command, memory is the peak of
the *sum* of the resident set sizes of the command and all its descendants (the Jupyter
kernel), sampled every 50 ms with psutil, since the two processes hold data at the same time.

Usage::

    python benchmarks/bench_report.py                    # 1,000,000 posts (about a minute)
    python benchmarks/bench_report.py --posts 100000     # a quick run
    python benchmarks/bench_report.py --keep DIR         # keep the file and the report in DIR
    python benchmarks/bench_report.py --engines pandas,dask          # and the block engine
    python benchmarks/bench_report.py --posts 10000000 --engines dask  # past memory
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import measure, mib  # noqa: E402

TARGET_SECONDS = 30  # 1,000,000 posts, end to end
TARGET_BYTES = 2 * 2**30
SMALL_TARGET_SECONDS = 10  # a creator list of 150 rows, end to end


def make_posts(n_posts: int, n_creators: int, seed: int) -> pd.DataFrame:
    """A post-level export: ``Video ID, Username, Followers, Likes, Comments, Shares, Plays,
    Posted date``, with display-rounded counts and about 0.1% unparseable values."""
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7.5, n_creators))
    creator = rng.integers(0, n_creators, n_posts)
    f = followers[creator]
    likes = np.round(0.05 * f**0.85 * np.exp(rng.normal(0, 1.0, n_posts)))
    comments = np.round(likes * 0.02 * np.exp(rng.normal(0, 0.5, n_posts)))
    shares = np.round(likes * 0.01 * np.exp(rng.normal(0, 0.7, n_posts)))
    plays = np.round(likes * 12 * np.exp(rng.normal(0, 0.5, n_posts)))
    posted = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 300 * 86400, n_posts), unit="s")
    frame = pd.DataFrame({
        "Video ID": np.arange(n_posts).astype(str),
        "Username": np.char.add("creator_", creator.astype(str)),
        "Followers": _display(followers[creator], rng),
        "Likes": likes.astype(np.int64).astype(str),
        "Comments": comments.astype(np.int64).astype(str),
        "Shares": shares.astype(np.int64).astype(str),
        "Plays": _display(plays, rng),
        "Posted date": posted.strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    bad = rng.random(n_posts) < 0.001
    frame.loc[bad, "Likes"] = "n/a?"
    return frame


def _display(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Half the values as platforms display them (12.5K, 1.2M), half as plain integers."""
    text = values.astype(np.int64).astype(str).astype(object)
    shown = rng.random(len(values)) < 0.5
    big = values >= 1e6
    mid = (values >= 1e3) & ~big
    text[shown & big] = [f"{v / 1e6:.1f}M" for v in values[shown & big]]
    text[shown & mid] = [f"{v / 1e3:.1f}K" for v in values[shown & mid]]
    return text


def tree_peak(process: subprocess.Popen, interval: float = 0.05) -> dict:
    """Sample the summed RSS of a process and its descendants until it exits."""
    result = {"peak": 0}
    root = psutil.Process(process.pid)

    def sample():
        while process.poll() is None:
            total = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for member in members:
                try:
                    total += member.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            result["peak"] = max(result["peak"], total)
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    result["thread"] = thread
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--creators", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--keep", type=Path, help="folder to keep the file and the report in")
    parser.add_argument("--engines", default="pandas",
                        help="comma-separated: pandas (in memory, the default) and/or dask "
                             "(read in blocks, on threads and on 2 worker processes)")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - {"pandas", "dask"})
    if unknown or not engines:
        parser.error(f"--engines: pandas and/or dask, got {args.engines!r}")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "posts.csv"
    start = time.perf_counter()
    make_posts(args.posts, args.creators, args.seed).to_csv(path, index=False)
    print(f"file: {args.posts:,} posts by up to {args.creators:,} creators, "
          f"{path.stat().st_size / 2**20:,.0f} MiB ({time.perf_counter() - start:.1f} s to make)")

    if "pandas" not in engines:
        return blocks_only(path, folder)

    _, base = measure("baseline", lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
    print(f"baseline  pandas.read_csv(dtype=str)   {base['seconds']:6.1f} s  "
          f"peak +{mib(base['peak_extra'])}")

    from insights.ingest import intake

    loaded, own = measure("intake", lambda: intake.load(path))
    kept = len(loaded.table)
    del loaded
    print(f"intake    insights.ingest.intake.load         {own['seconds']:6.1f} s  "
          f"peak +{mib(own['peak_extra'])}  ({kept:,} rows kept; "
          f"{own['seconds'] / base['seconds']:.1f}x the baseline time)")

    seconds, peak, failed = run_command(path, folder / "report.html")
    if failed:
        return 1
    within = seconds < TARGET_SECONDS and peak < TARGET_BYTES
    print(f"target    under {TARGET_SECONDS} s and {mib(TARGET_BYTES)}: "
          f"{'met' if within else 'NOT met'}; report "
          f"{(folder / 'report.html').stat().st_size / 1024:,.0f} KiB in {folder}")
    if "dask" in engines and blocks_only(path, folder, reference=folder / "report.html"):
        return 1

    small = folder / "creators.csv"
    make_creators(150, args.seed).to_csv(small, index=False)
    seconds, peak, failed = run_command(small, folder / "small.html")
    if failed:
        return 1
    print(f"target    a 150-row creator list under {SMALL_TARGET_SECONDS} s: "
          f"{'met' if seconds < SMALL_TARGET_SECONDS else 'NOT met'}")
    return 0


def make_creators(n: int, seed: int) -> pd.DataFrame:
    """A small creator list: handle, display follower counts, average likes and comments."""
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7, n))
    likes = np.round(0.05 * followers**0.85 * np.exp(rng.normal(0, 0.5, n)))
    return pd.DataFrame({"Handle": [f"creator_{i}" for i in range(n)],
                         "Followers": _display(followers, rng),
                         "Avg Likes": likes, "Avg Comments": np.round(likes * 0.03)})


def blocks_only(path: Path, folder: Path, reference: Path | None = None) -> int:
    """The block engine on threads and on two worker processes; each report's summary
    against ``reference``'s (the in-memory report), when given. Returns 1 on a failure."""
    for name, options in (("threads", ["--engine", "dask"]),
                          ("2 procs", ["--engine", "dask", "--workers", "2"])):
        out = folder / f"blocks-{name.replace(' ', '')}.html"
        seconds, peak, failed = run_command(path, out, options, label=f"dask {name}")
        if failed:
            return 1
        if reference is not None:
            tables = [p.with_name(p.stem + "_files") / "tables" / "summary.csv"
                      for p in (out, reference)]
            got, want = (pd.read_csv(t) for t in tables)
            numbers = ["estimate", "ci_low", "ci_high"]
            gap = np.nanmax(np.abs(got[numbers].to_numpy(float) - want[numbers].to_numpy(float))
                            / np.maximum(np.abs(want[numbers].to_numpy(float)), 1e-300))
            same = (gap <= 1e-6 and got["verdict"].tolist() == want["verdict"].tolist()
                    and np.array_equal(got[numbers].isna(), want[numbers].isna())
                    and got["n"].tolist() == want["n"].tolist())
            print(f"          summary.csv against the in-memory report: largest relative "
                  f"difference {gap:.1e}, verdicts and n {'equal' if same else 'DIFFER'}")
            if not same:
                return 1
    return 0


def run_command(path: Path, out: Path, options: list[str] | None = None,
                label: str = "") -> tuple[float, int, bool]:
    """``insights report PATH --out OUT`` as a child process: wall time, peak memory of the
    command and its kernel (and Dask's workers) together, and whether it failed."""
    command = [str(Path(sys.executable).parent / "insights"), "report", str(path),
               "--out", str(out), "--quiet", *(options or [])]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    sampler = tree_peak(process)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler["thread"].join()
    status = "ok" if process.returncode == 0 else f"FAILED (exit {process.returncode})"
    print(f"command   insights report {path.name:<14} {label:<12} {seconds:6.1f} s  "
          f"peak {mib(sampler['peak'])} (command + kernel)  {status}")
    if process.returncode:
        print(stderr, file=sys.stderr)
    return seconds, sampler["peak"], bool(process.returncode)


if __name__ == "__main__":
    raise SystemExit(main())
