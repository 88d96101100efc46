"""Start the local stack: emulator, program under moto-backed mocks, API model, gateway, ``outputs.json``."""

import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from securedapi.local.emulator import Emulator, apply_environment, aws_environment, check_ports_free
from securedapi.local.model import ApiModel, cognito_jwks_url

if TYPE_CHECKING:
    from securedapi.local.authserver import AuthServer
    from securedapi.local.gateway import Gateway

DEFAULT_STATE_DIR = Path(".local")
USER_POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"


@dataclass
class LocalStack:
    """One local stack: ``prepare()`` builds everything, ``serve()`` runs the API until Ctrl-C."""

    program_dir: Path = field(default_factory=Path.cwd)
    stack: str = "dev"
    host: str = "127.0.0.1"
    api_port: int = 3000
    aws_port: int = 5000
    auth_port: int = 5001
    web_port: int = 5173
    docs_port: int = 5002
    strict: bool = False
    state_dir: Path = DEFAULT_STATE_DIR
    access_log: bool = False
    throttling: bool = True
    emulator: Emulator | None = None
    model: ApiModel | None = None
    gateway: "Gateway | None" = None
    auth: "AuthServer | None" = None
    outputs: dict[str, Any] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)
    """The served API's OpenAPI document, localized (the API reference on ``docs_port``)."""
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def auth_url(self) -> str:
        return f"http://{self.host}:{self.auth_port}"

    @property
    def docs_url(self) -> str:
        return f"http://{self.host}:{self.docs_port}"

    @property
    def web_dir(self) -> Path | None:
        """The program's static web page (``web/index.html``), served on ``web_port`` when present."""
        web = self.program_dir / "web"
        return web if (web / "index.html").is_file() else None

    @property
    def web_url(self) -> str:
        # The browser origin the dev stack allows (CORS, callback URLs) is localhost, not 127.0.0.1.
        host = "localhost" if self.host in ("127.0.0.1", "localhost") else self.host
        return f"http://{host}:{self.web_port}"

    @property
    def outputs_file(self) -> Path:
        return self.state_dir / "outputs.json"

    def prepare(self) -> None:
        """Check ports, start moto, run the program against it and build the gateway (raises on failure)."""
        ports = [("API", self.api_port), ("AWS", self.aws_port), ("AUTH", self.auth_port), ("DOCS", self.docs_port)]
        check_ports_free(self.host, ports + ([("WEB", self.web_port)] if self.web_dir else []))
        self.outputs_file.unlink(missing_ok=True)
        from securedapi.testing import load_project

        _, config = load_project(self.program_dir, self.stack)
        region = config.get("aws:region") or os.environ.get("AWS_REGION") or "us-east-1"
        from securedapi.local.authserver import AuthServer

        self.auth = AuthServer(self.auth_url, strict=self.strict, say=self.say)
        self.emulator = Emulator(self.host, self.aws_port, codes=self.auth.mailbox, wrap=self.auth.wrap_emulator)
        self.emulator.start()
        endpoint = self.emulator.endpoint_url
        apply_environment(aws_environment(endpoint, region))

        from securedapi.local.gateway import Gateway
        from securedapi.local.mocks import MotoMocks
        from securedapi.local.model import build_model
        from securedapi.testing import run_program

        recording = run_program(self.program_dir, stack=self.stack, mocks=MotoMocks(region, endpoint))
        self.model = build_model(recording, self.program_dir, region=region)
        for warning in self.model.warnings:
            self.say(f"warning: {warning}")
        self.gateway = Gateway(self.model, aws_endpoint_url=endpoint, throttling=self.throttling)
        self.outputs = self._outputs(recording.outputs, recording, region, endpoint)
        from securedapi.local.apidocs import localize, program_document

        self.document = localize(program_document(recording, self.model), self.api_url, self.auth.domain)

    def _outputs(self, exports: dict[str, Any], recording: Any, region: str, endpoint: str) -> dict[str, Any]:
        assert self.model is not None
        outputs = dict(exports)
        authorizer = self.model.authorizers[0] if self.model.authorizers else None
        pools = recording.of_type(USER_POOL)
        clients = recording.of_type(CLIENT)
        issuer = outputs.get("issuer") or (authorizer.issuer if authorizer else None)
        outputs.update(
            {
                "apiUrl": self.api_url,
                "awsEndpointUrl": endpoint,
                "region": region,
                "stack": self.stack,
                "programDir": str(self.program_dir),
                "pid": os.getpid(),
            }
        )
        outputs.setdefault("userPoolId", pools[0].id if pools else None)
        outputs.setdefault(
            "userPoolClientId",
            (authorizer.audiences[0] if authorizer and authorizer.audiences else clients[0].id if clients else None),
        )
        if issuer:
            outputs["issuer"] = issuer
            outputs["jwksUri"] = cognito_jwks_url(issuer, endpoint)
        outputs["routes"] = {key: t.authorization_type for key, t in self.model.targets.items()}
        from securedapi.local.service_tokens import service_clients

        outputs["serviceClients"] = service_clients(recording)
        outputs.update(self._login_outputs(outputs.get("userPoolClientId")))
        return outputs

    def _login_outputs(self, client_id: str | None) -> dict[str, Any]:
        """The managed login's URLs (local, in place of the program's AWS ones), mailbox and web page."""
        assert self.auth is not None
        result: dict[str, Any] = {
            "domain": self.auth.domain,
            "tokenEndpoint": self.auth.token_endpoint,
            "mailboxUrl": self.auth.mailbox_url,
        }
        client = self.auth.pools.client(client_id) if client_id else None
        if client is not None:
            result["loginUrl"] = self.auth.login_url(client)
        if self.web_dir is not None:
            result["webUrl"] = self.web_url
        result["apiDocsUrl"] = f"{self.docs_url}/"
        result["openapiUrl"] = f"{self.docs_url}/openapi.json"
        return result

    def write_outputs(self) -> None:
        """Write ``outputs.json`` atomically (its appearance means "ready"), with this process's pid."""
        from securedapi.local.state import write_outputs

        write_outputs(self.outputs_file, self.outputs)

    def banner(self) -> str:
        o = self.outputs
        state = "" if self.state_dir == DEFAULT_STATE_DIR else f" --state-dir {self.state_dir}"
        lines = [
            f"Local stack {self.stack!r} is ready (Ctrl-C stops it).",
            f"  API URL      {o['apiUrl']}",
            *([f"  web page     {o['webUrl']}"] if o.get("webUrl") else []),
            f"  login        {o.get('loginUrl', o['domain'] + ' (no app client found)')}",
            f"  token        {o['tokenEndpoint']}",
            f"  mailbox      {o['mailboxUrl']} (verification codes; nothing is emailed)",
            f"  API docs     {o['apiDocsUrl']} (OpenAPI document: {o['openapiUrl']})",
            f"  issuer       {o.get('issuer')}",
            f"  client id    {o.get('userPoolClientId')}",
            f"  user pool    {o.get('userPoolId')}",
            f"  AWS emulator {o['awsEndpointUrl']} (region {o['region']})",
            f"  outputs      {self.outputs_file}",
            "  routes       " + ", ".join(f"{k} [{v}]" for k, v in o["routes"].items()),
            "Sign in:",
            *(
                [f"  open {o['webUrl']} and choose Sign in (Sign up, then take the code from the mailbox)"]
                if o.get("webUrl")
                else []
            ),
            f"  TOKEN=$({cli_command()} token --user alice{state})",
            f'  curl -H "Authorization: Bearer $TOKEN" {o["apiUrl"]}/<route>',
            *(
                f"  SERVICE=$({cli_command()} token --client {name}{state})   # a service client: client credentials"
                for name in o.get("serviceClients") or {}
            ),
            *(["  --strict: flows RFC 9700 forbids are refused"] if self.strict else []),
        ]
        return "\n".join(lines)

    def serve(self) -> None:
        """Serve the API, the managed login and the web page until SIGINT/SIGTERM; then stop moto and remove
        outputs.json."""
        from securedapi.local.apidocs import docs_app
        from securedapi.local.servers import Site, serve_all

        assert self.gateway is not None and self.auth is not None
        sites = [
            Site("API", self.gateway.app, self.api_port, lifespan=True),
            Site("managed login", self.auth.app, self.auth_port),
            Site("API reference", docs_app(self.document, self._docs_title()), self.docs_port),
        ]
        if self.web_dir is not None:
            from securedapi.local.webpage import web_app

            sites.append(Site("web page", web_app(self.web_dir, self.outputs), self.web_port))

        def ready() -> None:
            self.write_outputs()
            self.say(self.banner())

        try:
            started = serve_all(sites, self.host, ready, access_log=self.access_log)
        finally:
            self.stop()
        if not started:
            raise SystemExit(2)

    def _docs_title(self) -> str:
        title = (self.document.get("info") or {}).get("title") or "API"
        return f"{title}: API reference (stack {self.stack}, local)"

    def stop(self) -> None:
        self.outputs_file.unlink(missing_ok=True)
        if self.gateway is not None:
            self.gateway.close()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None


def cli_command() -> str:
    """How to run the ``securedapi`` command from here without activating its virtualenv."""
    script = Path(sys.executable).parent / "securedapi"
    if not script.is_file():
        return f"{shlex.quote(sys.executable)} -m securedapi"
    try:
        relative = script.relative_to(Path.cwd())
        return shlex.quote(str(relative))
    except ValueError:
        return shlex.quote(str(script))


def print_error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
