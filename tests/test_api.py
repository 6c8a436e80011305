"""The interactive API: evalkit.load, the score card, rescoring, audit, charts, narrative, results()."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import subprocess
import sys
from decimal import Decimal

import pytest

import evalkit
import evalkit.interactive.api as api_module
from evalkit.errors import InputError
from evalkit.interactive.api import CHARTS, UnitYearView, load, results
from evalkit.publish.records import write_record, write_results

from .conftest import PARAMS, REFERENCE, ROOT

HOSTILE_NAME = "<script>alert(1)</script>示例单位"
HOSTILE_INDICATOR = "<img src=x onerror=alert(1)>满意度"


@pytest.fixture(scope="module")
def reference() -> UnitYearView:
    return load("xinshi-rd", 2023, params_dir=PARAMS)


def test_load_by_unit_and_year_and_by_path(reference):
    assert (reference.unit_id, reference.year) == ("xinshi-rd", 2023)
    assert reference.evaluation.total.text() == "91.73" and reference.evaluation.grade == "优"
    by_path = load(path=REFERENCE)
    assert by_path.evaluation.total.value == reference.evaluation.total.value
    assert load(path=PARAMS / "demo-edu", year=2022).year == 2022
    assert load("demo-edu", params_dir=PARAMS).year == 2024  # no year: the latest
    assert evalkit.load is load and "load" in evalkit.__all__ and "results" in evalkit.__all__
    assert "xinshi-rd 2023" in repr(reference) and "91.73" in repr(reference)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"unit_id": "nobody"}, "未知的单位编号"),
        ({"unit_id": "xinshi-rd", "year": 2019}, "没有 2019 年度"),
        ({"path": PARAMS}, "多个单位"),
        ({}, "请给出单位编号"),
        ({"unit_id": "xinshi-rd", "rulebook": "no-such-rules"}, "未知的评分规则"),
    ],
)
def test_load_explains_what_is_wrong(kwargs, message):
    with pytest.raises(InputError, match=message):
        load(params_dir=PARAMS, **kwargs)


def test_the_score_card(reference):
    html = reference._repr_html_()
    for text in ("91.73", "优", "99.43%", "预算执行率", "9.94", "培训费下降率", "职工代表满意度", "101.17%",
                 "E-COMPLETION-MISMATCH", "W-ADJUSTED-TARGET-UNSTATED", "national-default"):  # fmt: skip
        assert text in html, text
    # Every indicator is a row, with its weight and score; the total row sums the weights.
    assert html.count("<tr") == 1 + 1 + 8 + 1 + 1 + len(reference.audit())
    assert '<td class="num">100</td><td class="num">91.73</td>' in html
    assert 'class="lost"' in html  # rows that lost points are marked
    assert "<script" not in html


def test_the_score_card_escapes_input_text(params_copy):
    profile = params_copy / "xinshi-rd" / "unit.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace(
            "name: 乌鲁木齐市新市区人民代表大会常务委员会", f'name: "{HOSTILE_NAME}"'
        ),
        encoding="utf-8",
    )
    year = params_copy / "xinshi-rd" / "2023.yaml"
    year.write_text(
        year.read_text(encoding="utf-8").replace(
            "name: 职工代表满意度", f'name: "{HOSTILE_INDICATOR}"'
        ),
        encoding="utf-8",
    )
    view = load("xinshi-rd", 2023, params_dir=params_copy)
    assert view.evaluation.unit.name == HOSTILE_NAME
    html = view._repr_html_()
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;示例单位" in html
    assert "&lt;img src=x onerror=alert(1)&gt;满意度" in html


def test_rescore_returns_a_new_view(reference):
    other = reference.rescore("execution-interval")
    assert (other.evaluation.total.text(), other.evaluation.grade) == ("89.79", "良")
    assert other.rulebook_override == "execution-interval"
    assert "执行率" in other._repr_html_() and "89.79" in other._repr_html_()
    # The reference's 预算经费 is scored against its adjusted target (425.3), which it met, so a
    # different rule for missed ≤ indicators does not change it: reverse-linear also gives 91.73.
    assert reference.rescore("reverse-linear").evaluation.total.text() == "91.73"
    assert reference.rescore("integer-scores").evaluation.total.value == Decimal("92")
    assert reference.evaluation.total.text() == "91.73"  # unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        reference.evaluation = other.evaluation  # type: ignore[misc]


def test_audit(reference):
    findings = reference.audit()
    assert [f.indicator for f in findings if f.severity == "error"] == [
        "预算经费",
        "职工代表满意度",
    ]
    satisfaction = next(f for f in findings if f.indicator == "职工代表满意度")
    assert (satisfaction.printed, satisfaction.recomputed) == ("101.71%", "101.17%")
    findings.clear()
    assert len(reference.audit()) == 3  # a copy each time


def test_charts(reference):
    from matplotlib.figure import Figure

    figure = reference.chart("indicator_scores")
    assert isinstance(figure, Figure)
    png, meta = figure._repr_png_()
    assert png.startswith(b"\x89PNG") and meta["width"] == 800
    assert reference.chart("trends") is None  # a single year
    history = load("demo-edu", 2023, params_dir=PARAMS)
    assert [e.year.year for e in history.history()] == [2021, 2022]
    assert isinstance(history.chart("trends"), Figure)
    with pytest.raises(ValueError, match="indicator_scores"):
        reference.chart("pie")
    assert set(CHARTS) <= set(importlib.import_module("evalkit.report.charts").__all__)


def test_narrative(reference):
    html = str(reference.narrative("summary", "conclusion"))
    assert "2023年度部门整体支出绩效自评报告" in html and "四、评价结论" in html and "91.73" in html
    with pytest.raises(ValueError, match="未知的报告部分"):
        reference.narrative("epilogue")


def test_indicators_frame(reference):
    frame = reference.indicators
    assert frame["indicator"].tolist()[:3] == ["预算执行率", "培训费下降率", "预算经费"]
    assert len(frame) == 9 and frame["score"].sum() == Decimal("91.73")
    assert str(frame["score"].dtype) == "decimal128(28, 6)[pyarrow]"
    assert frame["findings_error"].unique().tolist() == [2]


def test_results_from_sidecars_and_from_parquet(reference, tmp_path):
    record = reference.record()
    write_record(tmp_path, record)
    from_sidecars = results(tmp_path)
    assert len(from_sidecars) == 9 and from_sidecars["total"].unique().tolist() == [
        Decimal("91.73")
    ]
    write_results(
        tmp_path, [record, {**record, "unit_id": "other"}]
    )  # the parquet wins when present
    from_parquet = evalkit.results(tmp_path)
    assert len(from_parquet) == 18 and set(from_parquet["unit_id"]) == {"xinshi-rd", "other"}
    with pytest.raises(InputError, match="输出目录不存在"):
        results(tmp_path / "nowhere")


def test_import_evalkit_stays_light():
    code = (
        "import sys, evalkit; "
        "heavy = [m for m in ('pandas', 'pyarrow', 'matplotlib', 'nbconvert', 'papermill') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_docstring_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(api_module)
    assert result.attempted >= 10 and result.failed == 0


def test_the_api_document_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False, globs={"evalkit": evalkit})
    assert result.attempted >= 4 and result.failed == 0
