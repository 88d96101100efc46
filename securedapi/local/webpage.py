"""The dashboard web page on ``--web-port``: the program's ``web/`` directory and its ``config.json``.

The page is static; its configuration comes from the stack outputs (``config.json`` here is built from
the local stack's outputs, and a deployed stack's page gets the same keys from ``pulumi stack output``),
so the same files work locally and in AWS. ``/callback`` (the OAuth redirect) serves ``index.html``.
"""

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

CONFIG_KEYS = ("apiUrl", "domain", "userPoolClientId", "region", "loginUrl", "tokenEndpoint", "mailboxUrl")
NO_CACHE = {"Cache-Control": "no-cache"}


def web_config(outputs: dict[str, Any]) -> dict[str, Any]:
    """What the page needs from the stack outputs (and nothing secret)."""
    return {key: outputs[key] for key in CONFIG_KEYS if outputs.get(key)}


def web_app(web_dir: Path, outputs: dict[str, Any]) -> Starlette:
    """Serve ``web_dir`` with ``/config.json`` from ``outputs`` (read per request: outputs may be filled late)."""
    index = web_dir / "index.html"

    async def config(request: Request) -> Response:
        return JSONResponse(web_config(outputs), headers=NO_CACHE)

    async def page(request: Request) -> Response:
        return FileResponse(index, headers=NO_CACHE)

    return Starlette(
        routes=[
            Route("/config.json", config),
            Route("/", page),
            Route("/callback", page),
            Mount("/", StaticFiles(directory=web_dir)),
        ]
    )
