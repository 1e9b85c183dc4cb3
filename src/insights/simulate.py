"""Simulated creators and posts with a known engagement elasticity, to validate the claim tests.

The claim tests (:mod:`insights.claims`) estimate the elasticity ``b``, the key quantity of
``docs/design.md``. On real data the true ``b`` is unknown, so the tests' coverage,
false-verdict rates and sensitivity to selection can only be checked on data whose ``b`` is
known. This module draws such data, vectorised (no per-row Python loops) and reproducibly
(every random draw goes through an explicit ``rng: numpy.random.Generator``).

The model
---------
Creator ``i`` has a true follower count ``F_i``, log-uniform on
``[followers_low, followers_high]`` (rounded to a whole number), and a random effect
``u_i ~ N(0, creator_sd)``. Post ``j`` of creator ``i`` is ``age_ij`` days old, uniform on
``(0, age_days_max]``, and may use sound ``k`` with effect ``s_k ~ N(0, sound_sd)``. Its
expected engagement (likes + comments) is ``lambda_ij`` with

    log(lambda_ij) = intercept + b log(F_i) + u_i + s_k + age_elasticity log(1 + age_ij) + e_ij

where ``e_ij`` is post-level noise: normal with sd ``post_sd``, or Student-t with ``noise_df``
degrees of freedom scaled so that its sd is ``post_sd`` (heavy tails: the odd viral post). The
counts are Poisson: ``likes ~ Poisson(lambda / (1 + c))``, ``comments ~ Poisson(lambda c /
(1 + c))`` with ``c = comment_share`` comments per like, so zeros occur where ``lambda`` is
small, as they do on real platforms. ``lambda`` is capped at :data:`MAX_ENGAGEMENT` so that
extreme t draws give large but finite counts.

What a platform or a scraper records can differ from the truth: ``follower_error_sd`` puts a
multiplicative log-normal error (median 1) on the *recorded* follower count, and
``display_rounding`` rounds recorded counts as TikTok displays them (:func:`display_round`).
Both attenuate or distort the estimated ``b``; that is what they are for.

The selection rules (:func:`top_n_by_followers`, :func:`top_k_per_group`,
:func:`follower_floor`) reproduce how public data sets were sampled (the biggest accounts;
the top videos of each sound, i.e. selection on the outcome; a follower threshold), so the
bias each one causes can be measured against the known ``b``.

Tables are canonical (:func:`insights.schemas.conform`) with ``platform`` = :data:`PLATFORM`
and ``dataset`` = :data:`DATASET`; extras are ``true_followers`` (both tables), ``age_days``
and ``sound`` (posts).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as sps

from insights import calibration, stats
from insights.formatting import count_label
from insights.pricing import PriceModel, price, price_model
from insights.schemas import conform

__all__ = [
    "CampaignWorld",
    "DATASET",
    "MAX_ENGAGEMENT",
    "PLATFORM",
    "REFERENCE_TIME",
    "World",
    "display_round",
    "draw_noise",
    "follower_floor",
    "simulate_campaigns",
    "simulate_creators",
    "simulate_posts",
    "top_k_per_group",
    "top_share_per_group",
    "top_n_by_followers",
    "CalibratedWorld",
    "WorldSample",
    "ResampledWorld",
    "PRIMARY_FITS",
    "primary_fits",
    "replicate_primaries",
    "sample_table",
    "CalibratedInterval",
    "calibrated_interval",
    "nested_coverage",
    "fit_truth",
    "typical_fit",
    "creator_fit",
    "ShrinkageCoverage",
    "shrinkage_coverage",
]

PLATFORM = "other"
"""``platform`` of simulated rows (the canonical schema admits only real platform names)."""

DATASET = "simulated"
"""``dataset`` of simulated rows."""

REFERENCE_TIME = pd.Timestamp("2024-01-01", tz="UTC")
"""``collected_at`` of every simulated post; ``posted_at`` is this minus ``age_days``."""

MAX_ENGAGEMENT = 1e10
"""Cap on one post's expected engagement (above the world's population), so that heavy-tailed
noise gives finite Poisson counts."""

_DISPLAY_UNITS = (1e3, 1e6, 1e9)  # K, M, B


# --------------------------------------------------------------------------------------------
# the generating parameters


def _mean_log1p_uniform(high: float) -> float:
    """E[log(1 + A)] for A uniform on (0, high]."""
    return ((1.0 + high) * math.log1p(high) - high) / high


@dataclass(frozen=True)
class World:
    """The generating parameters of a simulated platform.

    Attributes
    ----------
    b : float, default 1.0
        Elasticity of engagements with respect to (true) followers; the rate per follower
        falls with size iff ``b < 1``.
    intercept : float, default -4.5
        Log expected engagement at 1 follower for a typical creator (``u = 0``), a typical
        sound, a brand-new post (age 0) and zero noise. With the other defaults the typical
        engagement rate at 10k followers is about 3.9% (:meth:`typical_rate`); use
        :meth:`calibrated` to pick the intercept from a target rate when changing ``b``.
    followers_low, followers_high : float, default 1e3, 1e7
        Range of the log-uniform true follower counts.
    creator_sd : float, default 0.8
        Sd of the creator random effect on log engagement.
    post_sd : float, default 1.0
        Sd of the post-level noise on log engagement.
    noise_df : float or None, default 3
        Student-t degrees of freedom of the post noise (heavy tails); ``None`` for normal
        noise. For ``noise_df > 2`` the t is scaled so that its sd is ``post_sd``; for
        ``noise_df <= 2`` (infinite variance) ``post_sd`` is the scale of the t.
    sound_sd : float, default 0.5
        Sd of the per-sound effect on log engagement (when posts are given sounds).
    comment_share : float, default 0.01
        Expected comments per like.
    age_days_max : float, default 180
        Post ages are uniform on ``(0, age_days_max]`` days.
    age_elasticity : float, default 0.3
        Expected engagement grows as ``(1 + age_days) ** age_elasticity``.
    follower_error_sd : float, default 0
        Sd of the log-normal (median 1) error on the *recorded* follower count.
    display_rounding : bool, default False
        Record counts >= 1000 rounded as TikTok displays them (:func:`display_round`).

    Examples
    --------
    >>> world = World()
    >>> round(world.typical_rate(10_000), 3)
    0.039
    >>> world.replace(b=0.8).b
    0.8
    >>> World(followers_low=1e5, followers_high=1e4)
    Traceback (most recent call last):
    ...
    ValueError: followers_low (100000) must be below followers_high (10000)
    """

    b: float = 1.0
    intercept: float = -4.5
    followers_low: float = 1e3
    followers_high: float = 1e7
    creator_sd: float = 0.8
    post_sd: float = 1.0
    noise_df: float | None = 3
    sound_sd: float = 0.5
    comment_share: float = 0.01
    age_days_max: float = 180.0
    age_elasticity: float = 0.3
    follower_error_sd: float = 0.0
    display_rounding: bool = False

    def __post_init__(self) -> None:
        for name in ("b", "intercept", "followers_low", "followers_high", "creator_sd",
                     "post_sd", "sound_sd", "comment_share", "age_days_max", "age_elasticity",
                     "follower_error_sd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real):
                raise TypeError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value!r}")
        if self.followers_low < 1:
            raise ValueError(f"followers_low must be >= 1, got {self.followers_low:g}")
        if self.followers_low >= self.followers_high:
            raise ValueError(
                f"followers_low ({self.followers_low:g}) must be below followers_high "
                f"({self.followers_high:g})"
            )
        for name in ("creator_sd", "post_sd", "sound_sd", "comment_share",
                     "follower_error_sd"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name):g}")
        if self.age_days_max <= 0:
            raise ValueError(f"age_days_max must be > 0, got {self.age_days_max:g}")
        if self.noise_df is not None:
            if isinstance(self.noise_df, bool) or not isinstance(self.noise_df, Real):
                raise TypeError(f"noise_df must be a number or None, got {self.noise_df!r}")
            if not self.noise_df > 0:
                raise ValueError(f"noise_df must be > 0 (or None for normal noise), got "
                                 f"{self.noise_df!r}")
        if not isinstance(self.display_rounding, bool | np.bool_):
            raise TypeError(f"display_rounding must be True or False, got "
                            f"{self.display_rounding!r}")

    @classmethod
    def calibrated(cls, *, rate: float = 0.04, at: float = 1e4, **fields) -> World:
        """A World whose intercept gives typical engagement rate ``rate`` at ``at`` followers.

        Keeps engagement realistic at ``at`` followers whatever ``b`` is (with a fixed
        intercept, a small ``b`` means very few engagements everywhere).

        Examples
        --------
        >>> world = World.calibrated(b=0.7, rate=0.05, at=1e4)
        >>> round(world.typical_rate(1e4), 6), round(world.typical_rate(1e6), 4)
        (0.05, 0.0126)
        """
        if "intercept" in fields:
            raise TypeError("calibrated() sets the intercept; pass rate= and at= instead")
        if not (0 < rate and math.isfinite(rate) and 0 < at and math.isfinite(at)):
            raise ValueError(f"rate and at must be positive and finite, got {rate!r}, {at!r}")
        world = cls(**fields)
        shift = math.log(rate) - math.log(world.typical_rate(at))
        return world.replace(intercept=world.intercept + shift)

    def replace(self, **changes) -> World:
        """A copy with some parameters changed (:func:`dataclasses.replace`).

        Examples
        --------
        >>> World().replace(b=1.2, noise_df=None).noise_df is None
        True
        """
        return dataclasses.replace(self, **changes)

    def typical_rate(self, followers: float | np.ndarray) -> float | np.ndarray:
        """Typical engagements per follower per post at ``followers`` (true) followers.

        "Typical" is the geometric mean over posts of a creator with ``u = 0`` (the median
        creator): ``exp(E[log engagement]) / followers``, averaging the age term over the age
        distribution. The arithmetic mean is larger (and infinite under t noise).

        Examples
        --------
        >>> world = World(b=0.9)
        >>> ratio = world.typical_rate(1e5) / world.typical_rate(1e4)
        >>> round(float(ratio), 4) == round(10 ** -0.1, 4)
        True
        """
        log_f = np.log(np.asarray(followers, dtype=float))
        out = np.exp(self._log_typical_at_one() + (self.b - 1.0) * log_f)
        return float(out) if out.ndim == 0 else out

    def _log_typical_at_one(self) -> float:
        return self.intercept + self.age_elasticity * _mean_log1p_uniform(self.age_days_max)

    def describe(self) -> str:
        """One line of the parameters, e.g. for a figure or notebook title.

        Examples
        --------
        >>> World().describe()
        'b=1, intercept=-4.5, followers 1k to 10M (log-uniform), creator sd 0.8, post sd 1 (t, df 3), sound sd 0.5, comments/like 0.01, age <= 180 d (elasticity 0.3), follower error sd 0, display rounding off'
        """  # noqa: E501
        noise = "normal" if self.noise_df is None else f"t, df {self.noise_df:g}"
        return (
            f"b={self.b:g}, intercept={self.intercept:.4g}, followers "
            f"{count_label(self.followers_low)} to {count_label(self.followers_high)} "
            "(log-uniform), "
            f"creator sd {self.creator_sd:g}, post sd {self.post_sd:g} ({noise}), "
            f"sound sd {self.sound_sd:g}, comments/like {self.comment_share:g}, "
            f"age <= {self.age_days_max:g} d (elasticity {self.age_elasticity:g}), "
            f"follower error sd {self.follower_error_sd:g}, "
            f"display rounding {'on' if self.display_rounding else 'off'}"
        )


# --------------------------------------------------------------------------------------------
# input checks


def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(seed); "
            f"got {type(rng).__name__}"
        )
    return rng


def _check_world(world: object) -> World:
    if not isinstance(world, World):
        raise TypeError(f"world must be a World, got {type(world).__name__}")
    return world


def _check_count(value: object, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _posts_counts(
    posts_per_creator: int | tuple[int, int], n: int, rng: np.random.Generator
) -> np.ndarray:
    if isinstance(posts_per_creator, tuple | list):
        if len(posts_per_creator) != 2:
            raise ValueError(
                "posts_per_creator must be an int or a (low, high) pair, got "
                f"{posts_per_creator!r}"
            )
        low = _check_count(posts_per_creator[0], "posts_per_creator low")
        high = _check_count(posts_per_creator[1], "posts_per_creator high")
        if low > high:
            raise ValueError(f"posts_per_creator low ({low}) must be <= high ({high})")
        return rng.integers(low, high, size=n, endpoint=True)
    return np.full(n, _check_count(posts_per_creator, "posts_per_creator"), dtype=np.int64)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    digits = np.strings.zfill(np.asarray(numbers).astype(np.str_), width)
    return np.strings.add(prefix, digits)


# --------------------------------------------------------------------------------------------
# pure helpers


def display_round(values) -> np.ndarray:
    """Round counts as TikTok displays them: one decimal of K, M or B units.

    Values below 1000 are returned unchanged; from 1000 the value is rounded to the nearest
    100 (``87.2K``), from one million to the nearest 100,000 (``4.3M``), from one billion to
    the nearest 100 million (``1.3B``). Halves round up (away from zero: 87,250 → 87,300).
    NaN stays NaN; the sign of a negative value is kept. The result is within 0.05 of the
    unit of the input and rounding twice changes nothing.

    Parameters
    ----------
    values : array-like of float

    Returns
    -------
    numpy.ndarray of float
        Same shape as ``values``.

    Examples
    --------
    >>> display_round([999, 1000, 87_249, 87_250, 4_251_000, 1.26e9, np.nan]).tolist()
    [999.0, 1000.0, 87200.0, 87300.0, 4300000.0, 1300000000.0, nan]
    """
    arr = np.asarray(values, dtype=float)
    magnitude = np.abs(arr)
    step = np.full(arr.shape, np.nan)
    for unit in _DISPLAY_UNITS:
        step = np.where(magnitude >= unit, unit / 10.0, step)
    with np.errstate(invalid="ignore"):
        rounded = np.sign(arr) * np.floor(magnitude / step + 0.5) * step
    return np.where(np.isnan(step), arr, rounded)


def draw_noise(world: World, size: int, *, rng: np.random.Generator) -> np.ndarray:
    """Post-level noise on log engagement: normal, or Student-t scaled to sd ``post_sd``.

    Examples
    --------
    >>> e = draw_noise(World(noise_df=5, post_sd=0.5), 200_000, rng=np.random.default_rng(1))
    >>> round(float(e.std()), 2)
    0.5
    """
    _check_world(world)
    _check_rng(rng)
    size = _check_count(size, "size", minimum=0)
    if world.noise_df is None:
        return rng.normal(0.0, world.post_sd, size)
    df = float(world.noise_df)
    scale = world.post_sd * math.sqrt((df - 2.0) / df) if df > 2 else world.post_sd
    return scale * rng.standard_t(df, size)


# --------------------------------------------------------------------------------------------
# simulation


class _Creators(NamedTuple):
    true_followers: np.ndarray
    followers: np.ndarray  # recorded: error, then display rounding
    effect: np.ndarray
    posts: np.ndarray


def _draw_creators(
    world: World, n: int, posts_per_creator: int | tuple[int, int], rng: np.random.Generator
) -> _Creators:
    """The creator-level draws, in a fixed order shared by both simulators."""
    log_f = rng.uniform(math.log(world.followers_low), math.log(world.followers_high), n)
    true_followers = np.round(np.exp(log_f))
    error = rng.normal(0.0, world.follower_error_sd, n)  # drawn even at sd 0: same stream
    effect = rng.normal(0.0, world.creator_sd, n)
    posts = _posts_counts(posts_per_creator, n, rng)
    followers = np.round(true_followers * np.exp(error))
    if world.display_rounding:
        followers = display_round(followers)
    return _Creators(true_followers, followers, effect, posts)


def _comment_fraction(world: World) -> float:
    return world.comment_share / (1.0 + world.comment_share)


def _record(world: World, counts: np.ndarray) -> np.ndarray:
    return display_round(counts) if world.display_rounding else counts


def simulate_creators(
    world: World,
    n: int,
    *,
    rng: np.random.Generator,
    posts_per_creator: int | tuple[int, int] = 30,
) -> pd.DataFrame:
    """A canonical creators table drawn from ``world``.

    ``avg_likes`` and ``avg_comments`` are the creator's *typical* engagement per post
    (including its random effect): ``exp(E[log engagement])`` over post noise, sounds and
    ages, split into likes and comments by ``comment_share``. They are expectations, not
    averages of drawn posts, so ``log(avg_likes + avg_comments)`` on ``log(true_followers)``
    has slope exactly ``b`` and residual sd ``creator_sd``. They are rounded only when
    ``display_rounding`` is on.

    Parameters
    ----------
    world : World
    n : int
        Creators, >= 1.
    rng : numpy.random.Generator
    posts_per_creator : int or (int, int), default 30
        The ``posts`` column: a fixed count, or uniform on ``[low, high]`` per creator.

    Returns
    -------
    DataFrame
        Canonical creators columns (``platform`` = :data:`PLATFORM`, ``creator`` =
        ``"c00001"``…, ``followers`` as recorded, ``snapshot`` = the reference date,
        ``dataset`` = :data:`DATASET`) plus ``true_followers``. With the same seed and
        ``posts_per_creator``, :func:`simulate_posts` draws the same creators.

    Examples
    --------
    >>> creators = simulate_creators(World(), 3, rng=np.random.default_rng(0))
    >>> creators[["creator", "posts", "dataset"]]
      creator  posts    dataset
    0  c00001   30.0  simulated
    1  c00002   30.0  simulated
    2  c00003   30.0  simulated
    >>> bool((creators["followers"] == creators["true_followers"]).all())
    True
    """
    world = _check_world(world)
    n = _check_count(n, "n")
    rng = _check_rng(rng)
    draws = _draw_creators(world, n, posts_per_creator, rng)
    log_typical = (world._log_typical_at_one() + world.b * np.log(draws.true_followers)
                   + draws.effect)
    typical = np.exp(np.minimum(log_typical, math.log(MAX_ENGAGEMENT)))
    share = _comment_fraction(world)
    table = pd.DataFrame(
        {
            "platform": PLATFORM,
            "creator": _ids("c", np.arange(1, n + 1), max(5, len(str(n)))),
            "followers": draws.followers,
            "posts": draws.posts.astype(float),
            "avg_likes": _record(world, typical * (1.0 - share)),
            "avg_comments": _record(world, typical * share),
            "snapshot": REFERENCE_TIME.strftime("%Y-%m-%d"),
            "dataset": DATASET,
            "true_followers": draws.true_followers,
        }
    )
    return conform(table, "creators")


def simulate_posts(
    world: World,
    n_creators: int,
    posts_per_creator: int | tuple[int, int],
    *,
    rng: np.random.Generator,
    n_sounds: int | None = None,
) -> pd.DataFrame:
    """A canonical posts table drawn from ``world`` (see the module docstring for the model).

    Parameters
    ----------
    world : World
    n_creators : int
        Creators, >= 1.
    posts_per_creator : int or (int, int)
        Posts per creator: a fixed count, or uniform on ``[low, high]`` (both included) drawn
        per creator.
    rng : numpy.random.Generator
    n_sounds : int, optional
        If given, each post gets one of ``n_sounds`` sounds (``"s001"``…) at random, and each
        sound shifts log engagement by its own ``N(0, world.sound_sd)`` effect. Otherwise
        ``sound`` is missing and there is no sound effect.

    Returns
    -------
    DataFrame
        Canonical posts columns (``likes`` and ``comments`` are whole counts >= 0, display-
        rounded if the world says so; ``shares`` and ``views`` missing; ``followers`` as
        recorded; ``collected_at`` = :data:`REFERENCE_TIME`, ``posted_at`` that minus the
        age) plus ``true_followers``, ``age_days`` and ``sound``. Rows are ordered by
        creator, then post.

    Examples
    --------
    >>> posts = simulate_posts(World(), 4, (1, 3), rng=np.random.default_rng(0), n_sounds=2)
    >>> len(posts), posts["creator"].nunique(), sorted(posts["sound"].unique())
    (8, 4, ['s001', 's002'])
    >>> age = (posts["collected_at"] - posts["posted_at"]) / pd.Timedelta(days=1)
    >>> bool(np.allclose(age, posts["age_days"], rtol=0, atol=1e-10))
    True
    """
    world = _check_world(world)
    n = _check_count(n_creators, "n_creators")
    rng = _check_rng(rng)
    if n_sounds is not None:
        n_sounds = _check_count(n_sounds, "n_sounds")
    draws = _draw_creators(world, n, posts_per_creator, rng)
    owner = np.repeat(np.arange(n), draws.posts)
    total = owner.size
    age = world.age_days_max - rng.uniform(0.0, world.age_days_max, total)  # (0, max]
    log_lambda = (
        world.intercept
        + world.b * np.log(draws.true_followers)[owner]
        + draws.effect[owner]
        + world.age_elasticity * np.log1p(age)
        + draw_noise(world, total, rng=rng)
    )
    if n_sounds is not None:
        sound_effect = rng.normal(0.0, world.sound_sd, n_sounds)
        sound_index = rng.integers(0, n_sounds, total)
        log_lambda += sound_effect[sound_index]
        sound = _ids("s", sound_index + 1, max(3, len(str(n_sounds)))).astype(object)
    else:
        sound = np.full(total, None, dtype=object)
    lam = np.exp(np.minimum(log_lambda, math.log(MAX_ENGAGEMENT)))
    share = _comment_fraction(world)
    likes = rng.poisson(lam * (1.0 - share)).astype(float)
    comments = rng.poisson(lam * share).astype(float)
    table = pd.DataFrame(
        {
            "platform": PLATFORM,
            "creator": _ids("c", owner + 1, max(5, len(str(n)))),
            "post_id": _ids("p", np.arange(1, total + 1), max(7, len(str(total)))),
            "posted_at": REFERENCE_TIME - pd.to_timedelta(age, unit="D"),
            "likes": _record(world, likes),
            "comments": _record(world, comments),
            "followers": draws.followers[owner],
            "collected_at": REFERENCE_TIME,
            "dataset": DATASET,
            "true_followers": draws.true_followers[owner],
            "age_days": age,
            "sound": sound,
        }
    )
    return conform(table, "posts")


# --------------------------------------------------------------------------------------------
# selection rules


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"columns {missing} not in the table; columns are {list(frame.columns)}")


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def top_n_by_followers(creators: pd.DataFrame, n: int, *, by: str = "followers") -> pd.DataFrame:
    """Keep the ``n`` rows with the most followers, like a "top creators" list.

    Rows without a follower count are never kept; ties at the cut are broken by row order.
    The kept rows stay in their original order.

    Examples
    --------
    >>> table = pd.DataFrame({"creator": list("abcd"), "followers": [5.0, 50.0, np.nan, 20.0]})
    >>> top_n_by_followers(table, 2)
      creator  followers
    0       b       50.0
    1       d       20.0
    """
    n = _check_count(n, "n")
    _require(creators, [by])
    values = _values(creators, by)
    order = np.argsort(np.where(np.isnan(values), np.inf, -values), kind="stable")
    order = order[: min(n, int(np.isfinite(values).sum()))]
    keep = np.zeros(len(creators), dtype=bool)
    keep[order] = True
    return creators.loc[keep].reset_index(drop=True)


def top_k_per_group(
    posts: pd.DataFrame,
    k: int,
    *,
    group: str = "sound",
    by: str | Sequence[str] = ("likes", "comments"),
) -> pd.DataFrame:
    """Keep the ``k`` most engaged posts of each group: selection on the outcome.

    This is how the TikTok ``by_sound`` files were sampled (the top-ranked videos of each
    sound). Engagement is the sum of the ``by`` columns (a missing component counts as 0;
    rows with all of them missing are never kept); rows without a group are dropped; ties are
    broken by row order. The kept rows stay in their original order.

    Examples
    --------
    >>> posts = pd.DataFrame({"sound": ["x", "x", "x", "y", None],
    ...                       "likes": [1.0, 9.0, 5.0, 2.0, 99.0], "comments": [0.0] * 5})
    >>> top_k_per_group(posts, 2)
      sound  likes  comments
    0     x    9.0       0.0
    1     x    5.0       0.0
    2     y    2.0       0.0
    """
    k = _check_count(k, "k")
    rank, _ = _ranks_in_group(posts, group, by)
    keep = (rank <= k).to_numpy(dtype=bool, na_value=False)
    return posts.loc[keep].reset_index(drop=True)


def _ranks_in_group(posts: pd.DataFrame, group: str,
                    by: str | Sequence[str]) -> tuple[pd.Series, pd.Series]:
    """Each post's engagement rank within its group (1 = most engaged, ties by row order) and
    the number of ranked posts in the group. Engagement is the sum of the ``by`` columns (a
    missing component counts as 0; rows with all of them missing, or without a group, get no
    rank)."""
    columns = [by] if isinstance(by, str) else list(by)
    if not columns:
        raise ValueError("by must name at least one engagement column")
    _require(posts, [group, *columns])
    parts = np.column_stack([_values(posts, c) for c in columns])
    known = ~np.isnan(parts).all(axis=1)
    score = pd.Series(np.where(known, np.nansum(parts, axis=1), np.nan), index=posts.index)
    groups = score.groupby(posts[group], dropna=True, sort=False)
    return groups.rank(method="first", ascending=False), groups.transform("count")


def top_share_per_group(
    posts: pd.DataFrame,
    share: float,
    *,
    group: str = "sound",
    by: str | Sequence[str] = ("likes", "comments"),
) -> pd.DataFrame:
    """Keep the most engaged ``share`` of each group's posts (at least one per group): the
    selection of :func:`top_k_per_group` with ``k`` proportional to the group's size.

    Examples
    --------
    >>> posts = pd.DataFrame({"sound": ["x"] * 4 + ["y"] * 2,
    ...                       "likes": [1.0, 9.0, 5.0, 7.0, 2.0, 3.0], "comments": 0.0})
    >>> top_share_per_group(posts, 0.5)["likes"].tolist()
    [9.0, 7.0, 3.0]
    """
    if not (isinstance(share, Real) and 0 < share <= 1):
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    rank, size = _ranks_in_group(posts, group, by)
    keep = (rank <= np.maximum(np.ceil(share * size), 1)).to_numpy(dtype=bool, na_value=False)
    return posts.loc[keep].reset_index(drop=True)


def follower_floor(frame: pd.DataFrame, floor: float, *, by: str = "followers") -> pd.DataFrame:
    """Keep the rows with at least ``floor`` followers (rows without a count are dropped).

    Examples
    --------
    >>> table = pd.DataFrame({"creator": list("abc"), "followers": [999.0, 1000.0, np.nan]})
    >>> follower_floor(table, 1000)
      creator  followers
    0       b     1000.0
    """
    if isinstance(floor, bool) or not isinstance(floor, Real) or not math.isfinite(floor):
        raise ValueError(f"floor must be a finite number, got {floor!r}")
    _require(frame, [by])
    values = _values(frame, by)
    with np.errstate(invalid="ignore"):
        keep = values >= floor
    return frame.loc[keep].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# campaign tables (only to demonstrate the campaign-ROI workflow)


@dataclass(frozen=True)
class CampaignWorld:
    """Generating parameters of a simulated campaigns table (``docs/design.md``, campaigns).

    Creator ``i`` has ``F_i`` followers, log-uniform on ``[followers_low, followers_high]``.
    Per paid post:

    * engagements ``~ Poisson(engagement_at_10k * (F / 1e4) ** b * LN(0, engagement_sd))``;
    * impressions ``= round(reach_rate * F * LN(0, 0.3))``;
    * fee ``= price(F, pricing) * LN(0, fee_sd)`` (negotiation around the price model);
    * clicks ``~ Poisson(click_rate * engagements)``, conversions ``~ Binomial(clicks,
      conversion_rate)``, revenue ``~ Gamma(conversions, order_value)`` (a sum of
      exponential order values; 0 without conversions).

    Everything about revenue here is invented for the demonstration; only the workflow is
    real. Tables and figures made from it must say "simulated" and print :meth:`describe`.
    """

    b: float = 0.95
    engagement_at_10k: float = 400.0
    engagement_sd: float = 0.8
    followers_low: float = 1e3
    followers_high: float = 1e7
    reach_rate: float = 0.3
    pricing: str | PriceModel = "rate-card"
    fee_sd: float = 0.4
    click_rate: float = 0.05
    conversion_rate: float = 0.05
    order_value: float = 120.0
    currency: str = "USD"
    n_campaigns: int = 4

    def __post_init__(self) -> None:
        checks = {
            "b": math.isfinite(self.b),
            "engagement_at_10k": math.isfinite(self.engagement_at_10k)
            and self.engagement_at_10k > 0,
            "engagement_sd": self.engagement_sd >= 0,
            "followers_low": 0 < self.followers_low < self.followers_high,
            "followers_high": math.isfinite(self.followers_high),
            "reach_rate": self.reach_rate > 0,
            "fee_sd": self.fee_sd >= 0,
            "click_rate": self.click_rate >= 0,
            "conversion_rate": 0 <= self.conversion_rate <= 1,
            "order_value": math.isfinite(self.order_value) and self.order_value > 0,
            "n_campaigns": isinstance(self.n_campaigns, Integral)
            and not isinstance(self.n_campaigns, bool) and self.n_campaigns >= 1,
            "currency": isinstance(self.currency, str)
            and len(self.currency) == 3 and self.currency.isalpha() and self.currency.isupper(),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"CampaignWorld: invalid {bad}: {self}")
        model = price_model(self.pricing)  # unknown names fail here
        if model.currency != self.currency:
            raise ValueError(f"CampaignWorld: pricing model {model.name!r} is in "
                             f"{model.currency}, the world in {self.currency}")

    def describe(self) -> str:
        """The parameters in one line, for titles and printed headers.

        Examples
        --------
        >>> CampaignWorld().describe()  # doctest: +ELLIPSIS
        'simulated campaigns: b=0.95, 400 engagements per post at 10k followers (sd 0.8), ...'
        """
        return (
            f"simulated campaigns: b={self.b:g}, {self.engagement_at_10k:g} engagements per "
            f"post at 10k followers (sd {self.engagement_sd:g}), followers "
            f"{count_label(self.followers_low)} to {count_label(self.followers_high)}, fees "
            f"{price_model(self.pricing).name} x LN(0, {self.fee_sd:g}), clicks "
            f"{self.click_rate:g}/engagement, "
            f"conversion {self.conversion_rate:g}/click, order value {self.order_value:g} "
            f"{self.currency}, {self.n_campaigns} campaigns"
        )


def simulate_campaigns(
    world: CampaignWorld, n_creators: int, *, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw a campaigns table: one paid post per creator, spread over ``world.n_campaigns``.

    Returns
    -------
    DataFrame
        Canonical campaigns table (:func:`insights.costs.campaign_table`) with ``platform`` =
        :data:`PLATFORM` and an extra ``dataset`` = :data:`DATASET` column.

    Examples
    --------
    >>> table = simulate_campaigns(CampaignWorld(), 50, rng=np.random.default_rng(0))
    >>> len(table), table["currency"].unique().tolist(), table["dataset"].iloc[0]
    (50, ['USD'], 'simulated')
    """
    if not isinstance(world, CampaignWorld):
        raise TypeError(f"world must be a CampaignWorld, got {type(world).__name__}")
    n = _check_count(n_creators, "n_creators")
    rng = _check_rng(rng)
    log_low, log_high = np.log(world.followers_low), np.log(world.followers_high)
    followers = np.round(np.exp(rng.uniform(log_low, log_high, n)))
    expected = (world.engagement_at_10k * (followers / 1e4) ** world.b
                * np.exp(rng.normal(0.0, world.engagement_sd, n)))
    engagements = rng.poisson(np.minimum(expected, MAX_ENGAGEMENT)).astype(float)
    impressions = np.round(world.reach_rate * followers * np.exp(rng.normal(0.0, 0.3, n)))
    fee = price(followers, world.pricing).to_numpy() * np.exp(
        rng.normal(0.0, world.fee_sd, n)
    )
    clicks = rng.poisson(world.click_rate * engagements).astype(float)
    conversions = rng.binomial(clicks.astype(np.int64), world.conversion_rate).astype(float)
    revenue = np.where(
        conversions > 0, rng.gamma(np.maximum(conversions, 1.0), world.order_value), 0.0
    )
    width = len(str(n))
    table = pd.DataFrame({
        "campaign": np.strings.add("campaign-",
                                   (np.arange(n) % world.n_campaigns + 1).astype(np.str_)),
        "creator": _ids("creator", np.arange(n), width),
        "platform": PLATFORM,
        "followers": followers,
        "fee": np.round(fee, 2),
        "impressions": impressions,
        "engagements": engagements,
        "clicks": clicks,
        "conversions": conversions,
        "revenue": np.round(revenue, 2),
        "currency": world.currency,
        "dataset": DATASET,
    })
    return conform(table, "campaigns")


# --------------------------------------------------------------------------------------------
# a world calibrated to a real posts table


def _logistic(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _lstsq(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _by_tenths(z: np.ndarray, values: np.ndarray, weights: np.ndarray | None = None,
               floor: float = 1e-4) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Mean of ``values`` per tenth of ``z`` (floored), as (knots, means) for interpolation."""
    tenth = np.clip((pd.Series(z).rank(pct=True, method="first").to_numpy() * 10).astype(int),
                    0, 9)
    w = np.ones_like(z) if weights is None else weights
    frame = pd.DataFrame({"t": tenth, "zw": z * w, "vw": values * w, "w": w}).groupby("t").sum()
    knots = frame["zw"] / frame["w"]
    means = np.maximum(frame["vw"] / frame["w"], floor)
    return tuple(float(k) for k in knots), tuple(float(m) for m in means)


class WorldSample(NamedTuple):
    """One sample of a :class:`CalibratedWorld` as arrays, one entry per post."""

    owner: np.ndarray  #: creator index, 0 .. n_creators - 1
    followers: np.ndarray
    age_days: np.ndarray
    engagement: np.ndarray
    n_creators: int


@dataclass(frozen=True)
class CalibratedWorld:
    """A generating model fitted to a real posts table (:meth:`calibrated_to`).

    The *design* is the real one: a simulated sample resamples the table's creators with
    replacement, each with its real follower count, number of posts and post ages, so the
    follower distribution, posts per creator and age composition are those of the sample.
    Only engagement is drawn:

        log(lambda_ij) = intercept + b z_i + curvature z_i^2 + age_elasticity log(1 + age_ij)
                         + u_i + e_ij,      z_i = log(F_i) - centre,
        u_i ~ N(0, var_u(z_i)),   e_ij ~ N(0, var_e(z_i)),
        engagement_ij ~ Poisson(lambda_ij), or 0 with probability
        logistic(zero_logit[0] + zero_logit[1] z_i) (structural zeros).

    ``var_u`` and ``var_e`` are the variances measured in each tenth of the sample's follower
    range, interpolated linearly in ``z`` and held constant beyond it, so the spread of
    engagement changes with size as it does in the data and every moment is finite. Both
    estimands therefore exist and differ as on real data: :attr:`b` (with the curvature) is
    the typical post's, :meth:`expected_elasticity` the mean's. ``creator_selection`` keeps a
    creator with probability ``logistic(creator_selection * u_i / sd_u(z_i))`` (0: no
    selection), a selection on success like TikTok's suggested accounts.
    """

    design: pd.DataFrame
    intercept: float
    b: float
    curvature: float
    age_elasticity: float
    creator_variance: tuple[tuple[float, ...], tuple[float, ...]]
    post_variance: tuple[tuple[float, ...], tuple[float, ...]]
    zero_logit: tuple[float, float] | None
    centre: float
    creator_selection: float = 0.0
    source: str = ""

    @classmethod
    def calibrated_to(cls, posts: pd.DataFrame, *, engagement: str = "engagement",
                      curvature: bool = True, zeros: bool = True, match: bool = True,
                      source: str | None = None) -> CalibratedWorld:
        """Fit a world to a posts table with ``creator``, ``followers``, ``age_days`` and an
        engagement count column; :meth:`describe` says what was fitted.

        1. The median: OLS of log engagement, on the posts with engagement, on ``z``, ``z^2``
           (``curvature=True``) and ``log(1 + age)``.
        2. The post noise's variance per tenth of ``z``: the within-creator residual variance
           (creators with two posts or more).
        3. The creator effect's variance per tenth of creator ``z``: the variance of creator
           mean residuals less what the post noise explains.
        4. Structural zeros (``zeros=True``): a logistic regression of "no engagement" on
           ``z``, whose intercept is then moved so that, with the Poisson zeros the model
           adds, the overall zero share is the table's.
        5. (``match=True``) ``b`` corrected by simulation (one fixed seed, four times the
           design's creators) so that the world reproduces the table's typical-post estimate
           (log-OLS with ``log(1 + age)`` on the posts with engagement): zeros and the
           discreteness of small counts distort the direct fit of step 1.

        Rows without a positive follower count, a non-negative age or a non-negative
        engagement are left out.
        """
        required = ["creator", "followers", "age_days", engagement]
        missing = [c for c in required if c not in posts.columns]
        if missing:
            raise KeyError(f"calibrated_to needs columns {missing}; columns are "
                           f"{list(posts.columns)}")
        followers = pd.to_numeric(posts["followers"], errors="coerce").to_numpy(dtype=float)
        age = pd.to_numeric(posts["age_days"], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(posts[engagement], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            keep = (followers > 0) & (age >= 0) & (y >= 0) & posts["creator"].notna().to_numpy()
        if keep.sum() < 50:
            raise ValueError(f"calibrated_to needs at least 50 usable posts, got {keep.sum()}")
        creator = posts["creator"].to_numpy()[keep]
        followers, age, y = followers[keep], age[keep], y[keep]
        centre = float(np.mean(np.log(pd.Series(followers).groupby(creator).first())))
        z = np.log(followers) - centre
        positive = y > 0
        zp = z[positive]
        columns = [np.ones(zp.size), zp, *([zp**2] if curvature else []), np.log1p(age[positive])]
        X = np.column_stack(columns)
        coef = _lstsq(X, np.log(y[positive]))
        residual = np.log(y[positive]) - X @ coef
        codes, _ = pd.factorize(creator[positive])
        counts = np.bincount(codes)
        means = np.bincount(codes, residual) / counts
        within = residual - means[codes]
        many = counts[codes] > 1
        scaled = within[many] ** 2 * counts[codes][many] / (counts[codes][many] - 1)
        post_variance = _by_tenths(zp[many], scaled)
        world = cls(
            design=pd.DataFrame({"creator": creator, "followers": followers, "age_days": age}),
            intercept=float(coef[0]), b=float(coef[1]),
            curvature=float(coef[2]) if curvature else 0.0, age_elasticity=float(coef[-1]),
            creator_variance=((0.0,), (1e-4,)), post_variance=post_variance, zero_logit=None,
            centre=centre, source=source if source is not None else (
                str(posts["dataset"].iloc[0]) if "dataset" in posts.columns else ""),
        )
        creator_z = np.bincount(codes, zp) / counts
        post_part = np.bincount(codes, world._variance(world.post_variance, zp)) / counts**2
        world = world.replace(creator_variance=_by_tenths(creator_z, means**2 - post_part))
        if zeros and (~positive).any():
            d = _logistic_fit(z, ~positive)
            target = float(np.mean(~positive))
            low, high = d[0] - 15.0, d[0]
            poisson_zero = world._poisson_zero()  # the same for every intercept tried
            for _ in range(40):  # bisection on the intercept: the overall zero share
                mid = 0.5 * (low + high)
                share = world.replace(zero_logit=(mid, d[1]))._zero_share(poisson_zero)
                low, high = (mid, high) if share < target else (low, mid)
            world = world.replace(zero_logit=(0.5 * (low + high), float(d[1])))
        if match:
            real = pd.DataFrame({"creator": creator, "followers": followers, "age_days": age,
                                 "engagement": y})
            world = world._matched(_primary_estimates(real, expected=False)[0])
        return world

    def _matched(self, target: float, *, steps: int = 6, scale: int = 4,
                 seed: int = 20261202) -> CalibratedWorld:
        """Newton steps on ``b`` (finite-difference slope, common random numbers) until a
        sample of ``scale`` times the design's creators reproduces the typical estimate."""
        n = scale * self.design["creator"].nunique()

        def typical(b: float) -> float:  # the draws of simulate(), without building ids
            sample = self.replace(b=b).draw(rng=np.random.default_rng(seed), n_creators=n)
            return _primary_estimates(sample_table(sample), expected=False)[0]

        b, current = self.b, typical(self.b)
        for _ in range(steps):
            if abs(target - current) < 0.001:
                break
            slope = (typical(b + 0.05) - current) / 0.05
            step = (target - current) / max(slope, 0.1)
            b += float(np.clip(step, -0.5, 0.5))
            current = typical(b)
        return self.replace(b=b)

    @cached_property
    def _design_index(self) -> calibration.UnitIndex:
        """Where each design creator's posts are (computed once per world, not per draw)."""
        return calibration.unit_index(pd.factorize(self.design["creator"])[0])

    def replace(self, **changes) -> CalibratedWorld:
        """A copy with some parameters changed."""
        return dataclasses.replace(self, **changes)

    @staticmethod
    def _variance(curve: tuple[tuple[float, ...], tuple[float, ...]], z: np.ndarray) -> np.ndarray:
        return np.interp(z, curve[0], curve[1])

    def _log_median(self, z: np.ndarray, age: np.ndarray) -> np.ndarray:
        return (self.intercept + self.b * z + self.curvature * z**2
                + self.age_elasticity * np.log1p(age))

    def _zero_probability(self, z: np.ndarray) -> np.ndarray:
        if self.zero_logit is None:
            return np.zeros_like(z)
        return _logistic(self.zero_logit[0] + self.zero_logit[1] * z)

    def _total_variance(self, z: np.ndarray) -> np.ndarray:
        return self._variance(self.creator_variance, z) + self._variance(self.post_variance, z)

    def _poisson_zero(self) -> tuple[np.ndarray, np.ndarray]:
        """``(z, P(Poisson count = 0))`` per design post (Gauss-Hermite over the log-normal
        intensity); it does not depend on the structural zeros."""
        z = np.log(self.design["followers"].to_numpy()) - self.centre
        age = self.design["age_days"].to_numpy()
        nodes, weights = np.polynomial.hermite_e.hermegauss(24)
        sd = np.sqrt(self._total_variance(z))
        log_lam = self._log_median(z, age)[:, None] + sd[:, None] * nodes[None, :]
        return z, (np.exp(-np.exp(np.minimum(log_lam, 50.0))) @ weights) / weights.sum()

    def _zero_share(self, poisson_zero: tuple[np.ndarray, np.ndarray] | None = None) -> float:
        """Expected share of zero-engagement posts over the design; ``poisson_zero`` is
        :meth:`_poisson_zero` when already computed (a search over the structural zeros)."""
        z, poisson = self._poisson_zero() if poisson_zero is None else poisson_zero
        p0 = self._zero_probability(z)
        return float(np.mean(p0 + (1 - p0) * poisson))

    def mean(self, followers, age_days) -> np.ndarray:
        """Expected engagement per post (over creators and post noise, zeros included) at the
        given followers and ages: what the expected estimand is about."""
        z = np.log(np.asarray(followers, dtype=float)) - self.centre
        age = np.asarray(age_days, dtype=float)
        return ((1 - self._zero_probability(z))
                * np.exp(self._log_median(z, age) + self._total_variance(z) / 2))

    def expected_elasticity(self) -> float:
        """The expected-engagement (PPML) estimand of this world: the slope of the best
        Poisson fit of ``E[y]`` on log followers and log(1 + age) over the design's posts,
        computed from the exact means (no sampling)."""
        z = np.log(self.design["followers"].to_numpy()) - self.centre
        age = self.design["age_days"].to_numpy()
        mu = self.mean(np.exp(z + self.centre), age)
        X = np.column_stack([np.ones_like(z), z, np.log1p(age)])
        beta = _lstsq(X, np.log(mu))
        for _ in range(100):  # Poisson score equations, Newton steps
            fitted = np.exp(X @ beta)
            step = np.linalg.solve(X.T @ (X * fitted[:, None]), X.T @ (mu - fitted))
            beta += step
            if np.max(np.abs(step)) < 1e-12:
                break
        return float(beta[1])

    def typical_elasticity(self) -> float:
        """The typical-post estimand: the average slope of the log median over the design's
        posts (``b`` plus the curvature's contribution)."""
        z = np.log(self.design["followers"].to_numpy()) - self.centre
        X = np.column_stack([np.ones_like(z), z, np.log1p(self.design["age_days"].to_numpy())])
        return float(_lstsq(X, self._log_median(z, self.design["age_days"].to_numpy()))[1])

    def describe(self) -> str:
        """What was fitted, in one line."""
        zeros = ("none" if self.zero_logit is None else
                 f"logistic({self.zero_logit[0]:.2f} {self.zero_logit[1]:+.2f} z)")
        sd_u = np.sqrt(self.creator_variance[1])
        sd_e = np.sqrt(self.post_variance[1])
        return (f"calibrated to {self.source or 'a posts table'}: "
                f"{self.design['creator'].nunique():,} creators, {len(self.design):,} posts; "
                f"log median = {self.intercept:.2f} {self.b:+.3f} z {self.curvature:+.4f} z² "
                f"{self.age_elasticity:+.3f} log(1 + age), z = log(followers) − "
                f"{self.centre:.2f}; creator sd {sd_u[0]:.2f} (smallest tenth) to "
                f"{sd_u[-1]:.2f} (largest); post sd {sd_e[0]:.2f} to {sd_e[-1]:.2f}; "
                f"structural zeros {zeros}; creator selection {self.creator_selection:g}")

    def simulate(self, *, rng: np.random.Generator, n_creators: int | None = None,
                 n_sounds: int | None = None) -> pd.DataFrame:
        """A posts table: ``n_creators`` creators (default: as many as the design) resampled
        with their real followers, post counts and ages; engagement drawn from the model.

        Returns ``creator`` (a fresh id per draw), ``post_id``, ``followers``, ``age_days``,
        ``engagement`` (a count, zeros included), ``likes`` (= engagement) and ``comments``
        (0), so that the claim functions take it as it is. With ``n_sounds``, each post also
        gets one of that many sounds at random (``sound``; no effect on engagement), for
        selections made per sound.
        """
        sample = self.draw(rng=rng, n_creators=n_creators)
        owner = sample.owner
        table = pd.DataFrame({
            "creator": _ids("c", owner + 1, max(5, len(str(sample.n_creators)))),
            "post_id": _ids("p", np.arange(1, owner.size + 1), max(7, len(str(owner.size)))),
            "followers": sample.followers, "age_days": sample.age_days,
            "engagement": sample.engagement, "likes": sample.engagement, "comments": 0.0,
        })
        if n_sounds is not None:
            n_sounds = _check_count(n_sounds, "n_sounds")
            index = rng.integers(0, n_sounds, owner.size)
            table["sound"] = _ids("s", index + 1, max(3, len(str(n_sounds))))
        return table

    def draw(self, *, rng: np.random.Generator, n_creators: int | None = None) -> WorldSample:
        """One sample as arrays (:class:`WorldSample`): what :meth:`simulate` returns as a
        table, without the ids, for simulation studies that refit thousands of samples."""
        rng = _check_rng(rng)
        design = self.design
        index = self._design_index
        n_real = len(index.starts) - 1
        n = n_real if n_creators is None else _check_count(n_creators, "n_creators")
        if self.creator_selection:
            picked, effects = [], []
            while sum(len(p) for p in picked) < n:  # logistic acceptance on the effect
                candidate = rng.integers(0, n_real, 2 * n)
                u = rng.normal(0.0, 1.0, 2 * n)
                keep = rng.random(2 * n) < _logistic(self.creator_selection * u)
                picked.append(candidate[keep])
                effects.append(u[keep])
            chosen, u = np.concatenate(picked)[:n], np.concatenate(effects)[:n]
        else:
            chosen, u = rng.integers(0, n_real, n), rng.normal(0.0, 1.0, n)
        owner, rows = index.rows(chosen)
        followers = design["followers"].to_numpy()[rows]
        age = design["age_days"].to_numpy()[rows]
        z = np.log(followers) - self.centre
        creator_z = (np.log(design["followers"].to_numpy()[index.order[index.starts[chosen]]])
                     - self.centre)
        u = u * np.sqrt(self._variance(self.creator_variance, creator_z))
        e = rng.normal(0.0, 1.0, owner.size) * np.sqrt(self._variance(self.post_variance, z))
        log_lam = self._log_median(z, age) + u[owner] + e
        counts = rng.poisson(np.exp(np.minimum(log_lam, math.log(MAX_ENGAGEMENT))))
        structural = rng.random(owner.size) < self._zero_probability(z)
        engagement = np.where(structural, 0, counts).astype(float)
        return WorldSample(owner, followers, age, engagement, n)


def _logistic_fit(z: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Logistic regression of a boolean on ``z`` (Newton's method): (intercept, slope)."""
    X = np.column_stack([np.ones_like(z), z])
    beta = np.zeros(2)
    for _ in range(50):
        p = _logistic(X @ beta)
        hessian = X.T @ (X * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, X.T @ (outcome - p))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def _primary_estimates(posts: pd.DataFrame, *, expected: bool = True) -> tuple[float, float]:
    """Point estimates of both estimands' primaries on a posts table with ``engagement``,
    ``followers`` and ``age_days``: log-OLS on the posts with engagement and PPML with zeros,
    both with ``log(1 + age)`` (only point estimates: no clustering)."""
    work = pd.DataFrame({"y": posts["engagement"].to_numpy(dtype=float),
                         "followers": posts["followers"].to_numpy(dtype=float),
                         "log_age": np.log1p(posts["age_days"].to_numpy(dtype=float))})
    typical = stats.fit_elasticity(work, y="y", controls=("log_age",)).estimate
    mean = stats.fit_ppml(work, y="y", controls=("log_age",)).estimate if expected else np.nan
    return float(typical), float(mean)


#: The C1 fits :func:`primary_fits` computes: name -> (estimand, level).
PRIMARY_FITS = {
    "post log-OLS, clustered": ("typical", "posts"),
    "post PPML, clustered": ("expected", "posts"),
    "post PPML, CR2 + Bell-McCaffrey df": ("expected", "posts"),
    "creator median, log-OLS HC3": ("typical", "creators"),
    "creator mean, log-OLS HC3": ("expected", "creators"),
}


def _creator_medians(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Median of ``values`` per owner 0..n-1 (NaN for an owner without rows)."""
    order = np.lexsort((values, owner))
    counts = np.bincount(owner, minlength=n)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    sorted_values = values[order]
    low = sorted_values[np.minimum(starts + (counts - 1) // 2, len(values) - 1)]
    high = sorted_values[np.minimum(starts + counts // 2, len(values) - 1)]
    return np.where(counts > 0, (low + high) / 2, np.nan)


def primary_fits(sample: WorldSample, fits: Sequence[str] | None = None) -> pd.DataFrame:
    """The C1 primaries of notebook 02 on one sample, as the library computes them.

    Post level, with ``log(1 + age)`` and errors clustered by creator (t(G - 1)): log-OLS on
    the posts with engagement (the typical post) and PPML with zeros kept (engagement per post
    on average; also with :func:`insights.stats.cluster_cr2`'s errors and degrees of freedom,
    a small-sample correction). Creator level, HC3 errors: log-OLS of each creator's median
    engagement per post (typical) and of their mean (expected), creators with a zero median or
    mean left out.
    Computed with :func:`insights.stats.ols_arrays` and :func:`insights.stats.ppml_arrays`,
    which equal :func:`insights.stats.fit_elasticity` and :func:`insights.stats.fit_ppml`.

    ``fits`` names the ones to compute (default all of :data:`PRIMARY_FITS`).

    Returns
    -------
    DataFrame
        One row per fit: ``estimator``, ``estimand``, ``level``, ``estimate``, ``se``, ``df``.
    """
    wanted = list(PRIMARY_FITS) if fits is None else list(fits)
    unknown = [name for name in wanted if name not in PRIMARY_FITS]
    if unknown:
        raise KeyError(f"unknown fits {unknown}; known: {list(PRIMARY_FITS)}")
    owner, followers, age, y, n = sample
    log_f = np.log(followers)
    X = np.column_stack([np.ones(owner.size), log_f, np.log1p(age)])
    positive = y > 0
    counts = np.bincount(owner, minlength=n)
    creator_f = np.zeros(n)
    creator_f[owner] = log_f

    def creator_level(value):
        keep = (counts > 0) & (value > 0)
        Xc = np.column_stack([np.ones(keep.sum()), creator_f[keep]])
        return stats.ols_arrays(np.log(value[keep]), Xc)

    compute = {
        "post log-OLS, clustered": lambda: stats.ols_arrays(np.log(y[positive]), X[positive],
                                                            cluster=owner[positive]),
        "post PPML, clustered": lambda: stats.ppml_arrays(y, X, cluster=owner),
        "post PPML, CR2 + Bell-McCaffrey df": lambda: stats.ppml_arrays(y, X, cluster=owner,
                                                                        cluster_cov="CR2"),
        "creator median, log-OLS HC3": lambda: creator_level(_creator_medians(owner, y, n)),
        "creator mean, log-OLS HC3": lambda: creator_level(
            np.bincount(owner, y, minlength=n) / np.maximum(counts, 1)),
    }
    rows = []
    for name in wanted:
        coef, cov, df = compute[name]()
        rows.append({"estimator": name, "estimand": PRIMARY_FITS[name][0],
                     "level": PRIMARY_FITS[name][1], "estimate": float(coef[1]),
                     "se": float(np.sqrt(cov[1, 1])), "df": df})
    return pd.DataFrame(rows)


def _replicate(world, n_creators, fits, child) -> pd.DataFrame:
    return primary_fits(world.draw(rng=child, n_creators=n_creators), fits)


def replicate_primaries(world, n: int, *, rng: np.random.Generator,
                        n_creators: int | None = None, fits: Sequence[str] | None = None,
                        workers: int = 1) -> pd.DataFrame:
    """:func:`primary_fits` on ``n`` samples of ``world``, each on its own spawned stream.

    ``world`` is anything with ``draw(rng=, n_creators=)`` returning a :class:`WorldSample`
    (:class:`CalibratedWorld`, :class:`ResampledWorld`). ``workers > 1`` runs the replicates
    in forked processes (:func:`insights.calibration.map_streams`); the table is the same
    whatever the number of workers.

    Returns
    -------
    DataFrame
        ``replicate`` then the columns of :func:`primary_fits`, one row per fit and replicate.
    """
    rng = _check_rng(rng)
    n = _check_count(n, "n")
    tables = calibration.map_streams(partial(_replicate, world, n_creators, fits), n, rng=rng,
                                     workers=_check_count(workers, "workers"))
    return pd.concat([table.assign(replicate=i) for i, table in enumerate(tables)],
                     ignore_index=True)[["replicate", *tables[0].columns]]


def sample_table(sample: WorldSample) -> pd.DataFrame:
    """A :class:`WorldSample` as the posts table :meth:`CalibratedWorld.calibrated_to` takes:
    ``creator`` (the owner index), ``followers``, ``age_days``, ``engagement``."""
    return pd.DataFrame({"creator": sample.owner, "followers": sample.followers,
                         "age_days": sample.age_days, "engagement": sample.engagement})


@dataclass(frozen=True)
class CalibratedInterval:
    """A calibrated bootstrap-t interval (:func:`calibrated_interval`).

    ``low``/``high`` is ``[estimate - q_high se, estimate - q_low se]``; ``t`` holds the
    simulated ``(estimate - truth) / se`` it was read from, ``truth`` the calibrated world's
    value of the estimand and ``world`` the world itself (its :meth:`CalibratedWorld.describe`
    says what was fitted).
    """

    estimate: float
    se: float
    low: float
    high: float
    q_low: float
    q_high: float
    truth: float
    t: np.ndarray = dataclasses.field(repr=False, compare=False)
    world: CalibratedWorld | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def replicates(self) -> int:
        return int(self.t.size)

    def tost_p(self, low: float, high: float) -> float:
        """Two one-sided tests that the parameter lies inside ``(low, high)``, each p-value
        read from the simulated t distribution instead of Student's: ``P(T >= (estimate -
        low) / se)`` and ``P(T <= (estimate - high) / se)``, each as ``(count + 1) / (n +
        1)``; the larger is returned.

        Examples
        --------
        >>> ci = CalibratedInterval(1.0, 0.1, 0.8, 1.2, -2.0, 2.0, 1.0, np.arange(-9.0, 10.0))
        >>> ci.tost_p(0.5, 1.5)  # t of 5 and -5: 5 of 19 draws at or beyond each, 6 / 20
        0.3
        """
        if not low < high:
            raise ValueError(f"low must be below high, got {low} and {high}")
        n = self.t.size
        above = (np.sum(self.t >= (self.estimate - low) / self.se) + 1) / (n + 1)
        below = (np.sum(self.t <= (self.estimate - high) / self.se) + 1) / (n + 1)
        return float(max(above, below))


def fit_truth(world: CalibratedWorld, fit: str) -> float:
    """The value in ``world`` of the estimand a post-level ``fit`` of :data:`PRIMARY_FITS`
    estimates (its expected or typical elasticity)."""
    estimand, level = PRIMARY_FITS[fit]
    if level != "posts":
        raise ValueError(f"calibrated intervals are for the post-level fits; {fit!r} is "
                         "creator level")
    return world.expected_elasticity() if estimand == "expected" else world.typical_elasticity()


def calibrated_interval(posts: pd.DataFrame, estimate: float, se: float, *, n: int,
                        rng: np.random.Generator, fit: str = "post PPML, clustered",
                        level: float = 0.95, world: CalibratedWorld | None = None,
                        workers: int = 1) -> CalibratedInterval:
    """The calibrated bootstrap-t interval of a post-level C1 fit (``docs/analysis-plan.md``,
    amendment 9).

    A world is calibrated to ``posts`` (:meth:`CalibratedWorld.calibrated_to`; columns
    ``creator``, ``followers``, ``age_days``, ``engagement``), unless ``world`` is given;
    ``n`` samples of it are fitted with ``fit`` (:data:`PRIMARY_FITS`, post level), and the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of ``(estimate - truth) / se`` over
    them, ``q_low`` and ``q_high``, turn the real ``estimate`` and ``se`` into ``[estimate -
    q_high se, estimate - q_low se]``. Unlike ``estimate ± 1.96 se`` this keeps each tail at
    its share when the estimator's t statistic is skewed or heavy-tailed on data like these,
    as PPML's is on engagement counts (notebook 05). Its own coverage, calibration error
    included, is what :func:`nested_coverage` measures.
    """
    if not (np.isfinite(estimate) and np.isfinite(se) and se > 0):
        raise ValueError(f"need a finite estimate and a positive se, got {estimate} and {se}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if world is None:
        world = CalibratedWorld.calibrated_to(posts)
    truth = fit_truth(world, fit)
    fits = replicate_primaries(world, n, rng=rng, fits=[fit], workers=workers)
    t = ((fits["estimate"] - truth) / fits["se"]).to_numpy()
    q_low, q_high = calibration.calibrated_t(fits["estimate"], fits["se"], truth, level=level)
    return CalibratedInterval(float(estimate), float(se), float(estimate - q_high * se),
                              float(estimate - q_low * se), q_low, q_high, truth, t, world)


def _nested(world, fit, n_inner, level, truth, child) -> dict:
    outer, inner = child.spawn(2)
    sample = world.draw(rng=outer)
    row = primary_fits(sample, [fit]).iloc[0]
    interval = calibrated_interval(sample_table(sample), row["estimate"], row["se"], n=n_inner,
                                   rng=inner, fit=fit, level=level)
    half = sps.t.ppf(0.5 + level / 2, row["df"]) * row["se"]
    return {"estimate": row["estimate"], "se": row["se"],
            "ci_low": row["estimate"] - half, "ci_high": row["estimate"] + half,
            "calibrated_low": interval.low, "calibrated_high": interval.high,
            "q_low": interval.q_low, "q_high": interval.q_high,
            "recalibrated_truth": interval.truth,
            "covered": bool(row["estimate"] - half <= truth <= row["estimate"] + half),
            "covered_calibrated": bool(interval.low <= truth <= interval.high)}


def nested_coverage(world: CalibratedWorld, *, n_outer: int, n_inner: int,
                    rng: np.random.Generator, fit: str = "post PPML, clustered",
                    level: float = 0.95, workers: int = 1,
                    only: Sequence[int] | None = None) -> pd.DataFrame:
    """Coverage of :func:`calibrated_interval` as it is used on real data: a check of the check.

    Each of ``n_outer`` samples of ``world`` is treated as the real data: its ``fit`` is
    computed, a new world is calibrated to *that sample alone*, and ``n_inner`` samples of
    the new world give its calibrated interval. Both that interval and the fit's own
    (``estimate ± t(df) se``) are checked against ``world``'s truth, so the error of
    calibrating a world to one sample is inside the coverage. ``workers > 1`` runs the outer
    samples in forked processes (same table whatever the number).

    ``only`` computes the listed outer samples alone (positions in ``range(n_outer)``), each
    row identical to the full run's: a long study can run in pieces, resume, or have a few of
    its rows recomputed to check a stored table.

    Returns
    -------
    DataFrame
        One row per outer sample, indexed by its position: ``estimate``, ``se``, ``ci_low``,
        ``ci_high`` (the fit's interval), ``calibrated_low``, ``calibrated_high``, ``q_low``,
        ``q_high``, ``recalibrated_truth`` (the sample's world's value of the estimand),
        ``covered`` and ``covered_calibrated`` (against ``world``'s truth).
    """
    rng = _check_rng(rng)
    truth = fit_truth(world, fit)
    n_outer = _check_count(n_outer, "n_outer")
    children = rng.spawn(n_outer)
    if only is None:
        positions = list(range(n_outer))
    else:
        positions = [int(i) for i in only]
        wrong = [i for i in positions if not 0 <= i < n_outer]
        if wrong or len(set(positions)) < len(positions):
            raise ValueError(f"only must list distinct positions in 0..{n_outer - 1}, got "
                             f"{wrong or sorted(positions)}")
    rows = calibration.map_generators(
        partial(_nested, world, fit, _check_count(n_inner, "n_inner"), level, truth),
        [children[i] for i in positions], workers=_check_count(workers, "workers"))
    return pd.DataFrame(rows, index=pd.Index(positions, name="outer"))


class ResampledWorld:
    """A world that is a real posts table itself: creators drawn with replacement, each with
    all their posts (followers, ages and engagement as observed). The truth of any estimand in
    it is the full table's own estimate (:meth:`observed`)."""

    def __init__(self, posts: pd.DataFrame, *, engagement=("likes", "comments")) -> None:
        columns = [engagement] if isinstance(engagement, str) else list(engagement)
        _require(posts, ["creator", "followers", "age_days", *columns])
        self._codes, _ = pd.factorize(posts["creator"])
        if (self._codes < 0).any():
            raise ValueError("column 'creator' is missing in rows "
                             f"{np.flatnonzero(self._codes < 0)[:5].tolist()}")
        self._followers = _values(posts, "followers")
        self._age = _values(posts, "age_days")
        self._y = np.nansum(np.column_stack([_values(posts, c) for c in columns]), axis=1)
        self._index = calibration.unit_index(self._codes)

    @property
    def n_creators(self) -> int:
        return len(self._index.starts) - 1

    def observed(self) -> WorldSample:
        """The table itself, as a sample."""
        return WorldSample(self._codes, self._followers, self._age, self._y, self.n_creators)

    def draw(self, *, rng: np.random.Generator, n_creators: int | None = None) -> WorldSample:
        """``n_creators`` creators (default as many as the table) drawn with replacement."""
        rng = _check_rng(rng)
        n = self.n_creators if n_creators is None else _check_count(n_creators, "n_creators")
        owner, rows = self._index.rows(rng.integers(0, self.n_creators, n))
        return WorldSample(owner, self._followers[rows], self._age[rows], self._y[rows], n)


def typical_fit(creator, followers, age_days, engagement, *,
                fe=None) -> tuple[float, float, float]:
    """The typical-post C1 fit of notebook 02 on arrays: ``(estimate, se, df)``.

    Log-OLS of engagement on log followers and ``log(1 + age)`` over the posts with
    engagement, one indicator per level of ``fe`` but the first (e.g. sound effects), errors
    clustered by ``creator`` with ``G - 1`` degrees of freedom: what
    :func:`insights.claims.engagement_vs_followers` computes (tested equal), without building
    a model, for simulation studies.
    """
    y = np.asarray(engagement, dtype=float)
    keep = y > 0
    columns = [np.ones(keep.sum()), np.log(np.asarray(followers, dtype=float)[keep]),
               np.log1p(np.asarray(age_days, dtype=float)[keep])]
    if fe is not None:
        codes, _ = pd.factorize(np.asarray(fe)[keep], sort=True)
        dummies = np.eye(codes.max() + 1)[codes][:, 1:]
        columns.extend(dummies.T)
    X = np.column_stack(columns)
    coef, cov, df = stats.ols_arrays(np.log(y[keep]), X, cluster=np.asarray(creator)[keep])
    return float(coef[1]), float(np.sqrt(cov[1, 1])), df


def creator_fit(followers, engagement) -> tuple[float, float, float]:
    """The creator-level C1 fit on arrays: ``(estimate, se, df)`` of log-OLS of a creator's
    engagement (mean or median per post) on log followers, HC3 errors, creators with no
    engagement left out (:func:`insights.claims.engagement_vs_followers` on a creators
    table; tested equal)."""
    y = np.asarray(engagement, dtype=float)
    keep = y > 0
    X = np.column_stack([np.ones(keep.sum()), np.log(np.asarray(followers, dtype=float)[keep])])
    coef, cov, df = stats.ols_arrays(np.log(y[keep]), X)
    return float(coef[1]), float(np.sqrt(cov[1, 1])), df


# --------------------------------------------------------------------------------------------
# coverage of the per-creator shrinkage intervals


class ShrinkageCoverage(NamedTuple):
    """Coverage of :func:`insights.stats.shrink_means` intervals, averaged over creators.

    ``coverage`` is the share of (replicate, creator) pairs whose interval holds the true
    level, with its Monte-Carlo error ``mc_error`` (over replicates); ``miss_low`` /
    ``miss_high`` the shares with the truth below / above the interval; ``top_coverage`` the
    coverage among the ``top`` creators of each replicate ranked by their raw mean (where luck
    concentrates).
    """

    coverage: float
    mc_error: float
    miss_low: float
    miss_high: float
    top_coverage: float
    replicates: int


def shrinkage_coverage(
    rng: np.random.Generator,
    *,
    replicates: int = 200,
    creators: int = 150,
    tau: float = 0.5,
    cv: float = 1.2,
    posts: tuple[int, int] = (3, 40),
    zero_share: float = 0.05,
    top: int = 15,
    level: float = 0.95,
) -> ShrinkageCoverage:
    """Simulate rosters and measure how often the shrinkage intervals hold the truth.

    World: creator ``i``'s true level ``theta_i`` (engagement relative to expectation) is
    log-normal with log-SD ``tau`` and mean 1; it has ``n_i`` posts, uniform on ``posts``;
    each post's relative engagement is gamma with mean ``theta_i / (1 - zero_share)`` and
    coefficient of variation ``cv``, then set to 0 with probability ``zero_share`` (so its
    mean is ``theta_i``). Real rosters: the pooled within-creator CV of engagement per post
    is about 1.2-1.4 on the TikTok and Twitter samples of this project.
    """
    if not 0 <= zero_share < 1:
        raise ValueError(f"zero_share must be in [0, 1), got {zero_share}")
    shape = 1.0 / cv**2
    inside, low, high, top_inside = [], [], [], []
    for _ in range(replicates):
        theta = np.exp(rng.normal(-tau**2 / 2, tau, creators))
        n = rng.integers(posts[0], posts[1] + 1, creators)
        unit = np.repeat(np.arange(creators), n)
        values = rng.gamma(shape, theta[unit] / shape / (1 - zero_share))
        values[rng.random(len(values)) < zero_share] = 0.0
        table = stats.shrink_means(values, unit, level=level).table
        truth = theta[table["unit"].to_numpy()]
        below = truth < table["ci_low"].to_numpy()
        above = truth > table["ci_high"].to_numpy()
        hit = ~(below | above)
        inside.append(hit.mean())
        low.append(below.mean())
        high.append(above.mean())
        ranked = np.argsort(-table["mean"].to_numpy(), kind="stable")[:top]
        top_inside.append(hit[ranked].mean())
    per_rep = np.asarray(inside)
    return ShrinkageCoverage(float(per_rep.mean()),
                             float(per_rep.std(ddof=1) / math.sqrt(replicates)),
                             float(np.mean(low)), float(np.mean(high)),
                             float(np.mean(top_inside)), replicates)
