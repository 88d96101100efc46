"""Benchmark a fresh machine's first run: ``git clone`` + ``make local`` until the stack is ready.

The clone gets an empty uv cache and no pip cache, as on a new machine (the packages come from the
index), and the figure is the wall time from ``make local`` to ``outputs.json`` (goal <= 45 s on 2 cores).
A second ``make local`` in the same clone (installed already) is timed as well.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 45.0


def _free_port() -> int:
    sys.path.insert(0, str(ROOT))
    from securedapi.local.emulator import free_port

    return free_port()


def time_make_local(clone: Path, env: dict[str, str], timeout: float = 300) -> float:
    """Seconds from ``make local`` to ``outputs.json``; the stack is then stopped with Ctrl-C."""
    state = clone / ".bench-state"
    ports = f"--api-port {_free_port()} --aws-port {_free_port()} --auth-port {_free_port()} --web-port {_free_port()}"
    ports += f" --docs-port {_free_port()} --state-dir {state}"
    started = time.monotonic()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "local", f"ARGS={ports}"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        while not (state / "outputs.json").is_file():
            if make.poll() is not None:
                raise SystemExit(f"make local exited with {make.returncode}: {make.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            if time.monotonic() - started > timeout:
                raise SystemExit(f"make local was not ready within {timeout} s")
            time.sleep(0.05)
        return time.monotonic() - started
    finally:
        os.killpg(make.pid, signal.SIGINT)
        try:
            make.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        clone = Path(tmp) / "securedapi"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        drop = ("VIRTUAL_ENV", "PYTHONPATH")
        env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("AWS_")}
        env.update(UV_CACHE_DIR=str(Path(tmp) / "uv-cache"), PIP_NO_CACHE_DIR="1")
        fresh = time_make_local(clone, env)
        again = time_make_local(clone, env)
    verdict = "ok" if fresh <= GOAL else "SLOW"
    print(
        f"install: fresh clone to ready (make local, empty caches) {fresh:.1f} s (goal <= {GOAL:.0f} s, {verdict}); "
        f"installed, make local to ready {again:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
