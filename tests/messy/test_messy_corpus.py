"""The realistic-messiness corpus: every workbook imports exactly, value by value, or fails with
one-line, cell-addressed errors. Silent wrong values: 0.

Each case is a builder spec with one or two quirks (at least two cases per quirk), written as
.xlsx (openpyxl) or .xls (xlwt) into ``tmp_path``. The truth comes from the builder's own data.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from evalkit.inputs.excel.importer import import_workbook

from .builders import Spec, build, truth, with_ind
from .sheet import write_ods, write_xls, write_xlsx

D = Decimal
BASE = Spec()
YUAN_TITLE = Spec(unit_where="title", unit="元", unit_text="单位：元")


def _pct_fractions(spec: Spec) -> Spec:
    spec = with_ind(spec, "培训合格率", actual_cell=0.96)
    spec = with_ind(spec, "按时完成率", actual_cell=1)
    return with_ind(spec, "参训人员满意度", actual_cell=0.93)


def _fraction_targets(spec: Spec) -> Spec:
    """A 计量单位 column and the percentage targets typed as fractions with no sign."""
    spec = replace(spec, unit_col=True)
    for name, cell, value in (("培训合格率", 0.95, 95), ("按时完成率", 1, 100), ("参训人员满意度", 0.9, 90)):
        spec = with_ind(spec, name, target_cell=cell, target=D(value), op=">=", op_printed=False)
    return spec


def _merged(spec: Spec) -> Spec:
    spec = with_ind(spec, "按时完成率", l2="质量指标")
    return replace(spec, merged_weight=("培训合格率", "按时完成率"))


def _placeholder(spec: Spec, name: str = "……") -> Spec:
    from .builders import Ind

    dots = Ind("产出指标", "数量指标", name, None, ">=", None, "", None, None, None, None, placeholder=True)
    return replace(spec, inds=[*spec.inds[:1], dots, *spec.inds[1:]])


def _hidden_row(spec: Spec, actual: object = 70) -> Spec:
    from .builders import Ind

    ghost = Ind("产出指标", "数量指标", "上年培训人次", "≥400人次", ">=", D(400), "人次", actual, None, D(5), D(5), hidden=True)
    inds = list(spec.inds)
    inds.insert(1, ghost)
    return replace(spec, inds=inds)


#: id → (spec, expected): "ok", or (cell, text) for the error that must name that cell.
CASES: dict[str, tuple[Spec, object]] = {
    "clean": (BASE, "ok"),
    # a money unit stated in the title, on the anchor or in the headers
    "unit-title-yuan": (YUAN_TITLE, "ok"),
    "unit-title-amount-unit-yuan": (replace(YUAN_TITLE, unit_text="金额单位：元"), "ok"),
    "unit-title-wanyuan": (Spec(unit_where="title", unit_text="金额单位：万元"), "ok"),
    "unit-title-cell-yuan": (Spec(unit_where="title-cell", unit="元", unit_text="单位：元"), "ok"),
    "unit-title-cell-wanyuan": (Spec(unit_where="title-cell", unit_text="金额单位：万元"), "ok"),
    "unit-anchor-yuan": (Spec(unit_where="anchor", unit="元", unit_text="元"), "ok"),
    "unit-anchor-qianyuan": (Spec(unit_where="anchor", unit="千元", unit_text="千元"), "ok"),
    "unit-header-yuan": (Spec(unit_where="header", unit="元", unit_text="元"), "ok"),
    "unit-header-wanyuan": (Spec(unit_where="header", unit_text="万元"), "ok"),
    "unit-conflict-title": (replace(YUAN_TITLE, conflict_unit=True), (None, "金额单位不一致")),
    "unit-conflict-header": (Spec(unit_where="header", unit="元", unit_text="元", conflict_unit=True), (None, "金额单位不一致")),
    # hidden and duplicated columns, hidden rows
    "hidden-column": (Spec(extra_col="hidden"), "ok"),
    "hidden-column-two-row-header": (Spec(extra_col="hidden", header_rows=2), "ok"),
    "duplicate-column": (Spec(extra_col="visible"), ("G", "都表示同一栏")),
    "duplicate-column-three-row-header": (Spec(extra_col="visible", header_rows=3), ("G", "都表示同一栏")),
    "hidden-row": (_hidden_row(BASE), "ok"),
    "hidden-row-with-bad-cell": (_hidden_row(BASE, "很多"), "ok"),
    # percentages: formatted %, typed as fractions, ambiguous
    "percent-format-actuals": (
        with_ind(with_ind(BASE, "培训合格率", actual_cell=0.96, actual_fmt="0%"), "参训人员满意度", actual_cell=0.93, actual_fmt="0.00%"),
        "ok",
    ),
    "percent-format-target": (
        with_ind(BASE, "培训合格率", target_cell=0.95, target_fmt="0%", op_printed=False),
        "ok",
    ),
    "percent-fractions": (_pct_fractions(BASE), "ok"),
    "percent-fractions-yuan-title": (_pct_fractions(YUAN_TITLE), "ok"),
    "percent-ambiguous": (
        with_ind(with_ind(BASE, "培训合格率", actual_cell=0.96), "参训人员满意度", actual_cell=93),
        (None, "还是 96%"),
    ),
    "percent-ambiguous-one": (
        with_ind(with_ind(BASE, "按时完成率", actual_cell=1), "参训人员满意度", actual_cell=93),
        (None, "还是 100%"),
    ),
    "percent-fraction-targets-unit-column": (_fraction_targets(BASE), "ok"),
    "percent-fraction-targets-and-actuals": (_pct_fractions(_fraction_targets(BASE)), "ok"),
    "percent-target-fraction-no-unit": (with_ind(BASE, "培训合格率", target_cell=0.95), ("E", "没有单位")),
    "percent-target-fraction-no-unit-last": (with_ind(BASE, "参训人员满意度", target_cell=0.9), ("E", "没有单位")),
    "target-unit-from-actual": (with_ind(BASE, "培训人次", target_cell=500, actual_cell="480人次", op_printed=False), "ok"),
    # operator variants
    "operators-symbols": (
        with_ind(
            with_ind(with_ind(BASE, "按时完成率", target_cell="═100%"), "培训合格率", target_cell="≧95%"),
            "参训人员满意度", target_cell="＞90%", op=">",
        ),
        "ok",
    ),
    "operators-words": (
        with_ind(
            with_ind(with_ind(BASE, "培训人次", target_cell="不少于500人次"), "培训成本", target_cell="不超过90万元"),
            "按时完成率", target_cell="达到100%", op=">=",
        ),
        "ok",
    ),
    "operators-suffixes": (
        with_ind(
            with_ind(with_ind(BASE, "培训合格率", target_cell="95%以上"), "培训成本", target_cell="不高于90万元"),
            "参训人员满意度", target_cell="90%及以上",
        ),
        "ok",
    ),
    "operator-unknown-sign": (with_ind(BASE, "培训合格率", target_cell="≒95%"), (None, "比较符“≒”无法识别")),
    "operator-unknown-word": (with_ind(BASE, "培训合格率", target_cell="约95%"), (None, "看不出比较方式")),
    # two- and three-row headers
    "header-two-rows": (Spec(header_rows=2), "ok"),
    "header-two-rows-yuan-title": (replace(YUAN_TITLE, header_rows=2), "ok"),
    "header-three-rows": (Spec(header_rows=3), "ok"),
    "header-three-rows-grade-cell": (Spec(header_rows=3, grade_cell="自评等级：优"), "ok"),
    # the year low in the title, full-width or Chinese digits
    "year-low-fullwidth": (Spec(offset=6, year_text="（２０２３年度）"), "ok"),
    "year-chinese-digits": (Spec(offset=4, year_text="（二〇二三年度）"), "ok"),
    "year-row-eight": (Spec(offset=7), "ok"),
    # the national 部门整体 form: its labels, the task table, the spending split
    "department-form": (Spec(dept=True), "ok"),
    "department-form-two-row-header": (Spec(dept=True, header_rows=2), "ok"),
    # sub-items under one merged 分值
    "merged-weight-block": (_merged(BASE), "ok"),
    "merged-weight-block-hidden-column": (replace(_merged(BASE), extra_col="hidden"), "ok"),
    "merged-weight-across-groups": (replace(BASE, merged_weight=("培训人次", "培训合格率")), (None, "分值单元格合并跨 2 个指标行")),
    "merged-weight-across-two-level2": (replace(BASE, merged_weight=("培训合格率", "按时完成率")), (None, "不是一个完整的二级指标")),
    # a grade in one cell
    "grade-cell": (Spec(grade_cell="自评等级：优"), "ok"),
    "grade-cell-other-label": (Spec(grade_cell="评价等级：良"), "ok"),
    # no execution weight printed
    "no-execution-weight": (Spec(funds_weight=False), "ok"),
    "no-execution-weight-department": (Spec(funds_weight=False, dept=True), "ok"),
    # points on the 一级 labels, no 分值 column
    "level-points": (Spec(level_points=True), "ok"),
    "level-points-two-row-header": (Spec(level_points=True, header_rows=2), "ok"),
    # a row with only a name is no indicator
    "placeholder-row": (_placeholder(BASE), "ok"),
    "placeholder-row-two-row-header": (_placeholder(Spec(header_rows=2), "其他"), "ok"),
    # points on the 二级 labels (湖北-style), no 分值 column
    "level2-points": (Spec(level2_points=True), "ok"),
    "level2-points-yuan-title": (replace(YUAN_TITLE, level2_points=True), "ok"),
    # unprinted cells
    "unprinted-actual": (with_ind(BASE, "培训成本", actual_cell=None, actual=None), "ok"),
    "unprinted-two-actuals": (
        with_ind(with_ind(BASE, "培训成本", actual_cell=None, actual=None), "培训人次", actual_cell=None, actual=None),
        "ok",
    ),
}

#: Old .xls workbooks (xlwt), read through python-calamine and xlrd: the whole corpus again.
XLS = sorted(CASES)

#: OpenDocument spreadsheets (python-calamine alone: no number formats, no hidden flags).
ODS = [
    "clean",
    "unit-title-yuan",
    "unit-anchor-qianyuan",
    "percent-fractions",
    "percent-format-actuals",
    "percent-ambiguous",
    "operators-symbols",
    "operators-words",
    "operator-unknown-sign",
    "header-two-rows",
    "header-three-rows",
    "year-chinese-digits",
    "department-form",
    "merged-weight-block",
    "merged-weight-across-groups",
    "level-points",
    "grade-cell",
    "no-execution-weight",
    "duplicate-column",
    "unit-conflict-title",
    "unprinted-actual",
]

#: .ods files give no merged ranges: a 分值 left blank under a merged one is refused, not guessed.
ODS_EXPECTED = {
    "merged-weight-block": ("G", "合并单元格无法读取"),
    "merged-weight-across-groups": ("G", "合并单元格无法读取"),
}

_CELL = re.compile(r" \[自评表\] ([A-Z]+)(\d+): ")


def _write(tmp_path, case: str, fmt: str):
    sheet = build(CASES[case][0])
    path = tmp_path / f"{case}.{fmt}"
    return {"xls": write_xls, "ods": write_ods, "xlsx": write_xlsx}[fmt]([sheet], path)


def _check(tmp_path, case: str, fmt: str) -> None:
    spec, expected = CASES[case]
    expected = ODS_EXPECTED.get(case, expected) if fmt == "ods" else expected
    path = _write(tmp_path, case, fmt)
    result = import_workbook(path, display=path.name)
    if expected == "ok":
        assert not result.errors, [str(e) for e in result.errors]
        (sheet,) = result.sheets
        _same(sheet, truth(spec))
        return
    column, text = expected
    assert not result.sheets, "a sheet that must be refused was imported"
    assert result.errors and result.failed == 1
    lines = [str(e) for e in result.errors]
    for line in lines:
        assert "\n" not in line and line.startswith(path.name) and _CELL.search(line), line
    hit = [line for line in lines if text in line]
    assert hit, lines
    if column:
        assert _CELL.search(hit[0]).group(1) == column, hit[0]


def _same(sheet, want: dict) -> None:
    """Every imported value equals the truth: no value missing, none extra, none different."""
    got = sheet.year_data
    assert got["year"] == want["year"] and got["kind"] == want["kind"]
    assert sheet.profile["name"] == want["unit_name"]
    assert got["budget"] == want["budget"]
    assert len(got["indicators"]) == len(want["indicators"])
    for mine, theirs in zip(got["indicators"], want["indicators"], strict=True):
        assert mine == theirs, (mine, theirs)
    assert got.get("reported") == want["reported"]
    assert got.get("unknown") == want.get("unknown")
    assert got.get("blocks") == want.get("blocks")
    assert got.get("project") == want.get("project")
    assert got.get("execution_weight") is None  # the sheets print the rulebook's 10, or nothing
    assert set(got) <= {"year", "kind", "rulebook", "source", "project", "budget", "indicators", "reported", "unknown", "blocks"}
    # Every value read names its cell.
    for i, ind in enumerate(got["indicators"]):
        for key in ("target", "actual", "weight"):
            if key in ind:
                assert re.fullmatch(r"[A-Z]+\d+", sheet.cells[f"indicators[{i}].{key}"])
    for key in ("initial", "final", "actual"):
        assert re.fullmatch(r"[A-Z]+\d+", sheet.cells[f"budget.{key}"])


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40 and len(XLS) >= 10
    assert sum(1 for _, e in CASES.values() if e != "ok") >= 8


@pytest.mark.parametrize("case", sorted(CASES))
def test_xlsx_imports_exactly_or_fails_naming_the_cell(tmp_path, case):
    _check(tmp_path, case, "xlsx")


@pytest.mark.parametrize("case", XLS)
def test_xls_imports_exactly_or_fails_naming_the_cell(tmp_path, case):
    _check(tmp_path, case, "xls")


@pytest.mark.parametrize("case", ODS)
def test_ods_imports_exactly_or_fails_naming_the_cell(tmp_path, case):
    _check(tmp_path, case, "ods")
