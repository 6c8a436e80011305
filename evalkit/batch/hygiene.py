"""Process hygiene: workers and kernels die with the build, even when it is killed with SIGKILL.

* On Linux every worker process and every kernel asks the kernel for a parent-death signal
  (``prctl(PR_SET_PDEATHSIG, SIGKILL)``): when its parent dies, for whatever reason, it is killed.
* Everywhere, a worker also watches its parent's pid (a daemon thread, once a second) and exits
  when the parent is gone; kernels started by jupyter_client watch theirs (``JPY_PARENT_PID``).
* Workers ignore SIGINT: Ctrl-C goes to the parent, which stops the pool and reports the units
  that were in flight as interrupted.
* Workers and kernels use glibc's allocator with two arenas and a fixed mmap threshold
  (:data:`MALLOC_SETTINGS`, :data:`KERNEL_MALLOC_SETTINGS`): a worker's per-report threads
  otherwise each get an arena that keeps what they free (2 MiB more per report), and a kernel,
  which allocates and frees some 100 MB of chart canvases and images per report, would either
  keep growing its heap or pay the system to map and zero those pages afresh every time.

Linux sends the parent-death signal when the *thread* that started the child ends. Kernels are
started by the thread that runs the job (a worker's main thread; in Dask, the worker's long-lived
task thread); should that thread end, the kernel goes with it and the next job starts a new one
(:meth:`~evalkit.batch.kernels.KernelSession.ensure` checks that the kernel is alive).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

__all__ = ["KERNEL_MALLOC_SETTINGS", "MALLOC_SETTINGS", "die_with_parent", "kernel_env", "kernel_preexec", "tune_malloc", "worker_initializer"]

_PR_SET_PDEATHSIG = 1
_LIBC = None
if sys.platform.startswith("linux"):
    try:  # loaded in the parent: a preexec function must not load libraries after fork
        _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:  # pragma: no cover - a Linux without a C library
        _LIBC = None


#: A build worker's glibc ``malloc`` settings (mallopt(3); the environment variables of the same
#: names, read when a process starts). ``MALLOC_ARENA_MAX=2``: at most two arenas, not eight per
#: core: each thread that allocates (a worker's per-report watchdog, a kernel's I/O threads) may
#: otherwise get an arena of its own, which keeps what it frees. ``MALLOC_MMAP_THRESHOLD_=131072``:
#: blocks of 128 KiB and more (a page's HTML, font buffers) always come from ``mmap`` and go back to
#: the system when freed; by default glibc raises the threshold after the first such block is freed,
#: and later ones stay in the heap, which then cannot shrink. A value set in the environment wins.
MALLOC_SETTINGS = {"MALLOC_ARENA_MAX": 2, "MALLOC_MMAP_THRESHOLD_": 131072}

#: A kernel's glibc ``malloc`` settings. A report's charts allocate and free about 100 MB in blocks
#: of up to a few MiB (a 1200 × 830 px canvas is 4 MiB, its RGB copy 3 MiB, its palette image
#: 1 MiB). With blocks of 128 KiB and more always mapped (:data:`MALLOC_SETTINGS`), each one is new
#: pages the system maps and zeroes: about 25,000 page faults and 55–60 ms of system CPU a report,
#: a fifth of the kernel's time. Here blocks under 32 MiB come from the heap, and up to 64 MiB freed
#: at its top is kept for the next chart (``MALLOC_TRIM_THRESHOLD_``): the kernel holds about its
#: peak between reports (measured over 78 reports: 155 → 163 MiB RSS, peak 166 MiB, against
#: 122 → 127 MiB, peak 159 MiB, with 128 KiB), and a report costs 20–25 ms of system CPU.
KERNEL_MALLOC_SETTINGS = {"MALLOC_ARENA_MAX": 2, "MALLOC_MMAP_THRESHOLD_": 32 * 2**20,
                          "MALLOC_TRIM_THRESHOLD_": 64 * 2**20}
_MALLOPT = {"MALLOC_ARENA_MAX": -8, "MALLOC_MMAP_THRESHOLD_": -3}  # M_ARENA_MAX, M_MMAP_THRESHOLD


def kernel_env() -> dict[str, str]:
    """The environment a kernel starts with: this process's, plus :data:`KERNEL_MALLOC_SETTINGS`
    where unset."""
    env = dict(os.environ)
    for name, value in KERNEL_MALLOC_SETTINGS.items():
        env.setdefault(name, str(value))
    return env


def tune_malloc() -> bool:
    """Apply :data:`MALLOC_SETTINGS` to this running process (glibc's ``mallopt``), except those the
    environment sets (glibc has read them already); False where there is no glibc ``mallopt``."""
    mallopt = getattr(_LIBC, "mallopt", None) if _LIBC is not None and sys.platform.startswith("linux") else None
    if mallopt is None:
        return False
    return all(mallopt(_MALLOPT[name], value) == 1 for name, value in MALLOC_SETTINGS.items() if name not in os.environ)


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where unsupported."""
    if _LIBC is None:
        return False
    return _LIBC.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def kernel_preexec() -> None:
    """``preexec_fn`` of a kernel: killed when the process that started it dies."""
    die_with_parent(signal.SIGKILL)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def worker_initializer() -> None:
    """Run first in every worker of the local pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_malloc()
    parent = os.getppid()
    die_with_parent(signal.SIGKILL)
    if parent == 1 or os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="evalkit-parent-watch", daemon=True).start()
