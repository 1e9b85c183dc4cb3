"""Committed notebooks are clean reference runs; the hygiene checker catches each violation.

The first test runs over every notebook in ``notebooks/`` and over the client-report template
shipped in the package (templates without the execution-order rule; ``_scratch/`` never). The
rest build notebooks in memory, one clean and one per broken rule, to show the checker rejects
what it should and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from insights.nbtools.hygiene import (
    check_notebook,
    check_parameters_source,
    find_notebooks,
    is_template,
)
from insights.reporting.build import template_path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [*find_notebooks(ROOT / "notebooks"), template_path()]


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS]
)
def test_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    problems = check_notebook(nb, template=is_template(path))
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------- checker unit tests

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def code(source, count, *, outputs=(), tags=()):
    cell = nbformat.v4.new_code_cell(source, execution_count=count, outputs=list(outputs))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def good_notebook():
    """Return a notebook that follows every rule."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": dict(KERNELSPEC)})
    nb.cells = [
        nbformat.v4.new_markdown_cell('# Claim: "bigger accounts engage less"'),
        code('DATASET = "top-insta-influencers-200"  # a name, not a path\nSEED = 7\n'
             "ALPHA = 0.05\nTIERS = (1_000, 10_000)\nOFF = -1\nFLAGS = {'a': [1, None]}",
             1, tags=["parameters"]),
        code("import numpy as np\nrng = np.random.default_rng(SEED)", 2),
        code("print(f'{0.1234:.2f}')", 3,
             outputs=[nbformat.v4.new_output("stream", name="stdout", text="0.12\n")]),
        code("", None),
        code("rows", 4, outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/plain": "see https://example.com/home/a and data/tmp/x"},
            execution_count=4)]),
    ]
    nbformat.validate(nb)
    return nb


def rules(problems):
    return {problem.split(":", 1)[0] for problem in problems}


def test_good_notebook_has_no_problems():
    assert check_notebook(good_notebook()) == []


def test_checker_does_not_modify_the_notebook():
    nb = good_notebook()
    nb.cells[1].execution_count = 9
    before = nbformat.writes(nb)
    check_notebook(nb)
    assert nbformat.writes(nb) == before


@pytest.mark.parametrize(
    "counts",
    [[1, 3, 4, 5], [2, 3, 4, 5], [1, 2, 4, 3], [1, 1, 2, 3], [1, 2, None, 3]],
    ids=["gap", "not-from-1", "out-of-order", "repeated", "unrun-cell"],
)
def test_execution_counts_must_be_1_to_n(counts):
    nb = good_notebook()
    code_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    for cell, count in zip(code_cells, counts, strict=True):
        cell.execution_count = count
    assert rules(check_notebook(nb)) == {"execution-order"}


def test_templates_are_exempt_from_execution_order_only():
    nb = good_notebook()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = []
    assert check_notebook(nb, template=True) == []
    assert rules(check_notebook(nb)) == {"execution-order"}
    nb.metadata.kernelspec.name = "ir"
    assert rules(check_notebook(nb, template=True)) == {"kernelspec"}


@pytest.mark.parametrize("name", ["conda-env-insights-py", "python", None])
def test_kernelspec_must_be_python3(name):
    nb = good_notebook()
    if name is None:
        del nb.metadata["kernelspec"]
    else:
        nb.metadata.kernelspec.name = name
    assert rules(check_notebook(nb)) == {"kernelspec"}


def test_stderr_output_is_rejected():
    nb = good_notebook()
    nb.cells[3].outputs.append(nbformat.v4.new_output(
        "stream", name="stderr", text="FutureWarning: the default will change\n"))
    problems = check_notebook(nb)
    assert rules(problems) == {"stderr"}
    assert "cell 4" in problems[0] and "FutureWarning" in problems[0]


def test_error_output_is_rejected_unless_tagged_raises_exception():
    nb = good_notebook()
    nb.cells[3].outputs = [nbformat.v4.new_output(
        "error", ename="KeyError", evalue="'likes'", traceback=["KeyError: 'likes'"])]
    problems = check_notebook(nb)
    assert rules(problems) == {"error"}
    assert "KeyError" in problems[0]
    nb.cells[3].metadata["tags"] = ["raises-exception"]
    assert check_notebook(nb) == []


@pytest.mark.parametrize(
    "text",
    [
        "saved to /home/alice/insights/data.parquet",
        "PosixPath('/Users/bob/data')",
        "'/tmp/pytest-1/x.csv'",
        "/work/main/data/raw",
        "(/root/.cache/pooch)",
        "C:\\Users\\carol\\data.csv",
        "'C:\\\\Users\\\\carol'",
    ],
)
def test_absolute_paths_in_outputs_are_rejected(text):
    nb = good_notebook()
    nb.cells[5].outputs[0].data["text/plain"] = text
    assert rules(check_notebook(nb)) == {"absolute-path"}


@pytest.mark.parametrize("field", ["stream", "text/html", "traceback"])
def test_absolute_paths_are_found_in_every_kind_of_text_output(field):
    nb = good_notebook()
    cell = nb.cells[3]
    if field == "stream":
        cell.outputs[0].text = "reading /home/alice/x.csv\n"
    elif field == "text/html":
        cell.outputs.append(nbformat.v4.new_output(
            "display_data", data={"text/html": "<td>/tmp/x</td>", "text/plain": "x"}))
    else:
        cell.metadata["tags"] = ["raises-exception"]
        cell.outputs = [nbformat.v4.new_output(
            "error", ename="OSError", evalue="no file",
            traceback=['File "/home/alice/lib.py", line 3'])]
    assert rules(check_notebook(nb)) == {"absolute-path"}


def test_absolute_paths_in_images_are_not_searched():
    nb = good_notebook()
    nb.cells[3].outputs.append(nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBOR/tmp/home/AAA=", "text/plain": "<Figure>"}))
    assert check_notebook(nb) == []


def test_missing_parameters_cell_is_rejected():
    nb = good_notebook()
    nb.cells[1].metadata["tags"] = []
    problems = check_notebook(nb)
    assert rules(problems) == {"parameters"}
    assert "found 0" in problems[0]


def test_two_parameters_cells_are_rejected():
    nb = good_notebook()
    nb.cells[2].metadata["tags"] = ["parameters"]
    nb.cells[2].source = "N_BOOT = 2_000"
    problems = check_notebook(nb)
    assert rules(problems) == {"parameters"}
    assert "found 2" in problems[0]


def test_markdown_cell_tagged_parameters_is_rejected():
    nb = good_notebook()
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.cells[1].metadata["tags"] = []
    assert rules(check_notebook(nb)) == {"parameters"}


@pytest.mark.parametrize(
    "source",
    [
        "N = 10\nTWICE = N * 2",
        "import os\nN = 1",
        "DATA = Path('data/raw')",
        "A, B = 1, 2",
        "N: int = 10",
        "N += 1",
        "%matplotlib inline\nN = 1",
        "# only a comment",
        "print('hi')",
        "X = [1, 2][0]",
    ],
    ids=["derived", "import", "call", "tuple-target", "annotated", "augmented", "magic",
         "empty", "expression", "subscript"],
)
def test_parameters_cell_must_hold_only_literal_assignments(source):
    nb = good_notebook()
    nb.cells[1].source = source
    assert check_parameters_source(source) != []
    assert rules(check_notebook(nb)) == {"parameters"}


def test_parameters_problem_names_the_statement():
    assert check_parameters_source("N = 10\nTWICE = N * 2") == [
        "line 2: `TWICE = N * 2` is not an assignment of a literal"
    ]


def test_injected_parameters_cell_is_rejected():
    nb = good_notebook()
    injected = code("SEED = 8", 2, tags=["injected-parameters"])
    nb.cells.insert(2, injected)
    for count, cell in enumerate((c for c in nb.cells if c.get("execution_count")), start=1):
        cell.execution_count = count
    assert rules(check_notebook(nb)) == {"injected-parameters"}


@pytest.mark.parametrize("where", ["notebook", "cell"])
def test_papermill_metadata_is_rejected(where):
    nb = good_notebook()
    target = nb if where == "notebook" else nb.cells[2]
    target.metadata["papermill"] = {"duration": 1.2, "status": "completed"}
    assert rules(check_notebook(nb)) == {"papermill-metadata"}


def test_every_problem_is_reported_at_once():
    nb = good_notebook()
    nb.metadata.kernelspec.name = "other"
    nb.metadata["papermill"] = {}
    nb.cells[2].execution_count = 7
    nb.cells[3].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="w\n"))
    assert rules(check_notebook(nb)) == {
        "kernelspec", "papermill-metadata", "execution-order", "stderr"
    }


def test_find_notebooks_skips_scratch_checkpoints_and_optionally_templates(tmp_path):
    for relative in ["02-b.ipynb", "01-a.ipynb", "sub/03-c.ipynb", "templates/t.ipynb",
                     "_scratch/s.ipynb", ".ipynb_checkpoints/01-a-checkpoint.ipynb",
                     "sub/.ipynb_checkpoints/03-c-checkpoint.ipynb", "notes.md"]:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    found = [p.relative_to(tmp_path).as_posix() for p in find_notebooks(tmp_path)]
    assert found == ["01-a.ipynb", "02-b.ipynb", "sub/03-c.ipynb", "templates/t.ipynb"]
    without = find_notebooks(tmp_path, include_templates=False)
    assert [p.name for p in without] == ["01-a.ipynb", "02-b.ipynb", "03-c.ipynb"]
    assert find_notebooks(tmp_path / "missing") == []
