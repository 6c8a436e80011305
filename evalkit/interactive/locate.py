"""Where the project's ``params/`` and ``outputs/`` are, seen from a notebook's working directory.

A notebook in ``notebooks/`` runs with ``notebooks/`` as its working directory, so a bare
``params`` would not be found. :func:`project_dir` looks, in order:

1. the folder given explicitly (``params_dir=...``, ``outputs_dir=...``), relative to the working
   directory;
2. the environment variable ``EVALKIT_PARAMS`` / ``EVALKIT_OUTPUTS``;
3. from the working directory up to the project root (the first folder with a ``pyproject.toml``
   or ``.git``): a ``[tool.evalkit]`` table in ``pyproject.toml`` (``params = "data/params"``,
   ``outputs = "site"``, relative to that file), else a ``params/`` (``outputs/``) folder.

When nothing is found, the :class:`~evalkit.errors.InputError` says where it looked and the
three ways to point at the folder.

>>> project_dir("params").name
'params'
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from evalkit.errors import InputError

__all__ = ["ENVIRONMENT", "project_dir", "project_root"]

Kind = Literal["params", "outputs"]

#: The environment variable for each folder.
ENVIRONMENT = {"params": "EVALKIT_PARAMS", "outputs": "EVALKIT_OUTPUTS"}
_LABELS = {"params": "参数目录", "outputs": "输出目录"}
_ARGUMENT = {"params": "params_dir", "outputs": "outputs_dir"}
_ROOT_MARKERS = ("pyproject.toml", ".git")


def _setting(folder: Path, kind: Kind) -> Path | None:
    """``[tool.evalkit] <kind> = "..."`` in ``folder/pyproject.toml``, resolved against it."""
    path = folder / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"无法读取：{exc}", file=str(path)) from None
    value = data.get("tool", {}).get("evalkit", {}).get(kind)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError("应为目录路径（文字）", file=str(path), field=f"tool.evalkit.{kind}")
    return (folder / value).resolve()


def project_root(start: Path | None = None) -> Path | None:
    """The first folder from ``start`` (default: the working directory) upwards that holds a
    ``pyproject.toml`` or ``.git``; ``None`` when there is none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).exists() for marker in _ROOT_MARKERS):
            return folder
    return None


def project_dir(kind: Kind, given: str | Path | None = None, *, must_exist: bool = True) -> Path:
    """The project's ``params`` or ``outputs`` folder (see the module's docstring for the order).

    ``given`` wins when it is not ``None``. With ``must_exist`` an explicit or configured folder
    that does not exist is an :class:`~evalkit.errors.InputError` naming it.
    """
    label, argument, variable = _LABELS[kind], _ARGUMENT[kind], ENVIRONMENT[kind]
    if given is not None:
        found, how = Path(given), f"{argument}="
    elif os.environ.get(variable, "").strip():
        found, how = Path(os.environ[variable].strip()), f"环境变量 {variable}"
    else:
        found, how = _search(kind)
    if found is None:
        cwd = Path.cwd()
        root = project_root(cwd)
        searched = f"已从 {cwd} 向上查找到 {root or '根目录'}" if root != cwd else f"已在 {cwd} 查找"
        raise InputError(
            f"找不到{label} {kind}/（{searched}）；请写 {argument}=\"../{kind}\"，"
            f"或设置环境变量 {variable}，或在项目的 pyproject.toml 中写 [tool.evalkit] {kind} = \"{kind}\"",
            field=argument,
        )
    if must_exist and not found.is_dir():
        raise InputError(f"{label}不存在（来自 {how}）", file=str(found), field=argument)
    return found


def _search(kind: Kind) -> tuple[Path | None, str]:
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        configured = _setting(folder, kind)
        if configured is not None:
            return configured, f"{folder / 'pyproject.toml'} 的 [tool.evalkit] {kind}"
        if (folder / kind).is_dir():
            return folder / kind, f"{folder}"
        if any((folder / marker).exists() for marker in _ROOT_MARKERS):
            break
    return None, ""
