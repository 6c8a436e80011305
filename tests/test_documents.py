"""The two documents of a unit-year — self-evaluation report and review opinion — in HTML, PDF and
Word, read back the way a reader (or a bureau's filing system) would: pdfplumber for the PDF,
python-docx for the Word file. The reference unit is rendered once for the whole module."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from pdfminer.pdftypes import resolve1

from evalkit.cli import main as cli_main
from evalkit.report.document import REPORT_SECTIONS, parse_formats, review_document, write_documents
from evalkit.report.docx import BODY_FONT, PLACEHOLDER, docx_bytes
from evalkit.report.render import Report

from .conftest import PARAMS, ROOT

SECTION_HEADINGS = ["一、基本概况", "二、部门单位整体支出管理及使用情况", "三、部门单位整体支出绩效分析",
                    "四、评价结论", "五、存在的主要问题及原因分析", "六、改进措施和建议"]
SELF_EVAL_HEADS = ["三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
# What must never reach the unit's published report: audit codes, hashes, English, field names.
JARGON = [
    re.compile(r"\b[EWI]-[A-Z][A-Z-]+"),
    re.compile(r"[0-9a-f]{16,}"),
    re.compile(r"[A-Za-z]{3,}"),  # English words, rulebook ids (national-default), field names
    re.compile(r"\w+\[\d+\]|\w+\.\w+_\w+"),  # indicators[1], reported.total-style paths
    re.compile(r"SHA|UTC"),
]
A4 = (595.28, 841.89)
RIGHT_MARGIN_PT = 22 / 25.4 * 72  # report.css: @page margin-right 22mm


class _Text(HTMLParser):
    """The visible text of a page: no <style>, no attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script", "head")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script", "head")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("documents")
    paths = write_documents(PARAMS, "xinshi-rd", 2023, out, ("html", "pdf", "docx"), report_html=True)
    return {p.name: p for p in paths}


def _pdf_pages(path: Path) -> list[tuple[str, list[dict]]]:
    with pdfplumber.open(path) as pdf:
        return [(page.extract_text() or "", page.extract_words(), (page.width, page.height)) for page in pdf.pages]


def test_both_documents_in_three_formats(docs):
    assert sorted(docs) == sorted(f"xinshi-rd{kind}.{fmt}" for kind in ("", ".review") for fmt in ("html", "pdf", "docx"))
    for path in docs.values():
        assert path.stat().st_size > 5_000


@pytest.mark.parametrize("name", ["xinshi-rd.pdf", "xinshi-rd.review.pdf"])
def test_pdf_is_a4_with_page_numbers_and_nothing_past_the_margin(docs, name):
    pages = _pdf_pages(docs[name])
    assert len(pages) >= (8 if name == "xinshi-rd.pdf" else 2)
    for number, (text, words, size) in enumerate(pages, start=1):
        assert size == pytest.approx(A4, abs=0.5)
        assert f"— {number} —" in text, (number, text[-80:])
        limit = size[0] - RIGHT_MARGIN_PT + 1
        beyond = [w["text"] for w in words if w["x1"] > limit]
        assert beyond == [], (number, beyond)


def test_pdf_embeds_its_font(docs):
    with pdfplumber.open(docs["xinshi-rd.pdf"]) as pdf:
        fonts = {c["fontname"] for page in pdf.pages[:2] for c in page.chars}
        embedded = []
        for font in resolve1(pdf.pages[0].page_obj.resources["Font"]).values():
            font = resolve1(font)
            for descendant in resolve1(font.get("DescendantFonts", [font])):
                descriptor = resolve1(resolve1(descendant).get("FontDescriptor"))
                embedded.append(any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3")))
    assert fonts and all("+" in f for f in fonts), fonts  # subset-embedded (ABCDEF+name)
    assert embedded and all(embedded)


def test_reference_review_opinion_states_the_grade_dependence_on_page_one(docs):
    first = _pdf_pages(docs["xinshi-rd.review.pdf"])[0][0].replace(" ", "").replace("\n", "")
    assert "复核意见" in first
    assert "88.36分、等级为“良”，而非91.73分、“优”" in first
    assert "等级取决于报告未写明的调整指标值" in first


def test_review_lists_each_finding_with_its_consequence(docs):
    text = visible_text(docs["xinshi-rd.review.html"].read_text(encoding="utf-8"))
    assert "E-COMPLETION-MISMATCH" in text and "W-ADJUSTED-TARGET-UNSTATED" in text  # secondary column
    assert "不影响该指标得分" in text
    assert "影响等级：按报告所列指标值计，综合得分88.36分（良）" in text
    assert "““" not in text
    assert "复核发现3项：错误2项、警告1项，详见下表" in text  # no 提示0项


@pytest.mark.parametrize("name", ["xinshi-rd.html", "xinshi-rd.pdf", "xinshi-rd.docx"])
def test_publishable_report_has_no_codes_hashes_english_or_field_names(docs, name):
    path = docs[name]
    if name.endswith(".html"):
        text = visible_text(path.read_text(encoding="utf-8"))
    elif name.endswith(".pdf"):
        text = "\n".join(t for t, _, _ in _pdf_pages(path))
    else:
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        text += "\n".join(c.text for t in docx.Document(str(path)).tables for row in t.rows for c in row.cells)
    for pattern in JARGON:
        assert not pattern.search(text), (pattern.pattern, pattern.search(text).group(0))
    # the provenance is there, as metadata
    if name.endswith(".html"):
        assert 'name="evalkit-input-sha256"' in path.read_text(encoding="utf-8")


def test_every_differing_figure_has_its_mark_and_footnote(docs):
    notes = Report.load(PARAMS, "xinshi-rd", 2023).notes  # scored and audited; nothing drawn
    html = docs["xinshi-rd.html"].read_text(encoding="utf-8")
    assert len(notes) == 3
    footnotes = dict(re.findall(r'id="note-(\d+)">注\1：([^<]*)</p>', html))
    assert sorted(footnotes.values()) == sorted(note.text for note in notes.values())
    for number in footnotes:
        assert f'id="mark-{number}">注{number}</a>' in html
    # 职工代表满意度: shown recomputed, marked, the printed value in the footnote
    assert re.search(r"101\.17%<sup class=\"note-mark\"><a href=\"#note-\d\"", html)
    assert "原报告所列完成率为101.71%，按评分规则重新计算为101.17%（疑为数字颠倒）" in html
    pdf_text = "".join(t for t, _, _ in _pdf_pages(docs["xinshi-rd.pdf"])).replace("\n", "")
    assert "原报告所列完成率为101.71%" in pdf_text


def test_the_attachment_explains_its_own_marks_and_every_id_is_unique(docs):
    """The 自评表 is printed and published on its own: a mark in it (注1 on 预算经费's 指标值) points
    at a copy of its note under the table, not at the body's. No id is used twice."""
    html = docs["xinshi-rd.html"].read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    attachment = html[html.index("2023年度部门整体支出绩效自评表"):]
    marks = re.findall(r'<a href="#([^"]+)" id="[^"]+">注(\d+)</a>', attachment)
    assert marks and all(anchor == f"att-note-{n}" for anchor, n in marks), marks
    notes = dict(re.findall(r'<p id="att-note-(\d+)">注\1：([^<]*)</p>', attachment))
    assert sorted(notes) == sorted({n for _, n in marks})
    assert notes["1"] == "原报告所列指标值为≤304.1万元，评分按年中调整后的指标值≤425.3万元计算。"
    body = html[: html.index("2023年度部门整体支出绩效自评表")]
    assert '<p id="note-1">注1：原报告所列指标值为≤304.1万元' in body  # the body keeps its own
    text = "\n".join(p.text for p in docx.Document(str(docs["xinshi-rd.docx"])).paragraphs)
    assert text.count("注1：原报告所列指标值为≤304.1万元") == 2


def test_docx_holds_every_section_and_the_self_evaluation_table(docs):
    document = docx.Document(str(docs["xinshi-rd.docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for heading in SECTION_HEADINGS:
        assert heading in headings, heading
    assert "2023年度部门整体支出绩效自评表" in headings
    attachment = next(t for t in document.tables if t.rows[0].cells[0].text == "三级指标")
    assert [c.text for c in attachment.rows[0].cells] == SELF_EVAL_HEADS
    names = [row.cells[0].text for row in attachment.rows[1:]]
    assert "职工代表满意度" in names and names[-1] == "总分"
    assert attachment.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
    texts = [p.text for p in document.paragraphs]
    assert any(t.endswith("（盖章）") for t in texts) and any(t.startswith("日期：") for t in texts)
    # pictures: the charts
    assert len(document.inline_shapes) >= 5


def test_docx_follows_the_official_document_layout(docs):
    document = docx.Document(str(docs["xinshi-rd.docx"]))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT
    title = document.styles["Heading 1"]
    assert title.font.size.pt == 22 and title.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    with zipfile.ZipFile(docs["xinshi-rd.docx"]) as z:
        styles = z.read("word/styles.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
        settings = z.read("word/settings.xml").decode()
    assert "eastAsiaTheme" not in styles  # no theme font sends 汉字 to a Japanese face
    assert "PAGE" in footers and "— " in footers and " —" in footers
    assert "evenAndOddHeaders" in settings
    props = document.core_properties
    assert "national-default" in props.keywords and props.title.endswith("绩效自评报告")


def test_a_bureau_template_is_filled(docs, tmp_path):
    template = docx.Document()
    template.add_paragraph("某市财政局绩效评价报告专用纸")
    template.add_paragraph(PLACEHOLDER)
    template.add_paragraph("（本页以下为报告正文）")
    path = tmp_path / "bureau.docx"
    template.save(str(path))
    document = review_document(Report.load(PARAMS, "xinshi-rd", 2023))  # no charts: quick
    filled = docx.Document(io.BytesIO(docx_bytes(document, template=path)))
    texts = [p.text for p in filled.paragraphs]
    assert texts[0] == "某市财政局绩效评价报告专用纸"
    assert PLACEHOLDER not in texts
    assert texts[1] == "乌鲁木齐市新市区人民代表大会常务委员会2023年度部门整体支出绩效自评复核意见"
    assert texts[-1] == "（本页以下为报告正文）"
    assert filled.tables  # the findings and scores tables went in too


def test_notebook_runs_the_documents_sections():
    nb = json.loads((ROOT / "notebooks" / "report.ipynb").read_text(encoding="utf-8"))
    called = re.findall(r"report\.(\w+)\(\)", "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"))
    assert tuple(called) == REPORT_SECTIONS


def test_format_option(tmp_path, capsys):
    assert parse_formats("pdf, html,pdf") == ("pdf", "html")
    code = cli_main(["build", "--params", str(PARAMS), "--out", str(tmp_path), "--format", "html,odt"])
    assert code != 0
    assert "未知的输出格式：odt" in capsys.readouterr().err
    assert not (tmp_path / "index.html").exists()


def test_pdf_never_leaves_a_heading_at_the_foot_of_a_page(docs):
    html = docs["xinshi-rd.html"].read_text(encoding="utf-8")
    headings = {re.sub(r"\s+", "", h) for h in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html)}
    headings = {re.sub(r"<[^>]+>", "", h) for h in headings}
    pages = _pdf_pages(docs["xinshi-rd.pdf"])
    for number, (text, _, _) in enumerate(pages[:-1], start=1):
        lines = [line.replace(" ", "") for line in text.splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"—\d+—", line)]
        assert body and body[-1] not in headings, (number, body[-1])


_FIGURE = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")


def _count(figure: str, text: str) -> int:
    return len(re.findall(rf"(?<![\d.,]){re.escape(figure)}(?![\d%])", text))


@pytest.mark.parametrize("name", ["xinshi-rd", "xinshi-rd.review"])
def test_pdf_never_breaks_a_table_figure_across_lines(docs, name):
    """A table's figures stay whole on their line: not 91.7 over 3, nor 100 over % (a print style
    that let a cell break anywhere squeezed the number columns to a character or two)."""
    html = docs[f"{name}.html"].read_text(encoding="utf-8")
    cells = [re.sub(r"<sup.*?</sup>|<[^>]+>", "", c) for c in re.findall(r'<td[^>]*class="num"[^>]*>(.*?)</td>', html)]
    figures = {f for cell in cells for f in _FIGURE.findall(cell)}
    shown = visible_text(html)
    with pdfplumber.open(docs[f"{name}.pdf"]) as pdf:  # a bold figure is drawn twice: read it once
        lines = [line for page in pdf.pages for line in (page.dedupe_chars().extract_text() or "").splitlines()]
    # each figure shows at least as often whole on a line as the page has it (page numbers add some)
    broken = [f for f in sorted(figures) if sum(_count(f, line) for line in lines) < _count(f, shown)]
    assert figures and broken == [], broken


def test_review_pdf_breaks_a_finding_code_only_after_a_hyphen(docs):
    """E-COMPLETION-MISMATCH may go over two lines as E-COMPLETION- / MISMATCH, never as
    E-COMPLETIO / N-MISMATCH (the code column was too narrow for its longest part)."""
    codes = set(re.findall(r'<td class="code">([^<]+)</td>', docs["xinshi-rd.review.html"].read_text(encoding="utf-8")))
    with pdfplumber.open(docs["xinshi-rd.review.pdf"]) as pdf:
        lines = [line.strip() for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    parts = {part for code in codes for part in re.findall(r"[A-Z]+-?", code)}
    coded = [line for line in lines if re.fullmatch(r"[A-Z][A-Z-]*", line)]
    assert codes and coded, lines
    assert all(re.fullmatch(r"(?:[A-Z]+-)*[A-Z]+-?", line) and set(re.findall(r"[A-Z]+-?", line)) <= parts
               for line in coded), coded


def test_docx_keeps_the_full_width_spaces_left_for_the_date_and_between_fields(docs):
    """日期：　　　　年　　月　　日 leaves room to write the date by hand; HTML collapses only ASCII
    white space, and so does the Word file (it made 日期： 年 月 日, 委员会 金额单位)."""
    texts = [p.text for p in docx.Document(str(docs["xinshi-rd.docx"])).paragraphs]
    assert "日期：　　　　年　　月　　日" in texts
    assert "填报单位：乌鲁木齐市新市区人民代表大会常务委员会　　金额单位：万元" in texts


def _docx_table(path: Path, first_heading: str):
    return next(t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == first_heading)


def test_docx_tables_give_their_text_columns_the_room(docs):
    """Word tables were split into equal columns: the findings' 问题及重算 ran four characters a line
    (a row a page long) beside a 序号 column as wide. The page's column widths go to Word."""
    def widths(table):
        return {c.text: c.width for c in table.rows[0].cells}

    findings = widths(_docx_table(docs["xinshi-rd.review.docx"], "序号"))
    assert findings["问题及重算"] >= 3 * findings["序号"]
    assert findings["问题及重算"] >= 1.5 * findings["对得分和等级的影响"]
    assert findings["问题及重算"] == max(findings.values())
    attachment = widths(_docx_table(docs["xinshi-rd.docx"], "三级指标"))
    assert attachment["偏差原因分析及改进措施"] >= 4 * attachment["分值"]
    # a table without set widths: measured from its text
    projects = widths(_docx_table(docs["xinshi-rd.docx"], "项目"))
    assert projects["实现效益"] > 2 * projects["执行率"] and projects["项目"] > projects["执行率"]
    section = docx.Document(str(docs["xinshi-rd.docx"])).sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in (findings, attachment, projects):
        assert sum(table.values()) == pytest.approx(text_width, rel=0.01)


def _overlapping_glyphs(path: Path) -> list[tuple[int, str]]:
    """(page, the two characters) where a glyph is drawn over its neighbour on the same line."""
    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            lines: dict[int, list[dict]] = {}
            for char in page.dedupe_chars().chars:
                if char["text"].strip():
                    lines.setdefault(round(char["top"]), []).append(char)
            for chars in lines.values():
                chars.sort(key=lambda c: c["x0"])
                found += [(number, a["text"] + b["text"]) for a, b in pairwise(chars) if b["x0"] < a["x1"] - 1]
    return found


def test_pdf_never_draws_text_over_text(docs, tmp_path):
    """The 自评表's 一级/二级指标 cells did not wrap: 社会效益指标 and 可持续影响指标 ran over the
    三级指标 beside them (demo-edu 2024, a project with indicator levels)."""
    paths = write_documents(PARAMS, "demo-edu", 2024, tmp_path, ("pdf",))
    project = next(p for p in paths if p.name == "demo-edu.pdf")
    for path in (project, docs["xinshi-rd.pdf"], docs["xinshi-rd.review.pdf"]):
        assert _overlapping_glyphs(path) == [], path.name

