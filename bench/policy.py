"""Benchmark the offline policy gate: wall time of ``securedapi gate`` as CI runs it.

* the project's own dev stack (goal <= 0.7 s on 2 cores, process start included);
* a generated program with one SecuredHttpApi of 500 routes on one handler (~510 resources: past the
  20 KB policy quota its function has one whole-API permission, not one per route; goal <= 2 s), and the
  same routes spread over 13 handlers (each within the quota: one permission per route, ~1040 resources);
* an HTTP API created from an OpenAPI body of 500 operations behind a JWT authorizer (goal <= 2 s).
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"dev stack": 0.7, "500 routes": 2.0, "openapi 500": 2.0}
SPREAD = "500 routes, 13 handlers"
GATE = str(Path(sys.executable).parent / "securedapi")

PROGRAM_500 = '''
"""500 routes behind one JWT authorizer (every 50th public)."""
import pulumi_aws as aws
from securedapi import SecuredHttpApi

pool = aws.cognito.UserPool("pool", mfa_configuration="OPTIONAL")
client = aws.cognito.UserPoolClient("client", user_pool_id=pool.id, allowed_oauth_flows=["code"],
                                    allowed_oauth_scopes=["openid"], callback_urls=["https://app.example.com/cb"])
HANDLERS = 1
routes = {}
for i in range(500):
    key = f"GET /items{i}/{{id}}" if i % 2 else f"POST /items{i}"
    routes[key] = {"handler": f"app.handler{i % HANDLERS}", **({"public": "bench"} if i % 50 == 0 else {})}
SecuredHttpApi("bench", {
    "code_path": "code",
    "issuer": pool.endpoint.apply(lambda e: f"https://{e}"),
    "audiences": [client.id],
    "cors_origins": ["https://app.example.com"],
    "routes": routes,
})
'''


PROGRAM_OPENAPI_500 = '''
"""An OpenAPI-first HTTP API: 500 operations, JWT security on the document, one public health check."""
import json

import pulumi
import pulumi_aws as aws

pool = aws.cognito.UserPool("pool", mfa_configuration="OPTIONAL")
client = aws.cognito.UserPoolClient("client", user_pool_id=pool.id, allowed_oauth_flows=["code"],
                                    allowed_oauth_scopes=["openid"], callback_urls=["https://app.example.com/cb"])
INTEGRATION = {"type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "2.0",
               "uri": "arn:aws:lambda:us-east-1:123456789012:function:orders"}


def document(values):
    endpoint, client_id = values
    paths = {f"/items{i}/{{id}}": {("get" if i % 2 else "post"): {"x-amazon-apigateway-integration": INTEGRATION}}
             for i in range(499)}
    paths["/health"] = {"get": {"security": [], "x-amazon-apigateway-integration": INTEGRATION}}
    return json.dumps({
        "openapi": "3.0.1", "info": {"title": "bench", "version": "1"},
        "security": [{"cognito": []}],
        "components": {"securitySchemes": {"cognito": {"type": "oauth2", "x-amazon-apigateway-authorizer": {
            "type": "jwt", "identitySource": "$request.header.Authorization",
            "jwtConfiguration": {"issuer": f"https://{endpoint}", "audience": [client_id]}}}}},
        "paths": paths,
    })


aws.apigatewayv2.Api("bench", protocol_type="HTTP", body=pulumi.Output.all(pool.endpoint, client.id).apply(document))
'''


HEALTH_EXEMPTION = {"api": "bench", "route": "GET /health", "reason": "uptime checks"}


def _write_program(directory: Path, program: str = PROGRAM_500, handlers: int = 1) -> None:
    (directory / "Pulumi.yaml").write_text("name: bench500\nruntime: python\n")
    (directory / "__main__.py").write_text(program.replace("HANDLERS = 1", f"HANDLERS = {handlers}"))
    (directory / "code").mkdir()
    (directory / "code" / "app.py").write_text(
        "".join(f"def handler{i}(event, context):\n    return {{}}\n\n\n" for i in range(handlers))
    )


def time_gate(*args: str, runs: int = 3) -> tuple[float, int]:
    """Median wall time of ``securedapi gate ARGS`` and its exit status."""
    times, code = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [GATE, "gate", "--format", "json", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=None,
        )
        times.append(time.perf_counter() - start)
        code = done.returncode
        if code == 2:
            raise SystemExit(f"securedapi gate failed: {done.stderr}")
    return statistics.median(times), code


LOADED_PACKAGES = """
import sys, types
from securedapi.testing import record
record(".", stack="dev")
loaded = [m for m, mod in sys.modules.items() if type(mod) is types.ModuleType and hasattr(mod, "__path__")]
print(" ".join(sorted(m for m in loaded if m.startswith("pulumi_aws.") and m.count(".") == 1)))
"""  # pulumi_aws registers every service package lazily: only the loaded ones are plain modules


def import_floor(runs: int = 5) -> tuple[float, int]:
    """Median wall time of a process that only imports what the gate imports for the dev stack (securedapi's
    gate and components, pulumi, and the pulumi_aws service packages the stack's program loads), and how many
    service packages that is: what no change to the gate or the pack can take away."""
    packages = subprocess.run(
        [sys.executable, "-c", LOADED_PACKAGES], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    statement = "; ".join(["import securedapi.gate, securedapi.components", *(f"{p}.__name__" for p in packages)])
    script = f"import pulumi_aws\n{statement}"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(packages)


def main() -> None:
    """Print the gate's wall time on the project stack, a 500-route program and a 500-operation OpenAPI body."""
    figures: dict[str, tuple[float, int]] = {"dev stack": time_gate("--stack", "dev", runs=5)}
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as tmp:
        _write_program(Path(tmp))
        figures["500 routes"] = time_gate(tmp, "--stack", "bench")
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as tmp:
        _write_program(Path(tmp), handlers=13)
        figures[SPREAD] = time_gate(tmp, "--stack", "bench")
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as tmp:
        _write_program(Path(tmp), PROGRAM_OPENAPI_500)
        config = Path(tmp, "policy-config.json")
        config.write_text(json.dumps({"apigw-route-requires-auth": {"publicRoutes": [HEALTH_EXEMPTION]}}))
        figures["openapi 500"] = time_gate(tmp, "--stack", "bench", "--policy-config", str(config))
    for name, (seconds, code) in figures.items():
        goal = GOALS.get(name)
        verdict = f"goal <= {goal:g} s, {'ok' if seconds <= goal else 'SLOW'}; " if goal else ""
        print(f"securedapi gate {name:<11} {seconds:5.2f} s ({verdict}exit {code})", flush=True)
    floor, packages = import_floor()
    print(
        f"securedapi gate dev stack: {floor:.2f} s of it is starting Python and importing securedapi, pulumi and "
        f"the {packages} pulumi_aws service packages the program uses (measured alone)",
        flush=True,
    )


if __name__ == "__main__":
    main()
