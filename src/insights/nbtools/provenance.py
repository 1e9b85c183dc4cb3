"""What a notebook's numbers were computed with: package versions and the data snapshot.

Every research notebook ends with :func:`provenance`, so that a reader can tell which code and
which data produced the outputs above it. Both parts are deterministic for a given lock file
and registry: no dates, no host names, no paths.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata

import pandas as pd

from insights.ingest import registry

__all__ = ["PACKAGES", "package_versions", "data_snapshot", "provenance"]

#: The packages whose versions a notebook or report states.
PACKAGES = ("insights", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pandera",
            "pyarrow")


def package_versions(names: Sequence[str] = PACKAGES) -> pd.DataFrame:
    """Python's version and each package's (``not installed`` when it is missing).

    Examples
    --------
    >>> table = package_versions(["pandas", "no-such-package"])
    >>> table["package"].tolist(), table["version"].iloc[-1]
    (['python', 'pandas', 'no-such-package'], 'not installed')
    """
    rows = [{"package": "python", "version": sys.version.split()[0]}]
    for name in names:
        try:
            rows.append({"package": name, "version": metadata.version(name)})
        except metadata.PackageNotFoundError:
            rows.append({"package": name, "version": "not installed"})
    return pd.DataFrame(rows)


def data_snapshot(names: Iterable[str]) -> pd.DataFrame:
    """One row per registered data set: its files, bytes and one fingerprint of them all.

    The fingerprint is the sha256 of the registry's ``file sha256`` lines of the data set,
    sorted; it changes exactly when a file of the data set changes. Every file is checked
    against its own sha256 when it is fetched, so the fingerprint names the data the
    notebook ran on.

    Examples
    --------
    >>> snap = data_snapshot(["top-insta-influencers-200"])
    >>> snap[["dataset", "files"]].to_dict("records")
    [{'dataset': 'top-insta-influencers-200', 'files': 1}]
    >>> len(snap["fingerprint"].iloc[0])
    16
    """
    rows = []
    for name in names:
        table = registry.files(name).sort_values("file")
        text = "\n".join(f"{f} {h}" for f, h in zip(table["file"], table["sha256"], strict=True))
        rows.append({
            "dataset": name,
            "files": len(table),
            "bytes": int(table["bytes"].sum()),
            "fingerprint": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        })
    return pd.DataFrame(rows, columns=["dataset", "files", "bytes", "fingerprint"])


def provenance(names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Both tables a notebook ends with: ``{"packages": ..., "data": ...}``."""
    return {"packages": package_versions(), "data": data_snapshot(names)}
