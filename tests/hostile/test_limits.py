"""The limits: one place, documented with their true defaults, overridable, a bad override is one line."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from evalkit.errors import InputError
from evalkit.inputs import limits
from evalkit.inputs.yamlio import loads_yaml
from tests.conftest import ROOT

from .cases import YEAR
from .conftest import assert_one_line_error, run


def test_docs_table_lists_every_limit_with_its_default_and_variable():
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for field in fields(limits.Limits):
        default = getattr(limits.DEFAULTS, field.name)
        shown = str(default).lower()
        row = re.search(rf"^\| `{field.name}` \|[^|]+\| ([^|]+) \| `([A-Z_]+)` \|$", doc, re.M)
        assert row, field.name
        assert row.group(1).strip() == shown, (field.name, row.group(1), shown)
        assert row.group(2) == limits.ENV_PREFIX + field.name.upper()


def test_override_and_environment_change_a_limit(monkeypatch):
    with limits.override(max_depth=3):
        with pytest.raises(InputError, match="嵌套层数过深（超过 3 层）"):
            loads_yaml("a: {b: {c: {d: 1}}}")
    assert loads_yaml("a: {b: {c: {d: 1}}}").data == {"a": {"b": {"c": {"d": 1}}}}
    monkeypatch.setenv("EVALKIT_LIMIT_MAX_NAME_CHARS", "4")
    with pytest.raises(InputError, match="名称过长"):
        loads_yaml("name: 五个字名称")


def test_a_limit_raised_by_environment_lets_a_big_file_through(unit_params, capsys, monkeypatch):
    year = unit_params / "xinshi-rd" / "2023.yaml"
    year.write_text(YEAR.replace("  - name: ", "  - name: " + "指" * 300, 1), encoding="utf-8")
    code, _, err = run(capsys, "validate", str(year))
    assert code == 2 and "名称过长" in err
    monkeypatch.setenv("EVALKIT_LIMIT_MAX_NAME_CHARS", "1000")
    code, out, err = run(capsys, "validate", str(year))
    assert code == 0, err


@pytest.mark.parametrize("value", ["0", "-1", "lots"])
def test_a_bad_environment_value_is_one_line(value, unit_params, capsys, monkeypatch):
    monkeypatch.setenv("EVALKIT_LIMIT_MAX_DEPTH", value)
    code, _, err = run(capsys, "score", str(unit_params / "xinshi-rd" / "2023.yaml"))
    assert code == 2
    assert_one_line_error(err, "EVALKIT_LIMIT_MAX_DEPTH", "应为正整数")
