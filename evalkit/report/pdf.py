"""PDF from the document's HTML page, by WeasyPrint (CSS Paged Media).

The page's own print stylesheet (``static/report.css``, ``@media print`` and ``@page``) lays out
A4 with page numbers "— 1 —" at the foot, headings kept with what follows, table header rows
repeated on each page, and figures never split. The embedded font is the page's ``@font-face``
(a subset of Noto Sans CJK SC), so the PDF carries its glyphs and reads on any machine.

WeasyPrint was chosen over Typst (see docs/report.md for the measurements): it prints the same
HTML and CSS the browser shows, so the PDF cannot drift from the HTML; Typst would need a second
template of every section. WeasyPrint needs Pango, which the Debian base image has.

WeasyPrint's own log messages (unsupported CSS properties and the like) are kept out of the
output and never reach a document.
"""

from __future__ import annotations

import logging
import warnings

__all__ = ["pdf_bytes"]


def pdf_bytes(page: str, *, title: str | None = None) -> bytes:
    """The PDF of an HTML page (a :meth:`evalkit.report.document.Document.page`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a library deprecation must not reach a published page
        import weasyprint

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    document = weasyprint.HTML(string=page, base_url=None).render()
    if title:
        document.metadata.title = title
    return document.write_pdf() or b""
