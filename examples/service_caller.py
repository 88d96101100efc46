"""A service calling the API with the client-credentials grant, reusing its token until shortly before it expires."""

import threading
import time
from collections.abc import Callable

import requests


class ServiceToken:
    """An access token of a Cognito service client, fetched once and reused (Cognito bills each token request)."""

    def __init__(self, token_endpoint: str, client_id: str, client_secret: str, scopes: tuple[str, ...] = (),
                 margin: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.token_endpoint, self.auth, self.scopes = token_endpoint, (client_id, client_secret), scopes
        self.margin, self.clock = margin, clock
        self.lock = threading.Lock()
        self.token: str | None = None
        self.renew_at = 0.0

    def get(self) -> str:
        """The cached token; a new one `margin` seconds (at most half its lifetime) before it expires."""
        with self.lock:
            if self.token is None or self.clock() >= self.renew_at:
                body = {"grant_type": "client_credentials"}
                if self.scopes:
                    body["scope"] = " ".join(self.scopes)
                response = requests.post(self.token_endpoint, data=body, auth=self.auth, timeout=10)
                response.raise_for_status()
                answer = response.json()
                lifetime = float(answer["expires_in"])
                self.token = answer["access_token"]
                self.renew_at = self.clock() + lifetime - min(self.margin, lifetime / 2)
            return self.token

    def forget(self) -> None:
        """Drop the cached token (after a 401: it was revoked, or the clocks disagree)."""
        with self.lock:
            self.token = None


def call(token: ServiceToken, method: str, url: str, **kwargs) -> requests.Response:
    """One API call with the service token; after a 401 (revoked, or the clocks disagree) one retry with a new one."""
    headers = dict(kwargs.pop("headers", None) or {})
    for retry in (False, True):
        if retry:
            token.forget()
        authorized = {**headers, "Authorization": f"Bearer {token.get()}"}
        response = requests.request(method, url, headers=authorized, timeout=10, **kwargs)
        if response.status_code != 401:
            break
    return response
