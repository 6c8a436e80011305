"""Batch builds: incremental, fault-isolated, interrupted and resumed, progress, Dask."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from evalkit.batch.kernels import sweep_ipc_dirs
from evalkit.batch.run import run_build
from evalkit.batch.worker import abandon_renderer

from .conftest import FIXTURES, PARAMS

TINY = FIXTURES / "notebooks" / "tiny.ipynb"


def _clone_unit(params: Path, source: str, new_id: str) -> None:
    shutil.copytree(params / source, params / new_id)
    profile = params / new_id / "unit.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(f"id: {source}", f"id: {new_id}"), encoding="utf-8")


@pytest.fixture
def params(tmp_path) -> Path:
    dest = tmp_path / "params"
    dest.mkdir()
    shutil.copytree(PARAMS / "xinshi-rd", dest / "xinshi-rd")
    for i in range(3):
        _clone_unit(dest, "xinshi-rd", f"unit-{i}")
    return dest


def _mtimes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.glob("*/*.html")}


@pytest.mark.slow
def test_incremental_build_rebuilds_only_what_changed(params, tmp_path):
    out = tmp_path / "out"
    # inline (jobs=1): what is rebuilt is the plan's doing; the pool has its own tests below
    first = run_build(params, out, jobs=1, quiet=True, notebook=TINY)
    assert len(first.built) == 4 and not first.failed
    before = _mtimes(out)

    again = run_build(params, out, jobs=2, quiet=True, notebook=TINY)  # nothing to do: no pool started
    assert (len(again.built), len(again.skipped)) == (0, 4)
    assert _mtimes(out) == before

    year = params / "unit-1" / "2023.yaml"
    year.write_text(year.read_text(encoding="utf-8").replace("actual: 96.11", "actual: 90"), encoding="utf-8")
    changed = run_build(params, out, jobs=1, quiet=True, notebook=TINY)
    assert [(r.unit_id, r.year) for r in changed.built] == [("unit-1", 2023)]
    assert "总分 91.2 优" in (out / "2023" / "unit-1.html").read_text(encoding="utf-8")  # 91.73 − 10 + 9.47

    forced = run_build(params, out, jobs=1, quiet=True, notebook=TINY, force=True)
    assert len(forced.built) == 4


def test_a_change_of_rulebook_or_notebook_rebuilds(params, tmp_path):
    out = tmp_path / "out"
    run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0")
    assert len(run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0").skipped) == 1
    assert len(run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0", rulebook="reverse-linear").built) == 1
    other = tmp_path / "tiny-copy.ipynb"
    other.write_text(TINY.read_text(encoding="utf-8").replace("总分", "总分："), encoding="utf-8")
    assert len(run_build(params, out, jobs=1, quiet=True, notebook=other, unit="unit-0", rulebook="reverse-linear").built) == 1


@pytest.mark.slow
def test_failures_are_isolated_and_reported(params, tmp_path):
    for bad in ("boom-1", "kill-1", "slow-1"):
        _clone_unit(params, "xinshi-rd", bad)
    broken = params / "broken"
    _clone_unit(params, "xinshi-rd", "broken")
    year = broken / "2023.yaml"
    year.write_text(year.read_text(encoding="utf-8").replace("actual: 422.89", "actual: abc"), encoding="utf-8")

    out = tmp_path / "out"
    # A unit that sleeps past the timeout proves the timeout as well with 8 s as with 600. The
    # timeout also covers a kernel's start, which the good units must stay well inside.
    summary = run_build(params, out, jobs=2, quiet=True, notebook=TINY, timeout=8)
    failed = {r.unit_id: r for r in summary.failed}
    assert set(failed) == {"boom-1", "kill-1", "slow-1", "broken"}
    assert failed["boom-1"].cell == 3 and "RuntimeError: 故意失败" in failed["boom-1"].error
    assert "超时" in failed["slow-1"].error
    assert "budget.actual" in failed["broken"].error
    assert {r.unit_id for r in summary.built} == {"xinshi-rd", "unit-0", "unit-1", "unit-2"}
    assert not list(out.rglob("*.tmp"))
    # the failures are in the index, and the next run retries only them
    assert "broken" in (out / "index.html").read_text(encoding="utf-8")
    again = run_build(params, out, jobs=2, quiet=True, notebook=TINY, timeout=8, unit="broken")
    assert len(again.failed) == 1


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalkit.cli", *args], capture_output=True, text=True, **kwargs)


@pytest.mark.slow
def test_cli_summary_progress_and_exit_code(params, tmp_path, capsys):
    from evalkit.cli import main

    _clone_unit(params, "xinshi-rd", "boom-2")
    out = tmp_path / "out"
    proc = _cli("build", "--params", str(params), "--out", str(out), "--notebook", str(TINY), "--jobs", "2")
    assert proc.returncode == 1
    assert "[5/5]" in proc.stderr  # plain progress lines when not on a terminal
    assert "失败 1 份" in proc.stdout
    assert "boom-2 2023：第 3 个单元格（import os）出错：RuntimeError: 故意失败" in proc.stderr
    # -q in this process (stderr captured, not a terminal either): boom-2 is retried, quietly
    capsys.readouterr()
    assert main(["build", "--params", str(params), "--out", str(out), "--notebook", str(TINY), "-q", "--jobs", "1"]) == 1
    quiet = capsys.readouterr()
    assert "boom-2" in quiet.err and "[" not in quiet.err.split("失败")[0]


@pytest.mark.slow
def test_interrupted_build_leaves_no_half_file_and_resumes(params, tmp_path, monkeypatch):
    for i in range(3, 8):
        _clone_unit(params, "xinshi-rd", f"unit-{i}")
    out = tmp_path / "out"
    runtime = Path(tempfile.mkdtemp(prefix="ekrt-"))  # short: socket paths stay under 107 bytes
    monkeypatch.setenv("EVALKIT_RUNTIME_DIR", str(runtime))
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalkit.cli", "build", "--params", str(params), "--out", str(out),
         "--notebook", str(TINY), "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    def reports() -> list[Path]:  # the unit-years' reports, not their review opinions
        return [p for p in out.glob("2023/*.html") if not p.name.endswith(".review.html")]

    while time.monotonic() < deadline and len(reports()) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(reports())
    assert 2 <= done < 9
    for html in out.glob("2023/*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert list(runtime.glob("ek-*"))  # the killed build's kernel folder: nobody could remove it
    resumed = run_build(params, out, jobs=1, quiet=True, notebook=TINY)
    assert len(resumed.built) + len(resumed.skipped) == 9 and not resumed.failed
    assert len(resumed.skipped) >= done - 1
    assert not list(out.rglob("*.tmp"))
    # the killed build's folder was swept by the next build; only this process's kernel is left
    assert {folder.name.split("-")[1] for folder in runtime.iterdir()} == {str(os.getpid())}
    abandon_renderer()  # stops that kernel, which removes its folder
    runtime.rmdir()


@pytest.mark.slow
def test_a_build_from_a_script_on_standard_input_runs_its_workers(params, tmp_path):
    """``python - < build.py``: the spawned workers cannot re-run a main script named <stdin>."""
    _clone_unit(params, "xinshi-rd", "unit-3")
    script = (f"from pathlib import Path\nfrom evalkit.batch.run import run_build\n"
              f"s = run_build(Path({str(params)!r}), Path({str(tmp_path / 'out')!r}), jobs=2, quiet=True, "
              f"notebook=Path({str(TINY)!r}))\n"
              f"print(len(s.built), len(s.failed), [f.error for f in s.failed])\n")
    proc = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    built, failed = proc.stdout.split()[:2]
    assert failed == "0" and int(built) >= 2, proc.stdout


def test_kernel_folders_of_dead_processes_are_swept(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    stale, live = tmp_path / f"ek-{gone}-abc", tmp_path / f"ek-{os.getpid()}-def"
    other = tmp_path / "ek-q1w2e3"  # an older evalkit's folder, or not ours: no pid to check
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "kernel-1.json").write_text("{}")
    assert sweep_ipc_dirs(str(tmp_path)) == [str(stale)]
    assert not stale.exists() and live.exists() and other.exists()


@pytest.mark.slow
def test_dask_local_cluster(params, tmp_path):
    import dask.distributed as distributed  # the dask extra, installed by make setup: missing fails, not skips
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            summary = run_build(params, out, executor="dask", dask_client=client, batch_size=2, quiet=True, notebook=TINY)
    assert len(summary.built) == 4 and not summary.failed
    reports = sorted(p.name for p in out.glob("2023/*.html") if not p.name.endswith(".review.html"))
    assert reports == ["unit-0.html", "unit-1.html", "unit-2.html", "xinshi-rd.html"]
    assert (out / "results.parquet").is_file()


def test_shared_stylesheet_for_a_site(params, tmp_path):
    out = tmp_path / "out"
    run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0", shared_css=True)
    css = out / "assets" / "report.css"
    html = (out / "2023" / "unit-0.html").read_text(encoding="utf-8")
    assert css.is_file() and "@page" in css.read_text(encoding="utf-8")
    assert re.search(r'<link[^>]*href="../assets/report.css"', html)
    assert "@page" not in html  # the stylesheet is not copied into every report


# --------------------------------------------------------------------------- rebuild keys


def _edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text


def test_each_input_rebuilds_exactly_the_unit_years_it_affects(tmp_path, monkeypatch):
    """Edit every input in turn: profile, year, earlier year, rulebook chain, notebook, package."""
    from evalkit.batch import plan as plan_module

    params = tmp_path / "params"
    params.mkdir()
    shutil.copytree(PARAMS / "xinshi-rd", params / "xinshi-rd")
    _clone_unit(params, "xinshi-rd", "unit-a")
    year_2022 = params / "unit-a" / "2022.yaml"
    year_2022.write_text((params / "unit-a" / "2023.yaml").read_text(encoding="utf-8").replace("year: 2023", "year: 2022"), encoding="utf-8")
    rules = params / "rules"
    rules.mkdir()
    (rules / "base.yaml").write_text("name: base\ntitle: 基础规则（测试用）\nextends: national-default\n", encoding="utf-8")
    (rules / "custom.yaml").write_text("name: custom\ntitle: 自定义规则（测试用）\nextends: base.yaml\n", encoding="utf-8")
    _edit(params / "unit-a" / "2023.yaml", "rulebook: national-default", "rulebook: ../rules/custom.yaml")
    notebook = tmp_path / "tiny.ipynb"
    shutil.copy(TINY, notebook)
    out = tmp_path / "out"
    first = run_build(params, out, jobs=1, quiet=True, notebook=notebook)  # keys, not the pool, are tested here
    assert len(first.built) == 3 and not first.failed, first.failed

    def planned(**kwargs) -> set[tuple[str, int]]:
        result = plan_module.plan(params, out, notebook=notebook, **kwargs)
        assert not result.failed, result.failed
        return {(job.unit_id, job.year) for job in result.jobs}

    assert planned() == set()
    cases = [
        (params / "unit-a" / "unit.yaml", "name: ", "name: 改", {("unit-a", 2022), ("unit-a", 2023)}),
        (params / "unit-a" / "2023.yaml", "actual: 96.11", "actual: 90", {("unit-a", 2023)}),
        (year_2022, "actual: 96.11", "actual: 90", {("unit-a", 2022), ("unit-a", 2023)}),  # the trend
        (rules / "custom.yaml", "title: 自定义规则", "title: 自定义规则二", {("unit-a", 2023)}),
        (rules / "base.yaml", "title: 基础规则", "title: 基础规则二", {("unit-a", 2023)}),
        (notebook, "总分", "总分：", {("xinshi-rd", 2023), ("unit-a", 2022), ("unit-a", 2023)}),
    ]
    for path, old, new, expected in cases:
        original = _edit(path, old, new)
        assert planned() == expected, path.name
        path.write_text(original, encoding="utf-8")
        assert planned() == set(), path.name

    # a --rulebook FILE and the file it extends
    run_build(params, out, jobs=1, quiet=True, notebook=notebook, rulebook=str(rules / "custom.yaml"))
    assert planned(rulebook=str(rules / "custom.yaml")) == set()
    original = _edit(rules / "base.yaml", "title: 基础规则", "title: 基础规则三")
    assert planned(rulebook=str(rules / "custom.yaml")) == {("xinshi-rd", 2023), ("unit-a", 2022), ("unit-a", 2023)}
    (rules / "base.yaml").write_text(original, encoding="utf-8")

    # a template of the package: every unit-year
    package = tmp_path / "evalkit"
    shutil.copytree(Path(plan_module.__file__).parent.parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(plan_module, "_PACKAGE", package)
    assert planned(rulebook=str(rules / "custom.yaml")) == set()
    template = next((package / "report" / "templates").rglob("*.j2"))
    template.write_text(template.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    assert planned(rulebook=str(rules / "custom.yaml")) == {("xinshi-rd", 2023), ("unit-a", 2022), ("unit-a", 2023)}


def test_a_report_that_does_not_match_its_record_is_rebuilt(params, tmp_path):
    out = tmp_path / "out"
    run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0")
    html = out / "2023" / "unit-0.html"
    good = html.read_bytes()
    html.write_bytes(good[: len(good) // 2])  # truncated, the sidecar intact
    again = run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0")
    assert [(r.unit_id, r.status) for r in again.built] == [("unit-0", "built")]
    assert html.read_bytes().rstrip().endswith(b"</html>")
    notebook = out / "2023" / "unit-0.ipynb"
    notebook.write_bytes(notebook.read_bytes().replace(b"\"cells\"", b"\"cellz\"", 1))  # same size, other bytes
    assert len(run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0").built) == 1
    assert len(run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0").skipped) == 1
    html.write_bytes(html.read_bytes())  # rewritten unchanged (a copy, a touch): hashed, still current
    assert len(run_build(params, out, jobs=1, quiet=True, notebook=TINY, unit="unit-0").skipped) == 1


# --------------------------------------------------------------------------- the house


def test_a_kernel_launched_early_is_the_one_used_and_goes_with_its_session():
    """A worker launches its kernel before its own imports (``KernelSession.start``); ``ensure``
    then waits for that kernel rather than starting another, and a launched kernel never used
    is stopped with its session."""
    from evalkit.batch.kernels import KernelSession

    session = KernelSession()
    session.start()
    session.start()  # twice: still one kernel
    launched = session._launched
    km, _ = session.ensure()
    assert km is launched and session._launched is None
    process = km.provisioner.process
    session.shutdown()
    assert process.poll() is not None

    unused = KernelSession()
    unused.start()
    process = unused._launched.provisioner.process
    unused.shutdown()
    assert process.poll() is not None


def test_a_ready_kernel_delivers_its_first_outputs(monkeypatch):
    """``ensure`` returns once the kernel has answered on the shell channel and the answer's idle
    status came through IOPub (not after 0.2 s of IOPub silence): the first cell's output is
    there, every time."""
    from jupyter_core.utils import run_sync

    from evalkit.batch import kernels
    from evalkit.batch.kernels import KernelSession

    asked = []
    original = kernels._answer

    async def watched(channel, ids, deadline, patience, *, idle=False):
        asked.append(set(ids))
        return await original(channel, ids, deadline, patience, idle=idle)

    monkeypatch.setattr(kernels, "_answer", watched)
    for _ in range(3):
        session = KernelSession()
        try:
            _, kc = session.ensure()
            out: list[str] = []
            hook = functools.partial(lambda into, msg: into.append(msg["content"].get("text", "")), out)
            reply = run_sync(kc.execute_interactive)("print('就绪')", timeout=30, output_hook=hook)
            assert reply["content"]["status"] == "ok" and "".join(out) == "就绪\n"
        finally:
            session.shutdown()
    assert asked and all(ids for ids in asked)


def test_engine_is_registered_through_papermills_public_registry():
    from papermill.engines import papermill_engines

    from evalkit.batch.engine import ENGINE_NAME, SessionEngine, ensure_registered

    ensure_registered()
    ensure_registered()  # twice is harmless
    assert papermill_engines.get_engine(ENGINE_NAME) is SessionEngine
    package = Path(__file__).resolve().parent.parent / "evalkit"
    assert not [p for p in package.rglob("*.py") if "._engines" in p.read_text(encoding="utf-8")]


def test_batch_rooms_show_the_flow_and_stay_small():
    import evalkit.batch.run as run

    folder = Path(run.__file__).parent
    assert {p.stem for p in folder.glob("*.py")} >= {"plan", "executors", "worker", "run", "jobs", "kernels"}
    assert all(len(p.read_text(encoding="utf-8").splitlines()) <= 600 for p in folder.glob("*.py"))
    assert callable(run.publish_site) and not hasattr(run, "publish")


def test_a_template_missing_a_parameter_is_warned_of_once(tmp_path, caplog):
    """As papermill warns for each run, the worker warns (once, when it reads the template) of a
    parameter every report is given that the template's parameters cell does not define."""
    import logging

    import nbformat

    from evalkit.batch.jobs import NOTEBOOK, _prepared_template

    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("rulebook"))
    custom = tmp_path / "custom.ipynb"
    nbformat.write(nb, custom)
    with caplog.at_level(logging.WARNING, logger="papermill"):
        _prepared_template(str(custom))
        assert [r.getMessage() for r in caplog.records] == ["Passed unknown parameter: rulebook"]
        caplog.clear()
        _prepared_template(str(NOTEBOOK))
        assert caplog.records == []
