"""Browser tests: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright, headless, against the
session's local stack. Chromium maps ``localhost:5173`` (the dev stack's CORS origin and callback URL)
to the stack's web port, so the page runs on the very origin the program allows."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stack_harness import RunningStack

CHROMIUM = Path("/usr/bin/chromium")
DEV_ORIGIN = "http://localhost:5173"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser(stack: RunningStack) -> Iterator[Any]:
    """One Chromium for the module. Not session-wide: Playwright's sync API keeps an event loop running in
    this thread while it is started, which would break the other tests' asyncio runs."""
    if not CHROMIUM.is_file():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    mapping = f"--host-resolver-rules=MAP localhost:5173 127.0.0.1:{stack.web_port}"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*ARGS, mapping])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (cookies, storage) per test."""
    ctx = browser.new_context()
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()
