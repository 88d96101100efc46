"""Pulumi mocks that create the program's stateful resources in moto and answer with moto's real ids.

Cognito (user pool, app client, domain, resource server, group), DynamoDB tables and S3 buckets (plus
their CORS rules) are created through boto3 against the emulator, so the ids the program wires together
(pool id in the issuer, client id in the audiences, table and bucket names in the functions' environment)
are the ones the emulator knows. Every other type falls back to :class:`securedapi.testing.AwsMocks`,
which has no side effects.
"""

import threading
from collections.abc import Callable
from typing import Any

from securedapi.local.emulator import FAKE_CREDENTIALS
from securedapi.testing import AwsMocks


def _pascal(value: Any) -> Any:
    """camelCase Pulumi inputs -> PascalCase AWS API shapes (recursively)."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


def _ints(value: Any) -> Any:
    """Pulumi numbers arrive as floats; AWS integer fields want ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def _pick(inputs: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    return {aws: _ints(inputs[key]) for key, aws in mapping.items() if inputs.get(key) not in (None, [], {})}


def create_table_request(inputs: dict[str, Any], table_name: str) -> dict[str, Any]:
    """DynamoDB ``CreateTable`` arguments for a Pulumi ``aws.dynamodb.Table`` with these inputs."""

    def key_schema(spec: dict[str, Any]) -> list[dict[str, str]]:
        schema = [{"AttributeName": spec["hashKey"], "KeyType": "HASH"}]
        if spec.get("rangeKey"):
            schema.append({"AttributeName": spec["rangeKey"], "KeyType": "RANGE"})
        return schema

    def projection(spec: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"ProjectionType": spec.get("projectionType", "ALL")}
        if spec.get("nonKeyAttributes"):
            result["NonKeyAttributes"] = spec["nonKeyAttributes"]
        return result

    provisioned = inputs.get("billingMode", "PROVISIONED") == "PROVISIONED"

    def throughput(spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "ProvisionedThroughput": {
                "ReadCapacityUnits": spec.get("readCapacity") or 1,
                "WriteCapacityUnits": spec.get("writeCapacity") or 1,
            }
        }

    args: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs.get("attributes") or []
        ],
        "KeySchema": key_schema(inputs),
        "BillingMode": "PROVISIONED" if provisioned else "PAY_PER_REQUEST",
    }
    if provisioned:
        args.update(throughput(inputs))
    gsis = [
        {
            "IndexName": g["name"],
            "KeySchema": key_schema(g),
            "Projection": projection(g),
            **(throughput(g) if provisioned else {}),
        }
        for g in inputs.get("globalSecondaryIndexes") or []
    ]
    if gsis:
        args["GlobalSecondaryIndexes"] = gsis
    lsis = [
        {
            "IndexName": g["name"],
            "Projection": projection(g),
            "KeySchema": [
                {"AttributeName": inputs["hashKey"], "KeyType": "HASH"},
                {"AttributeName": g["rangeKey"], "KeyType": "RANGE"},
            ],
        }
        for g in inputs.get("localSecondaryIndexes") or []
    ]
    if lsis:
        args["LocalSecondaryIndexes"] = lsis
    if inputs.get("streamEnabled"):
        args["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": inputs.get("streamViewType", "NEW_AND_OLD_IMAGES"),
        }
    return args


class MotoMocks(AwsMocks):
    """:class:`AwsMocks` whose Cognito, DynamoDB and S3 resources are real resources in a moto server.

    Clients use fake credentials and ``endpoint_url`` (default: ``AWS_ENDPOINT_URL``). ``created`` lists
    ``(type, id)`` of everything made in the emulator, in order.
    """

    def __init__(self, region: str, endpoint_url: str | None = None) -> None:
        super().__init__(region=region)
        self.endpoint_url = endpoint_url
        self.created: list[tuple[str, str]] = []
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._handlers: dict[str, Callable[[str, dict[str, Any], dict[str, Any]], tuple[str, dict[str, Any]]]] = {
            "aws:cognito/userPool:UserPool": self._user_pool,
            "aws:cognito/userPoolClient:UserPoolClient": self._user_pool_client,
            "aws:cognito/userPoolDomain:UserPoolDomain": self._user_pool_domain,
            "aws:cognito/resourceServer:ResourceServer": self._resource_server,
            "aws:cognito/userGroup:UserGroup": self._user_group,
            "aws:dynamodb/table:Table": self._table,
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:s3/bucketV2:BucketV2": self._bucket,
            "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": self._bucket_cors,
            "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2": self._bucket_cors,
        }

    def client(self, service: str) -> Any:
        """One boto3 client per service (creating clients is not thread-safe; calls are)."""
        with self._lock:
            if service not in self._clients:
                import boto3

                session = boto3.session.Session(
                    aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                    region_name=self.region,
                )
                self._clients[service] = session.client(service, endpoint_url=self.endpoint_url)
            return self._clients[service]

    def aws_outputs(
        self, typ: str, name: str, inputs: dict[str, Any], resource_id: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        rid, out = super().aws_outputs(typ, name, inputs, resource_id)
        handler = self._handlers.get(typ)
        if handler is None:
            return rid, out
        rid, extra = handler(name, inputs, out)
        out.update(extra)
        out["id"] = rid
        self.created.append((typ, rid))
        return rid, out

    # -- Cognito -------------------------------------------------------------------------
    def _user_pool(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        args: dict[str, Any] = {"PoolName": out["name"]}
        args.update(
            _pick(
                inputs,
                {
                    "usernameAttributes": "UsernameAttributes",
                    "aliasAttributes": "AliasAttributes",
                    "autoVerifiedAttributes": "AutoVerifiedAttributes",
                    "mfaConfiguration": "MfaConfiguration",
                },
            )
        )
        if inputs.get("passwordPolicy"):
            args["Policies"] = {"PasswordPolicy": _pascal(_ints(inputs["passwordPolicy"]))}
        if inputs.get("usernameConfiguration"):
            args["UsernameConfiguration"] = _pascal(inputs["usernameConfiguration"])
        if inputs.get("adminCreateUserConfig"):
            config = _ints(inputs["adminCreateUserConfig"])
            args["AdminCreateUserConfig"] = {"AllowAdminCreateUserOnly": bool(config.get("allowAdminCreateUserOnly"))}
        if inputs.get("schemas"):
            args["Schema"] = [
                {
                    "Name": s["name"],
                    "AttributeDataType": s["attributeDataType"],
                    "Mutable": bool(s.get("mutable", True)),
                    "Required": bool(s.get("required", False)),
                    "DeveloperOnlyAttribute": bool(s.get("developerOnlyAttribute", False)),
                }
                for s in inputs["schemas"]
            ]
        pool = self.client("cognito-idp").create_user_pool(**args)["UserPool"]
        pool_id = pool["Id"]
        region = pool_id.split("_", 1)[0]
        return pool_id, {
            "arn": pool["Arn"],
            "name": pool["Name"],
            "endpoint": f"cognito-idp.{region}.amazonaws.com/{pool_id}",
            "creationDate": str(pool.get("CreationDate", "")),
            "lastModifiedDate": str(pool.get("LastModifiedDate", "")),
            "estimatedNumberOfUsers": 0,
        }

    def _user_pool_client(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        # Exactly what the program declared: no auth flow is added (managed login serves the code flow).
        args: dict[str, Any] = {
            "UserPoolId": inputs["userPoolId"],
            "ClientName": inputs.get("name") or name,
            "GenerateSecret": bool(inputs.get("generateSecret")),
        }
        args.update(
            _pick(
                inputs,
                {
                    "allowedOauthFlows": "AllowedOAuthFlows",
                    "allowedOauthScopes": "AllowedOAuthScopes",
                    "allowedOauthFlowsUserPoolClient": "AllowedOAuthFlowsUserPoolClient",
                    "callbackUrls": "CallbackURLs",
                    "logoutUrls": "LogoutURLs",
                    "supportedIdentityProviders": "SupportedIdentityProviders",
                    "readAttributes": "ReadAttributes",
                    "writeAttributes": "WriteAttributes",
                    "preventUserExistenceErrors": "PreventUserExistenceErrors",
                    "enableTokenRevocation": "EnableTokenRevocation",
                    "accessTokenValidity": "AccessTokenValidity",
                    "idTokenValidity": "IdTokenValidity",
                    "refreshTokenValidity": "RefreshTokenValidity",
                    "explicitAuthFlows": "ExplicitAuthFlows",
                    "authSessionValidity": "AuthSessionValidity",
                },
            )
        )
        if inputs.get("tokenValidityUnits"):
            args["TokenValidityUnits"] = _pascal(inputs["tokenValidityUnits"])
        if inputs.get("refreshTokenRotation"):
            args["RefreshTokenRotation"] = _pascal(_ints(inputs["refreshTokenRotation"]))
        client = self.client("cognito-idp").create_user_pool_client(**args)["UserPoolClient"]
        extra: dict[str, Any] = {"name": client["ClientName"]}
        if client.get("ClientSecret"):
            extra["clientSecret"] = client["ClientSecret"]
        return client["ClientId"], extra

    def _user_pool_domain(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        args: dict[str, Any] = {"Domain": inputs["domain"], "UserPoolId": inputs["userPoolId"]}
        if inputs.get("certificateArn"):
            args["CustomDomainConfig"] = {"CertificateArn": inputs["certificateArn"]}
        self.client("cognito-idp").create_user_pool_domain(**args)
        return inputs["domain"], {}

    def _resource_server(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        scopes = [
            {"ScopeName": s["scopeName"], "ScopeDescription": s["scopeDescription"]} for s in inputs.get("scopes") or []
        ]
        identifier = inputs["identifier"]
        self.client("cognito-idp").create_resource_server(
            UserPoolId=inputs["userPoolId"], Identifier=identifier, Name=inputs.get("name") or identifier, Scopes=scopes
        )
        return f"{inputs['userPoolId']}|{identifier}", {
            "scopeIdentifiers": [f"{identifier}/{s['ScopeName']}" for s in scopes]
        }

    def _user_group(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        args = {"GroupName": inputs["name"], "UserPoolId": inputs["userPoolId"]}
        args.update(_pick(inputs, {"description": "Description", "precedence": "Precedence", "roleArn": "RoleArn"}))
        self.client("cognito-idp").create_group(**args)
        return f"{inputs['userPoolId']}/{inputs['name']}", {}

    # -- DynamoDB ------------------------------------------------------------------------
    def _table(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        inputs = _ints(inputs)
        table_name = out["name"]
        args = create_table_request(inputs, table_name)
        dynamodb = self.client("dynamodb")
        table = dynamodb.create_table(**args)["TableDescription"]
        ttl = inputs.get("ttl") or {}
        if ttl.get("enabled") and ttl.get("attributeName"):
            dynamodb.update_time_to_live(
                TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]}
            )
        extra: dict[str, Any] = {"name": table_name, "arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            extra.update(streamArn=table["LatestStreamArn"], streamLabel=table.get("LatestStreamLabel", ""))
        return table_name, extra

    # -- S3 ------------------------------------------------------------------------------
    def _bucket(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        bucket = out["bucket"]
        args: dict[str, Any] = {"Bucket": bucket}
        if self.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.client("s3").create_bucket(**args)
        return bucket, {"bucket": bucket}

    def _bucket_cors(self, name: str, inputs: dict[str, Any], out: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rules = []
        for rule in _ints(inputs.get("corsRules") or []):
            rules.append(
                _pick(
                    rule,
                    {
                        "allowedMethods": "AllowedMethods",
                        "allowedOrigins": "AllowedOrigins",
                        "allowedHeaders": "AllowedHeaders",
                        "exposeHeaders": "ExposeHeaders",
                        "maxAgeSeconds": "MaxAgeSeconds",
                        "id": "ID",
                    },
                )
            )
        self.client("s3").put_bucket_cors(Bucket=inputs["bucket"], CORSConfiguration={"CORSRules": rules})
        return inputs["bucket"], {}
