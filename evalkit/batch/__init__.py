"""Batch builds: plan (which unit-years changed), run (kernels kept per worker, local processes or
Dask), and publish (index page and results table) — see ``docs/scale-out.md``."""
