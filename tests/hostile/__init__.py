"""The hardening corpus: hostile inputs and faults, each a one-line error, bounded, nothing lost.

* ``cases.py`` — hostile params files as data (aliases, duplicate keys, nesting, sizes, digits,
  special files and links, encodings, tags, shapes); ``test_inputs.py`` runs each through
  ``validate``, ``score`` and ``audit`` in-process, ``test_bounded.py`` in a subprocess under
  ``RLIMIT_AS`` and a per-case ``RLIMIT_CPU``.
* ``test_planning.py`` — bad folders and files fail only their unit-year; stray files reported.
* ``test_outputs.py`` — wrong or read-only ``--out``, a full disk on a small tmpfs.
* ``test_processes.py`` — ``kill -9`` of the build, Ctrl-C, bad ``--jobs``/``--timeout``.
* ``test_limits.py`` — the limits table in ``docs/security.md``, overrides, bad overrides.
"""
