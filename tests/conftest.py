"""Shared fixtures: paths to the sample params and small builders for test unit-years."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

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
