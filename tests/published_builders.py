"""Builders for published-style files made from known truth: Word, PDF, HTML and narrative texts.

Tables: each form of :mod:`tests.excel_builders` (national, Sichuan, Hubei, Beijing, Chongqing,
Xianjie) is built in openpyxl, and its cells and merged ranges are laid out again as a Word table
(python-docx: gridSpan / vMerge), an HTML table (rowspan / colspan) and a PDF table (reportlab,
ruled, spans, split across pages with the header row repeated). The title rows become paragraphs
above the table, as published reports print them. The truth is what the Excel importer reads
from the same form (itself tested against the builders' values), so every value is known.

Narratives: :func:`narrative_text` writes the reference template's sentences from a truth dict
with a typist's variations (full-width or half-width punctuation, ≥/大于等于/不低于, hard line
breaks anywhere, 第X项 or （一）指标一 headings, a missing 改进措施, an unprinted 年中监控值).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from evalkit.inputs.excel.importer import read_sheet
from evalkit.inputs.excel.workbooks import grid_from_worksheet
from tests import excel_builders as xb

# --------------------------------------------------------------------------- forms


@dataclass
class Form:
    """A form as printed: title lines, a grid of cell texts and the merged ranges."""

    titles: list[str]
    rows: list[list[str]]
    spans: list[tuple[int, int, int, int]]  # (top, left, bottom, right), 0-based, inclusive
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max(len(r) for r in self.rows)


def form(layout: str, *, truth_year: int | None = None, **kwargs: Any) -> Form:
    """The form of ``layout`` (an excel_builders builder) and the truth read from it
    (``truth_year`` for a form that prints no year)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    xb.BUILDERS[layout](ws, **kwargs)
    grid = grid_from_worksheet(ws, file=f"{layout}.xlsx")
    truth = read_sheet(grid, year=truth_year).year_data
    width = grid.max_col
    text = {}
    for (r, c), _ in grid.values.items():
        if grid.origin(r, c) == (r, c):
            value = grid.printed(r, c)
            text[(r, c)] = f"{value}" if not isinstance(value, Decimal) else f"{value:f}"
    spans = [(m.min_row, m.min_col, min(m.max_row, grid.max_row), min(m.max_col, width)) for m in ws.merged_cells.ranges]
    # Leading rows holding one cell (a title, a year) are printed as paragraphs above the table.
    first = 1
    titles = []
    while first <= grid.max_row:
        cells = [c for c in range(1, width + 1) if (first, c) in text]
        if len(cells) == 1 and cells[0] == 1 and all(grid.origin(first, c) in ((first, 1), (first, c)) for c in range(1, width + 1)):
            titles.append(text[(first, 1)])
            first += 1
            continue
        break
    rows = [[text.get((r, c), "") for c in range(1, width + 1)] for r in range(first, grid.max_row + 1)]
    spans = [(t - first, lft - 1, b - first, rgt - 1) for t, lft, b, rgt in spans if t >= first and (t, lft) != (b, rgt)]
    return Form(titles=titles, rows=rows, spans=spans, truth=truth)


# --------------------------------------------------------------------------- Word


def to_docx(f: Form, path: Path, *, before: list[str] = (), after: list[str] = (), forms: list[Form] = ()) -> Path:
    """A Word document: ``before`` paragraphs, the titles, the table (merged cells), ``after``."""
    import docx

    document = docx.Document()
    for text in before:
        document.add_paragraph(text)
    for one in [f, *forms]:
        for title in one.titles:
            document.add_paragraph(title)
        table = document.add_table(rows=len(one.rows), cols=one.width)
        table.style = "Table Grid"
        for r, row in enumerate(one.rows):
            for c, value in enumerate(row):
                if value:
                    table.cell(r, c).text = value
        for top, left, bottom, right in one.spans:
            table.cell(top, left).merge(table.cell(bottom, right))
        for text in after:
            document.add_paragraph(text)
    document.save(path)
    return path


# --------------------------------------------------------------------------- HTML


def _html_table(f: Form, *, th: bool) -> str:
    covered = {}
    for top, left, bottom, right in f.spans:
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                covered[(r, c)] = (top, left)
    spans = {(t, lft): (b - t + 1, rgt - lft + 1) for t, lft, b, rgt in f.spans}
    out = ["<table border='1' cellspacing='0'>", "<tbody>"]
    for r, row in enumerate(f.rows):
        cells = []
        for c, value in enumerate(row):
            if covered.get((r, c), (r, c)) != (r, c):
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            attrs = (f" rowspan='{rowspan}'" if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
            tag = "th" if th and r == 0 else "td"
            shown = value.replace("&", "&amp;").replace("<", "&lt;")
            if len(shown) > 12:  # long texts wrap with <br> as editors paste them
                shown = shown[:12] + "<br/>\n" + shown[12:]
            cells.append(f"<{tag}{attrs}><span style='font-size:12px'>{shown or '&nbsp;'}</span></{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def to_html(f: Form, path: Path, *, encoding: str = "utf-8", layout_table: bool = False, th: bool = False,
            before: list[str] = ()) -> Path:
    """A published page: header, the titles as headings, the table; optionally GBK, in a layout table."""
    head = f"<html><head><meta http-equiv='Content-Type' content='text/html; charset={encoding}'><title>公开</title>" \
           "<script>var x = '<table>';</script><style>td{border:1px solid}</style></head><body>"
    parts = [head, "<div class='nav'>首页 &gt; 信息公开 &gt; 预算绩效</div>"]
    parts += [f"<p>{t}</p>" for t in before]
    parts += [f"<h2>{f.titles[0]}</h2>"] + [f"<p style='text-align:center'>{t}</p>" for t in f.titles[1:]]
    parts.append(_html_table(f, th=th))
    parts.append("<p>发布日期：2024-04-01</p></body></html>")
    page = "\n".join(parts)
    if layout_table:
        page = page.replace("<body>", "<body><table width='100%'><tr><td>").replace("</body>", "</td></tr></table></body>")
    path.write_bytes(page.encode("gb18030" if encoding.lower() in ("gbk", "gb2312", "gb18030") else encoding))
    return path


# --------------------------------------------------------------------------- PDF


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def to_pdf(f: Form, path: Path, *, row_height: float | None = None, repeat: int = 1, before: list[str] = (),
           running: bool = False) -> Path:
    """A ruled PDF table (reportlab); a ``row_height`` that overflows the page splits it across pages,
    the first ``repeat`` rows repeated on each page as published PDFs do. ``running`` adds a
    running header (the report's title) and a footer (``— 2 —``, ``第 2 页 共 3 页``) on each page."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _cjk_font()
    style = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    width = landscape(A4)[0] - 72
    data = [[Paragraph(v.replace("&", "&amp;").replace("<", "&lt;"), cell) if v else "" for v in row] for row in f.rows]
    heights = None if row_height is None else [row_height] * len(f.rows)
    table = Table(data, colWidths=[width / f.width] * f.width, rowHeights=heights, repeatRows=repeat)
    commands = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    commands += [("SPAN", (left, top), (right, bottom)) for top, left, bottom, right in f.spans]
    table.setStyle(TableStyle(commands))
    story = [Paragraph(t, style) for t in [*before, *f.titles]] + [table]
    def decorate(canvas, doc) -> None:  # noqa: ANN001
        if running:
            canvas.setFont(font, 9)
            canvas.drawString(36, landscape(A4)[1] - 24, "某市2023年度项目支出绩效自评报告（公开版）")
            canvas.drawCentredString(landscape(A4)[0] / 2, 14, f"— {doc.page} —")

    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36).build(
        story, onFirstPage=decorate, onLaterPages=decorate)
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF of one page holding only a picture (no text layer), as a scanner makes."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (200, 100), "white")
    pdf = canvas.Canvas(str(path))
    pdf.drawImage(ImageReader(image), 50, 600, width=200, height=100)
    pdf.showPage()
    pdf.save()
    return path


def garbled_pdf(f: Form, path: Path) -> Path:
    """A PDF whose CID font names an unknown character collection and has no ToUnicode map.

    pdfminer then gives ``(cid:3931)(cid:2850)…`` for every glyph: the symptom of the CID fonts
    without a Unicode map that Chinese PDF producers write.
    """
    to_pdf(f, path)
    data = path.read_bytes()
    assert b"/Ordering (GB1)" in data and b"/ToUnicode" not in data
    path.write_bytes(data.replace(b"/Ordering (GB1)", b"/Ordering (XX1)"))  # same length: offsets hold
    return path


# --------------------------------------------------------------------------- narratives

#: A department's year as the reference template prints it, and the truth for each value.
NARRATIVE_TRUTH: dict[str, Any] = {
    "unit": "某县示例文化馆",
    "year": 2024,
    "budget": {"initial": Decimal("250.5"), "adjustment": Decimal("30.2"), "final": Decimal("280.7"), "actual": Decimal("275.11")},
    "execution_rate": Decimal("98.01"),
    "execution_score": Decimal("9.8"),
    "indicators": [
        {"name": "开展公益演出场次", "op": ">=", "target": Decimal(20), "unit": "场", "midyear": Decimal(9),
         "actual": Decimal(22), "completion": Decimal("110"), "weight": Decimal(20), "score": Decimal(20),
         "reason": "群众需求旺盛，加演两场。", "measure": "合理制定下年度目标。"},
        {"name": "培训覆盖率", "op": ">=", "target": Decimal(95), "unit": "%", "midyear": Decimal(60),
         "actual": Decimal("93.5"), "completion": Decimal("98.42"), "weight": Decimal(25), "score": Decimal("24.61"),
         "reason": "部分学员因故未参训。", "measure": "增加线上培训。"},
        {"name": "运行成本", "op": "<=", "target": Decimal(80), "unit": "万元", "midyear": Decimal(35),
         "actual": Decimal("78.6"), "completion": Decimal("101.78"), "weight": Decimal(20), "score": Decimal(20),
         "reason": "偏差较小。", "measure": None},
        {"name": "群众满意度", "op": ">=", "target": Decimal(90), "unit": "%", "midyear": Decimal(90),
         "actual": Decimal(92), "completion": Decimal("102.22"), "weight": Decimal(25), "score": Decimal(25),
         "reason": None, "measure": None},
    ],
    "total": Decimal("99.41"),
    "grade": "优",
}

_NUMERALS = "一二三四五六七八九十"
_OP_WORDS = {">=": ["大于等于", "≥", "不低于"], "<=": ["小于等于", "≤", "不高于"], "=": ["等于", "="]}


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"


def narrative_text(truth: dict[str, Any], *, seed: int, fullwidth: bool = True, heading: str = "chinese",
                   drop_measures: bool = False, drop_midyear: int | None = None, wrap: int | None = 28) -> str:
    """The reference template's text for ``truth``, with the variations a typist makes."""
    rng = random.Random(seed)
    comma, colon = ("，", "：") if fullwidth else (",", ":")
    b = truth["budget"]
    parts = [
        f"{truth['unit']}{truth['year']}年度部门整体支出绩效自评报告",
        "一、基本概况",
        "(三)部门单位整体预算规模及安排情况",
        "1.年初预算安排情况",
        f"我单位年初预算数为 {_n(b['initial'])} 万元{comma}全部为本级财力。",
        "2.预算调整情况",
        f"我单位年初批复预算数 {_n(b['initial'])} 万元{comma}年中调整数 {_n(b['adjustment'])} 万元{comma}"
        f"调整后全年预算数 {_n(b['final'])} 万元。",
        "3.全年预算执行情况",
        f"全年预算数为 {_n(b['final'])} 万元{comma}全年实际支出资金 {_n(b['actual'])} 万元{comma}"
        f"预算执行率为 {_n(truth['execution_rate'])}%。",
        "三、部门单位整体支出绩效分析",
        f"我单位 {truth['year']} 年全年预算金额为 {_n(b['final'])} 万元{comma}执行金额为 {_n(b['actual'])}万元{comma}"
        f"执行率为 {_n(truth['execution_rate'])}%{comma}得 {_n(truth['execution_score'])}分。",
    ]
    for i, ind in enumerate(truth["indicators"]):
        parts.append(f"（{_NUMERALS[i]}）指标{_NUMERALS[i]}{colon}" if heading == "chinese" else f"第{_NUMERALS[i]}项")
        op = rng.choice(_OP_WORDS[ind["op"]])
        unit = ind["unit"]
        sentence = f"{ind['name']}{colon}该指标预期指标值为{op} {_n(ind['target'])}{unit}{comma}"
        if drop_midyear != i:
            sentence += f"年中监控实际完成值为 {_n(ind['midyear'])}{unit}{comma}"
        sentence += f"本次评价{ind['name']}为 {_n(ind['actual'])}{unit}{comma}该指标完成率为 {_n(ind['completion'])}%"
        if ind["reason"] and ind["measure"] and not drop_measures:
            sentence += f"{comma}偏差原因{colon}{ind['reason'][:-1]}{comma}改进措施{colon}{ind['measure']}"
        elif ind["reason"]:
            sentence += f"{comma}偏差原因{colon}{ind['reason']}"
        else:
            sentence += "。"
        sentence += f"该指标权重分值为 {_n(ind['weight'])}分{comma}自评得分 {_n(ind['score'])}分。"
        parts.append(sentence)
    parts += ["四、评价结论", f"{truth['year']}年度部门整体支出绩效自评综合得分 {_n(truth['total'])}分{comma}评价结果为“{truth['grade']}”。"]
    if fullwidth:
        parts = [p.translate(str.maketrans({"%": "％"})) for p in parts]
    if wrap is None:
        return "\n".join(parts) + "\n"
    lines = []
    for part in parts:
        # Hard breaks every ~wrap characters, anywhere (inside a number and its unit too), and blank lines.
        while len(part) > wrap:
            cut = wrap + rng.randint(-4, 4)
            lines.append(part[:cut])
            part = part[cut:]
            if rng.random() < 0.3:
                lines.append("")
        lines += [part, ""]
    return "\n".join(lines)


def narrative_expected(truth: dict[str, Any], *, drop_measures: bool = False, drop_midyear: int | None = None) -> list[dict[str, Any]]:
    """The indicators the parser must read from :func:`narrative_text` (unknown where not printed)."""
    out = []
    for i, ind in enumerate(truth["indicators"]):
        data: dict[str, Any] = {"name": ind["name"], "op": ind["op"], "target": ind["target"], "unit": ind["unit"]}
        if drop_midyear != i:
            data["midyear"] = ind["midyear"]
        data["actual"] = ind["actual"]
        data["weight"] = ind["weight"]
        if ind["reason"]:
            data["deviation_reason"] = ind["reason"]
        if ind["measure"] and ind["reason"] and not drop_measures:
            data["improvement"] = ind["measure"]
        data["reported"] = {"completion": ind["completion"], "score": ind["score"]}
        if drop_midyear == i:
            data["unknown"] = ["midyear"]
        out.append(data)
    return out


def narrative_docx(text: str, path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(path)
    return path


def narrative_pdf(text: str, path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    style = ParagraphStyle("body", fontName=_cjk_font(), fontSize=12, leading=18)
    paragraphs = [p.replace("\n", "") for p in text.split("\n\n") if p.strip()]
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(p, style) for p in paragraphs])
    return path


# --------------------------------------------------------------------------- a folder with planted errors


def _with_printed_total(f: Form, printed: str) -> Form:
    """The same form with its printed 总分 replaced (a mis-added total)."""
    rows = [list(r) for r in f.rows]
    truth_total = f"{f.truth['reported']['total']:f}"
    for r, row in enumerate(rows):
        if any(cell.startswith("总分") or cell.startswith("合计") for cell in row):
            for c, cell in enumerate(row):
                if cell == truth_total:
                    rows[r][c] = printed
    return Form(titles=f.titles, rows=rows, spans=f.spans, truth=f.truth)


def _narrative_truth(i: int, plant: str | None) -> dict[str, Any]:
    truth = {**NARRATIVE_TRUTH, "unit": f"示例县第{i:03d}文化馆", "indicators": [dict(x) for x in NARRATIVE_TRUTH["indicators"]]}
    if plant == "grade":  # printed 88.5 良 where the figures give 99.41 优
        truth.update(total=Decimal("88.5"), grade="良")
    elif plant == "completion":  # two digits swapped in a printed completion rate
        truth["indicators"][1]["completion"] = Decimal("98.24")
    return truth


def published_folder(folder: Path, count: int, *, every: int = 5) -> dict[str, str]:
    """``count`` published-style files in ``folder``, every ``every``-th with a planted error.

    Formats cycle through narrative .txt (UTF-8 and GBK), narrative .docx and PDF, and the Excel
    forms as Word, HTML and PDF tables. Returns {file name: planted error} for the planted ones:
    ``grade`` (printed grade and total wrong: the grade would change), ``completion`` (a printed
    completion rate with two digits swapped) or ``total`` (a mis-added printed total).
    """
    folder.mkdir(parents=True, exist_ok=True)
    planted: dict[str, str] = {}
    kinds = ("txt", "docx-narrative", "docx", "html", "pdf", "txt-gbk", "pdf-narrative")
    layouts = ("national", "sichuan", "beijing", "xianjie")
    narrative_plants = 0
    for i in range(count):
        kind = kinds[i % len(kinds)]
        narrative = kind.startswith("txt") or kind.endswith("narrative")
        plant = None
        if i % every == every - 1:
            plant = ("grade", "completion")[narrative_plants % 2] if narrative else "total"
            narrative_plants += narrative
        if narrative:
            text = narrative_text(_narrative_truth(i, plant), seed=i, fullwidth=bool(i % 2), heading=("chinese", "xiang")[i % 3 == 0])
            if kind.startswith("txt"):
                path = folder / f"{i:03d}_自评报告.txt"
                path.write_bytes(text.encode("gb18030" if kind == "txt-gbk" else "utf-8"))
            elif kind == "docx-narrative":
                path = narrative_docx(text, folder / f"{i:03d}_自评报告.docx")
            else:
                path = narrative_pdf(text, folder / f"{i:03d}_自评报告.pdf")
        else:
            layout = layouts[i % len(layouts)]
            f = form(layout) if layout != "national" else form(layout, project=f"示例项目{i:03d}")
            if plant:
                f = _with_printed_total(f, "96.7")
            path = folder / f"{i:03d}_{layout}.{kind}"
            if kind == "docx":
                to_docx(f, path)
            elif kind == "html":
                to_html(f, path)
            else:
                to_pdf(f, path, row_height=44)
        if plant:
            planted[path.name] = plant
    return planted


def split(f: Form, at: int) -> tuple[Form, Form]:
    """The form as two tables, the second starting at row ``at`` (0-based), as Word documents
    often carry the funds block and the indicator block in separate tables."""
    def part(rows: range, titles: list[str]) -> Form:
        spans = [(t - rows.start, lft, b - rows.start, r) for t, lft, b, r in f.spans if rows.start <= t and b < rows.stop]
        return Form(titles=titles, rows=[f.rows[i] for i in rows], spans=spans, truth=f.truth)

    assert not any(t < at <= b for t, _, b, _ in f.spans), "a merged range crosses the cut"
    return part(range(0, at), f.titles), part(range(at, len(f.rows)), [])
