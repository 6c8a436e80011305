"""The base of the params models: fields with a Chinese title, strict frozen models, and the
way cross-field checks report every problem at once."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["F", "StrictModel", "PROBLEM_SEPARATOR", "raise_all"]

#: Cross-field checks report every problem at once: one ``field（名）: problem`` per line of the
#: error message, split again into separate lines by :mod:`evalkit.inputs.params`.
PROBLEM_SEPARATOR = "\n"


def raise_all(problems: list[str]) -> None:
    """Raise one ValueError carrying every problem, one per line (nothing when there is none)."""
    if problems:
        raise ValueError(PROBLEM_SEPARATOR.join(problems))


def F(zh: str, en: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field with its Chinese name as title and a bilingual description."""
    return Field(default, title=zh, description=f"{zh}。{en}", **kwargs)



class StrictModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
