"""HTML pages: the tables (rowspan/colspan resolved) and the text around them.

Published pages often wrap the whole page in a layout table; a table that holds another table
is read as text, not as a form. The encoding is taken from a byte-order mark or the page's
``<meta charset>``, else UTF-8, else GB18030 (the superset of GBK/GB2312 that Chinese sites use).
Cells are named ``表2 第5行第3列`` (tables counted in page order).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace
from pathlib import Path

from evalkit.errors import InputError
from evalkit.inputs.readers.base import FORM_TITLE, Cell, Extraction, Table, add_forms, clean_text

__all__ = ["HtmlReader", "decode_text"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta|title)\b", re.I | re.S)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "caption",
               "section", "article", "header", "footer", "blockquote", "pre", "dt", "dd", "center"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}
#: An inline style that keeps an element off the page (what the reader of the page sees is read,
#: as the Excel import drops hidden rows and columns). Rules in a <style> sheet are not applied.
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*(?:!important\s*)?(?:;|$)", re.I)


def _hidden(node) -> bool:  # noqa: ANN001
    """True for an element the page does not show: the ``hidden`` attribute or an inline
    ``display: none`` / ``visibility: hidden``."""
    return node.get("hidden") is not None or bool(_HIDDEN_STYLE.search(node.get("style") or ""))


def decode_text(data: bytes, *, display: str, declared: bytes | None = None) -> str:
    """Bytes → text: BOM, then the declared charset, then UTF-8, then GB18030."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    tried = []
    if declared:
        tried.append(declared.decode("ascii", "ignore").lower())
    tried += ["utf-8", "gb18030"]
    for encoding in tried:
        if encoding in ("gb2312", "gbk"):
            encoding = "gb18030"
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError("无法识别文件的文字编码（既不是 UTF-8 也不是 GBK/GB18030）", file=display)


def _cell_text(element) -> str:  # noqa: ANN001
    pieces: list[str] = []

    def walk(node) -> None:  # noqa: ANN001
        if not isinstance(node.tag, str) or node.tag in _SKIP_TAGS:
            pass
        elif node.tag == "br":
            pieces.append("\n")
        else:
            if node.tag in _BLOCK_TAGS and pieces:
                pieces.append("\n")
            pieces.append(node.text or "")
            for child in node:
                walk(child)
        pieces.append(node.tail or "")

    pieces.append(element.text or "")
    for child in element:
        walk(child)
    return "".join(pieces)


def _rows(table):  # noqa: ANN001
    """The table's own rows (not those of a nested table), thead/tbody/tfoot read through."""
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child if isinstance(tr.tag, str) and tr.tag == "tr")


def _span(cell, name: str) -> int:  # noqa: ANN001
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or 1), 500))
    except ValueError:
        return 1


def read_table(table, label: str, hidden: list[str] | None = None) -> Table:  # noqa: ANN001
    """The table's rows as cells; rows and cells the page hides are left out (named in ``hidden``,
    rows numbered as in the page's source)."""
    rows: list[list[Cell]] = []
    spanning: list[tuple[int, int, int]] = []  # (row, cell) of cells spanning rows, with their last row
    for r_index, tr in enumerate(_rows(table), start=1):
        if _hidden(tr):
            if hidden is not None:
                hidden.append(f"{label} 第{r_index}行")
            for row, col, last in spanning:  # a cell spanning into a hidden row spans one row less
                if last >= r_index:
                    rows[row][col] = replace(rows[row][col], rowspan=rows[row][col].rowspan - 1)
            continue
        cells = []
        for c_index, cell in enumerate((c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")), start=1):
            if _hidden(cell):
                if hidden is not None:
                    hidden.append(f"{label} 第{r_index}行第{c_index}格")
                continue
            cells.append(Cell(
                _cell_text(cell), f"{label} 第{r_index}行",
                rowspan=_span(cell, "rowspan"), colspan=_span(cell, "colspan"),
            ))
            if cells[-1].rowspan > 1:
                spanning.append((len(rows), len(cells) - 1, r_index + cells[-1].rowspan - 1))
        rows.append(cells)
    return Table(rows=rows, where=label)


class HtmlReader:
    name = "html"
    label = "网页（HTML）"

    @staticmethod
    def sniff(head: bytes, path: Path) -> bool:
        for bom in (codecs.BOM_UTF8,):
            if head.startswith(bom):
                head = head[len(bom):]
        return bool(_HTML_START.match(head[:4096])) or b"<table" in head[:65536].lower()

    @staticmethod
    def read(path: Path, display: str) -> Extraction:
        import lxml.html

        data = path.read_bytes()
        declared = _META_CHARSET.search(data[:4096])
        text = decode_text(data, display=display, declared=declared.group(1) if declared else None)
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        try:
            root = lxml.html.document_fromstring(text)
        except Exception as exc:  # noqa: BLE001 - lxml raises ParserError for an empty page
            raise InputError(f"网页无法解析（{type(exc).__name__}）", file=display) from None
        blocks: list[str | Table] = []
        hidden: list[str] = []  # what the page hides: not read, named in a note
        counter = [0]
        buffer: list[str] = []

        def flush() -> None:
            for line in "".join(buffer).split("\n"):
                line = clean_text(line)
                if line:
                    blocks.append(line)
            buffer.clear()

        def walk(node) -> None:  # noqa: ANN001
            if not isinstance(node.tag, str) or node.tag in _SKIP_TAGS or _hidden(node):
                if isinstance(node.tag, str) and _hidden(node) and clean_text(node.text_content()):
                    hidden.append(f"“{clean_text(node.text_content())[:20]}”")
                buffer.append(node.tail or "")
                return
            if node.tag == "table" and node.find(".//table") is None:
                flush()
                counter[0] += 1
                blocks.append(read_table(node, f"表{counter[0]}", hidden))
                buffer.append(node.tail or "")
                return
            if node.tag == "br" or node.tag in _BLOCK_TAGS:
                buffer.append("\n")
            buffer.append(node.text or "")
            for child in node:
                walk(child)
            if node.tag in _BLOCK_TAGS:
                buffer.append("\n")
            buffer.append(node.tail or "")

        body = root.find("body")
        walk(body if body is not None else root)
        flush()
        out = Extraction(file=display, reader=HtmlReader.name)
        out.paragraphs = [b for b in blocks if isinstance(b, str)]
        tables = [b for b in blocks if isinstance(b, Table)]
        add_forms(out, blocks, title=FORM_TITLE)
        out.notes.append(f"网页：{len(out.paragraphs)} 段文字，{len(tables)} 个表格")
        if hidden:
            out.notes.append("网页中隐藏（不显示）的内容未读取：" + "、".join(hidden))
        return out
