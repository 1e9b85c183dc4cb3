"""Read an analyst's own export, map its columns, clean it and keep the cleaning log.

This is the front half of ``insights report FILE`` (:mod:`insights.reporting`): it turns a creator
list or a post export, in whatever shape a client or an influencer platform produced it, into
a canonical ``posts`` or ``creators`` table (:mod:`insights.schemas`) plus a
:class:`~insights.ingest.cleanlog.CleaningLog` of every repaired or dropped row.

Steps
-----
1. :func:`read_table` reads CSV/TSV/TXT (delimiter sniffed), Excel (``.xlsx``/``.xlsm``, with
   openpyxl) and JSON (records, ``{"data": [...]}`` or JSON lines, nested objects flattened)
   as text. The encoding is detected: a byte-order mark, else UTF-8, else
   `charset-normalizer <https://charset-normalizer.readthedocs.io>`_ (the detector that
   requests uses), rather than guessing by hand. ``encoding=`` forces one.
2. :func:`map_columns` matches column names against the alias table
   ``insights/data/column_aliases.tsv`` (:func:`aliases`), after :func:`normalise_name`
   (case, punctuation, ``camelCase`` and ``(Avg.)`` decorations do not matter). The first
   alias of a field in the table wins; ``overrides`` (``--map field=column``) beat the table.
3. :func:`detect_level` decides whether rows are posts or creators.
4. :func:`clean` parses counts and money with :mod:`insights.ingest.parsing`, dates, the platform,
   and drops or repairs rows with a logged reason.

Every problem that stops the analysis raises :class:`InputError`, whose message is one line
that says what is wrong and what to do.

Examples
--------
>>> normalise_name("Likes (Avg.)"), normalise_name("followers_count"), normalise_name("diggCount")
('likes avg', 'followers count', 'digg count')
>>> table = pd.DataFrame({"Youtuber": ["a", "b"], "Subscribers": ["1.2M", "30K"],
...                       "Likes (Avg.)": ["5K", "900"]})
>>> mapping = map_columns(table.columns)
>>> mapping.columns["followers"], mapping.columns["likes"], mapping.per["likes"]
('Subscribers', 'Likes (Avg.)', 'average')
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from insights import metrics, schemas
from insights.ingest.cleanlog import CleaningLog
from insights.ingest.parsing import parse_column

__all__ = [
    "COUNT_FIELDS",
    "CURRENCY_CODES",
    "ENGAGEMENT_FIELDS",
    "FIELDS",
    "MODES",
    "MONEY_FIELDS",
    "ColumnMap",
    "InputError",
    "Intake",
    "RawTable",
    "aliases",
    "clean",
    "detect_level",
    "load",
    "map_columns",
    "normalise_name",
    "parse_map_options",
    "read_table",
]

#: Canonical fields an export can provide, with what each means.
FIELDS: dict[str, str] = {
    "creator": "creator handle (account name)",
    "post_id": "post id (post-level exports)",
    "platform": "platform of the row (instagram, tiktok, youtube, ...)",
    "followers": "followers / subscribers of the creator",
    "likes": "likes (per post, or a creator's average per post)",
    "comments": "comments (per post, or average per post)",
    "shares": "shares / retweets (per post, or average per post)",
    "views": "views / plays (per post, or average per post)",
    "engagements": "engagements as the export counts them (used when likes/comments are absent)",
    "engagement_rate": "engagement rate in % of followers (used only when no engagement count "
                       "is given: engagements are then derived as rate x followers, and flagged)",
    "fee": "what was paid for the post (money)",
    "revenue": "revenue attributed to the post (money)",
    "currency": "currency of fee and revenue",
    "impressions": "impressions of a paid post",
    "clicks": "clicks of a paid post",
    "conversions": "conversions (orders) of a paid post",
    "posted_at": "when the post was published",
    "collected_at": "when the counts were read",
    "category": "creator category / niche",
}
#: Fields holding counts (parsed with :func:`insights.ingest.parsing.parse_counts`).
COUNT_FIELDS = (
    "followers", "likes", "comments", "shares", "views", "engagements", "impressions", "clicks",
    "conversions",
)
#: Fields holding money (currency markers stripped, then parsed as counts).
MONEY_FIELDS = ("fee", "revenue")
#: Fields that count as engagement, in order of preference.
ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "engagements")
#: What a cleaned file can support (:attr:`Intake.mode`): the engagement claims, revenue per
#: follower (revenue and no engagement column), or a description of the roster (followers only).
MODES = ("engagement", "revenue", "roster")
#: Counts no real account or post reaches, per field: the largest account on any platform has
#: about 0.65 billion followers, the most-liked post about 60 million likes and the most-viewed
#: video about 16 billion views (2025). A value above its bound is a unit or mapping error
#: (``1e30``, an id mapped as a count); the row is left out and logged, and the report says so.
IMPLAUSIBLE = {"followers": 1e9, "likes": 1e9, "comments": 1e9, "shares": 1e9,
               "engagements": 1e10, "views": 1e11}
#: Rows are posts when at least this share of the rows repeat a handle of an earlier row; a
#: few repeats in a creator list are duplicates, dropped and logged (``--level`` overrides).
POSTS_REPEAT_SHARE = 0.1
#: Per-post fields that are renamed ``avg_<field>`` in a creators table.
_AVERAGED = ("likes", "comments", "shares", "views", "engagements")
_PER_VALUES = ("post", "average", "any")
_PLATFORM_NAMES = {
    "ig": "instagram", "insta": "instagram", "instagram": "instagram",
    "tiktok": "tiktok", "tik tok": "tiktok", "tt": "tiktok", "douyin": "tiktok",
    "youtube": "youtube", "yt": "youtube", "youtube shorts": "youtube",
    "twitter": "twitter", "x": "twitter", "facebook": "facebook", "fb": "facebook",
    "twitch": "twitch",
}
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW"}
_SYMBOL_RE = r"([$€£¥₹₩])"
#: ISO 4217 codes recognised in money cells ("EUR 300", "300 usd"); other words are not money.
CURRENCY_CODES = (
    "USD", "EUR", "GBP", "JPY", "CNY", "INR", "KRW", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK",
    "DKK", "PLN", "CZK", "HUF", "RON", "TRY", "RUB", "UAH", "BRL", "MXN", "ARS", "CLP", "COP",
    "PEN", "ZAR", "NGN", "KES", "EGP", "MAD", "AED", "SAR", "QAR", "ILS", "SGD", "HKD", "TWD",
    "THB", "MYR", "IDR", "PHP", "VND", "PKR", "BDT",
)
_CODES = "|".join(CURRENCY_CODES)
_CODE_RE = (rf"(?i:^\s*({_CODES})(?=[\s\d$€£¥₹₩.,-])|(?<=[\d\s.])({_CODES})\s*$)")
_SUFFIXES = {".csv": "delimited", ".tsv": "delimited", ".tab": "delimited", ".txt": "delimited",
             ".xlsx": "excel", ".xlsm": "excel", ".json": "json", ".jsonl": "jsonl",
             ".ndjson": "jsonl"}
_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]


class InputError(ValueError):
    """A problem with the analyst's file or options; the message is one line, no traceback."""


# --------------------------------------------------------------------------------------------
# alias table


def normalise_name(name: object) -> str:
    """Column name as compared with the alias table: lower case words, no punctuation.

    ``camelCase`` is split, every run of characters other than letters and digits becomes one
    space, and a leading ``#`` or ``n_``-style prefix is kept as a word (``n_plays`` ->
    ``n plays``).

    Examples
    --------
    >>> [normalise_name(n) for n in ["#Followers", " Engagement average\\n", "authorMeta.fans"]]
    ['followers', 'engagement average', 'author meta fans']
    """
    text = str(name)
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    text = re.sub(r"[\W_]+", " ", text.casefold())
    return text.strip()


@cache
def _alias_table() -> pd.DataFrame:
    source = resources.files("insights") / "data" / "column_aliases.tsv"
    with source.open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, sep="\t", dtype=str, keep_default_na=False)
    _validate_aliases(table)
    return table


def _validate_aliases(table: pd.DataFrame) -> None:
    expected = ["field", "alias", "per", "note"]
    if list(table.columns) != expected:
        raise ValueError(f"column_aliases.tsv: columns {list(table.columns)}, expected {expected}")
    unknown = sorted(set(table["field"]) - set(FIELDS))
    if unknown:
        raise ValueError(f"column_aliases.tsv: unknown fields {unknown}")
    bad_per = table.loc[~table["per"].isin(_PER_VALUES), "per"]
    if len(bad_per):
        raise ValueError(f"column_aliases.tsv: 'per' must be one of {_PER_VALUES}, "
                         f"rows {list(bad_per.index + 2)} have {sorted(set(bad_per))}")
    normal = table["alias"].map(normalise_name)
    not_normal = table.loc[normal != table["alias"], "alias"]
    if len(not_normal):
        raise ValueError(f"column_aliases.tsv: aliases must be written normalised; "
                         f"{list(not_normal)} are not")
    repeated = table.loc[table["alias"].duplicated(keep=False), "alias"]
    if len(repeated):
        raise ValueError(f"column_aliases.tsv: aliases {sorted(set(repeated))} appear twice")


def aliases() -> pd.DataFrame:
    """The alias table: ``field, alias, per, note``, one row per known column name.

    ``alias`` is written normalised (:func:`normalise_name`); ``per`` says whether such a
    column holds per-post values (``post``), a creator's averages (``average``) or either
    (``any``). Within a field, earlier rows win when a file has several matching columns.

    Examples
    --------
    >>> table = aliases()
    >>> table.loc[table["alias"] == "n plays", ["field", "per"]].iloc[0].tolist()
    ['views', 'post']
    """
    return _alias_table().copy()


# --------------------------------------------------------------------------------------------
# reading


@dataclass(frozen=True)
class RawTable:
    """A file read as text: every cell a string (or missing), columns as in the file."""

    frame: pd.DataFrame
    path: Path
    format: str
    encoding: str | None
    notes: tuple[str, ...] = ()


def read_table(
    path: str | Path, *, encoding: str | None = None, sheet: str | int | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read a CSV, TSV, Excel or JSON export as text, detecting the encoding.

    Parameters
    ----------
    path : str or Path
        The file; it is only read.
    encoding : str, optional
        Force a text encoding (default: detect).
    sheet : str or int, optional
        Excel sheet (default: every sheet considered, see :func:`_read_excel`).
    header_row : int, optional
        The line (text files) or sheet row (Excel) of the header, counted from 1 (default:
        detected past titles and notes above the table, :func:`_header_row`).

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        Missing path, a folder, an empty file, a header without rows, an unknown format, an
        encoding that does not decode, or content that is not a table.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(_SUFFIXES))
        raise InputError(
            f"{path}: unknown format "
            f"{repr(path.suffix) if path.suffix else '(no extension)'}; "
            f"insights reads {known} (save the export as CSV if in doubt)"
        )
    notes: list[str] = []
    if kind == "excel":
        frame = _read_excel(path, sheet, notes, header_row)
        used = None
    else:
        data = path.read_bytes()
        if data[:4] == b"PK\x03\x04":
            raise InputError(f"{path}: this is a zip archive (an Excel workbook?), not text; "
                             "give it the .xlsx extension or export it as CSV")
        text, used = _decode(path, data, encoding)
        if not text.strip():
            raise InputError(f"{path}: the file holds no data (only whitespace)")
        if kind == "delimited":
            frame = _read_delimited(path, text, notes, header_row)
        else:
            frame = _read_json(path, text, lines=kind == "jsonl")
        if used not in ("utf-8", "utf-8-sig", "ascii"):
            notes.append(f"text encoding detected as {used}")
    if frame.shape[1] == 0:
        raise InputError(f"{path}: no columns found")
    if len(frame) == 0:
        raise InputError(
            f"{path}: the file has a header ({_preview(frame.columns)}) but no data rows"
        )
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame, path, kind, used, tuple(notes))


def _preview(columns: Iterable[object], limit: int | None = 12) -> str:
    """The column names, quoted; at most ``limit`` of them (None: every one, as a refusal
    that asks the analyst to name a column must show them all)."""
    names = [repr(str(c)) for c in columns]
    if limit is None or len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", ... ({len(names)} in all)"


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r} (try utf-8, latin-1, cp1252, "
                             "utf-16)") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not valid {encoding} (byte {exc.start} is 0x{data[exc.start]:02x}); "
                "leave out --encoding to detect the encoding"
            ) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}: starts with a {name} byte-order mark but does not decode as "
                    f"{name} (byte {exc.start})"
                ) from None
    sample = data[:65536]
    if b"\x00" in sample:  # text with NULs: UTF-16 without a byte-order mark, or binary
        half = max(len(sample) // 2, 1)
        for name, nuls in (("utf-16-le", sample[1::2].count(0)),
                           ("utf-16-be", sample[0::2].count(0))):
            if nuls > 0.4 * half:
                try:
                    return data.decode(name), name
                except UnicodeDecodeError:
                    break
        raise InputError(
            f"{path}: could not detect the text encoding (is it a binary file?); "
            "pass --encoding NAME if it is text"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _western_guess(data)
    if guess is not None:
        return guess, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is None:
        raise InputError(
            f"{path}: could not detect the text encoding (is it a binary file?); "
            "pass --encoding NAME if it is text"
        )
    name = best.encoding
    try:
        return data.decode(name), name
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: looks like {name} but byte {exc.start} does not decode; "
            "pass --encoding NAME"
        ) from None


_WESTERN_PUNCTUATION = set("€‚„…†‡‰‹‘’“”•–—™› «»°±²³µ·¹º¼½¾¿×÷§¶©®¢£¥¦¨¬¯´¸")


def _western_guess(data: bytes) -> str | None:
    """Decode a short non-UTF-8 file as cp1252 when that gives only Latin letters.

    Detectors need enough non-ASCII bytes to tell single-byte encodings apart; on a file with
    a handful (a short creator list with "José Müller") they can pick a Central European or
    Mac code page and garble the names. Windows Excel writes cp1252, so for files with fewer
    than 64 non-ASCII bytes cp1252 is taken when every non-ASCII character it yields is a
    Latin letter (U+00C0 to U+024F) or common Western punctuation. Larger files go to the
    detector.
    """
    high = len(data[:65536].translate(None, bytes(range(0x80))))  # bytes >= 0x80
    if high >= 64:
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    odd = [c for c in set(text) if ord(c) >= 0x80
           and not (0xC0 <= ord(c) <= 0x24F and c.isalpha()) and c not in _WESTERN_PUNCTUATION]
    return None if odd else text


#: Lines searched for the header row past titles and notes an export puts above its table.
_HEADER_SCAN = 30


def _header_row(widths: Sequence[int], filled: Sequence[bool]) -> int:
    """The index of the header among the first rows of a file: the first row that fills more
    than half as many cells as the table's usual row (the most common count among the rows
    scanned, at least 2); the rows above fill fewer (a title, a note, a blank line). 0 when
    the first row is the header or no row fills more than one cell.

    Examples
    --------
    >>> _header_row([1, 0, 4, 4, 4, 3], [False, False, True, True, True, True])
    2
    >>> _header_row([4, 4, 4], [True] * 3)
    0
    """
    usable = [w for w, f in zip(widths, filled, strict=True) if f]
    if not usable:
        return 0
    common = pd.Series(usable).mode().max()
    if common < 2:
        return 0
    enough = max(2, common // 2 + 1)  # a header may leave a cell empty (an index column)
    for index, (width, ok) in enumerate(zip(widths[:_HEADER_SCAN], filled, strict=False)):
        if ok and width >= enough:
            return index
    return 0


def _check_header_row(path: Path, header_row: int | None, rows: int) -> None:
    if header_row is not None and not 1 <= header_row <= rows:
        raise InputError(f"{path}: --header-row {header_row} is outside the file's {rows:,} "
                         "rows (counted from 1)")


def _read_delimited(path: Path, text: str, notes: list[str],
                    header_row: int | None = None) -> pd.DataFrame:
    if path.suffix.lower() in (".tsv", ".tab"):
        sep = "\t"
    else:
        sample = text[:65536]
        try:
            sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
        header = sample.splitlines()[0] if sample.splitlines() else ""
        if sep != "," and header.count(",") > header.count(sep):
            sep = ","
        if sep != ",":
            notes.append(f"columns separated by {sep!r}")
    lines = text.splitlines()
    _check_header_row(path, header_row, len(lines))
    if header_row is not None:
        skip = header_row - 1
    else:
        filled = [sum(bool(cell.strip()) for cell in row)
                  for row in csv.reader(lines[:_HEADER_SCAN + 20], delimiter=sep)]
        skip = _header_row(filled, [w > 1 for w in filled])
    if skip:
        notes.append(f"the header is line {skip + 1}; the {skip} line{'s' * (skip > 1)} above "
                     "it (titles, notes, blank lines) are not part of the table")
        text = "\n".join(lines[skip:])
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file holds no data") from None
    except pd.errors.ParserError as exc:
        message = " ".join(str(exc).split())
        raise InputError(f"{path}: not a well-formed table: {message}") from None


def _read_excel(path: Path, sheet: str | int | None, notes: list[str],
                header_row: int | None = None) -> pd.DataFrame:
    """Read a workbook. With ``sheet`` that sheet; otherwise every sheet is considered: the
    sheets that hold a handle and a follower column are the table, combined (with a ``sheet``
    column) when they have the same columns, else the one with the most rows; the sheets not
    used are named in the notes. A workbook with no such sheet is refused, naming each
    sheet's columns."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl/zipfile raise many types for a broken workbook
        raise InputError(f"{path}: cannot open as an Excel workbook ({_one_line(exc)})") from None
    with book:
        names = book.sheet_names
        if sheet is not None:
            if isinstance(sheet, str) and sheet not in names:
                raise InputError(f"{path}: no sheet {sheet!r}; sheets are {names}")
            if isinstance(sheet, int) and not 0 <= sheet < len(names):
                raise InputError(f"{path}: no sheet number {sheet} (0-based); sheets are "
                                 f"{names}")
            if len(names) > 1:
                notes.append(f"read sheet {sheet!r} of {names}")
            return _sheet_frame(path, book, sheet, header_row, notes)
        sheet_notes: dict[str, list[str]] = {name: [] for name in names}
        frames = {name: _sheet_frame(path, book, name, header_row, sheet_notes[name])
                  for name in names}
    if len(names) == 1:
        notes.extend(sheet_notes[names[0]])
        return frames[names[0]]
    tables = [name for name, frame in frames.items() if _holds_creators(frame)]
    for name in tables:
        notes.extend(f"sheet {name!r}: {note}" for note in sheet_notes[name])
    if not tables:
        listed = "; ".join(f"{name!r}: {_preview(frame.columns, limit=8) or 'empty'}"
                           for name, frame in frames.items())
        raise InputError(f"{path}: no sheet has both a handle and a follower column ({listed});"
                         " choose one with --sheet NAME and name its columns with --map")
    unused = [name for name in names if name not in tables]
    same = len({tuple(frames[name].columns) for name in tables}) == 1
    if len(tables) > 1 and same:
        frame = pd.concat([frames[name].assign(sheet=name) for name in tables],
                          ignore_index=True)
        notes.append(f"combined sheets {', '.join(map(repr, tables))} (the same columns; column "
                     "'sheet' says which)" + (f"; not used: {unused}" if unused else ""))
        return frame
    chosen = max(tables, key=lambda name: len(frames[name]))
    others = [name for name in names if name != chosen]
    notes.append(f"read sheet {chosen!r}, the " + ("one" if len(tables) == 1 else "largest")
                 + f" with handles and follower counts; not used: {others} (--sheet to choose)")
    return frames[chosen]


def _holds_creators(frame: pd.DataFrame) -> bool:
    mapped = map_columns(frame.columns).columns if len(frame.columns) else {}
    return "creator" in mapped and "followers" in mapped and len(frame) > 0


def _sheet_frame(path: Path, book: pd.ExcelFile, sheet: str | int, header_row: int | None,
                 notes: list[str]) -> pd.DataFrame:
    """One sheet as text, its header found past titles and notes (or at ``header_row``)."""
    grid = pd.read_excel(book, sheet_name=sheet, dtype=str, header=None)
    _check_header_row(path, header_row, len(grid))
    if header_row is not None:
        grid = grid.iloc[header_row - 1:]
    grid = grid.dropna(how="all").reset_index(drop=True)
    if grid.empty:
        return pd.DataFrame()
    skip = 0
    if header_row is None:
        filled = grid.head(_HEADER_SCAN + 20).notna().sum(axis=1).tolist()
        skip = _header_row(filled, [w > 1 for w in filled])
    if skip:
        notes.append(f"the header is row {skip + 1} of the sheet's filled rows; the {skip} "
                     f"row{'s' * (skip > 1)} above it are not part of the table")
    header = grid.iloc[skip]
    width = int(grid.iloc[skip:].notna().any().to_numpy().nonzero()[0].max()) + 1
    columns, seen = [], {}
    for i, cell in enumerate(header[:width]):  # named and de-duplicated as pandas would
        name = str(cell).strip() if pd.notna(cell) else f"Unnamed: {i}"
        count = seen.get(name, 0)
        seen[name] = count + 1
        columns.append(name if not count else f"{name}.{count}")
    frame = grid.iloc[skip + 1:, :width].set_axis(columns, axis=1).reset_index(drop=True)
    return frame.dropna(how="all")


def _read_json(path: Path, text: str, *, lines: bool) -> pd.DataFrame:
    number = 0
    try:
        if lines:
            records = []
            for number, line in enumerate(text.splitlines(), start=1):  # noqa: B007
                if line.strip():
                    records.append(json.loads(line))
        else:
            records = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {number if lines else exc.lineno}, column {exc.colno}"
        raise InputError(f"{path}: not valid JSON ({where}: {exc.msg})") from None
    if isinstance(records, dict):
        lists = [v for v in records.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError(
                f"{path}: a JSON object with {len(lists)} lists; expected a list of records "
                "or an object holding exactly one list of records"
            )
        records = lists[0]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{path}: expected a JSON list of records (objects)")
    frame = pd.json_normalize(records) if records else pd.DataFrame()
    if records and frame.shape[1] == 0:
        raise InputError(f"{path}: the JSON records have no fields")
    return frame.astype("object").where(frame.notna(), None).map(
        lambda v: v if v is None or isinstance(v, str) else json.dumps(v)
        if isinstance(v, list | dict) else str(v)
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------------------------
# column mapping


@dataclass(frozen=True)
class ColumnMap:
    """Which column of the file holds each field.

    Attributes
    ----------
    columns : dict
        field -> column name in the file.
    per : dict
        field -> ``post``, ``average`` or ``any`` (from the alias that matched; ``--map``
        gives ``any``).
    how : dict
        field -> ``alias 'x'`` or ``--map``.
    ignored : dict
        field -> other columns that also matched a (lower-priority) alias.
    found : tuple
        Every column of the file.
    """

    columns: dict[str, str]
    per: dict[str, str]
    how: dict[str, str]
    ignored: dict[str, list[str]]
    found: tuple[str, ...]

    def table(self) -> pd.DataFrame:
        """One row per mapped field: ``field, column, how, per, also_matched``."""
        return pd.DataFrame(
            [
                {"field": f, "column": c, "how": self.how[f], "per": self.per[f],
                 "also_matched": ", ".join(self.ignored.get(f, []))}
                for f, c in self.columns.items()
            ],
            columns=["field", "column", "how", "per", "also_matched"],
        )


def parse_map_options(items: Sequence[str] | None) -> dict[str, str]:
    """Parse ``--map field=column`` options into a dict.

    Examples
    --------
    >>> parse_map_options(["followers=Fans (total)", "creator = Handle"])
    {'followers': 'Fans (total)', 'creator': 'Handle'}
    """
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, column = item.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise InputError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map "
                             "followers='Follower count'")
        if name not in FIELDS:
            raise InputError(f"--map {item!r}: unknown field {name!r}; fields are "
                             f"{', '.join(FIELDS)}")
        if name in out:
            raise InputError(f"--map names field {name!r} twice")
        out[name] = column
    return out


def _plain_share(values: pd.Series) -> float:
    """Share of the non-empty values that are plain numbers (``2013``, ``2013.0``), not
    display strings (``2K``, ``1,2M``)."""
    text = values.astype("string").str.strip()
    text = text[text.notna() & (text != "")]
    if not len(text):
        return 0.0
    return float(text.str.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?").mean())


def _alias_key(key: str, rank: Mapping[str, int],
               one_word: Iterable[str] = ()) -> tuple[int, str] | None:
    """The alias a normalised column name matches, with its rank: the whole name, else its
    last words (``author stats follower count`` -> ``follower count``: the nested keys of
    platform APIs and scrapers, flattened with dots). A match on fewer words ranks after
    every whole-name match, and after matches that drop fewer words. A single last word
    matches only if it is in ``one_word`` (the count aliases: ``authorMeta.fans``), because
    one generic word says too little (``user id`` is not a post id, ``growth rate`` not a
    fee)."""
    words = key.split()
    allowed = set(one_word)
    for dropped in range(len(words)):
        tail = " ".join(words[dropped:])
        if tail in rank and (dropped == 0 or len(words) - dropped > 1 or tail in allowed):
            return dropped * len(rank) + rank[tail], tail
    return None


def map_columns(
    columns: Iterable[object], overrides: Mapping[str, str] | None = None,
    frame: pd.DataFrame | None = None,
) -> ColumnMap:
    """Match a file's columns to fields using the alias table and ``--map`` overrides.

    A column matches an alias by its whole normalised name or, failing that, by its last
    words (nested keys such as ``authorStats.followerCount`` or ``public_metrics.like_count``).
    When several columns match a count field and ``frame`` (the file's rows) is given, the
    column whose values are plain numbers beats one of display strings (an exact
    ``followerCount`` of 2013 over a rounded ``followers`` of "2K").

    Parameters
    ----------
    columns : iterable of str
        The file's column names.
    overrides : mapping, optional
        field -> column, beating the alias table (the ``--map`` option).
    frame : DataFrame, optional
        The file's rows, to prefer exact numbers over display strings.

    Raises
    ------
    InputError
        If an override names a column the file does not have, or two columns match a field
        with the same alias.
    """
    found = tuple(str(c) for c in columns)
    overrides = dict(overrides or {})
    for name, column in overrides.items():
        if name not in FIELDS:
            raise InputError(f"--map: unknown field {name!r}; fields are {', '.join(FIELDS)}")
        if column not in found:
            raise InputError(
                f"--map {name}={column}: the file has no column {column!r}; "
                f"columns found: {_preview(found, limit=None)}"
            )
    table = _alias_table()
    rank = {alias: i for i, alias in enumerate(table["alias"])}
    by_alias = table.set_index("alias")
    counts = {a for a, f in zip(table["alias"], table["field"], strict=True)
              if f in COUNT_FIELDS and " " not in a}
    taken = set(overrides.values())
    candidates: dict[str, list[tuple[int, str, str]]] = {}
    for column in found:
        if column in taken:
            continue
        match = _alias_key(normalise_name(column), rank, counts)
        if match is not None:
            order, key = match
            field_name = by_alias.loc[key, "field"]
            if frame is not None and field_name in COUNT_FIELDS and column in frame.columns:
                order -= int(_plain_share(frame[column]) >= 0.9) * 100 * len(rank)
            candidates.setdefault(field_name, []).append((order, column, key))
    mapped: dict[str, str] = {}
    per: dict[str, str] = {}
    how: dict[str, str] = {}
    ignored: dict[str, list[str]] = {}
    for name in FIELDS:
        if name in overrides:
            mapped[name], per[name], how[name] = overrides[name], "any", "--map"
            others = [c for _, c, _ in candidates.get(name, [])]
            if others:
                ignored[name] = others
            continue
        options = sorted(candidates.get(name, []))
        if not options:
            continue
        best = options[0]
        ties = [c for r, c, _ in options if r == best[0]]
        if len(ties) > 1:
            raise InputError(
                f"columns {', '.join(map(repr, ties))} all look like {name}; choose one with "
                f"--map {name}=COLUMN"
            )
        mapped[name], per[name] = best[1], str(by_alias.loc[best[2], "per"])
        how[name] = (f"alias {best[2]!r}" if normalise_name(best[1]) == best[2]
                     else f"alias {best[2]!r} (the end of the name)")
        if frame is not None and name in COUNT_FIELDS and len(options) > 1 and (
                best[0] < 0 and options[1][0] >= 0):
            how[name] += ", exact numbers preferred over display strings"
        if len(options) > 1:
            ignored[name] = [c for _, c, _ in options[1:]]
    return ColumnMap(mapped, per, how, ignored, found)


def _require(colmap: ColumnMap, name: str, example: str) -> None:
    if name not in colmap.columns:
        raise InputError(
            f"no {FIELDS[name]} column; columns found: {_preview(colmap.found, limit=None)}; "
            f"name it with --map {name}={example}"
        )


def _check_needed(colmap: ColumnMap) -> None:
    """A handle and a follower count are needed; engagement is not (without it the file is a
    roster, or a revenue list, see :data:`MODES`)."""
    _require(colmap, "creator", "'Handle'")
    _require(colmap, "followers", "'Followers'")


def _has_engagement(colmap: ColumnMap) -> bool:
    return any(f in colmap.columns for f in (*ENGAGEMENT_FIELDS, "engagement_rate"))


# --------------------------------------------------------------------------------------------
# level


def detect_level(frame: pd.DataFrame, colmap: ColumnMap) -> tuple[str, str]:
    """Decide whether the rows are posts or creators, and say why.

    In order: a column whose alias means a creator *average* (``avg_likes``, ``Likes (Avg.)``)
    -> creators; handles that repeat on at least :data:`POSTS_REPEAT_SHARE` of the rows ->
    posts; a post id or a posting date -> posts; otherwise creators (a handle repeated on a
    few rows of a creator list is a duplicate, dropped and logged by :func:`clean`).

    Returns
    -------
    (level, reason)
        ``level`` is ``"posts"`` or ``"creators"``.
    """
    averages = [colmap.columns[f] for f, p in colmap.per.items() if p == "average"]
    if averages:
        return "creators", f"column {averages[0]!r} holds averages per creator"
    handles = frame[colmap.columns["creator"]].astype("string").str.strip()
    handles = handles[handles.notna() & (handles != "")]
    repeats = int(handles.duplicated().sum())
    if repeats and repeats >= POSTS_REPEAT_SHARE * len(handles):
        return "posts", (f"{handles.nunique():,} creators on {len(handles):,} rows: "
                         "handles repeat, so rows are posts")
    for name, what in (("post_id", "a post id"), ("posted_at", "a posting date")):
        if name in colmap.columns:
            return "posts", (f"column {colmap.columns[name]!r} is {what}; each row is a post")
    if repeats:
        return "creators", (f"{repeats:,} of {len(handles):,} rows repeat a handle (fewer than "
                            f"{POSTS_REPEAT_SHARE:.0%}) and there is no post column: rows are "
                            "creators and the repeats are duplicates (--level posts if not)")
    return "creators", "one row per handle and no post columns"


# --------------------------------------------------------------------------------------------
# cleaning


@dataclass
class Intake:
    """A cleaned export: the canonical table, its log and how it was read."""

    table: pd.DataFrame
    level: str
    level_reason: str
    log: CleaningLog
    colmap: ColumnMap
    raw: RawTable
    currency: str | None
    components: tuple[str, ...]
    notes: list[str] = field(default_factory=list)
    #: ``engagement`` (the claims can be tested), ``revenue`` (no engagement, revenue: revenue
    #: per follower instead) or ``roster`` (followers only: the roster is described).
    mode: str = "engagement"

    @property
    def rows_read(self) -> int:
        return len(self.raw.frame)


def _text(values: pd.Series) -> pd.Series:
    out = values.astype("string").str.strip()
    return out.mask(out == "")


_COMMA_DECIMAL = re.compile(r"^[^\d]*[-+]?\d{1,3}(?:\.\d{3})*,\d{1,2}\s*[KkMmBb]?[^\d]*$"
                            r"|\d\.\d{3},\d")
_POINT_DECIMAL = re.compile(r"\d,\d{3}\.\d|^[^\d]*[-+]?\d+\.\d{1,2}\s*[KkMmBb]?[^\d]*$")


def detect_decimal(values: Iterable[str]) -> str:
    """The decimal mark of a file's numbers: ``","`` when some value can only be read with a
    decimal comma (``12,5K``, ``1.234,5``, ``3,75``) and none only with a decimal point
    (``12.5K``, ``1,234.5``); otherwise ``"."`` (``1,234`` alone is a thousands comma).

    Examples
    --------
    >>> detect_decimal(["1.234,5", "12,5K", "300"]), detect_decimal(["1,234", "12.5K"])
    (',', '.')
    >>> detect_decimal(["12,5K", "3.5M"])  # both marks: ambiguous, the usual one
    '.'
    """
    text = pd.Series(list(values), dtype=object).dropna().astype(str).str.strip()
    comma = bool(text.str.contains(_COMMA_DECIMAL).any())
    point = bool(text.str.contains(_POINT_DECIMAL).any())
    return "," if comma and not point else "."


def _comma_to_point(text: pd.Series) -> pd.Series:
    """Numbers written with a decimal comma, rewritten with a point: ``1.234,5`` ->
    ``1234.5``, ``12,5K`` -> ``12.5K``."""
    return (text.str.replace(r"(?<=\d)\.(?=\d{3}(\D|$))", "", regex=True)
            .str.replace(",", ".", regex=False))


def _parse_count_field(frame, name, log, table, source) -> pd.DataFrame:
    return parse_column(frame.assign(**{name: _text(frame[name])}), name, name, log,
                        table=table, label=source)


def _split_money(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split money text into the number part and a currency code (NA where none is shown)."""
    symbol = text.str.extract(_SYMBOL_RE)[0].map(_CURRENCY_SYMBOLS)
    codes = text.str.extract(_CODE_RE)
    code = codes[0].fillna(codes[1]).str.upper().fillna(symbol).astype("string")
    number = text.str.replace(_SYMBOL_RE, "", regex=True)
    number = number.str.replace(_CODE_RE, "", regex=True).str.strip()
    return number, code


def _parse_money_field(frame, name, log, table, source) -> tuple[pd.DataFrame, str | None]:
    text = _text(frame[name])
    number, code = _split_money(text)
    present = code.dropna()
    kinds = sorted(present.unique())
    if len(kinds) > 1:
        rows = {k: list(frame.loc[present[present == k].index, "source_row"][:5]) for k in kinds}
        listed = "; ".join(f"{k} in rows {v}" for k, v in rows.items())
        raise InputError(
            f"column {source!r} mixes currencies ({listed}); convert to one currency first "
            "(mixed units are never summed)"
        )
    parsed = _parse_count_field(frame.assign(**{name: number}), name, log, table, source)
    return parsed, (kinds[0] if kinds else None)


def _utc(stamps: pd.Series, dtype) -> pd.Series:
    """``stamps`` as ``dtype`` (UTC); an all-missing result of a failed parse may be naive."""
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = pd.to_datetime(stamps, errors="coerce").dt.tz_localize("UTC")
    return stamps.astype(dtype)


_NUMBER_TEXT = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _parse_dates(frame, name, log, table, source) -> pd.DataFrame:
    text = _text(frame[name])
    # only strings written as a number go to to_numeric: it tries (and fails) a float parse of
    # every date string otherwise, 1.7 s per million rows
    looks_numeric = text.str.fullmatch(_NUMBER_TEXT).fillna(False).to_numpy(dtype=bool)
    numeric = pd.Series(np.nan, index=frame.index)
    if looks_numeric.any():
        numeric[looks_numeric] = pd.to_numeric(text[looks_numeric], errors="coerce")
    values = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    # Unix time is a number of 9+ digits (after 1973); shorter numbers such as 20201107 or
    # 2020 are dates written as digits and are parsed as text below.
    is_number = numeric.notna() & (numeric.abs() >= 1e8)
    if is_number.any():  # unix time: seconds, or milliseconds for values past year 5138
        millis = is_number & (numeric.abs() > 1e11)
        for mask, unit in ((is_number & ~millis, "s"), (millis, "ms")):
            if mask.any():
                values[mask] = pd.to_datetime(numeric[mask], unit=unit, utc=True,
                                              errors="coerce").astype(values.dtype)
    rest = text.notna() & ~is_number
    if rest.any():
        given = text[rest]
        parsed = pd.to_datetime(given, utc=True, errors="coerce", format="ISO8601")
        retry = parsed.isna()
        if retry.any():  # other layouts ("03/05/2024 14:00", "5 Mar 2024"), value by value
            distinct = given[retry].unique()
            mixed = pd.to_datetime(pd.Series(distinct), utc=True, errors="coerce",
                                   format="mixed")
            lookup = pd.Series(_utc(mixed, values.dtype).to_numpy(), index=pd.Index(distinct))
            again = _utc(given[retry].map(lookup), values.dtype)
            parsed = _utc(parsed, values.dtype).where(~retry, again)
        values[rest] = _utc(parsed, values.dtype)
    bad = (text.notna() & values.isna()).to_numpy()
    out = frame.assign(**{name: values})
    if bad.any():
        out = log.repair(frame.assign(**{name: text}), bad, column=name,
                         new_values=pd.Series(pd.NA, index=frame.index, dtype="string"),
                         table=table, step=f"parse-{name}",
                         reason=f"{source!r} is not a date; set to missing")
        out[name] = values.mask(bad)
    return out


def _platform_column(frame, colmap, platform, log, table) -> pd.DataFrame:
    if "platform" not in colmap.columns:
        return frame.assign(platform=platform or "other")
    text = _text(frame["platform"]).str.casefold()
    mapped = text.map(_PLATFORM_NAMES).fillna(text)
    known = mapped.isin(schemas.PLATFORMS)
    unknown = (~known).to_numpy()
    out = frame.assign(platform=mapped.where(known, platform or "other").astype("string"))
    if unknown.any():
        logged = log.repair(frame.assign(platform=text), unknown, column="platform",
                            new_values=pd.Series(platform or "other", index=frame.index),
                            table=table, step="platform",
                            reason=f"platform not one of {schemas.PLATFORMS}; set to "
                            f"{platform or 'other'!r}")
        out = logged.assign(platform=out["platform"])  # the log keeps the text as given
    return out


def clean(
    raw: RawTable,
    colmap: ColumnMap,
    *,
    level: str | None = None,
    platform: str | None = None,
    dataset: str | None = None,
    decimal: str | None = None,
    first_row: int = 1,
    whole: bool = True,
) -> Intake:
    """Clean a read file into a canonical posts or creators table, logging every change.

    Parameters
    ----------
    raw : RawTable
        From :func:`read_table` (not modified).
    colmap : ColumnMap
        From :func:`map_columns`.
    level : {"posts", "creators"}, optional
        Force the level (default :func:`detect_level`).
    platform : str, optional
        Platform of every row when the file has no platform column (default ``other``).
    dataset : str, optional
        Label of the data set (default the file name).
    decimal : {".", ","}, optional
        The decimal mark of the file's numbers (default :func:`detect_decimal` over the count
        and money columns).
    first_row : int
        ``source_row`` of the first row (1: a whole file; a block of a larger file gives its
        own first row, so every row keeps its line of the whole file).
    whole : bool
        ``raw`` is the whole file (default). ``False``: a block of a posts file cleaned on its
        own (:mod:`insights.ingest.blocks`, ``level="posts"`` and ``decimal`` required): the checks
        that need every row (at least two creators of different sizes, some engagement, some
        follower count) and the consistency notes are the caller's, and ``components`` is
        left empty for the caller to choose over all blocks. Duplicate posts are dropped
        within the block only.

    Raises
    ------
    InputError
        For a needed column that is missing, mixed currencies, no creator with a usable
        follower count, all followers zero, a single creator (after the implausible values
        are left out), one follower count for every creator, or no engagement values.
    """
    if platform is not None and platform not in schemas.PLATFORMS:
        raise InputError(f"platform {platform!r}: choose one of {', '.join(schemas.PLATFORMS)}")
    _check_needed(colmap)
    if not whole and (level != "posts" or decimal is None):
        raise ValueError("a block (whole=False) is cleaned as posts with a given decimal mark: "
                         "pass level='posts' and decimal")
    if level is None:
        level, reason = detect_level(raw.frame, colmap)
    elif level in ("posts", "creators"):
        reason = "level given by the caller"
    else:
        raise InputError(f"level {level!r}: choose posts or creators")
    table = level
    dataset = dataset or raw.path.name
    log = CleaningLog(dataset)
    source = {name: column for name, column in colmap.columns.items()}
    frame = pd.DataFrame({name: raw.frame[column] for name, column in source.items()})
    frame["source_file"] = raw.path.name
    frame["source_row"] = np.arange(first_row, first_row + len(frame), dtype="int64")
    log.note(table=table, step="read", rows_in=len(frame), rows_out=len(frame),
             description=f"read {raw.format} ({raw.encoding or 'Excel'}); {len(source)} "
             f"columns mapped: " + ", ".join(f"{n}<-{c!r}" for n, c in source.items()))

    notes = list(raw.notes)
    frame["creator"] = _text(frame["creator"])
    frame = log.drop(frame, frame["creator"].isna(), table=table, step="no-creator",
                     reason=f"no handle in {source['creator']!r}")
    numeric = [n for n in (*COUNT_FIELDS, *MONEY_FIELDS) if n in frame.columns]
    if decimal is None:
        sample = pd.concat([_text(frame[n]).dropna().head(5000) for n in numeric])
        decimal = detect_decimal(sample)
        if decimal == ",":
            notes.append("numbers are written with a decimal comma (e.g. 1.234,5 or 12,5K); "
                         "--decimal . if not")
    elif decimal not in (".", ","):
        raise InputError(f"decimal {decimal!r}: choose '.' or ','")
    if decimal == ",":
        frame = frame.assign(**{n: _comma_to_point(_text(frame[n])) for n in numeric})
        log.note(table=table, step="decimal-comma", rows_in=len(frame), rows_out=len(frame),
                 description="numbers read with a decimal comma: '.' groups thousands, ',' "
                 f"marks decimals, in {', '.join(repr(source[n]) for n in numeric)}")
    for name in COUNT_FIELDS:
        if name in frame.columns:
            frame = _parse_count_field(frame, name, log, table, source[name])
    currency = None
    for name in MONEY_FIELDS:
        if name in frame.columns:
            frame, found = _parse_money_field(frame, name, log, table, source[name])
            if found and currency and found != currency:
                raise InputError(f"fee is in {currency} but revenue in {found}; convert to one "
                                 "currency first (mixed units are never summed)")
            currency = currency or found
    if "currency" in frame.columns:
        codes = _text(frame["currency"]).str.upper()
        kinds = sorted(codes.dropna().unique())
        if len(kinds) > 1:
            raise InputError(f"column {source['currency']!r} mixes currencies {kinds}; convert "
                             "to one currency first (mixed units are never summed)")
        if kinds and currency and kinds[0] != currency:
            raise InputError(f"column {source['currency']!r} says {kinds[0]} but the amounts "
                             f"are marked {currency}")
        currency = kinds[0] if kinds else currency
        frame = frame.drop(columns="currency")
    for name in ("posted_at", "collected_at"):
        if name in frame.columns:
            frame = _parse_dates(frame, name, log, table, source[name])
    frame = _platform_column(frame, colmap, platform, log, table)

    if whole and len(frame) == 0:
        raise InputError(f"no row has a creator handle in column {source['creator']!r}")
    before = len(frame)
    followers = frame["followers"]
    frame = log.drop(frame, followers.isna().to_numpy(), table=table, step="no-followers",
                     reason=f"no usable follower count in {source['followers']!r}")
    zero = (frame["followers"] == 0).to_numpy()
    if whole and before and len(frame) == 0:
        raise InputError(f"no row has a usable follower count in column {source['followers']!r} "
                         f"(values such as {_examples(raw.frame[source['followers']])})")
    if whole and zero.all():
        raise InputError(f"all {len(frame):,} rows have 0 followers in column "
                         f"{source['followers']!r}: engagement per follower is undefined")
    frame = log.drop(frame, zero, table=table, step="zero-followers",
                     reason="0 followers: engagement per follower is undefined")

    frame, derived = _derive_engagements(frame, log, table, source)
    if derived:
        notes.append(derived)
    frame = _drop_implausible(frame, log, table, source)
    mode = "engagement"
    if not _has_engagement(colmap):
        # no engagement column at all: a roster (followers only) or a revenue list
        has_revenue = "revenue" in frame.columns and frame["revenue"].notna().any()
        mode, components = ("revenue" if has_revenue else "roster"), ()
        notes.append(
            "the file has no engagement column (likes, comments, shares, engagements or an "
            "engagement rate), so the engagement claims cannot be tested: "
            + ("revenue per follower is analysed instead" if has_revenue else
               "the report describes the roster") + f"; columns found: "
            f"{_preview(colmap.found, limit=None)} (name one with --map likes=COLUMN)")
    elif not whole:
        components = ()  # chosen by the caller over every block
    else:
        try:  # the fields are named as in a posts table until the level table is built
            components = metrics.default_components(frame, kind="posts")
        except ValueError:
            listed = ", ".join(f"{f} ({source[f]!r})" for f in ENGAGEMENT_FIELDS
                               if f in source)
            raise InputError(f"no usable engagement values: {listed} hold no valid count in "
                             "any row with followers") from None

    if level == "posts":
        frame = _posts_table(frame, log, source)
    else:
        frame = _creators_table(frame, log)
    n_creators = frame["creator"].nunique()
    if whole and n_creators < 2:
        who = frame["creator"].iloc[0] if len(frame) else "none"
        raise InputError(
            f"only one creator ({who!r}) has usable data: the claims compare creators of "
            "different sizes, so the file needs at least two (ideally 30 or more)"
        )
    sizes = frame.groupby("creator", sort=False)["followers"].first()
    if whole and sizes.nunique() < 2:
        raise InputError(
            f"all {n_creators:,} creators have the same follower count ({sizes.iloc[0]:,.0f} in "
            f"column {source['followers']!r}): nothing can be said about how engagement "
            "changes with size"
        )
    if components and whole:
        notes.extend(_consistency_notes(frame, level, components, source))
    if level == "creators":
        components = tuple(f"avg_{c}" for c in components)
    out = frame.assign(dataset=dataset)
    canonical = schemas.validate(schemas.conform(out, table), table)
    return Intake(canonical, level, reason, log, colmap, raw, currency, components, notes,
                  mode)


def _examples(values: pd.Series, limit: int = 3) -> str:
    shown = [repr(v) for v in _text(values).dropna().unique()[:limit]]
    return ", ".join(shown) if shown else "none: the column is empty"


def _posts_table(frame: pd.DataFrame, log: CleaningLog, source: dict) -> pd.DataFrame:
    if schemas.table_kind(frame) == "posts":
        frame = frame.assign(post_id=_text(frame["post_id"]))
        missing = frame["post_id"].isna()
        frame.loc[missing, "post_id"] = "row " + frame.loc[missing, "source_row"].astype(str)
    else:
        frame = frame.assign(post_id="row " + frame["source_row"].astype(str))
    repeated = frame.duplicated(["platform", "post_id"], keep="first").to_numpy()
    frame = log.drop(frame, repeated, table="posts", step="duplicate-posts",
                     reason=f"repeats a post id in {source.get('post_id', 'post_id')!r}")
    if "posted_at" in frame.columns and "collected_at" in frame.columns:
        age = (frame["collected_at"] - frame["posted_at"]).dt.total_seconds() / 86400
        frame = frame.assign(age_days=age.where(age >= 0))
    return frame


def _derive_engagements(frame: pd.DataFrame, log: CleaningLog, table: str,
                        source: dict) -> tuple[pd.DataFrame, str | None]:
    """With an engagement rate and no engagement count, engagements = rate x followers.

    Returns the frame (the rate column dropped) and a note for the report, or ``None`` when
    the file has an engagement count (the rate is then not used)."""
    if "engagement_rate" not in frame.columns:
        return frame, None
    if any(f in frame.columns for f in ENGAGEMENT_FIELDS):
        return frame.drop(columns="engagement_rate"), None
    column = source["engagement_rate"]
    frame = parse_column(frame.assign(engagement_rate=_text(frame["engagement_rate"])),
                         "engagement_rate", "engagement_rate", log, table=table, label=column,
                         kind="percent")
    frame = frame.assign(engagements=frame["engagement_rate"] * frame["followers"])
    log.note(table=table, step="derived-engagements", rows_in=len(frame), rows_out=len(frame),
             description=f"no engagement count: engagements derived as {column!r} (a % of "
             f"followers) x {source['followers']!r}")
    note = (f"engagement is derived from the engagement rate in {column!r} times followers (the "
            "file has no engagement counts): C1 then measures how that rate changes with size, "
            "as the file's source computed it")
    return frame.drop(columns="engagement_rate"), note


def _drop_implausible(frame: pd.DataFrame, log: CleaningLog, table: str,
                      source: dict) -> pd.DataFrame:
    """Leave out and log the rows with a count above :data:`IMPLAUSIBLE`."""
    for name, bound in IMPLAUSIBLE.items():
        if name not in frame.columns:
            continue
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float,
                                                                        na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = values > bound
        if bad.any():  # the reason names each dropped value; only those rows are formatted
            reason = pd.Series("", index=frame.index, dtype=object)
            reason[bad] = [f"{source[name]!r} is {v:,.4g}, above {bound:,.0f}: more than any "
                           "real account or post has (a unit or mapping error)"
                           for v in values[bad]]
            frame = log.drop(frame, bad, table=table, step=f"implausible-{name}", reason=reason)
    return frame


def _consistency_notes(frame: pd.DataFrame, level: str, components: Sequence[str],
                       source: dict) -> list[str]:
    """Warnings for the report's data-quality headline: engagement that looks like totals,
    and follower counts that disagree for one handle."""
    notes = []
    columns = [c if c in frame.columns else f"avg_{c}" for c in components]
    engagement = sum(pd.to_numeric(frame[c], errors="coerce").fillna(0) for c in columns)
    rate = (engagement / frame["followers"]).median()
    if rate > 1:
        mapped = ", ".join(f"{c} <- {source[c]!r}" for c in components if c in source)
        notes.append(f"the median {level[:-1]}'s engagement is {rate:,.1f} times its follower "
                     f"count: the engagement columns ({mapped}) may hold totals (such as "
                     "lifetime views) rather than counts per post; check them, or name others "
                     "with --map")
    if level == "posts":
        spread = frame.groupby("creator", sort=False)["followers"].agg(["min", "max"])
        varied = spread[spread["max"] > 2 * spread["min"]]
        if len(varied):
            notes.append(f"{len(varied):,} creators have follower counts that differ more than "
                         f"twofold between their posts (e.g. {varied.index[0]!r}: "
                         f"{varied['min'].iloc[0]:,.0f} to {varied['max'].iloc[0]:,.0f}); each "
                         "post keeps its own count")
    return notes


def _creators_table(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    repeated = frame.duplicated(["platform", "creator"], keep="first").to_numpy()
    first = frame.groupby(["platform", "creator"], sort=False)["followers"].transform("first")
    conflict = repeated & (frame["followers"] != first).fillna(False).to_numpy(dtype=bool)
    reason = pd.Series("repeats a creator of an earlier row (the first row is kept)",
                       index=frame.index, dtype=object)
    if conflict.any():
        reason[conflict] = ("repeats a creator of an earlier row with a different follower "
                            "count (the first row is kept, with " + first[conflict].map(
                                "{:,.0f}".format) + " followers)")
    frame = log.drop(frame, repeated, table="creators", step="duplicate-creators",
                     reason=reason)
    renamed = {f: f"avg_{f}" for f in _AVERAGED if f in frame.columns}
    # A post id marks a posts table throughout the library; rows that are creators keep none.
    frame = frame.drop(columns=["post_id"], errors="ignore")
    return frame.rename(columns=renamed).assign(snapshot="file")


def load(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    level: str | None = None,
    platform: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    decimal: str | None = None,
) -> Intake:
    """Read, map and clean a file in one call (what ``insights report`` does first).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "list.csv").write_text(
    ...     "Handle,Followers,Likes (Avg.)\\n@a,12.5K,300\\n@b,1.2M,9K\\n@c,0,10\\n")
    >>> intake = load(folder / "list.csv")
    >>> intake.level, intake.table["followers"].tolist(), intake.components
    ('creators', [12500.0, 1200000.0], ('avg_likes',))
    >>> intake.log.events()["reason"].tolist()
    ['0 followers: engagement per follower is undefined']
    """
    raw = read_table(path, encoding=encoding, sheet=sheet, header_row=header_row)
    colmap = map_columns(raw.frame.columns, mapping, raw.frame)
    return clean(raw, colmap, level=level, platform=platform, decimal=decimal)
