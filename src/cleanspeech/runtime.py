"""How many CPU threads this process should use: one budget for ONNX Runtime and torch.

``os.cpu_count()`` counts the machine's cores, not the ones this process may run on: a container
limited by a cgroup CPU quota, or a job pinned with ``taskset``, oversubscribes its CPUs when it
starts one thread per machine core, and spinning threads then fight other work (a 2-core machine
beside two busy processes did not finish a 15k-comment ``predict`` in 30 minutes). The
budget here is the smaller of the affinity mask and the cgroup quota (v2 ``cpu.max`` or v1
``cpu.cfs_quota_us``), overridable with ``CLEANSPEECH_THREADS``; ``CLEANSPEECH_ORT_THREADS`` and
``CLEANSPEECH_TORCH_THREADS`` override it per engine (``CLEANSPEECH_ORT_WORKERS``: concurrent
single-threaded ONNX calls, see :func:`ort_workers`). ONNX Runtime's worker threads do not
busy-wait between calls unless ``CLEANSPEECH_ORT_SPIN=1``.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
_torch_lock = threading.Lock()
_torch_configured = False


def cgroup_cpu_limit(root: Path = CGROUP_ROOT) -> int | None:
    """CPUs allowed by the cgroup quota (rounded up), or None when unlimited or unknown."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]  # cgroup v2: "max 100000"
        return max(1, math.ceil(int(quota) / int(period))) if quota != "max" else None
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def available_cpus() -> int:
    """CPUs this process may use: its affinity mask, capped by the cgroup quota (at least 1)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        n = os.cpu_count() or 1
    limit = cgroup_cpu_limit()
    return max(1, min(n, limit) if limit else n)


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"${name} must be an integer number of threads, got {value!r}") from None


def thread_budget() -> int:
    """Threads for one engine's compute: ``$CLEANSPEECH_THREADS`` or :func:`available_cpus`."""
    n = _env_int("CLEANSPEECH_THREADS")
    return n if n and n > 0 else available_cpus()


def ort_threads() -> int:
    """ONNX Runtime intra-op threads (``$CLEANSPEECH_ORT_THREADS``, 0 lets ORT choose; else the budget)."""
    n = _env_int("CLEANSPEECH_ORT_THREADS")
    return thread_budget() if n is None else n


def ort_workers() -> int:
    """Calls ONNX Runtime may run at once, each on one intra-op thread (``$CLEANSPEECH_ORT_WORKERS``,
    else the budget when ``$CLEANSPEECH_ORT_THREADS`` is unset, else 1).

    A comment's windows are small matrices (tens of tokens x 384): on 2 cores two single-threaded
    calls side by side scored 1.45x the windows/s of one call on two threads, with identical
    scores (each window is still scored alone), because intra-op threads spend much of a small
    call synchronising. Setting ``$CLEANSPEECH_ORT_THREADS`` keeps the old one-call-at-a-time mode.
    """
    n = _env_int("CLEANSPEECH_ORT_WORKERS")
    if n and n > 0:
        return n
    return thread_budget() if _env_int("CLEANSPEECH_ORT_THREADS") is None else 1


def ort_spinning() -> str:
    """ORT ``session.intra_op.allow_spinning``: "0" unless ``CLEANSPEECH_ORT_SPIN=1``.

    Spinning workers save a wake-up per call on an idle machine but take CPU from every other
    process while they wait; a batch job on a shared CPU must not do that by default.
    """
    return "1" if os.environ.get("CLEANSPEECH_ORT_SPIN", "0").strip() == "1" else "0"


def torch_threads() -> int:
    """Torch intra-op threads (``$CLEANSPEECH_TORCH_THREADS`` or the budget)."""
    n = _env_int("CLEANSPEECH_TORCH_THREADS")
    return n if n and n > 0 else thread_budget()


def configure_torch() -> None:
    """Set torch's thread count from the budget, once per process (thread-safe, idempotent).

    Set once rather than around each call: ``torch.set_num_threads`` changes the whole process,
    so toggling it per call races between threads that explain or score at the same time.
    """
    global _torch_configured
    if _torch_configured:
        return
    with _torch_lock:
        if _torch_configured:
            return
        import torch

        torch.set_num_threads(torch_threads())
        _torch_configured = True
