"""Grid → params: one self-evaluation sheet becomes a unit profile and a unit-year.

The importer reads what the sheet prints and keeps it: amounts (元 converted to 万元), targets
(``≥95%``, ``≤90万元``, ``达成预期指标``), actuals, weights, and the printed scores and total as the
``reported`` values the audit compares against. It never fixes a printed score; where the sheet
is inconsistent (a zero 年度资金总额 row, weights that do not add up, a "(50分)" 一级 label whose
children do not sum to 50) it imports what is there and adds a warning.

The result is validated by the pydantic models before anything is written, and scored once so
the summary can say whether ``evalkit score`` will accept it.

The stages, one module each: :mod:`.locate` (labels, the indicator header, the title's year) →
:mod:`.funds` and :mod:`.indicators` (cell reading and normalising, every value with its cell) →
:mod:`.totals` (printed total and grade) → :mod:`.assemble` (params, validated and scored) →
:mod:`.writing` (unit.yaml and <year>.yaml). This module opens workbooks and runs the stages
on each sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalkit.errors import InputError
from evalkit.inputs.excel.assemble import SheetImport, import_grid, read_sheet, with_unit_id
from evalkit.inputs.excel.layouts import (
    Layout,
)
from evalkit.inputs.excel.locate import skip_reason
from evalkit.inputs.excel.reader import SheetProblems, WorkbookError
from evalkit.inputs.excel.workbooks import open_workbook
from evalkit.inputs.excel.writing import WriteResult, write_import

__all__ = [
    "SheetImport",
    "WorkbookImport",
    "WriteResult",
    "read_sheet",
    "import_grid",
    "import_workbook",
    "with_unit_id",
    "write_import",
]


@dataclass
class WorkbookImport:
    """Everything read from one workbook: the sheets that imported, those that failed, notes."""

    file: str
    sheets: list[SheetImport] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Sheets that failed (each may have several lines in ``errors``).
    failed: int = 0


def import_workbook(
    path: Path | str,
    *,
    display: str | None = None,
    layout: Layout | None = None,
    year: int | None = None,
    rulebook: str | None = None,
    params_dir: Path | None = None,
) -> WorkbookImport:
    """Read every sheet of a workbook; a sheet that fails is recorded and the others go on.

    Raises :class:`~evalkit.errors.InputError` only when the file itself cannot be opened.
    """
    display = display or str(path)
    grids = open_workbook(path, display=display)
    out = WorkbookImport(file=display)
    for grid in grids:
        reason = skip_reason(grid)
        if reason:
            out.notes.append(f"{display} [{grid.sheet}]: {reason}")
            continue
        try:
            out.sheets.append(read_sheet(grid, layout=layout, year=year, rulebook=rulebook, params_dir=params_dir))
        except SheetProblems as exc:
            out.errors.extend(exc.problems)
            out.failed += 1
        except InputError as exc:
            out.errors.append(exc)
            out.failed += 1
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # Never a traceback for an analyst; the message asks for a report.
            out.failed += 1
            out.errors.append(
                WorkbookError(f"无法读取此工作表（内部错误 {type(exc).__name__}: {exc}，请报告此问题）", file=display, sheet=grid.sheet)
            )
    return out
