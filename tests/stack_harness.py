"""The session's local stack (the project's own program in a ``securedapi local`` subprocess), shared by the
end-to-end and browser tests: free ports, a private state directory, tokens through its managed login."""

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from securedapi.local.emulator import free_port
from securedapi.local.process import spawn, stop, wait_until_ready
from securedapi.local.tokens import get_tokens

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60.0


@dataclass
class RunningStack:
    """The session's local stack subprocess and what it wrote to outputs.json."""

    process: subprocess.Popen[str]
    outputs: dict[str, Any]
    state_dir: Path
    api_url: str
    startup_seconds: float
    web_port: int

    def token(self, user: str, *groups: str, id_token: bool = False) -> str:
        tokens = get_tokens(self.outputs, user, groups=tuple(groups))
        return tokens.id_token if id_token else tokens.access_token


def run_stack(state_dir: Path) -> Iterator[RunningStack]:
    started = time.monotonic()
    web_port = free_port()
    process = spawn(free_port(), free_port(), state_dir, program=ROOT, web_port=web_port)
    try:
        outputs = wait_until_ready(process, state_dir, STARTUP_TIMEOUT)
        yield RunningStack(process, outputs, state_dir, outputs["apiUrl"], time.monotonic() - started, web_port)
    finally:
        stop(process)
