"""The params field reference, generated from the pydantic models so that it never drifts.

``evalkit schema --markdown`` prints it; ``docs/params.md`` holds it between the markers
:data:`BEGIN` and :data:`END`, under a hand-written introduction. After changing
``evalkit/models.py``, refresh the file with::

    python -m evalkit.inputs.schema_doc docs/params.md

Each model gets a table: field | 中文名 | type (with its unit and limits) | required or default |
description. Titles and descriptions come from the models' ``F(zh, en)`` fields.

>>> "| `weight` | 分值 |" in params_reference()
True
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic.functional_validators import BeforeValidator

from evalkit.core.models import UnitProfile, UnitYear
from evalkit.errors import InputError

__all__ = [
    "BEGIN",
    "END",
    "ROOTS",
    "models_in_order",
    "params_reference",
    "replace_generated",
    "update_file",
]

BEGIN = "<!-- BEGIN GENERATED -->"
END = "<!-- END GENERATED -->"

#: The two files of a unit, each with the model it holds.
ROOTS: tuple[tuple[type[BaseModel], str], ...] = (
    (UnitProfile, "params/<unit-id>/unit.yaml"),
    (UnitYear, "params/<unit-id>/<year>.yaml"),
)

#: Types that validators widen (``Money`` reads "304.1万元" and "3041000元"), by validator name.
_VALIDATED = {"_money": "金额（万元）", "_number_or_text": "数字或文本"}
_SCALARS = {Decimal: "数字", int: "整数", str: "文本", bool: "布尔（true / false）"}


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def models_in_order(
    roots: Sequence[type[BaseModel]] = (UnitProfile, UnitYear),
) -> list[type[BaseModel]]:
    """Every model reachable from ``roots``, depth first in field order, each once."""
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for info in model.model_fields.values():
            for inner in _models_in(info.annotation):
                visit(inner)

    for root in roots:
        visit(root)
    return seen


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _code(text: object) -> str:
    return f"`{text}`"


def _constraints(metadata: Sequence[Any]) -> list[str]:
    out = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            out += _constraints(item.metadata)
        elif isinstance(item, Ge):
            out.append(f"≥ {item.ge}")
        elif isinstance(item, Gt):
            out.append(f"> {item.gt}")
        elif isinstance(item, Le):
            out.append(f"≤ {item.le}")
        elif isinstance(item, Lt):
            out.append(f"< {item.lt}")
        elif isinstance(item, MinLen):
            out.append("不能为空" if item.min_length == 1 else f"至少 {item.min_length} 项")
        elif isinstance(item, MaxLen):
            out.append(f"至多 {item.max_length} 项")
        elif getattr(item, "pattern", None):
            out.append(f"格式 {_code(item.pattern)}")
    return out


def _type_text(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """The type as a reader needs it: ``金额（万元…），≥ 0``, ``Staffing`` (linked), ``文本 列表``."""
    for item in metadata:
        if isinstance(item, BeforeValidator) and item.func.__name__ in _VALIDATED:
            base = _VALIDATED[item.func.__name__]
            return "，".join([base, *_constraints(metadata)])
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *extra = typing.get_args(annotation)
        return _type_text(inner, [*extra, *metadata])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _type_text(args[0], metadata)
        if set(args) == {Decimal, str}:
            return "，".join(["数字或文本", *_constraints(metadata)])
        return " 或 ".join(_type_text(a) for a in args)
    if origin is Literal:
        return "，".join(
            [" / ".join(_code(v) for v in typing.get_args(annotation)), *_constraints(metadata)]
        )
    if origin is list:
        (item,) = typing.get_args(annotation)
        return "，".join([f"列表（{_type_text(item)}）", *_constraints(metadata)])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{_anchor(annotation)})"
    base = _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))
    return "，".join([base, *_constraints(metadata)])


def _default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "**必填**"
    default = info.default
    if default is None or default == "" or default == [] or isinstance(default, BaseModel):
        return "可选"
    if isinstance(default, bool):
        return f"默认 {_code(str(default).lower())}"
    return f"默认 {_code(default)}"


def _description(info: FieldInfo) -> str:
    """The English half of a bilingual description (``F`` writes "中文名。English")."""
    text = info.description or ""
    if info.title and text.startswith(f"{info.title}。"):
        text = text[len(info.title) + 1 :]
    return _cell(text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _docstring(model: type[BaseModel]) -> str:
    text = inspect.cleandoc(model.__doc__ or "")
    return text.replace("``", "`")


def _used_in(model: type[BaseModel], models: Sequence[type[BaseModel]]) -> list[str]:
    return [
        f"[{parent.__name__}](#{_anchor(parent)}).{_code(name)}"
        for parent in models
        for name, info in parent.model_fields.items()
        if model in _models_in(info.annotation)
    ]


def _model_section(
    model: type[BaseModel], models: Sequence[type[BaseModel]], files: dict[type, str]
) -> str:
    lines = [f'### <a id="{_anchor(model)}"></a>{model.__name__}', ""]
    doc = _docstring(model)
    if doc:
        lines += [doc, ""]
    if model in files:
        lines += [f"文件 / file: {_code(files[model])}", ""]
    used = _used_in(model, models)
    if used:
        lines += ["用于 / used in: " + "、".join(used), ""]
    lines += [
        "| 字段 field | 中文名 | 类型 type | 必填 / 默认 | 说明 description |",
        "|---|---|---|---|---|",
    ]
    for name, info in model.model_fields.items():
        lines.append(
            f"| {_code(name)} | {_cell(info.title or '')} | {_cell(_type_text(info.annotation, info.metadata))} "
            f"| {_default_text(info)} | {_description(info)} |"
        )
    return "\n".join(lines)


def params_reference() -> str:
    """The generated Markdown: one table per model, the two file models first."""
    files = {model: path for model, path in ROOTS}
    models = models_in_order([model for model, _ in ROOTS])
    parts = [
        "## 字段参考 / Field reference",
        "",
        "本节由 `evalkit schema --markdown` 根据 `evalkit/models.py` 自动生成，请勿手工修改；"
        "模型改动后运行 `python -m evalkit.inputs.schema_doc docs/params.md` 更新。"
        "金额一律以万元计，比率以百分数计（写 `99.43` 表示 99.43%）。",
        "",
        '类型说明：**金额（万元）** 可写 `304.1`、`"1,234.5"`、`304.1万元` 或 `3041000元`（元自动换算为万元）；'
        "**数字或文本** 可写数字，也可写带单位或比较符的文字（如 `≥95%`，见正文）；"
        "**可选** 字段不填即为空。",
        "",
        "*Generated from the pydantic models; do not edit by hand. Money is in 万元, rates in percent.*",
    ]
    parts += ["", *"\n\n".join(_model_section(m, models, files) for m in models).split("\n")]
    return "\n".join(parts) + "\n"


def replace_generated(text: str, generated: str) -> str:
    """``text`` with the part between :data:`BEGIN` and :data:`END` replaced by ``generated``."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise InputError(f"找不到生成部分的标记 {BEGIN} … {END}")
    return text[: start + len(BEGIN)] + "\n\n" + generated.strip("\n") + "\n\n" + text[end:]


def generated_part(text: str) -> str:
    """The part of ``text`` between the markers, as :func:`replace_generated` writes it."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise InputError(f"找不到生成部分的标记 {BEGIN} … {END}")
    return text[start + len(BEGIN) : end].strip("\n") + "\n"


def update_file(path: Path | str) -> bool:
    """Refresh the generated part of ``path``; True when the file changed."""
    path = Path(path)
    old = path.read_text(encoding="utf-8")
    new = replace_generated(old, params_reference())
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print(
            "用法：python -m evalkit.inputs.schema_doc docs/params.md（更新其中的生成部分）", file=sys.stderr
        )
        return 2
    changed = update_file(args[0])
    print(f"{args[0]}：{'已更新' if changed else '已是最新'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
