"""``evalkit audit-folder``: a folder of published files, audited in parallel and incrementally."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import pandas as pd
import pytest

from evalkit.batch.folder import audit_folder, neutralise
from evalkit.cli import main
from tests import published_builders as pb


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    planted = pb.published_folder(root / "in", 12, every=3)
    pb.scanned_pdf(root / "in" / "扫描件.pdf")
    national = pb.form("national", project="缺一格的项目")
    cell_row = next(i for i, r in enumerate(national.rows) if "培训人次" in r)
    national.rows[cell_row][5] = "(cid:3)(cid:7)"  # one cell pdfminer cannot map
    pb.to_pdf(national, root / "in" / "缺一格.pdf")
    truth = {**pb.NARRATIVE_TRUTH, "unit": "<b>示例</b>单位", "indicators": pb.NARRATIVE_TRUTH["indicators"]}
    (root / "in" / "=HYPERLINK(1).txt").write_text(pb.narrative_text(truth, seed=3), encoding="utf-8")
    summary = audit_folder(root / "in", root / "out", jobs=2)
    return root, planted, summary


def test_every_planted_error_is_listed_and_nothing_else(folder):
    root, planted, summary = folder
    assert set(planted.values()) == {"grade", "completion", "total"}
    by_file = {r["file"]: r for r in summary.rows}
    assert len(by_file) == 15
    for name, row in by_file.items():
        if name == "缺一格.pdf":
            assert row["status"] == "部分可算" and not row["complete"] and row["recomputed_grade"] is None
            assert "第6列" in row["unread"] and not row["grade_changes"]
        elif name == "扫描件.pdf":
            assert row["status"] == "无法读取" and "没有文字层" in row["problem"]
        elif name in planted:
            assert row["errors"] > 0, name
            assert row["grade_changes"] == (planted[name] == "grade"), name
        else:
            assert row["errors"] == 0 and not row["grade_changes"], (name, row)
            assert row["printed_total"] in ("99.41", "98.7") and row["complete"]


def test_summary_page_lists_grade_changes_first_then_errors_each_linking_its_review(folder):
    root, planted, _ = folder
    page = (root / "out" / "index.html").read_text(encoding="utf-8")
    grade_file = next(n for n, p in planted.items() if p == "grade")
    error_files = [n for n, p in planted.items() if p != "grade"]
    heading_grade, heading_errors, heading_rest = (page.index(h) for h in ("等级会改变的报告", "有错误的报告", "其余报告"))
    assert heading_grade < page.index(grade_file) < heading_errors
    for name in error_files:
        assert heading_errors < page.index(name) < heading_rest
    links = re.findall(r'href="(reviews/\d+\.html)"', page)
    assert len(links) == 15
    # Each unit-year that could be scored also links its review opinion document (复核意见).
    opinions = re.findall(r'href="(opinions/[^"]+\.review\.html)"', page)
    assert len(opinions) == 14  # all but the scanned file (the partial one too)
    opinion = (root / "out" / opinions[0]).read_text(encoding="utf-8")
    assert "复核意见" in opinion
    review = (root / "out" / links[0]).read_text(encoding="utf-8")
    assert "复核意见" in review and "提取说明" in review
    grade_review = next((root / "out" / link).read_text(encoding="utf-8") for link in links
                        if grade_file in (root / "out" / link).read_text(encoding="utf-8"))
    assert "等级应由“良”改为“优”" in grade_review and "重算" in grade_review
    assert "<script" not in page and "http" not in page  # offline


def test_text_from_the_files_is_escaped_and_csv_formulas_neutralised(folder):
    root, _, _ = folder
    page = (root / "out" / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;示例&lt;/b&gt;单位" in page and "<b>示例" not in page
    with open(root / "out" / "results.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(r["file"] == "'=HYPERLINK(1).txt" for r in rows)
    assert neutralise("-1") == "'-1" and neutralise("示例") == "示例"


def test_results_parquet_has_exact_figures(folder):
    root, _, _ = folder
    table = pd.read_parquet(root / "out" / "results.parquet")
    assert len(table) == 15
    read = table[table.status == "已复核"]
    assert {Decimal(str(v)) for v in read.recomputed_total} <= {Decimal("99.41"), Decimal("98.7")}
    assert set(table.columns) >= {"file", "unit", "year", "printed_total", "printed_grade", "recomputed_total",
                                  "recomputed_grade", "errors", "warnings", "complete"}


def test_an_unchanged_file_is_not_read_again(folder, tmp_path):
    root, _, first = folder
    assert first.read == 15
    again = audit_folder(root / "in", root / "out", jobs=1)
    assert (again.read, again.reused) == (0, 15)
    assert [r["file"] for r in again.rows] == [r["file"] for r in first.rows]
    changed = root / "in" / "000_自评报告.txt"
    changed.write_text(pb.narrative_text(pb._narrative_truth(0, "grade"), seed=0), encoding="utf-8")
    third = audit_folder(root / "in", root / "out", jobs=1)
    assert (third.read, third.reused) == (1, 14)
    assert next(r for r in third.rows if r["file"] == changed.name)["grade_changes"]


def test_cli_exit_codes_and_help(folder, tmp_path, capsys):
    root, _, _ = folder
    assert main(["audit-folder", str(root / "in"), "--out", str(tmp_path / "o"), "--jobs", "1"]) == 1
    out = capsys.readouterr().out
    assert "等级会改变：" in out and "无法读取：扫描件.pdf" in out
    with pytest.raises(SystemExit) as caught:
        main(["audit-folder", "--help"])
    assert caught.value.code == 0
    assert main(["audit-folder", str(tmp_path / "missing"), "--out", str(tmp_path / "o2")]) == 2


def test_an_output_folder_inside_the_input_folder_is_not_audited(tmp_path):
    (tmp_path / "a.txt").write_text(pb.narrative_text(pb.NARRATIVE_TRUTH, seed=1), encoding="utf-8")
    first = audit_folder(tmp_path, tmp_path / "结果", jobs=1)
    again = audit_folder(tmp_path, tmp_path / "结果", jobs=1)
    assert [r["file"] for r in first.rows] == [r["file"] for r in again.rows] == ["a.txt"]
    assert again.read == 0


def test_without_opinions_only_the_review_pages_are_written(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(pb.narrative_text(pb.NARRATIVE_TRUTH, seed=2), encoding="utf-8")
    summary = audit_folder(tmp_path / "in", tmp_path / "out", jobs=1, opinions=False)
    assert summary.rows[0]["opinion"] is None and not (tmp_path / "out" / "opinions").exists()
    assert 'href="reviews/1.html">复核意见' in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    again = audit_folder(tmp_path / "in", tmp_path / "out", jobs=1)  # now with opinions: read again
    assert again.read == 1 and again.rows[0]["opinion"].endswith(".review.html")
