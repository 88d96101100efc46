// Sign-in through the user pool's managed login: authorization code flow with PKCE (S256), `state` and
// `nonce` checked, tokens kept for the tab (sessionStorage), silent refresh before expiry, sign-out with
// token revocation and the managed-login /logout endpoint. Works the same against a deployed stack.

const TOKENS = "dashboard.tokens";
const PENDING = "dashboard.pending";
const REFRESH_MARGIN_MS = 60_000;

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function randomString(bytes) {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return base64url(buffer);
}

async function s256(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function jwtClaims(token) {
  if (!token) return {};
  const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
}

function form(values) {
  return { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(values).toString() };
}

export class Auth {
  constructor(config) {
    this.config = config;
    this.domain = config.domain.replace(/\/$/, "");
    this.tokenEndpoint = config.tokenEndpoint || `${this.domain}/oauth2/token`;
    this.redirectUri = config.redirectUri || `${location.origin}/callback`;
    this.logoutUri = config.logoutUri || `${location.origin}/`;
    this.tokens = JSON.parse(sessionStorage.getItem(TOKENS) || "null");
    this.onRefreshed = () => {};
    this.onExpired = () => {};
    this.timer = null;
    if (this.tokens) this.schedule();
  }

  get signedIn() {
    return Boolean(this.tokens && this.tokens.expiresAt > Date.now());
  }

  get accessToken() {
    return this.tokens ? this.tokens.accessToken : null;
  }

  get user() {
    const id = jwtClaims(this.tokens && this.tokens.idToken);
    const access = jwtClaims(this.accessToken);
    return { email: id.email || access.username, groups: access["cognito:groups"] || [] };
  }

  async signIn() {
    const pending = { verifier: randomString(48), state: randomString(16), nonce: randomString(16) };
    sessionStorage.setItem(PENDING, JSON.stringify(pending));
    const query = new URLSearchParams({
      response_type: "code",
      client_id: this.config.userPoolClientId,
      redirect_uri: this.redirectUri,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await s256(pending.verifier),
      code_challenge_method: "S256",
    });
    if (this.config.scopes) query.set("scope", this.config.scopes);
    location.assign(`${this.domain}/oauth2/authorize?${query}`);
  }

  // The redirect back from managed login: check `state`, exchange the code with the verifier, check `nonce`.
  async completeSignIn(url) {
    const params = url.searchParams;
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, "", "/");
    if (params.get("error")) {
      throw new Error(`Sign-in failed: ${params.get("error")} ${params.get("error_description") || ""}`.trim());
    }
    if (!pending || params.get("state") !== pending.state) {
      throw new Error("Sign-in refused: the state returned by the login page does not match this tab's request.");
    }
    const response = await fetch(this.tokenEndpoint, form({
      grant_type: "authorization_code",
      client_id: this.config.userPoolClientId,
      code: params.get("code"),
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    }));
    const body = await response.json();
    if (!response.ok) throw new Error(`Sign-in failed at the token endpoint: ${body.error}`);
    if (body.id_token && jwtClaims(body.id_token).nonce !== pending.nonce) {
      throw new Error("Sign-in refused: the ID token's nonce does not match this tab's request.");
    }
    this.keep(body);
  }

  keep(body) {
    const previous = this.tokens || {};
    this.tokens = {
      accessToken: body.access_token,
      idToken: body.id_token || previous.idToken,
      refreshToken: body.refresh_token || previous.refreshToken,
      expiresAt: Date.now() + body.expires_in * 1000,
    };
    sessionStorage.setItem(TOKENS, JSON.stringify(this.tokens));
    this.schedule();
  }

  // Silent refresh a minute before the access token expires.
  schedule() {
    clearTimeout(this.timer);
    if (!this.tokens || !this.tokens.refreshToken) return;
    const delay = Math.max(0, this.tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => this.refresh().then(() => this.onRefreshed(), (error) => this.onExpired(error)), delay);
  }

  async refresh() {
    const response = await fetch(this.tokenEndpoint, form({
      grant_type: "refresh_token",
      client_id: this.config.userPoolClientId,
      refresh_token: this.tokens.refreshToken,
    }));
    const body = await response.json();
    if (!response.ok) {
      this.forget();
      throw new Error(`Your session ended (${body.error}); sign in again.`);
    }
    this.keep(body);
  }

  forget() {
    clearTimeout(this.timer);
    this.tokens = null;
    sessionStorage.removeItem(TOKENS);
  }

  async signOut() {
    const refreshToken = this.tokens && this.tokens.refreshToken;
    this.forget();
    if (refreshToken) {
      await fetch(`${this.domain}/oauth2/revoke`, form({ token: refreshToken, client_id: this.config.userPoolClientId }))
        .catch(() => undefined);
    }
    const query = new URLSearchParams({ client_id: this.config.userPoolClientId, logout_uri: this.logoutUri });
    location.assign(`${this.domain}/logout?${query}`);
  }
}
