"""Batch builds, in rooms that follow the flow (see ``docs/scale-out.md``): ``plan`` (keys and
discovery → jobs; never raises for one unit-year), ``executors`` (local process pool, Dask),
``worker`` (per-worker renderer state, ``build_one``), ``jobs``/``kernels``/``engine`` (one render,
kernel sessions, the papermill engine), ``hygiene`` (processes die with the build) and ``run``
(the whole build and ``publish_site``)."""
