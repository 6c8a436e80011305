"""Shared fixtures: paths to the sample params and small builders for test unit-years."""

from __future__ import annotations

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
