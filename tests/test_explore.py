"""Exploring results across unit-years: the explore functions and notebooks/explore.ipynb run by papermill."""

from __future__ import annotations

import ast
import contextlib
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import evalkit.interactive.explore as explore
from evalkit.audit import audit_unit_year
from evalkit.batch.engine import ENGINE_NAME, ensure_registered
from evalkit.batch.kernels import KernelSession
from evalkit.cli import main as cli_main
from evalkit.errors import InputError
from evalkit.inputs.params import UnitYearRef, discover, load_unit_year
from evalkit.publish.records import (
    read_records,
    read_results,
    results_frame,
    unit_year_record,
    write_record,
    write_results,
)

from .conftest import PARAMS, ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def record_for(ref: UnitYearRef) -> dict:
    """The batch's record for one unit-year (without a report): scored and audited, or failed."""
    try:
        loaded = load_unit_year(ref)
    except InputError as exc:
        return unit_year_record(ref, None, [], error=str(exc))
    try:
        evaluation = loaded.evaluate()
    except InputError as exc:
        return unit_year_record(loaded, None, audit_unit_year(loaded), error=str(exc))
    return unit_year_record(
        loaded, evaluation, audit_unit_year(loaded), html=f"{ref.year}/{ref.unit_id}.html"
    )


def write_outputs(params_dir: Path, out_dir: Path) -> float:
    """Score and audit every unit-year under ``params_dir``, write the sidecar records and the
    results files, as the batch does; return the seconds it took (for 500 unit-years about 4 s,
    nearly all of it reading the YAML)."""
    started = time.perf_counter()
    for ref in discover(params_dir):
        write_record(out_dir, record_for(ref))
    write_results(out_dir, read_records(out_dir))
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def sample_outputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-outputs")
    write_outputs(PARAMS, out)
    return out


@pytest.fixture(scope="module")
def frame(sample_outputs) -> pd.DataFrame:
    return read_results(sample_outputs)


@pytest.fixture(scope="module")
def synthetic_outputs(tmp_path_factory) -> Path:
    """500 synthetic unit-years (250 units × 2 years) from ``evalkit synth``, scored in-process."""
    params = tmp_path_factory.mktemp("synth") / "params"
    started = time.perf_counter()
    assert cli_main(["synth", "--units", "250", "--years", "2", "--out", str(params), "--seed", "11"]) == 0
    generated = time.perf_counter() - started
    out = params.parent / "outputs"
    scored = write_outputs(params, out)
    print(
        f"\n合成数据：生成 {generated:.1f} 秒，评分、复核并写出记录 {scored:.1f} 秒（500 个单位年度）"
    )
    return out


# --------------------------------------------------------------------------- the functions


def test_league_table(frame):
    table = explore.league_table(frame)
    assert list(table.columns) == [
        "年度",
        "评价类型",
        "名次",
        "单位名称",
        "单位编号",
        "综合得分",
        "等级",
        "预算执行率",
        "失分最多的项目",
        "复核错误",
        "报告",
    ]
    assert table["年度"].tolist() == [2024, 2023, 2023, 2022, 2021]
    assert table["评价类型"].tolist()[0] == "项目" and set(table["评价类型"][1:]) == {"部门整体"}
    assert table["报告"].tolist()[0] == "2024/demo-edu.html"
    html = table._repr_html_()
    assert '>报告</a>' in html and "<NA>" not in html and ">2 <" not in html
    year_2023 = table[table["年度"] == 2023]
    assert year_2023["单位编号"].tolist() == ["demo-edu", "xinshi-rd"] and year_2023[
        "名次"
    ].tolist() == [1, 2]
    reference = table[table["单位编号"] == "xinshi-rd"].iloc[0]
    assert reference["综合得分"] == Decimal("91.73") and str(reference["综合得分"]) == "91.73"
    assert reference["失分最多的项目"] == "培训费下降率（−8）" and reference["复核错误"] == 2
    assert str(table["综合得分"].dtype) == "decimal128(24, 2)[pyarrow]"  # exact, no padding zeros


def test_equal_totals_share_a_place_and_kinds_are_ranked_apart(frame):
    twin = frame[frame["unit_id"] == "xinshi-rd"].assign(unit_id="twin")
    table = explore.league_table(pd.concat([frame, twin]))
    assert table[table["年度"] == 2023]["名次"].tolist() == [1, 2, 2]
    project = frame[frame["unit_id"] == "xinshi-rd"].assign(unit_id="proj", kind="project")
    table = explore.league_table(pd.concat([frame, project]))
    ranks = table[table["年度"] == 2023][["评价类型", "单位编号", "名次"]].values.tolist()
    assert ranks == [["部门整体", "demo-edu", 1], ["部门整体", "xinshi-rd", 2], ["项目", "proj", 1]]


def test_grade_distribution_counts_failures(frame):
    failed = results_frame(
        [{"schema": 1, "unit_id": "broken", "year": 2023, "status": "failed", "error": "x"}]
    )
    table = explore.grade_distribution(pd.concat([frame, failed]))
    assert list(table.columns) == ["优", "良", "中", "差", "未评分", "合计"]
    assert table.loc["2023"].tolist() == [2, 0, 0, 0, 1, 3]
    assert table.loc["合计"].tolist() == [3, 2, 0, 0, 1, 6]
    assert (
        explore.overview(pd.concat([frame, failed]))
        .set_index("项目")
        .loc["报告生成失败或未能评分", "数量"]
        == "1"
    )


def test_most_missed(frame):
    table = explore.most_missed(frame)
    assert list(table.columns) == [
        "指标",
        "适用次数",
        "失分次数",
        "失分比例",
        "累计失分",
        "平均完成率",
    ]
    assert "预算执行率" not in table["指标"].tolist()
    assert (table["失分次数"] <= table["适用次数"]).all() and (table["失分次数"] > 0).all()
    counts = list(zip(table["失分次数"], table["累计失分"], strict=True))
    assert counts == sorted(counts, reverse=True)
    training = table[table["指标"] == "教师培训人次"].iloc[0]  # demo-edu missed it in 2021–2023
    assert (training["适用次数"], training["失分次数"]) == (3, 3)
    assert training["累计失分"] == Decimal("3.5") + Decimal("2.62") + Decimal("1")
    assert training["失分比例"] == Decimal("100.0")


def test_execution_rates(frame):
    table = explore.execution_rates(frame)
    bands = ["≥99%", "95%–99%", "90%–95%", "80%–90%", "<80%"]
    assert list(table.columns) == [*bands, "合计", "中位数（%）"]
    assert (table[bands].sum(axis=1) == table["合计"]).all()
    assert table.loc["2021", "90%–95%"] == 1 and table.loc["2021", "中位数（%）"] == "90.51"
    assert table.loc["2023", "中位数（%）"] == "99.18"  # (98.93 + 99.43) / 2, exact


def test_reported_vs_recomputed(frame):
    table = explore.reported_vs_recomputed(frame)
    assert table["单位编号"].tolist() == ["demo-edu"] and table["年度"].tolist() == [2022]
    row = table.iloc[0]
    assert (row["报告所列总分"], row["重算总分"], row["差额"]) == (
        Decimal("90.05"),
        Decimal("89.58"),
        Decimal("-0.47"),
    )
    assert (row["报告所列等级"], row["重算等级"], row["等级改变"]) == ("优", "良", True)
    html = table._repr_html_()
    assert ">是<" in html and ">True<" not in html and ">-0.47<" in html


def test_unit_history(frame):
    assert explore.default_unit(frame) == "demo-edu"  # the unit with the most years
    # demo-edu's 2024 evaluation is of a project: never differenced against its department years.
    assert explore.default_kind(frame, "demo-edu") == "department"
    table = explore.unit_history(frame)
    assert table["年度"].tolist() == [2021, 2022, 2023]
    assert table["较上年"].tolist()[1:] == [Decimal("1.74"), Decimal("7.82")]
    assert pd.isna(table["较上年"].iloc[0])
    project = explore.unit_history(frame, "demo-edu", kind="project")
    assert project["年度"].tolist() == [2024] and pd.isna(project["较上年"].iloc[0])
    html = table._repr_html_()
    assert ">已生成<" in html and ">built<" not in html and "<NA>" not in html and ">—<" in html
    reference = explore.unit_history(frame, "xinshi-rd")
    assert reference["综合得分"].tolist() == [Decimal("91.73")]
    with pytest.raises(InputError, match="nobody"):
        explore.unit_history(frame, "nobody")


def test_caveats_say_when_there_is_little_to_go_on(frame, synthetic_outputs):
    notes = explore.caveats(frame)
    assert len(notes) == 2 and "只有 5 个单位年度（2 个单位）" in notes[0]
    assert "demo-edu" in notes[1] and "项目评价（2024）" in notes[1] and 'kind="project"' in notes[1]
    assert "阅读前请注意" in notes._repr_html_()
    assert str(explore.caveats(read_results(synthetic_outputs), "synth-00001")).count("只有") == 0


def test_indicator_history(frame):
    table = explore.indicator_history(frame, "demo-edu")
    assert list(table.columns) == ["项目", "分值", "2021年得分", "2022年得分", "2023年得分", "较上年"]
    execution = table[table["项目"] == "预算执行率"].iloc[0]
    assert execution[["2021年得分", "2022年得分", "2023年得分"]].tolist() == [
        Decimal("9.05"), Decimal("9.74"), Decimal("9.89"),
    ]  # fmt: skip
    assert execution["较上年"] == Decimal("0.15")
    project = explore.indicator_history(frame, "demo-edu", kind="project")
    assert list(project.columns) == ["项目", "分值", "2024年得分"]


def test_charts_are_figures_with_png(frame):
    from evalkit.interactive.display import LabFigure

    for figure in (
        explore.grade_chart(frame),
        explore.execution_rate_chart(frame),
        explore.reported_vs_recomputed_chart(frame),
        explore.unit_history_chart(frame),
        explore.unit_history_chart(frame, "xinshi-rd"),
    ):
        assert isinstance(figure, LabFigure)
        png, meta = figure._repr_png_()
        assert png.startswith(b"\x89PNG") and meta["width"] == 800
        assert int.from_bytes(png[16:20], "big") == 1600  # 2× pixels for high-density screens



# --------------------------------------------------------------------------- the notebook


def test_notebook_is_stored_clean_and_short():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in ('outputs_dir = ""', 'unit_id = ""', 'kind = ""', "synthetic_units = 0"):
        assert name in code[0].source, name
    for cell in code:
        tree = ast.parse(cell.source)
        branches = [
            n
            for n in ast.walk(tree)
            if isinstance(
                n, ast.For | ast.While | ast.If | ast.IfExp | ast.comprehension | ast.FunctionDef
            )
        ]
        assert branches == [], cell.source
        assert len(cell.source.splitlines()) <= 5
    assert [cell.source.splitlines()[0] for cell in nb.cells if cell.cell_type == "markdown"][1:] == [
        "## 一、综合得分排名", "## 二、评价等级分布", "## 三、最常失分的指标", "## 四、预算执行率分布",
        "## 五、报告所列得分与重算得分", "## 六、单位历年情况", "## 七、改用另一套评分规则会怎样（规则影响测算）",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def kernel() -> Iterator[KernelSession]:
    """One kernel for this module's runs of the notebook, kept as a build worker keeps one (its
    names cleared between notebooks): the notebook's imports are paid once, not once a run."""
    ensure_registered()
    session = KernelSession()
    with contextlib.chdir(NOTEBOOK.parent):  # the kernel's working folder, as papermill's cwd= sets it
        session.ensure()
    yield session
    session.shutdown()


def _run(kernel: KernelSession, outputs: Path | str, unit_id: str = "", **more) -> nbformat.NotebookNode:
    import papermill as pm

    kernel.reset()  # the names of the notebook run before
    return pm.execute_notebook(
        str(NOTEBOOK),
        None,
        parameters={"outputs_dir": str(outputs), "unit_id": unit_id, **more},
        engine_name=ENGINE_NAME,
        kernel_session=kernel,
        kernel_name="python3",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        request_save_on_cell_execute=False,
    )


def _html(outputs: dict[str, list[dict]], cell_id: str) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for o in outputs[cell_id])


def _outputs(nb: nbformat.NotebookNode) -> dict[str, list[dict]]:
    return {cell.id: cell.outputs for cell in nb.cells if cell.cell_type == "code"}


def _check_ran(nb: nbformat.NotebookNode) -> dict[str, list[dict]]:
    outputs = _outputs(nb)
    for cell_id, cell_outputs in outputs.items():
        assert not [o for o in cell_outputs if o.output_type == "error"], cell_id
        assert not [o for o in cell_outputs if o.output_type == "stream" and o.name == "stderr"], (
            cell_id
        )
    for cell_id in (
        "load",
        "caveats",
        "league",
        "grades",
        "missed",
        "execution",
        "reported",
        "history",
        "history-items",
    ):
        assert "text/html" in outputs[cell_id][0]["data"], cell_id
    for cell_id in ("grades-chart", "execution-chart", "reported-chart", "history-chart"):
        assert "image/png" in outputs[cell_id][0]["data"], cell_id
    return outputs


@pytest.mark.slow
def test_notebook_runs_on_the_sample(kernel, sample_outputs):
    outputs = _check_ran(_run(kernel, sample_outputs))
    league = _html(outputs, "league")
    assert "xinshi-rd" in league and "injectModule" in league  # offline: DataTables embedded
    assert "unpkg.com" not in league and "cdn." not in league
    assert "只有 5 个单位年度" in _html(outputs, "caveats")
    assert "示例区教育局" in outputs["history"][0]["data"]["text/html"]  # the default unit
    assert "89.58" in outputs["reported"][0]["data"]["text/html"]


@pytest.mark.slow
def test_notebook_runs_on_500_synthetic_unit_years(kernel, synthetic_outputs):
    started = time.perf_counter()
    outputs = _check_ran(_run(kernel, synthetic_outputs, unit_id="synth-00007"))
    print(f"\nexplore.ipynb 在 500 个合成单位年度上运行 {time.perf_counter() - started:.1f} 秒")
    assert ">500</td>" in outputs["load"][0]["data"]["text/html"]
    frame = pd.read_parquet(synthetic_outputs / "results.parquet")
    name = frame.loc[frame["unit_id"] == "synth-00007", "unit_name"].iloc[0]
    assert name in outputs["history"][0]["data"]["text/html"]
    assert len(frame.drop_duplicates(["year", "unit_id"])) == 500


@pytest.mark.slow
def test_notebook_tells_the_story_of_a_synthetic_province(kernel):
    outputs = _check_ran(_run(kernel, "", synthetic_units=12))
    assert "只有" not in _html(outputs, "caveats")  # 36 unit-years: enough to go on
    league = _html(outputs, "league")
    assert "示例" in league and "部门整体" in league
    assert ">36</td>" in _html(outputs, "load")
