"""One error hierarchy. Every message an analyst reads is Chinese and names where the problem is.

``str(error)`` is a single line: ``<file>: <field>（<中文名>）: <what is wrong>``, so the CLI can
print it as it is, with no traceback.

In IPython and JupyterLab the same line replaces the traceback: every class here has IPython's
``_render_traceback_`` hook, so a typo in a notebook shows one short Chinese line (``输入有误：
params/x/2023.yaml: indicators[2].actual: …``) instead of 15 lines of evalkit's source. Any
other exception (a real bug) keeps its full traceback.

>>> InputError("未知的单位编号", file="params", field="unit_id")._render_traceback_()
['\\x1b[1;31m输入有误\\x1b[0m：params: unit_id: 未知的单位编号']
"""

from __future__ import annotations

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]} | {0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: object) -> str:
    r"""Text from inputs made safe for one terminal line: control characters (escape sequences,
    newlines) are shown as ``\xNN``, so a hostile file or folder name cannot redraw the screen
    or split a message.

    >>> one_line("示例\x1b[2J单位\n")
    '示例\\x1b[2J单位\\x0a'
    """
    return str(text).translate(_CONTROL)


class EvalkitError(Exception):
    """Base of every error evalkit raises on purpose."""

    #: What kind of problem, as the notebook shows it before the message.
    label = "evalkit 错误"

    def _render_traceback_(self) -> list[str]:
        """IPython's hook: the lines shown instead of the traceback — one line per problem (one
        in all for a single problem), the first with the kind of problem in red."""
        lines = [" ".join(line.split()) for line in str(self).splitlines() if line.strip()]
        first, *more = lines or [type(self).__name__]
        return [f"\x1b[1;31m{self.label}\x1b[0m：{first}", *(f"　　{line}" for line in more)]


class InputError(EvalkitError):
    """Bad input: a params file, a workbook or a command-line value.

    Parameters
    ----------
    message:
        What is wrong, in Chinese.
    file:
        The file (or workbook) concerned, if any.
    field:
        The field path (``indicators[2].actual``) or spreadsheet location (``Sheet1!C7``).
    line:
        1-based line number in a YAML file, when known.
    """

    label = "输入有误"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.field:
            where.append(self.field)
        return one_line(": ".join([*where, str(self.message)]))


class RulebookError(InputError):
    """A rulebook that cannot be found, parsed or understood."""

    label = "评分规则有误"


class ScoringError(InputError):
    """The inputs are valid on their own but cannot be scored (missing actual, zero budget…)."""

    label = "无法评分"

class InputErrors(InputError):
    """Several problems found in one input at once, each an :class:`InputError`.

    ``str()`` is one line per problem, so a file with twenty problems prints twenty lines;
    ``problems`` holds them for a caller that prints them its own way.
    """

    def __init__(self, problems: list[InputError]) -> None:
        if not problems:
            raise ValueError("InputErrors needs at least one problem")
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.message, file=first.file, field=first.field, line=first.line)

    def __str__(self) -> str:
        return "\n".join(InputError.__str__(p) for p in getattr(self, "problems", [])) or super().__str__()

    def __reduce__(self):  # pickled whole (process pools), not rebuilt from its text
        return (type(self), (self.problems,))


def problems_of(error: InputError) -> list[InputError]:
    """The separate problems an error carries: several for :class:`InputErrors`, else itself."""
    return list(error.problems) if isinstance(error, InputErrors) else [error]
