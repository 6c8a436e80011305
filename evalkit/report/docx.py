"""Word (.docx) from the document's HTML body, laid out as a Chinese official document.

The Word file is made from the same HTML the page and the PDF show (one source), read element by
element: headings, paragraphs, tables (with merged cells), charts (the PNGs), note marks as
superscripts and the footnotes. The layout follows GB/T 9704 (党政机关公文格式):

* A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
* title 2号 (22 pt) 方正小标宋简体, centred; body 3号 (16 pt) 仿宋_GB2312, 28.95 pt line pitch
  (22 lines a page), first-line indent of two characters; 一级标题 黑体, 二级标题 楷体_GB2312;
* page numbers 4号 (14 pt) "— 1 —" in the footer, odd pages right, even pages left.

Chinese text is drawn through ``w:eastAsia``: python-docx's ``font.name`` sets only
``w:ascii``/``w:hAnsi``, and the default template's theme sends East-Asian text to a Japanese font,
so every style and run gets ``w:eastAsia`` explicitly and the theme attributes are removed.

A bureau's own template (``template=``): its styles, page setup, header and footer are kept, its
body is emptied, and the report fills it; a paragraph reading ``{{正文}}`` marks where the report
goes (anything before it, a letterhead, stays).
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import html as lxml_html

if TYPE_CHECKING:
    from evalkit.report.document import Document

__all__ = ["docx_bytes", "BODY_FONT", "TITLE_FONT", "PLACEHOLDER"]

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONTS = {2: "黑体", 3: "楷体_GB2312", 4: BODY_FONT}
LATIN_FONT = "Times New Roman"
TABLE_SIZE = Pt(10.5)  # 五号
PLACEHOLDER = "{{正文}}"
_SKIP_CLASSES = {"kicker"}
_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space: a full-width space (日期：　　年) is text


def _fonts(rpr_parent: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set ``w:rFonts`` on a run or style: East-Asian and Latin fonts, no theme fonts."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _setup(doc: Any, own_template: bool) -> None:
    if own_template:  # a bureau's template keeps its own fonts
        return
    # No theme fonts anywhere: the default theme maps East Asian text to ＭＳ 明朝.
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        themed = any(fonts.get(qn(a)) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"))
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        if themed or fonts.get(qn("w:eastAsia")) is None:
            fonts.set(qn("w:eastAsia"), fonts.get(qn("w:eastAsia")) or BODY_FONT)
            for attr in ("w:ascii", "w:hAnsi", "w:cs"):
                fonts.set(qn(attr), fonts.get(qn(attr)) or LATIN_FONT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _fonts(normal.element, BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing = Pt(28.95)
    fmt.space_before = fmt.space_after = Pt(0)
    for level in (1, 2, 3, 4):
        style = doc.styles[f"Heading {level}"]
        style.font.size = Pt(22 if level == 1 else 16)
        style.font.bold = level == 4
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        _fonts(style.element, TITLE_FONT if level == 1 else HEADING_FONTS[level])
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = Pt(28.95) if level > 1 else Pt(36)
        if level > 1:
            style.paragraph_format.first_line_indent = Pt(32)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(footer: Any, align: Any) -> None:
    """"— 1 —" in 4号 (14 pt), one character in from the edge."""
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    para.alignment = align
    para.paragraph_format.left_indent = para.paragraph_format.right_indent = Pt(14)

    def run(text: str = "") -> Any:
        r = para.add_run(text)
        r.font.size = Pt(14)
        _fonts(r._element, "宋体")
        return r

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._element.append(instr)
        else:
            r.text = text
    run(" —")


def _text(el: Any) -> str:
    return _SPACE.sub(" ", el.text_content()).strip()


_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_WORD = re.compile(rf"[^\s{_CJK}-]+-?")  # what Word will not break: a figure, a Latin word
_CELL_MARGINS = 3  # Word's cell margins (1.9 mm a side) and a little air, in half-width characters of 五号


def _text_width(text: str) -> float:
    """Width in half-width characters: a 汉字 or full-width sign counts two, a capital or % one and a half."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.5 if ch.isupper() or ch == "%" else 1
               for ch in text)


def _column_shares(el: Any, spans: list[tuple[int, int, int, int, Any]], width: int, header_rows: int,
                   room: int) -> list[float]:
    """Each column's share of a table ``room`` half-width characters wide, laid out as a browser
    does a table: every column gets its narrowest (its longest figure or word, two 汉字 of a
    header), and what is left goes to the columns by how much more they want: the page's
    ``<col style="width:N%">`` where it sets them, else their longest text (up to twenty 汉字;
    longer text wraps). Word's own default splits the width evenly: a 序号 column as wide as the
    paragraph beside it, 91.73 broken over two lines."""
    narrowest, widest = [2] * width, [2] * width
    for r, c, _, cs, td in spans:
        if cs != 1:
            continue
        text = _text(td)
        # a finding's code (E-COMPLETION-MISMATCH) is secondary: it may break anywhere
        words = [] if "code" in (td.get("class") or "") else [min(_text_width(w), 12) for w in _WORD.findall(text)]
        least = min(_text_width(text), 4) if r < header_rows else max([*words, 2])
        narrowest[c] = max(narrowest[c], least)
        widest[c] = max(widest[c], min(_text_width(text), 40), least)
    narrowest = [n + _CELL_MARGINS for n in narrowest]
    widest = [n + _CELL_MARGINS for n in widest]
    cols = [re.search(r"width:\s*([\d.]+)%", col.get("style") or "") for col in el.iter("col")]
    if len(cols) == width and all(cols):
        widest = [max(n, float(m.group(1)) * room / 100) for n, m in zip(narrowest, cols, strict=True) if m]
    spare = room - sum(narrowest)
    if spare >= sum(widest) - sum(narrowest) or spare <= 0:
        return [float(n) for n in (widest if spare > 0 else narrowest)]
    grow = sum(widest) - sum(narrowest)
    return [n + spare * (w - n) / grow for n, w in zip(narrowest, widest, strict=True)]


class _Writer:
    def __init__(self, doc: Any, anchor: Any | None) -> None:
        self.doc = doc
        self.anchor = anchor  # a template paragraph the report goes before, or None (append)

    def paragraph(self, style: str | None = None) -> Any:
        if style is not None and style not in [s.name for s in self.doc.styles]:
            style = None  # a bureau template without this style: its Normal
        if self.anchor is not None:
            return self.anchor.insert_paragraph_before(style=style)
        return self.doc.add_paragraph(style=style)

    def runs(self, para: Any, el: Any, *, size: Any = None, bold: bool = False, font: str | None = None) -> None:
        """The inline content of ``el``: text, with ``<sup>`` as superscript."""

        def add(text: str | None, superscript: bool = False) -> None:
            if not text:
                return
            r = para.add_run(_SPACE.sub(" ", text) if not superscript else text.strip())
            if size is not None:
                r.font.size = size
            if bold:
                r.font.bold = True
            if font is not None:
                _fonts(r._element, font)
            if superscript:
                r.font.superscript = True
                r.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)

        add(el.text)
        for child in el:
            if child.tag == "sup":
                add(child.text_content(), superscript=True)
            elif child.tag == "br":
                para.add_run().add_break()
            elif child.tag not in ("style", "script"):
                self.runs(para, child, size=size, bold=bold or child.tag in ("b", "strong"), font=font)
            add(child.tail)

    def block(self, el: Any) -> None:
        tag, cls = el.tag, set((el.get("class") or "").split())
        if cls & _SKIP_CLASSES or tag in ("style", "script"):
            return
        if tag in ("h1", "h2", "h3", "h4"):
            level = int(tag[1])
            if "attachment-title" in cls:
                level = 1
            para = self.paragraph(f"Heading {level}")
            if level == 1:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.runs(para, el)
            if level == 1:
                self.paragraph()  # a blank line under the title
        elif tag == "p":
            para = self.paragraph()
            if cls & {"attachment-label"}:
                para.paragraph_format.first_line_indent = Pt(0)
                self.runs(para, el, font="黑体")
                return
            if cls & {"sign-unit", "sign-date"}:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                para.paragraph_format.right_indent = Pt(64)
            elif not cls & {"note", "attachment-meta", "alert-head"} and el.getparent().tag not in ("aside", "footer", "header"):
                para.paragraph_format.first_line_indent = Pt(32)
            small = el.getparent().tag in ("aside", "footer") or "attachment-meta" in cls
            self.runs(para, el, size=Pt(12) if small else None, bold="alert-head" in cls)
        elif tag == "table":
            self.table(el)
        elif tag == "figure":
            self.figure(el)
        elif tag == "dl":
            pairs = [(_text(dt), dd) for dt, dd in zip(el.iter("dt"), el.iter("dd"), strict=False)]
            grid = self._new_table(len(pairs), 2)
            for row, (label, dd) in zip(grid.rows, pairs, strict=True):
                self._cell(row.cells[0], None, label)
                self._cell(row.cells[1], dd, None, align=WD_ALIGN_PARAGRAPH.RIGHT)
        elif "cards" in cls:
            para = self.paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            items = []
            for card in el:
                label = card.find_class("label")
                value = card.find_class("value")
                unit = card.find_class("unit")
                items.append((_text(label[0]) if label else "", value[0] if value else None, _text(unit[0]) if unit else ""))
            for i, (label, value, unit) in enumerate(items):
                if i:
                    para.add_run("　")
                para.add_run(f"{label}：").font.bold = True
                if value is not None:
                    self.runs(para, value)
                if unit:
                    para.add_run(unit)
        elif "signature" in cls:
            self.paragraph()
            for child in el:
                self.block(child)
        else:
            if "attachment" in cls:
                para = self.paragraph()
                para.add_run().add_break(WD_BREAK.PAGE)
            for child in el:
                self.block(child)

    def _new_table(self, rows: int, cols: int) -> Any:
        table = self.doc.add_table(rows=rows, cols=cols)
        table.style = self.doc.styles["Table Grid"] if "Table Grid" in [s.name for s in self.doc.styles] else None
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl_pr = table._tbl.tblPr
        width = tbl_pr.find(qn("w:tblW"))
        if width is None:
            width = OxmlElement("w:tblW")
            tbl_pr.append(width)
        width.set(qn("w:type"), "pct")
        width.set(qn("w:w"), "5000")  # the full text width
        if self.anchor is not None:
            self.anchor._p.addprevious(table._tbl)
        return table

    def _widths(self, table: Any, el: Any, spans: list[tuple[int, int, int, int, Any]], header_rows: int) -> None:
        """Set the column widths (before any cell is merged): see :func:`_column_shares`."""
        section = self.doc.sections[-1]
        text_width = section.page_width - section.left_margin - section.right_margin
        room = int(text_width / (TABLE_SIZE / 2))
        shares = _column_shares(el, spans, len(table.columns), header_rows, room)
        widths = [int(text_width * share / sum(shares)) for share in shares]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width

    def _cell(self, cell: Any, el: Any | None, text: str | None, *, bold: bool = False, align: Any = None) -> None:
        para = cell.paragraphs[0]
        para.paragraph_format.first_line_indent = Pt(0)
        para.paragraph_format.line_spacing = 1.15
        if align is not None:
            para.alignment = align
        if el is not None:
            self.runs(para, el, size=TABLE_SIZE, bold=bold)
        elif text:
            r = para.add_run(text)
            r.font.size = TABLE_SIZE
            r.font.bold = bold

    def table(self, el: Any) -> None:
        caption = el.find("caption")
        if caption is not None and _text(caption):
            para = self.paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            para.paragraph_format.keep_with_next = True
            self.runs(para, caption, size=Pt(12), font="黑体")
        rows = [tr for tr in el.iter("tr")]
        header_rows = [tr for tr in rows if tr.getparent().tag == "thead"]
        # lay the cells out on a grid, honouring rowspan/colspan
        grid: dict[tuple[int, int], Any] = {}
        spans: list[tuple[int, int, int, int, Any]] = []
        width = 0
        for r, tr in enumerate(rows):
            c = 0
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
                for i in range(rs):
                    for j in range(cs):
                        grid[(r + i, c + j)] = td
                spans.append((r, c, rs, cs, td))
                c += cs
            width = max(width, c)
        table = self._new_table(len(rows), max(width, 1))
        self._widths(table, el, spans, len(header_rows))
        for r, c, rs, cs, td in spans:
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(min(r + rs, len(rows)) - 1, min(c + cs, width) - 1))
            numeric = "num" in (td.get("class") or "")
            self._cell(cell, td, None, bold=td.tag == "th" and r < len(header_rows),
                       align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else None)
        for r in range(len(header_rows)):  # the header row repeats on every page
            tr_pr = table.rows[r]._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)
        for row in table.rows:  # a row is not split across pages
            tr_pr = row._tr.get_or_add_trPr()
            cant = OxmlElement("w:cantSplit")
            cant.set(qn("w:val"), "true")
            tr_pr.append(cant)

    def figure(self, el: Any) -> None:
        img = el.find(".//img")
        if img is not None and (img.get("src") or "").startswith("data:image/png;base64,"):
            data = base64.b64decode(img.get("src").split(",", 1)[1])
            para = self.paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            para.paragraph_format.first_line_indent = Pt(0)
            para.paragraph_format.line_spacing = 1.0
            para.paragraph_format.keep_with_next = True
            para.add_run().add_picture(io.BytesIO(data), width=Mm(150))
        caption = el.find(".//figcaption")
        if caption is not None:
            para = self.paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.runs(para, caption, size=Pt(12))


def docx_bytes(document: Document, *, template: Path | str | None = None) -> bytes:
    """The .docx of a document (:func:`evalkit.report.document.report_document` or review)."""
    doc = new_document(str(template)) if template else new_document()
    anchor = None
    if template:
        anchor = next((p for p in doc.paragraphs if p.text.strip() == PLACEHOLDER), None)
        if anchor is None:  # no placeholder: the template's body gives way to the report
            body = doc.element.body
            for child in list(body):
                if child.tag != qn("w:sectPr"):
                    body.remove(child)
    _setup(doc, own_template=template is not None)
    props = doc.core_properties
    props.title = document.title
    props.author = document.unit
    props.subject = "预算绩效自评复核意见" if document.kind == "review" else "预算绩效自评报告"
    props.keywords = document.provenance.get("keywords", "")
    props.comments = "; ".join(f"{k}={v}" for k, v in document.provenance.items() if k != "keywords")
    root = lxml_html.fragment_fromstring(document.body, create_parent="div")
    writer = _Writer(doc, anchor)
    for el in root:
        writer.block(el)
    if anchor is not None:
        anchor._p.getparent().remove(anchor._p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

