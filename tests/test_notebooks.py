"""The notebooks in notebooks/ are stored clean and declare exactly the parameters evalkit injects."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPORT_PARAMETERS = {"unit_id", "year", "params_dir", "rulebook"}  # what evalkit.batch.jobs injects


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"report.ipynb", "explore.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert dirty == [], f"{path.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exactly_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


def test_report_notebook_declares_what_the_build_injects():
    declared = set(pm.inspect_notebook(str(ROOT / "notebooks" / "report.ipynb")))
    assert declared == REPORT_PARAMETERS


def test_report_notebook_is_thin():
    """No logic lives only in the notebook: each code cell is a call or two, no loops or ifs."""
    nb = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code = [line for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]
        assert len(code) <= 4, cell.source
        assert not any(line.lstrip().startswith(("for ", "if ", "while ", "def ", "class ")) for line in code)


def test_shipped_notebooks_are_the_ones_users_open():
    """The wheel carries ``evalkit/notebooks``; ``notebooks/`` is where users open them: no drift."""
    for name in ("report.ipynb", "explore.ipynb"):
        shipped = ROOT / "evalkit" / "notebooks" / name
        assert shipped.read_bytes() == (ROOT / "notebooks" / name).read_bytes(), (
            f"notebooks/{name} differs from evalkit/notebooks/{name}: copy one over the other"
        )
