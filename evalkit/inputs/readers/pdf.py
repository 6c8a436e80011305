"""PDF files with a text layer: ruled tables through pdfplumber, tables split across pages joined.

A table that ends one page and starts the next (nothing but a page number between) with the
same columns is one table; header rows the next page repeats are dropped, and a merged cell left
open at the bottom of a page continues into the empty cell below it on the next page. Cells are
named ``第2页 第7行第3列`` (row within that page's part of the table).

Refused, with one line: a scanned PDF (no text layer; no OCR here), a PDF whose fonts have no
Unicode map (pdfminer gives ``(cid:1234)`` or private-use characters: the text would be
garbage), an encrypted or damaged file. A single garbled cell is left unread and named.
"""

from __future__ import annotations

import re
from pathlib import Path

from evalkit.errors import InputError
from evalkit.inputs.excel.layouts import normalise
from evalkit.inputs.readers.base import (
    FORM_TITLE,
    Cell,
    Extraction,
    Table,
    add_forms,
    clean_text,
    form_parts,
)

__all__ = ["PdfReader", "is_garbled"]

_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$")
#: Share of garbled characters above which the whole file is refused.
GARBLED_SHARE = 0.05


def is_garbled(text: str) -> bool:
    """True for text pdfminer could not map to Unicode: ``(cid:n)``, private-use or control chars."""
    if _CID.search(text):
        return True
    return any(0xE000 <= ord(ch) <= 0xF8FF or (ord(ch) < 32 and ch not in "\n\t\r") or ch == "\ufffd" for ch in text)


def _edges(values: list[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > 1.0:
            edges.append(value)
    return edges


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def column_edges(found) -> list[float]:  # noqa: ANN001 - pdfplumber Table
    boxes = [box for row in found.rows for box in row.cells if box is not None]
    return _edges([b[0] for b in boxes] + [b[2] for b in boxes])


#: Room a cell keeps beside its text (left + right padding), at most: Word 2 × 5.4 pt, reportlab 2 × 6.
_CELL_PADDING = 14.0
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+")
_STANDALONE = re.compile(r"\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?")


def _cell_lines(chars: list[dict], box: tuple[float, float, float, float]) -> list[list[dict]]:
    """The characters inside ``box``, in lines (top to bottom, each left to right)."""
    x0, top, x1, bottom = box
    inside = [c for c in chars if x0 - 0.5 <= c["x0"] and c["x1"] <= x1 + 0.5 and top - 0.5 <= c["top"] and c["bottom"] <= bottom + 0.5
              and c.get("text", "").strip()]
    lines: list[list[dict]] = []
    for ch in sorted(inside, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(ch["top"] - lines[-1][0]["top"]) <= 3:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def unwrap_numbers(text: str, chars: list[dict], box: tuple[float, float, float, float]) -> str:
    """A number the cell's width wrapped onto two lines, joined again: ``1,500,00`` / ``0.00`` →
    ``1,500,000.00``. Only when the line was full (the next line's first character would not
    have fitted: the break is the column's, not the writer's) and only the joined text is a
    well-formed number (grouped or with decimals) and its pieces are not two whole numbers
    (``12450`` / ``12000`` stays two, and the importer refuses the cell; ``90,000.0`` / ``0`` is
    one). Anything else keeps its line break."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    geometry = _cell_lines(chars, box)
    if [("".join(c["text"] for c in line)) for line in geometry] != [re.sub(r"\s+", "", ln) for ln in lines]:
        return text  # the lines do not match the characters: leave the text as extracted
    out = lines[0]
    for i in range(1, len(lines)):
        tail = re.search(r"[\d,.]+$", out)
        head = re.match(r"[\d,.]+", lines[i])
        joined = False
        if tail and head:
            line, first = geometry[i - 1], geometry[i][0]
            slack = (box[2] - box[0]) - (line[-1]["x1"] - line[0]["x0"])
            full = slack < (first["x1"] - first["x0"]) + _CELL_PADDING
            # Two whole numbers (12450 / 12000) may be two values; a grouped or decimal number
            # continued by bare digits (90,000.0 / 0) is one.
            both = _STANDALONE.fullmatch(tail.group()) and _STANDALONE.fullmatch(head.group())
            continued = re.search(r"[.,]", tail.group()) and head.group().isdigit()
            joined = full and (not both or bool(continued)) and bool(_GROUPED.fullmatch(tail.group() + head.group()))
        out += ("" if joined else "\n") + lines[i]
    return out


def _same_width(first, more) -> bool:  # noqa: ANN001 - pdfplumber Tables
    """True when two tables span the same width (a table continued on the next page)."""
    return abs(first.bbox[0] - more.bbox[0]) <= 1.5 and abs(first.bbox[2] - more.bbox[2]) <= 1.5


def _table(found, page_no: int, xs: list[float] | None = None, joined: list[str] | None = None,  # noqa: ANN001
           texts: list[list[str | None]] | None = None) -> Table:
    """A pdfplumber table as rows of origin cells with spans, columns by ``xs`` (its own edges),
    from its extracted ``texts`` (extracted here when not given). Each cell whose wrapped number
    was joined again (:func:`unwrap_numbers`) is named in ``joined``."""
    boxes = [box for row in found.rows for box in row.cells if box is not None]
    xs = xs or column_edges(found)
    ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes])
    texts = found.extract() if texts is None else texts
    rows: list[list[Cell]] = [[] for _ in range(len(ys) - 1)]
    seen: set[tuple[float, float, float, float]] = set()
    for r_index, row in enumerate(found.rows):
        for c_index, box in enumerate(row.cells):
            if box is None or box in seen:
                continue
            seen.add(box)
            top, left = _index(ys, box[1]), _index(xs, box[0])
            bottom, right = _index(ys, box[3]), _index(xs, box[2])
            text = texts[r_index][c_index] if r_index < len(texts) and c_index < len(texts[r_index]) else ""
            text = text or ""
            bad = is_garbled(text)
            where = f"第{page_no}页 第{top + 1}行"
            if not bad and "\n" in text:
                wrapped, text = text, unwrap_numbers(text, found.page.chars, box)
                if text != wrapped and joined is not None:
                    joined.append(f"{where}第{left + 1}列“{wrapped.replace(chr(10), ' / ')}”→“{text}”")
            if top < len(rows):
                rows[top].append(Cell(
                    "" if bad else text, where, rowspan=max(1, bottom - top), colspan=max(1, right - left),
                    unreadable=bad, col=left + 1,
                ))
    for row in rows:
        row.sort(key=lambda cell: cell.col or 0)
    return Table(rows=[r for r in rows], where=f"第{page_no}页")


def _row_key(row: list[Cell]) -> tuple[str, ...]:
    return tuple(normalise(cell.text) for cell in row)


def _join(first: Table, more: Table, page_no: int) -> Table:
    """``more`` (the next page's part) appended to ``first``: repeated headers dropped."""
    heads = {_row_key(row) for row in first.rows[:6] if any(c.text.strip() for c in row)}
    rows = list(more.rows)
    while rows and _row_key(rows[0]) in heads:
        rows.pop(0)
    # A merged cell open at the bottom of the page continues into the empty cell below it.
    bottom = len(first.rows)
    open_cells = {}
    for r_index, row in enumerate(first.rows):
        for cell in row:
            if r_index + cell.rowspan == bottom and cell.rowspan > 1:
                open_cells[(cell.col, cell.colspan)] = (r_index + 1, cell.col)
    merged = dict(first.merged)
    if rows:
        kept = []
        for cell in rows[0]:
            origin = open_cells.get((cell.col, cell.colspan))
            if origin and not cell.text.strip() and not cell.unreadable:
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        merged[(bottom + 1 + dr, (cell.col or 1) + dc)] = origin
                kept.append(Cell("", cell.where, rowspan=cell.rowspan, colspan=cell.colspan, col=cell.col))
            else:
                kept.append(cell)
        rows[0] = kept
    start = first.where.split("—")[0]
    return Table(rows=first.rows + rows, where=f"{start}—第{page_no}页", merged=merged)


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", normalise(text))


def _running_lines(lines_of: list[list[tuple[float, str, bool]]]) -> set[str]:
    """Running headers and footers: the same line (page numbers aside) at the top or bottom of
    at least half the pages (two at least). They would otherwise cut a table at each page break."""
    if len(lines_of) < 2:
        return set()
    seen: dict[str, int] = {}
    for lines in lines_of:
        for key in {_key(text) for _, text, band in lines if band}:
            seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count >= max(2, len(lines_of) / 2)}


class PdfReader:
    name = "pdf"
    label = "PDF 文件"

    @staticmethod
    def sniff(head: bytes, path: Path) -> bool:
        return b"%PDF-" in head[:1024]

    @staticmethod
    def read(path: Path, display: str) -> Extraction:
        import pdfplumber

        try:
            pdf = pdfplumber.open(str(path))
            pages = list(pdf.pages)
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds
            name = type(exc).__name__
            if "Password" in name or "Encrypt" in name:
                raise InputError("PDF 设置了打开密码（已加密），无法读取", file=display) from None
            raise InputError(f"PDF 已损坏或无法打开（{name}）", file=display) from None
        out = Extraction(file=display, reader=PdfReader.name)
        joined: list[str] = []  # cells whose wrapped number was joined again: named in a note
        try:
            items = PdfReader._pages(pages, display, out)
            blocks = PdfReader._blocks(items, joined)
        finally:
            pdf.close()
        out.paragraphs = [b for b in blocks if isinstance(b, str)]
        add_forms(out, blocks, title=FORM_TITLE)
        tables = sum(isinstance(b, Table) for b in blocks)
        out.notes.append(f"PDF：{len(items)} 页，{len(out.paragraphs)} 行正文，{tables} 个表格（跨页的表格已拼接）")
        if joined:
            out.notes.append("以下单元格中的数字因列宽折成两行，已按一个数读取，请核对：" + "、".join(joined))
        if out.unreadable:
            out.notes.append("以下单元格的文字无法识别（字体缺少 Unicode 映射），未读取：" + "、".join(out.unreadable))
        return out

    @staticmethod
    def _blocks(items, joined: list[str]) -> list[str | Table]:  # noqa: ANN001
        """Lines and tables in reading order, a table continued on the next page joined to its start.

        A table is continued when the next page starts with a table (only a page number or a
        running header between) spanning the same width, unless it repeats a row a form has once
        (项目名称, a funds block: the next unit's form); both parts are then read against the union
        of their column edges, so a first page whose rows are all merged still lines up with the
        next. Running headers are dropped, except right above a table that starts a form: a form
        title printed at the top of every page (项目支出绩效自评表, （2023年度）) is that form's title.
        """
        groups: list[str | list[tuple[int, object]]] = []
        open_group = False
        parts: set[str] = set()  # the once-per-form rows of the open group (base.form_parts)
        heads: set[tuple[str, ...]] = set()  # its first rows, which the next page may repeat
        extracted: dict[int, list[list[str | None]]] = {}  # each table's cell texts, extracted once
        for page_no, page_items in items:
            first = True  # nothing but running lines yet on this page
            held: list[str] = []  # running lines just above what comes next
            for kind, value in page_items:
                if kind == "running":
                    held.append(value)
                    continue
                if kind == "line":
                    groups.append(value)
                    open_group, held = False, []
                    first = False
                    continue
                extracted[id(value)] = value.extract()
                texts = [[cell or "" for cell in row] for row in extracted[id(value)]]
                previous = groups[-1] if groups and open_group and first else None
                if isinstance(previous, list):  # a header repeated on each page is not a new form
                    while texts and tuple(normalise(t) for t in texts[0]) in heads:
                        texts.pop(0)
                table_parts = form_parts(row[0] if row else "" for row in texts)
                if isinstance(previous, list) and _same_width(previous[-1][1], value) and not parts & table_parts:
                    previous.append((page_no, value))
                    parts |= table_parts
                else:
                    # Another form (it repeats a row a form has once, or stands apart): the running
                    # lines above it are its own title (项目支出绩效自评表, （2023年度）) and are kept.
                    groups.extend(held)
                    groups.append([(page_no, value)])
                    parts = table_parts
                    heads = {tuple(normalise(t) for t in row) for row in texts[:6] if any(t.strip() for t in row)}
                open_group, held, first = True, [], False
        blocks: list[str | Table] = []
        for group in groups:
            if isinstance(group, str):
                blocks.append(group)
                continue
            edges = _edges([x for _, found in group for x in column_edges(found)])
            table = _table(group[0][1], group[0][0], edges, joined, extracted[id(group[0][1])])
            for page_no, found in group[1:]:
                table = _join(table, _table(found, page_no, edges, joined, extracted[id(found)]), page_no)
            if table.rows:
                blocks.append(table)
        return blocks

    @staticmethod
    def _pages(pages, display: str, out: Extraction):  # noqa: ANN001, ANN205
        total = garbled_chars = 0
        items = []
        for page in pages:
            chars = [ch for ch in page.chars if ch.get("text", "").strip()]
            total += len(chars)
            garbled_chars += sum(1 for ch in chars if is_garbled(ch["text"]))
        if total == 0:
            raise InputError("PDF 没有文字层（扫描件或图片），无法读取；本工具不做文字识别（OCR），请取得原始电子文件", file=display)
        if garbled_chars > GARBLED_SHARE * total:
            raise InputError(
                f"PDF 的字体缺少 Unicode 映射，提取出的文字是乱码（{garbled_chars}/{total} 个字符无法识别），"
                "不能读取；请取得原始电子文件或 Word 版",
                file=display,
            )
        lines_of: list[list[tuple[float, str]]] = []
        tables_of = []
        for page_no, page in enumerate(pages, start=1):
            found = page.find_tables()
            tables_of.append(found)
            boxes = [t.bbox for t in found]

            def inside(obj, boxes=boxes) -> bool:  # noqa: ANN001
                return any(b[0] - 1 <= obj["x0"] and obj["x1"] <= b[2] + 1 and b[1] - 1 <= obj["top"] and obj["bottom"] <= b[3] + 1 for b in boxes)

            lines = []
            for line in page.extract_text_lines(return_chars=True):
                if all(inside(ch) for ch in line["chars"]):
                    continue
                text = clean_text(line["text"])
                if not text or _PAGE_NUMBER.match(text):
                    continue
                if is_garbled(text):
                    out.unreadable.append(f"第{page_no}页 “{_CID.sub('?', text)[:20]}”一行")
                    continue
                band = line["top"] < page.height * 0.1 or line["bottom"] > page.height * 0.9
                lines.append((line["top"], text, band))
            lines_of.append(lines)
        running = _running_lines(lines_of)
        for page_no, (found, lines) in enumerate(zip(tables_of, lines_of, strict=True), start=1):
            page_items: list[tuple[float, tuple[str, object]]] = [(t.bbox[1], ("table", t)) for t in found]
            page_items += [(top, ("running" if band and _key(text) in running else "line", text)) for top, text, band in lines]
            page_items.sort(key=lambda item: item[0])
            items.append((page_no, [item for _, item in page_items]))
        return items
