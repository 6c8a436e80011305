"""``view.narrative()`` in JupyterLab: the report's sections with the report's own stylesheet.

A ``<style>`` in a notebook output would restyle the whole JupyterLab page (and is dropped in an
untrusted notebook), so the sections are shown in an ``<iframe srcdoc>`` holding a small page
with the report's stylesheet and embedded font: exactly as the HTML report shows them, isolated
from Lab's CSS. Untrusted, JupyterLab's sanitiser removes the frame and shows the ``<noscript>``
copy: the same sections, plain but readable.
"""

from __future__ import annotations

from html import escape

__all__ = ["Narrative"]


class Narrative:
    """Report sections for display; ``str(narrative)`` is the bare markup of the HTML report."""

    def __init__(self, markup: str, font_style: str = "", title: str = "") -> None:
        self.markup = markup
        self.font_style = font_style
        self.title = title

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"<报告正文 {escape(self.title)}：{len(self.markup)} 个字符>"

    def page(self) -> str:
        """A standalone page: the report's stylesheet, the font, the sections."""
        from evalkit.report.render import stylesheet

        return (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(self.title)}</title><style>{stylesheet()}</style>{self.font_style}"
            f'</head><body><main class="report">{self.markup}</main></body></html>'
        )

    def _repr_html_(self) -> str:
        resize = (
            "this.style.height=(this.contentWindow.document.documentElement.scrollHeight+24)+'px'"
        )
        return (
            f'<iframe srcdoc="{escape(self.page(), quote=True)}" title="{escape(self.title)}" '
            f'style="width:100%;max-width:62rem;height:40rem;border:1px solid rgba(128,128,128,0.4);'
            f'background-color:#ffffff" onload="{resize}"></iframe>'
            f'<noscript><div style="text-align:left">{self.markup}</div></noscript>'
        )
