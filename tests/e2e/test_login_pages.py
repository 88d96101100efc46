"""The managed-login pages over real HTTP: authorize and login, redirect and logout URI matching, the
session cookie, user-existence hiding, sign-up with the password policy, confirmation codes from the
mailbox, password reset, TOTP MFA enrolment and challenge, CSRF (Cognito developer guide: "Authorize
endpoint", "Login endpoint", "Logout endpoint", "Managing error responses", "Adding MFA")."""

import secrets

import pyotp
import pytest
import requests

from .auth_harness import CALLBACK, PASSWORD, AuthStack, Browser, hidden, page_error, redirect_params


def email() -> str:
    return f"page-{secrets.token_hex(4)}@example.com"


def mailbox_code(auth: AuthStack, to: str) -> str:
    messages = requests.get(f"{auth.domain}/_local/mailbox.json", params={"to": to}, timeout=10).json()["messages"]
    return str(messages[0]["code"])


def test_authorize_sends_the_browser_to_login_with_the_same_parameters(auth: AuthStack) -> None:
    browser = Browser(auth.domain)
    sent = auth.authorize_query(scope="openid", nonce="n1")
    response = browser.get("/oauth2/authorize", **sent)
    assert response.status_code == 302 and response.headers["location"].startswith("/login?")
    page = browser.follow(response)
    assert page.status_code == 200 and 'action="/login"' in page.text
    assert "state=" + sent["state"] in hidden(page.text, "params")


@pytest.mark.parametrize(
    "override",
    [
        {"redirect_uri": "http://localhost:5173/callback/"},
        {"redirect_uri": "http://localhost:5173/CALLBACK"},
        {"redirect_uri": "https://evil.example.com/callback"},
    ],
)
def test_redirect_uri_must_match_exactly_and_a_mismatch_never_redirects(
    auth: AuthStack, override: dict[str, str]
) -> None:
    response = requests.get(
        f"{auth.domain}/oauth2/authorize", params=auth.authorize_query(**override), allow_redirects=False, timeout=10
    )
    assert response.status_code == 400 and "location" not in response.headers
    assert "redirect_mismatch" in response.text


def test_unknown_client_or_missing_redirect_uri_is_an_error_page(auth: AuthStack) -> None:
    for query in (auth.authorize_query(client_id="nope"), auth.authorize_query(redirect_uri=None)):
        response = requests.get(f"{auth.domain}/oauth2/authorize", params=query, allow_redirects=False, timeout=10)
        assert response.status_code == 400 and "location" not in response.headers


def test_session_cookie_signs_in_again_until_logout(auth: AuthStack) -> None:
    user = auth.user(email())
    browser = Browser(auth.domain)
    auth.sign_in(user, browser=browser)
    again = browser.get("/oauth2/authorize", **auth.authorize_query())
    assert "code" in redirect_params(again), "a valid session returns straight to the client"
    forced = browser.get("/oauth2/authorize", **auth.authorize_query(prompt="login"))
    assert forced.headers["location"].startswith("/login?")
    out = browser.get("/logout", client_id=auth.web, logout_uri="http://localhost:5173/")
    assert out.status_code == 302 and out.headers["location"] == "http://localhost:5173/"
    after = browser.get("/oauth2/authorize", **auth.authorize_query())
    assert after.headers["location"].startswith("/login?")


def test_logout_uri_must_match_exactly(auth: AuthStack) -> None:
    browser = Browser(auth.domain)
    for uri in ("http://localhost:5173", "https://evil.example.com/"):
        response = browser.get("/logout", client_id=auth.web, logout_uri=uri)
        assert response.status_code == 400 and "location" not in response.headers
    assert browser.get("/logout", logout_uri="http://localhost:5173/").status_code == 400  # no client_id
    relogin = browser.get("/logout", **auth.authorize_query())
    assert relogin.status_code == 302 and relogin.headers["location"].startswith("/login?")


def test_wrong_password_and_unknown_user_look_the_same_when_the_client_hides_existence(auth: AuthStack) -> None:
    user = auth.user(email())
    messages = {}
    for name, password in ((user, "Wrong-Passw0rd!"), (email(), PASSWORD)):
        browser = Browser(auth.domain)
        login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query()))
        response = browser.post_form(login, "/login", username=name, password=password)
        assert response.status_code == 200
        messages[name] = page_error(response.text)
    assert set(messages.values()) == {"Incorrect username or password."}
    legacy = auth.outputs["legacyClientId"]
    browser = Browser(auth.domain)
    login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query(client_id=legacy)))
    response = browser.post_form(login, "/login", username=email(), password=PASSWORD)
    assert page_error(response.text) == "User does not exist."


def test_login_is_case_insensitive_for_case_insensitive_pools(auth: AuthStack) -> None:
    user = auth.user(email())
    _, back = auth.sign_in(user.upper())
    assert back["code"]


def test_forms_need_the_csrf_token(auth: AuthStack) -> None:
    user = auth.user(email())
    browser = Browser(auth.domain)
    login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query()))
    data = {"params": hidden(login.text, "params"), "username": user, "password": PASSWORD, "_csrf": "forged"}
    response = browser.http.post(f"{auth.domain}/login", data=data, allow_redirects=False, timeout=10)
    assert response.status_code == 403 and "location" not in response.headers


def signup_page(auth: AuthStack, browser: Browser, **query: str) -> requests.Response:
    login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query(**query)))
    return browser.get("/signup?" + hidden(login.text, "params"))


@pytest.mark.parametrize(
    "password, rule",
    [
        ("Sh0rt!a", "Password not long enough"),
        ("alllowercase1!", "Password must have uppercase characters"),
        ("ALLUPPERCASE1!", "Password must have lowercase characters"),
        ("NoNumbersHere!", "Password must have numeric characters"),
        ("NoSymbols12345", "Password must have symbol characters"),
    ],
)
def test_sign_up_enforces_the_password_policy_and_creates_nothing(auth: AuthStack, password: str, rule: str) -> None:
    browser = Browser(auth.domain)
    name = email()
    response = browser.post_form(signup_page(auth, browser), "/signup", username=name, password=password)
    assert page_error(response.text) == f"Password did not conform with policy: {rule}"
    users = auth.cognito().list_users(UserPoolId=auth.outputs["poolId"], Filter=f'email = "{name}"')["Users"]
    assert users == []


def test_sign_up_confirm_with_the_mailed_code_and_return_with_a_code(auth: AuthStack) -> None:
    browser = Browser(auth.domain)
    name = email()
    created = browser.post_form(signup_page(auth, browser, nonce="n2"), "/signup", username=name, password=PASSWORD)
    confirm = browser.follow(created)
    assert f"sent a code by email to {name}" in confirm.text
    wrong = browser.post_form(confirm, "/confirm", code="000000" if mailbox_code(auth, name) != "000000" else "111111")
    assert page_error(wrong.text) == "Invalid verification code provided, please try again."
    user = auth.cognito().admin_get_user(UserPoolId=auth.outputs["poolId"], Username=name)
    assert user["UserStatus"] == "UNCONFIRMED"
    done = browser.post_form(confirm, "/confirm", code=mailbox_code(auth, name))
    assert "code" in redirect_params(done) and done.headers["location"].startswith(CALLBACK)
    user = auth.cognito().admin_get_user(UserPoolId=auth.outputs["poolId"], Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert any(f"mail to {name}" in line for line in auth.log)  # the console shows the code too
    page = requests.get(f"{auth.domain}/_local/mailbox", params={"to": name}, timeout=10)
    assert mailbox_code(auth, name) in page.text


def test_unconfirmed_user_is_sent_to_confirm(auth: AuthStack) -> None:
    name = email()
    auth.cognito().sign_up(ClientId=auth.web, Username=name, Password=PASSWORD)
    browser = Browser(auth.domain)
    login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query()))
    response = browser.post_form(login, "/login", username=name, password=PASSWORD)
    assert response.headers["location"].startswith("/confirm?step=")


def test_forgot_password_with_the_mailed_code(auth: AuthStack) -> None:
    user = auth.user(email())
    browser = Browser(auth.domain)
    login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query()))
    forgot = browser.get("/forgotPassword?" + hidden(login.text, "params"))
    reset = browser.follow(browser.post_form(forgot, "/forgotPassword", username=user))
    bad = browser.post_form(reset, "/confirmForgotPassword", code="999999", password="New-Passw0rd-1!")
    assert page_error(bad.text) == "Invalid verification code provided, please try again."
    done = browser.post_form(reset, "/confirmForgotPassword", code=mailbox_code(auth, user), password="New-Passw0rd-1!")
    assert "Your password has been changed" in done.text
    assert auth.sign_in(user, "New-Passw0rd-1!")[1]["code"]
    # An unknown account gets the same page (no user-existence leak) and no mail.
    unknown = email()
    step = browser.post_form(forgot, "/forgotPassword", username=unknown)
    assert step.headers["location"].startswith("/confirmForgotPassword?step=")
    assert requests.get(f"{auth.domain}/_local/mailbox.json", params={"to": unknown}, timeout=10).json() == {
        "messages": []
    }


def test_mfa_on_enrols_totp_then_asks_for_the_code(auth: AuthStack) -> None:
    user = auth.user(email(), pool="mfaPoolId", client="mfa")
    mfa_client = auth.outputs["mfaClientId"]
    browser = Browser(auth.domain)
    login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query(client_id=mfa_client)))
    setup = browser.follow(browser.post_form(login, "/login", username=user, password=PASSWORD))
    secret = setup.text.split('id="totp-secret">')[1].split("<")[0]
    assert "otpauth://totp/" in setup.text
    wrong = browser.post_form(setup, "/mfa-setup", code="000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert page_error(wrong.text) == "Invalid code received for user"
    enrolled = browser.post_form(setup, "/mfa-setup", code=pyotp.TOTP(secret).now())
    assert "code" in redirect_params(enrolled)
    later = Browser(auth.domain)
    login = later.follow(later.get("/oauth2/authorize", **auth.authorize_query(client_id=mfa_client)))
    challenge = later.follow(later.post_form(login, "/login", username=user, password=PASSWORD))
    assert 'action="/mfa"' in challenge.text
    assert "code" in redirect_params(later.post_form(challenge, "/mfa", code=pyotp.TOTP(secret).now()))
    mfa = auth.cognito().admin_get_user(UserPoolId=auth.outputs["mfaPoolId"], Username=user)
    assert mfa["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]


def test_mfa_optional_asks_only_enrolled_users(auth: AuthStack) -> None:
    # ax-pool has MFA OPTIONAL: a user without an authenticator signs in with the password alone.
    _, back = auth.sign_in(auth.user(email()))
    assert back["code"]


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("GET", "/oauth2/authorize?client_id=%ff&redirect_uri=x&response_type=code&response_type=code", None),
        ("GET", "/login?%%%", None),
        ("POST", "/login", "params=client_id%3Dnope&_csrf=x"),
        ("GET", "/confirm?step=missing", None),
        ("POST", "/confirm", "step=missing&code=1"),
        ("POST", "/resendcode", "step=missing"),
        ("GET", "/mfa?step=missing", None),
        ("POST", "/mfa-setup", "\xff\xfe"),
        ("GET", "/confirmForgotPassword", None),
        ("GET", "/logout?client_id=nope", None),
        ("POST", "/oauth2/token", "grant_type=refresh_token&client_id=nope&refresh_token="),
        ("POST", "/oauth2/token", "grant_type=client_credentials&scope=%ff"),
        ("POST", "/oauth2/revoke", "token="),
        ("GET", "/oauth2/userInfo", None),
    ],
)
def test_bad_input_never_gets_a_500(auth: AuthStack, method: str, path: str, data: str | None) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = requests.request(
        method, auth.domain + path, data=data, headers=headers, allow_redirects=False, timeout=10
    )
    assert response.status_code < 500, (response.status_code, response.text)
    assert "Traceback" not in response.text


def test_a_user_that_must_change_its_password_is_told_so(auth: AuthStack) -> None:
    name = email()
    auth.cognito().admin_create_user(UserPoolId=auth.outputs["poolId"], Username=name, TemporaryPassword=PASSWORD)
    browser = Browser(auth.domain)
    login = browser.follow(browser.get("/oauth2/authorize", **auth.authorize_query()))
    response = browser.post_form(login, "/login", username=name, password=PASSWORD)
    assert response.status_code == 400 and "admin-set-user-password" in response.text
