"""The browser journey on the local stack, in headless Chromium: sign up, code from the mailbox, confirm,
back on the page, upload (presigned PUT straight to S3), the item listed, delete, sign out, sign in again;
an admin sees everyone's items; a page on an origin the API does not allow is blocked by CORS."""

import re
import secrets
from typing import Any

import requests
from stack_harness import RunningStack

from .conftest import DEV_ORIGIN

PASSWORD = "Browser-Passw0rd!"


def open_dashboard(page: Any) -> None:
    page.goto(DEV_ORIGIN + "/")
    page.wait_for_selector("body[data-ready=true]")


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.click("#sign-in")
    page.wait_for_url(re.compile(r".*/login\?.*"))
    page.fill("#username", email)
    page.fill("#password", password)
    page.click("#signin")
    page.wait_for_url(DEV_ORIGIN + "/")
    page.wait_for_selector("body[data-ready=true]")


def upload(page: Any, name: str, body: bytes) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/plain", "buffer": body}])
    page.click("#upload")
    page.wait_for_selector(f"#message:has-text('Uploaded {name}.')")


def test_sign_up_confirm_upload_list_delete_sign_out(stack: RunningStack, context: Any) -> None:
    email = f"web-{secrets.token_hex(4)}@example.com"
    page = context.new_page()
    open_dashboard(page)
    assert page.is_visible("#sign-in") and not page.is_visible("#uploads")
    page.click("#sign-in")
    page.wait_for_url(re.compile(r".*/login\?.*"))
    page.click("#signup")
    page.fill("#username", email)
    page.fill("#password", "weak")
    page.click("#create")
    assert "Password did not conform with policy" in page.inner_text("#error")
    page.fill("#password", PASSWORD)
    page.click("#create")
    page.wait_for_url(re.compile(r".*/confirm\?step=.*"))
    mailbox = context.new_page()
    mailbox.goto(f"{stack.outputs['mailboxUrl']}?to={email}")
    code = mailbox.inner_text("#mail code.code")
    mailbox.close()
    page.fill("#code", code)
    page.click("#confirm")
    page.wait_for_url(DEV_ORIGIN + "/")  # confirmed and signed in: back on the page
    page.wait_for_selector("body[data-ready=true]")
    assert page.inner_text("#who") == email
    assert not page.is_visible("#admin")

    upload(page, "keep.txt", b"kept")
    upload(page, "drop.txt", b"dropped file")
    rows = page.locator("#items tbody tr")
    assert rows.count() == 2
    assert "drop.txt" in page.inner_text("#items") and "12 B" in page.inner_text("#items")
    page.click("button[aria-label='Delete drop.txt']")
    page.wait_for_selector("#message:has-text('Deleted drop.txt.')")
    assert page.locator("#items tbody tr").count() == 1

    # A token the API refuses gets a clear message, not a broken page.
    page.evaluate(
        "() => { const t = JSON.parse(sessionStorage.getItem('dashboard.tokens'));"
        " t.accessToken = t.accessToken.slice(0, -4) + 'AAAA';"
        " sessionStorage.setItem('dashboard.tokens', JSON.stringify(t)); }"
    )
    open_dashboard(page)
    assert "401 Unauthorized" in page.inner_text("#message")

    with page.expect_navigation(url=re.compile(r".*/callback\?code=.*")):
        page.click("#sign-in")  # managed login's session cookie: straight back with a code, no form
    page.wait_for_selector("body[data-ready=true]")
    assert page.inner_text("#who") == email
    refresh_token = page.evaluate("() => JSON.parse(sessionStorage.getItem('dashboard.tokens')).refreshToken")
    # The page is already at DEV_ORIGIN + "/": wait for the navigation back to it (after the token's revocation and
    # the managed login's /logout), not for a URL it has before the click.
    with page.expect_navigation(url=DEV_ORIGIN + "/"):
        page.click("#sign-out")
    page.wait_for_selector("body[data-ready=true]")
    assert page.is_visible("#sign-in")
    # Signed out for real: the refresh token is revoked and the next sign-in shows the form again.
    refreshed = requests.post(
        stack.outputs["tokenEndpoint"],
        data={
            "grant_type": "refresh_token",
            "client_id": stack.outputs["userPoolClientId"],
            "refresh_token": refresh_token,
        },
        timeout=10,
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    sign_in(page, email)
    assert page.inner_text("#who") == email and "keep.txt" in page.inner_text("#items")


def test_admin_sees_everyones_items(stack: RunningStack, context: Any) -> None:
    owner_token = stack.token(f"owner-{secrets.token_hex(3)}")
    created = requests.post(
        stack.api_url + "/upload-url",
        json={"filename": "owned.txt", "contentType": "text/plain", "size": 5},
        headers={"Authorization": f"Bearer {owner_token}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    admin = f"admin-{secrets.token_hex(3)}"
    stack.token(admin, "admin")  # creates the admin user
    context.clock.install()  # the page's timers, to reach the silent refresh without waiting an hour
    page = context.new_page()
    open_dashboard(page)
    sign_in(page, f"{admin}@example.com", "Local-Passw0rd!")
    page.wait_for_selector("#admin:not([hidden]) #all-items tbody tr")
    assert "owned.txt" in page.inner_text("#all-items")
    assert "owned.txt" not in page.inner_text("#items")  # not the admin's own
    before = page.evaluate("() => JSON.parse(sessionStorage.getItem('dashboard.tokens')).accessToken")
    page.clock.fast_forward(3545_000)  # a minute before the 1 h access token expires
    page.wait_for_selector("#message:has-text('Session renewed.')")
    after = page.evaluate("() => JSON.parse(sessionStorage.getItem('dashboard.tokens')).accessToken")
    assert after != before


def test_a_disallowed_origin_is_blocked_by_cors(stack: RunningStack, context: Any) -> None:
    token = stack.token(f"cors-{secrets.token_hex(3)}")
    script = (
        "async ([url, token]) => { try { const r = await fetch(url, {headers: {Authorization: 'Bearer ' + token}});"
        " return r.status; } catch (e) { return e.name; } }"
    )
    args = [stack.api_url + "/metadata/list", token]
    allowed = context.new_page()
    allowed.goto(DEV_ORIGIN + "/config.json")
    assert allowed.evaluate(script, args) == 200
    other = context.new_page()
    other.goto(f"http://127.0.0.1:{stack.web_port}/config.json")  # same page, an origin the API does not allow
    assert other.evaluate(script, args) == "TypeError"


def test_the_api_reference_renders_every_operation_from_local_assets(stack: RunningStack, context: Any) -> None:
    """Swagger UI from the installed package: every request stays on the docs origin, nothing fails."""
    docs = stack.outputs["apiDocsUrl"]
    page = context.new_page()
    seen: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(docs)
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/health", "/upload-url", "/metadata/list", "/metadata/{id}", "/reports/summary"} <= set(paths)
    assert page.locator(".opblock").count() == 7  # one per operation (GET and DELETE /metadata/{id})
    page.locator(".opblock-summary", has_text="/reports/summary").click()
    page.wait_for_selector(".opblock-body")
    assert page.locator(".try-out__btn").count() == 0  # a reference: the API's CORS origins exclude this page
    assert seen and all(url.startswith(docs) for url in seen), seen
    assert errors == []
