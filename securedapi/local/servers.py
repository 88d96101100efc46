"""Several uvicorn servers (API, managed login, web page) in one event loop, stopped together.

Ctrl-C (SIGINT) or SIGTERM asks every server to exit; ``on_ready`` runs once all of them listen. A
server that cannot start stops the others.
"""

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Site:
    """One application on one port."""

    name: str
    app: Any
    port: int
    lifespan: bool = False
    """Run the app's ASGI lifespan (the gateway's start-up and shutdown of its execution environments)."""


def _server(site: Site, host: str, access_log: bool) -> Any:
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # signals are handled once for all servers in serve_all

    config = uvicorn.Config(
        site.app,
        host=host,
        port=site.port,
        log_level="warning",
        access_log=access_log,
        lifespan="on" if site.lifespan else "off",
        server_header=False,
    )
    return _Server(config)


def serve_all(sites: list[Site], host: str, on_ready: Callable[[], None], *, access_log: bool = False) -> bool:
    """Serve every site until a signal; True when all had started."""
    servers = [_server(site, host, access_log) for site in sites]

    def stop(*_: Any) -> None:
        for server in servers:
            server.should_exit = True

    async def main() -> bool:
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        while not all(server.started for server in servers):
            if any(task.done() for task in tasks):
                stop()
                await asyncio.gather(*tasks, return_exceptions=True)
                return False
            await asyncio.sleep(0.01)
        on_ready()
        await asyncio.gather(*tasks, return_exceptions=True)
        return True

    if threading.current_thread() is not threading.main_thread():
        return _run(main())
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _run(main())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(main: Any) -> bool:
    """Run the servers' loop on uvloop when it is installed (what uvicorn itself picks), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return bool(runner.run(main))
