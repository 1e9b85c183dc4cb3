"""Parse the display strings that creator tables are full of: ``3.3k``, ``475.8m``, ``1.39%``.

Every parser is vectorised (one regular-expression pass over the whole column through pandas'
string methods, Arrow-backed where available) and returns a value *and a status* per input, so
nothing is silently wrong:

``ok``
    parsed; ``value`` holds the number.
``missing``
    an explicit missing marker (empty, ``nan``, ``NaN%``, ``N/A``, ``-`` ...); ``value`` is NaN.
``invalid``
    text that is not a valid value (``12 followers``, ``1,2k``, a negative count); ``value`` is
    NaN and the caller decides whether to drop, repair or stop. :func:`require_ok` turns invalid
    values into an error naming the column, the rows and the offending values.

Grammar of a count (case-insensitive, surrounding white space ignored)::

    count    := number [suffix] | number exponent
    number   := digits ["." digits] | "." digits
    digits   := [0-9]+ | [0-9]{1,3} ("," [0-9]{3})+      # comma only as a thousands separator
    suffix   := "k" (1e3) | "m" (1e6) | "b" (1e9)          # optional space before the suffix
    exponent := "e" ["+" | "-"] [0-9]+                    # 2.28E+11

A comma is accepted only between groups of exactly three digits, so the European ``1,2k`` is
``invalid`` instead of being read as 12,000. ``1.5k`` is 1,500 (never 1.5000), ``630k`` is
630,000 and ``15.5k`` is 15,500: the property tests in ``tests/test_parsing.py`` check the
round trip ``format → parse`` for arbitrary values.

Display strings are rounded. ``resolution`` is the half-width of the interval that the display
string stands for (``87.2K`` → 50, ``2.28E+11`` → 5e8, ``5769`` → 0.5), so later analyses can
treat a rounded count as the interval it is.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "STATUSES",
    "MISSING_TOKENS",
    "ParseError",
    "parse_counts",
    "parse_percent",
    "require_ok",
]

STATUSES = ("ok", "missing", "invalid")
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))

#: Lower-cased strings read as an explicit missing value (after stripping white space and a
#: trailing ``%`` for percentages, and stray quotes such as ``N/A'``).
MISSING_TOKENS = frozenset(
    {"", "nan", "n/a", "na", "none", "null", "-", "--", "—", "–", "#n/a", "#value!"}
)

_SUFFIX_POWER = {"k": 3, "m": 6, "b": 9}
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_COUNT_RE = (
    r"^(?P<int>" + _DIGITS + r")?(?:\.(?P<frac>\d+))?"
    r"(?:(?:\s?(?P<suf>[kmb]))|(?:e(?P<exp>[+-]?\d{1,3})))?$"
)
_PERCENT_RE = r"^(?P<sign>[+-])?(?P<int>" + _DIGITS + r")?(?:\.(?P<frac>\d+))?\s?%?$"


class ParseError(ValueError):
    """Raised when a column holds values that cannot be parsed and the caller requires all."""


def _as_text(values: Iterable | pd.Series) -> pd.Series:
    """Return ``values`` as a lower-cased, stripped string Series keeping the index."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        # Numbers already parsed upstream: format losslessly so one code path handles both.
        text = series.map(lambda v: np.format_float_positional(v, trim="-"), na_action="ignore")
        return text.astype("string[pyarrow]")
    text = series.astype("string[pyarrow]")
    return text.str.strip().str.strip("'\"").str.strip().str.lower()


def _missing_mask(text: pd.Series) -> np.ndarray:
    return (text.isna() | text.isin(MISSING_TOKENS)).to_numpy(dtype=bool)


def _assemble(
    index: pd.Index, value: np.ndarray, resolution: np.ndarray, missing: np.ndarray, ok: np.ndarray
) -> pd.DataFrame:
    status = np.where(ok, "ok", np.where(missing, "missing", "invalid"))
    return pd.DataFrame(
        {
            "value": np.where(ok, value, np.nan),
            "resolution": np.where(ok, resolution, np.nan),
            "status": pd.Categorical(status, dtype=STATUS_DTYPE),
        },
        index=index,
    )


def _number_parts(
    parts: pd.DataFrame, exponent: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the value, the number of decimals and a has-digits mask from extracted parts.

    The digits and the power of ten are joined into one decimal literal (``"2.28e11"``) and
    parsed once, so the result is the correctly rounded double (2.28 * 1e11 would not be).
    """
    int_part = parts["int"].str.replace(",", "", regex=False).fillna("")
    frac_part = parts["frac"].fillna("")
    has_digits = ((int_part.str.len() > 0) | (frac_part.str.len() > 0)).fillna(False)
    power = pd.Series(exponent.astype(np.int64), index=parts.index).astype("string[pyarrow]")
    literal = int_part.where(int_part.str.len() > 0, "0") + "." + frac_part + "0e" + power
    value = pd.to_numeric(literal.where(has_digits), errors="coerce")
    decimals = frac_part.str.len().fillna(0).to_numpy(dtype=float, na_value=0)
    return (
        value.to_numpy(dtype=float, na_value=np.nan),
        decimals,
        has_digits.to_numpy(dtype=bool),
    )


def parse_counts(values: Iterable | pd.Series, *, allow_negative: bool = False) -> pd.DataFrame:
    """Parse display counts such as ``3.3k``, ``87.2K``, ``475.8m``, ``1,234`` or ``2.28E+11``.

    Parameters
    ----------
    values : Series or iterable
        Strings (or numbers already parsed, which pass through). The index is kept.
    allow_negative : bool, default False
        Counts cannot be negative, so a leading ``-`` is ``invalid`` unless this is set (for
        signed quantities such as follower growth).

    Returns
    -------
    DataFrame
        ``value`` (float64, NaN unless ``ok``), ``resolution`` (half-width of the rounding
        interval the display string implies) and ``status`` (categorical: ok, missing, invalid),
        on the input's index.

    See Also
    --------
    require_ok : Raise on invalid values, naming the column, rows and values.

    Examples
    --------
    >>> parsed = parse_counts(["3.3k", "0.89k", "475.8m", "1,234", "2.28E+11", "N/A", "1,2k"])
    >>> parsed["value"].tolist()
    [3300.0, 890.0, 475800000.0, 1234.0, 228000000000.0, nan, nan]
    >>> parsed["status"].tolist()
    ['ok', 'ok', 'ok', 'ok', 'ok', 'missing', 'invalid']
    >>> parsed["resolution"].tolist()[:2]
    [50.0, 5.0]
    """
    text = _as_text(values)
    missing = _missing_mask(text)
    negative = text.str.startswith("-").fillna(False).to_numpy(dtype=bool) & ~missing
    if allow_negative:
        text = text.str.removeprefix("-")
    parts = text.str.extract(_COUNT_RE)
    suffix_power = parts["suf"].map(_SUFFIX_POWER).to_numpy(dtype=float, na_value=0.0)
    exponent = pd.to_numeric(parts["exp"], errors="coerce").to_numpy(dtype=float, na_value=0.0)
    power = suffix_power + exponent
    value, decimals, has_digits = _number_parts(parts, power)
    with np.errstate(over="ignore"):
        resolution = 0.5 * np.power(10.0, power - decimals)
    ok = has_digits & ~missing & np.isfinite(value)
    if allow_negative:
        value = np.where(negative, -value, value)
    else:
        ok &= ~negative
    return _assemble(text.index, value, resolution, missing, ok)


def parse_percent(values: Iterable | pd.Series) -> pd.DataFrame:
    """Parse percentages such as ``1.39%``, ``26.41 %``, ``0.5`` or ``NaN%`` into fractions.

    A number without ``%`` is read as percentage points too (``0.5`` → 0.005), because the
    columns this parser is for are labelled as percentages; convert fractions yourself.

    Parameters
    ----------
    values : Series or iterable
        Strings or numbers (percentage points). The index is kept.

    Returns
    -------
    DataFrame
        ``value`` as a fraction (1.39% → 0.0139), ``resolution`` as a fraction, ``status``.

    Examples
    --------
    >>> parse_percent(["1.39%", "NaN%", "-0.5%", "abc"])
        value  resolution   status
    0  0.0139     0.00005       ok
    1     NaN         NaN  missing
    2 -0.0050     0.00050       ok
    3     NaN         NaN  invalid
    """
    text = _as_text(values)
    missing = _missing_mask(text.str.removesuffix("%").str.strip())
    parts = text.str.extract(_PERCENT_RE)
    power = np.full(len(parts), -2.0)
    magnitude, decimals, has_digits = _number_parts(parts, power)
    sign = np.where(parts["sign"].fillna("+").to_numpy(dtype=object) == "-", -1.0, 1.0)
    value = sign * magnitude
    resolution = 0.5 * np.power(10.0, power - decimals)
    ok = has_digits & ~missing & np.isfinite(value)
    return _assemble(text.index, value, resolution, missing, ok)


def require_ok(
    parsed: pd.DataFrame,
    raw: pd.Series,
    *,
    column: str,
    allow_missing: bool = True,
    max_listed: int = 10,
) -> pd.Series:
    """Return the parsed values, raising :class:`ParseError` if any value is invalid.

    Parameters
    ----------
    parsed : DataFrame
        Output of :func:`parse_counts` or :func:`parse_percent`.
    raw : Series
        The original strings, on the same index, quoted in the error message.
    column : str
        Column name for the message.
    allow_missing : bool, default True
        If False, explicit missing markers are errors too.
    max_listed : int, default 10
        How many offending rows to quote.

    Returns
    -------
    Series
        ``parsed["value"]``.

    Raises
    ------
    ParseError
        Naming the column, the number of bad rows, and the first rows with their values.

    Examples
    --------
    >>> raw = pd.Series(["1k", "oops"])
    >>> require_ok(parse_counts(raw), raw, column="followers")
    Traceback (most recent call last):
    ...
    insights.parsing.ParseError: column 'followers': 1 value(s) could not be parsed as numbers; rows [1]: ['oops']
    """
    bad = parsed["status"] == "invalid"
    if not allow_missing:
        bad |= parsed["status"] == "missing"
    if bad.any():
        rows = list(parsed.index[bad.to_numpy()])
        shown = rows[:max_listed]
        values = [None if pd.isna(v) else str(v) for v in raw.loc[shown]]
        more = f" (and {len(rows) - max_listed} more)" if len(rows) > max_listed else ""
        raise ParseError(
            f"column {column!r}: {len(rows)} value(s) could not be parsed as numbers; "
            f"rows {shown}{more}: {values}"
        )
    return parsed["value"]
