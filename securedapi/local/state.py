"""``outputs.json``: written when the local stack is ready, removed when it stops, never trusted after a crash.

The file carries the stack's ``pid`` and ``startTime`` (the process's start time as the kernel reports it,
so a recycled pid is not mistaken for the stack). :func:`read_live_outputs` returns the outputs only while
that process runs; a file left by a stack that was killed (``kill -9``, a crash, a reboot) is reported as
stale, and the next ``securedapi local`` replaces it.
"""

import json
import os
from pathlib import Path
from typing import Any


class StaleOutputsError(RuntimeError):
    """``outputs.json`` exists but the stack that wrote it is gone."""


def process_start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux ``/proc``); None if unknown or not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22 (starttime); the command name (field 2) is in parentheses and may contain spaces.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def is_running(pid: Any, start_time: Any) -> bool:
    """Whether the process that wrote an ``outputs.json`` still runs."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists (someone else's process): the start time decides
    current = process_start_time(pid)
    if current is None:  # no /proc (macOS, Windows): the pid is all there is to check
        return not Path("/proc").is_dir()
    return start_time is not None and str(start_time) == current


def write_outputs(path: Path, outputs: dict[str, Any]) -> None:
    """Write ``outputs`` with this process's ``pid`` and ``startTime``, atomically (its appearance means ready)."""
    record = {**outputs, "pid": os.getpid(), "startTime": process_start_time(os.getpid())}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def read_live_outputs(path: Path) -> dict[str, Any]:
    """The outputs of the running stack; :class:`FileNotFoundError` or :class:`StaleOutputsError` otherwise."""
    try:
        outputs: dict[str, Any] = json.loads(path.read_text())
    except ValueError:
        raise StaleOutputsError(f"{path} is not valid JSON; start the local stack again") from None
    if not is_running(outputs.get("pid"), outputs.get("startTime")):
        raise StaleOutputsError(
            f"{path} was left by a local stack that is no longer running (pid {outputs.get('pid')}); "
            "start the local stack (make local / securedapi local)"
        )
    return outputs
