"""insights.nbtools.notebooks: normalising, executing, rendering notebooks; its command line.

The execution tests start real kernels (ipykernel of the Python running the tests), about a
second each.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from insights.nbtools import notebooks as report
from insights.nbtools.hygiene import check_notebook

pytestmark = pytest.mark.e2e  # executes notebooks in Jupyter kernels

v4 = nbformat.v4


def make_notebook(*cells, kernel="python3"):
    nb = v4.new_notebook(metadata={"kernelspec": {"name": kernel, "display_name": kernel}})
    nb.cells = list(cells)
    return nb


def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def tiny_notebook():
    """Return a small valid notebook that prints, plots and uses its parameters."""
    return make_notebook(
        v4.new_markdown_cell("Intro without a heading."),
        v4.new_markdown_cell("# Claim: *small* creators <engage> more\n\nText."),
        tagged(v4.new_code_cell("N = 6"), "parameters"),
        v4.new_code_cell("%matplotlib inline\nimport matplotlib.pyplot as plt"),
        v4.new_code_cell("print(f'answer={N * 7}')"),
        v4.new_code_cell("fig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\nplt.show()"),
    )


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def stdout_text(nb):
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )


# ---------------------------------------------------------------- normalise_notebook


def run_by_papermill_and_nbclient():
    nb = make_notebook(
        tagged(v4.new_code_cell("N = 1", execution_count=1), "parameters"),
        v4.new_code_cell(
            "print(N)", execution_count=2,
            outputs=[v4.new_output("stream", name="stdout", text="1\n")],
        ),
        v4.new_code_cell("   \n", execution_count=3),
        kernel="conda-env-insights-py",
    )
    nb.metadata["papermill"] = {"duration": 2.5, "parameters": {}}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.cells[0].metadata["papermill"] = {"status": "completed", "duration": 0.1}
    nb.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    nb.cells[1].metadata["ExecuteTime"] = {"end_time": "2026-01-01T00:00:01Z"}
    nb.cells[1].metadata["scrolled"] = True
    return nb


def test_normalise_sets_the_kernelspec():
    result = report.normalise_notebook(run_by_papermill_and_nbclient())
    assert dict(result.metadata.kernelspec) == {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }


def test_normalise_strips_papermill_timing_and_python_version():
    result = report.normalise_notebook(run_by_papermill_and_nbclient())
    assert "papermill" not in result.metadata
    assert dict(result.metadata.language_info) == {"name": "python"}
    for cell in result.cells:
        assert not {"papermill", "execution", "ExecuteTime"} & set(cell.metadata)
    assert result.cells[1].metadata["scrolled"] is True  # unrelated metadata is kept
    assert result.cells[0].metadata["tags"] == ["parameters"]


def test_normalise_keeps_outputs_and_counts_and_clears_blank_cells():
    result = report.normalise_notebook(run_by_papermill_and_nbclient())
    assert [cell.execution_count for cell in result.cells] == [1, 2, None]
    assert result.cells[1].outputs[0].text == "1\n"
    assert check_notebook(result) == []
    nbformat.validate(result)


def test_normalise_does_not_modify_its_input_and_is_idempotent():
    nb = run_by_papermill_and_nbclient()
    before = nbformat.writes(nb)
    once = report.normalise_notebook(nb)
    assert nbformat.writes(nb) == before
    assert nbformat.writes(report.normalise_notebook(once)) == nbformat.writes(once)


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (["No heading here", "## Second-level title ##"], "Second-level title"),
        (["Text\n\n# Claim: micro beats macro\nmore"], "Claim: micro beats macro"),
        (["#hashtag is not a heading"], "fallback"),
        ([], "fallback"),
    ],
)
def test_notebook_title_is_the_first_markdown_heading(markdown, expected):
    nb = make_notebook(v4.new_code_cell("# a comment, not a heading"),
                       *(v4.new_markdown_cell(text) for text in markdown))
    assert report.notebook_title(nb, default="fallback") == expected


# ---------------------------------------------------------------- execution and rendering


def test_execute_and_render_a_tiny_notebook(tmp_path):
    nb = tiny_notebook()
    result = report.execute(nb, cwd=tmp_path)
    assert result.error is None and result.status == "ok" and result.clean
    assert stdout_text(result.notebook) == "answer=42\n"
    counts = [c.execution_count for c in result.notebook.cells if c.cell_type == "code"]
    assert counts == [1, 2, 3, 4]
    figure = result.notebook.cells[-1].outputs[0]
    assert "image/png" in figure.data
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")

    page = report.render_html(result.notebook, tmp_path / "out" / "tiny.html")
    text = page.read_text(encoding="utf-8")
    assert "answer=42" in text
    assert "data:image/png;base64," in text
    assert "<title>Claim: *small* creators &lt;engage&gt; more</title>" in text


def test_execute_ignores_the_kernel_named_in_metadata_and_sets_cwd_and_hash_seed(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # would hide figures; the kernel must not see it
    monkeypatch.setenv("PYTHONHASHSEED", "123")
    nb = make_notebook(
        v4.new_code_cell(
            "import os, sys\n"
            "print(sys.executable)\nprint(os.getcwd())\nprint(os.environ['PYTHONHASHSEED'])\n"
            "print(os.environ.get('MPLBACKEND'))"
        ),
        kernel="no-such-kernel",
    )
    result = report.execute(nb, cwd=tmp_path)
    assert result.error is None
    executable, cwd, seed, backend = stdout_text(result.notebook).splitlines()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(cwd).resolve() == tmp_path.resolve()
    assert seed == "0"
    assert backend == "module://matplotlib_inline.backend_inline"  # set by ipykernel itself


def test_execute_stops_at_the_first_error(tmp_path):
    nb = make_notebook(
        v4.new_code_cell("x = 1"),
        v4.new_code_cell("1 / 0"),
        v4.new_code_cell("print('never')"),
    )
    result = report.execute(nb, cwd=tmp_path)
    assert result.status == "failed" and not result.clean
    assert result.error == "ZeroDivisionError: division by zero"
    assert result.notebook.cells[1].outputs[0].output_type == "error"
    assert result.notebook.cells[2].outputs == []


def test_execute_allows_errors_in_cells_tagged_raises_exception(tmp_path):
    nb = make_notebook(
        tagged(v4.new_code_cell("raise KeyError('likes')"), "raises-exception"),
        v4.new_code_cell("print('after')"),
    )
    result = report.execute(nb, cwd=tmp_path)
    assert result.status == "ok"
    assert stdout_text(result.notebook) == "after\n"


def test_execute_reports_stderr_output(tmp_path):
    nb = make_notebook(v4.new_code_cell("import sys\nprint('careful', file=sys.stderr)"))
    result = report.execute(nb, cwd=tmp_path)
    assert result.error is None
    assert result.status == "stderr" and not result.clean


def test_execute_notebook_writes_a_copy_and_leaves_the_source_alone(tmp_path):
    source = write(tiny_notebook(), tmp_path / "nbs" / "01-tiny.ipynb")
    before = source.read_bytes()
    result = report.execute_notebook(source, tmp_path / "out")
    assert source.read_bytes() == before
    assert result.source == source and result.output == tmp_path / "out" / "01-tiny.ipynb"
    copy = nbformat.read(result.output, as_version=4)
    assert "answer=42" in stdout_text(copy)
    assert copy.metadata.kernelspec.name == "python3"


def test_execute_notebook_refuses_to_overwrite_the_source(tmp_path):
    source = write(tiny_notebook(), tmp_path / "01-tiny.ipynb")
    with pytest.raises(ValueError, match="overwrite"):
        report.execute_notebook(source, tmp_path)


def test_regenerate_notebook_rewrites_a_clean_reference_in_place(tmp_path):
    nb = tiny_notebook()
    nb.metadata.kernelspec = {"name": "conda-env-x-py", "display_name": "x"}
    nb.cells[4].execution_count = 17  # stale run
    path = write(nb, tmp_path / "02-claim.ipynb")
    result = report.regenerate_notebook(path)
    assert result.error is None and result.output == path
    regenerated = nbformat.read(path, as_version=4)
    assert check_notebook(regenerated) == []
    assert "answer=42" in stdout_text(regenerated)


def test_regenerate_notebook_leaves_a_failing_notebook_untouched(tmp_path):
    path = write(make_notebook(v4.new_code_cell("1 / 0")), tmp_path / "03-broken.ipynb")
    before = path.read_bytes()
    result = report.regenerate_notebook(path)
    assert result.status == "failed" and result.output is None
    assert path.read_bytes() == before


# ---------------------------------------------------------------- index page


def test_index_lists_every_notebook_with_title_link_and_status(tmp_path):
    def entry(name, title, status, error=None):
        return report.NotebookReport(
            source=Path("notebooks") / f"{name}.ipynb", title=title, status=status,
            html=tmp_path / f"{name}.html", executed=tmp_path / f"{name}.ipynb",
            error=error, seconds=1.25,
        )

    reports = [
        entry("01-a", "Claim: bigger <means> lower", "ok"),
        entry("sub/02 b", "Claim two", "failed", error="KeyError: 'likes'"),
        entry("03-c", "Claim three", "stderr"),
    ]
    text = report.write_index(reports, tmp_path).read_text(encoding="utf-8")
    assert '<a href="01-a.html">Claim: bigger &lt;means&gt; lower</a>' in text
    assert '<a href="sub/02%20b.html">Claim two</a>' in text
    assert "KeyError: &#x27;likes&#x27;" in text
    assert text.count("ran cleanly") == 2  # the row and the summary line
    assert "1 of 3 notebooks ran cleanly" in text
    assert "ran, with output on stderr" in text and ">failed<" in text


def test_index_of_no_notebooks(tmp_path):
    text = report.write_index([], tmp_path / "reports").read_text(encoding="utf-8")
    assert "No notebooks." in text and "0 of 0 notebooks ran cleanly" in text


# ---------------------------------------------------------------- end to end


def run_cli(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    return subprocess.run(
        [sys.executable, "-m", "insights.nbtools.notebooks", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )


def test_cli_renders_all_notebooks_to_html_and_an_index(tmp_path):
    notebooks, reports = tmp_path / "notebooks", tmp_path / "reports"
    source = write(tiny_notebook(), notebooks / "01-tiny.ipynb")
    write(make_notebook(v4.new_code_cell("1 / 0")), notebooks / "templates" / "t.ipynb")
    write(make_notebook(v4.new_code_cell("1 / 0")), notebooks / "_scratch" / "s.ipynb")
    before = source.read_bytes()

    done = run_cli("--notebooks", notebooks, "--out", reports, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "[report] [1/1] 01-tiny.ipynb: executing" in done.stderr
    assert "1 of 1 notebooks ran cleanly" in done.stderr
    assert source.read_bytes() == before
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*")) == [
        "01-tiny.html", "01-tiny.ipynb", "index.html"
    ]
    assert "answer=42" in (reports / "01-tiny.html").read_text(encoding="utf-8")
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert '<a href="01-tiny.html">Claim: *small* creators &lt;engage&gt; more</a>' in index
    assert "ran cleanly" in index


def test_main_exits_1_and_still_renders_when_a_notebook_fails(tmp_path, capsys):
    notebooks, reports = tmp_path / "notebooks", tmp_path / "reports"
    write(tiny_notebook(), notebooks / "01-tiny.ipynb")
    write(make_notebook(v4.new_markdown_cell("# Broken claim"), v4.new_code_cell("1 / 0")),
          notebooks / "02-broken.ipynb")

    code = report.main(["--notebooks", str(notebooks), "--out", str(reports)])

    assert code == 1
    assert "02-broken.ipynb: failed" in capsys.readouterr().err
    assert "ZeroDivisionError" in (reports / "02-broken.html").read_text(encoding="utf-8")
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Broken claim" in index and "1 of 2 notebooks ran cleanly" in index


def test_main_inplace_regenerates_the_named_notebooks(tmp_path, capsys):
    nb = tiny_notebook()
    nb.metadata["papermill"] = {"duration": 1.0}
    path = write(nb, tmp_path / "notebooks" / "01-tiny.ipynb")
    broken = write(make_notebook(v4.new_code_cell("1 / 0")), tmp_path / "notebooks" / "02.ipynb")
    before = broken.read_bytes()

    assert report.main(["--inplace", str(path)]) == 0
    assert check_notebook(nbformat.read(path, as_version=4)) == []
    assert report.main(["--inplace", str(broken)]) == 1
    assert broken.read_bytes() == before
    assert "FAILED, file left unchanged" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_main_rejects_paths_without_inplace(capsys):
    with pytest.raises(SystemExit) as exit_info:
        report.main(["some.ipynb"])
    assert exit_info.value.code == 2
    assert "only accepted with --inplace" in capsys.readouterr().err
