"""The interactive API: evalkit.load, the score card, rescoring, audit, charts, narrative, results()."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import os
import re
import subprocess
import sys
from decimal import Decimal
from html import escape
from pathlib import Path

import pytest

import evalkit
import evalkit.interactive.api as api_module
from evalkit.errors import InputError, ScoringError
from evalkit.interactive.api import CHARTS, UnitYearView, load, results
from evalkit.interactive.display import Table
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


def _cells(html: str) -> list[str]:
    return re.findall(r"<t[dh]\b[^>]*>", html)


def test_the_score_card(reference):
    html = reference._repr_html_()
    for text in ("91.73", "优", "99.43%", "预算执行率", "9.94", "培训费下降率", "职工代表满意度", "101.17%",
                 "E-COMPLETION-MISMATCH", "W-ADJUSTED-TARGET-UNSTATED", "national-default"):  # fmt: skip
        assert text in html, text
    # Every indicator is a row, with its weight and score; the total row sums the weights.
    assert html.count("<tr") == 1 + 1 + 8 + 1 + 1 + len(reference.audit())
    assert re.search(r">100</td><td [^>]*font-weight:bold\">91.73</td>", html)
    # Set with inline styles that JupyterLab's table CSS and its sanitiser leave alone: every cell
    # says how it aligns, short words never wrap, no <style> block and no script.
    assert "<style" not in html and "<script" not in html and "class=\"num\"" not in html
    cells = _cells(html)
    assert cells and all("text-align:" in c for c in cells)
    assert all("white-space:nowrap" in c for c in _cells(html.split("复核发现")[1])[:6])
    error_row = re.search(r"<tr>(<td[^>]*>.{0,400}?错误.*?)</tr>", html).group(1)
    assert "rgba(214,39,40" in error_row and "white-space:nowrap" in error_row
    assert html.count("rgba(230,140,0,0.16)") >= 2 * 8  # rows that lost points are tinted
    # Exact figures with the rulebook's decimals: the score of a full-marks item is 15.00, not 15.
    assert ">15.00</td>" in html and "9.940000" not in html


def test_findings_show_as_a_table_and_print_one_a_line(reference):
    findings = reference.audit()
    html = findings._repr_html_()
    assert html.count("<tr") == 1 + len(findings) and "E-COMPLETION-MISMATCH" in html
    assert "级别" in html and "说明" in html and "<style" not in html
    text = repr(findings)
    assert len(text.splitlines()) == len(findings) and text.startswith("错误 E-COMPLETION-MISMATCH")


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


def test_rescore_is_a_what_if_against_the_original(reference):
    comparison = reference.rescore("execution-interval")
    other = comparison.alternative
    assert (other.evaluation.total.text(), other.evaluation.grade) == ("89.79", "良")
    assert comparison.evaluation is other.evaluation and other.rulebook_override == "execution-interval"
    assert comparison.delta == Decimal("-1.94")
    assert [(c.item, c.score_before, c.score_after) for c in comparison.changes()] == [
        ("预算执行率", "9.94", "8.00")
    ]
    html = comparison._repr_html_()
    assert "假设分析" in html and "91.73 优" in html and "89.79 良" in html and "−" not in html
    assert "-1.94" in html and "优 → 良" in html
    # The audit is the original's: not re-run as if the unit had printed under the other rules.
    assert other.audit() == reference.audit() and len(other.audit()) == 3
    assert "E-COMPLETION-MISMATCH" not in html and "报告所列：" not in other._repr_html_()
    assert "假设分析" in other._repr_html_() and "假设分析" in repr(other)
    assert "91.73 分（优）" in repr(comparison) and "预算执行率：9.94 → 8.00" in repr(comparison)
    # The reference's 预算经费 is scored against its adjusted target (425.3), which it met, so a
    # different rule for missed ≤ indicators does not change it: reverse-linear also gives 91.73.
    assert reference.rescore("reverse-linear").changes() == []
    assert reference.rescore("integer-scores").evaluation.total.value == Decimal("92")
    assert reference.evaluation.total.text() == "91.73"  # unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        reference.evaluation = other.evaluation  # type: ignore[misc]


def test_what_if_changes_one_item(reference):
    comparison = reference.what_if("培训费下降率", actual="5")
    assert comparison.evaluation.total.text() == "99.73" and comparison.delta == Decimal("8.00")
    assert [c.item for c in comparison.changes()] == ["培训费下降率"]
    assert "实际完成值改为 5%" in comparison.what
    # A weight that breaks the rulebook's total is refused with the reason, not scored silently.
    with pytest.raises(ScoringError, match="权重合计为 105"):
        reference.what_if("预算执行率", weight="15")
    with pytest.raises(InputError, match="没有名为“不存在”的指标"):
        reference.what_if("不存在", actual="1")
    with pytest.raises(InputError, match="不是数字"):
        reference.what_if("培训费下降率", actual="很多")
    assert reference.evaluation.total.text() == "91.73"  # nothing written


def test_what_if_panel_updates_live(reference):
    import ipywidgets  # noqa: F401  (the lab extra, installed by make setup: a missing one fails, not skips)

    from evalkit.interactive.panel import WhatIfPanel

    panel = WhatIfPanel(reference)
    assert panel.items[:2] == ["预算执行率", "培训费下降率"] and "尚未修改" in panel.result.value
    panel.item.value = "培训费下降率"
    assert (panel.target.value, panel.actual.value, panel.weight.value) == ("5", "0", "8")
    panel.actual.value = "5"
    assert "99.73 优" in panel.result.value and "+8.00" in panel.result.value
    panel.weight.value = "9"
    assert "权重合计为 101" in panel.result.value
    panel.reset.click()
    assert panel.actual.value == "0" and "尚未修改" in panel.result.value
    assert reference.what_if_panel().children


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


def test_charts_are_crisp_and_transparent(reference, capsys):
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    figure = reference.chart("indicator_scores")
    assert isinstance(figure, Figure)
    png, meta = figure._repr_png_()
    image = Image.open(io.BytesIO(png))
    assert meta["width"] == 800 and image.width == 2 * meta["width"]  # 2× for high-density screens
    assert image.mode == "RGBA" and image.getpixel((2, 2))[3] == 0  # transparent background
    assert figure.get_facecolor()[:3] == (1.0, 1.0, 1.0)  # the figure itself is left as it was
    assert reference.chart("trends") is None  # a single year, and it says why
    assert "两个以上年度" in capsys.readouterr().out
    history = load("demo-edu", 2023, params_dir=PARAMS)
    assert [e.year.year for e in history.history()] == [2021, 2022]
    assert isinstance(history.chart("trends"), Figure)
    assert all(type(fig).__name__ == "LabFigure" for _, fig in history.charts())
    with pytest.raises(InputError, match="indicator_scores"):
        reference.chart("pie")
    assert set(CHARTS) <= set(importlib.import_module("evalkit.report.charts").__all__)


def test_narrative_carries_the_report_styles(reference):
    from evalkit.report.render import stylesheet

    narrative = reference.narrative("summary", "conclusion")
    html = str(narrative)
    assert "2023年度部门整体支出绩效自评报告" in html and "四、评价结论" in html and "91.73" in html
    shown = narrative._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and escape(stylesheet()[:80]) in shown
    assert "@font-face" in narrative.page() and '<main class="report">' in narrative.page()
    assert "<noscript>" in shown  # untrusted: the sanitiser drops the frame, this stays
    with pytest.raises(InputError, match="未知的报告部分"):
        reference.narrative("epilogue")


def test_indicators_frame(reference):
    frame = reference.indicators
    assert isinstance(frame, Table) and "<NA>" not in frame._repr_html_()
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



def test_the_api_document_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT / "notebooks")  # where notebooks live: no ../params needed
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False, globs={"evalkit": evalkit})
    assert result.attempted >= 7 and result.failed == 0


# --------------------------------------------------------------------------- where notebooks live


def test_defaults_work_from_the_notebooks_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("EVALKIT_PARAMS", raising=False)
    monkeypatch.delenv("EVALKIT_OUTPUTS", raising=False)
    monkeypatch.chdir(ROOT / "notebooks")
    assert load("xinshi-rd", 2023).evaluation.total.text() == "91.73"  # params/ found upwards
    assert load(path="params/xinshi-rd/2023.yaml").year == 2023  # a path from the project root
    # An environment variable, then a [tool.evalkit] setting, point elsewhere.
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "notebooks").mkdir()
    import shutil

    shutil.copytree(PARAMS, project / "data" / "params")
    (project / "pyproject.toml").write_text(
        '[tool.evalkit]\nparams = "data/params"\noutputs = "site"\n', encoding="utf-8"
    )
    monkeypatch.chdir(project / "notebooks")
    assert load("demo-edu").loaded.ref.path.is_relative_to(project / "data" / "params")
    with pytest.raises(InputError, match="输出目录不存在") as info:
        results()
    assert str(project / "site") in str(info.value)
    monkeypatch.setenv("EVALKIT_PARAMS", str(PARAMS))
    assert load("demo-edu").loaded.ref.path.is_relative_to(PARAMS)
    # Nothing found: the message says where it looked and the three ways to say where.
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / ".git").mkdir()
    monkeypatch.delenv("EVALKIT_PARAMS")
    monkeypatch.chdir(lonely)
    with pytest.raises(InputError) as info:
        load("xinshi-rd", 2023)
    message = str(info.value)
    assert 'params_dir="../params"' in message and "EVALKIT_PARAMS" in message
    assert "[tool.evalkit]" in message and str(lonely) in message
    with pytest.raises(InputError, match="没有结果"):
        (lonely / "outputs").mkdir()
        results()


def test_input_errors_show_as_one_line_in_ipython_and_bugs_keep_their_traceback(tmp_path):
    script = tmp_path / "cells.py"
    script.write_text(
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance(colors='nocolor')\n"
        "shell.run_cell('import evalkit')\n"
        "print('--- typo')\n"
        "shell.run_cell('evalkit.load(\"xinshi-rd\", 2023).chart(\"indicator_score\")')\n"
        "print('--- missing unit')\n"
        "shell.run_cell('evalkit.load(\"nobody\")')\n"
        "print('--- bug')\n"
        "shell.run_cell('evalkit.load(\"xinshi-rd\", 2023).evaluation.total.value / 0')\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT / "notebooks", env=env
    )
    assert done.returncode == 0, done.stderr
    typo, missing, bug = [
        [line for line in part.strip().splitlines() if line.strip()]
        for part in done.stdout.split("--- ")[1:]
    ]
    assert typo[1:] == [typo[1]] and "输入有误" in typo[1] and "未知的图表“indicator_score”" in typo[1]
    assert "indicator_scores" in typo[1]
    assert missing[1:] == [missing[1]] and "未知的单位编号" in missing[1] and "params" in missing[1]
    assert "Traceback" in "\n".join(bug) or "DivisionByZero" in "\n".join(bug)
    assert len(bug) > 3  # a real bug keeps its traceback


def test_results_show_as_a_readable_table(reference, tmp_path):
    record = reference.record()
    record["html"] = "2023/xinshi-rd.html"
    write_record(tmp_path, record)
    frame = results(tmp_path)
    assert isinstance(frame, Table) and frame.attrs["labels"] == "zh"
    html = frame._repr_html_()
    for word in ("<NA>", ">True<", ">built<", ">nan<", "9.940000", "...", ">department<"):
        assert word not in html, word
    for word in ("综合得分", "已生成", "部门整体", ">是<", ">9.94<", ">8.00<", "报告所列总分"):
        assert word in html, word
    assert html.count("<th ") == len(frame.columns)  # every column, none hidden
    link = re.search(r'<a href="([^"]+)"[^>]*>报告</a>', html).group(1)
    assert (Path.cwd() / link).resolve() == (tmp_path / "2023" / "xinshi-rd.html").resolve()
    items = frame[frame["row_kind"] == "indicator"]  # still a DataFrame, still shown the same way
    assert isinstance(items, Table) and "综合得分" in items._repr_html_()
    english = results(tmp_path, labels="en")._repr_html_()
    assert ">total<" in english and ">综合得分<" not in english
    assert ">综合得分<" in frame.show()._repr_html_() and ">total<" in frame.show("en")._repr_html_()
    with pytest.raises(InputError, match="labels"):
        results(tmp_path, labels="fr")


def test_interactive_tables_are_offline_and_degrade_to_a_static_table(reference, tmp_path):
    import itables  # noqa: F401  (the lab extra, installed by make setup: a missing one fails, not skips)
    from IPython.core.interactiveshell import InteractiveShell

    from evalkit.interactive import display

    shell = InteractiveShell.instance()
    shown: list[str] = []
    shell.display_pub.publish = lambda data, **_: shown.append(data.get("text/html", ""))
    write_record(tmp_path, {**reference.record(), "html": "2023/xinshi-rd.html"})
    block = display.interactive(results(tmp_path))
    markup = "\n".join([*shown, block._repr_html_()])
    assert shown and "injectModule" in markup  # the library is embedded, from the package
    assert len(markup) > 500_000  # the DataTables bundle itself, base64, in the notebook
    for remote in ("src=\"http", "from 'http", "from \"http", "import('http", "cdn.", "unpkg.com"):
        assert remote not in markup, remote
    fallback = re.search(r'<div id="[^"]+_fallback">(.*?)</div>', block._repr_html_(), re.S).group(1)
    assert "综合得分" in fallback and "9.94" in fallback and "<NA>" not in fallback
    assert "报告</a>" in block._repr_html_()


def test_evaluations_and_figures_display_in_ipython(reference):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    api_module._register_ipython_formatters()  # done on import when IPython runs it
    data, _ = shell.display_formatter.format(reference.evaluation)
    assert "evalkit-scorecard" in data["text/html"] and "复核" not in data["text/html"]
    assert data["text/plain"] == (
        "<Evaluation xinshi-rd 2023 部门整体支出：91.73 分（优），预算执行率 99.43%，8 个指标，"
        "评分规则 national-default>"
    )
    data, _ = shell.display_formatter.format(reference.evaluation.total)
    assert data["text/plain"].endswith("→ 91.73") and "\n" not in data["text/plain"]


def test_several_problems_render_one_line_each():
    from evalkit.errors import InputErrors

    error = InputErrors(
        [InputError("应为数字", file="a.yaml", field="weight"), InputError("缺少必填字段", file="a.yaml", field="name")]
    )
    lines = error._render_traceback_()
    assert len(lines) == 2 and "输入有误" in lines[0] and "a.yaml: weight: 应为数字" in lines[0]
    assert lines[1].strip() == "a.yaml: name: 缺少必填字段"
