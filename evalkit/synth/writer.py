"""Generating synthetic units and writing them as params files."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from evalkit.core.models import UnitProfile, UnitYear
from evalkit.core.rulebook import load_rulebook
from evalkit.core.scoring import evaluate
from evalkit.errors import InputError
from evalkit.inputs.yamlio import atomic_write_text, dump_yaml
from evalkit.synth.reported import _inject_error, _reported
from evalkit.synth.unit import SynthUnit, _narrative, _UnitBuilder
from evalkit.synth.vocabulary import _WRITERS, KINDS, RULEBOOK

# --------------------------------------------------------------------------- public API


def _plain(value: Any) -> Any:
    """A copy without ``None`` values, each Decimal a fresh object.

    PyYAML writes an object met twice in one document as an anchor and alias (``&id001``); a
    target reused as the actual value would come out that way.
    """
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return Decimal(f"{value:f}")
    return value


def generate(
    rng: random.Random,
    index: int,
    years: Sequence[int],
    *,
    project_share: float = 0.25,
    error_rate: float = 0.1,
    kinds: Sequence[str] = KINDS,
) -> SynthUnit:
    """One unit with its years, scored, and the deliberate error (if any) of each year.

    ``project_share`` is the chance that the unit is a project evaluator (when ``kinds`` allows
    both); ``error_rate`` the chance that each unit-year carries one reporting error.
    """
    rulebook = load_rulebook(RULEBOOK)
    if "department" not in kinds:
        kind = "project"
    elif "project" not in kinds:
        kind = "department"
    else:
        kind = "project" if rng.random() < project_share else "department"
    builder = _UnitBuilder(rng, index, kind, rulebook)
    profile = _plain(builder.profile)
    unit_model = UnitProfile.model_validate(profile)
    out: dict[int, dict[str, Any]] = {}
    errors: dict[int, str] = {}
    for n, year in enumerate(years):
        data = builder.year(year, first=n == 0)
        ev = evaluate(unit_model, UnitYear.model_validate(data), rulebook)
        data["narrative"] = _narrative(rng, data, ev)
        _reported(data, ev)
        if rng.random() < error_rate:
            errors[year] = _inject_error(rng, data, ev)
        out[year] = _plain(data)
    return SynthUnit(profile=profile, years=out, errors=errors)


def generate_unit(
    rng: random.Random, index: int, years: Sequence[int], **options: Any
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """``(profile, {year: year_file})`` for unit number ``index`` (0-based), as plain dicts.

    Options are those of :func:`generate`.
    """
    unit = generate(rng, index, years, **options)
    return unit.profile, unit.years


def unit_rng(seed: int, index: int) -> random.Random:
    """The generator for unit ``index``: each unit has its own, so unit 7 is the same in a run
    of 10 units or of 10,000 (string seeds are hashed with SHA-512: stable across runs)."""
    return random.Random(f"evalkit-synth:{seed}:{index}")


def _header(lines: Sequence[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def write_synthetic(
    out_dir: Path | str,
    units: int,
    years: int,
    seed: int = 0,
    *,
    start_year: int = 2021,
    kinds: Sequence[str] = KINDS,
    project_share: float = 0.25,
    error_rate: float = 0.1,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write ``units`` fictional units of ``years`` years each under ``out_dir``; the files written.

    Refuses (:class:`InputError`) a non-empty ``out_dir`` unless ``overwrite`` (files of the same
    name are replaced; nothing else is deleted). ``progress(done, total)`` is called per unit.
    """
    out = Path(out_dir)
    if units < 1 or years < 1:
        raise InputError("单位数和年度数都应至少为 1")
    if not 2000 <= start_year or start_year + years - 1 > 2100:
        raise InputError(f"年度应在 2000–2100 之间，实际为 {start_year}–{start_year + years - 1}")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise InputError(
            f"评价类型应为 {'、'.join(KINDS)} 之一，实际为 {'、'.join(unknown) or '（无）'}"
        )
    for name, share in (("project_share", project_share), ("error_rate", error_rate)):
        if not 0 <= share <= 1:
            raise InputError(f"{name} 应在 0 到 1 之间，实际为 {share}")
    if out.exists() and not out.is_dir():
        raise InputError("输出路径已存在且不是目录", file=str(out))
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError("输出目录不为空；如需覆盖同名文件，请加 --overwrite", file=str(out))
    year_list = list(range(start_year, start_year + years))
    note = f"虚构示例数据（fictional synthetic data）：由 evalkit synth 生成（seed={seed}），单位与数字均为编造。"
    written: list[Path] = []
    # Texts are made here, in order; only the writing goes to threads, to overlap the fsync of
    # each atomic write (it waits on the disk and releases the GIL). Pending writes are bounded.
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        for index in range(units):
            unit = generate(
                unit_rng(seed, index),
                index,
                year_list,
                project_share=project_share,
                error_rate=error_rate,
                kinds=kinds,
            )
            folder = out / unit.profile["id"]
            files = [(folder / "unit.yaml", _header([note]) + dump_yaml(unit.profile))]
            for year, data in unit.years.items():
                lines = [note]
                if year in unit.errors:
                    lines.append(f"故意的报告错误（供复核测试）：{unit.errors[year]}")
                files.append((folder / f"{year}.yaml", _header(lines) + dump_yaml(data)))
            for path, text in files:
                pending.append(pool.submit(atomic_write_text, path, text))
                written.append(path)
            while len(pending) > 4 * _WRITERS:
                pending.popleft().result()
            if progress is not None:
                progress(index + 1, units)
        while pending:
            pending.popleft().result()
    return written
