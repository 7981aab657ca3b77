"""`make run`: the portal (Daphne via runserver, so websockets work) and one Celery
worker with beat on the filesystem broker, together; Ctrl-C (or SIGTERM) stops both."""

import os
import signal
import subprocess
import sys
import time


def _stop(signum, frame):
    raise SystemExit(0)  # runs supervise()'s `finally`: the children go with us


def supervise(commands: list[list[str]]) -> int:
    """Run the commands, each in its own session; when one ends, or on Ctrl-C, SIGTERM or SIGHUP,
    stop them all (SIGTERM to each group, SIGKILL after 10 s). Without the handlers a SIGTERM
    (timeout, a service manager, a closed terminal) would end Python without `finally` and leave
    the children running on the port."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    procs = [subprocess.Popen(cmd, start_new_session=True) for cmd in commands]
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.time() + 10
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
    return 0


def main() -> int:
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    os.makedirs("var/broker/out", exist_ok=True)
    os.makedirs("var/broker/processed", exist_ok=True)
    os.makedirs("var/broker/control", exist_ok=True)
    print(f"\nLinli is running at http://{host}:{port}/  (admin: /admin/, API docs: /api/docs/). Ctrl-C stops it.\n",
          flush=True)
    return supervise([
        [sys.executable, "-m", "celery", "-A", "governance", "worker", "-B", "--loglevel", "WARNING",
         "--concurrency", "1", "--pool", "solo", "--schedule", "var/celerybeat-schedule"],
        [sys.executable, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
    ])


if __name__ == "__main__":
    sys.exit(main())
