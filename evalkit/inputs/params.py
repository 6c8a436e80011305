"""Finding and loading params: ``params/<unit-id>/unit.yaml`` and ``params/<unit-id>/<year>.yaml``.

The edge between files and the pure core: it reads YAML, turns validation errors into one-line
Chinese messages with file, field and line, and refuses unit ids that could leave their folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from evalkit.core.models import (
    PROBLEM_SEPARATOR,
    UnitProfile,
    UnitYear,
    is_valid_unit_id,
    year_problems,
)
from evalkit.core.rulebook import Rulebook, load_rulebook, rulebook_source
from evalkit.core.scoring import Evaluation, evaluate
from evalkit.errors import InputError, InputErrors, problems_of
from evalkit.inputs.yamlio import LoadedYaml, load_yaml

__all__ = [
    "UnitYearRef",
    "LoadedUnitYear",
    "check_unit_id",
    "discover",
    "scan",
    "Discovery",
    "Problem",
    "load_profile",
    "load_unit_year",
    "load_year_file",
    "resolve_path",
    "evaluate_path",
]

PROFILE_FILE = "unit.yaml"
_YEAR_FILE = re.compile(r"^(\d{4})\.ya?ml$")


@dataclass(frozen=True)
class UnitYearRef:
    """Where one unit-year's inputs are: the unit folder and the year file."""

    unit_id: str
    year: int
    path: Path

    @property
    def profile_path(self) -> Path:
        return self.path.parent / PROFILE_FILE


@dataclass(frozen=True)
class LoadedUnitYear:
    """A validated unit-year with its rulebook, ready to score."""

    ref: UnitYearRef
    profile: UnitProfile
    year: UnitYear
    rulebook: Rulebook
    rulebook_path: Path

    def evaluate(self) -> Evaluation:
        try:
            return evaluate(self.profile, self.year, self.rulebook)
        except InputError as exc:
            try:
                loaded: LoadedYaml | None = load_yaml(self.ref.path)
            except InputError:
                loaded = None
            located = [
                type(p)(p.message, file=str(self.ref.path), field=p.field, line=_line(loaded, p.field))
                for p in problems_of(exc)
            ]
            raise (located[0] if len(located) == 1 else InputErrors(located)) from None

    def input_hash(self) -> str:
        """SHA-256 over the profile, the year file and the rulebook chain's files."""
        digest = hashlib.sha256()
        for path in (self.ref.profile_path, self.ref.path, self.rulebook_path):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


def _line(loaded: LoadedYaml | None, field: str | None) -> int | None:
    """The line in a YAML file of a field path like ``indicators[3]（名称）``."""
    if loaded is None or not field:
        return None
    parts = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]（]+", field.split("（")[0]))
    return loaded.line_of(parts)


def check_unit_id(unit_id: str, *, file: str | None = None) -> str:
    """Return ``unit_id`` if it is a safe slug; otherwise raise :class:`InputError`."""
    if not is_valid_unit_id(unit_id):
        raise InputError(
            f"单位编号“{unit_id}”不合法：只能用小写字母、数字、- 和 _，不能含 / 或 ..",
            file=file,
            field="id（单位编号）",
        )
    return unit_id


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（是否拼写错误？）",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_parsing": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对",
}


def _title(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The Chinese title of the field at ``loc`` (walking nested models)."""
    current: Any = model
    title = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return title
        info = fields[part]
        title = info.title
        annotation = info.annotation
        current = _inner_model(annotation)
    return title


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "literal[", "decimal", "str", "int")):
            out += ("." if out else "") + str(part)
    return out


def _validation_error(exc: ValidationError, model: type[BaseModel], source: Path, loaded: LoadedYaml) -> InputError:
    """Every problem pydantic found, one :class:`InputError` each (cross-field checks split too)."""
    problems: list[InputError] = []
    for err in exc.errors():
        if err["type"] == "value_error" and PROBLEM_SEPARATOR in str(err["msg"]):
            head = "Value error, "
            for part in str(err["msg"]).removeprefix(head).split(PROBLEM_SEPARATOR):
                problems.append(_one_error({**err, "msg": part}, model, source, loaded))
        else:
            problems.append(_one_error(err, model, source, loaded))
    problems.sort(key=lambda p: (p.line or 0))
    return problems[0] if len(problems) == 1 else InputErrors(problems)


def _one_error(err: Any, model: type[BaseModel], source: Path, loaded: LoadedYaml) -> InputError:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p in ("function-before", "function-after"))))
    # Drop union-branch names pydantic puts in the location (e.g. 'decimal', 'str').
    loc = tuple(p for p in loc if p not in ("decimal", "str", "int", "float", "bool"))
    kind = err["type"]
    given = err.get("input")
    if kind == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
        if "（" in message.split(":")[0] and ": " in message:
            field, _, message = message.partition(": ")
            path = _field_path(loc)
            sub = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field.split("（")[0]))
            return InputError(
                message, file=str(source), field=f"{path}.{field}" if path else field, line=loaded.line_of(loc + sub)
            )
    elif kind == "literal_error":
        message = f"应为以下之一：{err['ctx']['expected']}，实际为“{given}”"
    elif kind in ("greater_than_equal", "greater_than"):
        limit = err["ctx"].get("ge", err["ctx"].get("gt"))
        message = "不能为负数" if str(limit) == "0" else f"应不小于 {limit}，实际为 {given}"
        if str(limit) == "0":
            message += f"（实际为 {given}）"
    elif kind in ("less_than_equal", "less_than"):
        message = f"应不大于 {err['ctx'].get('le', err['ctx'].get('lt'))}，实际为 {given}"
    elif kind in _MESSAGES:
        message = _MESSAGES[kind]
        if kind not in ("missing", "extra_forbidden") and given is not None and not isinstance(given, dict | list):
            message += f"，实际为“{given}”"
    else:
        message = str(err["msg"])
    path = _field_path(loc)
    title = _title(model, loc)
    field = f"{path}（{title}）" if title and path else path or None
    line = loaded.line_of(loc)
    if kind == "missing" and loc:
        line = loaded.line_of(loc[:-1])
    return InputError(message, file=str(source), field=field, line=line)


def _validate(model: type[BaseModel], path: Path) -> Any:
    loaded = load_yaml(path, root=path.parent.parent)  # nothing outside the params folder
    if not isinstance(loaded.data, dict):
        raise InputError("文件内容应为键值映射（mapping），例如 `year: 2023`", file=str(path))
    try:
        return model.model_validate(loaded.data)
    except ValidationError as exc:
        error = _validation_error(exc, model, path, loaded)
        if model is UnitYear and not _mentions_cross_checks(exc):
            # Field errors stop pydantic before the cross-field checks: run them on the raw data.
            extra = year_problems(loaded.data)
            if extra:
                fake = ValidationError.from_exception_data(
                    "UnitYear", [{"type": "value_error", "loc": (), "input": None, "ctx": {"error": ValueError(PROBLEM_SEPARATOR.join(extra))}}]
                )
                more = problems_of(_validation_error(fake, model, path, loaded))
                problems = sorted([*problems_of(error), *more], key=lambda p: p.line or 0)
                error = InputErrors(problems)
        raise error from None


def _mentions_cross_checks(exc: ValidationError) -> bool:
    return any(err["type"] == "value_error" and not _strip_loc(err["loc"]) for err in exc.errors())


def _strip_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))


def load_profile(unit_dir: Path) -> UnitProfile:
    """Load and check ``unit.yaml``; its ``id`` must match the folder name."""
    check_unit_id(unit_dir.name, file=str(unit_dir))
    path = unit_dir / PROFILE_FILE
    if not _present(path):
        raise InputError(f"单位文件夹中缺少 {PROFILE_FILE}", file=str(unit_dir))
    profile = _validate(UnitProfile, path)
    if profile.id != unit_dir.name:
        raise InputError(
            f"单位编号“{profile.id}”与文件夹名“{unit_dir.name}”不一致", file=str(path), field="id（单位编号）"
        )
    return profile


def load_year_file(path: Path) -> UnitYear:
    """Validate one year file; its ``year`` must match the file name."""
    year = _validate(UnitYear, path)
    match = _YEAR_FILE.match(path.name)
    if match and int(match.group(1)) != year.year:
        raise InputError(f"年度 {year.year} 与文件名“{path.name}”不一致", file=str(path), field="year（年度）")
    return year


def load_unit_year(ref: UnitYearRef, *, rulebook: str | Path | None = None) -> LoadedUnitYear:
    """Load a unit-year and its rulebook (``rulebook`` overrides the year file's choice)."""
    problems: list[InputError] = []
    profile = year = None
    try:
        profile = load_profile(ref.path.parent)
    except InputError as exc:
        problems.extend(problems_of(exc))
    try:  # a bad unit.yaml does not hide the year file's problems: both are listed
        year = load_year_file(ref.path)
    except InputError as exc:
        problems.extend(problems_of(exc))
    if problems or profile is None or year is None:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    choice = rulebook if rulebook is not None else year.rulebook
    try:
        rb_path = rulebook_source(choice, base_dir=ref.path.parent if rulebook is None else None)
        rb = load_rulebook(rb_path)
    except InputError as exc:
        if exc.file:
            raise
        raise type(exc)(exc.message, file=str(ref.path), field="rulebook（评分规则）") from None
    return LoadedUnitYear(ref=ref, profile=profile, year=year, rulebook=rb, rulebook_path=rb_path)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a unit folder or one of its files, found while discovering.

    ``year`` is set when the problem belongs to one unit-year (a build fails that unit-year only);
    ``fatal`` is False for a file that is only reported (a stray file that is not a year file).
    """

    folder: str
    year: int | None
    file: Path
    reason: str
    kind: str = "unit_year"  # unit_id | duplicate | outside | folder | stray
    fatal: bool = True

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass(frozen=True)
class Discovery:
    """What :func:`scan` found: the unit-years to use, and every problem on the way."""

    refs: list[UnitYearRef]
    problems: list[Problem]


def _present(path: Path) -> bool:
    """A directory entry exists (a FIFO or a broken link too: reading it will say what is wrong)."""
    return path.is_symlink() or path.exists()


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def _scan_unit(unit_dir: Path, params_dir: Path, year: int | None) -> tuple[list[UnitYearRef], list[Problem]]:
    refs: list[UnitYearRef] = []
    problems: list[Problem] = []
    by_year: dict[int, list[Path]] = {}
    for path in sorted(unit_dir.iterdir()):
        match = _YEAR_FILE.match(path.name)
        if match:
            if year is None or int(match.group(1)) == year:
                by_year.setdefault(int(match.group(1)), []).append(path)
        elif path.name != PROFILE_FILE and not path.name.startswith("."):
            problems.append(Problem(unit_dir.name, None, path, "不是年度文件（应命名为 2023.yaml 这样的四位年度），已忽略",
                                    kind="stray", fatal=False))
    bad_id = None if is_valid_unit_id(unit_dir.name) else (
        f"单位文件夹名“{unit_dir.name}”不是合法的单位编号：只能用小写字母、数字、- 和 _")
    outside = not _inside(unit_dir, params_dir)
    for number, paths in sorted(by_year.items()):
        path = paths[0]
        if len(paths) > 1:
            names = "与".join(p.name for p in paths)
            problems.append(Problem(unit_dir.name, number, path, f"{names} 是同一年度的两个文件，请删除其一",
                                    kind="duplicate"))
        elif bad_id:
            problems.append(Problem(unit_dir.name, number, path, bad_id, kind="unit_id"))
        elif outside:
            problems.append(Problem(unit_dir.name, number, path, "单位文件夹指向参数目录之外，不予读取", kind="outside"))
        else:
            refs.append(UnitYearRef(unit_dir.name, number, path))
    if bad_id and not by_year:
        problems.append(Problem(unit_dir.name, None, unit_dir, bad_id, kind="unit_id"))
    return refs, problems


def scan(params_dir: Path, *, unit: str | None = None, year: int | None = None) -> Discovery:
    """Every unit-year under ``params_dir`` and every problem found; never raises for one unit.

    A unit folder is a folder with ``unit.yaml`` (a folder with year files but no ``unit.yaml``
    is reported). A folder whose name is not a valid unit id, two files for one year
    (``2023.yaml`` and ``2023.yml``) or a unit folder that is a symlink leaving ``params_dir``
    make a problem of each unit-year concerned; other files in a unit folder are reported.
    Only a missing ``params_dir`` or an unknown ``unit`` raise :class:`InputError`.
    """
    params_dir = Path(params_dir)
    if not params_dir.is_dir():
        raise InputError("参数目录不存在", file=str(params_dir))
    refs: list[UnitYearRef] = []
    problems: list[Problem] = []
    if unit is not None:
        check_unit_id(unit)
        unit_dirs = [params_dir / unit]
        if not unit_dirs[0].is_dir():
            known = "、".join(sorted(p.name for p in params_dir.iterdir() if (p / PROFILE_FILE).is_file()))
            raise InputError(f"未知的单位编号“{unit}”；已有：{known or '（无）'}", file=str(params_dir))
    else:
        unit_dirs = []
        for path in sorted(params_dir.iterdir()):
            if path.name.startswith(".") or not path.is_dir():
                continue
            try:
                if _present(path / PROFILE_FILE):
                    unit_dirs.append(path)
                elif any(_YEAR_FILE.match(p.name) for p in path.iterdir()):
                    problems.append(Problem(path.name, None, path, f"有年度文件但缺少 {PROFILE_FILE}，已跳过",
                                            kind="folder", fatal=False))
            except OSError as exc:
                problems.append(Problem(path.name, None, path, f"无法读取文件夹（{exc.strerror or exc}）",
                                        kind="folder"))
    for unit_dir in unit_dirs:
        try:
            found, trouble = _scan_unit(unit_dir, params_dir, year)
        except OSError as exc:
            problems.append(Problem(unit_dir.name, None, unit_dir, f"无法读取文件夹（{exc.strerror or exc}）",
                                    kind="folder"))
            continue
        refs += found
        problems += trouble
    return Discovery(refs, problems)


def discover(params_dir: Path, *, unit: str | None = None, year: int | None = None) -> list[UnitYearRef]:
    """Every unit-year under ``params_dir``, sorted by unit then year.

    ``unit`` and ``year`` filter; an unknown unit is an error that lists the known ones, and so
    are two files for one year. A folder whose name is not a valid unit id is kept, so that
    loading it says why (see :func:`scan` for the variant that never raises).
    """
    found = scan(params_dir, unit=unit, year=year)
    for problem in found.problems:
        if problem.kind == "duplicate":
            raise InputError(problem.reason, file=str(problem.file))
    refs = list(found.refs)
    refs += [UnitYearRef(p.folder, p.year, p.file) for p in found.problems
             if p.kind in ("unit_id", "outside") and p.year is not None]
    return sorted(refs, key=lambda r: (r.unit_id, r.year))


def resolve_path(path: Path | str) -> list[UnitYearRef]:
    """A CLI path argument as unit-years: a year file, a unit folder or a params folder."""
    path = Path(path)
    if path.is_file() or (path.is_symlink() or path.exists()) and (not path.is_dir() or _YEAR_FILE.match(path.name)):
        # a FIFO, a device, a folder or a broken link named as a year file: reading it says what is wrong
        match = _YEAR_FILE.match(path.name)
        if not match:
            raise InputError("应为年度文件（如 2023.yaml）、单位文件夹或参数目录", file=str(path))
        check_unit_id(path.parent.name, file=str(path))
        return [UnitYearRef(path.parent.name, int(match.group(1)), path)]
    if path.is_dir():
        if _present(path / PROFILE_FILE):
            return discover(path.parent, unit=path.name)
        return discover(path)
    raise InputError("文件或目录不存在", file=str(path))


def evaluate_path(path: Path | str, *, rulebook: str | Path | None = None) -> Evaluation:
    """Load and score the single unit-year at ``path``."""
    refs = resolve_path(path)
    if len(refs) != 1:
        raise InputError(f"此处需要一个年度文件，找到 {len(refs)} 个", file=str(path))
    return load_unit_year(refs[0], rulebook=rulebook).evaluate()
