"""Hostile params files through validate, score and audit, in-process: one line, nothing changed."""

from __future__ import annotations

import pytest

from .cases import CASES, Case
from .conftest import assert_one_line_error, run, snapshot


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_one_clear_line(case: Case, unit_params, capsys):
    unit = unit_params / "xinshi-rd"
    year = unit / "2023.yaml"
    case.make(year)
    before = snapshot(unit_params)

    code, out, err = run(capsys, "validate", str(unit))
    assert code == 2
    line = assert_one_line_error(err, case.file, *case.expect)
    assert "共检查 1 个单位年度，1 个有问题" in out

    code, out, err = run(capsys, "score", str(year))
    assert code == 2 and out == ""
    assert assert_one_line_error(err, case.file, *case.expect) == line

    code, out, err = run(capsys, "audit", str(unit))
    assert code == 2 and "0 个单位年度" in out  # nothing audited, and it says so
    assert assert_one_line_error(err, case.file, *case.expect) == line

    assert snapshot(unit_params) == before  # nothing written, nothing lost
