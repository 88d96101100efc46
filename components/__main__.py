"""Provider entry point of the ``securedapi`` component package (see PulumiPlugin.yaml).

The Pulumi engine (``pulumi package add``, ``pulumi up``) starts this plugin through the Python
language host as ``python <path>/components <engine-address> [flags]``: Python then runs this file
with ``components/`` itself as ``sys.path[0]``. The component modules import each other as
``components.<module>``, so the parent directory must be importable instead; ``components/``
is taken off the path so that its modules (``routes``, ``cors``, ...) cannot shadow other packages.

Run by hand (``python -m components`` or ``python components/__main__.py``) without an engine
address, it exits with status 2 and says how to get the schema instead of waiting for an engine.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _import_as_package() -> None:
    """Make ``import components`` resolve to this directory, whichever way the plugin was started."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    parent = str(_HERE.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)


USAGE = """\
securedapi {version}: the Pulumi component provider hosting securedapi:index:CognitoIdentity and
securedapi:index:SecuredHttpApi. The Pulumi engine starts it with the engine address as the first
argument, e.g. after `pulumi package add <repo-url>/components@v{version}`; it is not run by hand.
  print the schema:   python -m components.schema_gen --stdout
  check schema.json:  python -m components.schema_gen --check
"""


def main(argv: list[str]) -> int:
    _import_as_package()
    from pulumi.provider.experimental import component_provider_host

    from components import CognitoIdentity, SecuredHttpApi, __version__
    from components.schema_gen import PACKAGE_NAME

    if not any(not arg.startswith("-") for arg in argv):  # the engine address is the positional argument
        sys.stderr.write(USAGE.format(version=__version__))
        return 2
    # Blocks serving gRPC until the engine shuts the plugin down. Keep this list equal to schema_gen.COMPONENTS
    # (tests/package asserts the served schema equals components/schema.json).
    component_provider_host([CognitoIdentity, SecuredHttpApi], name=PACKAGE_NAME, version=__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
