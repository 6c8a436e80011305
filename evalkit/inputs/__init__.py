"""Inputs: everything that turns files into validated unit-years.

``yamlio`` (safe YAML with line numbers, atomic writes) → ``params`` (the ``params/`` folder:
discovery and loading) and the readers that produce params from what units publish
(``excel``). ``schema_doc`` writes ``docs/params.md`` from the models.
"""
