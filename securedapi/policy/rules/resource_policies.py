"""REST API resource policies that grant ``Principal: "*"`` without a condition on the source.

Mandatory, but only where the grant opens a door, as AWS documents resource-policy evaluation
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html):

* for methods with ``AWS_IAM`` authorization, a resource policy that allows a principal lets it in even
  from another account (table B: the caller's own IAM policy plus the resource policy). ``Principal: "*"``
  is every IAM identity of every AWS account;
* a ``PRIVATE`` API is reachable through VPC endpoints "in any account"
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies.html); AWS's
  private-API policies restrict ``aws:SourceVpce``/``aws:SourceVpc``. Without that, any account's endpoint
  can call it.

For other APIs (edge or regional, methods authorized by Cognito, a Lambda authorizer or nothing), an
``Allow`` to ``"*"`` grants no more than having no resource policy (table A): the methods' own authorization
decides, and ``apigw-rest-method-requires-auth`` enforces that. Such policies are not reported.

A source condition is one on ``aws:SourceIp``, ``aws:VpcSourceIp``, ``aws:SourceVpc``, ``aws:SourceVpce``,
``aws:PrincipalOrgID``/``OrgPaths``/``Account``/``Arn``, ``aws:SourceAccount``, ``aws:SourceOrgID``/``OrgPaths``,
on the wide ``Allow`` itself or on a ``Deny`` for the same callers (AWS's "allow all, deny unless from
the VPC endpoint" pattern).
"""

import fnmatch
import json
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.openapi import Document
from securedapi.policy.rules.openapi import body_document, contains_unknown
from securedapi.policy.values import REST_API, REST_API_POLICY, REST_METHOD, Graph, describe, get, strings

RESOURCE_POLICY = "apigw-rest-resource-policy-restricted"
_ANY_ACCOUNT = "which then admits the IAM identities of every AWS account"
SOURCE_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceIp",
        "aws:VpcSourceIp",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
    )
)


def statements(document: Any) -> list[dict[str, Any]] | None:
    """The statements of a policy document (JSON text or object); None when it cannot be read or is unknown."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if not isinstance(document, dict) or contains_unknown(document):
        return None
    found = document.get("Statement")
    found = [found] if isinstance(found, dict) else found
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def _everyone(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in strings(principal.get("AWS"))


def _invokes(statement: dict[str, Any]) -> bool:
    if "NotAction" in statement:
        return True
    return any(
        isinstance(a, str) and fnmatch.fnmatchcase("execute-api:invoke", a.lower())
        for a in strings(statement.get("Action"))
    )


def _source_condition(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    return any(
        isinstance(block, dict) and any(str(k).lower() in SOURCE_KEYS for k in block) for block in condition.values()
    )


def wide_grants(document: Any) -> list[dict[str, Any]]:
    """The statements that allow everyone to invoke without a source condition, unless a Deny restricts the source."""
    found = statements(document) or []
    everyone = [s for s in found if _everyone(s) and _invokes(s)]
    if any(s.get("Effect") == "Deny" and _source_condition(s) for s in everyone):
        return []
    return [s for s in everyone if s.get("Effect") == "Allow" and not _source_condition(s)]


def _exposure(graph: Graph, api: PolicyResource) -> str | None:
    """Why an Allow to everyone matters for ``api``: a PRIVATE endpoint or AWS_IAM methods (None if neither)."""
    props = graph.props(api)
    if "PRIVATE" in strings(get(props, "endpointConfiguration", "types")):
        return "it is a PRIVATE API, reachable through VPC endpoints of any account"
    for method in graph.of_type(REST_METHOD):
        if get(graph.props(method), "authorization") == "AWS_IAM" and graph.linked(method, "restApi", REST_API) is api:
            return f"its {describe(method.resource_type, method.name)} uses AWS_IAM authorization, {_ANY_ACCOUNT}"
    document = body_document(graph, api)
    if isinstance(document, Document):
        for op in document.operations:
            if op.authorization == "AWS_IAM":
                return f"its OpenAPI operation {op.key!r} uses AWS_IAM (awsSigv4), {_ANY_ACCOUNT}"
    return None


def _policy_sources(graph: Graph, api: PolicyResource) -> list[tuple[PolicyResource, Any]]:
    sources: list[tuple[PolicyResource, Any]] = [(api, get(graph.props(api), "policy"))]
    for attached in graph.of_type(REST_API_POLICY):
        if graph.linked(attached, "restApiId", REST_API) is api:
            sources.append((attached, get(graph.props(attached), "policy")))
    document = body_document(graph, api)
    if isinstance(document, Document):
        sources.append((api, document.policy))
    return [(r, d) for r, d in sources if d is not None]


def _resource_policy_restricted(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    for api in graph.of_type(REST_API):
        sources = [(r, wide_grants(d)) for r, d in _policy_sources(graph, api)]
        sources = [(r, grants) for r, grants in sources if grants]
        if not sources:
            continue
        exposure = _exposure(graph, api)
        if exposure is None:
            continue
        for resource, grants in sources:
            sid = grants[0].get("Sid")
            report_violation(
                f"The resource policy of REST API {api.name!r} ({describe(resource.resource_type, resource.name)}) "
                f"allows Principal '*' to invoke it{f' (statement {sid!r})' if sid else ''} with no condition on the "
                f"source, and {exposure}. Fix: add a condition on the source to the statement (aws:SourceVpce or "
                "aws:SourceVpc for private APIs, aws:PrincipalOrgID or aws:PrincipalAccount for IAM callers, "
                "aws:SourceIp), or name the allowed principals instead of '*'.",
                resource.urn,
            )


resource_policy_restricted = StackValidationPolicy(
    name=RESOURCE_POLICY,
    description="A REST API resource policy must not allow Principal '*' without a source condition when that opens "
    "the API: PRIVATE endpoints (any account's VPC endpoint) or AWS_IAM methods (any account's identities).",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    validate=_resource_policy_restricted,
    remediation_steps="Add aws:SourceVpce/aws:SourceVpc, aws:PrincipalOrgID/aws:PrincipalAccount or aws:SourceIp "
    "conditions to the Allow (or a Deny unless they match), or list the allowed principals.",
    tags=["apigateway", "authorization", "iam"],
)
