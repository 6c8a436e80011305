"""Self-evaluation tables in Excel: import them into params, export results for printing.

The steps: :mod:`~evalkit.inputs.excel.layouts` (anchor texts, header synonyms and the known
forms, as data) → :mod:`~evalkit.inputs.excel.workbooks` (files → grids) →
:mod:`~evalkit.inputs.excel.reader` (the :class:`Grid`, from any source) →
:mod:`~evalkit.inputs.excel.importer` (grid → validated params, in stages: locate, funds,
indicators, ambiguity, totals, assemble, writing; :func:`import_grid` for one grid) and, the
other way, :mod:`~evalkit.publish.workbook` (scored unit-years → a printable workbook).

Names are imported on first use, so that ``evalkit --help`` does not load openpyxl.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evalkit.inputs.excel.importer import (
        SheetImport,
        WorkbookImport,
        import_grid,
        import_workbook,
        read_sheet,
        with_unit_id,
        write_import,
    )
    from evalkit.inputs.excel.layouts import LAYOUTS, Layout, detect_layout, get_layout
    from evalkit.inputs.excel.reader import Grid, SheetProblems, WorkbookError
    from evalkit.inputs.excel.workbooks import open_workbook
    from evalkit.publish.workbook import ExportSummary, build_workbook, export_workbook

_WHERE = {
    "LAYOUTS": "layouts",
    "Layout": "layouts",
    "detect_layout": "layouts",
    "get_layout": "layouts",
    "Grid": "reader",
    "WorkbookError": "reader",
    "open_workbook": "workbooks",
    "SheetProblems": "reader",
    "import_grid": "importer",
    "SheetImport": "importer",
    "WorkbookImport": "importer",
    "import_workbook": "importer",
    "read_sheet": "importer",
    "with_unit_id": "importer",
    "write_import": "importer",
    "ExportSummary": "evalkit.publish.workbook",
    "build_workbook": "evalkit.publish.workbook",
    "export_workbook": "evalkit.publish.workbook",
}

__all__ = [
    "LAYOUTS",
    "Layout",
    "detect_layout",
    "get_layout",
    "Grid",
    "WorkbookError",
    "open_workbook",
    "SheetProblems",
    "import_grid",
    "SheetImport",
    "WorkbookImport",
    "import_workbook",
    "read_sheet",
    "with_unit_id",
    "write_import",
    "ExportSummary",
    "build_workbook",
    "export_workbook",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    where = module if "." in module else f"{__name__}.{module}"
    return getattr(importlib.import_module(where), name)
