"""Workbooks (.xlsx, old .xls, .ods), through the Excel importer's reader: one grid per worksheet.

An OLE2 file is a workbook unless it holds a ``WordDocument`` stream (an old .doc, refused by
the registry); the Excel reader refuses an encrypted one with its own message.
"""

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
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            return True
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                if "xl/workbook.xml" in names:
                    return True
                return "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet")
        except (zipfile.BadZipFile, OSError, KeyError):
            return False

    @staticmethod
    def read(path: Path, display: str) -> Extraction:
        from evalkit.inputs.excel.workbooks import open_workbook

        out = Extraction(file=display, reader=XlsxReader.name)
        out.grids = list(open_workbook(path, display=display))
        out.notes.append(f"Excel 工作簿：{len(out.grids)} 个工作表")
        return out
