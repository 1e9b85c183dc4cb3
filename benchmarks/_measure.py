"""Shared measurement helpers for the benchmark scripts: wall time and peak extra RSS.

Peak memory is the resident set size above the level at entry, sampled every 5 ms in a thread
(it includes allocations tracemalloc does not see, such as Arrow's and BLAS's).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # not Linux: fall back to the peak so far
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


@contextmanager
def peak_rss(result: dict, interval: float = 0.005):
    """Record in ``result['peak_extra']`` the peak RSS above the level at entry."""
    start = rss_bytes()
    peak = [start]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_bytes())
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        peak[0] = max(peak[0], rss_bytes())
        result["peak_extra"] = peak[0] - start


def measure(label: str, func: Callable[[], object]) -> tuple[object, dict]:
    stats: dict = {"label": label}
    with peak_rss(stats):
        start = time.perf_counter()
        value = func()
        stats["seconds"] = time.perf_counter() - start
    return value, stats


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def process_peak_rss() -> int:
    """Peak resident set size of the whole process so far, in bytes (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
