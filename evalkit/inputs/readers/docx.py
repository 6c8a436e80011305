"""Word (.docx) documents: the tables, merged cells resolved as in Excel, and the paragraphs.

Merged cells are read from the XML, not from python-docx's cell objects: a horizontal merge is a
``w:tc`` with ``w:gridSpan``, a vertical merge a ``w:tc`` with ``w:vMerge`` (``restart`` starts
it, an empty value continues it), and ``w:gridBefore`` skips grid columns at a row's start.
Content controls (``w:sdt``) are read through. Each table becomes a form with the paragraphs
before it (title, unit, year); cells are named ``表2 第5行第3列``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from evalkit.errors import InputError
from evalkit.inputs.readers.base import FORM_TITLE, Cell, Extraction, Table, add_forms, clean_text

__all__ = ["DocxReader"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(element) -> str:  # noqa: ANN001 - an lxml element
    """Text of a paragraph or cell: runs joined, tabs and breaks as spaces, paragraphs as lines."""
    lines = []
    for para in element.iter(f"{_W}p"):
        parts = []
        for node in para.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
            parts.append((node.text or "") if node.tag == f"{_W}t" else " ")
        lines.append("".join(parts))
    return "\n".join(lines)


def _val(element, tag: str) -> str | None:  # noqa: ANN001
    props = element.find(f"{_W}tcPr") if tag in ("gridSpan", "vMerge") else element.find(f"{_W}trPr")
    if props is None:
        return None
    node = props.find(f"{_W}{tag}")
    if node is None:
        return None
    return node.get(f"{_W}val", "")


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value)) if value not in (None, "") else default
    except ValueError:
        return default


def read_table(tbl, label: str) -> Table:  # noqa: ANN001
    """One ``w:tbl`` as rows of cells; vertical merges recorded as merged positions."""
    rows: list[list[Cell]] = []
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    # grid column → (table row, column) of the cell whose vertical merge is open there
    open_merges: dict[int, tuple[int, int]] = {}
    for r_index, tr in enumerate(tbl.findall(f"{_W}tr"), start=1):
        cells: list[Cell] = []
        col = 1
        before = _int(_val(tr, "gridBefore"), 0) if tr.find(f"{_W}trPr") is not None else 0
        if before:
            cells.append(Cell("", f"{label} 第{r_index}行", colspan=before))
            col += before
        tcs = []
        for child in tr:
            if child.tag == f"{_W}tc":
                tcs.append(child)
            elif child.tag == f"{_W}sdt":  # a content control around cells
                tcs.extend(child.iter(f"{_W}tc"))
        for tc in tcs:
            span = _int(_val(tc, "gridSpan"))
            vmerge = _val(tc, "vMerge")
            where = f"{label} 第{r_index}行"
            if vmerge is not None and vmerge != "restart" and col in open_merges:
                origin = open_merges[col]
                for c in range(col, col + span):
                    merged[(r_index, c)] = origin
                cells.append(Cell("", where, colspan=span))
            else:
                for c in range(col, col + span):
                    open_merges.pop(c, None)
                if vmerge == "restart":
                    open_merges[col] = (r_index, col)
                cells.append(Cell(_text(tc), where, colspan=span))
            col += span
        rows.append(cells)
    return Table(rows=rows, where=label, merged=merged)


def _body_blocks(body, counter: list[int]) -> list[str | Table]:  # noqa: ANN001
    blocks: list[str | Table] = []
    for child in body:
        if child.tag == f"{_W}p":
            blocks.append(clean_text(_text(child)))
        elif child.tag == f"{_W}tbl":
            counter[0] += 1
            blocks.append(read_table(child, f"表{counter[0]}"))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                blocks.extend(_body_blocks(content, counter))
    return blocks


class DocxReader:
    name = "docx"
    label = "Word 文档"

    @staticmethod
    def sniff(head: bytes, path: Path) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                return "word/document.xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return False

    @staticmethod
    def read(path: Path, display: str) -> Extraction:
        import docx

        try:
            document = docx.Document(str(path))
        except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for damaged parts
            raise InputError(f"Word 文档已损坏或无法打开（{type(exc).__name__}）", file=display) from None
        blocks = _body_blocks(document.element.body, [0])
        out = Extraction(file=display, reader=DocxReader.name)
        out.paragraphs = [b for b in blocks if isinstance(b, str) and b]
        tables = [b for b in blocks if isinstance(b, Table)]
        add_forms(out, blocks, title=FORM_TITLE)
        out.notes.append(f"Word 文档：{len(out.paragraphs)} 段正文，{len(tables)} 个表格")
        return out
