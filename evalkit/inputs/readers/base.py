"""What every reader produces: cell grids with source addresses, paragraphs, and a note.

A reader turns a published file (Word, PDF, HTML, text, Excel) into an :class:`Extraction`:
the document's paragraphs, in order, and one :class:`SourceGrid` per self-evaluation table, the
paragraphs before the table on the rows above it (as a title sits above an Excel form), merged
cells resolved as in Excel (every cell of a merged range holds the range's value). A
:class:`SourceGrid` is the Excel importer's :class:`~evalkit.inputs.excel.reader.Grid`, but it
names cells as the source does: ``表1 第5行第3列`` in Word and HTML, ``第2页 第7行第3列`` in a PDF.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from evalkit.inputs.excel.reader import Grid, WorkbookError

__all__ = ["Cell", "Extraction", "SourceGrid", "Table", "cell_value", "grid_from_blocks"]

#: A paragraph that starts a new form (a title) after a table.
FORM_TITLE = re.compile(r"自评表|自评报告|绩效自评|评价表")

_PLAIN_NUMBER = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[-+]?\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class SourceGrid(Grid):
    """A grid read from a document: cells named by page/table, row and column of the source."""

    locations: Mapping[tuple[int, int], str] = field(default_factory=dict)

    def location(self, row: int, col: int) -> str:
        origin = self.origin(row, col)
        return self.locations.get(origin) or self.locations.get((row, col)) or f"第{row}行"

    def where(self, row: int, col: int) -> str:
        return f"{self.file} {self.location(row, col)}"

    def error(self, row: int, col: int, message: str) -> WorkbookError:
        return WorkbookError(message, file=self.file, cell=self.location(row, col))


@dataclass(frozen=True)
class Cell:
    """One cell of a source table: its text, span and where its row is (``表1 第5行``)."""

    text: str
    where: str
    rowspan: int = 1
    colspan: int = 1
    #: True when the cell's text could not be read (garbled glyphs, an image): never a value.
    unreadable: bool = False
    #: The column the cell starts in, when the reader knows it (else placed after the previous).
    col: int | None = None


@dataclass
class Table:
    """A table as the source lays it out: rows of cells with spans (not yet resolved)."""

    rows: list[list[Cell]]
    where: str  # "表1" or "第2-3页"
    #: Cells covered by a merge in the source that the reader already resolved: (row, col) → origin.
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


@dataclass
class Extraction:
    """Everything read from one file."""

    file: str
    reader: str
    paragraphs: list[str] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    #: What was read, what was not, and from where (the extraction note).
    notes: list[str] = field(default_factory=list)
    #: Source addresses of cells whose text could not be read.
    unreadable: list[str] = field(default_factory=list)


def clean_text(text: str | None) -> str:
    """Text of a cell or paragraph: NBSP and full-width spaces folded, runs of blanks joined."""
    if not text:
        return ""
    text = text.replace("\u00a0", " ").replace("\u3000", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    # Line breaks inside a cell are wrapping: Chinese joins without a space.
    joined = ""
    for line in filter(None, lines):
        if joined and (joined[-1].isascii() and line[0].isascii()):
            joined += " "
        joined += line
    return joined


def cell_value(text: str) -> str | Decimal | None:
    """A cell's value as the Excel reader gives it: a plain number as Decimal, else text."""
    text = clean_text(text)
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text)
    if _PLAIN_NUMBER.match(folded):
        try:
            return Decimal(folded.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return text
    return text


def grid_from_blocks(
    blocks: Sequence[str | Table], *, file: str, sheet: str, unreadable: list[str] | None = None
) -> SourceGrid:
    """Paragraphs and tables, in order, stacked into one grid (through :meth:`Grid.build`).

    A paragraph takes a row of its own (column 1, merged across the table width); a table's
    cells are placed with their spans, every cell of a span reading the span's value. A cell
    marked unreadable is left empty and its address recorded in ``unreadable``.
    """
    width = max((sum(c.colspan for c in row) for b in blocks if isinstance(b, Table) for row in b.rows), default=1)
    cells: dict[tuple[int, int], str | Decimal] = {}
    origins: dict[tuple[int, int], tuple[int, int]] = {}
    locations: dict[tuple[int, int], str] = {}
    row = 0
    for block in blocks:
        if isinstance(block, str):
            row += 1
            value = cell_value(block)
            if value is not None:
                cells[(row, 1)] = value
                locations[(row, 1)] = "正文段落"
                origins.update({(row, c): (row, 1) for c in range(1, width + 1)})
            continue
        occupied: set[tuple[int, int]] = set()
        first = row + 1
        for r_index, source_row in enumerate(block.rows):
            r = first + r_index
            c = 1
            for cell in source_row:
                if cell.col is not None:
                    c = cell.col
                while (r, c) in occupied:
                    c += 1
                value = None if cell.unreadable else cell_value(cell.text)
                if cell.unreadable and unreadable is not None:
                    unreadable.append(f"{cell.where}第{c}列")
                locations[(r, c)] = f"{cell.where}第{c}列"
                if value is not None:
                    cells[(r, c)] = value
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        occupied.add((r + dr, c + dc))
                        origins[(r + dr, c + dc)] = (r, c)
                c += cell.colspan
        row = first + len(block.rows) - 1
        for (r, c), (orow, ocol) in block.merged.items():
            origins[(first + r - 1, c)] = (first + orow - 1, ocol)
    spans: dict[tuple[int, int], list[int]] = {}
    for (r, c), origin in origins.items():
        box = spans.setdefault(origin, [*origin, *origin])
        box[2], box[3] = max(box[2], r), max(box[3], c)
    merged = [tuple(box) for box in spans.values() if (box[0], box[1]) != (box[2], box[3])]
    grid = SourceGrid.build(file=file, sheet=sheet, cells=cells, merged=merged)
    return replace(grid, locations=locations)


#: Paragraphs kept above a table: the title, unit and year lines; a long report before its
#: attached form contributes only its last lines.
LEAD_PARAGRAPHS = 8


#: Row labels that a form holds once: who it is (项目名称, 单位名称) and its funds block. A table
#: that starts such a row again begins another form (another unit or project), even when no
#: 自评表 title stands between the two.
_ONCE_PER_FORM = {
    "identity": ("项目名称", "单位名称", "部门名称", "部门(单位)名称", "单位(部门)名称"),
    "funds": ("项目资金", "部门预算执行情况", "预算执行情况", "年度预算执行情况", "资金投入情况"),
}


def form_parts(labels: Iterable[str]) -> set[str]:
    """Which once-per-form rows (:data:`_ONCE_PER_FORM`) a table has, from its rows' first labels."""
    parts = set()
    for first in labels:
        label = re.sub(r"\s+", "", unicodedata.normalize("NFKC", first or ""))
        for part, anchors in _ONCE_PER_FORM.items():
            if label.startswith(anchors):
                parts.add(part)
    return parts


def _form_parts(table: Table) -> set[str]:
    return form_parts(next((c.text for c in row if c.text and c.text.strip()), "") for row in table.rows)


def split_forms(blocks: Iterable[str | Table], *, title: re.Pattern[str]) -> list[list[str | Table]]:
    """Blocks cut into forms, each its tables with the paragraphs just before each table.

    A paragraph matching ``title`` after a table starts a new form, and so does a table that
    repeats a row the form already has once (项目名称 / 单位名称, or a funds block: a second
    unit's form with no 自评表 title of its own). Of the paragraphs before a table, the last
    :data:`LEAD_PARAGRAPHS` are kept (title, unit, year); paragraphs after the last table of a
    form (signatures, the report's prose) are not part of the form.
    """
    forms: list[list[str | Table]] = []
    current: list[str | Table] = []
    pending: list[str] = []
    parts: set[str] = set()
    for block in blocks:
        if isinstance(block, Table):
            table_parts = _form_parts(block)
            if current and parts & table_parts:
                forms.append(current)
                current, parts = [], set()
            current.extend(pending[-LEAD_PARAGRAPHS:])
            current.append(block)
            parts |= table_parts
            pending = []
            continue
        if not block.strip():
            continue
        if current and title.search(unicodedata.normalize("NFKC", block)):
            forms.append(current)
            current, parts = [], set()
        pending.append(block)
    if current:
        forms.append(current)
    return forms


def add_forms(out: Extraction, blocks: Sequence[str | Table], *, title: re.Pattern[str]) -> None:
    """Cut ``blocks`` into forms (see :func:`split_forms`) and add one grid per form to ``out``."""
    for form in split_forms(blocks, title=title):
        labels = [b.where for b in form if isinstance(b, Table)]
        sheet = labels[0] if len(labels) == 1 else f"{labels[0]}—{labels[-1]}"
        out.grids.append(grid_from_blocks(form, file=out.file, sheet=sheet, unreadable=out.unreadable))
