"""One normalized origin list: the API's CORS and the upload bucket's CORS name the origins exactly as
browsers send them in the ``Origin`` header (S3 compares them as strings: a trailing slash never matches)."""

import json

import pytest

from securedapi import SecuredHttpApi, cors
from securedapi.testing import ProgramError, record
from securedapi.urls import normalize_origin, normalize_origins
from tests.unit.conftest import ROOT, api_args

BUCKET_CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"


@pytest.mark.parametrize(
    ("given", "browser_sends"),
    [
        ("http://localhost:5173/", "http://localhost:5173"),
        ("HTTPS://Dashboard.Example.COM", "https://dashboard.example.com"),
        ("https://dashboard.example.com:443/", "https://dashboard.example.com"),
        ("http://localhost:80", "http://localhost"),
        ("https://dashboard.example.com:8443", "https://dashboard.example.com:8443"),
        ("http://[::1]:5173/", "http://[::1]:5173"),
        ("*", "*"),
    ],
)
def test_an_origin_is_normalized_to_what_browsers_send(given, browser_sends):
    assert normalize_origin(given) == browser_sends


def test_the_list_drops_duplicates_that_only_differ_in_spelling():
    given = ["http://localhost:5173/", "HTTP://localhost:5173", "https://app.example.com"]
    assert normalize_origins(given) == ["http://localhost:5173", "https://app.example.com"]
    assert cors.origins(given) == ["http://localhost:5173", "https://app.example.com"]


def test_an_invalid_origin_is_refused_with_the_arg_name():
    with pytest.raises(cors.CorsError, match=r"'https://app.example.com/x' must be an origin") as failure:
        cors.origins(["https://app.example.com/x"], "securedapi:corsOrigins")
    assert failure.value.arg == "securedapi:corsOrigins"


def test_component_cors_uses_the_normalized_list(record):
    rec = record(lambda: SecuredHttpApi("web", api_args(cors_origins=["https://App.Example.com/"])))
    assert rec.named("web-api").inputs["corsConfiguration"]["allowOrigins"] == ["https://app.example.com"]


def test_dashboard_stack_bucket_and_api_get_the_same_normalized_origins():
    """With a trailing-slash origin, the S3 rule and the API's CORS both carry the browser's form."""
    origins = ["http://localhost:5173/", "https://Dashboard.example.com:443"]
    rec = record(ROOT, stack="dev", config={"securedapi:corsOrigins": json.dumps(origins)})
    expected = ["http://localhost:5173", "https://dashboard.example.com"]
    api = rec.named("dashboard-api-api").inputs["corsConfiguration"]
    (bucket_cors,) = rec.of_type(BUCKET_CORS)
    (rule,) = bucket_cors.inputs["corsRules"]
    assert api["allowOrigins"] == expected
    assert rule["allowedOrigins"] == expected
    assert bucket_cors.inputs["bucket"] == rec.named("dashboard-uploads").id
    assert rec.outputs["corsOrigins"] == expected


def test_dashboard_stack_refuses_a_bad_origin_naming_the_config_key():
    with pytest.raises(ProgramError, match=r"securedapi:corsOrigins: 'http://app.example.com' must use https"):
        record(ROOT, stack="dev", config={"securedapi:corsOrigins": json.dumps(["http://app.example.com"])})
