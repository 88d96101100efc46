"""``securedapi local``: start the embedded local stack; ``securedapi token --user NAME``: print a token.

Exit codes: 0 clean stop (Ctrl-C), 1 the program/model or the token flow failed, 2 bad usage or a
port already in use (nothing was started).
"""

import argparse
import signal
import sys
from pathlib import Path

from securedapi.local.stack import DEFAULT_STATE_DIR, print_error


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="securedapi local",
        description="Run the project's Pulumi program against a local AWS emulator (moto) and serve its "
        "HTTP API like API Gateway, the user pool's managed login and the web page. "
        "`securedapi token --user NAME` prints a token for curl.",
    )
    parser.add_argument("--api-port", type=int, default=3000, help="port of the API (default 3000)")
    parser.add_argument("--aws-port", type=int, default=5000, help="port of the AWS emulator (default 5000)")
    parser.add_argument(
        "--auth-port", type=int, default=5001, help="port of the managed login (user pool domain; default 5001)"
    )
    parser.add_argument(
        "--web-port", type=int, default=5173, help="port of the program's web/ page (default 5173, the dev origin)"
    )
    parser.add_argument(
        "--docs-port",
        type=int,
        default=5002,
        help="port of the API reference: the OpenAPI document and a Swagger UI page (default 5002)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="managed login also refuses what RFC 9700 forbids (public clients without PKCE, refresh without "
        "rotation, ...); without it the log warns about those flows",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml config is used (default dev)")
    parser.add_argument(
        "--program", type=Path, default=Path("."), help="Pulumi program directory (default: the current directory)"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="where outputs.json is written (default .local)"
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument(
        "--no-throttling",
        action="store_true",
        help="serve without the stage's throttling (429 Too Many Requests) and the account's limit; "
        "for benchmarks and load tests",
    )
    return parser


def _token_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="securedapi token",
        description="Sign up and confirm a user of the running local stack's user pool if needed, sign it in "
        "through the local managed login (authorization code flow with PKCE) and print its access token "
        "(or ID token). With --client, print a service client's client-credentials access token instead.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="user name; 'alice' becomes alice@example.com on email pools")
    who.add_argument(
        "--client",
        help="service client name (CognitoIdentity service_clients, e.g. reporting) or client id: a "
        "client-credentials token from the local token endpoint with the emulated client's secret",
    )
    parser.add_argument("--password", default=None, help="password (default: a fixed local password)")
    parser.add_argument("--group", action="append", default=[], help="add the user to this group (repeatable)")
    parser.add_argument(
        "--scope",
        action="append",
        default=[],
        help="scope to request, e.g. dashboard/api (repeatable; must be allowed for the app client). "
        "Default: every scope the client allows (custom scopes only with --client)",
    )
    parser.add_argument("--id-token", action="store_true", help="print the ID token instead of the access token")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where the running stack wrote outputs.json (default .local)",
    )
    return parser


def token_main(argv: list[str]) -> int:
    from securedapi.local.tokens import DEFAULT_PASSWORD, TokenCliError, get_tokens, read_outputs

    parser = _token_parser()
    args = parser.parse_args(argv)
    if args.client is not None:
        extra = [
            flag
            for flag, used in (("--group", args.group), ("--password", args.password), ("--id-token", args.id_token))
            if used
        ]
        if extra:
            parser.error(f"{', '.join(extra)} applies to users; a service client (--client) has no user")
        return _client_token(args.client, tuple(args.scope), args.state_dir)
    scopes = list(args.scope)
    if scopes and args.id_token and "openid" not in scopes:
        scopes.insert(0, "openid")  # an ID token needs the openid scope
    try:
        outputs = read_outputs(args.state_dir)
        tokens = get_tokens(outputs, args.user, args.password or DEFAULT_PASSWORD, tuple(args.group), tuple(scopes))
        token = tokens.id_token if args.id_token else tokens.access_token
        if not token:
            raise TokenCliError("no ID token: the app client does not allow the openid scope")
    except TokenCliError as exc:
        print_error(str(exc))
        return 1
    kind = "ID" if args.id_token else "access"
    granted = f" with scope {' '.join(scopes)}" if scopes else ""
    print(f"# {tokens.username}: {kind} token{granted}, valid {tokens.expires_in} s", file=sys.stderr)
    print(token)
    return 0


def _client_token(name: str, scopes: tuple[str, ...], state_dir: Path) -> int:
    from securedapi.local.service_tokens import client_credentials_token
    from securedapi.local.tokens import TokenCliError, read_outputs

    try:
        token = client_credentials_token(read_outputs(state_dir), name, scopes)
    except TokenCliError as exc:
        print_error(str(exc))
        return 1
    print(f"# {token.name}: client-credentials access token with scope {token.scope}, valid {token.expires_in} s",
          file=sys.stderr)  # fmt: skip
    print(token.access_token)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_main(argv: list[str]) -> int:
    from securedapi.local.emulator import PortInUseError
    from securedapi.local.stack import LocalStack

    args = _serve_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # stop cleanly while starting up, too
    stack = LocalStack(
        program_dir=args.program.resolve(),
        stack=args.stack,
        host=args.host,
        api_port=args.api_port,
        aws_port=args.aws_port,
        auth_port=args.auth_port,
        web_port=args.web_port,
        docs_port=args.docs_port,
        strict=args.strict,
        state_dir=args.state_dir,
        access_log=args.access_log,
        throttling=not args.no_throttling,
    )
    try:
        stack.prepare()
    except PortInUseError as exc:
        print_error(str(exc))
        return 2
    except KeyboardInterrupt:
        stack.stop()
        return 0
    except Exception as exc:
        stack.stop()
        from securedapi.components.stack_config import StackConfigError
        from securedapi.local.model import ModelError
        from securedapi.testing import ProgramError

        if isinstance(exc, StackConfigError):  # the stack's config is wrong: bad usage, like the gate's exit 2
            print_error(f"the stack's configuration is broken: {exc}")
            return 2
        if isinstance(exc, ProgramError | ModelError):
            print_error(f"the program cannot run locally: {exc}")
            return 1
        raise
    try:
        stack.serve()
    except SystemExit as exc:
        return int(exc.code or 0)
    print("Local stack stopped.", flush=True)
    return 0
