"""What a build worker keeps in memory: the modules it imports, and what a batch kernel keeps.

No size thresholds (memory figures belong to ``benchmarks/bench_build.py``): the worker's imports
and the kernel's reset are checked by what they contain, so a real regression fails and noise
does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from evalkit.batch.hygiene import KERNEL_MALLOC_SETTINGS, MALLOC_SETTINGS

ROOT = Path(__file__).resolve().parent.parent

# Modules the worker never needs: the kernel draws the charts (matplotlib, PIL, numpy), records
# tables and PDF / Word output are not the worker's job in an HTML build.
HEAVY = ("matplotlib", "PIL", "numpy", "pandas", "pyarrow", "weasyprint", "docx", "pdfplumber", "dask",
         "lark", "arrow", "isoduration", "webcolors")

_WORKER = textwrap.dedent(
    """
    import json, sys
    from dataclasses import replace
    from pathlib import Path

    from evalkit.batch import jobs, worker

    out = Path(sys.argv[1])

    def render(self, job):  # what the kernel would do: write the report's page; no kernel here
        html, notebook = jobs.output_paths(job.out_dir, job.unit_id, job.year)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text("<html></html>", encoding="utf-8")
        notebook.write_text("{}", encoding="utf-8")
        return jobs.JobResult(job.unit_id, job.year, "built", html=str(html), key=job.key)

    jobs.Renderer.render = render
    job = jobs.Job("xinshi-rd", 2023, sys.argv[2], str(out))
    result = worker.build_one(job, worker.BuildOptions(notebook=sys.argv[3]))
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in set(sys.argv[4].split(",")))
    import pyarrow.fs  # the block on papermill's optional import is lifted once papermill is in
    print(json.dumps({"status": result.status, "error": result.error, "loaded": loaded,
                      "papermill": "papermill.iorw" in sys.modules,
                      "review": (out / "2023" / "xinshi-rd.review.html").is_file()}))
    """
)


def test_worker_path_imports_no_chart_or_table_libraries(tmp_path: Path) -> None:
    """A worker scores, audits, makes its renderer (nbformat, papermill, nbconvert) and writes the
    review opinion and the record without importing matplotlib, numpy, pandas, pyarrow and the
    other libraries of :data:`HEAVY`."""
    proc = subprocess.run(
        [sys.executable, "-c", _WORKER, str(tmp_path / "out"), str(ROOT / "params"),
         str(ROOT / "notebooks" / "report.ipynb"), ",".join(HEAVY)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["status"] == "built", got["error"]
    assert got["papermill"] and got["review"]
    assert got["loaded"] == []


def test_absent_blocks_only_inside_and_never_a_loaded_module() -> None:
    from evalkit.batch.lean import absent

    with absent(["json", "evalkit_no_such_module"]):
        import json as again  # already imported: untouched

        assert again is json
        with pytest.raises(ImportError):
            import evalkit_no_such_module  # noqa: F401
    assert "evalkit_no_such_module" not in sys.modules


_KERNEL = textwrap.dedent(
    """
    import json
    from jupyter_core.utils import run_sync
    from evalkit.batch.kernels import KernelSession

    session = KernelSession()
    km, kc = session.ensure()
    try:
        def run(code):
            reply = run_sync(kc.execute_interactive)(code, timeout=60, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply["content"]

        run("import evalkit.report.render\\nfrom IPython.display import HTML\\nHTML('<p>' + 'x' * 1000 + '</p>')")
        session.reset()
        seen = {}
        def hook(msg):
            if msg["msg_type"] == "stream":
                seen.update(json.loads(msg["content"]["text"]))
        code = ("import gc, json, os, sys; hm = get_ipython().history_manager; "
                "print(json.dumps({'outputs': len(hm.outputs), 'reprs': len(hm.output_hist_reprs), "
                "'frozen': gc.get_freeze_count(), 'arenas': os.environ.get('MALLOC_ARENA_MAX'), "
                "'mmap_threshold': os.environ.get('MALLOC_MMAP_THRESHOLD_'), "
                "'history': hm.enabled, 'collect_as_drawn': sys.modules['evalkit.report.render']._GC_FROZEN}))")
        run_sync(kc.execute_interactive)(code, timeout=60, output_hook=hook, store_history=False)
        print(json.dumps(seen))
    finally:
        session.shutdown()
    """
)


def test_kernel_reset_keeps_no_outputs_and_freezes_survivors() -> None:
    """After a reset the kernel holds no earlier output (IPython 9 keeps every MIME bundle in its
    history otherwise), has frozen what survived and told the report module so (charts are then
    freed as drawn), keeps no SQLite input history, and runs with the glibc malloc settings of
    :mod:`evalkit.batch.hygiene` (what they do: the next test)."""
    proc = subprocess.run([sys.executable, "-c", _KERNEL], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["outputs"] == 0 and got["reprs"] == 0
    assert got["frozen"] > 0
    assert got["arenas"] == "2"
    assert got["mmap_threshold"] == str(KERNEL_MALLOC_SETTINGS["MALLOC_MMAP_THRESHOLD_"])
    assert got["history"] is False and got["collect_as_drawn"] is True


_REFAULTS = """
import resource
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = bytearray(8 << 20)
del block
before = faults()
block = bytearray(8 << 20)
del block
print(faults() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc settings")
def test_kernel_malloc_settings_reuse_a_freed_chart_sized_block():
    """With a kernel's malloc settings a freed block the size of a chart canvas (4 MiB; 8 here) is
    reused, not mapped and zeroed afresh: 2,048 page faults for 8 MiB with the workers' settings
    (blocks of 128 KiB and more mapped each time), a few with the kernels'."""
    def refaults(settings: dict[str, int]) -> int:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
        env.update({name: str(value) for name, value in settings.items()})
        proc = subprocess.run([sys.executable, "-c", _REFAULTS], env=env, capture_output=True, text=True, check=True)
        return int(proc.stdout)

    assert refaults(MALLOC_SETTINGS) >= 2000
    assert refaults(KERNEL_MALLOC_SETTINGS) < 100
