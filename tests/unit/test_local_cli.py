"""`securedapi local` options reach the local stack (without starting it)."""

from pathlib import Path
from typing import Any

import pytest

from securedapi.local import cli
from securedapi.local.stack import LocalStack


def test_auth_web_and_strict_options_reach_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def prepare(self: LocalStack) -> None:
        seen.update(auth=self.auth_port, web=self.web_port, strict=self.strict, url=self.web_url)
        raise KeyboardInterrupt  # stop before anything starts

    monkeypatch.setattr(LocalStack, "prepare", prepare)
    monkeypatch.setattr(cli.signal, "signal", lambda *args: None)  # keep pytest's own SIGTERM handling
    assert cli.serve_main(["--auth-port", "6001", "--web-port", "6173", "--strict"]) == 0
    assert seen == {"auth": 6001, "web": 6173, "strict": True, "url": "http://localhost:6173"}
    assert cli.serve_main([]) == 0
    assert (seen["auth"], seen["web"], seen["strict"]) == (5001, 5173, False)


def test_the_project_serves_its_web_page() -> None:
    stack = LocalStack(program_dir=Path(__file__).resolve().parents[2])
    assert stack.web_dir is not None and (stack.web_dir / "app.js").is_file()
