"""Lambda function URLs: a side door around API Gateway unless they require IAM.

A function URL with ``AuthType NONE`` lets anyone on the internet invoke the function; pulumi-aws (like the
Lambda console) adds the public ``lambda:InvokeFunctionUrl`` permission itself, so no ``Permission``
resource shows it (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). When the function also
serves an API behind an authorizer, the URL bypasses the authorizer. Permissions for function URLs
(``functionUrlAuthType``, ``invokedViaFunctionUrl``) with auth type ``NONE`` or principal ``*`` are the same
door. Declared public with a reason (``publicFunctionUrls`` in the pack config), they pass.
"""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.exemptions import (
    PUBLIC_FUNCTION_URLS,
    PUBLIC_FUNCTION_URLS_SCHEMA,
    Exemption,
    exempted,
    from_config,
)
from securedapi.policy.rules.common import resource_names
from securedapi.policy.rules.lambda_permissions import APIGATEWAY, is_function_url_grant
from securedapi.policy.values import (
    FUNCTION_URL,
    HTTP_INTEGRATION,
    LAMBDA_FUNCTION,
    LAMBDA_PERMISSION,
    REST_INTEGRATION,
    UNKNOWN,
    Graph,
    describe,
    get,
)

FUNCTION_URL_AUTH = "lambda-function-url-requires-auth"


def function_of(graph: Graph, resource: PolicyResource, prop: str) -> PolicyResource | None:
    """The Lambda function of the stack that ``resource.<prop>`` names (by dependency, name, ARN or id)."""
    deps = graph.dependencies_of(resource, prop, LAMBDA_FUNCTION)
    if deps:
        return deps[0]
    value = get(graph.props(resource), prop)
    if not isinstance(value, str):
        return None
    for function in graph.of_type(LAMBDA_FUNCTION):
        props = graph.props(function)
        arn = get(props, "arn")
        qualified = isinstance(arn, str) and value.startswith(arn + ":")
        if value in (get(props, "name"), get(props, "id"), arn) or qualified:
            return function
    return None


def behind_api(graph: Graph) -> dict[str, str]:
    """Function URN -> what lets API Gateway invoke it (a Permission or an integration of the stack)."""
    found: dict[str, str] = {}
    for permission in graph.of_type(LAMBDA_PERMISSION):
        function = function_of(graph, permission, "function")
        if function is not None and get(graph.props(permission), "principal") == APIGATEWAY:
            found.setdefault(function.urn, f"Permission {permission.name!r} lets API Gateway invoke it")
    for kind, prop in ((HTTP_INTEGRATION, "integrationUri"), (REST_INTEGRATION, "uri")):
        for integration in graph.of_type(kind):
            for function in graph.dependencies_of(integration, prop, LAMBDA_FUNCTION):
                found.setdefault(function.urn, f"{describe(integration.resource_type, integration.name)} targets it")
    return found


def _fix(name: str, setting: str = "authorizationType 'AWS_IAM'") -> str:
    return (
        f"Fix: {setting} (callers sign with SigV4; to serve browsers put CloudFront in front with "
        "an origin access control of type 'lambda'), or declare it public with a reason: a pack-config exemption "
        f'{{"{FUNCTION_URL_AUTH}": {{"{PUBLIC_FUNCTION_URLS}": [{{"function": "{name}", "reason": "<why>"}}]}}}}.'
    )


def _exempted(graph: Graph, exemptions: list[Exemption], resource: PolicyResource, prop: str) -> tuple[bool, str, str]:
    """(live exemption?, the function's name for messages, expired note)."""
    function = function_of(graph, resource, prop)
    names = resource_names(graph, resource, function)
    value = get(graph.props(resource), prop)
    if isinstance(value, str) and value not in names:
        names.append(value)
    applies, expired = exempted(exemptions, names)
    label = function.name if function is not None else str(value if value is not UNKNOWN else "?")
    return applies, label, expired


def _function_url_requires_auth(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    exemptions = from_config(args.get_config(), PUBLIC_FUNCTION_URLS, FUNCTION_URL_AUTH, report_violation)
    urls = graph.of_type(FUNCTION_URL)
    behind = behind_api(graph) if urls else {}
    for url in urls:
        if get(graph.props(url), "authorizationType") != "NONE":
            continue  # AWS_IAM, or unknown during preview
        live, label, expired = _exempted(graph, exemptions, url, "functionName")
        if live:
            continue
        function = function_of(graph, url, "functionName")
        api = behind.get(function.urn) if function is not None else None
        bypass = f" The function also serves API Gateway ({api}): the URL bypasses the API's authorizer." if api else ""
        report_violation(
            f"Lambda function URL {url.name!r} ({describe(url.resource_type, url.name)}) of function {label!r} has "
            "authorization NONE: anyone on the internet can invoke the function at its URL (the provider adds "
            f"the public lambda:InvokeFunctionUrl permission itself).{bypass}{expired} {_fix(label)}",
            url.urn,
        )
    for permission in graph.of_type(LAMBDA_PERMISSION):
        props = graph.props(permission)
        if not is_function_url_grant(props):
            continue
        auth, principal = get(props, "functionUrlAuthType"), get(props, "principal")
        if auth != "NONE" and principal != "*":
            continue
        live, label, expired = _exempted(graph, exemptions, permission, "function")
        if live:
            continue
        who = "any caller, unsigned" if auth == "NONE" else "any principal ('*'), of any AWS account,"
        report_violation(
            f"Lambda permission {permission.name!r} lets {who} invoke function {label!r} through its function URL "
            f"(functionUrlAuthType {auth or 'missing'}, principal {principal!r}).{expired} "
            + _fix(label, "functionUrlAuthType 'AWS_IAM' with the caller as principal"),
            permission.urn,
        )


function_url_requires_auth = StackValidationPolicy(
    name=FUNCTION_URL_AUTH,
    description="Lambda function URLs (and function-URL permissions) must require IAM (AWS_IAM) unless declared public "
    "with a reason; with authorization NONE anyone can invoke the function, around any API authorizer.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_function_url_requires_auth,
    config_schema=PolicyConfigSchema(properties={PUBLIC_FUNCTION_URLS: PUBLIC_FUNCTION_URLS_SCHEMA}),
    remediation_steps="Set the function URL's authorizationType AWS_IAM (CloudFront with a lambda origin access "
    "control for browsers), or add a publicFunctionUrls exemption with a reason.",
    tags=["lambda", "authorization"],
)
