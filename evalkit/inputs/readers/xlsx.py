"""Excel workbooks (.xlsx), through the Excel importer's reader: one grid per worksheet."""

from __future__ import annotations

import zipfile
from pathlib import Path

from evalkit.inputs.readers.base import Extraction

__all__ = ["XlsxReader"]


class XlsxReader:
    name = "xlsx"
    label = "Excel 工作簿"

    @staticmethod
    def sniff(head: bytes, path: Path) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                return "xl/workbook.xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return False

    @staticmethod
    def read(path: Path, display: str) -> Extraction:
        from evalkit.inputs.excel.reader import open_workbook

        out = Extraction(file=display, reader=XlsxReader.name)
        out.grids = list(open_workbook(path, display=display))
        out.notes.append(f"Excel 工作簿：{len(out.grids)} 个工作表")
        return out
