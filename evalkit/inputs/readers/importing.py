"""Any published file → params: the reader its content calls for, then the tables or the narrative.

:func:`import_file` reads the file (:func:`evalkit.inputs.readers.read_file`), hands each form's
grid to the Excel importer's :func:`~evalkit.inputs.excel.importer.read_sheet` (the same code an
.xlsx goes through), and when no table imports, reads the text as the reference template's
narrative (:mod:`evalkit.inputs.readers.narrative`). The result carries an extraction note: what
was read, what was not, and from where.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evalkit.core.models import INDICATOR_UNKNOWN_FIELDS, YEAR_UNKNOWN_FIELDS
from evalkit.errors import InputError, ScoringError
from evalkit.inputs.excel.importer import SheetImport, import_workbook, read_sheet
from evalkit.inputs.excel.layouts import ANCHORS, INDICATOR_FIELDS, Layout
from evalkit.inputs.excel.reader import Grid
from evalkit.inputs.readers import detect
from evalkit.inputs.readers.base import Extraction, SourceGrid
from evalkit.inputs.readers.narrative import looks_like_narrative, parse_narrative

__all__ = ["FileImport", "NARRATIVE_LAYOUT", "import_file", "narrative_import"]

#: The "layout" of a narrative import, for the params file's header and the summary.
NARRATIVE_LAYOUT = Layout(
    name="reference-narrative",
    title="参照报告文字格式（每个指标一句）",
    kind="department",
    rulebook="national-default",
    markers=(),
)


@dataclass
class FileImport:
    """Everything imported from one file: unit-years, failures, and the extraction note."""

    file: str
    reader: str
    sheets: list[SheetImport] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    #: The extraction note, one line each: what was read, what was not, from where.
    note: list[str] = field(default_factory=list)
    #: Source addresses of what could not be read (cells, lines, fields).
    unread: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.sheets) and not self.unread and not self.errors


def _is_form(grid: Grid) -> bool:
    """A grid with an indicator header or a funds/indicator block (not a staffing table)."""
    if grid.header_row(INDICATOR_FIELDS, range(1, grid.max_row + 1), want=("name",), least=3) is not None:
        return True
    return grid.find(ANCHORS["indicators"] + ANCHORS["funds"]) is not None


def _source_address(grid: SourceGrid, excel_address: str) -> str:
    match = re.fullmatch(r"([A-Z]+)(\d+)", excel_address)
    if not match:
        return excel_address
    col = 0
    for letter in match.group(1):
        col = col * 26 + ord(letter) - 64
    return grid.location(int(match.group(2)), col)


def _document_year(paragraphs: list[str]) -> int | None:
    """The year in the document's title (its first lines): ``……2023年度……自评报告``."""
    for text in paragraphs[:5]:
        match = re.search(r"(20\d{2})\s*年度", text)
        if match and re.search(r"自评|评价|绩效", text):
            return int(match.group(1))
    return None


def _file_year(file: str) -> int | None:
    """The year a file's name gives, when it names one: ``2023年度项目支出绩效自评表.docx``."""
    years = {int(y) for y in re.findall(r"(20\d{2})\s*年度", Path(file).name)}
    return years.pop() if len(years) == 1 else None


def _names(fields: list[str]) -> str:
    return "、".join(INDICATOR_UNKNOWN_FIELDS.get(f, f) for f in fields)


def _unit_id(name: str, kind: str, project: str | None) -> str:
    # The Excel importer's rule (bm- + hash of the unit name; xm- + project), so that the same
    # unit imported from its workbook and from its Word report lands in the same folder.
    key, prefix = (f"{project or ''}{name}", "xm-") if kind == "project" else (name, "bm-")
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def narrative_import(
    lines: list[str], *, file: str, year: int | None = None, rulebook: str | None = None
) -> tuple[SheetImport, list[str], list[str]]:
    """A narrative text read, validated and scored: (import, extraction note, unread fields)."""
    from evalkit.core.models import UnitProfile, UnitYear
    from evalkit.core.rulebook import load_rulebook
    from evalkit.core.scoring import evaluate

    parsed = parse_narrative(lines, file=Path(file).name, year=year)
    if parsed.problems:
        raise InputError("；".join(parsed.problems), file=file)
    data = parsed.year_data
    if rulebook:
        data["rulebook"] = rulebook
    name = parsed.profile["name"]
    unit_id = _unit_id(name, data["kind"], (data.get("project") or {}).get("name"))
    profile = {"id": unit_id, **parsed.profile}
    unread = [f"指标“{d['name']}”的{_names(d['unknown'])}" for d in data["indicators"] if d.get("unknown")]
    unread += [YEAR_UNKNOWN_FIELDS.get(u, u) for u in data.get("unknown", [])]
    try:
        profile_model = UnitProfile.model_validate(profile)
        year_model = UnitYear.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"读出的数据未通过校验：{where}: {first['msg']}", file=file) from None
    rb = load_rulebook(data["rulebook"])
    warnings, total, grade = [], None, None
    try:
        evaluation = evaluate(profile_model, year_model, rb)
    except ScoringError as exc:
        warnings.append(f"{file}: 已按文字读取，但无法评分：{exc}")
    else:
        total, grade = evaluation.total.value, evaluation.grade
        warnings.extend(f"{file}: {n}" for n in evaluation.notes)
    cells = {f"budget.{key}": "正文 预算段落" for key in data["budget"]}
    cells |= {f"reported.{key}": "正文 预算段落与评价结论" for key in data.get("reported", {})}
    for index, indicator in enumerate(data["indicators"]):
        for key in indicator:
            if key not in ("name", "unknown"):
                cells[f"indicators[{index}].{key}"] = f"正文 指标“{indicator['name']}”一句"
    sheet = SheetImport(
        file=file, sheet="正文", layout=NARRATIVE_LAYOUT, unit_id=unit_id, profile=profile,
        year_data=data, warnings=tuple(warnings), total=total, grade=grade, total_dp=rb.rounding.total_dp,
        cells=cells,
    )
    return sheet, parsed.notes, unread


def _from_grids(extraction: Extraction, out: FileImport, *, layout: Layout | None, year: int | None, rulebook: str | None) -> None:
    for grid in extraction.grids:
        if not _is_form(grid):
            out.note.append(f"{grid.sheet}：不是自评表（没有指标表头或资金、指标区块），未导入")
            continue
        try:
            try:
                sheet = read_sheet(grid, layout=layout, year=year, rulebook=rulebook)
            except InputError as exc:
                # A form attached to a report often leaves the year to the report's title, or
                # to the file's name (2023年度项目支出绩效自评表.pdf).
                title_year, source = _document_year(extraction.paragraphs), "文档标题"
                if title_year is None:
                    title_year, source = _file_year(extraction.file), "文件名"
                if year is not None or title_year is None or "找不到年度" not in str(exc):
                    raise
                sheet = read_sheet(grid, layout=layout, year=title_year, rulebook=rulebook)
                out.note.append(f"{grid.sheet}：表中没有年度，按{source}取 {title_year} 年度")
        except InputError as exc:
            out.errors.append(exc)
            out.note.append(f"{grid.sheet}：未能导入（{exc.message}）")
            continue
        if isinstance(grid, SourceGrid) and getattr(sheet, "cells", None):
            # The importer names cells the Excel way (C7); a document names them by table/page, row and column.
            sheet = replace(sheet, cells={path: _source_address(grid, where) for path, where in sheet.cells.items()})
        out.sheets.append(sheet)
        count = len(sheet.year_data.get("indicators", []))
        unknown = [d for d in sheet.year_data.get("indicators", []) if d.get("unknown")]
        line = f"{grid.sheet}：读出 {count} 个指标与资金、总分栏"
        if unknown:
            line += "；未印出的栏目：" + "；".join(f"“{d['name']}”{_names(d['unknown'])}" for d in unknown)
            out.unread.extend(f"{grid.sheet} 指标“{d['name']}”的{_names(d['unknown'])}" for d in unknown)
        out.note.append(line)


def import_file(
    path: Path | str,
    *,
    display: str | None = None,
    layout: Layout | None = None,
    year: int | None = None,
    rulebook: str | None = None,
) -> FileImport:
    """Import one published file of any supported format.

    Raises :class:`~evalkit.errors.InputError` only when the file cannot be read at all (missing,
    of an unknown format, scanned, garbled fonts, damaged); a form that fails is recorded in
    ``errors`` and the others go on.
    """
    path = Path(path)
    display = display or str(path)
    reader = detect(path, display=display)
    out = FileImport(file=display, reader=reader.label)
    if reader.name == "xlsx":
        workbook = import_workbook(path, display=display, layout=layout, year=year, rulebook=rulebook)
        out.sheets, out.errors = workbook.sheets, workbook.errors
        out.note = [f"Excel 工作簿：导入 {len(workbook.sheets)} 个工作表", *workbook.notes]
        return out
    extraction = reader.read(path, display)
    out.note.extend(extraction.notes)
    out.unread.extend(extraction.unreadable)
    _from_grids(extraction, out, layout=layout, year=year, rulebook=rulebook)
    if not out.sheets and looks_like_narrative(extraction.paragraphs):
        try:
            sheet, notes, unread = narrative_import(extraction.paragraphs, file=display, year=year, rulebook=rulebook)
        except InputError as exc:
            out.errors.append(exc)
        else:
            out.errors.clear()  # the tables were not the evaluation; the text is
            out.sheets.append(sheet)
            out.note.extend(notes)
            out.unread.extend(unread)
    if not out.sheets and not out.errors:
        out.errors.append(InputError(
            "没有找到自评表（指标表头、资金或指标区块），也没有参照报告格式的指标文字（“该指标预期指标值为…”）",
            file=display,
        ))
    return out


def summary_line(result: FileImport) -> dict[str, Any]:
    """The extraction note as one line (for tables)."""
    return {"reader": result.reader, "note": "；".join(result.note), "unread": "、".join(result.unread)}
