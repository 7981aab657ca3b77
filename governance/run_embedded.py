"""`make run`: the portal (Daphne via runserver, so websockets work) and one Celery
worker with beat on the filesystem broker, together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time


def main() -> int:
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    os.makedirs("var/broker/out", exist_ok=True)
    os.makedirs("var/broker/processed", exist_ok=True)
    os.makedirs("var/broker/control", exist_ok=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "governance", "worker", "-B", "--loglevel", "WARNING",
         "--concurrency", "1", "--pool", "solo", "--schedule", "var/celerybeat-schedule"],
        start_new_session=True,
    )
    web = subprocess.Popen([sys.executable, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
                           start_new_session=True)
    print(f"\nLinli is running at http://{host}:{port}/  (admin: /admin/, API docs: /api/docs/). Ctrl-C stops it.\n",
          flush=True)
    procs = [web, worker]
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


if __name__ == "__main__":
    sys.exit(main())
