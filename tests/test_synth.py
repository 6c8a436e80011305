"""Synthetic params: reproducible, always valid and scorable, varied, with errors at the asked rate."""

from __future__ import annotations

import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from evalkit.core.models import is_valid_unit_id
from evalkit.core.scoring import Evaluation
from evalkit.inputs.params import discover, load_unit_year
from evalkit.synth import generate_unit, write_synthetic

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _discrepancies(e: Evaluation) -> list[str]:
    """Where the printed (reported) figures differ from the recomputed ones."""
    rep = e.year.reported
    assert rep is not None
    out = []
    for label, printed, computed in (
        ("total", rep.total, e.total.value),
        ("grade", rep.grade, e.grade),
        ("execution_rate", rep.execution_rate, e.execution_rate.value),
        ("execution_score", rep.execution_score, e.execution_score.value),
    ):
        if printed != computed:
            out.append(label)
    for s in e.indicators:
        r = s.indicator.reported
        if r is None:
            continue
        if r.score != (None if s.score is None else s.score.value):
            out.append(f"{s.name}.score")
        if r.completion != s.completion.value:
            out.append(f"{s.name}.completion")
        if r.target is not None and r.target != s.target_used:
            out.append(f"{s.name}.target")
    return out


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Evaluation]]:
    """40 units × 3 years, a third of unit-years with a deliberate error: loaded and scored."""
    out = tmp_path_factory.mktemp("synth")
    write_synthetic(out, 40, 3, seed=11, error_rate=0.3, project_share=0.3)
    return [(ref.path, load_unit_year(ref).evaluate()) for ref in discover(out)]


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_synthetic(a, 6, 2, seed=3)
    write_synthetic(b, 6, 2, seed=3)
    write_synthetic(c, 6, 2, seed=4)
    assert _files(a) == _files(b)
    assert _files(a).keys() == _files(c).keys()
    assert _files(a) != _files(c)


def test_a_unit_does_not_depend_on_how_many_are_generated(tmp_path):
    write_synthetic(tmp_path / "few", 3, 2, seed=5)
    write_synthetic(tmp_path / "many", 9, 2, seed=5)
    few, many = _files(tmp_path / "few"), _files(tmp_path / "many")
    assert few == {k: many[k] for k in few}


def test_every_unit_year_loads_and_scores(synth):
    assert len(synth) == 120
    for path, e in synth:
        assert e.total.value is not None and e.grade in ("优", "良", "中", "差"), path
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# 虚构示例数据"), path
        assert "&id" not in text, f"{path}: YAML anchors"


def test_names_say_demo_and_ids_are_safe_slugs(synth):
    for _, e in synth:
        assert "示例" in e.unit.name
        assert is_valid_unit_id(e.unit.id) and e.unit.id.startswith("synth-")
        if e.year.project is not None:
            assert "示例" in e.year.project.name


def test_budgets_add_up(synth):
    for path, e in synth:
        b = e.year.budget
        assert b.initial + b.adjustment == b.final, path
        assert b.actual <= b.final, path
        if e.year.kind == "department":
            basic, project = b.basic, b.project
            for part in ("initial", "final", "actual"):
                assert getattr(basic, part) + getattr(project, part) == getattr(b, part), (
                    path,
                    part,
                )
            for part in ("final", "actual"):
                assert getattr(basic.personnel, part) + getattr(basic.public, part) == getattr(
                    basic, part
                )
            assert sum(p.budget for p in e.year.projects) == project.final, path
            assert sum(p.actual for p in e.year.projects) == project.actual, path
            assert {p.source for p in e.year.projects} >= {"转移支付", "本级财力"}, path
        else:
            assert [s.name for s in b.sources] == ["当年财政拨款", "上年结转资金", "其他资金"]
            for part in ("initial", "final", "actual"):
                assert sum(getattr(s, part) for s in b.sources) == getattr(b, part), (path, part)


def test_weights_sum_to_the_rulebook_total(synth):
    for path, e in synth:
        weights = [i.weight for i in e.year.indicators]
        assert e.execution_weight + sum(weights) == e.rulebook.total_weight, path
        assert all(w * 2 == int(w * 2) for w in weights), path  # whole or half points
        assert 5 <= len(weights) <= 12, path
        assert not e.notes, (path, e.notes)  # project 一级 weights match 50/30/10


def test_variety(synth):
    indicators = [s for _, e in synth for s in e.indicators]
    assert {s.indicator.op for s in indicators} >= {">=", "<=", "=", "qualitative"}
    assert {s.indicator.unit for s in indicators} >= {"%", "万元", "次", "项", "人次", "天"}
    assert {e.year.kind for _, e in synth} == {"department", "project"}
    assert any(s.indicator.target_adjusted is not None for s in indicators)
    assert any(not s.applicable for s in indicators)
    assert any(
        s.applicable and not s.indicator.is_qualitative and s.indicator.midyear is None
        for s in indicators
    )
    missed = [s for s in indicators if s.met is False]
    assert missed and any(s.indicator.deviation_reason is None for s in missed)
    assert any(s.indicator.deviation_reason for s in missed)
    assert any(any("超出 30%" in f for f in s.flags) for s in indicators)
    assert {s.grade for s in indicators if s.grade} == {"达成", "部分达成", "未达成"}
    assert len({e.total.value for _, e in synth}) > 60


def test_years_of_a_unit_share_indicator_names(synth):
    by_unit: dict[str, list[set[str]]] = {}
    for _, e in synth:
        by_unit.setdefault(e.unit.id, []).append({i.name for i in e.year.indicators})
    for unit, years in by_unit.items():
        assert len(years[0] & years[-1]) >= len(years[0]) - 2, unit


def test_errors_at_the_requested_rate_and_only_there(synth):
    flagged = 0
    for path, e in synth:
        found = _discrepancies(e)
        commented = "故意的报告错误" in path.read_text(encoding="utf-8")
        assert bool(found) == commented, (path, found)
        flagged += bool(found)
    assert 0.18 <= flagged / len(synth) <= 0.42  # asked for 0.3 over 120 unit-years


def _walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def test_generate_unit_gives_plain_dicts_with_decimals_never_floats():
    profile, years = generate_unit(random.Random(8), 41, [2022, 2023, 2024])
    assert profile["id"] == "synth-00042" and sorted(years) == [2022, 2023, 2024]
    values = list(_walk(profile)) + [v for y in years.values() for v in _walk(y)]
    assert not any(isinstance(v, float) for v in values)
    assert any(isinstance(v, Decimal) for v in values)
    assert all(years[y]["year"] == y for y in years)


def test_error_rate_zero_and_one_on_disk(tmp_path):
    for rate, expected in ((0.0, 0), (1.0, 16)):
        folder = tmp_path / str(rate)
        write_synthetic(folder, 8, 2, seed=9, error_rate=rate)
        found = [bool(_discrepancies(load_unit_year(r).evaluate())) for r in discover(folder)]
        assert sum(found) == expected


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evalkit.cli", "synth", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_cli_refuses_a_non_empty_folder_without_overwrite(tmp_path):
    out = tmp_path / "out"
    done = _cli("--units", "3", "--years", "2", "--out", str(out), "--seed", "1")
    assert done.returncode == 0, done.stderr
    assert len(discover(out)) == 6
    refused = _cli("--units", "3", "--out", str(out))
    assert refused.returncode != 0
    assert "--overwrite" in refused.stderr and "不为空" in refused.stderr
    again = _cli("--units", "3", "--years", "2", "--out", str(out), "--seed", "1", "--overwrite")
    assert again.returncode == 0, again.stderr
    assert "3 个虚构单位" in again.stdout


def test_cli_rejects_bad_options(tmp_path):
    bad = _cli("--units", "0", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "正整数" in bad.stderr
    bad = _cli("--units", "2", "--error-rate", "1.5", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "0 到 1" in bad.stderr
    assert not (tmp_path / "x").exists()


def test_the_synth_package_keeps_its_modules_short():
    """Issue 13: the generator is a package of modules under 600 lines each."""
    long = {
        p.name: n
        for p in sorted((ROOT / "evalkit" / "synth").glob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long
