"""Kernels for batch runs: IPC transport (no TCP port races) and a retry on failed starts.

jupyter_client picks a free TCP port, releases it and lets the kernel bind it later; with several
kernels starting at once another launch can take the port in between ("Address already in use",
"Kernel died before replying to kernel_info"; papermill #511). Unix domain sockets in a private
temporary folder cannot collide. Windows has no IPC transport: TCP is used there.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from evalkit.batch.hygiene import kernel_env, kernel_preexec

__all__ = ["IPCKernelManager", "KERNEL_ARGUMENTS", "KernelSession", "kernel_manager_class", "sweep_ipc_dirs"]


#: A kernel's folder: ``ek-<pid of the process that made it>-<random>``.
_IPC_DIR = re.compile(r"ek-(\d+)-[^/]+")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (PermissionError): alive
        return True
    return True


def sweep_ipc_dirs(base: str) -> list[str]:
    """Remove the kernel folders in ``base`` whose maker is gone: a worker killed with SIGKILL (by
    the out-of-memory killer, say) cannot remove its own, and its kernel died with it
    (:mod:`evalkit.batch.hygiene`). Returns the folders removed; a folder whose maker is alive,
    or belongs to another user, is left alone.
    """
    removed = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        match = _IPC_DIR.fullmatch(name)
        if match is None or _alive(int(match[1])):
            continue
        path = os.path.join(base, name)
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.exists(path):
            removed.append(path)
    return removed


class IPCKernelManager(AsyncKernelManager):
    """A kernel reached over Unix domain sockets in its own short temporary folder."""

    def __init__(self, *args, **kwargs):
        kernel_id = str(uuid.uuid4())
        # Socket paths must stay under ~107 bytes: keep the folder short and local.
        base = os.environ.get("EVALKIT_RUNTIME_DIR") or tempfile.gettempdir()
        sweep_ipc_dirs(base)
        self._ipc_dir = tempfile.mkdtemp(prefix=f"ek-{os.getpid()}-", dir=base)
        super().__init__(
            *args,
            transport="ipc",
            ip=os.path.join(self._ipc_dir, "k"),
            kernel_id=kernel_id,
            connection_file=os.path.join(self._ipc_dir, f"kernel-{kernel_id}.json"),
            **kwargs,
        )

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    cleanup_resources = run_sync(_async_cleanup_resources)

    def __del__(self):  # the folder must not outlive a kernel that never started
        shutil.rmtree(getattr(self, "_ipc_dir", ""), ignore_errors=True)


#: Command-line options of a batch kernel. ``HistoryManager.enabled=False``: no input history in
#: SQLite. An interactive kernel opens ``~/.ipython/profile_default/history.sqlite`` when it starts
#: and a thread writes every cell's source to it; nobody reads a batch kernel's history back.
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)


def kernel_manager_class() -> type[AsyncKernelManager]:
    """IPC on POSIX, the stock TCP manager on Windows (async: nbclient polls it while cells run)."""
    return AsyncKernelManager if sys.platform == "win32" else IPCKernelManager


# Drop the previous notebook's names without %reset's full garbage collection (a third of a
# second with pandas and matplotlib loaded); the objects go with their last reference.
_RESET = """\
def _evalkit_reset(ip=get_ipython()):
    hidden = ip.user_ns_hidden
    for name in [n for n in ip.user_ns if not n.startswith("_") and n not in hidden]:
        del ip.user_ns[name]
    ip.displayhook.flush()
    # IPython 9 also keeps every output's MIME bundle (a report's HTML and PNGs): about 0.6 MiB a report
    # (and, history being off, the input cache no thread writes out)
    for kept in ("outputs", "output_hist_reprs", "exceptions", "db_input_cache", "db_output_cache"):
        getattr(ip.history_manager, kept, {}).clear()
    # flush() ran a full collection; what survives is long-lived: later collections skip it, so the
    # report's charts can be freed as they are drawn (evalkit.report.render._collect_if_cheap)
    import gc, sys; gc.freeze()
    render = sys.modules.get("evalkit.report.render")
    if render is not None:
        render._GC_FROZEN = True
_evalkit_reset()
del _evalkit_reset
"""


async def wait_for_ready(kc, timeout: float) -> None:
    """Wait until a new kernel answers ``kernel_info`` on the shell channel and its IOPub channel
    has delivered that request's last message (``status: idle``).

    jupyter_client's own ``wait_for_ready`` ends by reading IOPub until it has been quiet for
    0.2 s: every kernel start waited 0.2 s for nothing (with a worker per core starting at once,
    every core idle). The idle status of this very request is the same proof that IOPub is
    connected and that nothing of the request is left to read, as soon as it arrives.
    """
    deadline = time.monotonic() + timeout
    while True:
        asked = {kc.kernel_info()}
        reply = await _answer(kc.shell_channel, asked, deadline, 1.0)
        # IOPub drops what the kernel published before this client's subscription took (often, on
        # a fresh kernel): ask again every 20 ms until one request's idle status comes through.
        for _ in range(25 if reply is not None else 0):
            if await _answer(kc.iopub_channel, asked, deadline, 0.02, idle=True):
                handle = getattr(kc, "_handle_kernel_info_reply", None)  # the protocol version
                if handle is not None:
                    handle(reply)
                return
            asked.add(kc.kernel_info())  # its reply is read by nobody: replies are matched by id
        if not await kc.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


async def _answer(channel, asked: set[str], deadline: float, patience: float, *, idle: bool = False) -> dict | None:
    """The first message on ``channel`` answering one of the requests ``asked`` (with ``idle``:
    its ``status: idle``), dropping others; None when none comes within ``patience`` seconds."""
    until = min(deadline, time.monotonic() + patience)
    while True:
        try:
            msg = await channel.get_msg(timeout=max(0.0, until - time.monotonic()))
        except queue.Empty:
            return None
        if msg.get("parent_header", {}).get("msg_id") not in asked:
            continue
        if not idle or (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"):
            return msg


class KernelSession:
    """One kernel kept alive for many notebooks, so imports and fonts are paid once per worker.

    The session holds the (async) kernel manager and one async client that every notebook reuses:
    nbclient polls the manager while cells run, so it notices a dead kernel, and no notebook pays
    for a new client. Between notebooks the user namespace is cleared (see ``_RESET``); after a
    failure, a timeout or a dead kernel the kernel is replaced, so one bad unit-year cannot leak
    into the next.
    """

    def __init__(self, kernel_name: str = "python3", startup_timeout: float = 60, retries: int = 2):
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.retries = retries
        self.km: AsyncKernelManager | None = None
        self.kc = None
        self._reset_id: str | None = None  # the namespace reset sent after the last notebook
        self._launched: AsyncKernelManager | None = None  # started by start(), not yet waited for

    def start(self) -> None:
        """Launch a kernel and return at once; :meth:`ensure` waits for it to be ready.

        A worker calls this before importing papermill and nbconvert, so the kernel starts while
        the worker imports. A launch that fails is left to :meth:`ensure`, which retries.
        """
        if self.km is not None or self._launched is not None:
            return
        km = kernel_manager_class()(kernel_name=self.kernel_name)
        try:
            self._launch(km)
        except Exception:  # noqa: BLE001 - ensure() starts another one
            self._stop(km)
            return
        self._launched = km

    @staticmethod
    def _launch(km: AsyncKernelManager) -> None:
        # killed with its parent, even by SIGKILL (evalkit.batch.hygiene)
        run_sync(km.start_kernel)(env=kernel_env(),  # glibc malloc settings (evalkit.batch.hygiene)
                                  extra_arguments=list(KERNEL_ARGUMENTS),
                                  **({"preexec_fn": kernel_preexec} if os.name == "posix" else {}))

    def ensure(self):
        """The running ``(km, kc)``, starting a kernel (with retries) when there is none."""
        self._settle_reset()
        if self.km is not None and run_sync(self.km.is_alive)():
            return self.km, self.kc
        launched, self._launched = self._launched, None
        self.shutdown()
        last: BaseException | None = None
        for _ in range(self.retries + 1):
            km, launched = launched or kernel_manager_class()(kernel_name=self.kernel_name), None
            kc = None
            try:
                if not km.has_kernel:
                    self._launch(km)
                kc = km.client()
                kc.start_channels()
                run_sync(wait_for_ready)(kc, self.startup_timeout)
            except Exception as exc:  # noqa: BLE001 - any start failure is retried
                last = exc
                self._stop(km, kc)
                continue
            kc.allow_stdin = False
            self.km, self.kc = km, kc
            return km, kc
        raise RuntimeError(f"内核启动失败（已重试 {self.retries} 次）：{last}")

    def reset(self) -> None:
        """Clear the user namespace between notebooks; replace the kernel if that fails.

        The request is sent and not waited for: the kernel clears its namespace while this
        process converts and writes the report. Its reply is checked when the kernel is next
        used (:meth:`ensure`); nbclient ignores messages that answer another request.
        """
        if self.kc is None:
            return
        try:
            self._reset_id = self.kc.execute(_RESET, silent=True, store_history=False, allow_stdin=False)
        except Exception:  # noqa: BLE001
            self.shutdown()

    def _settle_reset(self) -> None:
        """Wait for the reply to the reset sent after the last notebook; replace the kernel if
        it failed or does not come."""
        msg_id, self._reset_id = self._reset_id, None
        if msg_id is None or self.kc is None:
            return
        deadline = time.monotonic() + 30
        try:
            while True:
                reply = run_sync(self.kc.get_shell_msg)(timeout=max(0.0, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"]["status"] != "ok":
                raise RuntimeError("reset failed")
        except Exception:  # noqa: BLE001 - no reply in time (queue.Empty), or an error reply
            self.shutdown()

    def kill(self) -> None:
        """Kill the kernel process at once (the per-report timeout); nbclient then sees it dead."""
        km = self.km
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.kill()
            except OSError:
                pass

    @staticmethod
    def _stop(km: AsyncKernelManager, kc=None) -> None:
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        # Killed and reaped here: jupyter_client's own kill polls for the end every 0.1 s, and
        # each worker stopping its kernel is most of the pool's shutdown after the last report.
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.kill()
                process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - already dead
            pass
        try:
            km.cleanup_resources()
        except Exception:  # noqa: BLE001
            pass

    def shutdown(self) -> None:
        if self.km is not None:
            self._stop(self.km, self.kc)
        if self._launched is not None:
            self._stop(self._launched)
        self.km = self.kc = self._launched = None
        self._reset_id = None
