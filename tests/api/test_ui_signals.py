"""``cleanspeech ui`` runs Streamlit as a child: SIGTERM / SIGINT to the parent must reach the
child and the parent must wait for it (it used to exit and leave Streamlit running)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))
    open(sys.argv[1], "w").write(str(os.getpid()))
    time.sleep(60)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_reach_the_child_and_the_parent_waits(tmp_path: Path, sig: int) -> None:
    pid_file = tmp_path / "child.pid"
    parent_code = (
        "import sys; from cleanspeech.cli.serve import run_forwarding_signals; "
        f"sys.exit(abs(run_forwarding_signals([sys.executable, '-c', {CHILD!r}, {str(pid_file)!r}])))"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], env=os.environ.copy())
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert parent.poll() is None and time.monotonic() < deadline, "child never started"
        time.sleep(0.1)
    child_pid = int(pid_file.read_text())
    parent.send_signal(sig)
    code = parent.wait(timeout=30)
    # SIGTERM: the child's handler exits 7; SIGINT: the child dies of KeyboardInterrupt, which
    # Python reports as killed by SIGINT (-2; the parent script exits with its absolute value)
    assert code == (7 if sig == signal.SIGTERM else int(signal.SIGINT))
    assert not _alive(child_pid)
