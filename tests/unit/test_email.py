"""Production email: the pool sends through SES (emailSendingAccount DEVELOPER) when an identity is given."""

import pytest

from securedapi import CognitoIdentity
from tests.unit.conftest import dashboard, identity_args
from tests.unit.test_validation import assert_rejected_before_any_resource

DOMAIN_IDENTITY = "arn:aws:ses:eu-west-1:123456789012:identity/example.com"
ADDRESS_IDENTITY = "arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com"


def test_default_is_cognitos_sender(record):
    rec = record(lambda: CognitoIdentity("auth", identity_args()))
    assert "emailConfiguration" not in rec.named("auth-pool").inputs


def test_ses_domain_identity_with_from_and_configuration_set(record):
    args = identity_args(
        email_source_arn=DOMAIN_IDENTITY,
        email_from="Example <no-reply@mail.example.com>",
        email_configuration_set="auth-mail",
    )
    rec = record(lambda: CognitoIdentity("auth", args))
    assert rec.named("auth-pool").inputs["emailConfiguration"] == {
        "emailSendingAccount": "DEVELOPER",
        "sourceArn": DOMAIN_IDENTITY,
        "fromEmailAddress": "Example <no-reply@mail.example.com>",
        "configurationSet": "auth-mail",
    }


def test_ses_address_identity_needs_no_from(record):
    rec = record(lambda: CognitoIdentity("auth", identity_args(email_source_arn=ADDRESS_IDENTITY)))
    assert rec.named("auth-pool").inputs["emailConfiguration"] == {
        "emailSendingAccount": "DEVELOPER",
        "sourceArn": ADDRESS_IDENTITY,
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email_source_arn": "example.com"}, r"email_source_arn: must be an ARN like arn:aws:ses:"),
        ({"email_source_arn": "arn:aws:sns:eu-west-1:123456789012:identity/x"}, r"email_source_arn: must be an ARN"),
        ({"email_from": "no-reply@example.com"}, r"email_from: needs email_source_arn"),
        ({"email_configuration_set": "mail"}, r"email_configuration_set: needs email_source_arn"),
        ({"email_source_arn": DOMAIN_IDENTITY}, r"email_from: is required with the domain identity 'example.com'"),
        (
            {"email_source_arn": DOMAIN_IDENTITY, "email_from": "Name <no-reply@example.org>"},
            r"email_from: 'no-reply@example.org' is not covered by the SES identity 'example.com'",
        ),
        (
            {"email_source_arn": ADDRESS_IDENTITY, "email_from": "other@example.com"},
            r"'other@example.com' is not covered by the SES identity 'no-reply@example.com'",
        ),
        ({"email_source_arn": DOMAIN_IDENTITY, "email_from": "not an address"}, r"email_from: must be an address"),
        (
            {"email_source_arn": DOMAIN_IDENTITY, "email_from": "a@example.com", "email_configuration_set": "a b"},
            r"email_configuration_set: must be an SES configuration set name",
        ),
    ],
)
def test_bad_email_settings_are_refused_before_any_resource(record, overrides, message):
    args = identity_args(**overrides)
    assert_rejected_before_any_resource(record, lambda: CognitoIdentity("auth", args), message)


def test_prod_stack_sends_through_ses():
    prod = dashboard("prod")
    email = prod.named("dashboard-identity-pool").inputs["emailConfiguration"]
    assert email["emailSendingAccount"] == "DEVELOPER"
    assert email["sourceArn"] == prod.config["securedapi:emailSourceArn"]
    assert email["fromEmailAddress"] == prod.config["securedapi:emailFrom"]
    dev = dashboard("dev")
    assert "emailConfiguration" not in dev.named("dashboard-identity-pool").inputs
