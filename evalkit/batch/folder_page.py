"""The pages of ``audit-folder``: a summary (grade changes first) and a review page per unit-year.

Offline (no script, no remote resource), every text from the inputs escaped by Jinja's
autoescape. The review page gives the findings in plain Chinese, each with its recomputation,
the indicators as printed beside the recomputed figures, and the extraction note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit.inputs.yamlio import atomic_write_text

__all__ = ["order", "write_pages"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _env():  # noqa: ANN202
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def order(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows in the summary's sections: grade would change, errors, the rest, not readable."""
    sections: dict[str, list[dict[str, Any]]] = {"grade": [], "errors": [], "other": [], "failed": []}
    for row in rows:
        if row.get("status") == "无法读取":
            sections["failed"].append(row)
        elif row.get("grade_changes"):
            sections["grade"].append(row)
        elif row.get("errors") or row.get("status") == "无法评分":
            sections["errors"].append(row)
        else:
            sections["other"].append(row)
    return sections


def write_pages(out: Path, rows: list[dict[str, Any]]) -> None:
    env = _env()
    review = env.get_template("audit_folder_review.html.j2")
    for row in rows:
        page = row.get("_page") or {"findings": [], "indicators": [], "problem": row.get("problem")}
        atomic_write_text(out / row["review"], review.render(row=row, page=page))
    sections = order(rows)
    counts = {
        "files": len({r["file"] for r in rows}), "unit_years": sum(1 for r in rows if r.get("status") != "无法读取"),
        "grade": len(sections["grade"]), "errors": len(sections["errors"]), "failed": len(sections["failed"]),
    }
    atomic_write_text(out / "index.html", env.get_template("audit_folder_index.html.j2").render(sections=sections, counts=counts))
