"""The emulator answers as AWS: presigned S3 URLs enforced, Cognito codes and hidden user existence, clean failures.

Presigned URLs: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html. User existence:
https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html.
"""

import datetime
import re
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from securedapi.local.process import log_file
from securedapi.local.s3auth import signature_for

from .conftest import RunningStack

PASSWORD = "Local-Passw0rd!"


def client(stack: RunningStack, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=stack.outputs["awsEndpointUrl"],
        region_name=stack.outputs["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def upload_url(stack: RunningStack, http: requests.Session, size: int) -> str:
    token = stack.token("presign-olga")
    created = http.post(
        stack.api_url + "/upload-url",
        headers={"Authorization": f"Bearer {token}"},
        json={"filename": "a.txt", "contentType": "text/plain", "size": size},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["uploadUrl"])


def s3_error(response: requests.Response) -> str:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/xml"
    match = re.search(r"<Code>(\w+)</Code>", response.text)
    assert match, response.text
    return match.group(1)


def test_presigned_put_must_match_the_signed_type_and_size(stack: RunningStack, http: requests.Session) -> None:
    url = upload_url(stack, http, 6)
    assert s3_error(requests.put(url, data=b"hello!", headers={"Content-Type": "text/html"}, timeout=10)) == (
        "SignatureDoesNotMatch"
    )
    assert s3_error(requests.put(url, data=b"hello!!", headers={"Content-Type": "text/plain"}, timeout=10)) == (
        "SignatureDoesNotMatch"
    )
    tampered = url.replace("X-Amz-Expires=", "X-Amz-Expires=9")
    assert s3_error(requests.put(tampered, data=b"hello!", headers={"Content-Type": "text/plain"}, timeout=10)) == (
        "SignatureDoesNotMatch"
    )
    ok = requests.put(url, data=b"hello!", headers={"Content-Type": "text/plain"}, timeout=10)
    assert ok.status_code == 200, ok.text


def test_expired_presigned_url_is_access_denied(stack: RunningStack) -> None:
    """A URL signed (correctly, by botocore) two hours ago for 60 s."""
    bucket, region = stack.outputs["bucketName"], stack.outputs["region"]
    signed_at = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)).strftime("%Y%m%dT%H%M%SZ")
    host = stack.outputs["awsEndpointUrl"].removeprefix("http://")
    query = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=testing%2F{signed_at[:8]}%2F{region}%2Fs3%2Faws4_request"
        f"&X-Amz-Date={signed_at}&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
    )
    url = f"http://{host}/{bucket}/expired.txt?{query}"
    signature, _, _ = signature_for(
        S3SigV4QueryAuth(Credentials("testing", "testing"), "s3", region, 60),
        AWSRequest,
        method="GET",
        url=url,
        headers={"host": host},
        timestamp=signed_at,
    )
    response = requests.get(f"{url}&X-Amz-Signature={signature}", timeout=10)
    assert s3_error(response) == "AccessDenied"
    assert "<Message>Request has expired</Message>" in response.text


@pytest.fixture(scope="module")
def pool(stack: RunningStack) -> Iterator[tuple[str, str, str]]:
    """A pool with one client that hides user existence and one that does not."""
    cognito = client(stack, "cognito-idp")
    pool_id = cognito.create_user_pool(
        PoolName="existence", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]

    def make(prevent: str) -> str:
        return str(
            cognito.create_user_pool_client(
                UserPoolId=pool_id,
                ClientName=prevent,
                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                PreventUserExistenceErrors=prevent,
            )["UserPoolClient"]["ClientId"]
        )

    yield pool_id, make("ENABLED"), make("LEGACY")
    cognito.delete_user_pool(UserPoolId=pool_id)


def code_in_log(stack: RunningStack, email: str, after: int) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = re.findall(
            rf"mail to {re.escape(email)} \([^)]+\): Your verification code is (\d{{6}})",
            log_file(stack.state_dir).read_text()[after:],
        )
        if found:
            return str(found[-1])
        time.sleep(0.02)
    raise AssertionError(f"no code for {email} in the stack's log")


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def test_sign_up_codes_resend_and_confirm(stack: RunningStack, pool: tuple[str, str, str]) -> None:
    _, hiding, _ = pool
    cognito, email = client(stack, "cognito-idp"), "codes-pia@example.com"
    mark = len(log_file(stack.state_dir).read_text())
    signed_up = cognito.sign_up(ClientId=hiding, Username=email, Password=PASSWORD)
    assert signed_up["UserConfirmed"] is False
    assert signed_up["CodeDeliveryDetails"] == {
        "Destination": "c***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    first = code_in_log(stack, email, mark)
    mark = len(log_file(stack.state_dir).read_text())
    resent = cognito.resend_confirmation_code(ClientId=hiding, Username=email)
    assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = code_in_log(stack, email, mark)
    wrong = "000000" if code != "000000" else "111111"
    assert error_code(cognito.confirm_sign_up, ClientId=hiding, Username=email, ConfirmationCode=wrong) == (
        "CodeMismatchException"
    )
    if first != code:
        assert error_code(cognito.confirm_sign_up, ClientId=hiding, Username=email, ConfirmationCode=first) == (
            "CodeMismatchException"
        )  # a resent code replaces the earlier one
    cognito.confirm_sign_up(ClientId=hiding, Username=email, ConfirmationCode=code)
    assert error_code(cognito.resend_confirmation_code, ClientId=hiding, Username=email) == "InvalidParameterException"
    auth = cognito.initiate_auth(
        ClientId=hiding, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD}
    )
    assert auth["AuthenticationResult"]["AccessToken"]


def test_user_existence_is_hidden_when_the_client_says_so(stack: RunningStack, pool: tuple[str, str, str]) -> None:
    _, hiding, legacy = pool
    cognito, nobody = client(stack, "cognito-idp"), "nobody@example.com"
    login = {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": nobody, "PASSWORD": PASSWORD}}
    assert error_code(cognito.initiate_auth, ClientId=hiding, **login) == "NotAuthorizedException"
    assert error_code(cognito.initiate_auth, ClientId=legacy, **login) == "UserNotFoundException"
    simulated = cognito.resend_confirmation_code(ClientId=hiding, Username=nobody)["CodeDeliveryDetails"]
    assert simulated["DeliveryMedium"] == "EMAIL"
    assert cognito.forgot_password(ClientId=hiding, Username=nobody)["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    confirm = {"Username": nobody, "ConfirmationCode": "123456"}
    assert error_code(cognito.confirm_sign_up, ClientId=hiding, **confirm) == "CodeMismatchException"
    assert error_code(cognito.confirm_forgot_password, ClientId=hiding, Password=PASSWORD, **confirm) == (
        "CodeMismatchException"
    )
    for call in (cognito.resend_confirmation_code, cognito.forgot_password):
        assert error_code(call, ClientId=legacy, Username=nobody) == "UserNotFoundException"


def test_an_emulator_failure_is_a_clean_error_and_one_log_line(stack: RunningStack) -> None:
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=stack.outputs["awsEndpointUrl"],
        region_name=stack.outputs["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=boto3.session.Config(retries={"max_attempts": 1}),
    )
    mark = len(log_file(stack.state_dir).read_text())
    # An action moto 5.2 does not implement.
    assert error_code(cognito.describe_risk_configuration, UserPoolId=stack.outputs["userPoolId"]) == (
        "InternalErrorException"
    )
    time.sleep(0.05)
    text = log_file(stack.state_dir).read_text()[mark:]
    assert "Traceback" not in text
    assert [line for line in text.splitlines() if "DescribeRiskConfiguration failed" in line]
