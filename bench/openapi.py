"""The OpenAPI document: build + render time and size for N routes, and openapi-spec-validator's time."""

import time

from securedapi.openapi import build_document, render
from securedapi.routes import parse_routes, preflight_routes

SIZES = (50, 200, 1000)
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench"
DOMAIN = "https://bench.auth.us-east-1.amazoncognito.com"


def routes(n: int) -> dict[str, dict[str, object]]:
    """N routes of mixed shapes: scoped, grouped, public, ANY and greedy."""
    shapes: dict[str, dict[str, object]] = {}
    for i in range(n):
        kind = i % 5
        if kind == 0:
            shapes[f"GET /items{i}/{{id}}"] = {"handler": "app.handler", "scopes": ["api/read"]}
        elif kind == 1:
            shapes[f"POST /items{i}"] = {"handler": "app.handler", "request_schema": {"type": "object"}}
        elif kind == 2:
            shapes[f"DELETE /items{i}/{{id}}"] = {"handler": "app.handler", "groups": ["admin"]}
        elif kind == 3:
            shapes[f"ANY /things{i}"] = {"handler": "app.handler"}
        else:
            shapes[f"GET /status{i}"] = {"handler": "app.handler", "public": "status page"}
    return shapes


def measure(n: int, runs: int = 3) -> tuple[float, int, dict[str, object]]:
    parsed = parse_routes(routes(n))
    preflight = preflight_routes(parsed)
    best, size, document = float("inf"), 0, {}
    for _ in range(runs):
        start = time.perf_counter()
        document = build_document("bench", parsed, issuer=ISSUER, preflight=preflight, auth_domain=DOMAIN)
        text = render(document)
        best, size = min(best, time.perf_counter() - start), len(text)
    return best, size, document


def main() -> None:
    for n in SIZES:
        seconds, size, _ = measure(n)
        print(f"openapi: {n:5d} routes  build+render {seconds * 1000:7.1f} ms (best of 3)  {size / 1024:7.0f} KiB")
    try:
        from openapi_spec_validator import validate
    except ImportError:  # a dev dependency
        return
    _, _, document = measure(200, runs=1)
    start = time.perf_counter()
    validate(document)
    print(f"openapi: openapi-spec-validator on the 200-route document {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
