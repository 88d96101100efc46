"""The ``securedapi`` command: ``gate``, ``local``, ``token`` (``python -m securedapi`` works the same)."""

import os
import sys
from collections.abc import Callable, Sequence

USAGE = """\
usage: securedapi {gate,local,token} ...

  gate    run a Pulumi Python program under mocks and evaluate the securedapi policy pack (exit 0/1/2)
  local   start the embedded local stack (API, AWS emulator) for a program
  token   print a token for a user of the running local stack's user pool

`securedapi <command> --help` describes each command's options.
"""


def _gate(argv: Sequence[str]) -> int:
    from securedapi.gate import main

    code = main(argv)
    # The verdict is printed; skip tearing down the recorded program's objects (about half a second).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _local(argv: Sequence[str]) -> int:
    from securedapi.local.cli import serve_main

    return serve_main(list(argv))


def _token(argv: Sequence[str]) -> int:
    from securedapi.local.cli import token_main

    return token_main(list(argv))


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {"gate": _gate, "local": _local, "token": _token}


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    if args[0] in ("-V", "--version"):
        from securedapi import __version__

        print(f"securedapi {__version__}")
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        sys.stderr.write(f"securedapi: unknown command {args[0]!r}\n{USAGE}")
        return 2
    return command(args[1:])


if __name__ == "__main__":
    sys.exit(main())
