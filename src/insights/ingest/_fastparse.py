"""A single-pass parser of display counts over Arrow's string buffers, compiled with numba.

:func:`insights.ingest.parsing.parse_counts` runs this first: one pass over each string's bytes
decides its status, value and resolution, where the Arrow path runs about fifteen string kernels.
It handles the common case exactly and *declines* the rest, which the Arrow path then parses:

* strings with a non-ASCII byte (``—``, Unicode white space or digits);
* numbers whose digits do not fit Clinger's fast path (more than 15 significant digits, or a
  power of ten beyond 10^22), where one multiplication would not be correctly rounded.

Within those limits the value is ``M * 10**E`` (or ``M / 10**-E``) with ``M`` and ``10**|E|``
exact doubles, which IEEE arithmetic rounds correctly, so it equals Arrow's cast of the same
decimal literal. The grammar is the Arrow path's (``parsing._COUNT_RE`` after
``parsing._normalise``); ``tests/test_parsing.py`` checks the two agree on random strings.

`numba <https://numba.pydata.org>`_ compiles the loop (a well-kept JIT for numerical Python)
instead of a C extension the project would have to build and ship.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

__all__ = ["parse_count_buffers", "parse_counts_fast"]

_WS = (32, 9, 10, 11, 12, 13)  # ASCII white space: what utf8_trim_whitespace strips in ASCII
_QUOTE = (34, 39)  # " and '
_OK, _MISSING, _INVALID, _DECLINED = 0, 1, 2, 3
_POW10 = np.array([10.0**k for k in range(23)])


def _token_table(tokens) -> tuple[np.ndarray, np.ndarray]:
    ascii_tokens = sorted(t for t in tokens if t.isascii())
    width = max((len(t) for t in ascii_tokens), default=1)
    table = np.zeros((len(ascii_tokens), max(width, 1)), dtype=np.uint8)
    lengths = np.zeros(len(ascii_tokens), dtype=np.int64)
    for row, token in enumerate(ascii_tokens):
        raw = token.encode("ascii")
        table[row, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        lengths[row] = len(raw)
    return table, lengths


@njit(cache=True, inline="always")
def _is_ws(c):
    return c == 32 or (9 <= c <= 13)


@njit(cache=True, inline="always")
def _lower(c):
    return c + 32 if 65 <= c <= 90 else c


@njit(cache=True)
def parse_count_buffers(offsets, data, valid, tokens, token_lengths, allow_negative, pow10):
    """Status (0 ok, 1 missing, 2 invalid, 3 declined) per string, and a (2, n) array of
    values and resolutions (NaN unless ok)."""
    n = offsets.size - 1
    status = np.empty(n, np.int8)
    numbers = np.full((2, n), np.nan)  # value, resolution: one block for pandas, no copy
    value = numbers[0]
    resolution = numbers[1]
    for i in range(n):
        if not valid[i]:
            status[i] = _MISSING
            continue
        a, b = offsets[i], offsets[i + 1]
        declined = False
        for j in range(a, b):
            c = data[j]
            if c >= 128 or (c < 32 and not 9 <= c <= 13):  # non-ASCII, control characters
                declined = True
                break
        if declined:
            status[i] = _DECLINED
            continue
        # normalise: white space, then quotes, then white space again (as parsing._normalise)
        while a < b and _is_ws(data[a]):
            a += 1
        while b > a and _is_ws(data[b - 1]):
            b -= 1
        while a < b and (data[a] == 34 or data[a] == 39):
            a += 1
        while b > a and (data[b - 1] == 34 or data[b - 1] == 39):
            b -= 1
        while a < b and _is_ws(data[a]):
            a += 1
        while b > a and _is_ws(data[b - 1]):
            b -= 1
        # explicit missing tokens (lower case)
        length = b - a
        missing = False
        for t in range(tokens.shape[0]):
            if token_lengths[t] != length:
                continue
            same = True
            for j in range(length):
                if _lower(data[a + j]) != tokens[t, j]:
                    same = False
                    break
            if same:
                missing = True
                break
        if missing:
            status[i] = _MISSING
            continue
        negative = False
        if a < b and data[a] == 45:  # '-'
            negative = True
            a += 1
            if not allow_negative:
                status[i] = _INVALID
                continue
        # mantissa: [digits with optional thousands commas][.digits]
        j = a
        mantissa = 0
        digits = 0  # significant digits taken into the mantissa
        int_digits = 0
        group = 0  # digits since the last comma (or the start)
        commas = 0
        bad = False
        while j < b:
            c = data[j]
            if 48 <= c <= 57:
                if digits > 0 or c != 48:
                    if digits < 16:  # beyond 15 digits the row is declined anyway
                        mantissa = mantissa * 10 + (c - 48)
                    digits += 1
                int_digits += 1
                group += 1
                j += 1
            elif c == 44:  # ','
                if int_digits == 0 or (commas == 0 and group > 3) or (commas > 0 and group != 3):
                    bad = True
                    break
                commas += 1
                group = 0
                j += 1
            else:
                break
        if not bad and commas > 0 and group != 3:
            bad = True
        decimals = 0
        if not bad and j < b and data[j] == 46:  # '.'
            j += 1
            start = j
            while j < b and 48 <= data[j] <= 57:
                if digits > 0 or data[j] != 48:
                    if digits < 16:
                        mantissa = mantissa * 10 + (data[j] - 48)
                    digits += 1
                decimals += 1
                j += 1
            if j == start:
                bad = True  # "5." has no fraction digits
        if not bad and int_digits == 0 and decimals == 0:
            bad = True  # no number at all
        power = 0
        exponent = 0
        if not bad and j < b:
            c = _lower(data[j])
            if (c == 32 or c == 9 or c == 10 or c == 12 or c == 13) and j + 1 < b:  # RE2 \s
                c2 = _lower(data[j + 1])
                if (c2 == 107 or c2 == 109 or c2 == 98) and j + 2 == b:
                    power = 3 if c2 == 107 else (6 if c2 == 109 else 9)
                    j = b
                else:
                    bad = True
            elif (c == 107 or c == 109 or c == 98) and j + 1 == b:  # k m b
                power = 3 if c == 107 else (6 if c == 109 else 9)
                j = b
            elif c == 101:  # e
                j += 1
                sign = 1
                if j < b and (data[j] == 43 or data[j] == 45):
                    sign = -1 if data[j] == 45 else 1
                    j += 1
                start = j
                while j < b and 48 <= data[j] <= 57 and j - start < 3:
                    exponent = exponent * 10 + (data[j] - 48)
                    j += 1
                if j == start or j != b:
                    bad = True
                exponent *= sign
            else:
                bad = True
        if bad or j != b:
            status[i] = _INVALID
            continue
        if digits > 15:
            status[i] = _DECLINED
            continue
        scale = power + exponent - decimals
        if mantissa == 0:
            number = 0.0
        elif 0 <= scale <= 22:
            number = mantissa * pow10[scale]
        elif -22 <= scale < 0:
            number = mantissa / pow10[-scale]
        else:
            status[i] = _DECLINED
            continue
        if negative:
            number = -number
        value[i] = number
        resolution[i] = 0.5 * np.power(10.0, float(scale))
        status[i] = _OK
    return status, numbers


def parse_counts_fast(array: pa.Array, tokens, *, allow_negative: bool):
    """Run :func:`parse_count_buffers` on an Arrow string array.

    Returns ``status`` (0 ok, 1 missing, 2 invalid, 3 declined: parse on the Arrow path) and
    a ``(2, n)`` array holding the values and resolutions (NaN unless ok).
    """
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    _, offsets_buffer, data_buffer = array.buffers()
    start = array.offset
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[start: start + len(array) + 1]
    data = (np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None
            else np.zeros(0, dtype=np.uint8))
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    table, lengths = _token_table(tokens)
    return parse_count_buffers(offsets, data, valid, table, lengths, bool(allow_negative), _POW10)
