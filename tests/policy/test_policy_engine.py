"""Engine semantics (config, enforcement levels, disabled policies) and exemptions."""

from collections.abc import Callable
from typing import Any

import pytest
from policy_programs import Platform, found, route, with_api
from pulumi_policy import StackValidationArgs

from securedapi.policy.config import ConfigError, parse_policy_config
from securedapi.policy.engine import PackAnalyzer, Report
from securedapi.policy.exemptions import ExemptionError, exempted, parse_public_routes
from securedapi.policy.rules import ALL, MANDATORY
from securedapi.policy.rules.routes import route_requires_auth

ROUTE = "apigw-route-requires-auth"
OPEN = with_api(lambda api: route("open", api, "GET /items", authorization_type="NONE"))
Evaluate = Callable[..., Report]


def test_pack_is_the_one_main_builds(analyzer: PackAnalyzer) -> None:
    assert analyzer.name == "securedapi"
    names = [p.name for p in analyzer.policies]
    assert names == [p.name for p in ALL] and len(set(names)) == len(names) == 27
    assert all(p.description and p.severity and p.name == p.name.lower() for p in analyzer.policies)
    mandatory = {p.name for p in analyzer.policies if p.enforcement == "mandatory"}
    assert mandatory == {p.name for p in MANDATORY} and len(mandatory) == 9
    kinds = {p.name: p.kind for p in analyzer.policies}
    assert kinds[ROUTE] == "stack" and kinds["apigw-no-quick-create"] == "resource"


@pytest.mark.parametrize(
    ("config", "level"),
    [
        ({ROUTE: "advisory"}, "advisory"),
        ({ROUTE: {"enforcementLevel": "advisory"}}, "advisory"),
        ({"all": "advisory"}, "advisory"),
        ({"all": "advisory", ROUTE: "mandatory"}, "mandatory"),
        ({ROUTE: "remediate"}, "mandatory"),  # pulumi-policy reports a stack policy at remediate as mandatory
    ],
)
def test_config_sets_the_enforcement_level(evaluate: Evaluate, config: dict[str, Any], level: str) -> None:
    [violation] = found(evaluate(OPEN, config=config), ROUTE)
    assert violation.enforcement == level


@pytest.mark.parametrize(
    "config", [{ROUTE: "disabled"}, {ROUTE: {"enforcementLevel": "disabled"}}, {"all": "disabled"}]
)
def test_disabled_policy_reports_nothing(evaluate: Evaluate, config: dict[str, Any]) -> None:
    report = evaluate(OPEN, config=config)
    assert found(report, ROUTE) == [] and report.levels[ROUTE] == "disabled"


def test_all_mandatory_raises_advisory_rules(evaluate: Evaluate) -> None:
    report = evaluate(
        with_api(lambda api: route("r", api, "GET /x", authorization_type="JWT", authorizer_id="a")),
        config={"all": "mandatory"},
    )
    assert found(report, "apigw-jwt-route-scopes")[0].enforcement == "mandatory"


@pytest.mark.parametrize(
    ("document", "match"),
    [
        ({ROUTE: "blocking"}, "not a valid enforcement level"),
        ({ROUTE: {"enforcementLevel": "soft"}}, "not a valid enforcement level"),
        ({ROUTE: 3}, "must be a string or object"),
        ({ROUTE: {"publicRoutes": [{"api": "a", "route": "GET /x", "reason": "r", "owner": "me"}]}}, "owner"),
        ({ROUTE: {"publicRoutes": "GET /x"}}, "publicRoutes"),
    ],
)
def test_broken_config_is_rejected(analyzer: PackAnalyzer, document: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        analyzer.reconcile(parse_policy_config(document))


def test_unknown_policy_in_config_is_noted(analyzer: PackAnalyzer) -> None:
    _config, _exemptions, notes = analyzer.reconcile(parse_policy_config({"apigw-route-require-auth": "advisory"}))
    assert "matches no policy" in notes[0]


# -- exemptions -------------------------------------------------------------------------------------------------------


def exemption(**fields: Any) -> dict[str, Any]:
    return {ROUTE: {"publicRoutes": [{"api": "api", "route": "GET /items", "reason": "partner webhook", **fields}]}}


def test_exemption_with_reason_exempts(evaluate: Evaluate) -> None:
    assert found(evaluate(OPEN, config=exemption()), ROUTE) == []
    assert found(evaluate(OPEN, config=exemption(api="*")), ROUTE) == []
    assert found(evaluate(OPEN, config=exemption(expires="2999-12-31")), ROUTE) == []
    assert len(found(evaluate(OPEN, config=exemption(api="other-api")), ROUTE)) == 1
    assert len(found(evaluate(OPEN, config=exemption(route="GET /other")), ROUTE)) == 1


def test_exemption_by_enclosing_component_name(evaluate: Evaluate) -> None:
    config = {ROUTE: {"publicRoutes": [{"api": "platform", "route": "GET /internal", "reason": "VPN only"}]}}
    assert found(evaluate(lambda: Platform("platform", open_route=True), config=config), ROUTE) == []


def test_expired_exemption_no_longer_exempts_and_says_so(evaluate: Evaluate) -> None:
    report = evaluate(OPEN, config=exemption(expires="2001-02-03"))
    [violation] = found(report, ROUTE)
    assert violation.enforcement == "mandatory" and "expired on 2001-02-03" in violation.message
    assert any("expired" in note for note in report.notes)


def test_exempted_says_whether_a_live_exemption_applies_and_why_an_expired_one_does_not() -> None:
    entries = [
        {"api": "api", "route": "GET /items", "reason": "old partner", "expires": "2001-02-03"},
        {"api": "*", "route": "GET /status", "reason": "status page", "expires": "2001-02-03"},
        {"api": "api", "route": "GET /status", "reason": "status page, renewed", "expires": "2999-12-31"},
    ]
    exemptions = parse_public_routes(entries, ROUTE)
    applies, note = exempted(exemptions, ["api"], "GET /items")
    assert not applies and "'GET /items' on 'api'" in note and "expired on 2001-02-03" in note
    assert exempted(exemptions, ["api"], "GET /status") == (True, "")  # the live one wins over the expired '*'
    assert exempted(exemptions, ["other-api"], "GET /status")[0] is False  # only the expired '*' matches
    assert exempted(exemptions, ["api"], "GET /other") == (False, "")


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"expires": "31/12/2030"}, "expires"),
        ({"route": "GET items"}, "route"),
    ],
)
def test_exemption_without_reason_or_bad_fields_is_a_config_error(
    analyzer: PackAnalyzer, fields: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        analyzer.reconcile(parse_policy_config(exemption(**fields)))
    document = exemption()
    del document[ROUTE]["publicRoutes"][0]["reason"]
    with pytest.raises(ConfigError, match="reason"):
        analyzer.reconcile(parse_policy_config(document))


def test_confidential_client_needs_a_reason(analyzer: PackAnalyzer) -> None:
    document = {"cognito-client-secret-requires-confidential": {"confidentialClients": [{"client": "bff"}]}}
    with pytest.raises(ConfigError, match="reason"):
        analyzer.reconcile(parse_policy_config(document))


def test_malformed_exemption_reaching_the_rule_is_reported_not_ignored() -> None:
    """Under the Pulumi CLI the schema rejects it first; should it still arrive, the rule says so."""
    reported: list[tuple[str, str | None]] = []
    args = StackValidationArgs([], {"publicRoutes": [{"api": "api", "route": "GET /x"}]})
    route_requires_auth.validate(args, lambda message, urn=None: reported.append((message, urn)))
    assert reported and "reason" in reported[0][0]
    with pytest.raises(ExemptionError, match="never be public"):
        parse_public_routes([{"api": "*", "route": "$default", "reason": "all"}], ROUTE)


def test_new_exemption_kinds_are_validated(analyzer: PackAnalyzer) -> None:
    url = "lambda-function-url-requires-auth"
    with pytest.raises(ConfigError, match="reason"):
        analyzer.reconcile(parse_policy_config({url: {"publicFunctionUrls": [{"function": "fn"}]}}))
    with pytest.raises(ConfigError, match="function"):
        analyzer.reconcile(parse_policy_config({url: {"publicFunctionUrls": [{"reason": "signed"}]}}))
    _config, exemptions, _notes = analyzer.reconcile(
        parse_policy_config(
            {
                url: {"publicFunctionUrls": [{"function": "fn", "reason": "signed webhooks"}]},
                ROUTE: {"publicRoutes": [{"api": "chat", "route": "$connect", "reason": "public feed"}]},
            }
        )
    )
    assert {(e.policy, e.target, e.route) for e in exemptions} == {(url, "fn", None), (ROUTE, "chat", "$connect")}
    with pytest.raises(ExemptionError, match=r"'\$connect' for a WebSocket API"):
        parse_public_routes([{"api": "chat", "route": "$disconnect", "reason": "r"}], ROUTE)
