"""`make run`'s supervisor: a SIGTERM to it stops its children too (no portal left on the port)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ("import sys; from governance.run_embedded import supervise; "
          "sys.exit(supervise([[sys.executable, '-c', 'import time; time.sleep(120)']] * 2))")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def test_sigterm_to_the_supervisor_stops_its_children():
    sup = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=ROOT)
    try:
        deadline = time.time() + 20
        while len(children := _children(sup.pid)) < 2:
            assert time.time() < deadline and sup.poll() is None, "the supervisor did not start its children"
            time.sleep(0.1)
        assert all(_alive(pid) for pid in children)
        sup.send_signal(signal.SIGTERM)
        assert sup.wait(20) == 0
        assert not any(_alive(pid) for pid in children), "a child outlived its supervisor"
    finally:
        if sup.poll() is None:
            sup.kill()
