"""Feature plans: LITE gets the classic hosted UI (the only managed-login option of the Lite plan,
https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-managed-login.html), and what the
Lite plan lacks is refused."""

from securedapi import CognitoIdentity
from tests.unit.conftest import identity_args
from tests.unit.test_validation import assert_rejected_before_any_resource

BRANDING = "aws:cognito/managedLoginBranding:ManagedLoginBranding"


def test_lite_uses_the_classic_hosted_ui_without_branding(record):
    rec = record(lambda: CognitoIdentity("auth", identity_args(feature_plan="LITE")))
    assert rec.named("auth-pool").inputs["userPoolTier"] == "LITE"
    assert rec.named("auth-domain").inputs["managedLoginVersion"] == 1
    assert rec.of_type(BRANDING) == []
    assert rec.named("auth").outputs["loginUrl"].startswith("https://example-auth.auth.")


def test_essentials_and_plus_use_managed_login_with_a_branding_style(record):
    for plan in ("ESSENTIALS", "PLUS"):
        rec = record(lambda plan=plan: CognitoIdentity("auth", identity_args(feature_plan=plan)))
        assert rec.named("auth-domain").inputs["managedLoginVersion"] == 2
        (branding,) = rec.of_type(BRANDING)
        assert branding.inputs["clientId"] == rec.named("auth-client").id


def test_lite_refuses_refresh_token_rotation(record):
    args = identity_args(feature_plan="LITE", refresh_token_rotation=True)
    assert_rejected_before_any_resource(
        record, lambda: CognitoIdentity("auth", args), r"refresh_token_rotation: needs feature_plan 'ESSENTIALS'"
    )


def test_rotation_drops_the_refresh_token_auth_flow_cognito_refuses_with_it(record):
    plain = record(lambda: CognitoIdentity("auth", identity_args()))
    assert plain.named("auth-client").inputs["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    rotating = record(lambda: CognitoIdentity("auth", identity_args(refresh_token_rotation=True)))
    assert rotating.named("auth-client").inputs["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH"]
