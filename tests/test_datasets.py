"""Tests for insights.ingest.datasets: the registry, fetch() through a mirror or a download.

The fetch tests use no mocks of the fetching code: the mirror tests copy a real registered file
into a temporary mirror folder, and the download tests serve files from a local HTTP server so
that pooch really downloads and verifies them.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from insights import paths, schemas
from insights.ingest import datasets, registry

#: The local data mirror, when one is configured (``.ci/run`` sets it from the CI machine).
SHARED_DATA = Path(os.environ.get("INSIGHTS_DATA_MIRROR") or "no-data-mirror-configured")
MANIFEST = SHARED_DATA / "MANIFEST.tsv"
NAME = "top-insta-influencers-200"
FILE = "top_insta_influencers_data.csv"
SHA256 = "0d821ec5fa643b13bfef7197ee7c0566a69e4ddd9c8b28bcb1345098af4521e3"
ALL_NAMES = [
    "global-youtube-statistics-2023",
    "kim2020-instagram-influencers",
    "social-influence-on-shopping-poll",
    "social-media-influencers-2022",
    "srf-instagram-fake-followers-2017",
    "tiktok-datares-2020",
    "top-insta-influencers-200",
    "twitter-keywords-2021",
]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corrupt(data: bytes) -> bytes:
    """Change one byte in the middle."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.fixture
def real_file() -> Path:
    path = SHARED_DATA / NAME / FILE
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("INSIGHTS_DATA_DIR", str(folder))
    monkeypatch.delenv("INSIGHTS_DATA_MIRROR", raising=False)
    return folder


@pytest.fixture
def mirror(tmp_path, monkeypatch, real_file, data_dir) -> Path:
    folder = tmp_path / "mirror"
    (folder / NAME).mkdir(parents=True)
    shutil.copyfile(real_file, folder / NAME / FILE)
    monkeypatch.setenv("INSIGHTS_DATA_MIRROR", str(folder))
    return folder


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture
def http_root(tmp_path, monkeypatch, request):
    """Serve a temporary folder on 127.0.0.1 and return (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    request.addfinalizer(stop)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    host, port = server.server_address[:2]
    return root, f"http://{host}:{port}"


@pytest.fixture
def local_registry(http_root, monkeypatch, data_dir):
    """Point every registry URL at the local server; return the file path a URL maps to."""
    root, base = http_root
    real = registry._registry()

    def local(url: str) -> str:
        return base + urllib.parse.urlsplit(url).path

    patched = real.assign(url=real["url"].map(local))
    monkeypatch.setattr(registry, "_registry", lambda: patched.copy())

    def served_path(name: str, file: str) -> Path:
        row = patched.loc[(patched["dataset"] == name) & (patched["file"] == file)].iloc[0]
        path = urllib.parse.unquote(urllib.parse.urlsplit(row["url"]).path)
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    return served_path


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


def test_names():
    assert datasets.names() == ALL_NAMES


def test_registry_rows():
    table = pd.concat([datasets.files(name) for name in datasets.names()], ignore_index=True)
    assert len(table) == 158
    assert sorted(table["dataset"].unique()) == ALL_NAMES
    assert list(table.columns) == [
        "dataset",
        "file",
        "sha256",
        "bytes",
        "source_repo",
        "source_commit",
        "source_path",
        "url",
    ]
    assert table["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert table["source_commit"].str.fullmatch(r"[0-9a-f]{40}").all()
    assert (table["bytes"] > 0).all()
    assert table["bytes"].dtype == "int64"
    assert not table.duplicated(["dataset", "file"]).any()
    assert table["url"].str.startswith("https://").all()
    assert (table["file"] == table["file"].str.strip()).all()


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("global-youtube-statistics-2023", 1),
        ("kim2020-instagram-influencers", 105),
        ("social-media-influencers-2022", 15),
        ("tiktok-datares-2020", 31),
        ("top-insta-influencers-200", 1),
        ("twitter-keywords-2021", 3),
        ("srf-instagram-fake-followers-2017", 1),
        ("social-influence-on-shopping-poll", 1),
    ],
)
def test_files_per_data_set(name, count):
    result = datasets.files(name)
    assert len(result) == count
    assert (result["dataset"] == name).all()
    assert result.index.equals(pd.RangeIndex(count))
    assert result["file"].is_monotonic_increasing
    assert datasets.info(name)["files"] == count
    assert datasets.info(name)["bytes"] == int(result["bytes"].sum())


def test_files_top_insta():
    result = datasets.files(NAME)
    assert result[["file", "sha256", "bytes"]].to_dict("records") == [
        {"file": FILE, "sha256": SHA256, "bytes": 12_628}
    ]


def test_registry_equals_manifest():
    """Every registered data set's rows equal the mirror's manifest rows for that data set.

    The mirror may carry data sets that are not registered yet; those are not compared.
    """
    if not MANIFEST.is_file():
        pytest.skip(f"{MANIFEST} is not available")
    manifest = pd.read_csv(MANIFEST, sep="\t", dtype=str, keep_default_na=False)
    expected = (
        manifest.loc[manifest["dataset"].isin(datasets.names())]
        .astype({"bytes": "int64"})
        .sort_values(["dataset", "file"], ignore_index=True)
    )
    assert set(datasets.names()) <= set(manifest["dataset"])
    result = pd.concat([datasets.files(name) for name in datasets.names()], ignore_index=True)
    assert_frame_equal(result, expected)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_info(name):
    result = datasets.info(name)
    assert result["name"] == name
    for key in ["title", "platforms", "level", "tables", "citation", "licence", "selection"]:
        assert result[key], key
    assert set(result["tables"]) <= set(schemas.CANONICAL_COLUMNS) - {"campaigns"}
    assert result["level"] in result["tables"]


def test_info_top_insta():
    result = datasets.info(NAME)
    assert result["platforms"] == ["instagram"]
    assert result["tables"] == ["creators"]
    assert result["files"] == 1
    assert result["bytes"] == 12_628


def test_info_is_a_copy():
    result = datasets.info(NAME)
    result["platforms"].append("tiktok")
    result["tables"].append("posts")
    result["title"] = "changed"
    again = datasets.info(NAME)
    assert again["platforms"] == ["instagram"]
    assert again["tables"] == ["creators"]
    assert again["title"].startswith("Top 200")


@pytest.mark.parametrize(
    "call",
    [datasets.info, datasets.files, datasets.fetch, datasets.load],
    ids=["info", "files", "fetch", "load"],
)
def test_unknown_data_set(call):
    with pytest.raises(datasets.UnknownDatasetError) as excinfo:
        call("top-insta-influencers-2000")
    message = str(excinfo.value)
    assert message.startswith("unknown data set 'top-insta-influencers-2000'; registered")
    for name in ALL_NAMES:
        assert name in message
    assert isinstance(excinfo.value, KeyError)


def test_file_sha256(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"influencer\n" * 1000)
    assert datasets.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert datasets.file_sha256(str(path)) == datasets.file_sha256(path)


# ---------------------------------------------------------------------------------------------
# fetch from a mirror
# ---------------------------------------------------------------------------------------------


def test_fetch_from_mirror(mirror, data_dir):
    result = datasets.fetch(NAME, progress=False)
    target = data_dir / "raw" / NAME / FILE
    assert result == [target]
    assert target.read_bytes() == (mirror / NAME / FILE).read_bytes()
    assert sha256_of(target) == SHA256
    assert paths.raw_dir(NAME) == target.parent
    assert sorted(p.name for p in target.parent.iterdir()) == [FILE]  # no temp files left


def test_fetch_keeps_a_verified_file(mirror, data_dir):
    (target,) = datasets.fetch(NAME, progress=False)
    # A verified file is used as is: the mirror is not read again.
    shutil.rmtree(mirror / NAME)
    assert datasets.fetch(NAME, progress=False) == [target]
    assert sha256_of(target) == SHA256


def test_fetch_refuses_corrupt_mirror_copy(mirror, data_dir):
    source = mirror / NAME / FILE
    source.write_bytes(corrupt(source.read_bytes()))
    actual = sha256_of(source)
    with pytest.raises(datasets.ChecksumError) as excinfo:
        datasets.fetch(NAME, progress=False)
    message = str(excinfo.value)
    assert f"{NAME}/{FILE}" in message
    assert f"expected {SHA256}" in message
    assert f"got {actual}" in message
    assert "not used" in message
    raw = data_dir / "raw" / NAME
    assert not (raw / FILE).exists()
    assert not raw.exists() or list(raw.iterdir()) == []


def test_fetch_replaces_corrupt_raw_file(mirror, data_dir):
    target = data_dir / "raw" / NAME / FILE
    target.parent.mkdir(parents=True)
    target.write_bytes(corrupt((mirror / NAME / FILE).read_bytes()))
    assert sha256_of(target) != SHA256
    assert datasets.fetch(NAME, progress=False) == [target]
    assert sha256_of(target) == SHA256
    assert sorted(p.name for p in target.parent.iterdir()) == [FILE]


def test_fetch_replaces_truncated_raw_file(mirror, data_dir):
    target = data_dir / "raw" / NAME / FILE
    target.parent.mkdir(parents=True)
    target.write_bytes((mirror / NAME / FILE).read_bytes()[:100])
    datasets.fetch(NAME, progress=False)
    assert sha256_of(target) == SHA256


def test_fetch_missing_mirror_file(mirror, data_dir):
    (mirror / NAME / FILE).unlink()
    with pytest.raises(FileNotFoundError, match=r"not found in INSIGHTS_DATA_MIRROR.*layout"):
        datasets.fetch(NAME, progress=False)
    assert not (data_dir / "raw" / NAME / FILE).exists()


# ---------------------------------------------------------------------------------------------
# fetch by download (pooch, from a local HTTP server)
# ---------------------------------------------------------------------------------------------


def test_local_registry_points_at_server(local_registry, http_root):
    _, base = http_root
    urls = datasets.files(NAME)["url"]
    assert urls.str.startswith(base + "/").all()
    # files() of every data set sees the patched registry
    assert all(datasets.files(n)["url"].str.startswith(base).all() for n in datasets.names())


def test_fetch_downloads_and_verifies(local_registry, real_file, data_dir):
    local_registry(NAME, FILE).write_bytes(real_file.read_bytes())
    result = datasets.fetch(NAME, progress=False)
    target = data_dir / "raw" / NAME / FILE
    assert result == [target]
    assert sha256_of(target) == SHA256
    assert sorted(p.name for p in target.parent.iterdir()) == [FILE]


def test_fetch_download_refuses_corrupt_file(local_registry, real_file, data_dir):
    served = local_registry(NAME, FILE)
    served.write_bytes(corrupt(real_file.read_bytes()))
    actual = sha256_of(served)
    with pytest.raises(datasets.ChecksumError) as excinfo:
        datasets.fetch(NAME, progress=False)
    message = str(excinfo.value)
    assert f"{NAME}/{FILE}" in message
    assert f"expected {SHA256}" in message
    assert f"got {actual}" in message
    assert re.search(r"http://127\.0\.0\.1:\d+/", message)
    raw = data_dir / "raw" / NAME
    assert not (raw / FILE).exists()
    assert not raw.exists() or list(raw.iterdir()) == []


def test_fetch_download_replaces_corrupt_raw_file(local_registry, real_file, data_dir):
    local_registry(NAME, FILE).write_bytes(real_file.read_bytes())
    target = data_dir / "raw" / NAME / FILE
    target.parent.mkdir(parents=True)
    target.write_bytes(corrupt(real_file.read_bytes()))
    datasets.fetch(NAME, progress=False)
    assert sha256_of(target) == SHA256


def test_fetch_download_missing_file_is_an_http_error(local_registry, data_dir):
    requests = pytest.importorskip("requests")
    local_registry(NAME, FILE)  # the folder exists, the file does not: 404
    with pytest.raises(requests.HTTPError, match="404"):
        datasets.fetch(NAME, progress=False)
    assert not (data_dir / "raw" / NAME / FILE).exists()


def test_where_hazard_lists_the_designs_that_have_it():
    from insights.ingest import registry

    for hazard in registry.HAZARDS:
        places = registry.where_hazard(hazard)
        for place in places:
            name, _, key = place.partition(" (")
            table = registry.info(name)["designs"]["hazards"]
            assert hazard in table[key.rstrip(")") if key else "*"]
    assert "tiktok-datares-2020 (by_sound)" in registry.where_hazard("selected_on_outcome")
