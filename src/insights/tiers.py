"""Follower tiers: named schemes as data, half-open intervals, one assignment function.

Every tier is a half-open interval ``[lower, upper)`` of follower counts: an account with
exactly 10,000 followers is *micro* under the industry scheme, not nano. Accounts below the
first edge get the scheme's ``below`` label; missing or negative follower counts get no tier.

Named schemes (``docs/sources.md``, "Tier schemes", says where each comes from):

``industry``
    nano 1k–10k, micro 10k–100k, mid 100k–500k, macro 500k–1M, mega ≥1M (Later/Mediakix
    2017 style micro bound, the project's primary scheme).
``micro-1k-50k``, ``micro-1k-100k``, ``micro-10k-500k``
    the three definitions of "micro" the write-ups disagree on, each as below / micro / above.

Custom schemes are :class:`TierScheme` instances (:func:`custom_scheme`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["TierScheme", "SCHEMES", "scheme", "custom_scheme", "assign_tiers", "tier_bands"]


@dataclass(frozen=True)
class TierScheme:
    """A named partition of follower counts into half-open tiers.

    Parameters
    ----------
    name : str
        Identifier.
    edges : tuple of float
        Increasing lower bounds; tier ``i`` is ``[edges[i], edges[i+1])``, the last is
        unbounded above.
    labels : tuple of str
        One label per edge.
    below : str
        Label for accounts under ``edges[0]``.
    source : str
        Where the definition comes from.
    """

    name: str
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    below: str = "below"
    source: str = ""

    def __post_init__(self) -> None:
        edges = np.asarray(self.edges, dtype=float)
        if len(edges) == 0 or len(edges) != len(self.labels):
            raise ValueError(
                f"tier scheme {self.name!r}: need one label per edge, got {len(self.edges)} "
                f"edges and {len(self.labels)} labels"
            )
        if not (np.all(np.isfinite(edges)) and np.all(np.diff(edges) > 0) and edges[0] >= 0):
            raise ValueError(
                f"tier scheme {self.name!r}: edges must be finite, >= 0 and strictly "
                f"increasing, got {list(self.edges)}"
            )
        if len(set(self.labels) | {self.below}) != len(self.labels) + 1:
            raise ValueError(f"tier scheme {self.name!r}: labels must be distinct")

    @property
    def categories(self) -> list[str]:
        """All labels in order, the ``below`` label first."""
        return [self.below, *self.labels]


SCHEMES: dict[str, TierScheme] = {
    s.name: s
    for s in [
        TierScheme(
            "industry",
            (1e3, 1e4, 1e5, 5e5, 1e6),
            ("nano", "micro", "mid", "macro", "mega"),
            below="<1k",
            source="nano 1k-10k, micro 10k-100k, mid 100k-500k, macro 500k-1M, mega 1M+ "
            "(Later x Fohr 2021; micro bound as Mediakix 2017, Markerly 2016)",
        ),
        TierScheme(
            "micro-1k-50k",
            (1e3, 5e4),
            ("micro", "above"),
            below="<1k",
            source="micro = 1k-50k (older Influencer Marketing Hub usage; nano+micro of the "
            "1k-10k/10k-50k schemes)",
        ),
        TierScheme(
            "micro-1k-100k",
            (1e3, 1e5),
            ("micro", "above"),
            below="<1k",
            source="micro = 1k-100k (CMSWire usage)",
        ),
        TierScheme(
            "micro-10k-500k",
            (1e4, 5e5),
            ("micro", "above"),
            below="<10k",
            source="micro = 10k-500k (Later micro + mid)",
        ),
    ]
}


def scheme(name: str | TierScheme) -> TierScheme:
    """Return a named scheme (or pass a :class:`TierScheme` through).

    Examples
    --------
    >>> scheme("industry").labels
    ('nano', 'micro', 'mid', 'macro', 'mega')
    """
    if isinstance(name, TierScheme):
        return name
    try:
        return SCHEMES[name]
    except KeyError:
        raise KeyError(f"unknown tier scheme {name!r}; named schemes: {sorted(SCHEMES)}") from None


def custom_scheme(
    name: str, edges: list[float], labels: list[str], *, below: str = "below"
) -> TierScheme:
    """Build a custom scheme (validated: increasing edges, one distinct label per edge).

    Examples
    --------
    >>> custom_scheme("two", [0, 5e4], ["small", "large"]).categories
    ['below', 'small', 'large']
    """
    return TierScheme(name, tuple(float(e) for e in edges), tuple(labels), below=below,
                      source="custom")


def assign_tiers(followers: pd.Series, tier_scheme: str | TierScheme = "industry") -> pd.Series:
    """Assign each follower count to its tier (half-open intervals).

    Parameters
    ----------
    followers : Series
        Follower counts. Missing, negative or non-finite values get no tier (NaN).
    tier_scheme : str or TierScheme, default "industry"

    Returns
    -------
    Series
        Ordered categorical on the input's index, categories ``scheme.categories``.

    Examples
    --------
    >>> assign_tiers(pd.Series([999, 1000, 9999, 10000, 1e6, -1])).tolist()
    ['<1k', 'nano', 'nano', 'micro', 'mega', nan]
    """
    s = scheme(tier_scheme)
    values = pd.to_numeric(followers, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    valid = np.isfinite(values) & (values >= 0)
    codes = np.searchsorted(np.asarray(s.edges), np.where(valid, values, 0), side="right")
    codes = np.where(valid, codes, -1)
    categorical = pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(s.categories, ordered=True)
    )
    return pd.Series(categorical, index=followers.index, name="tier")


def tier_bands(tier_scheme: str | TierScheme = "industry") -> pd.DataFrame:
    """Return the tiers as a table of ``label, lower, upper`` (upper is inf for the last).

    Examples
    --------
    >>> tier_bands("micro-1k-50k")["upper"].tolist()
    [1000.0, 50000.0, inf]
    """
    s = scheme(tier_scheme)
    lower = [0.0, *s.edges]
    upper = [*s.edges, np.inf]
    return pd.DataFrame({"label": s.categories, "lower": lower, "upper": upper})
