"""Provider entry point of the ``securedapi`` component package (see PulumiPlugin.yaml).

The Pulumi engine (``pulumi package add``, ``pulumi up``) starts this plugin through the Python language
host as ``<venv>/bin/python <path>/provider <engine-address> [flags]``, with the virtualenv built from
``requirements.txt`` (the securedapi distribution). It hosts securedapi:index:CognitoIdentity and
securedapi:index:SecuredHttpApi over gRPC until the engine shuts it down.

This file is kept parseable by old Pythons so that an interpreter older than 3.11 gets a clear message
instead of a syntax error in the package.
"""

import sys

MINIMUM_PYTHON = (3, 11)

USAGE = """\
securedapi {version}: the Pulumi component provider hosting securedapi:index:CognitoIdentity and
securedapi:index:SecuredHttpApi. The Pulumi engine starts it with the engine address as the first
argument, e.g. after `pulumi package add <repo-url>/provider@<commit>`; it is not run by hand.
  print the schema:   python -m securedapi.components.schema_gen --stdout
"""


def python_problem(version_info=None):
    """A message when this interpreter cannot run the package, else None."""
    version = tuple(version_info or sys.version_info)[:2]
    if version < MINIMUM_PYTHON:
        return (
            f"securedapi's component provider needs Python {MINIMUM_PYTHON[0]}.{MINIMUM_PYTHON[1]} or newer; "
            f"the Pulumi engine started it with Python {version[0]}.{version[1]} ({sys.executable}). Point the "
            "plugin's virtualenv at a newer interpreter (delete provider/venv and run the engine again with "
            "python3.11 or newer first on PATH)."
        )
    return None


def main(argv):
    problem = python_problem()
    if problem:
        sys.stderr.write(problem + "\n")
        return 1
    from pulumi.provider.experimental import component_provider_host

    from securedapi import __version__
    from securedapi.components import CognitoIdentity, SecuredHttpApi
    from securedapi.components.schema_gen import PACKAGE_NAME

    if not any(not arg.startswith("-") for arg in argv):  # the engine address is the positional argument
        sys.stderr.write(USAGE.format(version=__version__))
        return 2
    # Blocks serving gRPC until the engine shuts the plugin down. Keep this list equal to schema_gen.COMPONENTS
    # (tests/package asserts the served schema equals the committed schema.json).
    component_provider_host([CognitoIdentity, SecuredHttpApi], name=PACKAGE_NAME, version=__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
