"""How much of a Lambda function's resource-based policy API Gateway invoke permissions take. Pure, stdlib only.

Lambda stores each ``AddPermission`` grant as one statement of the function's resource-based policy and
refuses a grant that would make the policy larger than the quota "Function resource-based policy: 20 KB"
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): ``PolicyLengthExceededException``,
"The final policy size (20749) is bigger than the limit (20480)". One statement per route of a function
that serves many routes passes it at ``pulumi up`` after a few dozen routes (fewer, the longer their paths).

The estimate is an upper bound of the compact JSON that AWS stores, with the values the component cannot
know when it declares the permissions taken at their longest.
"""

import json
from collections.abc import Iterable, Sequence

from securedapi.routes import Route

FUNCTION_RESOURCE_POLICY_QUOTA_BYTES = 20 * 1024
"""Lambda quota "Function resource-based policy: 20 KB": 20480 bytes, as PolicyLengthExceededException counts."""

STATEMENT_ID_MAX_LENGTH = 100
"""AddPermission ``StatementId``: 1 to 100 characters
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html). pulumi-aws auto-names the statement
id like a physical name (logical name, "-", random suffix; at most 100), and the stack's autonaming config
can change that pattern: the component cannot know it, so the longest id is assumed."""

FUNCTION_NAME_MAX_LENGTH = 64
"""CreateFunction ``FunctionName``: at most 64 characters (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html)."""

API_ID_LENGTH = 10
"""API Gateway API ids are 10 characters."""

ACCOUNT_ID_LENGTH = 12
"""AWS account ids are 12 digits."""

LONGEST_PARTITION = "aws-us-gov"
"""The longest AWS partition id (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc)."""

LONGEST_REGION = "us-isof-south-1"
"""The longest AWS region name."""

WHOLE_API_PERMISSION_PATH = "*"
"""``{executionArn}/*/*``: every stage, method, path and ``$default`` (``*`` in ArnLike also spans ``/``)."""

_HTML_ESCAPED = "<>&='"
"""Characters an HTML-safe JSON encoder (Gson's default, say) writes as ``\\u00XX``: counted as 6 bytes each."""


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _longest_arn(service: str, resource: str) -> str:
    account = "0" * ACCOUNT_ID_LENGTH
    return f"arn:{LONGEST_PARTITION}:{service}:{LONGEST_REGION}:{account}:{resource}"


def invoke_statement(statement_id: str, function_arn: str, source_arn: str) -> dict[str, object]:
    """The statement Lambda stores for an API Gateway invoke permission (AddPermission with a SourceArn)."""
    return {
        "Sid": statement_id,
        "Effect": "Allow",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": function_arn,
        "Condition": {"ArnLike": {"AWS:SourceArn": source_arn}},
    }


def policy_document(statements: Sequence[dict[str, object]]) -> dict[str, object]:
    """A function's resource-based policy as Lambda's GetPolicy returns it."""
    return {"Version": "2012-10-17", "Id": "default", "Statement": list(statements)}


_STATEMENT_BASE_BYTES = len(
    _compact(
        invoke_statement(
            "s" * STATEMENT_ID_MAX_LENGTH,
            _longest_arn("lambda", "function:" + "f" * FUNCTION_NAME_MAX_LENGTH),
            _longest_arn("execute-api", "a" * API_ID_LENGTH + "/*/"),
        )
    )
)
_ENVELOPE_BYTES = len(_compact(policy_document([])))


def statement_bytes(permission_path: str) -> int:
    """Upper bound of the compact JSON size of the statement of one invoke permission whose SourceArn is
    ``{executionArn}/*/{permission_path}`` (``Route.permission_path``: ``GET/items/{id}``, ``$default``)."""
    escaped = json.dumps(permission_path)[1:-1]
    return _STATEMENT_BASE_BYTES + len(escaped) + 5 * sum(escaped.count(c) for c in _HTML_ESCAPED)


def policy_bytes(permission_paths: Iterable[str]) -> int:
    """Upper bound of the size of a policy holding one invoke statement per permission path."""
    sizes = [statement_bytes(path) for path in permission_paths]
    return _ENVELOPE_BYTES + sum(sizes) + max(len(sizes) - 1, 0)


def _per_route_budget() -> int:
    """Bytes the per-route statements of one function may take: the quota less the policy envelope and room for
    one whole-API statement more (with its separating comma).

    Pulumi creates new resources before it deletes the ones they replace, so when a function switches between
    per-route statements and its whole-API statement (routes added or removed), both sets exist for a moment.
    """
    return FUNCTION_RESOURCE_POLICY_QUOTA_BYTES - _ENVELOPE_BYTES - statement_bytes(WHOLE_API_PERMISSION_PATH) - 1


def fits_function_policy(permission_paths: Sequence[str]) -> bool:
    """True if one statement per path fits the quota with room for one whole-API statement more."""
    return policy_bytes(permission_paths) - _ENVELOPE_BYTES <= _per_route_budget()


def handlers_over_quota(routes: Sequence[Route]) -> dict[str, list[Route]]:
    """Handler -> its routes, for each handler whose per-route invoke permissions would not fit its function's
    resource-based policy (one function per handler)."""
    by_handler: dict[str, list[Route]] = {}
    for route in routes:
        if route.handler:
            by_handler.setdefault(route.handler, []).append(route)
    return {
        handler: own
        for handler, own in by_handler.items()
        if not fits_function_policy([r.permission_path for r in own])
    }


def handlers_needed(routes: Sequence[Route]) -> int:
    """A lower bound of how many handlers these routes need so that each function's per-route statements fit."""
    total = sum(statement_bytes(r.permission_path) + 1 for r in routes)  # each with its separating comma
    return -(-total // _per_route_budget())
