"""End-to-end tests of the ``insights`` console command (:mod:`insights.reporting.cli`).

A full ``insights report`` run starts a Jupyter kernel (about 10 s), so each full run happens
once per module in a fixture, through the installed console script, and serves several tests.
Error paths stop before the notebook; they run in-process (:func:`insights.reporting.cli.main`).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from insights import claims, paths
from insights.formatting import estimate as format_estimate
from insights.ingest import intake
from insights.pricing import pricing_models
from insights.reporting import analyses, cli
from insights.reporting.document import FORMULA_PREFIXES

pytestmark = pytest.mark.e2e  # runs the insights command: full runs start a kernel

INSIGHTS = Path(sys.executable).parent / "insights"
FAST = ["--resamples", "200", "--quiet"]
SECTIONS = ["Executive summary", "Findings at a glance", "Data quality",
            "C1: engagement against followers", "Engagement rate by tier",
            "Your creators against expectation", "The roster",
            "C2: cost per engagement and returns", "Appendix A: methods and caveats",
            "Appendix B: cleaning log", "Appendix C: software"]
#: Strings of the template's code cells that must never reach the client's HTML.
CODE_STRINGS = ["analyses.read_inputs", "import numpy", "plotting.use_style", "analyses.c1_fit(",
                "display(summary)", "plt.subplots", "EXPORT_DIR"]
OPTIONS = ["--out", "--platform", "--map", "--scheme", "--pricing", "--level", "--encoding",
           "--sheet", "--header-row", "--decimal", "--title", "--client", "--pdf", "--seed",
           "--resamples", "--engine", "--workers", "--scheduler", "--quiet"]
IMAGE = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=\s]+")
STYLE = re.compile(r"<style.*?</style>", re.S)
XSS = "<script>alert('x')</script>"
FORMULA_HANDLE = '=HYPERLINK("http://x")'


# --------------------------------------------------------------------------------------------
# helpers


def console(*args, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed ``insights`` console script."""
    return subprocess.run([str(INSIGHTS), *map(str, args)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=cwd, timeout=600)


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@dataclass
class Run:
    source: Path
    out: Path
    proc: subprocess.CompletedProcess
    before: tuple[str, int]

    @property
    def files(self) -> Path:
        return self.out.with_name(self.out.stem + "_files")

    @property
    def tables(self) -> Path:
        return self.files / "tables"

    @cached_property
    def html(self) -> str:
        return self.out.read_text(encoding="utf-8")

    @cached_property
    def text(self) -> str:
        """The HTML without its embedded images and style sheets (faster to search)."""
        return STYLE.sub("", IMAGE.sub("IMG", self.html))

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.tables / f"{name}.csv", dtype=str, keep_default_na=False)


def full_run(folder: Path, source: Path, *options) -> Run:
    """``insights report SOURCE --out folder/report.html`` through the console script."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "report.html"
    before = fingerprint(source)
    proc = console("report", source, "--out", out, *FAST, *options, cwd=folder)
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{proc.stderr[-4000:]}"
    assert "Traceback" not in proc.stderr
    return Run(source, out, proc, before)


def assert_c1_matches(run: Run, source: Path, **load_options) -> intake.Intake:
    """The report's C1 equals C1 computed here, without the command or the notebook."""
    got = intake.load(source, **load_options)
    result = claims.engagement_vs_followers(got.table, components=got.components, hazards=())
    assert np.isfinite(result.estimate)
    assert f"<td>{format_estimate(result.estimate)}</td>" in run.text
    summary = pd.read_csv(run.tables / "summary.csv")
    assert summary["estimate"].iloc[0] == pytest.approx(result.estimate, rel=1e-9)
    assert summary["verdict"].iloc[0] == result.verdict
    return got


def assert_client_html(run: Run, *, figures: int = 2) -> None:
    """Sections present, figures embedded, and no code of the template shown."""
    html, text = run.html, run.text
    assert html.count("data:image/png;base64,") >= figures
    for heading in SECTIONS:
        assert re.search(r"<h2[^>]*>" + re.escape(heading), text), heading
    # Markdown cells are rendered; code cells show their outputs only, never an input area.
    assert len(re.findall(r'<div class="cell border-box-sizing text_cell', text)) > 0
    assert len(re.findall(r'<div class="cell border-box-sizing code_cell', text)) > 0
    for marker in ['class="input"', "input_prompt", "prompt", "highlight", "hl-ipython3",
                   "input_area", "Traceback", "<script", *CODE_STRINGS]:
        assert marker not in text, marker
    assert text.index('class="cover"') < text.index("Executive summary")
    assert not re.search(r">\s*(?:nan|NaN|None)\s*<", text)  # no NaN in any cell


def unsafe_csv_cells(path: Path) -> list[str]:
    """Cells (and column names) a spreadsheet would run as a formula; numbers are fine."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    cells = [*frame.columns, *frame.to_numpy().ravel()]
    number = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").notna()
    return [c for c, n in zip(cells, number, strict=True) if c.startswith(FORMULA_PREFIXES)
            and not n]


def unsafe_xlsx_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    bad = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES)
                ):
                    bad.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return bad


def run_error(capsys, *args, status: int = 2) -> str:
    """Run ``insights report ARGS --quiet`` in-process; return its one error line."""
    rc = cli.main(["report", *map(str, args), "--quiet"])
    captured = capsys.readouterr()
    assert rc == status, captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("insights: error:"), captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def display_count(n: float) -> str:
    """How exports show follower counts: 4.95M, 12.5K, 8,400."""
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.1f}K" if n >= 1e4 else f"{n:,.0f}"


def creators_frame(n: int = 150, seed: int = 11) -> pd.DataFrame:
    """A creator list as an agency exports it: display strings, money with $ and commas."""
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(np.log10(2e3), np.log10(5e6), n))
    likes = 0.05 * followers**0.8 * rng.lognormal(0, 0.3, n)
    fee = 0.012 * followers**0.9 * rng.lognormal(0, 0.25, n)
    revenue = fee * rng.lognormal(0.2, 0.5, n)
    frame = pd.DataFrame({
        "Handle": [f"creator_{i:03d}" for i in range(n)],
        "Followers": [display_count(f) for f in followers],
        "Avg Likes": [f"{v:.0f}" for v in likes],
        "Avg Comments": [f"{v * 0.03:.1f}" for v in likes],
        "Fee": [f"${v:,.2f}" for v in fee],
        "Revenue": [f"${v:,.2f}" for v in revenue],
    })
    frame.loc[3, ["Handle", "Followers"]] = [XSS, "0"]  # dropped: 0 followers
    frame.loc[4, ["Handle", "Followers"]] = [FORMULA_HANDLE, ""]  # dropped: no followers
    frame.loc[5, ["Handle", "Avg Likes"]] = ["@evil", "-40"]  # repaired: negative count
    frame.loc[6, ["Handle", "Fee"]] = ["+plus", "TBD"]  # repaired: fee not a number
    return frame


def posts_frame(n_creators: int = 45, seed: int = 5) -> pd.DataFrame:
    """A post export: handles repeat, one row per post, no fees."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_creators):
        followers = round(10 ** rng.uniform(np.log10(3e3), np.log10(3e6)))
        for j in range(int(rng.integers(2, 7))):
            likes = 0.05 * followers**0.8 * rng.lognormal(0, 0.4)
            rows.append({"Username": f"user{i:02d}", "Followers": f"{followers:,}",
                         "Likes": f"{likes:.0f}", "Comments": f"{likes * 0.02:.0f}",
                         "Posted date": f"2024-{1 + j:02d}-{1 + i % 28:02d}"})
    return pd.DataFrame(rows)


def raw_file(dataset: str, name: str) -> Path:
    path = paths.raw_dir(dataset) / name
    if not path.is_file():
        pytest.skip(f"registered data not fetched: {path}")
    return path


# --------------------------------------------------------------------------------------------
# full runs, once per module


@pytest.fixture(scope="module")
def creators_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "creators.csv"
    creators_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def creators_run(creators_csv, tmp_path_factory) -> Run:
    return full_run(tmp_path_factory.mktemp("creators"), creators_csv, "--seed", "7")


@pytest.fixture(scope="module")
def creators_rerun(creators_csv, creators_run, tmp_path_factory) -> Run:
    return full_run(tmp_path_factory.mktemp("creators-again"), creators_csv, "--seed", "7")


@pytest.fixture(scope="module")
def posts_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "posts.csv"
    posts_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def posts_run(posts_csv, tmp_path_factory) -> Run:
    return full_run(tmp_path_factory.mktemp("posts"), posts_csv)


@pytest.fixture(scope="module")
def xlsx_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "export.xlsx"
    frame = creators_frame(n=80, seed=3).iloc[7:, :4]  # no special rows, no money
    frame = frame.rename(columns={"Handle": "Influencer Name", "Followers": "Subscribers",
                                  "Avg Likes": "Likes (Avg.)", "Avg Comments": "Comments (Avg.)"})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        notes = pd.DataFrame({"note": ["exported by a tool"]})
        notes.to_excel(writer, sheet_name="Notes", index=False)
        frame.to_excel(writer, sheet_name="Creators", index=False)
    return path


@pytest.fixture(scope="module")
def xlsx_run(xlsx_file, tmp_path_factory) -> Run:
    return full_run(tmp_path_factory.mktemp("xlsx"), xlsx_file, "--sheet", "Creators",
                    "--platform", "youtube")


@pytest.fixture(scope="module")
def json_file(tmp_path_factory) -> Path:
    """A scraper-style JSON export: an object holding one list of nested records."""
    records = [
        {"author": {"uniqueId": row["Username"],
                    "followers": int(row["Followers"].replace(",", ""))},
         "diggCount": int(row["Likes"]), "commentCount": int(row["Comments"]),
         "createTime": 1_700_000_000 + 86_400 * i, "platform": "TikTok"}
        for i, row in posts_frame(n_creators=40, seed=9).iterrows()
    ]
    path = tmp_path_factory.mktemp("data") / "videos.json"
    path.write_text(json.dumps({"data": records}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def json_run(json_file, tmp_path_factory) -> Run:
    return full_run(tmp_path_factory.mktemp("json"), json_file)


@pytest.fixture(scope="module")
def insta_run(tmp_path_factory) -> Run:
    source = raw_file("top-insta-influencers-200", "top_insta_influencers_data.csv")
    return full_run(tmp_path_factory.mktemp("insta"), source, "--platform", "instagram")


@pytest.fixture(scope="module")
def tiktok_run(tmp_path_factory) -> Run:
    source = raw_file("tiktok-datares-2020", "by_user/sug_users_vids1.csv")
    return full_run(tmp_path_factory.mktemp("tiktok"), source, "--platform", "tiktok")


# --------------------------------------------------------------------------------------------
# 1. help


def test_help_lists_every_option(capsys):
    helps = []
    for argv in (["--help"], ["report", "--help"]):
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == 0
        helps.append(capsys.readouterr().out)
    assert "report" in helps[0] and "examples:" in helps[0]
    assert "examples:" in helps[1] and "exit status" in helps[1]
    for name in [*OPTIONS, *pricing_models()]:
        assert name in helps[1], name


def test_help_through_the_console_script(tmp_path):
    assert INSIGHTS.is_file(), INSIGHTS
    top = console("--help", cwd=tmp_path)
    assert top.returncode == 0 and "examples:" in top.stdout and "report" in top.stdout
    sub = console("report", "--help", cwd=tmp_path)
    assert sub.returncode == 0 and "examples:" in sub.stdout
    assert all(option in sub.stdout for option in OPTIONS)
    assert top.stderr == sub.stderr == ""


def test_parsing_the_arguments_loads_no_statistics():
    """The command starts the kernel as soon as its arguments are read: building the parser
    (with the pricing models' names) must not import statsmodels or scipy.stats, seconds that
    came before the first line."""
    code = ("import sys; from insights.reporting import cli; cli.build_parser(); "
            "print(sorted(m for m in ('statsmodels', 'scipy.stats', 'numba') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_no_command_prints_help_and_returns_2(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert "usage: insights" in out and "examples:" in out and "report" in out


# --------------------------------------------------------------------------------------------
# 2. bad input: one line on stderr, exit 2, nothing written


@pytest.fixture
def out(tmp_path) -> Path:
    yield tmp_path / "out" / "r.html"
    assert not (tmp_path / "out").exists(), "an error must stop before anything is written"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


LIST = "Handle,Followers,Likes\nann,1000,50\nbob,2000,60\n"
BAD_FILES = {  # case: (file name, content, phrases of the error line)
    "empty": ("empty.csv", b"", ["the file is empty"]),
    "header-only": ("header.csv", "Handle,Followers,Likes\n", ["no data rows", "'Followers'"]),
    "single-creator": ("one.csv", "Handle,Followers,Likes\nann,1000,50\nann,1000,70\n",
                       ["only one creator ('ann')", "at least two"]),
    "all-followers-zero": ("zero.csv", "Handle,Followers,Likes\nann,0,50\nbob,0,60\ncy,0,1\n",
                           ["all 3 rows have 0 followers", "'Followers'"]),
    "mixed-currencies": ("fees.csv", "Handle,Followers,Likes,Fee\nann,1000,50,$100\n"
                         "bob,2000,60,€90\n", ["mixes currencies", "EUR", "USD"]),
    "binary": ("data.csv", bytes(range(256)) * 20, ["could not detect the text encoding"]),
    "pdf": ("creators.pdf", b"%PDF-1.4\n", ["unknown format '.pdf'", ".csv", ".xlsx"]),
    "missing": ("nope.csv", None, ["no such file"]),
    "same-followers": ("same.csv", "Handle,Followers,Likes\nann,2K,50\nbob,2000,60\ncy,2.0K,9\n",
                       ["all 3 creators have the same follower count (2,000", "'Followers'"]),
    "one-left-after-bounds": ("huge.csv", "Handle,Followers,Likes\nann,1e30,50\nbob,2000,60\n",
                              ["only one creator ('bob')"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file(capsys, tmp_path, out, case):
    name, content, phrases = BAD_FILES[case]
    path = tmp_path / name if content is None else write(tmp_path, name, content)
    before = path.exists() and fingerprint(path)
    line = run_error(capsys, path, "--out", out)
    assert all(phrase in line for phrase in phrases), line
    assert (path.exists() and fingerprint(path)) == before


def test_negative_counts_are_set_to_missing_not_an_error(creators_run, creators_csv):
    # Intake: the row stays, its likes become missing, the log says why.
    got = intake.load(creators_csv)
    row = got.table.loc[got.table["creator"] == "@evil"]
    assert len(row) == 1 and row["avg_likes"].isna().all()
    events = got.log.events()
    negative = events[events["step"] == "negative-likes"]
    assert negative["creator"].tolist() == ["@evil"] and negative["old_value"].tolist() == ["-40"]
    # The report: the data-quality section and the exported log record it.
    log = creators_run.table("cleaning_log")
    logged = log[log["step"] == "negative-likes"]
    assert logged["creator"].tolist() == ["'@evil"]  # neutralised for spreadsheets
    assert logged["old_value"].tolist() == ["'-40"]
    assert logged["new_value"].tolist() == [""]
    quality = creators_run.text.split('id="Appendix-B')[1].split('id="Appendix-C')[0]
    assert "negative-likes" in quality and "is negative: a count cannot be" in quality


def test_note_in_fee_column_is_not_a_currency(tmp_path):
    path = write(tmp_path, "fees.csv", "Handle,Followers,Likes,Fee\nann,1000,50,$100\n"
                 "bob,20000,600,$250\ncy,300000,900,see DM\n")
    got = intake.load(path)
    assert got.currency == "USD"
    assert got.log.events()["step"].tolist() == ["parse-fee"]


NAMES = ["José Müller", "François", "Zoë", "Renée", "Jürgen Groß", "Ana Peña", "Søren",
         "Björk", "Émilie", "Nuño"]


def test_wrong_encoding(capsys, tmp_path, out):
    rows = [f"{name} {i},{1000 + i},{50 + i}" for i in range(3) for name in NAMES]
    text = "Handle,Followers,Likes\n" + "\n".join(rows) + "\n"
    path = write(tmp_path, "latin.csv", text.encode("cp1252"))
    line = run_error(capsys, path, "--encoding", "utf-8", "--out", out)
    assert "not valid utf-8" in line and "byte 26 is 0xe9" in line
    assert "leave out --encoding" in line
    # Forced right, or left to detection, the same file is read correctly.
    for encoding in ["cp1252", None]:
        raw = intake.read_table(path, encoding=encoding)
        assert raw.encoding == "cp1252"
        assert raw.frame["Handle"].tolist()[:10] == [f"{name} 0" for name in NAMES]


def test_short_cp1252_file_is_detected(tmp_path):
    text = "Handle,Followers,Likes\nJosé Müller,1000,50\nbob,2000,60\n"
    raw = intake.read_table(write(tmp_path, "latin.csv", text.encode("cp1252")))
    assert raw.frame["Handle"].tolist() == ["José Müller", "bob"]


def test_unmappable_followers_column(capsys, tmp_path, out):
    path = write(tmp_path, "list.csv",
                 "Handle,Fans (total),Likes\nann,1000,50\nbob,20000,600\ncy,300000,900\n")
    line = run_error(capsys, path, "--out", out)
    assert "no followers" in line
    assert "columns found: 'Handle', 'Fans (total)', 'Likes'" in line
    assert "--map followers=" in line
    # The fix the message suggests works.
    got = intake.load(path, mapping={"followers": "Fans (total)"})
    assert got.table["followers"].tolist() == [1000, 20000, 300000]


@pytest.mark.parametrize(("options", "phrase"), [
    (["--map", "followers"], "expected FIELD=COLUMN"),
    (["--map", "fans=Fans"], "unknown field 'fans'"),
    (["--map", "followers=Nope"], "the file has no column 'Nope'"),
    (["--resamples", "50"], "use at least 100"),
])
def test_invalid_option(capsys, tmp_path, out, options, phrase):
    assert phrase in run_error(capsys, write(tmp_path, "list.csv", LIST), *options, "--out", out)


def test_input_inside_the_output_folder(capsys, tmp_path):
    folder = tmp_path / "r_files" / "inputs"
    folder.mkdir(parents=True)
    path = write(folder, "list.csv", LIST)
    before = fingerprint(path)
    line = run_error(capsys, path, "--out", tmp_path / "r.html")
    assert "the input lies inside" in line
    assert fingerprint(path) == before and not (tmp_path / "r.html").exists()


def test_out_equal_to_input_is_refused(capsys, tmp_path):
    path = write(tmp_path, "list.csv", LIST)
    before = fingerprint(path)
    # A missing template stops the buggy path before the notebook (the guard comes first).
    line = run_error(capsys, path, "--out", path, "--template", tmp_path / "none.ipynb")
    assert fingerprint(path) == before
    assert "is the input file itself" in line


def test_unknown_sheet(capsys, xlsx_file, out):
    line = run_error(capsys, xlsx_file, "--sheet", "Nope", "--out", out)
    assert "no sheet 'Nope'" in line and "'Creators'" in line


@pytest.mark.parametrize("option", [["--platform", "myspace"], ["--scheme", "tiny"],
                                    ["--pricing", "free"], ["--level", "videos"],
                                    ["--seed", "abc"]])
def test_invalid_option_values_are_usage_errors(capsys, tmp_path, option):
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", str(tmp_path / "list.csv"), *option])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1  # one line, like every other error of the command
    assert err.startswith(f"insights: error: argument {option[0]}")
    assert err.rstrip().endswith("(see: insights report --help)")
    assert "Traceback" not in err


ROSTER_SECTIONS = ["Executive summary", "Data quality", "The roster",
                   "Revenue against followers", "What the claims would need",
                   "Appendix A: methods and caveats", "Appendix B: cleaning log",
                   "Appendix C: software"]


def assert_roster_html(run: Run) -> None:
    text = run.text
    for heading in ROSTER_SECTIONS:
        assert re.search(r"<h2[^>]*>" + re.escape(heading), text), heading
    assert "Roster report" in text and "cannot be tested on it" in text
    assert "<script" not in text and "Traceback" not in text
    assert not re.search(r">\s*(?:nan|NaN|None|inf)\s*<", text)


def test_youtube_channel_list_without_engagement_gets_a_roster_report(tmp_path):
    source = raw_file("global-youtube-statistics-2023", "Global YouTube Statistics.csv")
    run = full_run(tmp_path, source, "--platform", "youtube")
    assert_roster_html(run)
    assert "no engagement column" in run.text and "video_views" in run.text
    creators = run.table("creators")
    got = intake.load(source, platform="youtube")
    assert len(creators) == got.table["creator"].nunique()
    assert "no engagement column: a roster report" in console(
        "report", source, "--out", tmp_path / "again.html", "--resamples", "100",
        cwd=tmp_path).stderr


def test_a_scrapers_follower_list_gets_a_roster_report(tmp_path):
    rng = np.random.default_rng(4)
    followers = np.round(10 ** rng.uniform(2.5, 6.8, 120))
    frame = pd.DataFrame({"username": [f"fan.{i}" for i in range(120)],
                          "full_name": [f"Fan {i}" for i in range(120)],
                          "follower_count": [display_count(f) for f in followers],
                          "is_verified": rng.random(120) < 0.1})
    source = tmp_path / "followers.csv"
    frame.to_csv(source, index=False)
    run = full_run(tmp_path / "out", source)
    assert_roster_html(run)
    assert "no revenue column: nothing to show here" in run.text.replace("The file has", "")
    shown = run.table("creators")
    assert len(shown) == 120
    mix = analyses.roster_table(shown.astype({"followers": float}).assign(
        engagement_rate=np.nan))
    roster = run.text.split('id="The-roster')[1].split('id="Revenue')[0]
    for tier, n in zip(mix["tier"], mix["creators"], strict=True):  # counts as shown
        cells = r"<td>[^<]*</td>" * 2
        row = rf'<td class="text">{re.escape(html.escape(tier))}</td>{cells}<td>{n}</td>'
        assert re.search(row, roster), (tier, n)
    assert sum(mix["creators"]) == 120


def test_a_sales_list_with_gmv_and_no_likes_gets_revenue_per_follower(tmp_path):
    rng = np.random.default_rng(6)
    followers = np.round(10 ** rng.uniform(3, 6.5, 90))
    gmv = 0.02 * followers**0.7 * rng.lognormal(0, 0.4, 90)
    frame = pd.DataFrame({"Creator": [f"shop_{i}" for i in range(90)],
                          "Followers": followers.astype(int),
                          "GMV": [f"${v:,.2f}" for v in gmv]})
    source = tmp_path / "sales.csv"
    frame.to_csv(source, index=False)
    run = full_run(tmp_path / "out", source)
    assert_roster_html(run)
    fits = run.table("revenue_fits").set_index("estimand")
    # the known elasticity, 0.7, from the file's own numbers
    expected = claims_free_fit(frame.assign(GMV=gmv))
    assert float(fits.loc["typical", "estimate"]) == pytest.approx(expected, rel=1e-9)
    assert float(fits.loc["typical", "ci_low"]) < 0.7 < float(fits.loc["typical", "ci_high"])
    assert fits.loc["typical", "reading"] == "revenue per follower falls with size"
    assert "Revenue on average grows as followers^" in run.text


def claims_free_fit(frame: pd.DataFrame) -> float:
    """The log-OLS slope of log revenue on log followers, computed with numpy alone."""
    x = np.log(frame["Followers"].to_numpy(dtype=float))
    y = np.log(frame["GMV"].round(2).to_numpy(dtype=float))
    return float(np.polyfit(x, y, 1)[0])


def test_errors_through_the_console_script(tmp_path):
    missing = console("report", tmp_path / "nope.csv", "--out", tmp_path / "r.html",
                      cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[-1].startswith("insights: error:")
    assert "no such file" in missing.stderr and "Traceback" not in missing.stderr
    mixed = write(tmp_path, "fees.csv",
                  "Handle,Followers,Likes,Fee\nann,1000,50,$100\nbob,2000,60,€90\n")
    proc = console("report", mixed, "--quiet", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith("insights: error: column 'Fee' mixes currencies")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fees.csv"]


def test_big_creators_with_hidden_likes(tmp_path):
    """Instagram lets creators hide likes; exports then show 0 for them."""
    rng = np.random.default_rng(1)
    followers = np.round(10 ** rng.uniform(3.3, 6.7, 40))
    likes = np.where(followers >= 5e5, 0, 0.05 * followers**0.8)
    path = tmp_path / "hidden.csv"
    pd.DataFrame({"Handle": [f"c{i}" for i in range(40)], "Followers": followers,
                  "Likes": likes.round()}).to_csv(path, index=False)
    proc = console("report", path, "--out", tmp_path / "r.html", *FAST, cwd=tmp_path)
    assert "ZeroDivisionError" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "r.html").is_file()


# --------------------------------------------------------------------------------------------
# 3a. a creators file with fees, revenue and hostile handles


def test_creators_report_escapes_handles(creators_run):
    html = creators_run.html
    assert "<script>alert('x')" not in html
    assert "&lt;script&gt;alert" in html
    assert "@evil" in html  # shown, as text
    assert fingerprint(creators_run.source) == creators_run.before
    assert creators_run.proc.stdout == ""


def test_creators_report_content(creators_run, creators_csv):
    assert_client_html(creators_run)
    got = assert_c1_matches(creators_run, creators_csv)
    text = creators_run.text
    assert f"{got.rows_read:,} rows read as delimited" in text
    assert f"{len(got.table):,} rows analysed as creators" in text
    assert re.search(r"C2 source: returns \(the file(&#x27;|')s fees and revenue\)", text)
    assert '<td class="text">roi</td>' in text and '<td class="text">roas</td>' in text
    returns = creators_run.table("returns_by_tier")
    assert set(returns["measure"]) == {"roi", "roas", "cpe"}
    assert creators_run.table("c2")["pricing"].tolist() == ["the file's fees"]


def test_creators_outputs_are_complete(creators_run):
    files = creators_run.files
    assert (files / "report.ipynb").is_file()
    for name in ["table.parquet", "steps.parquet", "events.parquet", "intake.json"]:
        assert (files / "inputs" / name).is_file(), name
    for name in ["summary", "tiers", "c2", "cleaning_steps", "cleaning_log", "returns_by_tier"]:
        assert (creators_run.tables / f"{name}.csv").is_file(), name
    book = openpyxl.load_workbook(creators_run.tables / "tables.xlsx", read_only=True)
    assert {"summary", "tiers", "c2", "returns_by_tier", "cleaning_log"} <= set(book.sheetnames)
    meta = json.loads((files / "inputs" / "intake.json").read_text(encoding="utf-8"))
    assert meta["currency"] == "USD" and meta["level"] == "creators"


def test_creators_exports_are_spreadsheet_safe(creators_run):
    log = creators_run.table("cleaning_log")
    assert "'" + FORMULA_HANDLE in log["creator"].tolist()
    assert "'@evil" in log["creator"].tolist() and "'+plus" in log["creator"].tolist()
    assert XSS in log["creator"].tolist()  # text in a CSV, not markup
    for path in sorted(creators_run.tables.glob("*.csv")):
        assert unsafe_csv_cells(path) == [], path.name
    assert unsafe_xlsx_cells(creators_run.tables / "tables.xlsx") == []


# --------------------------------------------------------------------------------------------
# 3b. a post export without fees


def test_posts_report(posts_run, posts_csv):
    assert_client_html(posts_run)
    got = assert_c1_matches(posts_run, posts_csv)
    assert got.level == "posts"
    text = posts_run.text
    assert f"{got.rows_read:,} rows read as delimited" in text
    assert "rows analysed as posts" in text and "handles repeat" in text
    assert "published pricing models" in text
    models = list(pricing_models())
    assert len(models) == 7
    assert posts_run.table("c2")["pricing"].tolist() == models
    c2 = text.split('id="C2:')[1].split('id="Appendix-A')[0]
    for model in models:
        assert f'<td class="text">{model}</td>' in c2, model
    assert not (posts_run.tables / "returns_by_tier.csv").exists()
    assert fingerprint(posts_csv) == posts_run.before


# --------------------------------------------------------------------------------------------
# 3c. registered real data


def test_top_instagram_200(insta_run):
    assert_client_html(insta_run)
    got = assert_c1_matches(insta_run, insta_run.source, platform="instagram")
    assert got.rows_read == 200
    assert "200 rows read" in insta_run.text
    assert fingerprint(insta_run.source) == insta_run.before


def test_tiktok_posts(tiktok_run):
    assert_client_html(tiktok_run)
    got = assert_c1_matches(tiktok_run, tiktok_run.source, platform="tiktok")
    assert got.level == "posts"
    assert f"{got.rows_read:,} rows read" in tiktok_run.text
    assert f"{len(got.table):,} rows analysed as posts" in tiktok_run.text
    assert fingerprint(tiktok_run.source) == tiktok_run.before


# --------------------------------------------------------------------------------------------
# 3d. Excel and JSON inputs


# intake reads sheets with ExcelFile.parse, deprecated in pandas 3 (tests/test_intake.py has
# the test for that); the warning is not what this test is about.
def test_excel_input(xlsx_run, xlsx_file):
    assert_client_html(xlsx_run)
    got = assert_c1_matches(xlsx_run, xlsx_file, sheet="Creators", platform="youtube")
    assert got.rows_read == 73 and got.level == "creators"
    text = xlsx_run.text
    assert "73 rows read as excel" in text
    assert "read sheet" in text and "Creators" in text


def test_json_input(json_run, json_file):
    assert_client_html(json_run)
    got = assert_c1_matches(json_run, json_file)
    assert got.level == "posts" and set(got.table["platform"]) == {"tiktok"}
    assert got.colmap.columns["creator"] == "author.uniqueId"
    assert f"{got.rows_read:,} rows read as json" in json_run.text


# --------------------------------------------------------------------------------------------
# 3e. determinism


def test_same_seed_same_tables(creators_run, creators_rerun):
    for name in ["summary", "tiers", "c2", "returns_by_tier", "cleaning_log"]:
        first = (creators_run.tables / f"{name}.csv").read_bytes()
        assert first == (creators_rerun.tables / f"{name}.csv").read_bytes(), name


# --------------------------------------------------------------------------------------------
# output you can trust: checked before any work, locked, all or nothing


def test_unwritable_out_is_refused_before_any_work(capsys, tmp_path):
    write(tmp_path, "file.txt", "not a folder")
    path = write(tmp_path, "list.csv", LIST)
    line = run_error(capsys, path, "--out", tmp_path / "file.txt" / "r.html")
    assert "cannot create the folder of --out" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "list.csv"]


def test_out_that_is_a_folder_is_refused(capsys, tmp_path):
    (tmp_path / "r.html").mkdir()
    line = run_error(capsys, write(tmp_path, "list.csv", LIST), "--out", tmp_path / "r.html")
    assert "is a folder" in line


def test_a_file_error_leaves_nothing_behind(capsys, tmp_path):
    path = write(tmp_path, "one.csv", "Handle,Followers,Likes\nann,1000,50\nann,1000,70\n")
    run_error(capsys, path, "--out", tmp_path / "out" / "r.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv"]  # no lock, folder, stage


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_concurrent_runs_and_an_interrupted_one(tmp_path, creators_csv):
    import os
    import signal
    import time

    out = tmp_path / "r.html"
    args = [str(INSIGHTS), "report", str(creators_csv), "--out", str(out), *FAST]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=subprocess.DEVNULL, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (tmp_path / ".r.html.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = console("report", creators_csv, "--out", out, *FAST, cwd=tmp_path)
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"insights: error: another insights report (process {first.pid}) is writing {out}; "
        f"wait for it to finish or choose another --out (lock: {tmp_path / '.r.html.lock'})")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r_files"]
    before = {p.relative_to(tmp_path): fingerprint(p) for p in tmp_path.rglob("*") if p.is_file()}

    # A rerun to the same --out, interrupted (Ctrl-C reaches the whole process group) while
    # the notebook runs: one line, exit 130, the earlier report untouched, nothing left over.
    rerun = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=subprocess.DEVNULL, cwd=tmp_path, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until the staged notebook exists: the analysis runs
        if any((stage / "r_files" / "inputs").exists() for stage in tmp_path.glob(".r-*")):
            break
        time.sleep(0.05)
    time.sleep(2)
    os.killpg(rerun.pid, signal.SIGINT)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 130, err
    assert err.strip().splitlines()[-1] == "insights: interrupted"
    assert "Traceback" not in err
    after = {p.relative_to(tmp_path): fingerprint(p) for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    assert _leftovers(tmp_path) == []


def test_implausible_values_and_a_duplicate_are_logged_and_headlined(tmp_path):
    frame = creators_frame(80, seed=3)[["Handle", "Followers", "Avg Likes"]]
    frame.loc[10, "Followers"] = "1e30"
    frame.loc[11, "Followers"] = "1e18"
    frame.loc[12, "Avg Likes"] = "1e30"
    frame = pd.concat([frame, frame.iloc[[20]].assign(Followers="999")], ignore_index=True)
    source = tmp_path / "list.csv"
    frame.to_csv(source, index=False)
    run = full_run(tmp_path / "out", source)
    got = assert_c1_matches(run, source)  # b as computed directly on the cleaned table
    # 81 rows: 3 implausible, 1 duplicate, and creators_frame's 0 and missing follower counts
    assert got.level == "creators" and len(got.table) == 75
    assert "6 rows left out: 3 with a value no real account or post has" in run.text
    log = run.table("cleaning_log")
    assert sorted(log.loc[log["action"] == "dropped", "step"]) == [
        "duplicate-creators", "implausible-followers", "implausible-followers",
        "implausible-likes", "no-followers", "zero-followers"]
    duplicate = log[log["step"] == "duplicate-creators"].iloc[0]
    assert "different follower count" in duplicate["reason"]


def test_kol_nested_json_with_display_and_exact_followers(tmp_path):
    rng = np.random.default_rng(8)
    records = []
    for i in range(60):
        followers = int(10 ** rng.uniform(3.3, 6.7))
        likes = int(0.05 * followers**0.85 * rng.lognormal(0, 0.3))
        records.append({"author": {"uniqueId": f"kol_{i:02d}",
                                   "followers": display_count(followers)},
                        "authorStats": {"followerCount": followers, "heartCount": likes * 40},
                        "stats": {"diggCount": likes, "commentCount": likes // 50}})
    source = tmp_path / "kol.json"
    source.write_text(json.dumps({"data": records}), encoding="utf-8")
    run = full_run(tmp_path / "out", source)
    got = assert_c1_matches(run, source)
    assert got.colmap.columns["followers"] == "authorStats.followerCount"  # exact, not "2.1K"
    assert got.colmap.columns["creator"] == "author.uniqueId"
    assert sorted(got.table["followers"]) == sorted(
        float(r["authorStats"]["followerCount"]) for r in records)
    # the per-creator table lists every kept creator; nothing in the HTML reads NaN
    section = run.text.split('id="Your-creators')[1].split('id="The-roster')[0]
    table = section[section.index('<table class="data">'):section.index("</table>")]
    shown = re.findall(r'<tr><td class="text">([^<]*)</td>', table)
    assert sorted(shown) == sorted(got.table["creator"]) and len(shown) == 60
    assert not re.search(r"\bnan\b", run.text, re.IGNORECASE)


def test_eu_csv_with_junk_lines_above_the_header(tmp_path):
    frame = creators_frame(60, seed=4)[["Handle", "Followers", "Avg Likes"]].iloc[8:]
    lines = ["Creator shortlist;;", "exported 01.03.2024;;", "", "Handle;Followers;Avg Likes"]
    for row in frame.itertuples(index=False):
        shown = row.Followers  # 12.5K -> 12,5K and 4.95M -> 4,95M; 8,400 -> 8.400
        followers = (shown.replace(".", ",") if shown[-1] in "KM" else shown.replace(",", "."))
        likes = f"{float(row[2]):.1f}".replace(".", ",")
        lines.append(f"{row.Handle};{followers};{likes}")
    source = tmp_path / "eu.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = full_run(tmp_path / "out", source)
    got = assert_c1_matches(run, source)
    assert len(got.table) == 52
    expected = frame["Followers"].map(lambda v: float(v[:-1]) * {"K": 1e3, "M": 1e6}[v[-1]]
                                      if v[-1] in "KM" else float(v.replace(",", "")))
    assert sorted(got.table["followers"]) == pytest.approx(sorted(expected), rel=1e-12)
    assert "the header is line 4" in " ".join(got.raw.notes)


def test_creators_split_over_two_sheets_after_a_readme(tmp_path):
    frame = creators_frame(n=90, seed=6).iloc[7:, :4]  # no special rows, no money
    path = tmp_path / "split.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"README": ["two sheets of creators follow"]}).to_excel(
            writer, sheet_name="README", index=False)
        frame.iloc[:40].to_excel(writer, sheet_name="Part 1", index=False)
        frame.iloc[40:].to_excel(writer, sheet_name="Part 2", index=False)
    run = full_run(tmp_path / "out", path)
    got = assert_c1_matches(run, path)
    assert len(got.table) == len(frame)  # nothing lost: both halves read
    assert "combined sheets 'Part 1', 'Part 2'" in " ".join(got.raw.notes)


def test_an_agency_shortlist_with_engagement_rate_only(tmp_path):
    rng = np.random.default_rng(12)
    followers = np.round(10 ** rng.uniform(3.5, 6.5, 70))
    rate = 0.06 * followers ** -0.15 * rng.lognormal(0, 0.3, 70)
    frame = pd.DataFrame({"Influencer": [f"kol_{i}" for i in range(70)],
                          "Followers": [display_count(f) for f in followers],
                          "Engagement Rate %": [f"{100 * r:.2f}%" for r in rate]})
    source = tmp_path / "shortlist.csv"
    frame.to_csv(source, index=False)
    run = full_run(tmp_path / "out", source)
    got = assert_c1_matches(run, source)
    assert got.components == ("avg_engagements",)
    assert "engagement is derived from the engagement rate" in run.text
