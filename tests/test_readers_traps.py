"""Published reports with the traps real ones have: each is read right, or refused naming its cell.

Found by feeding the readers report variants they had not seen (readers-hunt): figures broken by
a line break in a narrow column, ranges, one Word table split in two with its header repeated,
two units' forms in one document, a provincial 评分 column, wrapped numbers in narrow PDF cells.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from evalkit.inputs.readers.importing import import_file
from tests import published_builders as pb


@pytest.fixture(scope="module")
def national():
    return pb.form("national")


def _problems(result) -> list[tuple[str, str]]:
    """(cell, message) of every problem of every form that failed."""
    out = []
    for error in result.errors:
        for problem in getattr(error, "problems", [error]):
            out.append((getattr(problem, "cell", None), problem.message))
    return out


def _with(f: pb.Form, name: str, col: int, text: str) -> tuple[pb.Form, int]:
    """``f`` with the cell in column ``col`` (0-based) of indicator ``name``'s row replaced."""
    rows = [list(r) for r in f.rows]
    row = next(i for i, r in enumerate(rows) if name in r)
    rows[row][col] = text
    return pb.Form(titles=f.titles, rows=rows, spans=f.spans, truth=f.truth), row


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("≥500 0人次", "被空格或换行隔开"),  # 5000 wrapped in a narrow column, or two numbers
        ("≥50\n00人次", "被空格或换行隔开"),  # the line break itself, as a Word cell holds it
        ("450-500人次", "是一个范围"),
        ("450～500人次", "是一个范围"),
    ],
)
def test_a_target_holding_two_numbers_is_refused_naming_its_cell(tmp_path, national, text, says):
    """Before: ``≥500 0人次`` read as target 500 with the unit ``0人次``, ``450-500人次`` as ≥450
    (unit ``-500人次``), silently, beside a bare actual."""
    f, row = _with(national, "培训人次", 4, text)
    result = import_file(pb.to_docx(f, tmp_path / "t.docx"))
    assert not result.sheets
    [(cell, message)] = _problems(result)
    assert cell == f"表1 第{row + 1}行第5列" and says in message and "培训人次" in message


@pytest.mark.parametrize(("col", "text"), [(5, "48 0人次"), (6, "2 0"), (7, "19. 2")])
def test_an_actual_weight_or_score_broken_by_a_space_is_refused(tmp_path, national, col, text):
    f, row = _with(national, "培训人次", col, text)
    result = import_file(pb.to_html(f, tmp_path / "t.html"))
    assert not result.sheets
    assert any(cell == f"表1 第{row + 1}行第{col + 1}列" and "被空格或换行隔开" in message for cell, message in _problems(result))


def test_an_amount_broken_by_a_line_break_is_refused(tmp_path, national):
    rows = [list(r) for r in national.rows]
    row = next(i for i, r in enumerate(rows) if "年度资金总额" in r)
    rows[row][3] = "12\n0"
    f = pb.Form(titles=national.titles, rows=rows, spans=national.spans, truth=national.truth)
    result = import_file(pb.to_docx(f, tmp_path / "t.docx"))
    assert not result.sheets
    assert any(cell == f"表1 第{row + 1}行第4列" and "全年预算数" in message for cell, message in _problems(result))


def test_two_units_forms_in_one_document_without_a_title_between_are_two_unit_years(tmp_path, national):
    """Before: the second form (another project, only “附件2” between the tables) was joined to the
    first as one grid, and its unit-year was dropped without a word."""
    other = pb.form("national", project="公共实训基地运维项目")
    other = pb.Form(titles=["附件2", "（2023年度）"], rows=other.rows, spans=other.spans, truth=other.truth)
    result = import_file(pb.to_docx(national, tmp_path / "two.docx", forms=[other]))
    assert not result.errors
    assert [s.sheet for s in result.sheets] == ["表1", "表2"]
    for sheet, f in zip(result.sheets, (national, other), strict=True):
        assert {k: v for k, v in sheet.year_data.items() if k != "source"} == {k: v for k, v in f.truth.items() if k != "source"}
    assert result.sheets[0].unit_id != result.sheets[1].unit_id


def _cut_with_header_repeated(f: pb.Form, at: int) -> tuple[pb.Form, pb.Form]:
    """``f`` as two tables cut before row ``at`` (inside the indicator block), the second starting
    with the indicator header again and its merged 一级/label cells left blank, as a Word table
    split by a page break is."""
    header = next(i for i, r in enumerate(f.rows) if "一级指标" in r)
    first = pb.Form(titles=f.titles, rows=f.rows[:at], spans=[(t, lft, min(b, at - 1), r) for t, lft, b, r in f.spans if t < at
                                                               and (t, lft) != (min(b, at - 1), r)], truth=f.truth)
    rows = [f.rows[header]] + f.rows[at:]
    spans = [(t - at + 1, lft, b - at + 1, r) for t, lft, b, r in f.spans if t >= at]
    return first, pb.Form(titles=[], rows=rows, spans=spans, truth=f.truth)


def test_a_word_table_split_in_two_with_its_header_repeated_is_one_form(tmp_path, national):
    """Before: the repeated header row was read as an indicator named “三级指标” (分值 “分值”)."""
    at = next(i for i, r in enumerate(national.rows) if "按时完成率" in r)
    first, second = _cut_with_header_repeated(national, at)
    assert second.rows[1][1] == ""  # the 一级指标 cell continues the merge above: blank here
    result = import_file(pb.to_docx(first, tmp_path / "split.docx", forms=[second]))
    assert not result.errors, [str(e) for e in result.errors]
    [sheet] = result.sheets
    assert {k: v for k, v in sheet.year_data.items() if k != "source"} == {k: v for k, v in national.truth.items() if k != "source"}
    assert any("表2 第1行" in w and "重复了“绩效指标”表头" in w for w in sheet.warnings)


def test_a_provincial_header_权重_评分_reads_the_printed_scores(tmp_path, national):
    """Before: a 评分 column was not a score column: every printed indicator score was dropped
    without a word (the total row's 评分 was still read), so the audit could not check them."""
    rows = [list(r) for r in national.rows]
    header = next(i for i, r in enumerate(rows) if "一级指标" in r)
    rows[header] = [{"分值": "权重", "得分": "评分", "年度指标值": "指标值", "实际完成值": "全年实际值"}.get(c, c) for c in rows[header]]
    f = pb.Form(titles=national.titles, rows=rows, spans=national.spans, truth=national.truth)
    [sheet] = import_file(pb.to_docx(f, tmp_path / "t.docx")).sheets
    assert {k: v for k, v in sheet.year_data.items() if k != "source"} == {k: v for k, v in national.truth.items() if k != "source"}
    assert any("score" in d["reported"] for d in sheet.year_data["indicators"])


def _narrow_pdf(f: pb.Form, path, widths: list[float]):
    """A ruled PDF table with the given column widths: long figures wrap inside their cells."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = pb._cjk_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=11)
    data = [[Paragraph(v.replace("\n", "<br/>"), cell) if v else "" for v in row] for row in f.rows]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]
                              + [("SPAN", (lft, t), (r, b)) for t, lft, b, r in f.spans]))
    title = ParagraphStyle("t", fontName=font, fontSize=10, leading=14)
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=30, rightMargin=30).build(
        [Paragraph(t, title) for t in f.titles] + [table])
    return path


def test_amounts_wrapped_by_a_narrow_pdf_column_are_joined_two_numbers_are_not(tmp_path, national):
    """Before: 1,200,000.00 元 in a narrow column came out as “1,200,00 0.00” and the form was
    refused. A line the column filled and a piece that is no number alone are joined again; two
    whole numbers on two lines (12450 / 12000) stay two, and the cell is refused."""
    rows = [list(r) for r in national.rows]
    rows[2][0] = "项目资金（元）"
    funds = next(i for i, r in enumerate(rows) if "年度资金总额" in r)
    rows[funds][2:5] = ["1,000,000.00", "1,200,000.00", "1,140,000.00"]
    for r in range(funds + 1, funds + 4):
        rows[r][2:5] = [f"{Decimal(v) * 10000:,.2f}" for v in rows[r][2:5]]
    f = pb.Form(titles=national.titles, rows=rows, spans=national.spans, truth=national.truth)
    widths = [40, 60, 44, 44, 44, 30, 38, 38, 90]
    result = import_file(_narrow_pdf(f, tmp_path / "narrow.pdf", widths))
    assert not result.errors, [str(e) for e in result.errors]
    [sheet] = result.sheets
    budget = sheet.year_data["budget"]
    assert (budget["initial"], budget["final"], budget["actual"]) == (100, 120, 114)
    assert budget == national.truth["budget"]
    # not silently: the note names each joined cell, as wrapped and as read
    note = next(n for n in result.note if "因列宽折成两行" in n)
    assert "“1,200,00 / 0.00”→“1,200,000.00”" in note and "第1页 第" in note
    two, row = _with(national, "培训人次", 5, "12450\n12000")
    result = import_file(_narrow_pdf(two, tmp_path / "two.pdf", [40, 60, 40, 44, 44, 36, 38, 38, 90]))
    assert not result.sheets
    assert any("12450 12000" in message for _, message in _problems(result))


def test_what_a_page_hides_is_not_read_and_is_named(tmp_path, national):
    """A row or cell hidden by its inline style (a draft row an editor switched off) is not on the
    page, so it is not read: a hidden indicator row inside a merged 二级指标 group (the group's
    rowspan shrinks by it, as in a browser), a hidden cell that would shift its row, a hidden
    paragraph with another year. The note names each; the form reads as the page shows it."""
    page = pb.to_html(national, tmp_path / "shown.html").read_text(encoding="utf-8")
    rows = page.split("<tr>")
    group = next(i for i, row in enumerate(rows) if "产出指标" in row and "rowspan='" in row)
    span = int(rows[group].split("rowspan='")[1].split("'")[0])
    rows[group] = rows[group].replace(f"rowspan='{span}'", f"rowspan='{span + 1}'", 1)  # the groups count it
    outer = next(i for i, row in enumerate(rows) if "绩效指标</span>" in row and "rowspan='" in row)
    span = int(rows[outer].split("rowspan='")[1].split("'")[0])
    rows[outer] = rows[outer].replace(f"rowspan='{span}'", f"rowspan='{span + 1}'", 1)
    ghost = "<tr style='DISPLAY: none ;'><td>数量指标</td><td>隐藏指标</td><td>≥100</td><td>999</td><td>5</td><td>5</td></tr>"
    rows[group] += ghost + "\n"
    page = "<tr>".join(rows)
    first_cell = page.index("<td", page.index("培训人次") - 200)
    page = page[:first_cell] + "<td hidden>多余的格</td>" + page[first_cell:]
    page = page.replace("<body>", "<body><p style='visibility:hidden'>2019年度项目支出绩效自评表</p>", 1)
    path = tmp_path / "hidden.html"
    path.write_text(page, encoding="utf-8")
    result = import_file(path)
    assert not result.errors, [str(e) for e in result.errors]
    [sheet] = result.sheets
    assert {k: v for k, v in sheet.year_data.items() if k != "source"} == \
        {k: v for k, v in national.truth.items() if k != "source"}
    note = next(n for n in result.note if "隐藏" in n)
    assert "表1 第" in note and "格" in note and "“2019年度项目支出绩效自评表”" in note


def _two_forms_pdf(f: pb.Form, path, *, second_title: bool):
    """Two units' forms, one a page, each page starting with the same two title lines (so they are
    taken for a running header) unless ``second_title`` is False: then page 2 starts with its table."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    font = pb._cjk_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    title = ParagraphStyle("t", fontName=font, fontSize=10, leading=14)
    width = landscape(A4)[0] - 72
    second = [[v.replace("职业技能培训项目", "农村道路养护项目").replace("480", "530") for v in row] for row in f.rows]

    def table(rows):
        t = Table([[Paragraph(v, cell) if v else "" for v in row] for row in rows], colWidths=[width / f.width] * f.width)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]
                              + [("SPAN", (lft, top), (r, b)) for top, lft, b, r in f.spans]))
        return t

    story = [Paragraph(t, title) for t in f.titles] + [table(f.rows), PageBreak()]
    story += [Paragraph(t, title) for t in f.titles] if second_title else []
    story.append(table(second))
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=36, rightMargin=36, topMargin=36,
                      bottomMargin=36).build(story)
    return path


def test_two_units_forms_on_consecutive_pages_are_two_forms(tmp_path, national):
    """A department's PDF of its projects' forms, one a page, each under the same 项目支出绩效自评表
    /（2023年度）: those titles repeat at the top of every page, so they were dropped as a running
    header, the tables (same width, page 2 starting with a table) were joined into one, and the
    form was refused for want of a year. Without a title on page 2 the second unit's rows were
    dropped without a word. A table that repeats a row a form has once starts another form, and
    the running lines above a form are its title."""
    result = import_file(_two_forms_pdf(national, tmp_path / "two.pdf", second_title=True))
    assert not result.errors, [str(e) for e in result.errors]
    read = {s.year_data["project"]["name"]: s.year_data for s in result.sheets}
    assert sorted(read) == ["农村道路养护项目", "职业技能培训项目"]
    assert read["职业技能培训项目"]["indicators"][0]["actual"] == Decimal(480)
    assert read["农村道路养护项目"]["indicators"][0]["actual"] == Decimal(530)
    assert all(s.year_data["year"] == 2023 for s in result.sheets)
    untitled = import_file(_two_forms_pdf(national, tmp_path / "untitled.pdf", second_title=False))
    assert [s.year_data["project"]["name"] for s in untitled.sheets] == ["职业技能培训项目"]
    assert [cell for cell, message in _problems(untitled) if "找不到年度" in message] == ["第2页 第1行第1列"]


def test_a_total_merged_across_weight_and_score_is_not_guessed_and_is_named(tmp_path, national):
    """总分 | 98.7 in one cell spanning 分值 and 得分: the total weight or the total score? The total
    is not read, and a warning names the cell (it was left out without a word)."""
    rows = [list(r) for r in national.rows]
    last = len(rows) - 1
    weight_col = rows[last].index("100")
    rows[last][weight_col], rows[last][weight_col + 1] = "98.7", ""
    f = pb.Form(titles=national.titles, rows=rows, spans=[*national.spans, (last, weight_col, last, weight_col + 1)],
                truth=national.truth)
    result = import_file(pb.to_docx(f, tmp_path / "merged.docx"))
    [sheet] = result.sheets
    assert "total" not in sheet.year_data.get("reported", {})
    assert any("两栏合并为一格（“98.7”）" in w and f"第{last + 1}行" in w for w in sheet.warnings), sheet.warnings
