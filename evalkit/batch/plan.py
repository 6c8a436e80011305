"""Planning a build (parent, cheap): which unit-years need a report, by content hash.

Every unit-year gets a key, the SHA-256 of everything its report depends on: its unit profile,
its year file and the unit's earlier year files (the trend charts), the rulebook it uses and
every file that rulebook ``extends:`` (a ``--rulebook FILE`` or a ``rulebook:`` path in the year
file alike), the report notebook and every file of the evalkit package (code, templates, static
files, fonts, shipped rulebooks). A unit-year whose sidecar record (``outputs/<year>/<unit>.json``)
carries the same key, and whose report and executed notebook still match the size and SHA-256 the
record holds, is skipped without parsing any YAML. (A file whose size and modification time are
those recorded is not read again; any other is hashed.)

Planning never raises for one unit-year: a folder whose name is not a unit id, two files for one
year, an unreadable or special file, each becomes that unit-year's failure (file and reason), and
the rest is planned. Stray files in a unit folder are reported as warnings.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalkit import __version__
from evalkit.batch.jobs import Job, JobResult, output_paths
from evalkit.errors import InputError
from evalkit.inputs.params import Problem, UnitYearRef, scan
from evalkit.inputs.yamlio import read_input_bytes

__all__ = ["BuildPlan", "code_fingerprint", "file_digest", "plan", "rulebook_chain"]

_PACKAGE = Path(__file__).resolve().parent.parent  # the evalkit package
_RULEBOOK_LINE = re.compile(r"^rulebook:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", re.M)
_EXTENDS_LINE = re.compile(r"^extends:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", re.M)


@dataclass
class BuildPlan:
    """Jobs to run, unit-years up to date, unit-years that failed while planning, warnings."""

    jobs: list[Job] = field(default_factory=list)
    skipped: list[JobResult] = field(default_factory=list)
    failed: list[JobResult] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    everything: list[UnitYearRef] = field(default_factory=list)


def code_fingerprint(notebook: Path, package: Path | None = None) -> str:
    """Hash of evalkit's version, every file of the package (but bytecode), and the notebook."""
    package = Path(package or _PACKAGE)
    digest = hashlib.sha256(__version__.encode())
    files = sorted(
        p for p in Path(package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    digest.update(b"notebook\0" + Path(notebook).read_bytes())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml"))


def rulebook_chain(value: str, base_dir: Path | None) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of a rulebook and of every file it ``extends:``, resolved as the loader does.

    A missing file is named in the chain (``missing:…``) so that its later creation changes the
    key; the build then reports it for the unit-year.
    """
    from evalkit.core.rulebook import rulebook_source

    out: list[tuple[str, bytes]] = []
    seen: set[Path] = set()
    current: str | None = value.strip()
    base = base_dir
    while current:
        try:
            path = rulebook_source(current, base_dir=base if _looks_like_path(current) else None).resolve()
        except InputError:
            out.append((f"missing:{current}", b""))
            break
        if path in seen:
            break  # a cycle: the loader reports it
        seen.add(path)
        try:
            data = read_input_bytes(path)
        except InputError as exc:
            out.append((f"unreadable:{path}", exc.message.encode()))
            break
        out.append((str(path), data))
        match = _EXTENDS_LINE.search(data.decode("utf-8", errors="replace"))
        current, base = (match.group(1).strip() if match else None), path.parent
    return out


def _unit_year_key(code: str, ref: UnitYearRef, earlier: Sequence[UnitYearRef], rulebook: str | None,
                   root: Path) -> str:
    digest = hashlib.sha256(code.encode())
    digest.update(f"rulebook-override:{rulebook or ''}\0".encode())
    profile = ref.profile_path
    try:
        digest.update(read_input_bytes(profile, root=root))
    except InputError:
        digest.update(b"<no profile>")
    year_text = b""
    for other in [*earlier, ref]:
        data = read_input_bytes(other.path, root=root)  # the unit-year's own file: its error fails it
        digest.update(other.path.name.encode() + b"\0" + data)
        year_text = data
    if rulebook:
        chain = rulebook_chain(rulebook, None)
    else:
        match = _RULEBOOK_LINE.search(year_text.decode("utf-8", errors="replace"))
        chain = rulebook_chain(match.group(1), ref.path.parent) if match else [("national-default", b"")]
    for name, data in chain:
        digest.update(name.encode() + b"\0" + data)
    return digest.hexdigest()


def _is_current(out_dir: Path, ref: UnitYearRef, key: str, formats: tuple[str, ...] = ("html",)) -> bool:
    """The record has this key, a built report whose size and content match it, and every document."""
    from evalkit.publish.records import record_path
    from evalkit.report.document import documents_present

    if not documents_present(out_dir, ref.unit_id, ref.year, formats):
        return False

    try:
        record = json.loads(record_path(out_dir, ref.unit_id, ref.year).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("key") != key or record.get("status") != "built":
        return False
    outputs = record.get("outputs")
    if not isinstance(outputs, dict):
        return False
    for path in output_paths(out_dir, ref.unit_id, ref.year):
        expected = outputs.get(path.name)
        try:
            info = path.stat()
        except OSError:
            return False
        if not isinstance(expected, dict) or expected.get("size") != info.st_size:
            return False
        if expected.get("mtime_ns") == info.st_mtime_ns:
            continue  # untouched since it was written: no need to read it
        if expected.get("sha256") != file_digest(path):
            return False
    return True


def _failure(ref_or_problem: UnitYearRef | Problem, error: str, key: str = "") -> JobResult:
    if isinstance(ref_or_problem, Problem):
        return JobResult(ref_or_problem.folder, ref_or_problem.year or 0, "failed", error=error, key=key)
    return JobResult(ref_or_problem.unit_id, ref_or_problem.year, "failed", error=error, key=key)


def plan(
    params_dir: Path,
    out_dir: Path,
    *,
    unit: str | None = None,
    year: int | None = None,
    rulebook: str | None = None,
    force: bool = False,
    notebook: Path,
    formats: tuple[str, ...] = ("html",),
) -> BuildPlan:
    """Plan a build: jobs, up-to-date unit-years, planning failures, warnings, all unit-years.

    Raises :class:`InputError` only for the whole build (no params folder, an unknown ``--unit``).
    """
    params_dir, out_dir = Path(params_dir).resolve(), Path(out_dir).resolve()
    everything = scan(params_dir)
    selected = scan(params_dir, unit=unit, year=year) if (unit or year) else everything
    code = code_fingerprint(notebook)
    by_unit: dict[str, list[UnitYearRef]] = {}
    for ref in everything.refs:
        by_unit.setdefault(ref.unit_id, []).append(ref)
    result = BuildPlan(everything=list(everything.refs))
    for problem in selected.problems:
        if problem.fatal:
            result.failed.append(_failure(problem, f"{problem.file}: {problem.reason}"))
        else:
            result.warnings.append(problem)
    for ref in selected.refs:
        earlier = [r for r in by_unit.get(ref.unit_id, []) if r.year < ref.year]
        try:
            key = _unit_year_key(code, ref, earlier, rulebook, params_dir)
        except InputError as exc:
            result.failed.append(_failure(ref, str(exc)))
            continue
        except OSError as exc:
            result.failed.append(_failure(ref, f"{ref.path}: 无法读取（{exc.strerror or exc}）"))
            continue
        if not force and _is_current(out_dir, ref, key, formats):
            result.skipped.append(JobResult(ref.unit_id, ref.year, "skipped", key=key))
            continue
        result.jobs.append(Job(ref.unit_id, ref.year, str(params_dir), str(out_dir), rulebook, key=key))
    return result
