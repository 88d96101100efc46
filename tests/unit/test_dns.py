"""DNS for custom domains: every DNS target is an output, and given a hosted zone the alias records exist."""

import pytest

from securedapi import CognitoIdentity, SecuredHttpApi
from tests.unit.conftest import CERTIFICATE, api_args, dashboard, identity_args

RECORD = "aws:route53/record:Record"
ZONE = "Z0123456789EXAMPLE0AB"
REGIONAL_CERTIFICATE = CERTIFICATE  # the unit tests' stack has no aws:region, so any region's ARN is accepted


def login_domain(**extra):
    args = identity_args(custom_domain="auth.example.com", certificate_arn=CERTIFICATE, **extra)
    del args["domain_prefix"]
    return args


def aliases(rec):
    return {r.inputs["type"]: r.inputs for r in rec.of_type(RECORD)}


def test_login_domain_target_is_an_output_and_no_record_without_a_zone(record):
    rec = record(lambda: CognitoIdentity("auth", login_domain()))
    domain = rec.named("auth-domain").outputs
    out = rec.named("auth").outputs
    assert out["customDomainTarget"] == domain["cloudfrontDistribution"]
    assert out["customDomainZoneId"] == domain["cloudfrontDistributionZoneId"] == "Z2FDTNDATAQYW2"
    assert rec.of_type(RECORD) == []


def test_login_domain_alias_records_in_the_hosted_zone(record):
    rec = record(lambda: CognitoIdentity("auth", login_domain(hosted_zone_id=ZONE)))
    domain = rec.named("auth-domain").outputs
    records = aliases(rec)
    assert set(records) == {"A", "AAAA"}
    for alias in records.values():
        assert (alias["zoneId"], alias["name"]) == (ZONE, "auth.example.com")
        assert alias["aliases"] == [
            {
                "name": domain["cloudfrontDistribution"],
                "zoneId": domain["cloudfrontDistributionZoneId"],
                "evaluateTargetHealth": False,
            }
        ]
    component = rec.named("auth")
    assert all(r.parent == component.urn for r in rec.of_type(RECORD))


def test_prefix_domain_has_no_dns_target(record):
    rec = record(lambda: CognitoIdentity("auth", identity_args()))
    assert rec.named("auth").outputs.get("customDomainTarget") is None
    assert rec.of_type(RECORD) == []


def test_api_domain_target_zone_and_alias_records(record):
    args = api_args(custom_domain="api.example.com", certificate_arn=REGIONAL_CERTIFICATE, hosted_zone_id=ZONE)
    rec = record(lambda: SecuredHttpApi("web", args))
    config = rec.named("web-domain").outputs["domainNameConfiguration"]
    assert rec.named("web-domain").inputs["domainNameConfiguration"]["ipAddressType"] == "dualstack"  # for AAAA
    out = rec.named("web").outputs
    assert (out["customDomainTarget"], out["customDomainZoneId"]) == (
        config["targetDomainName"],
        config["hostedZoneId"],
    )
    records = aliases(rec)
    assert set(records) == {"A", "AAAA"}
    for alias in records.values():
        assert (alias["zoneId"], alias["name"]) == (ZONE, "api.example.com")
        assert alias["aliases"][0]["name"] == config["targetDomainName"]
        assert alias["aliases"][0]["zoneId"] == config["hostedZoneId"]


def test_api_without_hosted_zone_has_the_target_but_no_record(record):
    rec = record(lambda: SecuredHttpApi("web", api_args(custom_domain="api.example.com", certificate_arn=CERTIFICATE)))
    assert rec.named("web").outputs["customDomainZoneId"]
    assert rec.of_type(RECORD) == []


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: CognitoIdentity("auth", identity_args(hosted_zone_id=ZONE)), r"hosted_zone_id: needs custom_domain"),
        (lambda: CognitoIdentity("auth", login_domain(hosted_zone_id="example.com")), r"hosted zone id such as Z"),
        (lambda: SecuredHttpApi("web", api_args(hosted_zone_id=ZONE)), r"hosted_zone_id: needs custom_domain"),
    ],
)
def test_a_hosted_zone_needs_a_custom_domain_and_a_zone_id(record, build, message):
    from tests.unit.test_validation import assert_rejected_before_any_resource

    assert_rejected_before_any_resource(record, build, message)


def test_dashboard_stack_exports_the_dns_targets_and_creates_the_records():
    prod = dashboard("prod")
    api_domain = prod.named("dashboard-api-domain").outputs["domainNameConfiguration"]
    login = prod.named("dashboard-identity-domain").outputs
    assert prod.outputs["apiDomainTarget"] == api_domain["targetDomainName"]
    assert prod.outputs["apiDomainZoneId"] == api_domain["hostedZoneId"]
    assert prod.outputs["loginDomainTarget"] == login["cloudfrontDistribution"]
    assert prod.outputs["loginDomainZoneId"] == login["cloudfrontDistributionZoneId"]
    names = {(r.inputs["name"], r.inputs["type"], r.inputs["zoneId"]) for r in prod.of_type(RECORD)}
    zone = prod.config["securedapi:hostedZoneId"]
    assert names == {(d, t, zone) for d in ("api.example.com", "auth.example.com") for t in ("A", "AAAA")}
    dev = dashboard("dev")  # prefix domain, no API domain: no targets, no records
    assert not {"apiDomainTarget", "loginDomainTarget"} & {k for k, v in dev.outputs.items() if v}
    assert dev.of_type(RECORD) == []
