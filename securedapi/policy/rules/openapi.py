"""Routes and methods defined by OpenAPI bodies: the operations API Gateway imports without authorization.

``aws.apigatewayv2.Api(body=...)``, ``aws.apigateway.RestApi(body=...)`` and ``aws.apigateway.RestApiPut``
create routes/methods that no ``Route``/``Method`` resource shows. Each operation without effective
security (see :mod:`securedapi.policy.openapi`) is reported on the resource holding the body, naming the
method and path; pack-config ``publicRoutes`` exemptions (API logical name + route key) apply as for
``Route`` resources. A body unknown during preview is not a violation.
"""

from typing import Any

from pulumi_policy import PolicyResource

from securedapi.policy.exemptions import Exemption, exempted
from securedapi.policy.openapi import Document, OpenApiError, Operation, load
from securedapi.policy.rules.common import how_to_fix, resource_names
from securedapi.policy.values import REST_API, REST_API_PUT, UNKNOWN, Graph, Unknown, describe, get, kind_of
from securedapi.routes import is_catch_all_key


def contains_unknown(value: Any) -> bool:
    """True if ``value`` or anything inside it is unknown (preview)."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def body_document(graph: Graph, resource: PolicyResource) -> Document | Unknown | str | None:
    """The resource's parsed ``body``: None without one, UNKNOWN while unknown, a message if unreadable."""
    body = get(graph.props(resource), "body")
    if body is None or body == "":
        return None
    if contains_unknown(body):
        return UNKNOWN
    try:
        return load(body)
    except OpenApiError as exc:
        return (
            f"{describe(resource.resource_type, resource.name)} has a body that is not an OpenAPI document: {exc}. "
            "API Gateway rejects it, and the pack cannot tell which of its routes are open. Fix: give an "
            "OpenAPI 3 (or Swagger 2) document as JSON or YAML."
        )


def body_names(graph: Graph, resource: PolicyResource) -> tuple[str, list[str]]:
    """The API a body's routes belong to (for RestApiPut: its REST API's name, or id when not in the stack) and the
    names an exemption may use for them: that API, the resource holding the body, their components."""
    if kind_of(resource.resource_type) != REST_API_PUT:
        return resource.name, resource_names(graph, resource)
    api = graph.linked(resource, "restApiId", REST_API)
    outside = get(graph.props(resource), "restApiId")
    target = api.name if api is not None else str(outside if isinstance(outside, str) else "?")
    names = resource_names(graph, api, resource)
    return target, names if target in names else [target, *names]


def open_operations(
    graph: Graph,
    resource: PolicyResource,
    exemptions: list[Exemption],
    policy: str,
    *,
    rest: bool,
) -> list[str]:
    """Messages for the operations of ``resource``'s body that are open (HTTP API routes or REST API methods)."""
    document = body_document(graph, resource)
    if isinstance(document, str):
        return [document]
    if not isinstance(document, Document):
        return []  # no body, or unknown during preview
    target, names = body_names(graph, resource)
    cors = document.cors or bool(get(graph.props(resource), "corsConfiguration"))
    what = "REST API" if rest else "HTTP API"
    owner = f"{what} {resource.name!r}"
    if kind_of(resource.resource_type) == REST_API_PUT:
        owner = f"{describe(resource.resource_type, resource.name)} (into REST API {target!r})"
    authorizer = (
        "a cognito_user_pools, token or request x-amazon-apigateway-authorizer (or x-amazon-apigateway-authtype "
        "awsSigv4)"
        if rest
        else "an x-amazon-apigateway-authorizer (type jwt or request) or awsSigv4"
    )
    messages = []
    for op in document.operations:
        problem = _operation_problem(op, cors=cors, rest=rest)
        if problem is None:
            continue
        where = f"{owner} imports {'method' if rest else 'route'} {op.key!r} from its OpenAPI body"
        if problem == "catch-all":
            messages.append(
                f"{where} without authorization ({op.why_open}), and it answers every request: it can never be "
                f"public, whatever reason is declared for it. Fix: give the operation (or the document) a security "
                f"requirement naming {authorizer}."
            )
            continue
        applies, expired = exempted(exemptions, names, op.key)
        if applies:
            continue
        secure = f"give the operation (or the document) a security requirement naming {authorizer}"
        messages.append(
            f"{where} without authorization: {op.why_open}.{problem}{expired} "
            + how_to_fix(policy, target, op.key, secure, component=False)
        )
    return messages


def _operation_problem(op: Operation, *, cors: bool, rest: bool) -> str | None:
    """None when the operation is fine; "catch-all"; else extra advice for the message ('' when none)."""
    if op.authorization is not None:
        return None
    if is_catch_all_key(op.key):
        return "catch-all"
    if op.method == "OPTIONS":
        if (rest and op.mock) or (not rest and cors):
            return None  # the CORS preflight: browsers send it without a token
        return (
            " An OPTIONS operation is a CORS preflight only with a mock x-amazon-apigateway-integration."
            if rest
            else " An OPTIONS operation is a CORS preflight only on an API with CORS (x-amazon-apigateway-cors or "
            "corsConfiguration)."
        )
    return ""
