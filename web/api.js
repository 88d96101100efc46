// The dashboard API with the access token, and uploads straight to S3 with the presigned PUT URL.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const MESSAGES = {
  401: "The API refused your token (401 Unauthorized): sign in again.",
  403: "You are not allowed to do that (403 Forbidden).",
};

export class Api {
  constructor(baseUrl, auth) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.auth = auth;
  }

  async call(method, path, body) {
    const headers = { Authorization: `Bearer ${this.auth.accessToken}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(this.baseUrl + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, `The API at ${this.baseUrl} could not be reached from ${location.origin} `
        + "(network error, or the API's CORS configuration does not allow this origin).");
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, MESSAGES[response.status] || data.message || response.statusText);
    return data;
  }

  list(cursor, admin = false) {
    const query = new URLSearchParams({ limit: "10" });
    if (cursor) query.set("cursor", cursor);
    return this.call("GET", `${admin ? "/admin" : ""}/metadata/list?${query}`);
  }

  remove(id) {
    return this.call("DELETE", `/metadata/${encodeURIComponent(id)}`);
  }

  // POST /upload-url, then PUT the file to the presigned URL (its signature covers type and size).
  async upload(file, onProgress) {
    const contentType = file.type || "application/octet-stream";
    const target = await this.call("POST", "/upload-url", { filename: file.name, contentType, size: file.size });
    await new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("PUT", target.uploadUrl);
      request.setRequestHeader("Content-Type", contentType);
      request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
      request.onload = () => (request.status < 300 ? resolve()
        : reject(new ApiError(request.status, `S3 refused the upload (${request.status}).`)));
      request.onerror = () => reject(new ApiError(0, "The upload to S3 failed (network error or CORS)."));
      request.send(file);
    });
    return target;
  }
}
