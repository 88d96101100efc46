"""The dashboard stack: a Cognito identity, upload storage and the JWT-secured dashboard API."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from securedapi import CognitoIdentity, SecuredHttpApi, cors
from securedapi.components.stack_config import check_stack_config

check_stack_config()  # an undeclared or mistyped key in Pulumi.<stack>.yaml stops here, before any resource

config = pulumi.Config()
deletion_protection = config.get_bool("deletionProtection", True)
require_scopes = config.get_bool("requireScopes", False)
hosted_zone = {"hosted_zone_id": config.get("hostedZoneId")} if config.get("hostedZoneId") else {}
try:
    # The one origin list: the API's CORS and the bucket's CORS name exactly the origins browsers send.
    cors_origins = cors.origins(config.get_object("corsOrigins") or [])
except cors.CorsError as exc:
    raise ValueError(f"securedapi:corsOrigins: {exc}") from None
email = {
    arg: config.get(key)
    for arg, key in (
        ("email_source_arn", "emailSourceArn"),
        ("email_from", "emailFrom"),
        ("email_configuration_set", "emailConfigurationSet"),
    )
    if config.get(key)
}

identity = CognitoIdentity(
    "dashboard-identity",
    {
        "callback_urls": config.require_object("callbackUrls"),
        "logout_urls": config.get_object("logoutUrls") or [],
        **(
            {
                "custom_domain": config.require("customDomain"),
                "certificate_arn": config.require("certificateArn"),
                **hosted_zone,
            }
            if config.get("customDomain")
            else {"domain_prefix": config.require("domainPrefix")}
        ),
        **email,
        "mfa": config.get("mfa", "OPTIONAL"),
        "feature_plan": config.get("featurePlan", "ESSENTIALS"),
        "threat_protection": config.get("threatProtection", "OFF"),
        "deletion_protection": deletion_protection,
        "resource_server_identifier": "dashboard",
        "scopes": {"api": "Call the dashboard API", "reports.read": "Read the upload reports (service clients only)"},
        "client_scopes": ["api"],  # the browser's client: reports.read is for the reporting service only
        # A machine-to-machine caller (client-credentials grant): a confidential client with only its scope.
        "service_clients": {
            "reporting": {
                "scopes": ["reports.read"],
                "description": "the reporting job reads GET /reports/summary",
                "token_validity_minutes": 60,
            }
        },
        "groups": {"admin": "Dashboard administrators: see and delete every upload"},
    },
)

# Metadata of uploads: items keyed by owner (pk) and item id (sk); the byCreated index serves the admin listing.
table = aws.dynamodb.Table(
    "dashboard-metadata",
    billing_mode="PAY_PER_REQUEST",
    hash_key="pk",
    range_key="sk",
    attributes=[{"name": n, "type": "S"} for n in ("pk", "sk", "gsi1pk", "gsi1sk")],
    global_secondary_indexes=[
        {"name": "byCreated", "hash_key": "gsi1pk", "range_key": "gsi1sk", "projection_type": "ALL"}
    ],
    point_in_time_recovery={"enabled": True},
    server_side_encryption={"enabled": True},
    deletion_protection_enabled=deletion_protection,
)

bucket = aws.s3.Bucket("dashboard-uploads", force_destroy=not deletion_protection)
aws.s3.BucketPublicAccessBlock(
    "dashboard-uploads-public-access",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "dashboard-uploads-encryption",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": True}],
)
if cors_origins:
    # Browsers PUT files straight to S3 with the presigned URL.
    aws.s3.BucketCorsConfiguration(
        "dashboard-uploads-cors",
        bucket=bucket.id,
        cors_rules=[
            {
                "allowed_methods": ["PUT"],
                "allowed_origins": cors_origins,
                "allowed_headers": ["content-type"],
                "max_age_seconds": 600,
            }
        ],
    )


def backend_policy(table_arn: str, bucket_arn: str) -> str:
    """Least privilege for the handlers: items of one table (and its index), objects under users/."""
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"],
            "Resource": [table_arn, f"{table_arn}/index/byCreated"],
        },
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": f"{bucket_arn}/users/*"},
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


REPORT_SUMMARY_SCHEMA = {
    "type": "object",
    "required": ["uploads", "owners", "totalBytes", "byStatus", "oldest", "newest"],
    "properties": {
        "uploads": {"type": "integer", "minimum": 0, "description": "Number of uploads"},
        "owners": {"type": "integer", "minimum": 0, "description": "Distinct users with uploads"},
        "totalBytes": {"type": "integer", "minimum": 0, "description": "Declared size of every upload"},
        "byStatus": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "oldest": {"type": ["string", "null"], "description": "Creation time of the oldest upload"},
        "newest": {"type": ["string", "null"], "description": "Creation time of the newest upload"},
    },
}

api = SecuredHttpApi(
    "dashboard-api",
    {
        "code_path": "lambdas",
        "issuer": identity.issuer,
        # The browser's client and the service client: a JWT route accepts their access tokens when they carry
        # one of its scopes (service tokens only ever carry the scopes granted to their client).
        "audiences": [identity.client_id, identity.service_client_ids["reporting"]],
        "auth_domain": identity.domain,
        "default_scopes": ["dashboard/api"] if require_scopes else [],
        "routes": {
            "GET /health": {"handler": "app.handler", "public": "uptime checks"},
            "POST /upload-url": {"handler": "app.handler"},
            "GET /metadata/list": {"handler": "app.handler"},
            "GET /metadata/{id}": {"handler": "app.handler"},
            "DELETE /metadata/{id}": {"handler": "app.handler"},
            "GET /admin/metadata/list": {"handler": "app.handler", "groups": ["admin"]},
            "GET /reports/summary": {
                "handler": "app.handler",
                "scopes": ["dashboard/reports.read"],
                "response_schema": REPORT_SUMMARY_SCHEMA,
            },
        },
        "environment": {"TABLE_NAME": table.name, "BUCKET_NAME": bucket.bucket},
        "policy_documents": [pulumi.Output.all(table.arn, bucket.arn).apply(lambda a: backend_policy(*a))],
        "cors_origins": cors_origins,
        "throttling_burst_limit": config.get_int("throttlingBurstLimit", 100),
        "throttling_rate_limit": config.get_int("throttlingRateLimit", 50),
        "log_retention_days": config.get_int("logRetentionDays", 30),
        **(
            {
                "custom_domain": config.require("apiDomain"),
                "certificate_arn": config.require("apiCertificateArn"),
                **hosted_zone,
            }
            if config.get("apiDomain")
            else {}
        ),
    },
)

pulumi.export("apiUrl", api.api_url)
pulumi.export("userPoolId", identity.user_pool_id)
pulumi.export("userPoolClientId", identity.client_id)
pulumi.export("issuer", identity.issuer)
pulumi.export("jwksUri", identity.jwks_uri)
pulumi.export("loginUrl", identity.login_url)
pulumi.export("tokenEndpoint", identity.token_endpoint)
pulumi.export("serviceClientIds", identity.service_client_ids)
pulumi.export("publicRoutes", api.public_routes)
pulumi.export("tableName", table.name)
pulumi.export("bucketName", bucket.bucket)
pulumi.export("corsOrigins", cors_origins)
# DNS targets of the custom domains (none without them): alias records point the names here.
pulumi.export("apiDomainTarget", api.custom_domain_target)
pulumi.export("apiDomainZoneId", api.custom_domain_zone_id)
pulumi.export("loginDomainTarget", identity.custom_domain_target)
pulumi.export("loginDomainZoneId", identity.custom_domain_zone_id)
