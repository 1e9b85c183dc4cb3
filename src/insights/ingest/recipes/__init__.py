"""One cleaning recipe per registered data set: raw files in, canonical tables and a log out.

Each recipe module exposes ``clean(raw: pathlib.Path) -> CleanResult``, where ``raw`` is
``data/raw/<name>/`` holding the verified files. A recipe never drops or changes a row without
recording it in the :class:`~insights.ingest.cleanlog.CleaningLog` it returns. The pipeline then
conforms every table to its schema (:func:`insights.schemas.conform`), validates it and writes
it with the log beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import pandas as pd

from insights.ingest.cleanlog import CleaningLog

__all__ = ["CleanResult", "RECIPES", "recipe"]


@dataclass(frozen=True)
class CleanResult:
    """Canonical tables of one data set (by table name) and the log of how they were made."""

    tables: dict[str, pd.DataFrame]
    log: CleaningLog


#: Data set name → module holding its ``clean`` function.
RECIPES = {
    "tiktok-datares-2020": "insights.ingest.recipes.tiktok_datares",
    "kim2020-instagram-influencers": "insights.ingest.recipes.kim2020",
    "social-media-influencers-2022": "insights.ingest.recipes.social_media_2022",
    "top-insta-influencers-200": "insights.ingest.recipes.top_insta_200",
    "global-youtube-statistics-2023": "insights.ingest.recipes.youtube_2023",
    "twitter-keywords-2021": "insights.ingest.recipes.twitter_keywords",
    "srf-instagram-fake-followers-2017": "insights.ingest.recipes.srf_fake_followers",
    "social-influence-on-shopping-poll": "insights.ingest.recipes.shopping_poll",
}


def recipe(name: str) -> Callable[[Path], CleanResult]:
    """Return the ``clean`` function of a data set's recipe."""
    if name not in RECIPES:
        raise KeyError(f"no cleaning recipe for {name!r}; recipes exist for {sorted(RECIPES)}")
    return import_module(RECIPES[name]).clean
