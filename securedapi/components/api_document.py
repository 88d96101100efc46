"""SecuredHttpApi's OpenAPI document: the checks of the args it reads and the output that carries it.

The document itself is built by the pure :mod:`securedapi.openapi`; this module wires it to the
component's outputs (issuer, invoke URL, managed-login domain) and validates what the document reads
before any child exists: each route's ``request_schema`` / ``response_schema`` against its JSON Schema
meta-schema (2020-12 unless the schema names another ``$schema``), and ``auth_domain``.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from securedapi.openapi import build_document, render
from securedapi.routes import Route
from securedapi.urls import url_problem


def validate_document_args(args: Mapping[str, Any], routes: Sequence[Route]) -> None:
    """Raise ``ValueError`` naming the arg for an invalid JSON Schema or managed-login domain."""
    for route in routes:
        for arg, schema in (("request_schema", route.request_schema), ("response_schema", route.response_schema)):
            problem = schema_problem(schema) if schema is not None else None
            if problem:
                raise ValueError(f"SecuredHttpApi args.routes[{route.key!r}].{arg}: not a valid JSON Schema: {problem}")
    domain = args.get("auth_domain")
    if isinstance(domain, str):
        problem = url_problem(domain)
        if problem is None and domain.rstrip("/").count("/") > 2:
            problem = "must be the domain's base URL without a path (CognitoIdentity.domain)"
        if problem:
            raise ValueError(f"SecuredHttpApi args.auth_domain: {domain!r} {problem}")
    elif domain is not None and not isinstance(domain, pulumi.Output):
        raise ValueError(f"SecuredHttpApi args.auth_domain: expected a URL string, got {domain!r}")


def schema_problem(schema: Mapping[str, Any]) -> str | None:
    """Why ``schema`` is not a valid JSON Schema (checked against its meta-schema), or None."""
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import Draft202012Validator, validator_for

    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        where = "".join(f"[{p!r}]" for p in exc.path)
        return f"{exc.message}{f' (at {where})' if where else ''}"
    return None


def document_output(
    name: str, args: Mapping[str, Any], routes: Sequence[Route], api_url: pulumi.Output[str]
) -> pulumi.Output[str]:
    """The OpenAPI 3.1 document as JSON, once the issuer, the invoke URL and the domain are known.

    ``routes`` are the validated routes, preflight routes (the ones without a handler) included.
    """
    declared = [r for r in routes if r.handler is not None]
    preflight = [r for r in routes if r.handler is None]
    custom_domain = args.get("custom_domain")

    def build(values: list[Any]) -> str:
        issuer, url, domain = values
        servers = [*([f"https://{custom_domain}"] if custom_domain else []), *([url] if url else [])]
        document = build_document(
            name,
            declared,
            preflight=preflight,
            issuer=issuer,
            servers=servers,
            auth_domain=domain,
            default_scopes=list(args.get("default_scopes") or []),
        )
        return render(document)

    return pulumi.Output.all(args["issuer"], api_url, args.get("auth_domain")).apply(build)
