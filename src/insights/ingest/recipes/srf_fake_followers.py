"""Recipe for ``srf-instagram-fake-followers-2017``: follower accounts labelled fake or real.

SRF Data (Swiss public broadcaster) took the 100 newest followers of each of 10 Swiss
influencers in October 2017 and had two coders label each account fake or real; 975 accounts
remain. The file is the ground truth for fake-follower rules (:mod:`insights.authenticity`).

Outputs
-------
``accounts``
    one row per labelled account: platform ``instagram``, ``account`` (a pseudonymous id,
    ``srf-0001`` ... by the file's row order), ``fake`` (the coders' label, ``rating``),
    ``followers``, ``following``, ``posts``, ``has_profile_picture``, ``private``,
    ``source_file`` and ``source_row``.

**No handle leaves the raw file.** The labelled accounts are private people's, not creators',
and the analyses need only the counts and flags, so ``Username`` and ``Profile.URL`` are dropped
(the source row still points at the raw line).

Cleaning steps (each logged)
----------------------------
1. Read the file (strings) and check its header.
2. Parse the three counts with :func:`insights.ingest.parsing.parse_column`.
3. Parse the booleans ``rating``, ``has_profile_picture``, ``Private.account``: ``TRUE`` or
   ``FALSE``, quoted or not, any case; anything else is logged and set to missing.
4. Drop accounts whose handle repeats an earlier row (none in the registered file).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.recipes import CleanResult
from insights.ingest.recipes._common import drop_duplicates_logged, parse_column, read_csv_rows

__all__ = ["NAME", "FILE", "COLUMNS", "clean", "parse_flag"]

NAME = "srf-instagram-fake-followers-2017"
FILE = "labelled_1000_inclprivate.csv"

#: The header the file must have.
COLUMNS = ("Profile.URL", "rating", "Username", "Number.of.posts",
           "Number.of.people.they.follow", "Number.of.followers", "has_profile_picture",
           "Private.account")

_FLAGS = {"rating": "fake", "has_profile_picture": "has_profile_picture",
          "Private.account": "private"}
_COUNTS = {"Number.of.posts": "posts", "Number.of.people.they.follow": "following",
           "Number.of.followers": "followers"}


def parse_flag(values: pd.Series) -> pd.Series:
    """Parse ``TRUE``/``FALSE`` strings (any case, spaces and quotes stripped) to booleans.

    Anything else becomes missing (``pd.NA``); the caller logs it.

    Examples
    --------
    >>> parse_flag(pd.Series(["TRUE", ' "false" ', "yes", None])).tolist()
    [True, False, <NA>, <NA>]
    """
    text = values.astype("string").str.strip().str.strip('"').str.strip().str.upper()
    return text.map({"TRUE": True, "FALSE": False}, na_action="ignore").astype("boolean")


def clean(raw: Path) -> CleanResult:
    """Clean the labelled accounts into a canonical ``accounts`` table.

    Parameters
    ----------
    raw : Path
        ``data/raw/srf-instagram-fake-followers-2017``.

    Returns
    -------
    CleanResult
        ``tables["accounts"]`` (975 accounts in the registered file) and the log.
    """
    log = CleaningLog(NAME)
    frame = read_csv_rows(raw / FILE, raw)
    if tuple(frame.columns[:-2]) != COLUMNS:
        raise ValueError(f"{NAME}/{FILE}: unexpected header {list(frame.columns[:-2])}; "
                         f"expected {list(COLUMNS)}")
    log.note(table="accounts", step="read", rows_in=len(frame), rows_out=len(frame),
             description=f"read {FILE}")
    frame = frame.assign(account="srf-" + frame["source_row"].map("{:04d}".format))
    frame = drop_duplicates_logged(
        frame, ["Username"], log, table="accounts", step="duplicate-handle",
        reason=lambda kept: "repeats the handle of source row " + kept,
        description="account handle repeated; the first row is kept",
    )
    for source, target in _COUNTS.items():
        frame = parse_column(frame, source, target, log, table="accounts")
    for source, target in _FLAGS.items():
        text = frame[source]
        parsed = parse_flag(text)
        bad = parsed.isna() & text.str.strip().ne("")
        if bad.any():  # logged with the raw text as the old value
            frame = log.repair(frame.assign(**{target: text}), bad.to_numpy(), column=target,
                               new_values=pd.NA, table="accounts", step=f"flag-{target}",
                               reason=f"{source} is neither TRUE nor FALSE; kept as missing")
        frame = frame.assign(**{target: parsed})
    kept = set(_FLAGS.values())  # has_profile_picture keeps its name (parsed in place)
    frame = frame.drop(columns=[c for c in COLUMNS if c not in kept])
    frame = frame.assign(platform="instagram", dataset=NAME)
    fakes = int(frame["fake"].sum())
    log.note(table="accounts", step="labels", rows_in=len(frame), rows_out=len(frame),
             description=f"{fakes} accounts labelled fake, {int((~frame['fake']).sum())} real; "
                         "handles and profile URLs dropped (never kept)")
    return CleanResult(tables={"accounts": frame.reset_index(drop=True)}, log=log)
