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

import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from insights.ingest.cleanlog import CleaningLog

__all__ = [
    "STATUSES",
    "MISSING_TOKENS",
    "COMPILED_MIN",
    "ParseError",
    "parse_counts",
    "parse_percent",
    "parse_column",
    "require_ok",
]

STATUSES = ("ok", "missing", "invalid")
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))

#: Lower-cased strings read as an explicit missing value (after stripping white space and a
#: trailing ``%`` for percentages, and stray quotes such as ``N/A'``).
MISSING_TOKENS = frozenset(
    {"", "nan", "n/a", "na", "none", "null", "-", "--", "—", "–", "#n/a", "#value!"}
)

_SUFFIXES = pa.array(["k", "m", "b"], type=pa.string())  # 10^3, 10^6, 10^9
_MISSING_ARRAY = pa.array(sorted(MISSING_TOKENS), type=pa.string())
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_NUMBER = r"(?:" + _DIGITS + r"(?:\.\d+)?|\.\d+)"
_COUNT_RE = r"^" + _NUMBER + r"(?:\s?[kmb]|e[+-]?\d{1,3})?$"
_PERCENT_RE = r"^[+-]?" + _NUMBER + r"\s?%?$"


class ParseError(ValueError):
    """Raised when a column holds values that cannot be parsed and the caller requires all."""


def _as_arrow(values: Iterable | pd.Series) -> tuple[pd.Index, pa.Array]:
    """Return the index and the values as one Arrow string array (nulls kept)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        # Numbers already parsed upstream: Arrow formats them (shortest round-trip repr, e.g.
        # "1e+20"), so one code path handles both and the values pass through exactly.
        array = pa.array(series.to_numpy(dtype=float, na_value=np.nan), from_pandas=True)
        array = array.cast(pa.string())
    else:
        array = pa.array(series.astype("string[pyarrow]").array, type=pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return series.index, array


def _normalise(array: pa.Array) -> pa.Array:
    """Strip white space and stray quotes (``N/A'``) and lower-case."""
    return pc.utf8_lower(pc.utf8_trim_whitespace(pc.utf8_trim(
        pc.utf8_trim_whitespace(array), characters="'\""
    )))


def _parse_distinct(values: Iterable | pd.Series, parse_text, *,
                    plain_digits: bool = False) -> pd.DataFrame:
    """Parse a column of display strings with as little work per row as possible.

    * With ``plain_digits``, rows that are plain ASCII digit strings (``5769``: most of a
      numeric export) are cast by Arrow directly, the fastest path there is; their rounding
      is 0.5.
    * The other rows are dictionary-encoded by Arrow and only the distinct strings go through
      ``parse_text`` (``87.2K`` appears thousands of times in a display column); the per-row
      work is one integer take, which is what ``pandas.to_datetime(cache=True)`` does for
      dates. On all-distinct strings the hashing is overhead (measured in
      ``benchmarks/bench_parsing.py``, which also compares the plain path with Arrow's own
      cast).
    """
    index, array = _as_arrow(values)
    return _parse_arrow(index, array, parse_text, plain_digits=plain_digits)


def _parse_arrow(index: pd.Index, array: pa.Array, parse_text, *,
                 plain_digits: bool = False) -> pd.DataFrame:
    """:func:`_parse_distinct` on an Arrow string array with its index."""
    n = len(array)
    value = np.full(n, np.nan)
    resolution = np.full(n, np.nan)
    missing = np.zeros(n, dtype=bool)
    ok = np.zeros(n, dtype=bool)
    rest = np.ones(n, dtype=bool)
    if plain_digits and n:
        plain = pc.ascii_is_decimal(array).fill_null(False).to_numpy(zero_copy_only=False)
        if plain.all():  # a numeric column read as text: one cast, nothing else
            value = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
            ok = np.isfinite(value)
            return _assemble(index, value, np.full(n, 0.5), missing, ok)
        if plain.any():
            cast = pc.cast(array.filter(pa.array(plain)), pa.float64())
            value[plain] = cast.to_numpy(zero_copy_only=False)
            resolution[plain] = 0.5
            ok[plain] = np.isfinite(value[plain])
            rest = ~plain
    if rest.all():
        encoded = array.dictionary_encode(null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        parts = parse_text(_normalise(encoded.dictionary))
        return _assemble(index, *(part[codes] for part in parts))
    if rest.any():
        encoded = array.filter(pa.array(rest)).dictionary_encode(null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        parts = parse_text(_normalise(encoded.dictionary))
        value[rest], resolution[rest], missing[rest], ok[rest] = (part[codes] for part in parts)
    return _assemble(index, value, resolution, missing, ok)


#: Below this many strings, ``parse_counts(engine="auto")`` uses the Arrow kernels: they parse
#: 10,000 strings in milliseconds, while importing numba and loading the cached compiled pass
#: takes about a second, once per process (a creator list of a few hundred rows would pay it).
COMPILED_MIN = 50_000


@functools.cache
def _compiled():
    """The compiled single pass (:mod:`insights.ingest._fastparse`), imported on first use so
    that importing the library does not load numba; None without numba (then every string
    takes the Arrow path)."""
    try:
        from insights.ingest import _fastparse
    except ImportError:  # pragma: no cover - numba is a declared dependency
        return None
    return _fastparse


def _missing_mask(text: pa.Array) -> np.ndarray:
    missing = pc.or_kleene(pc.is_null(text), pc.is_in(text, value_set=_MISSING_ARRAY))
    return missing.fill_null(True).to_numpy(zero_copy_only=False)


def _assemble(
    index: pd.Index, value: np.ndarray, resolution: np.ndarray, missing: np.ndarray, ok: np.ndarray
) -> pd.DataFrame:
    if ok.all():  # the common case of a clean column: no masking to do
        status = np.zeros(len(ok), dtype=np.int8)
    else:
        status = np.where(ok, 0, np.where(missing, 1, 2)).astype(np.int8)
        value = np.where(ok, value, np.nan)
        resolution = np.where(ok, resolution, np.nan)
    return pd.DataFrame(
        {
            "value": value,
            "resolution": resolution,
            "status": pd.Categorical.from_codes(status, dtype=STATUS_DTYPE),
        },
        index=index,
    )


def _numbers(number: pa.Array, valid: np.ndarray, power: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cast validated number literals to float, scaled by ``10**power``, with their rounding.

    ``number`` holds a plain decimal literal per row (digits, optional ``.`` fraction,
    optional ``e`` exponent, thousands commas already removed); rows where ``valid`` is False
    are ignored. The power of ten is appended to the literal (``"3.3" → "3.3e3"``) and Arrow
    casts it once, so the result is the correctly rounded double (3.3 * 1e3 would not be).

    Returns
    -------
    tuple of ndarray
        value, resolution (half-width of the rounding interval the literal implies).
    """
    length = pc.utf8_length(number).to_numpy(zero_copy_only=False)
    dot = pc.find_substring(number, ".").to_numpy(zero_copy_only=False)
    epos = pc.find_substring(number, "e").to_numpy(zero_copy_only=False)
    end = np.where(epos >= 0, epos, length)
    decimals = np.where(dot >= 0, end - dot - 1, 0).astype(float)
    has_exp = epos >= 0
    exponent = np.zeros(len(number))
    if has_exp.any():
        exp_text = pc.extract_regex(number, r"e(?P<exp>[+-]?\d+)$")
        exp_values = pc.struct_field(exp_text, "exp").fill_null("0")
        exponent = pc.cast(exp_values, pa.float64()).to_numpy(zero_copy_only=False)
    scaled = pc.binary_join_element_wise(
        number, pa.array(power.astype(np.int64)).cast(pa.string()), "e"
    )
    literal = pc.if_else(pa.array(power != 0), scaled, number)
    literal = pc.if_else(pa.array(valid), literal, "0")
    value = pc.cast(literal, pa.float64()).to_numpy(zero_copy_only=False)
    with np.errstate(over="ignore"):
        resolution = 0.5 * np.power(10.0, power + exponent - decimals)
    return value, resolution


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(text, pattern).fill_null(False).to_numpy(zero_copy_only=False)


def parse_counts(values: Iterable | pd.Series, *, allow_negative: bool = False,
                 engine: str = "auto") -> pd.DataFrame:
    """Parse display counts such as ``3.3k``, ``87.2K``, ``475.8m``, ``1,234`` or ``2.28E+11``.

    Parameters
    ----------
    values : Series or iterable
        Strings (or numbers already parsed, which pass through). The index is kept.
    allow_negative : bool, default False
        Counts cannot be negative, so a leading ``-`` is ``invalid`` unless this is set (for
        signed quantities such as follower growth).
    engine : {"auto", "compiled", "arrow"}
        ``"compiled"`` parses each string in one compiled pass (:mod:`insights.ingest._fastparse`)
        and hands the strings it declines (non-ASCII text, more than 15 significant digits) to
        Arrow compute kernels; ``"arrow"`` uses the kernels for everything. Both give the same
        result (tested); the compiled pass is faster on large columns. ``"auto"`` takes it from
        :data:`COMPILED_MIN` strings up, and the kernels below, where loading the compiled pass
        (about a second, once per process) would cost more than it saves.

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
    def parse_text(text: pa.Array) -> tuple[np.ndarray, ...]:
        missing = _missing_mask(text)
        negative = pc.starts_with(text, "-").fill_null(False).to_numpy(zero_copy_only=False)
        negative &= ~missing
        if allow_negative:
            text = pc.if_else(pa.array(negative), pc.utf8_slice_codeunits(text, 1), text)
        matched = _matches(text, _COUNT_RE)
        suffix_index = pc.index_in(pc.utf8_slice_codeunits(text, -1), value_set=_SUFFIXES)
        suffix_index = suffix_index.fill_null(-1).to_numpy(zero_copy_only=False)
        has_suffix = suffix_index >= 0
        number = pc.if_else(
            pa.array(has_suffix),
            pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(text, 0, -1)),
            text,
        )
        number = pc.replace_substring(number, ",", "")
        power = 3.0 * (suffix_index + 1.0)
        value, resolution = _numbers(number, matched, power)
        ok = matched & ~missing & np.isfinite(value)
        if allow_negative:
            value = np.where(negative, -value, value)
        else:
            ok &= ~negative
        return value, resolution, missing, ok

    if engine not in ("auto", "compiled", "arrow"):
        raise ValueError(f"engine must be 'auto', 'compiled' or 'arrow', got {engine!r}")
    index, array = _as_arrow(values)
    compiled = engine == "compiled" or (engine == "auto" and len(array) >= COMPILED_MIN)
    _fastparse = _compiled() if compiled else None
    if _fastparse is None:
        return _parse_arrow(index, array, parse_text, plain_digits=True)
    if array.null_count == 0 and pc.all(pc.ascii_is_decimal(array)).as_py():  # Arrow's cast
        value = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
        n = len(value)
        return _assemble(index, value, np.full(n, 0.5), np.zeros(n, dtype=bool),
                         np.isfinite(value))
    status, numbers = _fastparse.parse_counts_fast(array, MISSING_TOKENS,
                                                   allow_negative=allow_negative)
    declined = status == 3
    if declined.any():  # non-ASCII text or digits beyond the exact fast path: Arrow decides
        rows = np.flatnonzero(declined)
        slow = _parse_arrow(pd.RangeIndex(len(rows)), array.take(pa.array(rows)), parse_text)
        numbers[0, rows] = slow["value"].to_numpy()
        numbers[1, rows] = slow["resolution"].to_numpy()
        status[rows] = slow["status"].cat.codes.to_numpy()
    # the two float columns as one (n, 2) block, so that pandas does not copy them
    frame = pd.DataFrame(numbers.T, columns=["value", "resolution"], index=index, copy=False)
    frame["status"] = pd.Categorical.from_codes(status, dtype=STATUS_DTYPE)
    return frame


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
    def parse_text(text: pa.Array) -> tuple[np.ndarray, ...]:
        stripped = pc.utf8_trim_whitespace(pc.utf8_rtrim(text, characters="%"))
        missing = _missing_mask(stripped)
        matched = _matches(text, _PERCENT_RE)
        negative = pc.starts_with(stripped, "-").fill_null(False).to_numpy(zero_copy_only=False)
        number = pc.replace_substring(pc.utf8_ltrim(stripped, characters="+-"), ",", "")
        magnitude, resolution = _numbers(number, matched, np.full(len(text), -2.0))
        value = np.where(negative, -magnitude, magnitude)
        ok = matched & ~missing & np.isfinite(value)
        return value, resolution, missing, ok

    return _parse_distinct(values, parse_text)


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
    >>> require_ok(parse_counts(raw), raw, column="followers")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    insights.ingest.parsing.ParseError: column 'followers': 1 value(s) could not be parsed ...
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


def parse_column(
    frame: pd.DataFrame,
    source: str,
    target: str,
    log: CleaningLog,
    *,
    table: str,
    kind: str = "count",
    label: str | None = None,
) -> pd.DataFrame:
    """Parse one display column into float64, logging every value that could not be used.

    The one logged parser of the ingest wing: every recipe and the intake of an analyst's own
    export use it. Explicit missing markers become NaN silently (they were already missing);
    any other value that cannot be used becomes NaN and is logged as ``repaired`` with its
    original text, under its own reason:

    * ``negative-<target>``: a negative count (a count cannot be negative);
    * ``parse-<target>``: text that is not a count (or a percentage, for ``kind="percent"``).

    Parameters
    ----------
    frame : DataFrame
        Input (not modified).
    source, target : str
        Column to read and column to write (may be the same).
    log : CleaningLog
        Where unusable values are recorded.
    table : str
        Table name for the log.
    kind : {"count", "percent"}
        :func:`parse_counts` or :func:`parse_percent`.
    label : str, optional
        How the reason names the column (default ``source``), e.g. the column name in the
        analyst's file when ``source`` is a mapped field.

    Returns
    -------
    DataFrame
        A new frame with ``target`` as float64.

    Examples
    --------
    >>> from insights.ingest.cleanlog import CleaningLog
    >>> log = CleaningLog("demo")
    >>> raw = pd.DataFrame({"likes": ["1.2K", "-5", "lots", None], "source_row": [2, 3, 4, 5]})
    >>> parse_column(raw, "likes", "likes", log, table="posts")["likes"].tolist()
    [1200.0, nan, nan, nan]
    >>> log.events()[["step", "old_value"]].values.tolist()
    [['negative-likes', '-5'], ['parse-likes', 'lots']]
    """
    if kind not in ("count", "percent"):
        raise ValueError(f"kind must be 'count' or 'percent', got {kind!r}")
    label = source if label is None else label
    parsed = parse_counts(frame[source]) if kind == "count" else parse_percent(frame[source])
    invalid = (parsed["status"] == "invalid").to_numpy()
    out = frame.assign(**{target: parsed["value"].astype("float64")})
    if not invalid.any():
        return out
    negative = np.zeros(len(frame), dtype=bool)
    if kind == "count":
        signed = parse_counts(frame[source], allow_negative=True)
        negative = invalid & (signed["status"] == "ok").to_numpy()
    shown = out.assign(**{target: frame[source].astype("string")})
    missing = pd.Series(pd.NA, index=frame.index, dtype="string")
    if negative.any():
        log.repair(shown, negative, column=target, new_values=missing, table=table,
                   step=f"negative-{target}",
                   reason=f"{label!r} is negative: a count cannot be; set to missing")
    unparsed = invalid & ~negative
    if unparsed.any():
        log.repair(shown, unparsed, column=target, new_values=missing, table=table,
                   step=f"parse-{target}",
                   reason=f"{label!r} is not a valid {kind}; set to missing")
    return out

