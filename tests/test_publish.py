"""The site index: every unit-year listed, escaped, offline, relative links, usable with 10,000 rows."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from evalkit.inputs.params import discover, load_unit_year
from evalkit.publish.records import unit_year_record
from evalkit.publish.site import write_index

from .conftest import CHROMIUM_ARGS, PARAMS, chromium_or_skip

HOSTILE_NAME = "<script>alert(1)</script>示例单位"
HOSTILE_ERROR = "<img src=x onerror=alert(1)>参数错误"


class _Page(HTMLParser):
    """Tags with their attributes, the table's body rows as cell texts, and script contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[dict] = []
        self.scripts: list[str] = []
        self._in_body = self._in_script = False
        self._cell: list[str] | None = None
        self._html_attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "html":
            self._html_attrs = attrs
        if tag == "table" and attrs.get("id") == "listing":
            self._in_listing = True
        if tag == "tbody" and getattr(self, "_in_listing", False):
            self._in_body = True
        if self._in_body and tag == "tr":
            self.rows.append({"attrs": attrs, "cells": [], "links": []})
        if self._in_body and tag == "td":
            self._cell = []
        if self._in_body and tag == "a" and self.rows:
            self.rows[-1]["links"].append(attrs.get("href"))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
            self._in_listing = False
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell).strip())
            self._cell = None
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_script:
            self.scripts[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, list[dict]]:
    """An outputs folder: the sample unit-years with (stand-in) reports, a hostile unit whose
    report exists, a failed unit-year with a hostile error, and records whose report paths are
    missing, absolute or outside the folder."""
    out = tmp_path_factory.mktemp("outputs")
    records = []
    for ref in discover(PARAMS):
        loaded = load_unit_year(ref)
        html = f"{ref.year}/{ref.unit_id}.html"
        (out / str(ref.year)).mkdir(exist_ok=True)
        (out / html).write_text("<p>report</p>", encoding="utf-8")
        if ref.unit_id == "xinshi-rd":  # the other documents of a --format html,pdf,docx build
            for suffix in (".pdf", ".review.html", ".review.docx"):
                (out / str(ref.year) / f"{ref.unit_id}{suffix}").write_bytes(b"stand-in")
        records.append(unit_year_record(loaded, loaded.evaluate(), [], html=html))
    reference = next(r for r in records if r["unit_id"] == "xinshi-rd")
    (out / "2023" / "hostile.html").write_text("<p>report</p>", encoding="utf-8")
    records.append({**reference, "unit_id": "hostile", "unit_name": HOSTILE_NAME, "html": "2023/hostile.html",
                    "findings": {"error": 3, "warning": 1, "info": 0}})  # fmt: skip
    records.append({"schema": 1, "unit_id": "broken", "year": 2023, "key": "", "status": "failed",
                    "error": HOSTILE_ERROR, "html": None, "findings": {}, "indicators": []})  # fmt: skip
    for unit_id, html in (("missing", "2023/missing.html"), ("absolute", "https://example.com/a.html"),
                          ("escape", "../../outside.html"), ("rooted", "/etc/passwd.html")):  # fmt: skip
        records.append(
            {**reference, "unit_id": unit_id, "unit_name": f"示例{unit_id}", "html": html}
        )
    write_index(out, records)
    return out, records


def test_every_unit_year_is_a_row(site):
    out, records = site
    page = _parse(out / "index.html")
    assert len(page.rows) == len(records)
    listed = {(row["cells"][1], int(row["cells"][2])) for row in page.rows}
    assert listed == {(r["unit_id"], r["year"]) for r in records}
    reference = next(row for row in page.rows if row["cells"][1] == "xinshi-rd")
    assert reference["cells"] == [
        "乌鲁木齐市新市区人民代表大会常务委员会", "xinshi-rd", "2023", "部门整体", "91.73", "优", "99.43%", "0 / 0", "已生成",
        "报告 PDF · 复核意见 · 复核 Word",
    ]  # fmt: skip
    project = next(
        row for row in page.rows if row["cells"][1] == "demo-edu" and row["cells"][2] == "2024"
    )
    assert project["cells"][3] == "项目"
    assert [int(row["cells"][2]) for row in page.rows] == sorted(
        (int(row["cells"][2]) for row in page.rows), reverse=True
    )


def test_index_links_every_document_and_format_that_exists(site):
    out, _ = site
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ("2023/xinshi-rd.pdf", "2023/xinshi-rd.review.html", "2023/xinshi-rd.review.docx"):
        assert f'<a href="{href}">' in index
    assert "2023/xinshi-rd.docx" not in index and "2023/demo-edu.review.html" not in index  # not there


def test_failed_unit_years_show_their_error_and_no_link(site):
    out, _ = site
    page = _parse(out / "index.html")
    broken = next(row for row in page.rows if row["cells"][1] == "broken")
    assert broken["links"] == [] and broken["attrs"].get("class") == "failed"
    assert broken["attrs"]["data-grade"] == "failed"
    assert broken["cells"][-2] == "失败" + HOSTILE_ERROR and broken["cells"][-1] == ""


def test_hostile_text_is_escaped(site):
    out, _ = site
    text = (out / "index.html").read_text(encoding="utf-8")
    page = _parse(out / "index.html")
    assert "<script>alert(1)</script>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;示例单位" in text
    assert not [attrs for tag, attrs in page.tags if tag == "img" or "onerror" in attrs]
    hostile = next(row for row in page.rows if row["cells"][1] == "hostile")
    assert hostile["cells"][0] == HOSTILE_NAME  # shown as text, exactly
    assert hostile["attrs"]["data-unit"] == f"{HOSTILE_NAME} hostile".lower()
    assert hostile["cells"][7] == "3 / 1"
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert scripts == [{}] and "alert" not in page.scripts[0]  # one script: ours, inline


def test_nothing_is_loaded_from_the_network(site):
    out, _ = site
    text = (out / "index.html").read_text(encoding="utf-8")
    page = _parse(out / "index.html")
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http://", "https://", "//")), (tag, attrs)
    assert not [tag for tag, attrs in page.tags if tag == "link"]
    assert "@import" not in text and "url(http" not in text and "cdn" not in text.lower()
    assert page._html_attrs.get("lang") == "zh"
    assert any(tag == "meta" and attrs.get("charset") == "utf-8" for tag, attrs in page.tags)


def test_links_are_relative_and_point_at_existing_reports(site):
    out, _ = site
    page = _parse(out / "index.html")
    linked = {row["cells"][1]: row["links"] for row in page.rows}
    for row in page.rows:
        for href in row["links"]:
            assert not href.startswith(("/", "..")) and "://" not in href
            assert (out / href).is_file()
    assert linked["xinshi-rd"] == ["2023/xinshi-rd.html", "2023/xinshi-rd.pdf", "2023/xinshi-rd.review.html",
                                   "2023/xinshi-rd.review.docx"] and linked["hostile"] == [
        "2023/hostile.html"
    ]
    for unit_id in ("missing", "absolute", "escape", "rooted"):
        assert linked[unit_id] == [], unit_id
    missing = next(row for row in page.rows if row["cells"][1] == "missing")
    assert "报告文件不存在" in missing["cells"][-2]


def test_grade_counts_at_the_top(site):
    out, records = site
    page = _parse(out / "index.html")
    counts = {attrs["data-count"]: None for tag, attrs in page.tags if "data-count" in attrs}
    text = (out / "index.html").read_text(encoding="utf-8")
    for key in counts:
        start = text.index(f'data-count="{key}">') + len(f'data-count="{key}">')
        counts[key] = int(text[start : text.index("<", start)])
    expected = {"优": 0, "良": 0, "中": 0, "差": 0, "failed": 0}
    for record in records:
        expected["failed" if record["status"] == "failed" else record["grade"]] += 1
    assert counts == expected


def test_the_page_works_without_scripts_and_is_written_atomically(site):
    out, _ = site
    text = (out / "index.html").read_text(encoding="utf-8")
    # The filter form is hidden until the script shows it; every row is visible without it.
    assert '<form class="filters" id="filters" role="search" aria-label="筛选" hidden>' in text
    assert (
        "<tr hidden" not in text
        and " hidden>" not in text.split("<tbody>")[-1].split("</tbody>")[0]
    )
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_ten_thousand_unit_years(tmp_path):
    loaded = load_unit_year(discover(PARAMS, unit="xinshi-rd")[0])
    base = unit_year_record(loaded, loaded.evaluate(), [])
    records = [
        {**base, "unit_id": f"unit-{i:05d}", "year": 2014 + i % 10, "html": None, "status": "built",
         "grade": "优良中差"[i % 4], "total": f"{60 + i % 40}.{i % 100:02d}"}
        for i in range(10_000)
    ]  # fmt: skip
    path = write_index(tmp_path, records)  # its time is measured in benchmarks/, not asserted here
    size = path.stat().st_size
    assert size < 10_000 * 800, size  # a plain table: well under 1 KB a row
    page = _parse(path)
    assert len(page.rows) == 10_000


@pytest.mark.slow
def test_sorting_and_filtering_in_a_browser(site):
    from playwright.sync_api import sync_playwright

    out, records = site
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_or_skip(), args=CHROMIUM_ARGS
        )
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((out / "index.html").as_uri())
        visible = "() => [...document.querySelectorAll('#listing tbody tr')].filter(r => !r.hidden).length"
        assert page.is_visible("#filters")
        assert page.evaluate(visible) == len(records)

        page.select_option("#f-year", "2021")
        assert page.evaluate(visible) == 1
        assert page.inner_text("#shown") == f"显示 1 条，共 {len(records)} 条。"
        page.select_option("#f-year", "")
        page.select_option("#f-grade", "failed")
        assert page.evaluate(visible) == 1
        page.select_option("#f-grade", "")
        page.select_option("#f-kind", "project")
        assert page.evaluate(visible) == 1
        page.select_option("#f-kind", "")
        page.fill("#f-unit", "新市区")
        page.wait_for_function(f"({visible})() === 1")
        page.fill("#f-unit", "DEMO")
        page.wait_for_function(f"({visible})() === 4")
        assert page.inner_text("[data-count='优']") == "2"
        page.click("button[type=reset]")
        page.wait_for_function(f"({visible})() === {len(records)}")

        page.click("#listing thead th:nth-child(5) button")  # 综合得分, ascending
        totals = page.evaluate(
            "() => [...document.querySelectorAll('#listing tbody tr td:nth-child(5)')].map(c => c.dataset.v)"
        )
        numbers = [float(v) for v in totals if v]
        assert numbers == sorted(numbers) and totals[0] == ""  # no score sorts first
        assert page.get_attribute("#listing thead th:nth-child(5)", "aria-sort") == "ascending"
        page.click("#listing thead th:nth-child(5) button")
        first = page.evaluate(
            "() => document.querySelector('#listing tbody tr td:nth-child(5)').dataset.v"
        )
        assert float(first) == max(numbers)

        no_js = browser.new_context(offline=True, java_script_enabled=False).new_page()
        no_js.goto((out / "index.html").as_uri())
        assert not no_js.is_visible("#filters")
        assert no_js.locator("#listing tbody tr:visible").count() == len(records)
        browser.close()
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    assert dialogs == []


# A link to a document and a status stay on one line: with every format built, the listing
# squeezed them to 复 / 核 Word and 已生 / 成 at 1280 px.
_SPLIT = """() => [...document.querySelectorAll("td.docs a")].filter(a => a.getClientRects().length > 1)
    .map(a => a.textContent)
  .concat([...document.querySelectorAll("td.status")].filter(td => {
    const range = document.createRange(); range.selectNodeContents(td.firstChild);
    return range.getClientRects().length > 1;
  }).map(td => td.textContent))"""


@pytest.mark.slow
def test_links_and_statuses_keep_their_words_together(site, tmp_path):
    from playwright.sync_api import sync_playwright

    out, records = site
    for path in out.rglob("*.html"):  # the site again, every unit-year with all six documents
        if path.name != "index.html" and ".review" not in path.name:
            target = tmp_path / path.relative_to(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in (".html", ".pdf", ".docx", ".review.html", ".review.pdf", ".review.docx"):
                target.with_name(path.stem + suffix).write_bytes(b"stand-in")
    write_index(tmp_path, records)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        page = browser.new_context(offline=True).new_page()
        page.goto((tmp_path / "index.html").as_uri())
        split = {}
        for width in (1280, 1024, 390):
            page.set_viewport_size({"width": width, "height": 800})
            split[width] = page.evaluate(_SPLIT)
        browser.close()
    assert split == {1280: [], 1024: [], 390: []}

