"""WebSocket APIs: only ``$connect`` can carry authorization, so ``$connect`` must have it.

API Gateway authorizes a WebSocket connection once, on its ``$connect`` route (``NONE``, ``AWS_IAM`` or
``CUSTOM`` with a Lambda ``REQUEST`` authorizer); ``$disconnect``, ``$default`` and custom route keys run on
the connection already accepted and take no authorization; AWS recommends an authorizer on ``$connect`` for
every WebSocket API
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-control-access.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
A WebSocket API without a ``$connect`` route accepts every connection. So: a WebSocket API (protocolType
``WEBSOCKET``) with no ``$connect`` route, or with ``$connect`` unauthorized, is open unless ``$connect`` is
declared public with a reason (a ``publicRoutes`` exemption); no other WebSocket route is reported.
"""

from pulumi_policy import PolicyResource

from securedapi.policy.exemptions import Exemption, exempted
from securedapi.policy.rules.common import ROUTE_AUTH, how_to_fix, is_http_route_key, resource_names
from securedapi.policy.values import HTTP_API, HTTP_ROUTE, UNKNOWN, Graph, describe, get, truthy

CONNECT = "$connect"
WEBSOCKET_ONLY = ("routeResponseSelectionExpression", "modelSelectionExpression", "requestModels")
"""Route properties API Gateway supports on WebSocket APIs only."""
FIX = (
    "set authorizationType 'CUSTOM' with authorizerId (a Lambda REQUEST authorizer reading the token from a "
    "query string parameter or header) or 'AWS_IAM' on the $connect route"
)


def is_websocket_api(graph: Graph, api: PolicyResource | None) -> bool:
    return api is not None and get(graph.props(api), "protocolType") == "WEBSOCKET"


def is_websocket_route(graph: Graph, route: PolicyResource, key: str, api: PolicyResource | None) -> bool:
    """A route of a WebSocket API: its API says so, or (API not in the stack) its key or properties do."""
    if api is not None:
        return is_websocket_api(graph, api)
    if not is_http_route_key(key):
        return True
    props = graph.props(route)
    return any(get(props, p) not in (None, UNKNOWN) for p in WEBSOCKET_ONLY) or truthy(get(props, "apiKeyRequired"))


def connect_problem(
    graph: Graph, route: PolicyResource, api_name: str, names: list[str], exemptions: list[Exemption]
) -> str | None:
    """Why an unauthorized ``$connect`` route is unacceptable (None when it is declared public)."""
    applies, expired = exempted(exemptions, names, CONNECT)
    if applies:
        return None
    auth = get(graph.props(route), "authorizationType")
    return (
        f"WebSocket route '$connect' ({describe(route.resource_type, route.name)}) on API {api_name!r} has no "
        f"authorization (authorizationType {auth or 'missing'}): every client may connect and then send to every "
        f"route of the API, which take no authorization themselves.{expired} "
        + how_to_fix(ROUTE_AUTH, api_name, CONNECT, FIX, component=False)
    )


def missing_connect_problems(graph: Graph, exemptions: list[Exemption]) -> list[tuple[str, str]]:
    """(message, urn) for each WebSocket API of the stack without a ``$connect`` route."""
    apis = [api for api in graph.of_type(HTTP_API) if is_websocket_api(graph, api)]
    if not apis:
        return []
    keys: dict[str, list[object]] = {}
    for route in graph.of_type(HTTP_ROUTE):
        api = graph.linked(route, "apiId", HTTP_API)
        if api is None:
            if get(graph.props(route), "apiId") is UNKNOWN:
                return []  # some route may belong to any of them (preview)
            continue
        keys.setdefault(api.urn, []).append(get(graph.props(route), "routeKey"))
    problems = []
    for api in apis:
        found = keys.get(api.urn, [])
        if CONNECT in found or UNKNOWN in found:
            continue
        applies, expired = exempted(exemptions, resource_names(graph, api), CONNECT)
        if applies:
            continue
        problems.append(
            (
                f"WebSocket API {api.name!r} has no '$connect' route, so API Gateway accepts every connection "
                f"without authorization, and no other WebSocket route can carry authorization.{expired} "
                + how_to_fix(ROUTE_AUTH, api.name, CONNECT, f"add a '$connect' route and {FIX}", component=False),
                api.urn,
            )
        )
    return problems
