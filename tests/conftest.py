"""Shared fixtures: paths to the sample params and small builders for test unit-years."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from evalkit.batch.lean import JSONSCHEMA_UNUSED, absent

# nbformat's validator imports jsonschema, which builds a grammar for every string format it finds a
# checker for (0.7 s a process; nbformat checks no formats): imported here as a build worker does
# (evalkit.batch.lean), once for every test process, before any test module imports nbformat.
with absent(JSONSCHEMA_UNUSED):
    import nbformat  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params"
REFERENCE = PARAMS / "xinshi-rd" / "2023.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def params_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample params folder."""
    dest = tmp_path / "params"
    shutil.copytree(PARAMS, dest)
    return dest


def chromium_or_skip() -> str:
    """Debian's chromium for browser tests.

    ``.ci/run`` installs it before the tests; under ``CI=true`` a missing browser fails the test
    loudly. On a developer machine without it the test is skipped with the command to install it.
    Tests never install anything themselves.
    """
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "没有 chromium：浏览器测试需要 Debian 的 chromium 软件包（.ci/run 会在测试前安装它）"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the chromium binary (see :func:`chromium_or_skip`)."""
    return chromium_or_skip()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: one worker more than there are cores.

    A fair part of the suite waits rather than computes: on the kernels and worker pools the batch
    tests start, on chromium and JupyterLab, on a unit made to time out. A third worker fills those
    waits on a 2-core machine (about 10 % off the wall time, measured with ``make test``).
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the suite's modules for ``pytest -n auto`` on a small machine: slow first.

    Under ``--dist loadfile`` (pyproject's addopts) each module runs whole on one worker, so a
    module-scoped fixture — the sample site build, a synthetic province — is made once, not once
    per worker. ``--no-loadscope-reorder`` hands the modules out in this order: those with tests
    marked ``slow`` (the most slow tests first), then those with a module-scoped fixture, then the
    rest, so the two workers start on the long tests together and finish on short ones. Each
    module's tests stay together and in their own order (moving one away would tear its module's
    fixtures down and build them again). Nothing is skipped or deselected.

    (``--dist loadgroup`` with ``xdist_group`` marks would be finer-grained, but pytest-xdist 3.8
    tags node ids through ``item._nodeid``, which pytest 9.2 no longer reads: the groups are
    silently ignored.)
    """
    def module_fixture(item: pytest.Item) -> bool:
        info = getattr(item, "_fixtureinfo", None)
        return bool(info) and any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values())

    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def rank(tests: list[pytest.Item]) -> tuple[int, int]:
        slow = sum(item.get_closest_marker("slow") is not None for item in tests)
        return (0, -slow) if slow else (1 if any(map(module_fixture, tests)) else 2, 0)

    items[:] = [item for tests in sorted(modules.values(), key=rank) for item in tests]  # sorted is stable
