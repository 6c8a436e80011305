"""The words readers see for evalkit's codes: one home for every label.

Kinds of evaluation, grades and finding severities are stored as short codes in params, records
and findings; every page, table and message that shows one to a reader takes its Chinese label
from here.

>>> KIND_LABELS["department"], KIND_TITLES["project"]
('部门整体', '项目支出')
>>> [GRADE_CSS[g] for g in GRADES]
['excellent', 'good', 'fair', 'poor']
>>> SEVERITY_LABELS["warning"]
'警告'
"""

from __future__ import annotations

__all__ = [
    "KIND_LABELS",
    "KIND_TITLES",
    "GRADES",
    "GRADE_ORDER",
    "GRADE_CSS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "NO_GRADE",
    "UNGRADED_LABELS",
]

#: Evaluation kinds as a short label (tables, filters) …
KIND_LABELS: dict[str, str] = {"department": "部门整体", "project": "项目"}
#: … and as the spending they evaluate (titles: 部门整体支出绩效自评报告).
KIND_TITLES: dict[str, str] = {"department": "部门整体支出", "project": "项目支出"}

#: Grades from best to worst (national standard: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below).
GRADES: tuple[str, ...] = ("优", "良", "中", "差")
#: Sort key: a better grade sorts higher.
GRADE_ORDER: dict[str, int] = {grade: len(GRADES) - i for i, grade in enumerate(GRADES)}
#: CSS class stem of each grade (report cards, index cells).
GRADE_CSS: dict[str, str] = dict(zip(GRADES, ("excellent", "good", "fair", "poor"), strict=True))

#: Finding severities, most serious first.
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}

#: The grade of an evaluation whose total is partial or cannot be computed (incomplete reports) …
NO_GRADE = "无法评定"
#: … and what results tables and the index say instead of a grade, by ``Evaluation.total_status``.
UNGRADED_LABELS: dict[str, str] = {"partial": "部分得分", "not_computable": "无法计算"}

