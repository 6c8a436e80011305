"""The report: narrative, charts and fonts, assembled by :class:`Report` for the notebook.

``narrative`` (the reference report's sentences from the figures) and ``charts`` (matplotlib
with an embedded CJK font from ``fonts``/``webfont``) are called by ``render``, which the report
notebook drives one section at a time; ``templates/`` and ``static/`` hold the HTML export.
"""

from __future__ import annotations

__all__ = ["Report"]


def __getattr__(name: str) -> object:
    # Lazy: ``evalkit.report.fonts`` must not pull in the whole renderer.
    if name == "Report":
        from evalkit.report.render import Report

        return Report
    raise AttributeError(f"module 'evalkit.report' has no attribute {name!r}")
