"""No module of the audit or the scoring core passes 600 lines (issue 13)."""

from __future__ import annotations

import pytest

from .conftest import ROOT

LIMIT = 600


@pytest.mark.parametrize("folder", ["evalkit/audit", "evalkit/core", "evalkit/inputs"])
def test_no_module_over_600_lines(folder):
    long = {
        str(p.relative_to(ROOT)): n
        for p in sorted((ROOT / folder).glob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not long, f"modules over {LIMIT} lines: {long}"
