"""evalkit: budget performance self-evaluation (预算绩效自评) — scoring, audit and reports.

The flow, one module per step: ``params`` (load and validate inputs) → ``scoring`` under a
``rulebook`` → ``audit`` → ``narrative``/``charts``/``report`` → ``batch`` → publish.

For exploring in JupyterLab: ``evalkit.load(unit_id, year)`` and ``evalkit.results(outputs_dir)``
(:mod:`evalkit.interactive.api`, ``docs/api.md``). They are imported on first use, so ``import evalkit``
stays quick (no pandas, matplotlib or nbconvert).
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
