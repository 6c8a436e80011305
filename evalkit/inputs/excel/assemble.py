"""One sheet → a unit profile and a unit-year: the stages put together, validated and scored once."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evalkit.core.models import UnitProfile, UnitYear
from evalkit.core.rulebook import load_rulebook, rulebook_source
from evalkit.core.scoring import evaluate
from evalkit.errors import InputError, ScoringError
from evalkit.inputs.excel.cells import (
    ZERO,
    Warnings,
    as_text,
    validation_message,
    validation_messages,
)
from evalkit.inputs.excel.funds import duplicate_columns, read_funds
from evalkit.inputs.excel.indicators import read_indicators
from evalkit.inputs.excel.layouts import (
    ANCHORS,
    GOAL_LABELS,
    INFO_LABELS,
    SHEET_NAME_YEAR,
    Layout,
    detect_layout,
)
from evalkit.inputs.excel.locate import indicator_header, label_value, title_text, title_year
from evalkit.inputs.excel.reader import Grid, HeaderRow, SheetProblems, WorkbookError
from evalkit.inputs.excel.totals import read_total
from evalkit.inputs.params import check_unit_id


@dataclass(frozen=True)
class SheetImport:
    """One sheet read into params data, ready to write.

    ``profile`` and ``year_data`` are the dicts written to ``unit.yaml`` and ``<year>.yaml``
    (already validated); ``total`` and ``grade`` are the recomputed result (``None`` when the
    unit-year cannot be scored as imported, which ``warnings`` then explains).
    """

    file: str
    sheet: str
    layout: Layout
    unit_id: str
    profile: dict[str, Any]
    year_data: dict[str, Any]
    warnings: tuple[str, ...] = ()
    total: Decimal | None = None
    grade: str | None = None
    total_dp: int = 2
    #: Provenance: params path (``budget.final``, ``indicators[2].actual``) → cell address.
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return int(self.year_data["year"])

    @property
    def kind(self) -> str:
        return str(self.year_data["kind"])

    @property
    def where(self) -> str:
        return f"{self.file} [{self.sheet}]"


def _unit_id(kind: str, project: str | None, implementer: str | None, unit_name: str) -> str:
    if kind == "project":
        key, prefix = f"{project or ''}{implementer or ''}", "xm-"
    else:
        key, prefix = unit_name, "bm-"
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def _rulebook_in_folder(grid: Grid, name: str, cell: tuple[int, int], params_dir: Path | None) -> str:
    """A rulebook file named by a 评分规则 cell: only one inside the params folder is read."""
    inside = None
    if params_dir is not None:
        folder = Path(params_dir).resolve()
        path = Path(name) if Path(name).is_absolute() else folder / name
        resolved = path.resolve()
        if resolved.is_relative_to(folder) and resolved.is_file():
            inside = resolved
    if inside is None:
        raise grid.error(
            *cell, f"评分规则“{name}”是文件路径，但不在参数目录内（或不存在）；工作簿只能指定内置规则或参数目录内的规则文件"
        )
    return str(inside)


def _choose_rulebook(
    grid: Grid,
    layout: Layout,
    option: str | None,
    info_cell: tuple[object, tuple[int, int]] | None,
    w: Warnings,
    params_dir: Path | None = None,
) -> str:
    if option:
        # A rulebook file is written relative to the unit folder later (see write_import).
        path = rulebook_source(option)
        return option if path.stem == option else str(path.resolve())
    if info_cell is not None:
        name = as_text(info_cell[0])
        if name and ("/" in name or "\\" in name or name.endswith((".yaml", ".yml"))):
            return _rulebook_in_folder(grid, name, info_cell[1], params_dir)
        if name:
            try:
                rulebook_source(name)
            except InputError:
                w.at(*info_cell[1], f"评分规则“{name}”不是内置规则，按表格样式用“{layout.rulebook}”")
            else:
                return name
    return layout.rulebook


def _disguised(grid: Grid, cell: tuple[int, int], number_format: str) -> WorkbookError:
    stored = grid.value(*cell)
    return grid.error(
        *cell,
        f"单元格格式“{number_format}”使显示的数与存储的数（{stored}）不同（移动了小数点或按千位缩小），"
        "无法确定表中的数是多少，未读取；请把单元格改为常规数字格式、写入显示的数后再导入",
    )


def read_sheet(
    grid: Grid,
    *,
    layout: Layout | None = None,
    year: int | None = None,
    rulebook: str | None = None,
    params_dir: Path | None = None,
) -> SheetImport:
    """Read one self-evaluation sheet (a :class:`Grid` from any source) into params.

    The result carries the params data, the warnings and a provenance map (``cells``: params
    path → cell address) for every value read. Raises :class:`WorkbookError` naming the cell at
    fault, or :class:`SheetProblems` listing every bad cell of the sheet. A rulebook file named
    by the sheet's 评分规则 cell must lie inside ``params_dir``.
    """
    w = Warnings(grid)
    if grid.truncated:
        w.sheet("工作表超出 3000 行或 60 列，只读取了前面部分")
    for note in grid.notes:
        w.sheet(note)
    if grid.disguised:
        raise SheetProblems([_disguised(grid, cell, fmt) for cell, fmt in sorted(grid.disguised.items())])
    if not grid.merges_known:
        w.sheet("此文件的合并单元格无法读取：空白的一级/二级指标按上一行填写，空白的分值不读取")
    if not grid.formats_known:
        w.sheet(
            "此文件的数字格式与隐藏的行列无法读取：百分数按列判断，隐藏的行列也已读取；"
            "请在 Excel 中另存为 .xlsx 后再导入以便核对"
        )
    layout = layout or detect_layout(grid.texts())
    try:
        header: HeaderRow | None = indicator_header(grid)
    except WorkbookError:
        # A funds block and no indicator block at all: a budget-only evaluation.
        if grid.find(ANCHORS["indicators"]) is not None or grid.find(ANCHORS["funds"]) is None:
            raise
        header = None
        w.sheet("没有“绩效指标”区块，按只有预算执行情况的评价导入（indicators: []）")
    stop = header.row if header is not None else grid.max_row + 1
    if header is not None:
        duplicate_columns(grid, header, "绩效指标")
    top = range(1, stop)
    info = {key: label_value(grid, labels, top) for key, labels in INFO_LABELS.items()}
    values = {key: (as_text(hit[0]) if hit else None) for key, hit in info.items()}
    title = title_text(grid, stop)
    kind = "department" if layout.kind == "department" or "部门整体" in title else "project"

    found_year = title_year(grid, stop)
    if found_year is None and values["year"]:
        match = re.search(r"(?:19|20)\d{2}", values["year"])
        found_year = int(match.group(0)) if match else None
    if found_year is None and year is None:
        match = re.search(SHEET_NAME_YEAR, grid.sheet)
        if match:
            found_year = int(match.group(1))
            w.sheet(f"标题中没有年度，按工作表名“{grid.sheet}”取 {found_year} 年度；如不对请用 --year 指定")
    if year is not None:
        if found_year is not None and found_year != year:
            w.sheet(f"表中年度为 {found_year}，按 --year 指定的 {year} 导入")
        found_year = year
    if found_year is None:
        w.problem(
            grid.error(
                1, 1, "找不到年度：标题中应有“（2023年度）”这样的年度（或“年度”一栏、工作表名中的年份），或用 --year 指定"
            )
        )

    rb_name = _choose_rulebook(grid, layout, rulebook, info["rulebook"], w, params_dir)
    try:
        rb = load_rulebook(rb_name)
    except InputError as exc:
        raise grid.error(1, 1, f"评分规则无法加载：{exc}") from None

    funds = None
    try:
        funds = read_funds(grid, stop, w)
    except WorkbookError as exc:
        w.problem(exc)
    except SheetProblems as exc:
        for problem in exc.problems:
            w.problem(problem)
    indicators: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    total = grade = None
    if header is not None:
        indicators, end_row, blocks = read_indicators(grid, header, rb, w)
        weights = sum((d.get("weight") or ZERO for d in indicators), ZERO)
        weights += sum((b["weight"] for b in blocks), ZERO)
        total, grade = read_total(grid, header, end_row, weights, w)

    project_name = values["project_name"]
    # 单位名称 is the reporting unit when a form has it (Hubei, export-xlsx); else 实施单位.
    unit_name = values["unit_name"] or values["implementer"]
    if kind == "department":
        unit_name = values["unit_name"] or values["implementer"] or values["department"]
    if kind == "project" and not project_name:
        w.problem(grid.error(1, 1, "找不到“项目名称”（项目支出自评表应有“项目名称”一栏）"))
    if w.problems or funds is None or found_year is None:
        raise SheetProblems(w.problems)
    if not unit_name:
        if kind == "department":
            raise grid.error(1, 1, "找不到单位名称（应有“单位名称”或“主管部门”一栏）")
        unit_name = values["department"] or project_name
        w.sheet(f"找不到“实施单位”或“单位名称”，单位名称暂记为“{unit_name}”")
    assert unit_name is not None

    derived = _unit_id(kind, project_name, values["implementer"] or unit_name, unit_name)
    unit_id = values["unit_id"] or derived
    if values["unit_id"]:
        try:
            check_unit_id(values["unit_id"])
        except InputError:
            assert info["unit_id"] is not None
            w.at(*info["unit_id"][1], f"单位编号“{values['unit_id']}”不合法，已改用自动编号")
            unit_id = derived

    profile: dict[str, Any] = {"id": unit_id, "name": unit_name}
    where = {"project_name": "project.name", "department": "project.department", "implementer": "project.implementer"}
    for key, hit in info.items():
        if hit is not None and key in where and kind == "project":
            w.read(where[key], *hit[1])
    for key in ("unit_name", "implementer", "department"):
        hit = info.get(key)
        if hit is not None and values[key] == unit_name:
            w.read("unit.name", *hit[1])
            break
    if values["department"] and values["department"] != unit_name:
        profile["department"] = values["department"]

    data: dict[str, Any] = {
        "year": found_year,
        "kind": kind,
        "rulebook": rb_name,
        "source": f"{Path(grid.file).name} [{grid.sheet}]",
    }
    if kind == "project":
        project: dict[str, Any] = {"name": project_name}
        if values["department"]:
            project["department"] = values["department"]
        if values["implementer"]:
            project["implementer"] = values["implementer"]
        for key, labels in GOAL_LABELS.items():
            hit = label_value(grid, labels, top, below=True)
            if hit and as_text(hit[0]):
                project[key] = as_text(hit[0])
                w.read(f"project.{key}", *hit[1])
        data["project"] = project
    data["budget"] = funds.budget
    if funds.weight is None:
        # Never silently the rulebook's weight: not printed is unknown.
        data["unknown"] = ["execution_weight"]
        w.sheet("预算执行情况没有印出分值（或权重），记为未印出（unknown: [execution_weight]），总分无法完整计算")
    elif funds.weight != rb.budget_execution.weight:
        data["execution_weight"] = funds.weight
    data["indicators"] = indicators
    if blocks:
        data["blocks"] = blocks
    if funds.reason:
        data["narrative"] = {"budget_execution": funds.reason}
    reported = {
        "total": total,
        "grade": grade,
        "execution_rate": funds.rate,
        "execution_score": funds.score,
    }
    reported = {k: v for k, v in reported.items() if v is not None}
    if reported:
        data["reported"] = reported

    try:
        profile_model = UnitProfile.model_validate(profile)
    except ValidationError as exc:
        raise grid.error(1, 1, f"单位信息有误：{validation_message(exc)}") from None
    try:
        year_model = UnitYear.model_validate(data)
    except ValidationError as exc:
        raise SheetProblems([grid.error(1, 1, f"导入结果未通过校验：{m}") for m in validation_messages(exc)]) from None

    recomputed_total = recomputed_grade = None
    try:
        evaluation = evaluate(profile_model, year_model, rb)
    except ScoringError as exc:
        w.sheet(
            f"已照表导入，但按评分规则“{rb.title}”无法评分：{exc}；`evalkit validate` 会报告此问题，请核对原表"
        )
    else:
        if evaluation.graded:
            recomputed_total, recomputed_grade = evaluation.total.value, evaluation.grade
        else:
            # Incomplete evidence: a partial sum or nothing, never a grade.
            w.sheet(f"总分只能部分计算或无法计算（{evaluation.total.text()}）：{'、'.join(evaluation.missing) or '见 evalkit score'}")
        for note in evaluation.notes:
            w.sheet(note)
    return _result(grid, layout, unit_id, profile, data, w, recomputed_total, recomputed_grade, rb.rounding.total_dp)


def _result(
    grid: Grid,
    layout: Layout,
    unit_id: str,
    profile: dict[str, Any],
    data: dict[str, Any],
    w: Warnings,
    total: Decimal | None,
    grade: str | None,
    total_dp: int,
) -> SheetImport:
    return SheetImport(
        file=grid.file,
        sheet=grid.sheet,
        layout=layout,
        unit_id=unit_id,
        profile=profile,
        year_data=data,
        warnings=tuple(w),
        total=total,
        grade=grade,
        total_dp=total_dp,
        cells=dict(w.cells),
    )


def with_unit_id(result: SheetImport, unit_id: str) -> SheetImport:
    """The same import under another unit id (``--unit-id``)."""
    check_unit_id(unit_id)
    return replace(result, unit_id=unit_id, profile={**result.profile, "id": unit_id})


#: The clean entry point for any grid (a workbook sheet, a table read from Word, PDF or HTML).
import_grid = read_sheet
