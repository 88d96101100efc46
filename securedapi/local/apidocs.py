"""The API reference of the local stack on ``--docs-port``: the OpenAPI document and a Swagger UI page.

The document is the program's own: the ``openapi`` output of its ``SecuredHttpApi`` (the one the gateway
serves), or, for a program of plain ``aws:apigatewayv2`` resources, one built from the served routes by
:func:`securedapi.openapi.build_document`. Its ``servers`` and OAuth endpoints are rewritten to the local
API and the local managed login. Swagger UI's assets come from the installed ``swagger-ui-bundle-v2``
package (nothing is fetched from the internet: the page's Content-Security-Policy allows this origin
only). The page is a reference: "Try it out" is off, since the API's CORS origins do not include this
port; call the API with ``securedapi token`` and curl.

    /               the reference page
    /openapi.json   the document
    /swagger-ui/    Swagger UI's files
"""

import json
from html import escape
from typing import Any

from securedapi.local.model import ApiModel
from securedapi.openapi import build_document, render
from securedapi.routes import Route

SECURED_HTTP_API = "securedapi:index:SecuredHttpApi"
DOCUMENT_PATH = "/openapi.json"
ASSETS_PATH = "/swagger-ui"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'"
)
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <link rel="icon" href="{assets}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="/init.js"></script>
</body>
</html>
"""
_INIT = """window.ui = SwaggerUIBundle({
  url: %s,
  dom_id: "#swagger-ui",
  deepLinking: true,
  supportedSubmitMethods: [],
  validatorUrl: null
});
"""


def program_document(recording: Any, model: ApiModel) -> dict[str, Any]:
    """The served API's document: its SecuredHttpApi's ``openapi`` output, else built from the served routes."""
    components = [c for c in recording.of_type(SECURED_HTTP_API) if isinstance(c.outputs.get("openapi"), str)]
    served = [c for c in components if c.outputs.get("apiId") == model.api_id] or components
    if served:
        document: dict[str, Any] = json.loads(served[0].outputs["openapi"])
        return document
    routes = []
    for key, target in model.targets.items():
        open_route = target.authorization_type == "NONE"
        reason = "declared with authorizationType NONE" if open_route else None
        route = target.route
        routes.append(Route(key, route.method, route.path, public=reason, scopes=target.scopes))
    issuer = next((t.authorizer.issuer for t in model.targets.values() if t.authorizer), "")
    return build_document(model.api_id, routes, issuer=issuer)


def localize(document: dict[str, Any], api_url: str, domain: str) -> dict[str, Any]:
    """The document with the local API as its server and the local managed login's OAuth endpoints."""
    local = {**document, "servers": [{"url": api_url, "description": "the local stack"}]}
    schemes = (local.get("components") or {}).get("securitySchemes") or {}
    for scheme in schemes.values():
        for flow in (scheme.get("flows") or {}).values():
            if "authorizationUrl" in flow:
                flow["authorizationUrl"] = f"{domain}/oauth2/authorize"
            for key in ("tokenUrl", "refreshUrl"):
                if key in flow:
                    flow[key] = f"{domain}/oauth2/token"
    return local


def docs_app(document: dict[str, Any], title: str) -> Any:
    """The Starlette app of the reference page, the document and Swagger UI's assets."""
    import swagger_ui_bundle
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    text = render(document, pretty=True)
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"}
    page_html = _PAGE.format(title=escape(title), assets=ASSETS_PATH)
    init = _INIT % json.dumps(DOCUMENT_PATH)

    async def page(request: Request) -> Response:
        return HTMLResponse(page_html, headers=headers)

    async def init_js(request: Request) -> Response:
        return Response(init, media_type="text/javascript", headers=headers)

    async def openapi(request: Request) -> Response:
        return Response(text, media_type="application/json", headers=headers)

    return Starlette(
        routes=[
            Route("/", page),
            Route("/init.js", init_js),
            Route(DOCUMENT_PATH, openapi),
            Mount(ASSETS_PATH, StaticFiles(directory=str(swagger_ui_bundle.swagger_ui_path))),
        ]
    )
