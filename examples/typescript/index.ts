// The securedapi components from TypeScript, through the SDK that `pulumi package add` generates.
import * as pulumi from "@pulumi/pulumi";
import * as securedapi from "@pulumi/securedapi";

const config = new pulumi.Config();
const domainPrefix = config.require("domainPrefix");

// Cognito user pool, public app client (code flow, no secret) and managed-login domain.
const identity = new securedapi.CognitoIdentity("identity", {
    callbackUrls: ["https://app.example.com/callback", "http://localhost:5173/callback"],
    logoutUrls: ["https://app.example.com/"],
    domainPrefix: domainPrefix,
    mfa: "OPTIONAL",
    passwordMinimumLength: 14,
    resourceServerIdentifier: "example",
    scopes: { read: "Call the example API" },
    groups: { admin: "Administrators of the example API" },
});

// HTTP API whose routes need a JWT from that pool unless declared public with a reason.
const api = new securedapi.SecuredHttpApi("api", {
    codePath: "../handlers", // Lambda handler modules, relative to this project directory
    issuer: identity.issuer,
    audiences: [identity.clientId],
    routes: {
        "GET /health": { handler: "api.handler", public: "uptime checks" },
        "GET /me": { handler: "api.handler", scopes: ["example/read"] },
        "GET /admin/ping": { handler: "api.handler", scopes: ["example/read"], groups: ["admin"] },
    },
    corsOrigins: ["https://app.example.com"],
    memorySize: 256,
    throttlingRateLimit: 20,
});

export const apiUrl = api.apiUrl;
export const routes = api.routes;
export const publicRoutes = api.publicRoutes;
export const issuer = identity.issuer;
export const clientId = identity.clientId;
export const loginUrl = identity.loginUrl;
export const tokenEndpoint = identity.tokenEndpoint;
