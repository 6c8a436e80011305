"""One error hierarchy. Every message an analyst reads is Chinese and names where the problem is.

``str(error)`` is a single line: ``<file>: <field>（<中文名>）: <what is wrong>``, so the CLI can
print it as it is, with no traceback.
"""

from __future__ import annotations


class EvalkitError(Exception):
    """Base of every error evalkit raises on purpose."""


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
        return ": ".join([*where, self.message])


class RulebookError(InputError):
    """A rulebook that cannot be found, parsed or understood."""


class ScoringError(InputError):
    """The inputs are valid on their own but cannot be scored (missing actual, zero budget…)."""


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
