"""Self-evaluation tables in Excel: import them into params, export results for printing.

The steps, one module each: :mod:`~evalkit.inputs.excel.layouts` (anchor texts, header synonyms and the
known forms, as data) → :mod:`~evalkit.inputs.excel.reader` (workbook → cell grids, merged cells
resolved) → :mod:`~evalkit.inputs.excel.importer` (grid → validated params) and, the other way,
:mod:`~evalkit.publish.workbook` (scored unit-years → a printable workbook).

Names are imported on first use, so that ``evalkit --help`` does not load openpyxl.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evalkit.inputs.excel.importer import (
        SheetImport,
        WorkbookImport,
        import_workbook,
        read_sheet,
        with_unit_id,
        write_import,
    )
    from evalkit.inputs.excel.layouts import LAYOUTS, Layout, detect_layout, get_layout
    from evalkit.inputs.excel.reader import Grid, WorkbookError
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
    "SheetImport": "importer",
    "WorkbookImport": "importer",
    "import_workbook": "importer",
    "read_sheet": "importer",
    "with_unit_id": "importer",
    "write_import": "importer",
    "ExportSummary": "exporter",
    "build_workbook": "exporter",
    "export_workbook": "exporter",
}

__all__ = [
    "LAYOUTS",
    "Layout",
    "detect_layout",
    "get_layout",
    "Grid",
    "WorkbookError",
    "open_workbook",
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
    return getattr(importlib.import_module(f".{module}", __name__), name)
