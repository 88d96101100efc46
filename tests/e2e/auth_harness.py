"""An in-process local managed login for the protocol tests: an emulator (moto server on a free port) with
the Cognito API rules in front, the auth fixture program's pools and clients created in it, and the
authorization server on uvicorn, all over real HTTP on loopback. Its clock can be moved forward."""

import base64
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

AUTH_PROGRAM = Path(__file__).resolve().parent / "auth_program"
CALLBACK = "http://localhost:5173/callback"
PASSWORD = "Correct-Horse-9!"


class FakeClock:
    """Real time plus an offset that tests move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field in {html[:300]}"
    return unescape(match.group(1))


def page_error(html: str) -> str | None:
    match = re.search(r'id="error">(.*?)</p>', html)
    return unescape(match.group(1)) if match else None


@dataclass
class Browser:
    """A cookie-keeping HTTP client that drives the login pages as a browser would (no redirects followed)."""

    domain: str
    http: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, **params: str) -> requests.Response:
        url = path if path.startswith("http") else self.domain + path
        return self.http.get(url, params=params or None, allow_redirects=False, timeout=10)

    def post_form(self, page: requests.Response, action: str, **fields: str) -> requests.Response:
        """Submit the form of ``page`` (its hidden fields and CSRF token) with ``fields``."""
        data = {name: hidden(page.text, name) for name in ("params", "step", "_csrf") if f'name="{name}"' in page.text}
        data.update(fields)
        return self.http.post(self.domain + action, data=data, allow_redirects=False, timeout=10)

    def follow(self, response: requests.Response) -> requests.Response:
        assert response.status_code == 302, (response.status_code, response.text[:300])
        return self.get(urljoin(self.domain + "/", response.headers["location"]))


def redirect_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, (response.status_code, response.text[:500])
    location = response.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class AuthStack:
    """The running pieces and the fixture program's ids."""

    domain: str
    endpoint: str
    outputs: dict[str, Any]
    clock: FakeClock
    server: Any
    log: list[str]

    @property
    def web(self) -> str:
        return str(self.outputs["webClientId"])

    def cognito(self) -> Any:
        import boto3

        return boto3.client(
            "cognito-idp",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def user(self, email: str, *, pool: str = "poolId", client: str = "web", groups: tuple[str, ...] = ()) -> str:
        """A confirmed user (SignUp + AdminConfirmSignUp through the Cognito API)."""
        cognito = self.cognito()
        client_id = self.outputs[f"{client}ClientId"]
        cognito.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
        cognito.admin_confirm_sign_up(UserPoolId=self.outputs[pool], Username=email)
        for group in groups:
            cognito.admin_add_user_to_group(UserPoolId=self.outputs[pool], Username=email, GroupName=group)
        return email

    def authorize_query(self, client_id: str | None = None, **overrides: str | None) -> dict[str, str]:
        query: dict[str, str | None] = {
            "response_type": "code",
            "client_id": client_id or self.web,
            "redirect_uri": CALLBACK,
            "state": "st-" + secrets.token_urlsafe(8),
        }
        query.update(overrides)
        return {k: v for k, v in query.items() if v is not None}

    def sign_in(
        self, email: str, password: str = PASSWORD, *, browser: Browser | None = None, **query: str | None
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Authorize + login; returns (the authorize query sent, the callback's parameters)."""
        browser = browser or Browser(self.domain)
        sent = self.authorize_query(**query)
        login = browser.follow(browser.get("/oauth2/authorize", **sent))
        response = browser.post_form(login, "/login", username=email, password=password)
        return sent, redirect_params(response)

    def token(self, **form: str) -> requests.Response:
        auth = form.pop("basic", None)
        basic = tuple(auth.split(":", 1)) if auth else None
        return requests.post(f"{self.domain}/oauth2/token", data=form, auth=basic, timeout=10)  # type: ignore[arg-type]

    def code_tokens(self, email: str, client_id: str | None = None, **query: str) -> dict[str, Any]:
        verifier, challenge = pkce()
        client_id = client_id or self.web
        _, back = self.sign_in(
            email, client_id=client_id, code_challenge=challenge, code_challenge_method="S256", **query
        )
        response = self.token(
            grant_type="authorization_code",
            client_id=client_id,
            code=back["code"],
            redirect_uri=CALLBACK,
            code_verifier=verifier,
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


def start_auth_stack() -> Iterator[AuthStack]:
    import uvicorn

    from securedapi.local.authserver import AuthServer
    from securedapi.local.emulator import Emulator, free_port
    from securedapi.local.mocks import MotoMocks
    from securedapi.testing import run_program

    clock = FakeClock()
    log: list[str] = []
    port = free_port()
    domain = f"http://127.0.0.1:{port}"
    auth = AuthServer(domain, say=log.append, clock=clock)
    emulator = Emulator("127.0.0.1", free_port(), codes=auth.mailbox, wrap=auth.wrap_emulator)
    emulator.start()
    server = uvicorn.Server(uvicorn.Config(auth.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    try:
        recording = run_program(AUTH_PROGRAM, stack="test", mocks=MotoMocks("us-east-1", emulator.endpoint_url))
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        outputs = {k: str(v) for k, v in recording.outputs.items()}
        yield AuthStack(domain, emulator.endpoint_url, outputs, clock, auth, log)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        emulator.stop()
