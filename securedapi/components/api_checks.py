"""Validation of :class:`~securedapi.components.secured_http_api.SecuredHttpApi` args: everything API Gateway,
Lambda, CloudWatch Logs, IAM or the AWS provider would refuse, and what we consider unsafe, before any child
resource exists."""

import json
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NoReturn

import pulumi

from securedapi import cors
from securedapi.components.api_document import validate_document_args
from securedapi.components.checks import (
    arn_problem,
    configured_region,
    in_range,
    is_plain,
    region_problem,
    retention_problem,
    zone_id_problem,
)
from securedapi.components.code import CodeError, check_code_path, check_handler
from securedapi.routes import Route, RouteError, parse_routes, parse_scopes, preflight_routes
from securedapi.urls import host_problem

RUNTIMES = ("python3.12", "python3.13", "python3.14")
RESERVED_VARIABLES = ("ROUTE_GROUPS", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR")
"""Set by the component (``ROUTE_GROUPS``) or by the Lambda runtime (also every ``AWS_*`` name)."""
MAX_ENVIRONMENT_BYTES = 4096
"""Lambda's limit on a function's environment variables (keys and values together)."""
_VARIABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]+$")
"""Lambda's pattern for environment variable names (CreateFunction: ``[a-zA-Z]([a-zA-Z0-9_])+``)."""


def _fail(arg: str, message: str) -> NoReturn:
    raise ValueError(f"SecuredHttpApi args.{arg}: {message}")


def _check_int(args: Mapping[str, object], key: str, low: float, high: float, *, number: bool = False) -> None:
    value = args.get(key)
    if value is not None and not in_range(value, low, high, integer=not number):
        _fail(key, f"must be a number between {low} and {high}, got {value!r}")


def validate_api_args(args: Mapping[str, Any], known: Collection[str], name: str = "api") -> list[Route]:
    """Validate every argument; return the parsed routes (incl. the preflight routes when CORS needs them)."""
    unknown = set(args) - set(known)
    if unknown:
        _fail(sorted(unknown)[0], f"unknown argument; expected one of {sorted(known)}")
    for key in ("routes", "code_path", "issuer", "audiences"):
        if args.get(key) is None:
            _fail(key, "is required")
    region = configured_region()
    if region is not None and region_problem(region):
        raise ValueError(f"SecuredHttpApi: the stack's aws:region {region_problem(region)}")
    if len(f"{name}-jwt") > 128:
        raise ValueError(f"SecuredHttpApi name {name!r}: at most 124 characters (the authorizer is named '<name>-jwt')")
    try:
        routes = parse_routes(args["routes"])
        parse_scopes(args.get("default_scopes"), "default_scopes")
    except RouteError as exc:
        raise ValueError(f"SecuredHttpApi args.{exc}") from None
    _check_code(args, routes)
    _check_jwt(args)
    if args.get("runtime", "python3.12") not in RUNTIMES:
        _fail("runtime", f"must be one of {', '.join(RUNTIMES)}, got {args.get('runtime')!r}")
    _check_int(args, "memory_size", 128, 10240)
    _check_int(args, "timeout", 1, 29)
    _check_int(args, "cors_max_age", 0, 86400)
    _check_int(args, "throttling_burst_limit", 0, 5000)
    _check_int(args, "throttling_rate_limit", 0, 10000, number=True)
    retention = args.get("log_retention_days")
    if retention is not None and retention_problem(retention):
        _fail("log_retention_days", str(retention_problem(retention)))
    if retention == 0:
        pulumi.log.warn("SecuredHttpApi args.log_retention_days: 0 keeps the access and function logs forever")
    try:
        cors.validate(args)
    except cors.CorsError as exc:
        _fail(exc.arg, str(exc))
    _check_environment(args.get("environment") or {})
    _check_policies(args.get("policy_documents") or [])
    _check_domain(args, region)
    validate_document_args(args, routes)
    if cors.enabled(args):
        routes.extend(preflight_routes(routes))
    return routes


def _check_code(args: Mapping[str, Any], routes: Sequence[Route]) -> None:
    """``code_path`` is a directory and every handler's module in it defines the handler's function."""
    try:
        code_path = check_code_path(args["code_path"])
        first_use: dict[str, str] = {}  # each handler is checked once, on the first route that names it
        for route in routes:
            if route.handler:
                first_use.setdefault(route.handler, route.key)
        for handler, key in first_use.items():
            check_handler(code_path, handler, f"routes[{key!r}].handler")
    except CodeError as exc:
        _fail(exc.arg, str(exc))


def _check_jwt(args: Mapping[str, Any]) -> None:
    issuer = args["issuer"]
    if is_plain(issuer) and (not isinstance(issuer, str) or not issuer.startswith("https://")):
        _fail("issuer", f"must be an https URL, got {issuer!r}")
    audiences = args["audiences"]
    if isinstance(audiences, str) or not isinstance(audiences, Sequence) or not audiences:
        _fail("audiences", f"at least one audience (app client id) is required, got {audiences!r}")
    for audience in audiences:
        if is_plain(audience) and (not isinstance(audience, str) or not audience or "*" in audience):
            _fail("audiences", f"invalid audience {audience!r} (a client id, no wildcards)")


def _check_environment(environment: Mapping[str, Any]) -> None:
    size = 0
    for key, value in environment.items():
        if not isinstance(key, str) or not _VARIABLE.match(key) or key.startswith("AWS_") or key in RESERVED_VARIABLES:
            _fail(
                "environment",
                f"invalid or reserved variable name {key!r} (Lambda: a letter, then letters, digits or _; "
                "AWS_*, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR and ROUTE_GROUPS are reserved)",
            )
        if is_plain(value) and not isinstance(value, str):
            _fail(f"environment[{key!r}]", f"must be a string, got {value!r}")
        size += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
    if size > MAX_ENVIRONMENT_BYTES:
        _fail("environment", f"{size} bytes of variables; Lambda allows {MAX_ENVIRONMENT_BYTES} per function")


def _check_policies(documents: Sequence[Any]) -> None:
    """Plain policy documents must be IAM JSON objects (the provider refuses anything else at preview)."""
    for i, document in enumerate(documents):
        if not is_plain(document):
            continue
        try:
            parsed = json.loads(document) if isinstance(document, str) else None
        except ValueError as exc:
            _fail(f"policy_documents[{i}]", f"is not valid JSON: {exc}")
        if not isinstance(parsed, dict) or "Statement" not in parsed:
            _fail(f"policy_documents[{i}]", "must be an IAM policy document: a JSON object with a Statement")


def _check_domain(args: Mapping[str, Any], region: str | None) -> None:
    domain, zone = args.get("custom_domain"), args.get("hosted_zone_id")
    if domain is None:
        if zone is not None:
            _fail("hosted_zone_id", "needs custom_domain")
        return
    problem = host_problem(domain)
    if problem:
        _fail("custom_domain", f"{domain!r} {problem}")
    certificate = args.get("certificate_arn")
    if certificate is None:
        _fail("certificate_arn", "is required with custom_domain (a regional ACM certificate)")
    # A regional custom domain takes its certificate from ACM in the API's own region.
    problem = arn_problem(certificate, "acm", "certificate/", region=region)
    if problem:
        _fail("certificate_arn", f"{problem} (a regional ACM certificate in the API's region)")
    if zone is not None and zone_id_problem(zone):
        _fail("hosted_zone_id", str(zone_id_problem(zone)))
