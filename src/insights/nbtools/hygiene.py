"""Check that a committed notebook is a clean, reproducible reference run.

Notebooks in ``notebooks/`` are committed *with* their outputs: nbval reruns them and compares
every output with the stored one, so the stored run must be exactly what a clean
"Restart & Run All" with the default parameters produces. :func:`check_notebook` lists every
way a notebook breaks that contract; an empty list means the notebook is clean.

The rules (each problem message starts with the rule name):

``execution-order``
    Code cells were run once each, top to bottom, in a fresh kernel: the execution counts are
    exactly 1..N and every non-blank code cell has one. Not applied to templates.
``kernelspec``
    ``metadata.kernelspec.name`` is ``python3``.
``stderr``
    No output is a stream written to stderr (a warning is a bug to fix, not to store).
``error``
    No output is an error, except in a cell tagged ``raises-exception`` (the tag shared by
    nbclient, papermill and nbval).
``absolute-path``
    No output shows an absolute path of a particular machine (``/home/``, ``/Users/``,
    ``/tmp/``, ``/work/``, ``/root/``, ``C:\\``).
``parameters``
    Exactly one code cell is tagged ``parameters``, and its body is only assignments of
    literals to plain names (checked with :mod:`ast` and :func:`ast.literal_eval`), so
    papermill can override every value without leaving a derived value stale.
``injected-parameters``
    No cell is tagged ``injected-parameters`` (that is a papermill run, not a reference).
``papermill-metadata``
    Neither the notebook nor any cell carries ``papermill`` metadata.

Examples
--------
>>> import nbformat
>>> spec = {"name": "python3", "display_name": "Python 3"}
>>> nb = nbformat.v4.new_notebook(metadata={"kernelspec": spec})
>>> params = nbformat.v4.new_code_cell("SEED = 1", execution_count=1)
>>> params.metadata["tags"] = ["parameters"]
>>> nb.cells = [params]
>>> check_notebook(nb)
[]
>>> nb.metadata.kernelspec.name = "conda-env-py"
>>> check_notebook(nb)
["kernelspec: metadata.kernelspec.name is 'conda-env-py', expected 'python3'"]
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ABSOLUTE_PATH_PATTERN",
    "EXCLUDED_DIRS",
    "TEMPLATE_DIR",
    "check_notebook",
    "check_parameters_source",
    "find_notebooks",
    "is_template",
]

#: Folder names never collected: exploration and Jupyter's autosaves.
EXCLUDED_DIRS: frozenset[str] = frozenset({"_scratch", ".ipynb_checkpoints"})

#: Folder of parameterised template notebooks (not executed reference runs).
TEMPLATE_DIR = "templates"

#: An absolute path of one machine, at the start of a path (not inside a URL or a longer path).
ABSOLUTE_PATH_PATTERN = re.compile(
    r"(?<![\w.:/~-])(?:/home/|/Users/|/tmp/|/work/|/root/)|(?<![\w])[A-Za-z]:\\"
)

_TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")
_RAISES_TAGS = frozenset({"raises-exception", "nbval-raises-exception"})


def find_notebooks(root: str | Path, *, include_templates: bool = True) -> list[Path]:
    """Return the notebooks under ``root``, sorted, without scratch folders or autosaves.

    Parameters
    ----------
    root : str or pathlib.Path
        The folder to search recursively (``notebooks/``). A missing folder has no notebooks.
    include_templates : bool, default True
        Whether to include notebooks under a ``templates/`` folder.

    Returns
    -------
    list of pathlib.Path
        Paths of ``*.ipynb`` files, sorted; folders named in :data:`EXCLUDED_DIRS` and hidden
        folders are skipped.

    Examples
    --------
    >>> find_notebooks("no-such-folder")
    []
    """
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*.ipynb")):
        parts = path.relative_to(root).parts[:-1]
        if any(part in EXCLUDED_DIRS or part.startswith(".") for part in parts):
            continue
        if not include_templates and TEMPLATE_DIR in parts:
            continue
        found.append(path)
    return found


def is_template(path: str | Path) -> bool:
    """Return whether a notebook path lies in a ``templates/`` folder.

    Examples
    --------
    >>> is_template("notebooks/templates/client-report.ipynb")
    True
    >>> is_template("notebooks/02-engagement-rate-falls.ipynb")
    False
    """
    return TEMPLATE_DIR in Path(path).parts[:-1]


def check_parameters_source(source: str) -> list[str]:
    """Return the problems of a ``parameters`` cell body; empty when it is only literals.

    Every statement must assign a literal (anything :func:`ast.literal_eval` accepts) to one
    or more plain names. Comments and blank lines are allowed.

    Parameters
    ----------
    source : str
        The cell's source code.

    Returns
    -------
    list of str
        One message per offending statement (or one if the source does not parse or is empty).

    Examples
    --------
    >>> check_parameters_source('DATASET = "top-insta-influencers-200"  # name\\nSEED = 7')
    []
    >>> check_parameters_source("N = 10\\nTWICE = N * 2")
    ['line 2: `TWICE = N * 2` is not an assignment of a literal']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"does not parse as Python ({exc.msg}, line {exc.lineno})"]
    if not tree.body:
        return ["has no assignments"]
    problems = []
    for statement in tree.body:
        if not _is_literal_assignment(statement):
            text = ast.get_source_segment(source, statement) or type(statement).__name__
            first_line = text.splitlines()[0] if text else text
            problems.append(
                f"line {statement.lineno}: `{first_line}` is not an assignment of a literal"
            )
    return problems


def _is_literal_assignment(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.Assign):
        return False
    if not all(isinstance(target, ast.Name) for target in statement.targets):
        return False
    try:
        ast.literal_eval(statement.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def check_notebook(nb: Mapping[str, Any], *, template: bool = False) -> list[str]:
    """Return every hygiene problem of a notebook; an empty list means it is clean.

    Parameters
    ----------
    nb : nbformat.NotebookNode or mapping
        A version-4 notebook, as read by :func:`nbformat.read`. It is not modified.
    template : bool, default False
        A template is committed unexecuted, so the ``execution-order`` rule is not applied.

    Returns
    -------
    list of str
        Problems in notebook order, each starting with its rule name (see the module
        docstring) and naming the cell by its one-based index among all cells.

    Examples
    --------
    >>> import nbformat
    >>> spec = {"name": "python3", "display_name": "Python 3"}
    >>> nb = nbformat.v4.new_notebook(metadata={"kernelspec": spec})
    >>> nb.cells = [nbformat.v4.new_code_cell("x = 1", execution_count=2)]
    >>> for problem in check_notebook(nb):
    ...     print(problem)
    execution-order: execution counts are [2], expected [1] (Restart & Run All, then save)
    parameters: found 0 cells tagged 'parameters', expected exactly 1
    """
    metadata = nb.get("metadata", {}) or {}
    cells = list(nb.get("cells", []))
    problems: list[str] = []

    name = (metadata.get("kernelspec") or {}).get("name")
    if name != "python3":
        problems.append(f"kernelspec: metadata.kernelspec.name is {name!r}, expected 'python3'")
    if "papermill" in metadata:
        problems.append("papermill-metadata: notebook metadata has a 'papermill' entry")

    if not template:
        problems.extend(_check_execution_order(cells))

    parameter_cells = []
    for index, cell in enumerate(cells, start=1):
        where = f"cell {index}"
        cell_meta = cell.get("metadata", {}) or {}
        tags = set(cell_meta.get("tags", []) or [])
        if "papermill" in cell_meta:
            problems.append(f"papermill-metadata: {where} has a 'papermill' metadata entry")
        if "injected-parameters" in tags:
            problems.append(f"injected-parameters: {where} is tagged 'injected-parameters'")
        if "parameters" in tags:
            parameter_cells.append((index, cell))
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []) or []:
            kind = output.get("output_type")
            if kind == "stream" and output.get("name") == "stderr":
                snippet = _snippet(output.get("text", ""))
                problems.append(f"stderr: {where} has output on stderr: {snippet}")
            if kind == "error" and not tags & _RAISES_TAGS:
                problems.append(
                    f"error: {where} has an error output: "
                    f"{output.get('ename', '?')}: {_snippet(output.get('evalue', ''))}"
                )
            for text in _output_texts(output):
                match = ABSOLUTE_PATH_PATTERN.search(text)
                if match:
                    problems.append(
                        f"absolute-path: {where} output shows an absolute path "
                        f"({match.group(0)!r} in {_snippet(text, around=match.start())})"
                    )
                    break

    if len(parameter_cells) != 1:
        found = ", ".join(f"cell {index}" for index, _ in parameter_cells)
        problems.append(
            f"parameters: found {len(parameter_cells)} cells tagged 'parameters'"
            + (f" ({found})" if found else "")
            + ", expected exactly 1"
        )
    for index, cell in parameter_cells:
        if cell.get("cell_type") != "code":
            problems.append(f"parameters: cell {index} is tagged 'parameters' but is not code")
            continue
        for problem in check_parameters_source(_source(cell)):
            problems.append(f"parameters: cell {index} {problem}")
    return problems


def _check_execution_order(cells: list[Mapping[str, Any]]) -> list[str]:
    counts = []
    for index, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        count = cell.get("execution_count")
        if count is None:
            if _source(cell).strip():
                return [
                    f"execution-order: cell {index} was never run (no execution count); "
                    "Restart & Run All, then save"
                ]
            continue
        counts.append(count)
    expected = list(range(1, len(counts) + 1))
    if counts != expected:
        return [
            f"execution-order: execution counts are {_short(counts)}, expected "
            f"{_short(expected)} (Restart & Run All, then save)"
        ]
    return []


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _output_texts(output: Mapping[str, Any]) -> Iterator[str]:
    if "text" in output:
        yield _joined(output["text"])
    data = output.get("data", {}) or {}
    for mime in _TEXT_MIMES:
        if mime in data:
            yield _joined(data[mime])
    if output.get("output_type") == "error":
        yield str(output.get("evalue", ""))
        yield "\n".join(output.get("traceback", []) or [])


def _joined(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return "".join(str(part) for part in value)
    return str(value)


def _snippet(text: Any, *, around: int = 0, width: int = 60) -> str:
    text = _joined(text)
    start = max(around - width // 2, 0)
    piece = text[start : start + width].replace("\n", "\\n")
    return repr(piece + ("..." if start + width < len(text) else ""))


def _short(values: list[int], limit: int = 12) -> str:
    if len(values) <= limit:
        return str(values)
    return "[" + ", ".join(str(v) for v in values[:limit]) + ", ...]"
