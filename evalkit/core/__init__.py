"""The scoring core: pure functions over validated inputs.

``figures`` (exact decimals, half-up rounding, number formats) → ``targets`` (comparisons and
units) → ``models`` (the unit-year data model) → ``rulebook`` (scoring rules as data, in
``rulebooks/``) → ``scoring`` (the per-item scorer) and ``vectorized`` (the same rules over
whole tables). Nothing here touches files except ``rulebook`` loading its YAML.
"""
