"""docs/params.md: its generated reference matches the models, and its example really scores."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from evalkit.cli import main
from evalkit.core import models
from evalkit.errors import InputError
from evalkit.inputs.params import evaluate_path
from evalkit.inputs.schema_doc import (
    BEGIN,
    END,
    generated_part,
    models_in_order,
    params_reference,
    replace_generated,
)

from .conftest import ROOT

DOC = ROOT / "docs" / "params.md"
STALE = (
    "docs/params.md 的生成部分已过期（evalkit/models.py 改过了）。请运行：\n"
    "    .venv/bin/python -m evalkit.inputs.schema_doc docs/params.md\n"
    "（或用 `evalkit schema --markdown` 查看生成内容），然后提交更新后的文件。"
)


def test_generated_reference_is_current():
    assert generated_part(DOC.read_text(encoding="utf-8")) == params_reference(), STALE


def test_every_model_and_field_is_documented():
    exported = {
        obj
        for name in models.__all__
        if isinstance(obj := getattr(models, name), type) and issubclass(obj, BaseModel)
    }
    documented = set(models_in_order())
    assert exported <= documented, exported - documented
    reference = params_reference()
    for model in documented:
        assert f'<a id="{model.__name__.lower()}"></a>{model.__name__}' in reference
        for name, info in model.model_fields.items():
            assert info.title, f"{model.__name__}.{name} has no Chinese title"
            assert f"| `{name}` | {info.title} |" in reference, f"{model.__name__}.{name}"


def test_money_fields_say_wanyuan():
    reference = params_reference()
    row = next(
        line for line in reference.splitlines() if line.startswith("| `final` | 全年预算数 |")
    )
    assert "金额（万元）" in row and "≥ 0" in row


def test_schema_markdown_prints_the_reference(capsys):
    assert main(["schema", "--markdown"]) == 0
    assert capsys.readouterr().out == params_reference()


def test_replace_generated_keeps_the_hand_written_parts():
    text = f"intro\n\n{BEGIN}\nold\n{END}\n\noutro\n"
    new = replace_generated(text, "NEW\n")
    assert new == f"intro\n\n{BEGIN}\n\nNEW\n\n{END}\n\noutro\n"
    assert generated_part(new) == "NEW\n"
    assert replace_generated(new, "NEW\n") == new
    with pytest.raises(InputError):
        replace_generated("no markers", "x")


def test_the_annotated_example_validates_and_scores(tmp_path: Path):
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# (params/\S+)[^\n]*\n.*?)```", text, flags=re.S)
    assert {path for _, path in blocks} == {
        "params/demo-min/unit.yaml",
        "params/demo-min/2024.yaml",
    }
    for body, path in blocks:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    e = evaluate_path(tmp_path / "params" / "demo-min" / "2024.yaml")
    assert e.year.budget.actual == Decimal(125)  # written as 1,250,000元
    assert (e.total.value, e.grade) == (Decimal("88.73"), "良")
    assert "总分 88.73，等级 良" in text
