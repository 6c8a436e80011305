"""evalkit: budget performance self-evaluation (预算绩效自评) — scoring, audit and reports.

The flow, one module per step: ``params`` (load and validate inputs) → ``scoring`` under a
``rulebook`` → ``audit`` → ``narrative``/``charts``/``report`` → ``batch`` → publish.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import EvalkitError, InputError, RulebookError, ScoringError
from .params import evaluate_path, load_unit_year
from .rulebook import load_rulebook
from .scoring import Evaluation, evaluate

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
]
