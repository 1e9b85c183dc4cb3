"""Locate the project's folders without depending on the working directory.

Notebooks, nbval, papermill and the command line each start in a different folder, so data
locations are resolved here, once, and never built from the current directory in notebooks.

Resolution order for the project root:

1. the ``INSIGHTS_PROJECT_ROOT`` environment variable, if set;
2. the nearest parent of this file that holds ``pyproject.toml`` (an editable install or a
   source checkout);
3. the current working directory (an ordinary install used from an analyst's own folder).

``INSIGHTS_DATA_DIR`` overrides the data folder alone (default ``<root>/data``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "data_dir", "raw_dir", "processed_dir", "reports_dir"]


def project_root() -> Path:
    """Return the project root folder.

    Returns
    -------
    pathlib.Path
        An absolute path.

    Examples
    --------
    >>> project_root().is_absolute()
    True
    """
    env = os.environ.get("INSIGHTS_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd().resolve()


def data_dir() -> Path:
    """Return the data folder (``INSIGHTS_DATA_DIR`` or ``<root>/data``)."""
    env = os.environ.get("INSIGHTS_DATA_DIR")
    return Path(env).resolve() if env else project_root() / "data"


def raw_dir(dataset: str | None = None) -> Path:
    """Return ``data/raw`` or ``data/raw/<dataset>``: fetched, checksum-verified inputs."""
    base = data_dir() / "raw"
    return base / dataset if dataset else base


def processed_dir(dataset: str | None = None) -> Path:
    """Return ``data/processed`` or ``data/processed/<dataset>``: tables built by the pipeline."""
    base = data_dir() / "processed"
    return base / dataset if dataset else base


def reports_dir() -> Path:
    """Return ``<root>/reports``, where rendered HTML findings are written."""
    return project_root() / "reports"
