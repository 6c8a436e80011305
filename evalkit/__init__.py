"""evalkit: budget performance self-evaluation (预算绩效自评) — scoring, audit and reports.

The subpackages follow the data flow (``docs/architecture.md``): ``inputs`` (read and validate)
→ ``core`` (score under a rulebook) → ``audit`` (复核) → ``report`` (narrative, charts, HTML)
→ ``batch`` (many unit-years) → ``publish`` (index page, results table, Excel), with
``interactive`` beside them for JupyterLab.

The public API is this module's ``__all__``:

- ``load(unit_id, year)`` / ``results(outputs_dir)``: the analyst's entry points in JupyterLab
  (imported on first use, so ``import evalkit`` stays quick: no pandas, matplotlib or nbconvert);
- ``load_unit_year``, ``evaluate_path``, ``evaluate``, ``Evaluation``: read a year file and score
  it under its rulebook (``load_rulebook``);
- ``EvalkitError`` and its kinds ``InputError``, ``RulebookError``, ``ScoringError``.

Everything else is reachable through its subpackage and may change between versions.
"""

from __future__ import annotations

__version__ = "0.1.0"

from evalkit.core.rulebook import load_rulebook
from evalkit.core.scoring import Evaluation, evaluate
from evalkit.errors import EvalkitError, InputError, RulebookError, ScoringError
from evalkit.inputs.params import evaluate_path, load_unit_year

__all__ = [
    "__version__",
    "EvalkitError",
    "InputError",
    "RulebookError",
    "ScoringError",
    "Evaluation",
    "evaluate",
    "evaluate_path",
    "load_rulebook",
    "load_unit_year",
    "load",
    "results",
]


def __getattr__(name: str) -> object:
    # Loaded on first use: ``import evalkit`` stays light (no pandas, matplotlib or nbconvert).
    if name in ("load", "results"):
        from evalkit.interactive import api

        return getattr(api, name)
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
