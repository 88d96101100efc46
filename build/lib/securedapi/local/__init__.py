"""The embedded local stack: the project's Pulumi program against a moto AWS emulator, served by a local gateway.

``securedapi local`` starts a moto server, runs the program under :class:`securedapi.local.mocks.MotoMocks` (Cognito,
DynamoDB and S3 resources are created in moto with real ids), captures the HTTP API the program declared
(:mod:`securedapi.local.model`) and serves it with the behaviour of API Gateway HTTP APIs
(:mod:`securedapi.local.gateway`):
JWT authorizer, route priority, CORS and Lambda proxy integrations (payload 2.0) called in-process.
``securedapi token --user NAME`` prints a token from the local user pool (:mod:`securedapi.local.tokens`).
"""
