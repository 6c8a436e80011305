"""Two documents per unit-year, in up to three formats, from one source.

* the **self-evaluation report** (自评报告): the notebook's sections, in the unit's voice, ending
  with the signature block and the 自评表 — ``<year>/<unit>.html`` (written by the notebook run),
  ``<unit>.pdf``, ``<unit>.docx``;
* the **review opinion** (复核意见) for the finance bureau — ``<unit>.review.html``,
  ``<unit>.review.pdf``, ``<unit>.review.docx``.

Every format is made from the same HTML body (:func:`report_body`, :func:`review_body`): the PDF
by WeasyPrint with the print stylesheet, the Word document by :mod:`evalkit.report.docx`, which
reads that HTML. Provenance (evalkit version, rulebook, input fingerprint) goes into document
metadata: ``<meta>`` in HTML, the PDF's keywords, the .docx's core properties.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape

from evalkit import __version__
from evalkit.report.render import Report, build_time, stylesheet

__all__ = [
    "FORMATS",
    "REPORT_SECTIONS",
    "Document",
    "report_document",
    "review_document",
    "document_paths",
    "parse_formats",
    "write_documents",
    "documents_present",
    "write_job_documents",
    "DocumentError",
]

#: The formats ``evalkit build --format`` accepts.
FORMATS = ("html", "pdf", "docx")
#: The self-evaluation report's sections, in the notebook's order (a test checks the notebook).
REPORT_SECTIONS = ("summary", "profile", "spending", "performance", "conclusion", "problems", "measures",
                   "attachment", "colophon")
_TAGS = re.compile(r"<[^>]+>")
_DATA_URI = re.compile(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+")


@dataclass(frozen=True)
class Document:
    """One document: title, HTML body, provenance and which one it is (``report`` / ``review``)."""

    kind: str
    title: str
    body: str
    unit: str
    provenance: dict[str, str]

    def page(self, *, css_href: str | None = None) -> str:
        """The complete offline HTML page: stylesheet, embedded font, provenance in ``<meta>``."""
        from evalkit.report.webfont import font_face_css

        shown = html_lib.unescape(_TAGS.sub(" ", _DATA_URI.sub("", self.body + self.title)))
        style = f'<link rel="stylesheet" href="{escape(css_href)}">' if css_href else f"<style>\n{stylesheet()}\n</style>"
        meta = "".join(f'<meta name="{escape(k)}" content="{escape(v)}">\n' for k, v in self.provenance.items())
        return (
            '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="evalkit {escape(__version__)}">\n'
            f'<meta name="author" content="{escape(self.unit)}">\n{meta}'
            f"<title>{escape(self.title)}</title>\n{style}\n<style>{font_face_css(shown)}</style>\n</head>\n"
            f'<body class="doc-{self.kind}">\n<main class="report">\n{self.body}\n</main>\n</body>\n</html>\n'
        )


def _provenance(report: Report) -> dict[str, str]:
    rb = report.ev.rulebook
    keywords = f"预算绩效自评; 评分规则 {rb.title}（{rb.name}）; 输入数据指纹 SHA-256 {report.input_hash}; 生成时间 {build_time()}"
    return {"keywords": keywords, "evalkit-rulebook": rb.name, "evalkit-input-sha256": report.input_hash}


def report_document(report: Report) -> Document:
    """The self-evaluation report, from a fresh :class:`Report` (figure numbers start at 1)."""
    body = "\n".join(str(getattr(report, name)()) for name in REPORT_SECTIONS)
    return Document("report", report.title, body, report.ev.unit.name, _provenance(report))


def review_document(report: Report) -> Document:
    """The review opinion of the same unit-year."""
    from evalkit.report.review import Review

    review = Review(report)
    return Document("review", review.title, review.body(), report.ev.unit.name, _provenance(report))


def parse_formats(text: str | None) -> tuple[str, ...]:
    """``"html,pdf"`` → ``("html", "pdf")``; an unknown format is a one-line Chinese error."""
    from evalkit.errors import InputError

    wanted = tuple(dict.fromkeys(part.strip().lower() for part in (text or "html").split(",") if part.strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise InputError(f"未知的输出格式：{'、'.join(unknown) or '（空）'}；可用的有：{'、'.join(FORMATS)}", field="--format")
    return wanted


def document_paths(out_dir: Path, unit_id: str, year: int, formats: tuple[str, ...]) -> dict[str, Path]:
    """Where each document goes, by ``<kind>.<format>``; the report's HTML is the notebook's page.

    >>> sorted(document_paths(Path("out"), "u", 2023, ("html", "pdf")))
    ['report.html', 'report.pdf', 'review.html', 'review.pdf']
    """
    folder = Path(out_dir) / str(year)
    paths = {}
    for fmt in formats:
        paths[f"report.{fmt}"] = folder / f"{unit_id}.{fmt}"
        paths[f"review.{fmt}"] = folder / f"{unit_id}.review.{fmt}"
    return paths


def write_documents(
    params_dir: Path | str,
    unit_id: str,
    year: int,
    out_dir: Path | str,
    formats: tuple[str, ...] = ("html",),
    *,
    rulebook: str | None = None,
    css_href: str | None = None,
    report_html: bool = False,
    docx_template: Path | str | None = None,
    prepared: tuple[Any, Any, list[Any]] | None = None,
) -> list[Path]:
    """Write the review opinion (always, as HTML) and the PDF/Word versions of both documents.

    The report's own HTML is the notebook's page; ``report_html=True`` writes it here instead
    (a build without the notebook). ``prepared`` is ``(loaded, evaluation, findings)`` when the
    caller has them (a batch worker): the review opinion is then made without loading again.
    Each file goes through a temporary file renamed into place.
    """
    from evalkit.inputs.yamlio import atomic_write, atomic_write_text

    wanted = tuple(dict.fromkeys(("html", *formats)))
    paths = document_paths(Path(out_dir), unit_id, year, wanted)
    written = []
    for kind, make in (("report", report_document), ("review", review_document)):
        if kind == "report" and wanted == ("html",) and not report_html:
            continue  # the notebook wrote the report's page; its charts are not drawn twice
        if kind == "review" and prepared is not None:  # no history needed: no trend chart
            loaded, evaluation, findings = prepared
            report = Report(loaded=loaded, ev=evaluation, findings=list(findings))
        else:
            report = Report.load(params_dir, unit_id, year, rulebook)
        document = make(report)
        page = None
        for fmt in wanted:
            path = paths[f"{kind}.{fmt}"]
            path.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "html":
                if kind == "report" and not report_html:
                    continue
                atomic_write_text(path, document.page(css_href=css_href))
            elif fmt == "pdf":
                from evalkit.report.pdf import pdf_bytes

                page = page or document.page()
                with atomic_write(path, "wb") as handle:
                    handle.write(pdf_bytes(page, title=document.title))
            else:
                from evalkit.report.docx import docx_bytes

                with atomic_write(path, "wb") as handle:
                    handle.write(docx_bytes(document, template=docx_template))
            written.append(path)
    return written


def documents_present(out_dir: Path | str, unit_id: str, year: int, formats: tuple[str, ...]) -> bool:
    """Whether every document a build with ``formats`` writes is there (the report's HTML included)."""
    return all(path.is_file() for path in document_paths(Path(out_dir), unit_id, year, tuple(dict.fromkeys(("html", *formats)))).values())


class DocumentError(Exception):
    """A document could not be written (PDF or Word rendering, or the disk)."""


def write_job_documents(result: Any, job: Any, formats: tuple[str, ...], css_href: str | None,
                        prepared: tuple[Any, Any, list[Any]] | None = None) -> Any:
    """For a batch job whose report the notebook built: write the other documents, or fail the job.

    Returns ``result`` unchanged, or a copy marked failed with a one-line Chinese error. Only the
    errors document writing can raise are caught; a bug elsewhere still stops the build.
    """
    from dataclasses import replace

    from evalkit.errors import InputError

    try:
        write_documents(job.params_dir, job.unit_id, job.year, job.out_dir, formats,
                        rulebook=job.rulebook, css_href=css_href, prepared=prepared)
    except (InputError, OSError, ValueError, DocumentError) as exc:
        return replace(result, status="failed", error=f"复核意见或 PDF/Word 文件生成失败：{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    return result
