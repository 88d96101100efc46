"""The package's Pulumi schema, generated in-process exactly as the provider plugin serves it.

``components/__main__.py`` hosts :data:`COMPONENTS` under :data:`PACKAGE_NAME` with
``component_provider_host``; that host builds a ``ComponentProvider`` whose schema is inferred by
``pulumi.provider.experimental.analyzer`` from the type annotations and docstrings of the components
and their args TypedDicts. :func:`generate` builds the same provider without starting a gRPC server.

    python -m securedapi.components.schema_gen            # rewrite components/schema.json
    python -m securedapi.components.schema_gen --check    # exit 1 if components/schema.json is out of date
    python -m securedapi.components.schema_gen --stdout   # print the schema
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi.provider.experimental.component import ComponentProvider

from securedapi import __version__
from securedapi.components import CognitoIdentity, SecuredHttpApi

PACKAGE_NAME = "securedapi"
"""The Pulumi package name: type tokens are ``securedapi:index:<ClassName>``. Never change it."""

COMPONENTS: list[type[pulumi.ComponentResource]] = [CognitoIdentity, SecuredHttpApi]
"""Every component the plugin hosts."""

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.json"


def build_provider() -> ComponentProvider:
    """The provider ``component_provider_host`` would serve (analysis runs here; raises on unsupported types)."""
    return ComponentProvider(COMPONENTS, PACKAGE_NAME, None, __version__)


def generate() -> dict[str, Any]:
    """The schema as a JSON-compatible dict."""
    schema = build_provider().schema
    if schema is None:  # pragma: no cover - ComponentProvider always sets it
        raise RuntimeError("the component provider produced no schema")
    result: dict[str, Any] = json.loads(schema)
    return result


def render(schema: dict[str, Any]) -> str:
    """Canonical text of ``schema.json``: stable key order, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m securedapi.components.schema_gen", description=__doc__.splitlines()[0]
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail if the committed schema.json is out of date")
    mode.add_argument("--stdout", action="store_true", help="print the schema instead of writing schema.json")
    args = parser.parse_args(argv)
    text = render(generate())
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = SCHEMA_FILE.read_text() if SCHEMA_FILE.is_file() else ""
        if current != text:
            print(
                f"{SCHEMA_FILE} is out of date with the components; run `python -m securedapi.components.schema_gen`",
                file=sys.stderr,
            )
            return 1
        print(f"{SCHEMA_FILE} is up to date")
        return 0
    SCHEMA_FILE.write_text(text)
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
