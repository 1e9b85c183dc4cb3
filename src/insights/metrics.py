"""Engagement metrics that say their denominator and why a value is missing.

Every metric returns a new DataFrame on the input's index with two columns:

``value``
    float64, NaN whenever the metric cannot be computed for the row; never ``±inf``.
``status``
    a categorical with the fixed categories :data:`STATUSES`, in this order:

    ``ok``
        computed; ``value`` is a finite number.
    ``missing``
        an input is missing or unusable: NaN, None, ``pd.NA``, ``±inf``, text that
        :func:`pandas.to_numeric` cannot read (parse display strings such as ``3.3k`` with
        :mod:`insights.ingest.parsing` first), a row present on only one side of an aligned
        division, or a result too large for float64.
    ``negative``
        an input count is negative (counts cannot be).
    ``zero_denominator``
        the denominator is zero (no followers, no views, no likes).

    When several apply to a row, the first in the precedence
    ``missing > negative > zero_denominator`` wins, so ``status.value_counts()`` gives one
    reason per row for every missing value. Inputs are never mutated; nothing loops over rows.

Denominators. :func:`engagement` is a count: the sum of the columns the caller names. Write-ups
disagree on whether shares or views count, so the metric functions take ``components``
explicitly; the one rule used when a caller (a claim test, the client report, the audit) does
not say is :func:`default_components`. The rates divide the count:

- per follower (``engagement_rate(..., per="followers")``): engagements relative to the size
  of the audience, the "engagement rate" vendors publish. Engagement from non-followers counts
  too, so a viral post can exceed 1.
- per view (``per="views"``): the share of those who *saw* the post that engaged. It does not
  depend on how many followers saw the post, and is not comparable with per-follower rates.
- :func:`comments_per_like`: comments per like, conversation against applause (claim C5).

Rates are fractions, not percents: 0.0139 is 1.39%.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from insights.schemas import table_kind

__all__ = [
    "DEFAULT_COMPONENTS",
    "default_components",
    "STATUSES",
    "STATUS_DTYPE",
    "PRECEDENCE",
    "scale",
    "add",
    "engagement",
    "engagement_rate",
    "comments_per_like",
    "ratio",
    "creator_engagement",
]

STATUSES = ("ok", "missing", "negative", "zero_denominator")
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))

#: Which status wins when values are combined (higher wins): a result is missing if any input
#: is missing, else negative if any is negative, else zero_denominator, else ok.
PRECEDENCE = {"ok": 0, "zero_denominator": 1, "negative": 2, "missing": 3}

_OK, _MISSING, _NEGATIVE, _ZERO = (np.int8(code) for code in range(len(STATUSES)))
_RANK = np.array([PRECEDENCE[status] for status in STATUSES], dtype=np.int8)  # code -> rank
_CODE = np.argsort(_RANK).astype(np.int8)  # rank -> code
_STATS = ("mean", "median")


#: What counts as an engagement when the caller does not say, per table kind: the first group
#: with any values wins, and within it every column that has values. Likes and comments first;
#: else the table's total engagement column; shares only as a last resort (many Instagram
#: exports have none, so counting them would make platforms incomparable).
DEFAULT_COMPONENTS = {
    "posts": (("likes", "comments"), ("engagements",), ("shares",)),
    "creators": (("avg_likes", "avg_comments"), ("avg_engagement", "avg_engagements"),
                 ("avg_shares",)),
}


def default_components(frame: pd.DataFrame, *, kind: str | None = None) -> tuple[str, ...]:
    """What counts as an engagement when the caller does not say (:data:`DEFAULT_COMPONENTS`).

    Parameters
    ----------
    frame : DataFrame
        A posts or creators table.
    kind : {"posts", "creators"}, optional
        Which names to look for; default :func:`insights.schemas.table_kind` of ``frame``.

    Returns
    -------
    tuple of str
        The columns to add up, e.g. ``("likes", "comments")``.

    Raises
    ------
    ValueError
        When no candidate column has a value, naming the columns looked for and the table's.

    Examples
    --------
    >>> default_components(pd.DataFrame({"avg_likes": [1.0], "avg_comments": [None]}))
    ('avg_likes',)
    >>> default_components(pd.DataFrame({"post_id": ["a"], "shares": [3.0], "likes": [None]}))
    ('shares',)
    """
    groups = DEFAULT_COMPONENTS[kind or table_kind(frame)]
    for group in groups:
        found = tuple(c for c in group if c in frame.columns and frame[c].notna().any())
        if found:
            return found
    looked = ", ".join("/".join(group) for group in groups)
    raise ValueError(
        f"no engagement columns with values (looked for {looked}); columns are "
        f"{list(frame.columns)}"
    )


# ---------------------------------------------------------------------------------------------
# The rules, in one place
# ---------------------------------------------------------------------------------------------


def _as_float(values: pd.Series) -> np.ndarray:
    """Coerce a column to float64 with :func:`pandas.to_numeric`; unreadable values are NaN."""
    if values.dtype.kind in "mMc":  # datetimes, durations and complex numbers are not counts
        return np.full(len(values), np.nan)
    try:
        numeric = pd.to_numeric(values, errors="coerce")
        return numeric.to_numpy(dtype="float64", na_value=np.nan)
    except (OverflowError, TypeError, ValueError):
        # Python ints beyond float64 (10**400) make pandas raise; their text reads as ±inf.
        numeric = pd.to_numeric(values.astype(str), errors="coerce")
        return numeric.to_numpy(dtype="float64", na_value=np.nan)


def _input_codes(value: np.ndarray) -> np.ndarray:
    """Status of raw input values: missing unless finite, else negative if below zero."""
    return np.where(~np.isfinite(value), _MISSING, np.where(value < 0, _NEGATIVE, _OK))


def _worst(*codes: np.ndarray) -> np.ndarray:
    """Combine status codes row-wise, keeping the one with the highest precedence."""
    return _CODE[np.maximum.reduce([_RANK[code] for code in codes])]


def _operand(values: pd.Series | pd.DataFrame | Iterable) -> pd.DataFrame:
    """Return ``value`` (float64) and status ``code`` (int8) of an input, on its index.

    A Series (or anything :class:`pandas.Series` accepts) is coerced and checked; a metric
    frame (``value`` and ``status`` columns) keeps its status.
    """
    if isinstance(values, pd.DataFrame):
        if not {"value", "status"} <= set(values.columns):
            raise TypeError(
                "expected a Series or a metric frame with 'value' and 'status' columns, got a "
                f"DataFrame with columns {list(values.columns)}"
            )
        value = _as_float(values["value"])
        code = pd.Categorical(values["status"], dtype=STATUS_DTYPE).codes.astype(np.int8)
        code = np.where(code < 0, _MISSING, code)  # unknown status labels
        code = np.where((code == _OK) & ~np.isfinite(value), _MISSING, code)
        index = values.index
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        value = _as_float(series)
        code = _input_codes(value)
        index = series.index
    return pd.DataFrame({"value": value, "code": code.astype(np.int8)}, index=index)


def _finish(index: pd.Index, value: np.ndarray, code: np.ndarray) -> pd.DataFrame:
    """Build a metric frame: a non-finite result of ok inputs is missing; NaN unless ok."""
    code = np.where((code == _OK) & ~np.isfinite(value), _MISSING, code).astype(np.int8)
    return pd.DataFrame(
        {
            "value": np.where(code == _OK, value, np.nan).astype("float64"),
            "status": pd.Categorical.from_codes(code, dtype=STATUS_DTYPE),
        },
        index=index,
    )


def _component_names(components: str | Iterable[str]) -> tuple[str, ...]:
    names = (components,) if isinstance(components, str) else tuple(components)
    if not names:
        raise ValueError(
            "components is empty: name the columns that count as an engagement, "
            "e.g. components=('likes', 'comments')"
        )
    duplicated = sorted({name for name in names if names.count(name) > 1}, key=str)
    if duplicated:
        raise ValueError(f"components names a column more than once: {duplicated}")
    return names


def _require_columns(frame: pd.DataFrame, names: Iterable[str]) -> None:
    absent = [name for name in dict.fromkeys(names) if name not in frame.columns]
    if absent:
        raise KeyError(
            f"column(s) {absent} not in the frame; available columns: {list(frame.columns)}"
        )


# ---------------------------------------------------------------------------------------------
# Public metrics
# ---------------------------------------------------------------------------------------------


def ratio(
    numerator: pd.Series | pd.DataFrame, denominator: pd.Series | pd.DataFrame
) -> pd.DataFrame:
    """Divide two Series safely, saying per row why a quotient is missing.

    The one division every rate in this module uses. Both inputs are coerced with
    :func:`pandas.to_numeric` (unreadable values are missing) and aligned on their index (a
    label present on one side only is missing). The status of a row is, by precedence:
    ``missing`` if either side is NaN, None or ``±inf`` (or the quotient overflows float64),
    ``negative`` if either side is negative, ``zero_denominator`` if the denominator is zero
    (``0 / 0`` included), else ``ok``.

    Parameters
    ----------
    numerator, denominator : Series or metric DataFrame
        Numbers, or the output of another metric (``value`` and ``status`` columns), whose
        status then carries over: ``ratio(engagement(...), views)`` stays ``negative`` where
        the engagement was.

    Returns
    -------
    DataFrame
        ``value`` (float64, NaN unless ok) and ``status`` (categorical of :data:`STATUSES`),
        on the aligned index (the inputs' index when they are equal).

    Examples
    --------
    >>> ratio(pd.Series([30, 5, 5, None, -1]), pd.Series([1000, 0, -10, 100, 0]))
       value            status
    0   0.03                ok
    1    NaN  zero_denominator
    2    NaN          negative
    3    NaN           missing
    4    NaN          negative
    """
    num, den = _operand(numerator), _operand(denominator)
    if not num.index.equals(den.index):
        num, den = num.align(den, join="outer")
    index = num.index
    num_value, den_value = num["value"].to_numpy(), den["value"].to_numpy()
    num_code = num["code"].fillna(_MISSING).to_numpy(dtype=np.int8)
    den_code = den["code"].fillna(_MISSING).to_numpy(dtype=np.int8)
    zero_code = np.where(den_value == 0, _ZERO, _OK)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        quotient = num_value / den_value
    return _finish(index, quotient, _worst(num_code, den_code, zero_code))


def engagement(frame: pd.DataFrame, *, components: str | Iterable[str]) -> pd.DataFrame:
    """Count engagements per row: the sum of the columns the analyst names.

    There is no default: say what counts as an engagement, e.g. ``("likes", "comments")``,
    ``("likes", "comments", "shares")``, or creator-level ``("avg_likes", "avg_comments")``.
    A count, not a rate: divide it with :func:`engagement_rate`.

    Parameters
    ----------
    frame : DataFrame
        Posts or creators.
    components : sequence of str
        Column names to add up (keyword-only, required). Non-numeric columns are coerced with
        :func:`pandas.to_numeric`; unreadable values are missing.

    Returns
    -------
    DataFrame
        ``value`` and ``status`` on ``frame``'s index: ``missing`` if any component is
        missing, else ``negative`` if any is negative, else ``ok``.

    Raises
    ------
    KeyError
        If a component is not a column, naming it and the available columns.
    ValueError
        If ``components`` is empty or names a column twice.

    Examples
    --------
    >>> posts = pd.DataFrame(
    ...     {"likes": [120, 80, None, -3], "comments": [4, 0, 2, 1]}, index=[10, 11, 12, 13]
    ... )
    >>> engagement(posts, components=("likes", "comments"))
        value    status
    10  124.0        ok
    11   80.0        ok
    12    NaN   missing
    13    NaN  negative
    """
    names = _component_names(components)
    _require_columns(frame, names)
    parts = [_operand(frame[name]) for name in names]
    total = parts[0]["value"].to_numpy()
    with np.errstate(over="ignore", invalid="ignore"):
        for part in parts[1:]:  # over the components, in order: the sum is left to right
            total = total + part["value"].to_numpy()
    code = _worst(*(part["code"].to_numpy() for part in parts))
    return _finish(frame.index, total, code)


def engagement_rate(
    frame: pd.DataFrame, *, components: str | Iterable[str], per: str = "followers"
) -> pd.DataFrame:
    """Engagements per follower (or per view, or per any count column), as a fraction.

    ``engagement(frame, components=components) / frame[per]`` through :func:`ratio`.

    - ``per="followers"``: the share of the audience that engaged, the "engagement rate"
      vendors publish. Posts that travel beyond the followers can exceed 1.
    - ``per="views"``: the share of those who saw the post that engaged (TikTok, YouTube).
      Not comparable with per-follower rates.

    The result is a fraction, not a percent: 0.0139 is 1.39%.

    Parameters
    ----------
    frame : DataFrame
        Posts or creators.
    components : sequence of str
        Columns that count as an engagement (keyword-only, required), see :func:`engagement`.
    per : str, default "followers"
        The denominator column.

    Returns
    -------
    DataFrame
        ``value`` and ``status`` on ``frame``'s index; ``zero_denominator`` where ``per`` is
        zero, ``negative`` where it (or a component) is negative, ``missing`` where it (or a
        component) is missing.

    Raises
    ------
    KeyError
        If a component or ``per`` is not a column.

    Examples
    --------
    >>> posts = pd.DataFrame(
    ...     {"likes": [120, 80, 5], "comments": [4, 0, 1], "followers": [10_000, 0, None]}
    ... )
    >>> engagement_rate(posts, components=("likes", "comments"), per="followers")
        value            status
    0  0.0124                ok
    1     NaN  zero_denominator
    2     NaN           missing
    """
    names = _component_names(components)
    _require_columns(frame, (*names, per))
    return ratio(engagement(frame, components=names), frame[per])


def comments_per_like(
    frame: pd.DataFrame, *, comments: str = "comments", likes: str = "likes"
) -> pd.DataFrame:
    """Comments per like: conversation against applause (denominator: likes).

    Parameters
    ----------
    frame : DataFrame
        Posts or creators.
    comments, likes : str
        Column names (use ``"avg_comments"``, ``"avg_likes"`` for a creators table).

    Returns
    -------
    DataFrame
        ``value`` and ``status`` on ``frame``'s index; ``zero_denominator`` where likes are 0.

    Raises
    ------
    KeyError
        If a column is absent.

    Examples
    --------
    >>> posts = pd.DataFrame({"likes": [200, 0, 50], "comments": [10, 3, "n/a"]})
    >>> comments_per_like(posts)
       value            status
    0   0.05                ok
    1    NaN  zero_denominator
    2    NaN           missing
    """
    _require_columns(frame, (comments, likes))
    return ratio(frame[comments], frame[likes])


def creator_engagement(
    posts: pd.DataFrame,
    *,
    components: str | Iterable[str],
    stat: str = "mean",
    creator: str = "creator",
    followers: str = "followers",
    per: str | None = None,
) -> pd.DataFrame:
    """Aggregate a posts table to one row per creator: typical engagement and its rate.

    Groups by ``(platform, creator)`` (by ``creator`` alone if there is no ``platform``
    column; posts with a missing creator form their own group, so none disappear). Per post,
    :func:`engagement` is computed; the posts whose status is ``ok`` are *used*, and
    ``engagement`` is their mean or median:

    - ``stat="mean"`` is what vendors call "average engagement" (total engagements / posts);
      one viral post can dominate it.
    - ``stat="median"`` is the typical post, robust to viral posts.

    The denominator of ``engagement_rate`` is the creator's **median follower count** over
    their posts (missing or negative counts ignored), so the rate is per follower, as a
    fraction. With ``per`` (e.g. ``"views"``) it is per that column instead: a post is used
    only if its ``per`` value is ok too, and the denominator is the same ``stat`` of ``per``
    over the used posts (for the mean: total engagements / total views).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts table (``platform, creator, post_id, likes, comments, shares, views,
        followers, ...``).
    components : sequence of str
        Columns that count as an engagement (keyword-only, required).
    stat : {"mean", "median"}, default "mean"
        How per-post engagement is summarised.
    creator, followers : str
        Column names.
    per : str, optional
        Denominator column for the rate; None (default) means per follower.

    Returns
    -------
    DataFrame
        Columns ``platform`` (if present), ``creator``, ``followers`` (median), ``per``'s
        column (if given and not ``followers``), ``n_posts`` (rows), ``n_used`` (posts used),
        ``engagement`` (NaN if no post is used), ``engagement_rate`` and ``status`` (of the
        rate, categorical of :data:`STATUSES`); sorted by platform and creator, on a fresh
        RangeIndex. Key columns keep the input's names.

    Raises
    ------
    KeyError
        If a required column is absent.
    ValueError
        If ``stat`` is not "mean" or "median", or ``components`` is empty.

    Examples
    --------
    >>> posts = pd.DataFrame(
    ...     {
    ...         "platform": "instagram",
    ...         "creator": ["ana", "ana", "ana", "bo", "bo"],
    ...         "likes": [100, 140, 2_040, -1, None],
    ...         "comments": [10, 10, 100, 1, 2],
    ...         "followers": [10_000, 10_000, 10_500, 800, 800],
    ...     }
    ... )
    >>> result = creator_engagement(posts, components=("likes", "comments"), stat="median")
    >>> result[["creator", "followers", "n_posts", "n_used", "engagement", "status"]]
      creator  followers  n_posts  n_used  engagement   status
    0     ana    10000.0        3       3       150.0       ok
    1      bo      800.0        2       0         NaN  missing
    >>> result["engagement_rate"].tolist()
    [0.015, nan]
    >>> mean = creator_engagement(posts, components=("likes", "comments"), stat="mean")
    >>> mean["engagement"].tolist()  # one viral post pulls the mean up
    [800.0, nan]
    """
    if stat not in _STATS:
        raise ValueError(f"stat must be one of {list(_STATS)}, got {stat!r}")
    names = _component_names(components)
    has_platform = "platform" in posts.columns and creator != "platform"
    keys = ["platform", creator] if has_platform else [creator]
    denominator = None if per is None or per == followers else per
    _require_columns(posts, (*keys, *names, followers, *([denominator] if denominator else [])))

    per_post = engagement(posts, components=names)
    used = per_post["status"].cat.codes.to_numpy() == _OK
    work = {}
    if denominator is not None:
        per_value = _operand(posts[denominator])
        used &= per_value["code"].to_numpy() == _OK
        work["__per"] = np.where(used, per_value["value"].to_numpy(), np.nan)
    follower = _operand(posts[followers])
    work["__followers"] = np.where(
        follower["code"].to_numpy() == _OK, follower["value"].to_numpy(), np.nan
    )
    work["__engagement"] = np.where(used, per_post["value"].to_numpy(), np.nan)
    work["__used"] = used
    table = pd.concat([posts[keys].reset_index(drop=True), pd.DataFrame(work)], axis="columns")

    aggregations = {followers: ("__followers", "median")}
    if denominator is not None:
        aggregations[denominator] = ("__per", stat)
    aggregations |= {
        "n_posts": ("__used", "size"),
        "n_used": ("__used", "sum"),
        "engagement": ("__engagement", stat),
    }
    out = (
        table.groupby(keys, sort=True, dropna=False, observed=True)
        .agg(**aggregations)
        .reset_index()
    )
    for column in (followers, denominator, "engagement"):
        if column is not None:  # a mean can overflow float64: report NaN, never inf
            values = out[column].to_numpy(dtype="float64")
            out[column] = np.where(np.isfinite(values), values, np.nan)
    out["n_posts"] = out["n_posts"].astype("int64")
    out["n_used"] = out["n_used"].astype("int64")
    rate = ratio(out["engagement"], out[denominator or followers])
    out["engagement_rate"] = rate["value"]
    out["status"] = rate["status"]
    return out


# ---------------------------------------------------------------------------------------------
# Metric-frame algebra
# ---------------------------------------------------------------------------------------------


def scale(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Multiply a metric frame's values by ``factor``; a result that overflows is ``missing``.

    Examples
    --------
    >>> m = ratio(pd.Series([2.0, 1.0, -1.0]), pd.Series([4.0, 0.0, 1.0]))
    >>> scale(m, 1000.0)["value"].tolist(), scale(m, 1000.0)["status"].tolist()
    ([500.0, nan, nan], ['ok', 'zero_denominator', 'negative'])
    >>> scale(ratio(pd.Series([1e300]), pd.Series([1.0])), 1e10)["status"].tolist()
    ['missing']
    """
    operand = _operand(frame)
    with np.errstate(over="ignore", invalid="ignore"):
        value = operand["value"].to_numpy() * factor
    return _finish(operand.index, value, operand["code"].to_numpy())


def add(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Sum two metric frames row by row; each row's status follows :data:`PRECEDENCE`.

    The frames are matched by position and the result has ``a``'s index.

    Examples
    --------
    >>> x = ratio(pd.Series([1.0, 1.0, None]), pd.Series([1.0, 0.0, 1.0]))
    >>> y = ratio(pd.Series([2.0, -1.0, 1.0]), pd.Series([1.0, 1.0, 1.0]))
    >>> add(x, y)["status"].tolist()
    ['ok', 'negative', 'missing']
    """
    left, right = _operand(a), _operand(b)
    if len(left) != len(right):
        raise ValueError(f"metric frames of different lengths: {len(left)} and {len(right)}")
    with np.errstate(over="ignore", invalid="ignore"):
        value = left["value"].to_numpy() + right["value"].to_numpy()
    code = _worst(left["code"].to_numpy(), right["code"].to_numpy())
    return _finish(left.index, value, code)

