"""The package as others get it: declared dependencies, and a wheel that builds a report.

The wheel test builds evalkit's wheel, installs it with ``--no-deps`` into a new virtualenv whose
third-party packages come from this environment's locked site-packages (so no registry is
needed), and builds the reference report from a folder outside the checkout. A notebook,
template, stylesheet or rulebook missing from the wheel makes it fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args[:3]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_every_import_is_a_declared_dependency():
    """deptry: no undeclared (or only transitively present) imports, no unused declarations."""
    deptry = Path(sys.executable).with_name("deptry")
    _run(deptry, ".", cwd=ROOT)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # The locked setuptools builds it, without the network (no build isolation).
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT)
    (built,) = dist.glob("evalkit-*.whl")
    return built


def test_wheel_carries_notebooks_templates_and_rulebooks(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "evalkit/notebooks/report.ipynb",
        "evalkit/notebooks/explore.ipynb",
        "evalkit/core/rulebooks/national-default.yaml",
        "evalkit/report/static/report.css",
        "evalkit/report/templates/evalkit_report/index.html.j2",
        "evalkit/report/templates/index.html.j2",
    ):
        assert needed in names, f"{needed} missing from {wheel.name}"
    assert not any(n.startswith(("tests/", "params/", "outputs/")) for n in names)


def test_wheel_in_a_fresh_venv_builds_a_report_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    bin_dir = venv / "bin"
    (site,) = (venv / "lib").glob("python*/site-packages")
    # Third-party packages from the locked environment (a plain path: its .pth files, and so
    # the editable evalkit of the checkout, are not processed).
    (site / "_locked_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-q", "--no-deps",
         "--no-index", wheel)

    work = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "params" / "xinshi-rd", work / "params" / "xinshi-rd")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    # Data files a real install of nbconvert/ipykernel puts in <venv>/share/jupyter (templates,
    # kernel specs) come from the locked environment too.
    env["JUPYTER_PATH"] = str(Path(sysconfig.get_paths()["data"]) / "share" / "jupyter")
    where = _run(bin_dir / "python", "-c", "import evalkit; print(evalkit.__file__)", cwd=work, env=env)
    assert str(venv) in where and str(ROOT) not in where, where

    _run(bin_dir / "evalkit", "build", "--params", "params", "--out", "outputs", "--quiet", cwd=work, env=env)
    html = (work / "outputs" / "2023" / "xinshi-rd.html").read_text(encoding="utf-8")
    assert "91.73" in html and "优" in html
    assert (work / "outputs" / "index.html").is_file()
