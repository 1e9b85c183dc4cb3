"""C7 and C8: engagement by segment at equal size, and the share of a poll's answer.

C7 ("niche and cross-platform creators outperform") has no single definition of *niche*, so it
is tested as what the data can compare at equal follower count (``docs/analysis-plan.md``,
amendment 4):

* **category** as a moderator of the engagement elasticity on a creators list
  (:func:`category_contrasts`);
* **topic** on a posts table with a stratum (:func:`topic_contrasts`), and creators who
  posted in several topics against those in one (:func:`breadth_contrasts`);
* **cross-platform** creators, found on more than one platform's list under the same
  normalised handle, against creators on one list (:func:`cross_platform_membership`,
  :func:`membership_contrasts`).

Each comparison is a :class:`insights.stats.GroupContrasts`; :func:`c7_verdict` reads it.
C8 ("40% of Twitter users bought because of an influencer's tweet") cannot be tested with public
data; :func:`poll_share` gives the nearest public evidence, a poll answer's share with its
Wilson interval (:func:`insights.authenticity.wilson`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights import metrics, stats
from insights.authenticity import wilson
from insights.ingest.registry import design_class, design_hazards
from insights.verdicts import MAX_ZERO_SHARE

__all__ = ["c7_verdict", "category_contrasts", "topic_contrasts", "breadth_contrasts",
           "normalise_handle", "MIN_HANDLE", "Membership", "cross_platform_membership",
           "design_of", "membership_contrasts", "PollShare", "poll_share"]

#: Normalised handles shorter than this are too generic to match across platforms.
MIN_HANDLE = 4


def c7_verdict(contrasts: stats.GroupContrasts, design: str = "evidence") -> str:
    """The C7 reading of a comparison at equal size.

    ``not evidence`` for a sample selected on the outcome; ``inconclusive`` when a log model
    left out more than 5% of its rows for a zero outcome (:data:`MAX_ZERO_SHARE`);
    ``depends`` when at least one group's 95% interval of its ratio to the reference excludes
    1 (engagement at equal size depends on the group, so whether "niche" or "cross-platform"
    outperforms depends on which groups one means); ``inconclusive`` when every interval
    contains 1.

    For a two-group comparison (cross-platform against one platform) the direction is read
    directly: ``supported`` when the ratio's interval lies above 1, ``contradicted`` below.

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["a", "b"], "ratio": [1.0, 2.0],
    ...                       "ratio_low": [np.nan, 1.5], "ratio_high": [np.nan, 2.5]})
    >>> c = stats.GroupContrasts(table, 0.01, "equal levels", 1e6, "a", "m", 100)
    >>> c7_verdict(c), c7_verdict(c, "not evidence")
    ('supported', 'not evidence')
    """
    if design == "not evidence":
        return "not evidence"
    if contrasts.n_zero > MAX_ZERO_SHARE * (contrasts.n + contrasts.n_zero):
        return "inconclusive"  # the plan's 5% zero rule, as for the typical post of C1
    others = contrasts.table[contrasts.table["group"] != contrasts.reference]
    above = others["ratio_low"] > 1
    below = others["ratio_high"] < 1
    if len(others) == 1:
        return "supported" if above.iloc[0] else "contradicted" if below.iloc[0] else (
            "inconclusive")
    return "depends" if (above | below).any() else "inconclusive"


def _engagement(frame: pd.DataFrame) -> pd.DataFrame:
    components = metrics.default_components(frame)
    values = metrics.engagement(frame, components=components)["value"].to_numpy()
    return frame.assign(engagement=values)


def category_contrasts(
    frame: pd.DataFrame,
    *,
    category: str = "category",
    min_size: int = 30,
    estimand: str = "typical",
    level: float = 0.95,
) -> stats.GroupContrasts:
    """Category as a moderator of the engagement elasticity on one creators list.

    Engagement is :func:`insights.metrics.default_components` summed; each category with at
    least ``min_size`` creators gets its own level and slope, the rest are pooled as ``other``;
    the reference is the largest category; HC3 (typical) or HC1 (expected) errors. ``wald_p``
    tests that all categories share one slope.
    """
    if category not in frame.columns or not frame[category].notna().any():
        raise ValueError(f"no {category!r} values in this table: C7 by category is untestable")
    return stats.group_contrasts(_engagement(frame), y="engagement", group=category,
                                 interaction=True, min_size=min_size, estimand=estimand,
                                 level=level)


def topic_contrasts(
    posts: pd.DataFrame,
    *,
    topic: str = "topic",
    reference: str | None = None,
    estimand: str = "expected",
    level: float = 0.95,
) -> stats.GroupContrasts:
    """Engagement per post by topic at equal author size, clustered by creator.

    Controls ``log(1 + age_days)`` when the table has ages; the reference defaults to the
    largest topic.
    """
    work = _engagement(posts)
    controls: tuple[str, ...] = ()
    if "age_days" in work.columns and work["age_days"].notna().any():
        age = pd.to_numeric(work["age_days"], errors="coerce")
        work = work.assign(log_age=np.log1p(age.where(age >= 0)))
        controls = ("log_age",)
    return stats.group_contrasts(work, y="engagement", group=topic, reference=reference,
                                 estimand=estimand, controls=controls, cluster="creator",
                                 level=level)


def breadth_contrasts(
    posts: pd.DataFrame,
    *,
    topic: str = "topic",
    estimand: str = "expected",
    level: float = 0.95,
) -> stats.GroupContrasts:
    """Creators who posted in several topics against those in one, at equal size.

    Each post is labelled by its creator's number of distinct topics in the table
    (``"one topic"`` or ``"several topics"``); topic effects and ``log(1 + age_days)`` are
    controlled for; errors are clustered by creator.
    """
    breadth = posts.groupby("creator")[topic].transform("nunique")
    work = _engagement(posts).assign(breadth=np.where(breadth > 1, "several topics",
                                                      "one topic"))
    controls = []
    if "age_days" in work.columns and work["age_days"].notna().any():
        age = pd.to_numeric(work["age_days"], errors="coerce")
        work = work.assign(log_age=np.log1p(age.where(age >= 0)))
        controls.append("log_age")
    for value in sorted(work[topic].dropna().unique())[1:]:  # topic dummies as controls
        name = f"topic={value}"
        work[name] = (work[topic] == value).astype(float)
        controls.append(name)
    return stats.group_contrasts(work, y="engagement", group="breadth", reference="one topic",
                                 estimand=estimand, controls=controls, cluster="creator",
                                 level=level)


def normalise_handle(handles: pd.Series) -> pd.Series:
    """Lower case, spaces and a leading ``@`` removed.

    Examples
    --------
    >>> normalise_handle(pd.Series(["@Selena Gomez", " mrbeast "])).tolist()
    ['selenagomez', 'mrbeast']
    """
    text = handles.astype("string").str.strip().str.lower().str.lstrip("@")
    return text.str.replace(r"\s+", "", regex=True)


@dataclass(frozen=True)
class Membership:
    """Cross-platform membership of the creators of several lists.

    ``table``: the input rows with ``key`` (normalised handle), ``platforms`` (how many lists
    hold the key), ``ambiguous`` (True where the key is shorter than :data:`MIN_HANDLE` or held
    by several creators of one list) and ``cross_platform`` (on two or more lists, not
    ambiguous). ``counts``: per platform, creators, ambiguous ones and cross-platform ones.
    ``names_differ``: matched keys whose display names share no word across the lists (a
    check of the match, reported, not used).
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    names_differ: int


def cross_platform_membership(lists: pd.DataFrame, *, handle: str = "creator",
                              name: str | None = "display_name") -> Membership:
    """Match creators across platforms' lists by normalised handle, counting the ambiguity.

    Parameters
    ----------
    lists : DataFrame
        One creators list per platform (a ``platform`` column), e.g. one snapshot of each.
    handle : str
        The handle column.
    name : str, optional
        A display-name column for the check :attr:`Membership.names_differ`.

    Examples
    --------
    >>> lists = pd.DataFrame({"platform": ["instagram", "tiktok", "tiktok", "youtube"],
    ...                       "creator": ["MrBeast", "mrbeast", "abc", "abc"],
    ...                       "display_name": ["MrBeast", "MrBeast", "A", "B"]})
    >>> m = cross_platform_membership(lists)
    >>> m.table["cross_platform"].tolist(), m.table["ambiguous"].tolist()
    ([True, True, False, False], [False, False, True, True])
    """
    for column in ("platform", handle):
        if column not in lists.columns:
            raise KeyError(f"column {column!r} not in the table; columns are "
                           f"{list(lists.columns)}")
    key = normalise_handle(lists[handle])
    work = lists.assign(key=key.to_numpy())
    per_list = work.groupby(["platform", "key"])["key"].transform("size")
    platforms = work.groupby("key")["platform"].transform("nunique")
    ambiguous = (key.str.len() < MIN_HANDLE).fillna(True).to_numpy() | (per_list > 1).to_numpy()
    # a key ambiguous on one list is ambiguous everywhere
    ambiguous = pd.Series(ambiguous, index=work.index).groupby(work["key"]).transform("any")
    work = work.assign(platforms=platforms.to_numpy(), ambiguous=ambiguous.to_numpy(),
                       cross_platform=((platforms > 1) & ~ambiguous).to_numpy())
    counts = work.groupby("platform").agg(creators=("key", "size"),
                                          ambiguous=("ambiguous", "sum"),
                                          cross_platform=("cross_platform", "sum"))
    differ = 0
    if name is not None and name in work.columns:
        words = work["display_name"].astype("string").str.lower().str.findall(r"\w+")
        matched = work[work["cross_platform"]].assign(words=words)
        for _, group in matched.groupby("key"):
            sets = [set(w) if isinstance(w, list) else set() for w in group["words"]]
            if not set.intersection(*sets):
                differ += 1
    return Membership(work, counts.astype(int), differ)


def membership_contrasts(frame: pd.DataFrame, *, estimand: str = "expected",
                         level: float = 0.95) -> stats.GroupContrasts:
    """Cross-platform creators against one-platform ones, at equal followers, on one list.

    ``frame`` is one platform's rows of :attr:`Membership.table`; ambiguous handles are left
    out. PPML (expected) with HC1 errors, or log-OLS (typical) with HC3.
    """
    work = _engagement(frame[~frame["ambiguous"].astype(bool)])
    work = work.assign(group=np.where(work["cross_platform"], "on two or more lists",
                                      "on one list"))
    return stats.group_contrasts(work, y="engagement", group="group", reference="on one list",
                                 estimand=estimand, level=level)


def design_of(frame: pd.DataFrame) -> str:
    """The design class of a registered table (``evidence`` for an analyst's own)."""
    return design_class(design_hazards(frame))[0]


@dataclass(frozen=True)
class PollShare:
    """Respondents giving one answer in one segment, with a Wilson interval."""

    answer: str
    segment: str
    count: int
    respondents: int
    share: float
    ci_low: float
    ci_high: float


def poll_share(poll: pd.DataFrame, *, answer: str, segment: str = "Global results",
               level: float = 0.95) -> PollShare:
    """The share of a segment's respondents who gave ``answer``, from a ``poll`` table.

    The segment's respondents are the sum of its answers' counts (every respondent gives one
    answer). Raises when the segment is missing or its label names several segments.

    Examples
    --------
    >>> poll = pd.DataFrame({"segment_id": 0, "segment": "all", "answer": ["yes", "no"],
    ...                      "count": [30, 70]})
    >>> result = poll_share(poll, answer="yes", segment="all")
    >>> result.share, round(result.ci_low, 3), round(result.ci_high, 3)
    (0.3, 0.219, 0.396)
    """
    rows = poll[poll["segment"] == segment]
    if rows.empty:
        raise ValueError(f"no segment {segment!r} in the poll")
    if rows["segment_id"].nunique() > 1:
        raise ValueError(f"segment label {segment!r} names {rows['segment_id'].nunique()} "
                         "segments; choose one by segment_id")
    hits = rows.loc[rows["answer"] == answer, "count"]
    if hits.empty:
        raise ValueError(f"no answer {answer!r} in segment {segment!r}; answers are "
                         f"{rows['answer'].tolist()}")
    count, total = int(hits.sum()), int(rows["count"].sum())
    low, high = wilson(count, total, level)
    return PollShare(answer, segment, count, total, count / total if total else np.nan,
                     float(low), float(high))
