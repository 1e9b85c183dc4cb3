"""Benchmark: vectorised ``insights.ingest.parsing.parse_counts`` against a per-value loop.

Generates ``--n`` display strings (default 10,000,000) deterministically from a seeded numpy
generator, in a realistic mix (``87.2K``, ``4.2m``, ``1,234``, ``5769``, ``2.28E+11``,
``N/A`` and some invalid values), then parses the same strings twice in the same process:

(a) ``parse_counts`` on the whole Series (what the library does: one compiled pass per string,
    Arrow kernels for the strings it declines);
(b) a per-element loop in the style of the usual notebook code: ``lower()``, ``strip()``,
    remove commas, multiply by the suffix, ``float()``.

It prints the wall time, throughput and peak extra memory (resident set size above the level
before the step, sampled every 5 ms; it includes Arrow's allocations, which tracemalloc does
not see) of each, their ratio, and checks that both give the same values on the rows that
parse_counts accepts. Run ``python benchmarks/bench_parsing.py --help``.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time

import numpy as np
import pandas as pd

from _measure import measure, mib, process_peak_rss
from insights.ingest.parsing import parse_counts

SEED = 20_240_601

#: (kind, share of rows). Shares sum to 1.
MIX = [
    ("k-suffix", 0.30),  # 87.2K, 3.3k, 630k
    ("m-suffix", 0.20),  # 4.2M, 475.8m, 1.2 M
    ("b-suffix", 0.02),  # 29.0b
    ("thousands", 0.15),  # 1,234 / 12,345,678
    ("plain", 0.20),  # 5769
    ("exponent", 0.03),  # 2.28E+11
    ("missing", 0.06),  # N/A, nan, -, empty
    ("invalid", 0.04),  # 1,2k, 12 fans, 1.5.3, -5
]


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def _decimal(rng: np.random.Generator, n: int, high: int, places_p: list[float]) -> list[str]:
    whole = rng.integers(0, high, n)
    places = rng.choice(len(places_p), n, p=places_p)
    frac = rng.integers(0, 1000, n)
    out = []
    for w, p, f in zip(whole.tolist(), places.tolist(), frac.tolist(), strict=True):
        out.append(f"{w}.{f % 10**p:0{p}d}" if p else str(w))
    return out


def generate(n: int, seed: int = SEED) -> list[str]:
    """Return ``n`` display strings, the same for the same ``n`` and ``seed``."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(len(MIX), n, p=[share for _, share in MIX])
    out = np.empty(n, dtype=object)
    for code, (kind, _) in enumerate(MIX):
        where = np.flatnonzero(kinds == code)
        m = len(where)
        if m == 0:
            continue
        if kind in ("k-suffix", "m-suffix", "b-suffix"):
            letter = kind[0]
            numbers = _decimal(rng, m, 1000, [0.3, 0.6, 0.1])
            upper = rng.random(m) < 0.4
            space = rng.random(m) < 0.05
            values = [
                f"{v}{' ' if s else ''}{letter.upper() if u else letter}"
                for v, u, s in zip(numbers, upper.tolist(), space.tolist(), strict=True)
            ]
        elif kind == "thousands":
            values = [f"{v:,}" for v in rng.integers(1_000, 100_000_000, m).tolist()]
        elif kind == "plain":
            values = [str(v) for v in rng.integers(0, 100_000, m).tolist()]
        elif kind == "exponent":
            mant = rng.integers(100, 1000, m).tolist()
            power = rng.integers(6, 13, m).tolist()
            values = [
                f"{a // 100}.{a % 100:02d}E+{p:02d}" for a, p in zip(mant, power, strict=True)
            ]
        elif kind == "missing":
            tokens = np.array(["N/A", "nan", "NaN", "-", "", "n/a"], dtype=object)
            values = tokens[rng.integers(0, len(tokens), m)].tolist()
        else:
            bad = ["1,2k", "12 fans", "1.5.3", "-5", "3,4m", "approx 10k"]
            tokens = np.array(bad, dtype=object)
            values = tokens[rng.integers(0, len(tokens), m)].tolist()
        out[where] = values
    return out.tolist()


# ---------------------------------------------------------------------------------------------
# The per-element approach
# ---------------------------------------------------------------------------------------------

_MULTIPLIER = {"k": 1e3, "m": 1e6, "b": 1e9}


def parse_one(text: str | None) -> float:
    """Parse one display count the way per-row notebook code usually does."""
    if text is None:
        return math.nan
    s = text.lower().strip().replace(",", "")
    multiplier = 1.0
    if s and s[-1] in _MULTIPLIER:
        multiplier = _MULTIPLIER[s[-1]]
        s = s[:-1].strip()
    try:
        return float(s) * multiplier
    except ValueError:
        return math.nan


def parse_loop(strings: list[str]) -> np.ndarray:
    return np.array([parse_one(s) for s in strings], dtype="float64")


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="number of strings")
    parser.add_argument("--seed", type=int, default=SEED, help="generator seed")
    parser.add_argument(
        "--distinct",
        type=float,
        default=1.0,
        help="share of distinct strings: 1.0 draws every string afresh (worst case for "
        "parse_counts); 0.2 resamples a pool of n*0.2 strings, like a real display column "
        "(the TikTok like counts are 22%% distinct)",
    )
    parser.add_argument("--plain", type=int, default=2_000_000,
                        help="distinct plain integers for the comparison with Arrow's cast")
    args = parser.parse_args(argv)
    n = args.n

    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    strings = generate(n, args.seed)
    if args.distinct < 1.0:
        pool = strings[: max(1, int(n * args.distinct))]
        picks = np.random.default_rng(args.seed + 1).integers(0, len(pool), n)
        strings = [pool[i] for i in picks]
    series = pd.Series(strings, dtype="str")  # what read_csv(dtype=str) gives in pandas 3
    print(f"generated {n:,} strings in {time.perf_counter() - t0:.1f} s "
          f"(Series dtype {series.dtype!r}, seed {args.seed}, {series.nunique():,} distinct); "
          f"first: {strings[:8]}")

    # load the compiled pass (numba's cache; built on first use); "auto" takes it from
    # COMPILED_MIN strings up, so a short warm-up must ask for it
    parse_counts(series.head(100), engine="compiled")
    parsed, vec = measure("parse_counts (vectorised)", lambda: parse_counts(series))
    loop_values, loop = measure("per-element Python loop", lambda: parse_loop(strings))

    print()
    print(f"{'method':<28} {'wall time':>10} {'strings/s':>14} {'peak extra RSS':>15}")
    for stats in (vec, loop):
        print(f"{stats['label']:<28} {stats['seconds']:>8.2f} s {n / stats['seconds']:>14,.0f} "
              f"{mib(stats['peak_extra']):>15}")
    print(f"ratio loop / vectorised: {loop['seconds'] / vec['seconds']:.2f}x")
    print(f"process peak RSS (ru_maxrss): {mib(process_peak_rss())}")

    # Agreement on the rows parse_counts accepts.
    ok = (parsed["status"] == "ok").to_numpy()
    ours = parsed["value"].to_numpy()
    theirs = loop_values
    same = ours[ok] == theirs[ok]
    close = np.isclose(ours[ok], theirs[ok], rtol=1e-15, atol=0)
    print()
    print(f"status counts: {parsed['status'].value_counts().sort_index().to_dict()}")
    print(f"valid rows: {int(ok.sum()):,}; identical values: {int(same.sum()):,}; "
          f"differ only in the last bit (loop's x*1e3 is not correctly rounded): "
          f"{int((close & ~same).sum()):,}; really different: {int((~close).sum()):,}")
    accepted_by_loop = ~ok & ~np.isnan(theirs)
    examples = sorted({strings[i] for i in np.flatnonzero(accepted_by_loop)[:10_000]})[:6]
    print(f"rows the loop turns into numbers but parse_counts refuses: "
          f"{int(accepted_by_loop.sum()):,} (e.g. {examples})")
    if (~close).any():
        print("FAILED: the two methods disagree on valid rows", file=sys.stderr)
        return 1
    return plain_numbers(args.plain, args.seed)


def plain_numbers(n: int, seed: int) -> int:
    """Plain integers read as text (a numeric export): parse_counts against Arrow's own cast
    of the same Series and a ``float()`` loop, in the same run."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed + 2)
    strings = rng.choice(10**9, n, replace=False).astype(str).tolist()
    series = pd.Series(strings, dtype="str")
    parsed, ours = measure("parse_counts (plain path)", lambda: parse_counts(series))
    cast, arrow = measure("pyarrow.compute.cast",
                          lambda: pc.cast(pa.array(series), pa.float64()).to_numpy())
    _, loop = measure("float() loop", lambda: np.array([float(s) for s in strings]))
    print()
    print(f"{n:,} distinct plain integers as strings")
    print(f"{'method':<28} {'wall time':>10} {'strings/s':>14} {'peak extra RSS':>15}")
    for stats in (ours, arrow, loop):
        print(f"{stats['label']:<28} {stats['seconds']:>8.2f} s {n / stats['seconds']:>14,.0f} "
              f"{mib(stats['peak_extra']):>15}")
    print(f"parse_counts takes {ours['seconds'] / arrow['seconds']:.2f}x Arrow's time "
          f"(target: within 2x); {loop['seconds'] / ours['seconds']:.1f}x faster than the loop")
    same = np.array_equal(parsed["value"].to_numpy(), cast)
    print(f"identical values: {same}; statuses: {parsed['status'].value_counts().to_dict()}; "
          f"resolution {parsed['resolution'].unique().tolist()}")
    if not same:
        print("FAILED: parse_counts and Arrow's cast disagree on plain integers", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
