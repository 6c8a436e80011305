"""Writing an imported sheet: unit.yaml and <year>.yaml, nothing overwritten without asking."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from evalkit.inputs.excel.assemble import SheetImport
from evalkit.inputs.excel.reader import WorkbookError
from evalkit.inputs.params import PROFILE_FILE, check_unit_id
from evalkit.inputs.yamlio import atomic_write_text, dump_yaml, load_yaml


@dataclass(frozen=True)
class WriteResult:
    """What writing one sheet did: the files written, those left as they were, and notes."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- writing


def _unshared(data: Any) -> Any:
    """A copy in which no Decimal object appears twice.

    PyYAML writes an object met twice as an anchor and alias (``&id001`` / ``*id001``); a
    printed target equal to the target would otherwise read that way in the params file.
    """
    if isinstance(data, dict):
        return {k: _unshared(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_unshared(v) for v in data]
    if isinstance(data, Decimal):
        return Decimal(str(data))
    return data


def _header_comment(result: SheetImport) -> str:
    return (
        f"# 由 evalkit import-xlsx 从 {Path(result.file).name} [{result.sheet}] 导入"
        f"（表格样式：{result.layout.name}）；金额单位：万元。\n"
        "# 表中所列得分、总分与等级记在 reported 中，供复核对照；评分以 evalkit 重算为准。\n"
    )


#: Year-file keys a sheet holds; the others (projects, key_work, staffing…) are kept on --overwrite.
_SHEET_KEYS = {
    "year", "kind", "rulebook", "source", "project", "budget", "execution_weight", "indicators",
    "blocks", "unknown", "evidence", "reported", "narrative",
}


def _keep_what_the_sheet_cannot_hold(old: Any, new: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """``new`` with the parts of ``old`` a sheet has no place for (merged), and what is lost.

    Kept: top-level keys a sheet cannot hold, and narrative texts other than the one the sheet
    gives. Lost (named, for the note): fields of the budget, the printed figures and each
    indicator (matched by name) that the old file had and the sheet does not.
    """
    if not isinstance(old, dict):
        return new, [], []
    merged = dict(new)
    kept = [k for k in old if k not in _SHEET_KEYS and k not in new]
    for key in kept:
        merged[key] = old[key]
    narrative = old.get("narrative")
    if isinstance(narrative, dict):
        extra = {k: v for k, v in narrative.items() if k not in new.get("narrative", {})}
        if extra:
            merged["narrative"] = {**extra, **new.get("narrative", {})}
            kept += [f"narrative.{k}" for k in extra]
    lost = []
    for key in ("budget", "reported", "project"):
        if isinstance(old.get(key), dict):
            lost += [f"{key}.{k}" for k in old[key] if k not in (new.get(key) or {})]
    new_by_name = {i.get("name"): i for i in new.get("indicators", []) if isinstance(i, dict)}
    for ind in old.get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        twin = new_by_name.get(ind.get("name"))
        if twin is None:
            lost.append(f"指标“{ind.get('name')}”")
        else:
            lost += [f"指标“{ind.get('name')}”的 {k}" for k in ind if k not in twin and k != "reported"]
    return merged, kept, lost


def write_import(
    result: SheetImport, out_dir: Path | str, *, overwrite: bool = False, dry_run: bool = False
) -> WriteResult:
    """Write ``<out>/<unit-id>/unit.yaml`` and ``<out>/<unit-id>/<year>.yaml``.

    Existing files are left alone unless ``overwrite``: a year file that differs, or a unit
    profile with another name (another unit under the same id), is an error; a profile that
    differs otherwise (主管部门) is kept, with a note. With ``overwrite`` an existing profile is
    updated and keeps its other fields (functions, staffing…). Both files are checked before
    either is written, and each is written atomically.
    """
    unit_dir = Path(out_dir) / check_unit_id(result.unit_id)
    profile_path = unit_dir / PROFILE_FILE
    year_path = unit_dir / f"{result.year}.yaml"
    year_data = _unshared(result.year_data)
    if Path(year_data["rulebook"]).is_absolute():  # a rulebook file given with --rulebook
        year_data["rulebook"] = os.path.relpath(year_data["rulebook"], unit_dir.resolve())
    year_text = _header_comment(result) + dump_yaml(year_data)

    def conflict(message: str) -> WorkbookError:
        return WorkbookError(message, file=result.file, sheet=result.sheet)

    notes: list[str] = []
    profile_text: str | None = "# 由 evalkit import-xlsx 导入\n" + dump_yaml(_unshared(result.profile))
    if profile_path.is_file():
        existing = load_yaml(profile_path).data
        existing = existing if isinstance(existing, dict) else {}
        differs = {k: v for k, v in result.profile.items() if existing.get(k) != v}
        fields = "、".join(f"{k}: “{existing.get(k)}” → “{v}”" for k, v in differs.items())
        if not differs:
            profile_text = None
        elif overwrite:
            profile_text = dump_yaml({**existing, **result.profile})
        elif "name" in differs:
            raise conflict(f"{profile_path} 已存在且内容不同（{fields}）；确认覆盖请加 --overwrite")
        else:
            profile_text = None
            notes.append(f"{profile_path} 已存在，与表中不同（{fields}），保留原文件；如需更新请加 --overwrite")
    if year_path.is_file():
        if year_path.read_text(encoding="utf-8") == year_text:
            year_text_to_write = None
        elif not overwrite:
            raise conflict(f"{year_path} 已存在；确认覆盖请加 --overwrite")
        else:
            merged, kept, lost = _keep_what_the_sheet_cannot_hold(load_yaml(year_path).data, year_data)
            year_text_to_write = _header_comment(result) + dump_yaml(merged) if kept else year_text
            if kept:
                notes.append(f"{year_path}：保留原文件中表格没有的内容：{'、'.join(kept)}")
            if lost:
                notes.append(f"{year_path}：覆盖后不再有原文件中的：{'、'.join(lost)}（表中没有这些内容）")
    else:
        year_text_to_write = year_text
    written, unchanged = [], []
    for path, text in ((profile_path, profile_text), (year_path, year_text_to_write)):
        if text is None:
            unchanged.append(path)
            continue
        if not dry_run:
            atomic_write_text(path, text)
        written.append(path)
    return WriteResult(written=tuple(written), unchanged=tuple(unchanged), notes=tuple(notes))
