"""Results → workbook: each unit-year in the national 项目支出绩效自评表 layout, ready to print.

One sheet per unit-year: title and year, 项目名称/单位, the funds block (年初预算数, 全年预算数,
全年执行数, 分值, 执行率, 得分), the indicator block (一级/二级/三级, 年度指标值, 实际完成值, 分值),
the recomputed score beside the printed one (a difference is shaded), the total and grade rows and
the scoring notes; then a 复核发现 sheet with the audit findings when ``evalkit.audit.checks`` is there.
Formatted for A4 landscape: column widths, merged headers, number formats, print titles.

The sheet reads back with ``evalkit import-xlsx`` to the same scores: recomputed columns are
headed ``(重算)`` and ignored by the importer, printed ones keep their usual headers, and the
unit id and rulebook are written as ``单位编号`` / ``评分规则``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evalkit.core.figures import decimals_of
from evalkit.core.models import Indicator
from evalkit.core.scoring import Evaluation, IndicatorScore
from evalkit.core.targets import OP_SYMBOL
from evalkit.errors import EvalkitError, InputError
from evalkit.inputs.params import LoadedUnitYear
from evalkit.inputs.yamlio import atomic_write

__all__ = ["ExportSummary", "export_workbook", "build_workbook", "FINDINGS_SHEET"]

FINDINGS_SHEET = "复核发现"

_FONT = "宋体"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
_DIFF_FILL = PatternFill("solid", fgColor="FFC7CE")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_MONEY = "#,##0.00"
_RATE = '0.00"%"'


@dataclass(frozen=True)
class ExportSummary:
    """What was written: the file, its unit-year sheets, how many findings, and any note."""

    path: Path
    sheets: tuple[str, ...]
    findings: int
    note: str | None = None


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    width: float


def _plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: ``Decimal('95.0')`` → ``95``."""
    return f"{value.normalize():f}"


def _target_text(ind: Indicator, target: Decimal | str | None) -> str:
    """``≥95%``, ``≤304.1万元``; a qualitative target is its text."""
    if target is None or ind.op is None:
        return "未印出"
    if ind.is_qualitative or isinstance(target, str):
        return str(target)
    return f"{OP_SYMBOL[ind.op]}{_plain(target)}{ind.unit}"


def _printed_target(ind: Indicator) -> Decimal | str | None:
    """The target a report printed, when it is not the one scored against (else ``None``)."""
    printed = ind.reported.target if ind.reported is not None else None
    if printed is None or printed == ind.scoring_target or printed == ind.target and ind.target_adjusted is None:
        return None
    return printed


def _unit_format(unit: str) -> str:
    unit = unit.replace('"', "")
    return f'General"{unit}"' if unit else "General"


def _score_format(dp: int) -> str:
    return "0" if dp <= 0 else "0." + "0" * dp


def _printed_format(value: Decimal | None, suffix: str = "") -> str:
    """A printed figure shows the decimals it was printed with (``9.90`` stays ``9.90``)."""
    dp = 0 if value is None else decimals_of(value)
    return _score_format(dp) + suffix


class _Sheet:
    """Writes cells with the house style and remembers the widest content per column."""

    def __init__(self, ws: Worksheet, ncols: int) -> None:
        self.ws = ws
        self.ncols = ncols
        self.row = 1
        self.wrapped: dict[int, list[tuple[int, int, str]]] = {}

    def cell(
        self,
        row: int,
        col: int,
        value: Any,
        *,
        to_col: int | None = None,
        to_row: int | None = None,
        fmt: str | None = None,
        align: Alignment = _CENTER,
        bold: bool = False,
        fill: PatternFill | None = None,
        size: int = 10,
        border: bool = True,
    ) -> None:
        ws = self.ws
        cell = ws.cell(row=row, column=col)
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text such as "=100%", never a formula
        last_col, last_row = to_col or col, to_row or row
        if (last_col, last_row) != (col, row):
            ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                target = ws.cell(row=r, column=c)
                if border:
                    target.border = _BORDER
                if fill is not None:
                    target.fill = fill
        cell.font = Font(name=_FONT, size=size, bold=bold)
        cell.alignment = align
        if fmt:
            cell.number_format = fmt
        if isinstance(value, str) and last_row == row:
            self.wrapped.setdefault(row, []).append((col, last_col, value))

    def section(self, title: str) -> None:
        self.cell(self.row, 1, title, to_col=self.ncols, bold=True, fill=_SECTION_FILL, align=_LEFT)
        self.row += 1

    def fit_rows(self) -> None:
        """Row heights for wrapped text: Excel keeps the stored height and does not grow a row."""
        ws = self.ws
        for row, cells in self.wrapped.items():
            lines = 1
            for first, last, text in cells:
                width = sum(ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(first, last + 1))
                needed = sum(math.ceil(_text_width(part) / max(1.0, width - 1)) or 1 for part in text.split("\n"))
                lines = max(lines, needed)
            if lines > 1:
                ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, 14 * lines + 4)


def _text_width(text: str) -> int:
    """Width in Excel character units: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _indicator_columns(evaluation: Evaluation) -> list[_Column]:
    inds = [s.indicator for s in evaluation.indicators]
    cols = [
        _Column("level1", "一级指标", 11),
        _Column("level2", "二级指标", 12),
        _Column("name", "三级指标", 24),
        _Column("target", "年度指标值", 13),
    ]
    if any(i.target_adjusted is not None for i in inds):
        cols.append(_Column("target_adjusted", "调整指标值", 11))
    if any(_printed_target(i) is not None for i in inds):
        cols.append(_Column("reported_target", "报告指标值", 12))
    if any(i.midyear is not None for i in inds):
        cols.append(_Column("midyear", "年中监控值", 11))
    cols.append(_Column("actual", "实际完成值", 13))
    cols.append(_Column("weight", "分值", 7))
    if any(i.deduction for i in inds):
        cols.append(_Column("deduction", "扣减分数", 8))
    if any(i.reported is not None and i.reported.completion is not None for i in inds):
        cols.append(_Column("completion", "完成率(重算)", 10))
        cols.append(_Column("reported_completion", "报告完成率", 10))
    cols.append(_Column("score", "得分(重算)", 9))
    cols.append(_Column("reported_score", "报告得分", 9))
    cols.append(_Column("reason", "偏差原因分析及改进措施", 30))
    return cols


_FUNDS_COLUMNS = [
    ("initial", "年初预算数", _MONEY),
    ("final", "全年预算数", _MONEY),
    ("actual", "全年执行数", _MONEY),
    ("weight", "分值", "General"),
    ("rate", "执行率(重算)", _RATE),
    ("reported_rate", "报告执行率", _RATE),
    ("score", "得分(重算)", None),
    ("reported_score", "报告得分", None),
]


def _differs(printed: Decimal | None, recomputed: Decimal | None) -> bool:
    return printed is not None and recomputed is not None and printed != recomputed


def _write_unit_sheet(ws: Worksheet, loaded: LoadedUnitYear, evaluation: Evaluation, rulebook_label: str) -> None:
    year, profile, rb = loaded.year, loaded.profile, evaluation.rulebook
    columns = _indicator_columns(evaluation)
    ncols = max(len(columns), 2 + len(_FUNDS_COLUMNS))
    sheet = _Sheet(ws, ncols)
    score_fmt = _score_format(rb.rounding.score_dp)
    exec_fmt = _score_format(rb.rounding.execution_score_dp if rb.rounding.execution_score_dp is not None else rb.rounding.score_dp)
    total_fmt = _score_format(rb.rounding.total_dp)
    half = ncols // 2

    # Widths: the wider of the funds block and the indicator block in each column.
    widths = [12.0] * ncols
    widths[0], widths[1] = 11, 12
    for i, col in enumerate(columns):
        widths[i] = max(widths[i], col.width)
    for i in range(2, 2 + len(_FUNDS_COLUMNS)):
        widths[i] = max(widths[i], 11)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    department = year.kind == "department"
    title = "部门整体支出绩效自评表" if department else "项目支出绩效自评表"
    sheet.cell(1, 1, title, to_col=ncols, bold=True, size=16, border=False)
    ws.row_dimensions[1].height = 30
    sheet.cell(2, 1, f"（{year.year}年度）", to_col=ncols, border=False)
    sheet.row = 3
    project = year.project

    def pair(label: str, value: Any, label2: str | None = None, value2: Any = None) -> None:
        r = sheet.row
        sheet.cell(r, 1, label, bold=True)
        if label2 is None:
            sheet.cell(r, 2, value, to_col=ncols, align=_LEFT)
        else:
            sheet.cell(r, 2, value, to_col=half, align=_LEFT)
            sheet.cell(r, half + 1, label2, bold=True)
            sheet.cell(r, half + 2, value2, to_col=ncols, align=_LEFT)
        sheet.row += 1

    if project is not None:
        pair("项目名称", project.name)
        pair("主管部门", project.department, "实施单位", project.implementer)
        pair("单位名称", profile.name, "单位编号", profile.id)
    else:
        pair("单位名称", profile.name, "单位编号", profile.id)
        if profile.department:
            pair("主管部门", profile.department)
    pair("评分规则", rulebook_label)

    # Funds block.
    sheet.section("项目资金（万元）" if project is not None else "预算执行情况（万元）")
    r = sheet.row
    sheet.cell(r, 1, "资金", to_col=2, bold=True, fill=_HEADER_FILL)
    for i, (_, header, _) in enumerate(_FUNDS_COLUMNS):
        sheet.cell(r, 3 + i, header, bold=True, fill=_HEADER_FILL)
    budget = year.budget
    reported = year.reported
    r += 1
    printed_rate = reported.execution_rate if reported else None
    printed_exec = reported.execution_score if reported else None
    values = {
        "initial": budget.initial,
        "final": budget.final,
        "actual": budget.actual,
        "weight": evaluation.execution_weight,
        "rate": evaluation.execution_rate.value,
        "reported_rate": printed_rate,
        "score": evaluation.execution_score.value,
        "reported_score": printed_exec,
    }
    sheet.cell(r, 1, "年度资金总额", to_col=2, align=_LEFT)
    formats = {
        "reported_rate": _printed_format(printed_rate, '"%"'),
        "reported_score": _printed_format(printed_exec),
        "score": exec_fmt,
    }
    for i, (key, _, fmt) in enumerate(_FUNDS_COLUMNS):
        diff = (key == "reported_rate" and _differs(printed_rate, evaluation.execution_rate.value)) or (
            key == "reported_score" and _differs(printed_exec, evaluation.execution_score.value)
        )
        sheet.cell(r, 3 + i, values[key], fmt=formats.get(key, fmt), fill=_DIFF_FILL if diff else None)
    for j, source in enumerate(budget.sources):
        r += 1
        sheet.cell(r, 1, ("其中：" if j == 0 else "") + source.name, to_col=2, align=_LEFT)
        for i, amount in enumerate((source.initial, source.final, source.actual)):
            sheet.cell(r, 3 + i, amount, fmt=_MONEY)
        for i in range(3, len(_FUNDS_COLUMNS)):
            sheet.cell(r, 3 + i, "—")
    sheet.row = r + 1

    # Goal block (project tables).
    if project is not None and (project.goal or project.outcome):
        sheet.section("年度总体目标")
        r = sheet.row
        sheet.cell(r, 1, "预期目标", to_col=half, bold=True, fill=_HEADER_FILL)
        sheet.cell(r, half + 1, "实际完成情况", to_col=ncols, bold=True, fill=_HEADER_FILL)
        sheet.cell(r + 1, 1, project.goal or "", to_col=half, align=_LEFT)
        sheet.cell(r + 1, half + 1, project.outcome or "", to_col=ncols, align=_LEFT)
        sheet.row = r + 2

    # Indicator block.
    sheet.section("绩效指标")
    header_row = sheet.row
    for i, col in enumerate(columns, start=1):
        last = ncols if i == len(columns) else i
        sheet.cell(header_row, i, col.header, to_col=last, bold=True, fill=_HEADER_FILL)
    first = header_row + 1
    getters: dict[str, Callable[[IndicatorScore], tuple[Any, str | None, bool]]] = {
        "level1": lambda s: (s.indicator.level1, None, False),
        "level2": lambda s: (s.indicator.level2, None, False),
        "name": lambda s: (s.name, None, False),
        "target": lambda s: (_target_text(s.indicator, s.indicator.target), None, False),
        "reported_target": lambda s: (
            None if _printed_target(s.indicator) is None else _target_text(s.indicator, _printed_target(s.indicator)),
            None,
            False,
        ),
        "target_adjusted": lambda s: (s.indicator.target_adjusted, _unit_format(s.indicator.unit), False),
        "midyear": lambda s: (s.indicator.midyear, _unit_format(s.indicator.unit), False),
        "actual": lambda s: (
            "不适用" if not s.applicable else s.indicator.actual,
            None if s.indicator.is_qualitative else _unit_format(s.indicator.unit),
            False,
        ),
        "weight": lambda s: (s.weight, "General", False),
        "deduction": lambda s: (s.indicator.deduction, "General", False),
        "completion": lambda s: (s.completion.value, _RATE, False),
        "reported_completion": lambda s: (
            _reported(s, "completion"),
            _printed_format(_reported(s, "completion"), '"%"'),
            _differs(_reported(s, "completion"), s.completion.value),
        ),
        "score": lambda s: ("不适用" if s.score is None else s.score.value, score_fmt, False),
        "reported_score": lambda s: (
            _printed_score(s),
            _printed_format(_printed_score(s)),
            _differs(_printed_score(s), None if s.score is None else s.score.value),
        ),
        "reason": lambda s: (_reason(s), None, False),
    }
    for k, score in enumerate(evaluation.indicators):
        r = first + k
        for i, col in enumerate(columns, start=1):
            value, fmt, diff = getters[col.key](score)
            last = ncols if i == len(columns) else i
            text_col = col.key in ("name", "reason") or (isinstance(value, str) and len(value) > 12)
            sheet.cell(r, i, value, to_col=last, fmt=fmt, fill=_DIFF_FILL if diff else None,
                       align=_LEFT if text_col else _CENTER)
    last_row = first + len(evaluation.indicators) - 1
    for key in ("level1", "level2"):
        _merge_runs(ws, [c.key for c in columns].index(key) + 1, first, last_row)

    # Total and grade.
    keys = [c.key for c in columns]
    weight_col, score_col, printed_col = keys.index("weight") + 1, keys.index("score") + 1, keys.index("reported_score") + 1
    r = last_row + 1
    total_weight = evaluation.weight_total  # None when some weight was not printed
    printed_total = reported.total if reported else None
    printed_grade = reported.grade if reported else None
    sheet.cell(r, 1, "总分", to_col=weight_col - 1, bold=True)
    for c in range(weight_col, ncols + 1):
        sheet.cell(r, c, None)
    sheet.cell(r, weight_col, total_weight, fmt="General", bold=True)
    sheet.cell(r, score_col, evaluation.total.value if evaluation.graded else evaluation.total.text(),
               fmt=total_fmt, bold=True)
    sheet.cell(r, printed_col, printed_total, fmt=_printed_format(printed_total), bold=True,
               fill=_DIFF_FILL if _differs(printed_total, evaluation.total.value) else None)
    r += 1
    sheet.cell(r, 1, "等级", to_col=weight_col - 1, bold=True)
    for c in range(weight_col, ncols + 1):
        sheet.cell(r, c, None)
    sheet.cell(r, score_col, evaluation.grade, bold=True)
    sheet.cell(r, printed_col, printed_grade, bold=True,
               fill=_DIFF_FILL if printed_grade and printed_grade != evaluation.grade else None)
    sheet.row = r + 1

    notes = [*evaluation.notes, *(f"{s.name}：{flag}" for s in evaluation.indicators for flag in s.flags)]
    notes.append(f"评分规则：{rb.title}。“(重算)”列为 evalkit 按评分规则重算，“报告”列为表中所列；两者不同的单元格已标红。")
    sheet.section("评分提示")
    for note in notes:
        sheet.cell(sheet.row, 1, note, to_col=ncols, align=_LEFT)
        sheet.row += 1

    sheet.fit_rows()
    _page_setup(ws, f"A1:{get_column_letter(ncols)}{sheet.row - 1}", title_rows="1:2")


def _reported(score: IndicatorScore, key: str) -> Decimal | None:
    rep = score.indicator.reported
    return None if rep is None else getattr(rep, key)


def _printed_score(score: IndicatorScore) -> Decimal | None:
    """The printed score; for a 定性 indicator without one, the score the evaluator assigned."""
    printed = _reported(score, "score")
    if printed is None and score.indicator.is_qualitative:
        return score.indicator.score
    return printed


def _reason(score: IndicatorScore) -> str | None:
    ind = score.indicator
    parts = [ind.deviation_reason] if ind.deviation_reason else []
    if ind.improvement:
        parts.append(f"改进措施：{ind.improvement}")
    return "\n".join(parts) or None


def _merge_runs(ws: Worksheet, col: int, first: int, last: int) -> None:
    """Merge runs of equal 一级/二级 cells down the indicator block."""
    start = first
    for row in range(first + 1, last + 2):
        if row > last or ws.cell(row=row, column=col).value != ws.cell(row=start, column=col).value:
            if row - 1 > start and ws.cell(row=start, column=col).value:
                ws.merge_cells(start_row=start, start_column=col, end_row=row - 1, end_column=col)
            start = row


def _page_setup(ws: Worksheet, area: str, *, title_rows: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = area
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.sheet_view.showGridLines = False


# --------------------------------------------------------------------------- findings


def _auditor() -> tuple[Callable[[LoadedUnitYear], list[Any]] | None, str | None]:
    """``evalkit.audit.audit_unit_year``, imported late: the audit may not be installed yet."""
    try:
        from evalkit.audit.checks import audit_unit_year
    except ImportError as exc:
        return None, f"复核模块 evalkit.audit.checks 不可用（{exc}），未生成“{FINDINGS_SHEET}”工作表"
    return audit_unit_year, None


_FINDING_COLUMNS = [
    ("单位编号", 14), ("单位名称", 22), ("年度", 7), ("代码", 16), ("严重程度", 9),
    ("字段", 16), ("指标", 20), ("报告值", 10), ("重算值", 10), ("说明", 50),
]


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, Decimal | int | float):
        return value
    figure_value = getattr(value, "value", None)
    if isinstance(figure_value, Decimal):  # a Figure
        return figure_value
    return str(value)


def _write_findings(ws: Worksheet, rows: list[tuple[LoadedUnitYear, Any]]) -> None:
    ncols = len(_FINDING_COLUMNS)
    sheet = _Sheet(ws, ncols)
    sheet.cell(1, 1, FINDINGS_SHEET, to_col=ncols, bold=True, size=16, border=False)
    ws.row_dimensions[1].height = 30
    for i, (header, width) in enumerate(_FINDING_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        sheet.cell(2, i, header, bold=True, fill=_HEADER_FILL)
    r = 3
    for loaded, finding in rows:
        values = [
            loaded.profile.id,
            loaded.profile.name,
            loaded.year.year,
            getattr(finding, "code", None),
            getattr(finding, "severity_label", None) or getattr(finding, "severity", None),
            getattr(finding, "field", None),
            getattr(finding, "indicator", None),
            getattr(finding, "printed", None),
            getattr(finding, "recomputed", None),
            getattr(finding, "message", None),
        ]
        for i, value in enumerate(values, start=1):
            value = _cell_value(value)
            sheet.cell(r, i, value, align=_LEFT if i in (2, 7, 10) else _CENTER)
        r += 1
    if not rows:
        sheet.cell(r, 1, "未发现问题。", to_col=ncols, align=_LEFT)
        r += 1
    sheet.fit_rows()
    _page_setup(ws, f"A1:{get_column_letter(ncols)}{r - 1}", title_rows="2:2")


# --------------------------------------------------------------------------- workbook


def _sheet_title(loaded: LoadedUnitYear, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", f"{loaded.profile.id} {loaded.year.year}")[:28]
    title, n = base, 2
    while title in taken or title == FINDINGS_SHEET:
        title = f"{base[:26]}-{n}"
        n += 1
    taken.add(title)
    return title


def build_workbook(
    items: Sequence[LoadedUnitYear], *, rulebook: str | None = None
) -> tuple[Workbook, int, str | None]:
    """The workbook for ``items``, the number of findings, and a note (e.g. audit unavailable)."""
    if not items:
        raise InputError("没有可导出的单位年度")
    wb = Workbook()
    wb.remove(wb.active)
    audit, note = _auditor()
    findings: list[tuple[LoadedUnitYear, Any]] = []
    taken: set[str] = set()
    for loaded in items:
        evaluation = loaded.evaluate()
        ws = wb.create_sheet(_sheet_title(loaded, taken))
        _write_unit_sheet(ws, loaded, evaluation, rulebook or loaded.year.rulebook)
        if audit is not None:
            try:
                findings.extend((loaded, f) for f in audit(loaded))
            except EvalkitError as exc:
                findings.append((loaded, _AuditFailure(str(exc))))
    if audit is not None:
        _write_findings(wb.create_sheet(FINDINGS_SHEET), findings)
    return wb, len(findings), note


@dataclass(frozen=True)
class _AuditFailure:
    message: str
    code: str = "audit.failed"
    severity: str = "error"
    field: str | None = None
    indicator: str | None = None
    printed: Any = None
    recomputed: Any = None


def export_workbook(
    items: Sequence[LoadedUnitYear], path: Path | str, *, rulebook: str | None = None
) -> ExportSummary:
    """Write ``items`` to the workbook at ``path`` (atomically: the old file or the new, never half)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError("输出文件应以 .xlsx 结尾", file=str(path))
    wb, count, note = build_workbook(items, rulebook=rulebook)
    with atomic_write(path, "wb") as handle:
        wb.save(handle)
    sheets = tuple(ws.title for ws in wb.worksheets if ws.title != FINDINGS_SHEET)
    return ExportSummary(path=path, sheets=sheets, findings=count, note=note)
