"""Unit tests of the all-or-nothing output of insights.reporting.build: the lock, the staging
folder and the final move (the end-to-end runs are in test_reporting_cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from insights.reporting import build
from insights.reporting.build import ReportError


def test_the_lock_holds_this_process_and_goes_at_the_end(tmp_path):
    out = tmp_path / "r.html"
    with build._locked(out) as lock:
        assert lock == tmp_path / ".r.html.lock"
        assert lock.read_text(encoding="ascii") == str(os.getpid())
    assert not lock.exists()


def test_a_live_lock_refuses_a_second_run(tmp_path):
    out = tmp_path / "r.html"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / ".r.html.lock").write_text(str(other.pid), encoding="ascii")
        with pytest.raises(ReportError, match=rf"another insights report \(process {other.pid}\) "
                                              "is writing") as stop, build._locked(out):
            pass
        assert stop.value.status == 2
        assert (tmp_path / ".r.html.lock").read_text(encoding="ascii") == str(other.pid)
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize("content", ["999999999", "not a pid", ""])
def test_a_stale_lock_is_taken_over(tmp_path, content):
    (tmp_path / ".r.html.lock").write_text(content, encoding="ascii")
    with build._locked(tmp_path / "r.html") as lock:
        assert lock.read_text(encoding="ascii") == str(os.getpid())
    assert not lock.exists()


def test_an_out_under_a_file_is_refused_before_any_work(tmp_path):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ReportError, match="cannot create the folder of --out") as stop, \
            build._locked(tmp_path / "file.txt" / "r.html"):
        pass
    assert stop.value.status == 2


def test_a_folder_made_for_nothing_is_removed(tmp_path):
    out = tmp_path / "new" / "deeper" / "r.html"
    with pytest.raises(RuntimeError), build._locked(out):
        raise RuntimeError("the analysis stopped")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_made_for_a_finished_report_stays(tmp_path):
    out = tmp_path / "new" / "r.html"
    with build._locked(out):
        out.write_text("done", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["new", "r.html"]


def test_staging_is_removed_on_success_and_on_error(tmp_path):
    out = tmp_path / "r.html"
    with build._staging(out) as stage:
        assert stage.parent == tmp_path and stage.name.startswith(".r-")
        (stage / "half.txt").write_text("x", encoding="utf-8")
    assert not stage.exists()
    with pytest.raises(KeyboardInterrupt), build._staging(out) as stage:
        (stage / "half.txt").write_text("x", encoding="utf-8")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_publish_replaces_an_earlier_report(tmp_path):
    out, files = tmp_path / "r.html", tmp_path / "r_files"
    out.write_text("old", encoding="utf-8")
    files.mkdir()
    (files / "old.csv").write_text("old", encoding="utf-8")
    with build._staging(out) as stage:
        (stage / "r.html").write_text("new", encoding="utf-8")
        (stage / "r_files").mkdir()
        (stage / "r_files" / "new.csv").write_text("new", encoding="utf-8")
        build._publish(stage, out, files)
    assert out.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in files.iterdir()) == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r_files"]


def test_the_lock_is_created_with_its_owner_in_it(tmp_path, monkeypatch):
    seen = []
    real_link = os.link

    def link(source, target):
        real_link(source, target)
        seen.append(open(target, encoding="ascii").read())  # the moment it exists

    monkeypatch.setattr(build.os, "link", link)
    with build._locked(tmp_path / "r.html"):
        pass
    assert seen == [str(os.getpid())]
    assert list(tmp_path.iterdir()) == []  # no claim file left either


def test_without_hard_links_the_lock_is_an_exclusive_create(tmp_path, monkeypatch):
    def no_link(source, target):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(build.os, "link", no_link)
    with build._locked(tmp_path / "r.html") as lock:
        assert lock.read_text(encoding="ascii") == str(os.getpid())
    assert list(tmp_path.iterdir()) == []


def _kernel_says(manager, code: str) -> str:
    client = manager.blocking_client()
    client.start_channels()
    try:
        said = []
        client.execute_interactive(code, timeout=60, output_hook=lambda msg: said.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
        return "".join(said)
    finally:
        client.stop_channels()


@pytest.mark.e2e
def test_early_kernel_runs_in_its_folder_warmed_up_and_is_stopped_on_error(tmp_path):
    """The kernel started before the intake works in the report's folder, has imported the
    templates' modules once ``ready()`` returns, and is gone when the block fails."""
    folder = tmp_path / "report_files"
    with pytest.raises(RuntimeError, match="intake failed"), \
            build._early_kernel(folder) as kernel:
        kernel.ready()
        said = _kernel_says(kernel.manager, "import os, sys\nprint(os.getcwd())\nprint("
                            "all(m in sys.modules for m in ('insights.stats', "
                            "'insights.reporting.analyses', 'matplotlib.pyplot')))")
        assert said.split() == [str(folder), "True"]
        assert build._run(kernel.manager.is_alive())
        raise RuntimeError("intake failed")
    assert not kernel.manager.has_kernel
    assert (folder / "kernel.log").is_file()
