"""What ``notebooks/explore.ipynb`` needs beyond the tables: which results to read (the project's
build, or a synthetic province made with ``evalkit synth``) and what the reader should know
before trusting a ranking (few unit-years, mixed evaluation kinds, failures).

>>> import pandas as pd
>>> df = pd.DataFrame({"year": [2023, 2024], "unit_id": ["a", "a"], "unit_name": ["甲", "甲"],
...                    "kind": ["department", "project"], "total": [90, 80], "status": ["built"] * 2})
>>> print(caveats(df, "a"))
只有 2 个单位年度（1 个单位）：排名、分布与“最常失分”只是示例，不足以得出结论。要看完整的探索，运行 make explore（合成的示例省份）。
单位“a”有部门整体评价（2023）与项目评价（2024）：两类评价的指标与分值不同，下文的历年情况只看部门整体评价（kind="project" 看另一类）。
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

import pandas as pd

from evalkit.labels import KIND_LABELS

__all__ = ["FEW", "Caveats", "caveats", "province_results", "synthetic_province"]

#: Below this many scored unit-years a ranking or distribution is only an illustration.
FEW = 30


class Caveats(list):
    """Notes for the reader: printed one a line, shown in JupyterLab as a highlighted list."""

    def __str__(self) -> str:
        return "\n".join(self)

    def __repr__(self) -> str:
        return str(self) or "（无需特别说明）"

    def _repr_html_(self) -> str:
        if not self:
            return '<p style="text-align:left">数据量足够，评价类型没有混在一起。</p>'
        items = "".join(f'<li style="text-align:left">{escape(note)}</li>' for note in self)
        return (
            '<div style="border-left:4px solid #a15c00;background-color:rgba(230,140,0,0.14);'
            f'padding:0.3em 0.8em;text-align:left"><b>阅读前请注意</b><ul style="margin:0.2em 0">{items}</ul></div>'
        )


def caveats(df: pd.DataFrame, unit_id: str = "") -> Caveats:
    """What to keep in mind before reading the tables: few unit-years; a unit (``unit_id``, or
    the default unit) with evaluations of both kinds; unit-years that could not be scored."""
    from evalkit.interactive.explore import default_kind, default_unit

    notes = Caveats()
    units = df.drop_duplicates(["year", "unit_id"])
    scored = units[units["total"].notna()]
    if len(scored) < FEW:
        notes.append(
            f"只有 {len(scored)} 个单位年度（{scored['unit_id'].nunique()} 个单位）：排名、分布与"
            "“最常失分”只是示例，不足以得出结论。要看完整的探索，运行 make explore（合成的示例省份）。"
        )
    if len(scored):
        unit_id = default_unit(df, unit_id)
        mine = scored[scored["unit_id"] == unit_id]
        kinds = {k: sorted(mine.loc[mine["kind"] == k, "year"].tolist()) for k in mine["kind"].dropna().unique()}
        if len(kinds) > 1:
            main = default_kind(df, unit_id)
            other = next(k for k in sorted(kinds) if k != main)
            parts = "与".join(
                f"{KIND_LABELS.get(k, k)}评价（{'、'.join(map(str, years))}）"
                for k, years in sorted(kinds.items(), key=lambda kv: kv[0] != "department")
            )
            notes.append(
                f"单位“{unit_id}”有{parts}：两类评价的指标与分值不同，下文的历年情况只看"
                f"{KIND_LABELS.get(main, main)}评价（kind=\"{other}\" 看另一类）。"
            )
    failed = int((units["total"].isna()).sum())
    if failed:
        notes.append(f"{failed} 个单位年度未能评分，不参加排名与分布（原因见 overview 与各记录的 error）。")
    return notes


def synthetic_province(
    units: int = 60, years: int = 3, seed: int = 7, out: str | Path | None = None
) -> Path:
    """A synthetic province for trying the notebook: ``units`` fictional units (名称含“示例”) of
    ``years`` years, written by ``evalkit synth``'s generator, scored and audited, with their
    result records and ``results.parquet``; no HTML reports. Returns the outputs folder
    (``<out>/outputs``; ``out`` defaults to a new temporary folder)."""
    from evalkit.audit import audit_unit_year
    from evalkit.errors import InputError
    from evalkit.inputs.params import discover, load_unit_year
    from evalkit.publish.records import read_records, unit_year_record, write_record, write_results
    from evalkit.synth import write_synthetic

    base = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="evalkit-province-"))
    params, outputs = base / "params", base / "outputs"
    write_synthetic(params, units, years, seed)
    for ref in discover(params):
        try:
            loaded = load_unit_year(ref)
        except InputError as exc:
            write_record(outputs, unit_year_record(ref, None, [], error=str(exc)))
            continue
        findings = audit_unit_year(loaded)
        try:
            evaluation = loaded.evaluate()
        except InputError as exc:
            write_record(outputs, unit_year_record(loaded, None, findings, error=str(exc)))
            continue
        write_record(outputs, unit_year_record(loaded, evaluation, findings, status="scored"))
    write_results(outputs, read_records(outputs))
    return outputs


def province_results(outputs_dir: str | Path | None = None, synthetic_units: int = 0, seed: int = 7) -> pd.DataFrame:
    """The results the notebook explores: the build in ``outputs_dir`` (default: the project's),
    or, with ``synthetic_units`` > 0, a synthetic province of that many units over three years."""
    from evalkit.interactive.api import results

    if synthetic_units > 0:
        return results(synthetic_province(synthetic_units, seed=seed))
    return results(outputs_dir or None)
