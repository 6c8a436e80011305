"""The report page's HTML exporter: nbconvert's, without its post-processing parse.

``HTMLExporter.from_notebook_node`` renders the template, then parses the whole page with
BeautifulSoup to add ``alt`` text to images that lack it and ``tabindex`` to the cells of a
``.jp-Notebook``, and serialises the page again: about a third of the conversion's time. evalkit's
template has neither (every chart carries its Chinese ``alt``; the page has no ``.jp-Notebook``),
so the parse would only re-serialise the same page. This exporter keeps everything else.
"""

from __future__ import annotations

from typing import Any

from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

__all__ = ["ReportExporter"]


class ReportExporter(HTMLExporter):
    """:class:`~nbconvert.HTMLExporter` minus the BeautifulSoup pass over the finished page."""

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, dict[str, Any]]:
        # The filters HTMLExporter registers before rendering, as it does.
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
