"""The site index: ``outputs/index.html``, one offline page listing every unit-year and its report.

The page is rendered from the sidecar records (:mod:`evalkit.publish.records`) with
``templates/index.html.j2`` in the reports' own style (:func:`evalkit.report.stylesheet`, inlined).
It loads nothing from the network: no CDN, no web font, no external script. A small inline script
sorts the table when a column header is clicked and filters it by year, grade, kind and a unit
text box by toggling ``row.hidden``; with scripts off the page is the same complete table, which
is why the filter form starts hidden. Every text from a record goes through Jinja's autoescape.

Links are relative (``2023/xinshi-rd.html``), so the outputs folder can be copied, zipped or
opened from a file share. A record's report path is linked only when it is a plain relative path
inside the outputs folder and the file is there; a failed unit-year shows its error instead.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp())
>>> record = {"schema": 1, "unit_id": "demo", "year": 2023, "status": "failed", "error": "权重合计不是 100"}
>>> page = write_index(out, [record]).read_text(encoding="utf-8")
>>> "权重合计不是 100" in page and 'lang="zh"' in page
True
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import jinja2
from markupsafe import Markup

from evalkit import __version__
from evalkit.core.figures import fmt, fmt_pct
from evalkit.inputs.yamlio import atomic_write_text
from evalkit.labels import UNGRADED_LABELS
from evalkit.report.render import build_time, stylesheet, template_dir

__all__ = [
    "INDEX_FILE",
    "KIND_LABELS",
    "GRADE_CARDS",
    "IndexRow",
    "report_href",
    "index_rows",
    "render_index",
    "write_index",
]

INDEX_FILE = "index.html"
TITLE = "预算绩效自评报告目录"
KIND_LABELS = {"department": "部门整体", "project": "项目"}
STATUS_LABELS = {"built": "已生成", "failed": "失败", "skipped": "未变更"}
#: The cards at the top, in order: key (a grade, or ``failed``), label and CSS class.
GRADE_CARDS = (
    ("优", "优", "grade-excellent"),
    ("良", "良", "grade-good"),
    ("中", "中", "grade-fair"),
    ("差", "差", "grade-poor"),
    (UNGRADED_LABELS["partial"], UNGRADED_LABELS["partial"], "grade-partial"),
    (UNGRADED_LABELS["not_computable"], UNGRADED_LABELS["not_computable"], "grade-none"),
    ("failed", "失败", "failed"),
)
#: Cards shown only when some unit-year has them (incomplete reports: not graded).
_OPTIONAL_CARDS = set(UNGRADED_LABELS.values())
_GRADE_ORDER = {"优": 4, "良": 3, "中": 2, "差": 1}
_GRADE_CELL = {"优": "g-excellent", "良": "g-good", "中": "g-fair", "差": "g-poor"}
_ERROR_CHARS = 400


@dataclass(frozen=True)
class IndexRow:
    """One row of the index, every cell already written as text."""

    unit_id: str
    year: int
    name: str
    kind: str
    kind_label: str
    total: str
    total_sort: str
    grade: str
    grade_key: str
    grade_cls: str
    grade_sort: int
    rate: str
    rate_sort: str
    findings: str
    findings_sort: int
    status: str
    error: str | None
    href: str | None
    failed: bool
    search: str
    documents: tuple[tuple[str, str], ...] = ()  # (label, href) of every other document and format


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def report_href(out_dir: Path, html: Any) -> str | None:
    """The link to a record's report: its relative path, if it stays inside ``out_dir`` and exists.

    >>> report_href(Path("."), "https://example.com/x.html") is None
    True
    >>> report_href(Path("."), "../secret.html") is None
    True
    """
    if not isinstance(html, str) or not html or "\\" in html:
        return None
    parts = urlsplit(html)
    if parts.scheme or parts.netloc or parts.query or parts.fragment:
        return None
    path = posixpath.normpath(parts.path)
    if path.startswith(("/", "..")) or path == "." or not path.endswith(".html"):
        return None
    if not (out_dir / path).is_file():
        return None
    return quote(path, safe="/")


#: The documents beside a report, by file suffix (the report is ``<unit>.html``), and their labels.
DOCUMENT_LINKS = (
    (".pdf", "报告 PDF"),
    (".docx", "报告 Word"),
    (".review.html", "复核意见"),
    (".review.pdf", "复核 PDF"),
    (".review.docx", "复核 Word"),
)


def document_links(out_dir: Path, href: str | None) -> tuple[tuple[str, str], ...]:
    """Links to the documents written beside the report at ``href`` (those that exist)."""
    if not href or not href.endswith(".html"):
        return ()
    stem = unquote(href[: -len(".html")])  # href is a checked relative path inside out_dir
    links = []
    for suffix, label in DOCUMENT_LINKS:
        if (out_dir / (stem + suffix)).is_file():
            links.append((label, quote(stem + suffix, safe="/")))
    return tuple(links)


def _first_lines(text: str) -> str:
    text = " ".join(line.strip() for line in str(text).splitlines() if line.strip())
    return text if len(text) <= _ERROR_CHARS else text[: _ERROR_CHARS - 1] + "…"


def _row(out_dir: Path, record: Mapping[str, Any]) -> IndexRow:
    unit_id = str(record.get("unit_id") or "")
    year = int(record.get("year") or 0)
    status = str(record.get("status") or "failed")
    failed = status == "failed"
    grade = record.get("grade") or ""
    total = _decimal(record.get("total"))
    rate = _decimal(record.get("execution_rate"))
    counts = record.get("findings") or {}
    errors, warnings = int(counts.get("error", 0) or 0), int(counts.get("warning", 0) or 0)
    kind = str(record.get("kind") or "")
    name = str(record.get("unit_name") or unit_id)
    href = None if failed else report_href(out_dir, record.get("html"))
    error = record.get("error")
    if not failed and href is None:
        error = error or "报告文件不存在"
    return IndexRow(
        unit_id=unit_id,
        year=year,
        name=name,
        kind=kind,
        kind_label=KIND_LABELS.get(kind, kind or "—"),
        # Figures are written as the report writes them; six places never re-rounds a stored one.
        total=fmt(total, 6),
        total_sort="" if total is None else f"{total:f}",
        grade=grade or "—",
        grade_key="failed" if failed else grade,
        grade_cls=_GRADE_CELL.get(grade, ""),
        grade_sort=_GRADE_ORDER.get(grade, 0),
        rate=fmt_pct(rate, 6),
        rate_sort="" if rate is None else f"{rate:f}",
        findings=f"{errors} / {warnings}",
        findings_sort=errors * 100000 + warnings,
        status=STATUS_LABELS.get(status, status),
        error=_first_lines(error) if error else None,
        href=href,
        failed=failed,
        search=f"{name} {unit_id}".lower(),
        documents=document_links(out_dir, href),
    )


def index_rows(out_dir: Path | str, records: Iterable[Mapping[str, Any]]) -> list[IndexRow]:
    """The rows of the index, latest year first, then by unit id."""
    rows = [_row(Path(out_dir), record) for record in records]
    rows.sort(key=lambda r: (-r.year, r.unit_id))
    return rows


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_index(out_dir: Path | str, records: Iterable[Mapping[str, Any]]) -> str:
    """The index page's HTML for ``records`` (report links checked against ``out_dir``)."""
    rows = index_rows(out_dir, records)
    counts = Counter(r.grade_key for r in rows)
    by_year: dict[int, Counter[str]] = {}
    for r in rows:
        by_year.setdefault(r.year, Counter())[r.grade_key] += 1
    cards = [
        {"key": key, "label": label, "cls": cls, "count": counts.get(key, 0)}
        for key, label, cls in GRADE_CARDS
        if key not in _OPTIONAL_CARDS or counts.get(key)
    ]
    kinds = sorted({r.kind for r in rows if r.kind}, key=lambda k: (k not in KIND_LABELS, k))
    template = _environment().get_template("index.html.j2")
    return template.render(
        title=TITLE,
        version=__version__,
        built_at=build_time(),
        css=Markup(stylesheet()),  # evalkit's own stylesheet, not input
        cards=cards,
        by_year=[
            (year, by_year[year], sum(by_year[year].values()))
            for year in sorted(by_year, reverse=True)
        ],
        years=sorted(by_year),
        kinds=[(k, KIND_LABELS.get(k, k)) for k in kinds],
        rows=rows,
        total=len(rows),
        units=len({r.unit_id for r in rows}),
        built=sum(1 for r in rows if r.href),
        failed=counts.get("failed", 0),
    )


def with_embedded_font(page: str) -> str:
    """The page with an ``@font-face`` for the glyphs it shows (readable without system CJK fonts)."""
    from evalkit.report.webfont import font_face_css

    body = page.split("<body", 1)[-1]
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", body, flags=re.S)))
    return page.replace("</head>", f"<style>{font_face_css(text)}</style>\n</head>", 1)


def write_index(out_dir: Path | str, records: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``<out_dir>/index.html`` (atomically) listing ``records``; return its path."""
    out_dir = Path(out_dir)
    path = out_dir / INDEX_FILE
    atomic_write_text(path, with_embedded_font(render_index(out_dir, records)))
    return path
