"""The dashboard backend end to end: the project's own program and lambdas/, behind the local gateway,
with real S3 (presigned PUT) and DynamoDB in the emulator."""

import boto3
import requests

from .conftest import RunningStack


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_is_public(stack: RunningStack, http: requests.Session) -> None:
    response = http.get(stack.api_url + "/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_upload_flow_owner_isolation_and_admin(stack: RunningStack, http: requests.Session) -> None:
    api = stack.api_url
    alice, bob = stack.token("flow-alice"), stack.token("flow-bob")
    admin = stack.token("flow-admin", "admin")
    content = b"hello from the local stack\n" * 10

    created = http.post(
        api + "/upload-url",
        headers=auth(alice),
        timeout=10,
        json={"filename": "notes.txt", "contentType": "text/plain", "size": len(content)},
    )
    assert created.status_code == 201, created.text
    upload = created.json()
    assert set(upload) >= {"id", "key", "uploadUrl", "expiresIn"}
    assert upload["uploadUrl"].startswith(stack.outputs["awsEndpointUrl"])  # presigned for the emulator's S3

    # The browser's part: PUT the file straight to S3 with the presigned URL.
    put = requests.put(upload["uploadUrl"], data=content, headers={"Content-Type": "text/plain"}, timeout=10)
    assert put.status_code == 200, put.text
    s3 = boto3.client(
        "s3",
        endpoint_url=stack.outputs["awsEndpointUrl"],
        region_name=stack.outputs["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert s3.get_object(Bucket=stack.outputs["bucketName"], Key=upload["key"])["Body"].read() == content

    item = http.get(f"{api}/metadata/{upload['id']}", headers=auth(alice), timeout=10)
    assert item.status_code == 200, item.text
    assert item.json()["id"] == upload["id"]

    listed = http.get(api + "/metadata/list", headers=auth(alice), timeout=10)
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()["items"]] == [upload["id"]]

    # Bob sees nothing of Alice's: 404 (not 403), empty list, cannot delete.
    assert http.get(f"{api}/metadata/{upload['id']}", headers=auth(bob), timeout=10).status_code == 404
    assert http.get(api + "/metadata/list", headers=auth(bob), timeout=10).json()["items"] == []
    assert http.delete(f"{api}/metadata/{upload['id']}", headers=auth(bob), timeout=10).status_code == 404

    # Non-admins get 403 on the admin listing; the admin sees everything and may delete.
    forbidden = http.get(api + "/admin/metadata/list", headers=auth(bob), timeout=10)
    assert forbidden.status_code == 403
    assert forbidden.json() == {"message": "Forbidden"}
    everything = http.get(api + "/admin/metadata/list", headers=auth(admin), timeout=10)
    assert everything.status_code == 200, everything.text
    assert upload["id"] in [i["id"] for i in everything.json()["items"]]
    deleted = http.delete(f"{api}/metadata/{upload['id']}", headers=auth(admin), timeout=10)
    assert deleted.status_code == 204, deleted.text
    assert http.get(f"{api}/metadata/{upload['id']}", headers=auth(alice), timeout=10).status_code == 404


def test_bad_input_is_400_not_500(stack: RunningStack, http: requests.Session) -> None:
    token = stack.token("flow-alice")
    for body in (b"not json", b'{"filename": 1}', b'{"filename":"a.txt","contentType":"text/plain","size":99999999}'):
        response = http.post(
            stack.api_url + "/upload-url",
            data=body,
            timeout=10,
            headers={**auth(token), "Content-Type": "application/json"},
        )
        assert response.status_code == 400, (body, response.text)
        assert "message" in response.json()
