"""Run a Pulumi Python program in-process under mocks and record its resource graph.

Written once, used three times: by the unit tests, by ``policy.check`` (the offline
policy gate) and by the embedded local stack. Nothing here talks to a cloud or to
the Pulumi CLI: the program runs against :class:`pulumi.runtime.MockMonitor`,
whose answers come from :class:`AwsMocks` (AWS-shaped ids, ARNs and endpoints),
or from a subclass that creates real resources in an emulator.
"""

import asyncio
import gc
import hashlib
import json
import os
import runpy
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs
from pulumi.runtime.rpc import UNKNOWN

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass
class RecordedResource:
    """One resource the program registered, as the engine would see it."""

    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str | None = None
    provider: str | None = None
    raw_inputs: struct_pb2.Struct | None = field(default=None, repr=False)
    """The serialized inputs exactly as sent to the engine (unknowns preserved)."""
    raw_outputs: struct_pb2.Struct | None = field(default=None, repr=False)
    """The serialized outputs (provider state, or a component's registered outputs)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Resource options as the engine sees them: protect, dependencies, property dependencies, aliases..."""

    @property
    def state(self) -> dict[str, Any]:
        """Inputs overlaid with the provider's outputs."""
        return {**self.inputs, **self.outputs}


@dataclass
class Recording:
    """Everything a program did under mocks."""

    project: str
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    config: dict[str, str]

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> RecordedResource:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise KeyError(urn)

    def children(self, parent: RecordedResource) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def by_id(self, type_: str, id_: str) -> RecordedResource | None:
        return next((r for r in self.of_type(type_) if r.id == id_), None)


class ProgramError(Exception):
    """The program (or its project/stack configuration) is broken."""

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, cause: BaseException | None = None
    ) -> None:
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")
        self.file = file
        self.line = line
        self.cause = cause

    @classmethod
    def from_exception(cls, exc: BaseException, program_file: str | None = None) -> "ProgramError":
        """Name the innermost frame of the user's program (or the last frame) that raised."""
        if isinstance(exc, ProgramError):
            return exc
        if isinstance(exc, SyntaxError):
            return cls(f"SyntaxError: {exc.msg}", file=exc.filename, line=exc.lineno, cause=exc)
        frames = traceback.extract_tb(exc.__traceback__)
        site = os.sep + "site-packages" + os.sep
        own = [f for f in frames if site not in f.filename and "/pulumi/" not in f.filename]
        candidates = own or list(frames)
        frame = candidates[-1] if candidates else None
        text = f"{type(exc).__name__}: {exc}"
        if frame is None:
            return cls(text, file=program_file, cause=exc)
        return cls(text, file=frame.filename, line=frame.lineno, cause=exc)


def _short_hash(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


class AwsMocks(pulumi.runtime.Mocks):
    """Mocks that answer like AWS: deterministic ids, ARNs, endpoints and auto-names.

    Inputs are echoed as outputs; each type gets the computed outputs programs wire
    together (``arn``, ``executionArn``, ``apiEndpoint``, ``endpoint``, ``invokeUrl``,
    ``invokeArn``...). Every invoke is answered: region, caller identity, partition,
    IAM policy documents; unknown invokes echo their arguments.
    """

    def __init__(self, region: str = DEFAULT_REGION, account_id: str = ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id

    # -- resources -------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom and args.custom is not None:
            return None, dict(args.inputs)
        return self.aws_outputs(args.typ, args.name, dict(args.inputs), args.resource_id)

    def aws_outputs(
        self, typ: str, name: str, inputs: dict[str, Any], resource_id: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Return ``(id, outputs)`` for a resource of type ``typ``; subclasses may override per type."""
        region, account = self.region, self.account_id
        out = dict(inputs)
        auto_name = f"{name}-{_short_hash(typ, name, length=7)}"
        rid = resource_id or f"{name}-{_short_hash(typ, name)}"
        service = typ.split(":")[1].split("/")[0] if ":" in typ else "aws"
        out.setdefault("arn", f"arn:aws:{service}:{region}:{account}:{typ.split(':')[-1].lower()}/{rid}")

        if typ == "aws:apigatewayv2/api:Api":
            rid = _short_hash(name, length=10)
            scheme = "wss" if inputs.get("protocolType") == "WEBSOCKET" else "https"
            out.update(
                apiEndpoint=f"{scheme}://{rid}.execute-api.{region}.amazonaws.com",
                executionArn=f"arn:aws:execute-api:{region}:{account}:{rid}",
                arn=f"arn:aws:apigateway:{region}::/apis/{rid}",
            )
        elif typ == "aws:apigatewayv2/stage:Stage":
            api_id = inputs.get("apiId", "api")
            stage = inputs.get("name", "$default")
            suffix = "" if stage == "$default" else stage
            out.update(
                invokeUrl=f"https://{api_id}.execute-api.{region}.amazonaws.com/{suffix}",
                executionArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}",
            )
        elif typ == "aws:apigateway/restApi:RestApi":
            rid = _short_hash(name, length=10)
            out.update(
                rootResourceId=_short_hash(name, "root", length=10),
                executionArn=f"arn:aws:execute-api:{region}:{account}:{rid}",
            )
        elif typ == "aws:cognito/userPool:UserPool":
            rid = f"{region}_{_short_hash(name, length=9)}"
            out.update(
                endpoint=f"cognito-idp.{region}.amazonaws.com/{rid}",
                arn=f"arn:aws:cognito-idp:{region}:{account}:userpool/{rid}",
                name=inputs.get("name", auto_name),
            )
        elif typ == "aws:cognito/userPoolClient:UserPoolClient":
            rid = _short_hash(name, length=26)
            if inputs.get("generateSecret"):
                out["clientSecret"] = _short_hash(name, "secret", length=51)
        elif typ == "aws:cognito/userPoolDomain:UserPoolDomain":
            rid = inputs.get("domain", rid)
            out.setdefault("cloudfrontDistribution", f"d{_short_hash(name, length=13)}.cloudfront.net")
        elif typ == "aws:lambda/function:Function":
            fname = inputs.get("name", auto_name)
            arn = f"arn:aws:lambda:{region}:{account}:function:{fname}"
            rid = fname
            out.update(
                name=fname,
                arn=arn,
                qualifiedArn=f"{arn}:$LATEST",
                invokeArn=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
            )
        elif typ == "aws:iam/role:Role":
            rid = inputs.get("name", auto_name)
            out.update(name=rid, arn=f"arn:aws:iam::{account}:role/{rid}")
        elif typ == "aws:dynamodb/table:Table":
            rid = inputs.get("name", auto_name)
            out.update(name=rid, arn=f"arn:aws:dynamodb:{region}:{account}:table/{rid}")
        elif typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            rid = inputs.get("bucket", auto_name.lower())
            out.update(
                bucket=rid,
                arn=f"arn:aws:s3:::{rid}",
                bucketDomainName=f"{rid}.s3.amazonaws.com",
                bucketRegionalDomainName=f"{rid}.s3.{region}.amazonaws.com",
            )
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            rid = inputs.get("name", auto_name)
            out.update(name=rid, arn=f"arn:aws:logs:{region}:{account}:log-group:{rid}")
        elif typ == "aws:apigatewayv2/domainName:DomainName":
            rid = inputs.get("domainName", rid)
            config = dict(inputs.get("domainNameConfiguration") or {})
            target = f"d-{_short_hash(name, length=10)}.execute-api.{region}.amazonaws.com"
            config.setdefault("targetDomainName", target)
            config.setdefault("hostedZoneId", "Z1UJRXOUMOOFQ8")
            out["domainNameConfiguration"] = config
        elif typ == "aws:acm/certificate:Certificate":
            out["arn"] = f"arn:aws:acm:{region}:{account}:certificate/{_short_hash(name, length=36)}"
        out.setdefault("id", rid)
        return rid, out

    # -- invokes ---------------------------------------------------------------------
    # MockMonitor accepts a plain dict (no check failures) as well as the (dict, failures) tuple.
    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        token, inputs = args.token, dict(args.args)
        if token == "aws:index/getRegion:getRegion":
            return {
                "id": self.region,
                "name": self.region,
                "region": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "id": self.account_id,
                "accountId": self.account_id,
                "userId": "AIDAMOCKUSER",
                "arn": f"arn:aws:iam::{self.account_id}:user/mock",
            }
        if token == "aws:index/getPartition:getPartition":
            return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return {"id": "policy", "json": render_policy_document(inputs), **inputs}
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {
                "id": self.region,
                "names": [f"{self.region}{z}" for z in "abc"],
                "zoneIds": [f"use1-az{i}" for i in (1, 2, 3)],
            }
        return inputs


class PreviewMocks(AwsMocks):
    """:class:`AwsMocks` as ``pulumi preview`` sees a new stack: ids and computed outputs are unknown."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = super().new_resource(args)
        if not args.custom and args.custom is not None:
            return resource_id, outputs
        inputs = dict(args.inputs)
        return "", {k: (v if k in inputs else UNKNOWN) for k, v in outputs.items() if k != "id"}


def render_policy_document(args: Mapping[str, Any]) -> str:
    """Render ``aws.iam.get_policy_document`` arguments as IAM JSON (the common subset)."""
    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {"Effect": st.get("effect", "Allow")}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        for key, name in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if st.get(key):
                out[name] = st[key]
        for principal in st.get("principals") or []:
            out.setdefault("Principal", {})[principal["type"]] = principal["identifiers"]
        for cond in st.get("conditions") or []:
            out.setdefault("Condition", {}).setdefault(cond["test"], {})[cond["variable"]] = cond["values"]
        statements.append(out)
    return json.dumps({"Version": args.get("version", "2012-10-17"), "Statement": statements})


class RecordingMonitor(MockMonitor):
    """A mock monitor that records every registered resource and the stack outputs."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.stack_outputs: dict[str, Any] = {}
        self.stack_urn: str | None = None

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine makes them: children of the stack carry no ``pulumi:pulumi:Stack$`` prefix."""
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return str(super().make_urn(parent, type_, name))

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            return response
        from pulumi.runtime import rpc

        self.recorded.append(
            RecordedResource(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent=request.parent or None,
                custom=bool(request.custom),
                inputs=rpc.deserialize_properties(request.object),
                outputs=rpc.deserialize_properties(response.object),
                id=response.id or None,
                provider=request.provider or None,
                raw_inputs=request.object,
                raw_outputs=response.object,
                options={
                    "protect": request.protect,
                    "dependencies": list(request.dependencies),
                    "propertyDependencies": {k: list(v.urns) for k, v in request.propertyDependencies.items()},
                    "deleteBeforeReplace": request.deleteBeforeReplace,
                    "ignoreChanges": list(request.ignoreChanges),
                    "aliases": [a.urn or a.spec.name for a in request.aliases],
                    "retainOnDelete": request.retainOnDelete if request.HasField("retainOnDelete") else False,
                },
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        """Stack exports, and the outputs components register with ``register_outputs``."""
        from pulumi.runtime import rpc

        outputs = rpc.deserialize_properties(request.outputs)
        if request.urn == self.stack_urn:
            self.stack_outputs = outputs
        else:
            for resource in self.recorded:
                if resource.urn == request.urn:
                    resource.outputs.update(outputs)
                    resource.raw_outputs = request.outputs
        return super().RegisterResourceOutputs(request)


def load_project(program_dir: str | Path, stack: str = "dev") -> tuple[str, dict[str, str]]:
    """Read ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml``: the project name and the flat config.

    Config keys are namespaced (``project:key``, ``aws:region``); structured values are
    JSON-encoded strings, as the Pulumi engine hands them to a program.
    """
    directory = Path(program_dir)
    project_file = directory / "Pulumi.yaml"
    if not project_file.is_file():
        project_file = directory / "Pulumi.yml"
    if not project_file.is_file():
        raise ProgramError(f"no Pulumi.yaml in {directory} (is it a Pulumi project directory?)")
    project = _read_yaml(project_file)
    if not isinstance(project, dict) or not isinstance(project.get("name"), str):
        raise ProgramError("Pulumi.yaml must be a mapping with a 'name'", file=str(project_file))
    name = project["name"]
    config: dict[str, str] = {}
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and "default" in spec:
            config[_qualify(name, key)] = _config_string(spec["default"])
        elif not isinstance(spec, dict):
            config[_qualify(name, key)] = _config_string(spec)
    stack_file = directory / f"Pulumi.{stack}.yaml"
    if stack_file.is_file():
        stack_doc = _read_yaml(stack_file) or {}
        if not isinstance(stack_doc, dict) or not isinstance(stack_doc.get("config") or {}, dict):
            raise ProgramError("expected a mapping with a 'config' mapping", file=str(stack_file))
        for key, value in (stack_doc.get("config") or {}).items():
            if isinstance(value, dict) and "secure" in value:
                raise ProgramError(
                    f"config {key!r} is encrypted; set a plain test value with --policy-config or another stack file",
                    file=str(stack_file),
                )
            config[_qualify(name, key)] = _config_string(value)
    return name, config


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProgramError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", file=str(path), line=(mark.line + 1) if mark else None
        ) from exc


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _config_string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@contextmanager
def _program_environment(directory: Path | None) -> Iterator[None]:
    """Run with the program's directory as cwd and first on sys.path, as the language host does."""
    if directory is None:
        yield
        return
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


def run_program(
    program: str | Path | Callable[[], Any],
    *,
    stack: str = "dev",
    project: str | None = None,
    config: Mapping[str, str] | None = None,
    mocks: pulumi.runtime.Mocks | None = None,
    preview: bool = False,
) -> Recording:
    """Run a program directory (its ``__main__.py``) or a callable under mocks.

    For a directory, ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` give the project name and
    config; ``config`` entries override them. Raises :class:`ProgramError` if the program
    or its configuration is broken.
    """
    directory: Path | None = None
    program_file: str | None = None
    base_config: dict[str, str] = {}
    if callable(program):
        func = program
        project = project or "project"
    else:
        directory = Path(program).resolve()
        main = directory / "__main__.py"
        if not main.is_file():
            raise ProgramError(f"no __main__.py in {directory}")
        project_name, base_config = load_project(directory, stack)
        project = project or project_name
        program_file = str(main)

        def func() -> None:
            runpy.run_path(str(main), run_name="__main__")

    all_config = {**base_config, **(config or {})}
    if mocks is None:
        region = all_config.get("aws:region", DEFAULT_REGION)
        mocks = PreviewMocks(region=region) if preview else AwsMocks(region=region)
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the graph is many small, long-lived objects: cyclic GC passes make runs superlinear
    try:
        pulumi_settings.reset_options()
        pulumi.runtime.set_all_config(dict(all_config))
        pulumi_settings.set_root_resource(_NoRoot())  # type: ignore[arg-type]
        pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
        pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]
        with _program_environment(directory):
            loop.run_until_complete(_run_in_stack(func))
    except Exception as exc:
        raise ProgramError.from_exception(exc, program_file) from exc
    finally:
        if gc_was_enabled:
            gc.enable()
        _drain(loop)
        pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]
        pulumi.runtime.set_all_config({})
    return Recording(
        project=project, stack=stack, resources=monitor.recorded, outputs=monitor.stack_outputs, config=all_config
    )


async def _run_in_stack(func: Callable[[], Any]) -> None:
    """What ``pulumi.runtime.stack.run_in_stack`` does, with a linear wait for outstanding work.

    The SDK's ``wait_for_rpcs`` waits for pending outputs one ``asyncio.wait`` at a time, which is
    quadratic in the number of resources; here each round gathers everything pending at once.
    """
    await pulumi_settings._load_monitor_feature_support()
    root = pulumi.runtime.stack.Stack()
    error: BaseException | None = None
    try:
        func()
    except BaseException as exc:  # re-raised once outstanding RPCs have settled
        error = exc
    finally:
        root._finish()
    try:
        await _settle()
    except Exception:
        if error is None:
            raise
    if error is not None:
        raise error


async def _settle() -> None:
    """Wait until no RPC and no output task is pending; raise the first unhandled RPC error."""
    rpc_manager = pulumi_settings._get_rpc_manager()
    outputs = pulumi_settings.SETTINGS.outputs
    while True:
        rpcs = list(rpc_manager.rpcs)
        rpc_manager.rpcs.clear()
        if rpcs:
            await asyncio.gather(*rpcs, return_exceptions=True)
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        with pulumi_settings.SETTINGS.lock:
            tasks = list(outputs)
            outputs.clear()
        if tasks:
            for result in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(result, Exception):
                    raise result
        if not rpcs and not tasks and not rpc_manager.rpcs and not outputs:
            return


class _NoRoot:
    """Placeholder root so ``set_mocks`` does not register a throwaway stack."""


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)
