"""Published-style files made from known truth import to exactly the truth, or name what they could not read.

33+ files: every Excel form laid out as Word (merged cells, paragraphs around the table), HTML
(rowspan/colspan, GBK, layout tables) and PDF (reportlab, split across pages with repeated
headers); and reference-template narratives with a typist's variations as .txt, .docx and PDF.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from evalkit.errors import InputError
from evalkit.inputs.readers import detect, read_file
from evalkit.inputs.readers.importing import import_file
from tests import excel_builders as xb
from tests import published_builders as pb

LAYOUTS = sorted(xb.BUILDERS)
REPORT_BEFORE = ["一、基本情况", "本项目由某市人社局组织实施。", "附件：项目支出绩效自评表"]


@pytest.fixture(scope="module")
def forms():
    out = {}
    for name in LAYOUTS:
        f = pb.form(name)
        f.truth["_layout"] = name
        out[name] = f
    return out


def _check(path: Path, f: pb.Form) -> None:
    result = import_file(path)
    assert not result.errors, [str(e) for e in result.errors]
    assert not result.unread
    [sheet] = result.sheets
    got = {k: v for k, v in sheet.year_data.items() if k != "source"}
    want = {k: v for k, v in f.truth.items() if k not in ("source", "_layout")}
    assert got == want
    total, grade = xb.EXPECTED[f.truth["_layout"]]
    assert (sheet.total, sheet.grade) == (Decimal(total), grade)
    assert result.note  # the extraction note says what was read


@pytest.mark.parametrize("layout", LAYOUTS)
def test_word_form_with_merged_cells_and_paragraphs_around(tmp_path, forms, layout):
    f = forms[layout]
    path = pb.to_docx(f, tmp_path / f"{layout}.docx", before=REPORT_BEFORE, after=["填表人：张三", "联系电话：12345678"])
    assert f.spans  # the form has merged cells (gridSpan and vMerge in the document)
    _check(path, f)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_html_page_with_rowspan_and_colspan(tmp_path, forms, layout):
    _check(pb.to_html(forms[layout], tmp_path / f"{layout}.html", th=True), forms[layout])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_table_split_across_pages_with_repeated_header(tmp_path, forms, layout):
    f = forms[layout]
    path = pb.to_pdf(f, tmp_path / f"{layout}.pdf", row_height=48, before=REPORT_BEFORE)
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2  # the table really is split
        second = pdf.pages[1].extract_text()
        assert f.rows[0][0] in second  # and the first row is repeated on the next page
    _check(path, f)


@pytest.mark.parametrize("layout", ["national", "hubei"])
def test_pdf_running_header_and_page_numbers_do_not_cut_the_table(tmp_path, forms, layout):
    path = pb.to_pdf(forms[layout], tmp_path / f"{layout}.pdf", row_height=48, running=True)
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2 and "公开版" in pdf.pages[1].extract_text()
    _check(path, forms[layout])


def test_html_in_gbk_inside_a_layout_table(tmp_path, forms):
    path = pb.to_html(forms["national"], tmp_path / "gbk.htm", encoding="gbk", layout_table=True)
    assert "项目".encode("gbk") in path.read_bytes()
    _check(path, forms["national"])


def test_word_file_named_pdf_is_read_as_word(tmp_path, forms):
    path = pb.to_docx(forms["national"], tmp_path / "misnamed.pdf")
    assert detect(path).name == "docx"
    _check(path, forms["national"])


def test_word_document_with_two_forms_gives_two_unit_years(tmp_path, forms):
    other = pb.form("national", project="农村道路养护项目")
    path = pb.to_docx(forms["national"], tmp_path / "two.docx", forms=[other])
    result = import_file(path)
    assert [s.year_data["project"]["name"] for s in result.sheets] == ["职业技能培训项目", "农村道路养护项目"]


def test_sources_are_addressed_by_table_row_and_column(tmp_path, forms):
    docx_grid = read_file(pb.to_docx(forms["national"], tmp_path / "a.docx")).grids[0]
    pdf_grid = read_file(pb.to_pdf(forms["national"], tmp_path / "a.pdf", row_height=48)).grids[0]
    row, col = docx_grid.find(["培训人次"])
    table_row = next(i for i, r in enumerate(forms["national"].rows, start=1) if "培训人次" in r)
    assert docx_grid.location(row, col) == f"表1 第{table_row}行第4列"
    row, col = pdf_grid.find(["参训人员满意度"])
    assert pdf_grid.location(row, col).startswith("第2页 第")


# --------------------------------------------------------------------------- narratives

NARRATIVE_VARIANTS = [
    ({}, "txt"), ({"fullwidth": False}, "txt"), ({"heading": "xiang"}, "txt"), ({"drop_measures": True}, "txt"),
    ({"drop_midyear": 1}, "txt"), ({"wrap": None}, "txt"), ({}, "docx"), ({"fullwidth": False}, "docx"),
    ({"drop_midyear": 2}, "docx"), ({}, "pdf"), ({"heading": "xiang"}, "pdf"), ({"drop_measures": True}, "pdf"),
]


@pytest.mark.parametrize("seed", range(len(NARRATIVE_VARIANTS)))
def test_narrative_with_typist_variations(tmp_path, seed):
    variant, kind = NARRATIVE_VARIANTS[seed]
    text = pb.narrative_text(pb.NARRATIVE_TRUTH, seed=seed, **variant)
    path = tmp_path / f"report.{kind}"
    if kind == "txt":
        path.write_bytes(text.encode("gb18030" if seed % 2 else "utf-8"))
    elif kind == "docx":
        pb.narrative_docx(text, path)
    else:
        pb.narrative_pdf(text, path)
    result = import_file(path)
    [sheet] = result.sheets
    data = sheet.year_data
    expect = pb.narrative_expected(pb.NARRATIVE_TRUTH, **{k: v for k, v in variant.items() if k.startswith("drop")})
    assert data["indicators"] == expect
    assert data["budget"] == pb.NARRATIVE_TRUTH["budget"]
    assert data["reported"] == {
        "execution_rate": pb.NARRATIVE_TRUTH["execution_rate"], "execution_score": pb.NARRATIVE_TRUTH["execution_score"],
        "total": pb.NARRATIVE_TRUTH["total"], "grade": "优",
    }
    assert sheet.profile["name"] == "某县示例文化馆" and data["year"] == 2024
    # What was not printed is named, never filled in.
    if "drop_midyear" in variant:
        name = pb.NARRATIVE_TRUTH["indicators"][variant["drop_midyear"]]["name"]
        assert any(name in u and "年中监控值" in u for u in result.unread)
    else:
        assert not result.unread


# --------------------------------------------------------------------------- refused


def test_scanned_pdf_is_refused_in_one_line(tmp_path):
    with pytest.raises(InputError, match="没有文字层") as caught:
        import_file(pb.scanned_pdf(tmp_path / "scan.pdf"))
    assert "\n" not in str(caught.value) and "OCR" in str(caught.value)


def test_pdf_with_fonts_lacking_unicode_is_refused(tmp_path, forms):
    with pytest.raises(InputError, match="乱码"):
        import_file(pb.garbled_pdf(forms["national"], tmp_path / "cid.pdf"))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 100, "旧版 Word"),
        (b"{\\rtf1\\ansi hello}", "RTF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "图片"),
        (b"", "空的"),
    ],
)
def test_formats_not_read_say_what_to_do(tmp_path, content, message):
    path = tmp_path / "x.doc"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_file(path)


def test_a_text_without_any_evaluation_says_so(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("关于开展2024年度预算绩效自评工作的通知\n各单位：请于3月底前报送。\n", encoding="utf-8")
    result = import_file(path)
    assert not result.sheets and "没有找到自评表" in str(result.errors[0])


def test_a_garbled_cell_is_left_unread_and_named(tmp_path, forms):
    """One cell whose glyphs have no Unicode reads as nothing, named by page, row and column."""
    from evalkit.inputs.readers import base, pdf

    f = forms["national"]
    row = next(i for i, r in enumerate(f.rows) if "培训人次" in r)
    garbled = pb.Form(titles=f.titles, rows=[list(r) for r in f.rows], spans=f.spans, truth=f.truth)
    garbled.rows[row][5] = "(cid:3)(cid:7)"  # as pdfminer prints an unmapped glyph
    path = pb.to_pdf(garbled, tmp_path / "one.pdf")
    extraction = read_file(path)
    assert extraction.unreadable == [f"第1页 第{row + 1}行第6列"]
    grid = extraction.grids[0]
    r, c = grid.find(["培训人次"])
    assert grid.value(r, 6) is None  # never the garbage, never a guess
    assert isinstance(grid, base.SourceGrid) and pdf.is_garbled("(cid:3)")
    result = import_file(path)
    assert f"第1页 第{row + 1}行第6列" in result.unread
    [sheet] = result.sheets
    indicator = next(d for d in sheet.year_data["indicators"] if d["name"] == "培训人次")
    assert indicator["unknown"] == ["actual"] and "actual" not in indicator
    assert sheet.grade is None  # the total is a partial sum: not graded


def test_cli_import_reads_any_format_prints_the_note_and_fails_cleanly(tmp_path, forms, capsys):
    from evalkit.cli import main
    from evalkit.inputs.params import discover

    docx = pb.to_docx(forms["national"], tmp_path / "表.docx")
    scan = pb.scanned_pdf(tmp_path / "scan.pdf")
    assert main(["import", str(docx), "--out", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "提取：Word 文档" in out and "已导入" in out
    assert len(discover(tmp_path / "p")) == 1
    assert main(["import", str(scan), "--out", str(tmp_path / "p")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "没有文字层" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as caught:
        main(["import", "--help"])
    assert caught.value.code == 0


def test_provenance_names_the_source_cell_not_an_excel_address(tmp_path, forms):
    [sheet] = import_file(pb.to_docx(forms["national"], tmp_path / "a.docx")).sheets
    index = next(i for i, d in enumerate(sheet.year_data["indicators"]) if d["name"] == "培训人次")
    table_row = next(i for i, r in enumerate(forms["national"].rows, start=1) if "培训人次" in r)
    assert sheet.cells[f"indicators[{index}].actual"] == f"表1 第{table_row}行第6列"
    [pdf_sheet] = import_file(pb.to_pdf(forms["national"], tmp_path / "a.pdf", row_height=48)).sheets
    assert all(where.startswith("第") and "页" in where for where in pdf_sheet.cells.values())


def test_form_without_a_year_takes_the_year_of_the_documents_title(tmp_path):
    f = pb.form("national", year=None, truth_year=2023)
    assert not any("2023" in t for t in f.titles)
    before = ["某市职业技能培训中心2023年度项目支出绩效自评报告"] + [f"第{i}段正文。" for i in range(12)]
    result = import_file(pb.to_docx(f, tmp_path / "report.docx", before=before))
    [sheet] = result.sheets
    assert sheet.year == 2023 and any("按文档标题取 2023 年度" in n for n in result.note)
    assert {k: v for k, v in sheet.year_data.items() if k != "source"} == {k: v for k, v in f.truth.items() if k != "source"}
    no_title = import_file(pb.to_docx(f, tmp_path / "bare.docx"))
    assert not no_title.sheets and "找不到年度" in str(no_title.errors[0])
    # a file named for its year (附件2：2023年度项目支出绩效自评表.docx) gives it, and says so
    named = import_file(pb.to_docx(f, tmp_path / "附件2：2023年度项目支出绩效自评表.docx"))
    assert [s.year for s in named.sheets] == [2023] and any("按文件名取 2023 年度" in n for n in named.note)
    # a date is not a year of evaluation, nor are two years
    for name in ("自评表（2024年3月填报）.docx", "2022年度与2023年度自评表.docx"):
        assert not import_file(pb.to_docx(f, tmp_path / name)).sheets, name


def test_word_form_in_two_tables_is_one_form(tmp_path, forms):
    f = forms["national"]
    at = next(i for i, r in enumerate(f.rows) if r[0] == "年度总体目标")
    first, second = pb.split(f, at)
    path = pb.to_docx(first, tmp_path / "two-tables.docx", forms=[second], after=[""])
    _check(path, f)


@pytest.mark.parametrize("kind", ["docx", "html", "pdf"])
@pytest.mark.parametrize("layout", ["national", "hubei", "chongqing"])
def test_every_merged_range_reads_its_value_in_every_cell(tmp_path, forms, layout, kind):
    """vMerge/gridSpan, rowspan/colspan and PDF spans resolved as Excel does: each cell of a range
    holds the range's value and points at its top-left cell."""
    f = forms[layout]
    make = {"docx": pb.to_docx, "html": pb.to_html, "pdf": pb.to_pdf}[kind]
    grid = read_file(make(f, tmp_path / f"{layout}.{kind}")).grids[0]
    label = "表1" if kind != "pdf" else "第1页"
    at = {where: cell for cell, where in grid.locations.items()}
    checked = 0
    for top, left, bottom, right in f.spans:
        if not f.rows[top][left]:
            continue
        origin = at[f"{label} 第{top + 1}行第{left + 1}列"]
        for r in range(bottom - top + 1):
            for c in range(right - left + 1):
                cell = (origin[0] + r, origin[1] + c)
                assert grid.origin(*cell) == origin, (cell, f.rows[top][left])
                assert grid.value(*cell) == grid.value(*origin)
                checked += 1
    assert checked > len(f.spans)
