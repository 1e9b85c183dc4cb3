"""environment.yml (conda) and requirements/lock.txt (pip) pin the same versions.

Every direct dependency of pyproject.toml (runtime and the ``dev`` extra) must be pinned in
both files, and every pin in environment.yml must equal the lock's. A failure names the
package.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# pip name -> conda-forge name, where they differ (none so far).
CONDA_NAMES: dict[str, str] = {}
# Entries of environment.yml that are not Python packages from the lock.
NOT_IN_LOCK = {"python", "pip"}


def normalise(name: str) -> str:
    """Return a package name in PEP 503 normal form (lower case, runs of -_. as -)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_dependencies() -> list[str]:
    """Return the normalised names of pyproject's dependencies and optional dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    names = []
    for spec in specs:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        assert match, f"cannot read a package name from {spec!r} in pyproject.toml"
        names.append(normalise(match.group(1)))
    return sorted(set(names))


def lock_pins() -> dict[str, str]:
    """Return ``{name: version}`` from requirements/lock.txt (``name==version`` lines)."""
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements/lock.txt: {line!r} is not an exact `name==version` pin"
        pins[normalise(name)] = version.strip()
    return pins


def environment() -> dict:
    """Return environment.yml, parsed."""
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def conda_pins() -> dict[str, str | None]:
    """Return ``{name: version or None}`` of environment.yml's conda dependencies."""
    pins: dict[str, str | None] = {}
    for entry in environment()["dependencies"]:
        if isinstance(entry, dict):  # the pip: section
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(=+|[<>!~]=?)\s*(\S+))?", entry)
        assert match, f"environment.yml: cannot read dependency {entry!r}"
        name, operator, version = match.groups()
        if operator is not None and operator != "=":
            pytest.fail(f"environment.yml: {name} is pinned with {operator!r}; use `{name}=X.Y.Z`")
        pins[normalise(name)] = version
    return pins


def conda_name(name: str) -> str:
    """Return the conda-forge name of a pip package."""
    return CONDA_NAMES.get(name, name)


DIRECT = direct_dependencies()


@pytest.mark.parametrize("package", DIRECT)
def test_direct_dependency_is_pinned_in_the_lock(package):
    pins = lock_pins()
    assert package in pins, f"{package}: a direct dependency, missing from requirements/lock.txt"


@pytest.mark.parametrize("package", DIRECT)
def test_direct_dependency_is_pinned_in_environment_yml_to_the_lock_version(package):
    pins, conda = lock_pins(), conda_pins()
    name = conda_name(package)
    assert name in conda, f"{package}: a direct dependency, missing from environment.yml"
    assert conda[name] is not None, f"{package}: not pinned in environment.yml (`{name}=X.Y.Z`)"
    assert package in pins, f"{package}: missing from requirements/lock.txt"
    assert conda[name] == pins[package], (
        f"{package}: environment.yml pins {conda[name]}, requirements/lock.txt pins "
        f"{pins[package]}"
    )


def test_every_environment_yml_pin_agrees_with_the_lock():
    pins = lock_pins()
    reverse = {conda: pip for pip, conda in CONDA_NAMES.items()}
    disagreements = []
    for name, version in sorted(conda_pins().items()):
        if name in NOT_IN_LOCK:
            continue
        package = reverse.get(name, name)
        if package not in pins:
            disagreements.append(f"{name}: in environment.yml but not in requirements/lock.txt")
        elif version != pins[package]:
            disagreements.append(f"{name}: environment.yml {version}, lock {pins[package]}")
    assert not disagreements, "; ".join(disagreements)


def test_environment_yml_is_conda_forge_python_311_with_the_project_installed():
    env = environment()
    assert env["name"] == "insights"
    assert env["channels"] == ["conda-forge"]
    assert conda_pins().get("python") == "3.11"
    pip_sections = [entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict)]
    assert pip_sections == [["-e ."]], "environment.yml must end with `pip: [-e .]`"


def test_lock_python_matches_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Jinja2", "jinja2"), ("typing_extensions", "typing-extensions"), ("a.B_c", "a-b-c")],
)
def test_normalise_follows_pep_503(text, expected):
    assert normalise(text) == expected
