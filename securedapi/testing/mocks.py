"""AWS-shaped mocks: what a program sees from the engine when it runs under :mod:`securedapi.testing`.

Deterministic ids, ARNs, endpoints and auto-names per resource type, answers to the invokes programs
make (region, caller identity, partition, IAM policy documents), and the preview variant in which ids
and computed outputs are unknown.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs
from pulumi.runtime.rpc import UNKNOWN

STACK_REFERENCE = "pulumi:pulumi:StackReference"
ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


def _short_hash(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


class AwsMocks(pulumi.runtime.Mocks):
    """Mocks that answer like AWS: deterministic ids, ARNs, endpoints and auto-names.

    Inputs are echoed as outputs; each type gets the computed outputs programs wire
    together (``arn``, ``executionArn``, ``apiEndpoint``, ``endpoint``, ``invokeUrl``,
    ``invokeArn``...). Every invoke is answered: region, caller identity, partition,
    IAM policy documents; unknown invokes echo their arguments. A ``pulumi.StackReference`` reads the
    outputs given for that stack name in ``stack_references`` (none by default).
    """

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        account_id: str = ACCOUNT_ID,
        stack_references: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.stack_references = dict(stack_references or {})

    # -- resources -------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom and args.custom is not None:
            return None, dict(args.inputs)
        if args.typ == STACK_REFERENCE:
            stack = str(args.inputs.get("name") or args.name)
            return stack, {
                "name": stack,
                "outputs": dict(self.stack_references.get(stack, {})),
                "secretOutputNames": [],
            }
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
            out.setdefault("cloudfrontDistributionZoneId", "Z2FDTNDATAQYW2")  # CloudFront's alias zone, fixed
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
        if (not args.custom and args.custom is not None) or args.typ == STACK_REFERENCE:
            return resource_id, outputs  # a preview reads other stacks' outputs too
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
