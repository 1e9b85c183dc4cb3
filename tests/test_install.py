"""The package works outside the checkout: a non-editable install runs ``insights report``.

The project's sources (``src/``, ``pyproject.toml``, ``README.md``) are copied to a temporary
folder and installed with ``pip install`` (not editable) into a new virtual environment. The
libraries insights depends on come from the test's own environment through a ``.pth`` line, so
nothing but the build backend is downloaded. The command then runs from a third folder that
holds only a CSV file: it must find its template notebook and reference tables inside the
installed package, and write the report there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # creates a virtual environment and runs the installed command

ROOT = Path(__file__).resolve().parents[1]

CREATORS = "\n".join(
    ["handle,followers,avg likes,avg comments"]
    + [f"c{i},{1000 * 2 ** (i % 12) + i},{40 * 2 ** (0.8 * (i % 12)) + i % 7},{i % 9 + 1}"
       for i in range(60)]
) + "\n"


def _copy_sources(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A new virtual environment with insights installed from a copy of the sources."""
    base = tmp_path_factory.mktemp("install")
    sources = _copy_sources(base / "sources")
    env_dir = base / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # The dependencies (pandas, papermill, ipykernel, ...) come from this environment; insights
    # itself is not taken from here, because a plain .pth line does not run the editable
    # install's own path hook.
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-input", "--quiet", str(sources)],
        check=True, capture_output=True, text=True,
    )
    return env_dir


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("INSIGHTS_") and k not in ("PYTHONPATH", "MPLBACKEND")}
    # nbconvert's templates are data files of the environment that holds the dependencies
    # (pip would have put them into the new environment's share/ had it installed them there).
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


def test_installed_package_is_not_the_checkout(installed):
    python = installed / "bin" / "python"
    where = subprocess.run(
        [python, "-c", "import insights.reporting, sys; print(insights.reporting.__file__)"],
        check=True, capture_output=True, text=True, cwd=installed, env=_clean_env(),
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(installed.resolve())
    assert not Path(where).resolve().is_relative_to(ROOT / "src")


def test_every_template_ships_with_the_package(installed):
    python = installed / "bin" / "python"
    listed = subprocess.run(
        [python, "-c", "from insights.reporting import build; "
         "print(*sorted({build.template_path(m).name for m in build.TEMPLATES "
         "if build.template_path(m).is_file()}), "
         "build.template_path().with_name('report.css').is_file())"],
        check=True, capture_output=True, text=True, cwd=installed, env=_clean_env(),
    ).stdout.split()
    assert listed == ["client-report.ipynb", "roster-report.ipynb", "True"]


def test_insights_report_runs_from_a_folder_outside_the_checkout(installed, tmp_path):
    work = tmp_path / "analyst"
    work.mkdir()
    (work / "creators.csv").write_text(CREATORS, encoding="utf-8")
    proc = subprocess.run(
        [installed / "bin" / "insights", "report", "creators.csv", "--platform", "instagram",
         "--resamples", "200", "--quiet"],
        cwd=work, env=_clean_env(), capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    html = (work / "creators-report.html").read_text(encoding="utf-8")
    assert "Findings at a glance" in html
    assert "C1: engagement against followers" in html
    assert "@media print" in html  # the style sheet ships as package data and is inlined
    assert (work / "creators-report_files" / "report.ipynb").is_file()
    assert not (work / "data").exists()  # nothing of a project layout is needed or made
