"""The ``securedapi`` command: ``gate``, ``local``, ``token``, ``openapi`` (``python -m securedapi`` works the same)."""

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

USAGE = """\
usage: securedapi {gate,local,token,openapi} ...

  gate     run a Pulumi Python program under mocks and evaluate the securedapi policy pack (exit 0/1/2)
  local    start the embedded local stack (API, AWS emulator) for a program
  token    print a token for a user of the running local stack's user pool
  openapi  print the OpenAPI 3.1 document of a program's SecuredHttpApi (run under mocks)

`securedapi <command> --help` describes each command's options.
"""


def _one_shot(main: Callable[[Sequence[str]], int], argv: Sequence[str]) -> int:
    """Run a command that records a program once and exits: without the cyclic garbage collector (the
    program's objects live until exit; a collection pass over them costs about a fifth of a big program's
    run), and without tearing them down at exit."""
    gc.disable()
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _gate(argv: Sequence[str]) -> int:
    from securedapi.gate import main

    return _one_shot(main, argv)


def _local(argv: Sequence[str]) -> int:
    from securedapi.local.cli import serve_main

    return serve_main(list(argv))


def _token(argv: Sequence[str]) -> int:
    from securedapi.local.cli import token_main

    return token_main(list(argv))


def _openapi(argv: Sequence[str]) -> int:
    return _one_shot(openapi_main, argv)


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "gate": _gate,
    "local": _local,
    "token": _token,
    "openapi": _openapi,
}

API_TYPE = "securedapi:index:SecuredHttpApi"
OPENAPI_DESCRIPTION = """\
Run a Pulumi Python program under the offline harness's AWS-shaped mocks (as `securedapi gate` does) and
print the OpenAPI 3.1 document of its SecuredHttpApi: every route with its path parameters, security
(the oauth2 scheme and scopes; public routes with their reason), groups, preflight routes, request and
response schemas and error bodies. Ids and URLs are the harness's placeholders; a deployed stack's
`openapi` output of the component holds the real ones. Exit status: 0 printed, 2 the program is broken
or does not declare the API asked for."""


class _NoDocumentError(Exception):
    """The program ran but has no document to print (no API, or several and no --api)."""


def _openapi_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="securedapi openapi", description=OPENAPI_DESCRIPTION)
    parser.add_argument("program_dir", nargs="?", default=".", help="Pulumi program directory (default: .)")
    parser.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml config to use (default: dev)")
    parser.add_argument(
        "--api", metavar="NAME", help="the SecuredHttpApi to print (its logical name), when the program has several"
    )
    parser.add_argument("--format", choices=("json", "yaml"), default="json", help="output format (default: json)")
    parser.add_argument("--debug", action="store_true", help="print tracebacks of program errors")
    return parser


def openapi_main(
    argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None
) -> int:
    """``securedapi openapi``: print the document; return the exit status."""
    from securedapi.testing import ProgramError, record
    from securedapi.testing.errors import report_program_error

    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = _openapi_parser().parse_args(argv)
    program_dir = Path(args.program_dir)
    try:
        if not program_dir.is_dir():
            raise ProgramError(f"{program_dir} is not a directory (expected a Pulumi program directory)")
        if not (program_dir / f"Pulumi.{args.stack}.yaml").is_file():
            print(
                f"securedapi openapi: note: no Pulumi.{args.stack}.yaml in {program_dir}; using Pulumi.yaml defaults",
                file=err,
            )
        recording = record(program_dir, stack=args.stack)
        document = _pick_document(recording.of_type(API_TYPE), args.api, program_dir)
    except ProgramError as exc:
        report_program_error("securedapi openapi", exc, debug=args.debug, err=err)
        return 2
    except _NoDocumentError as exc:
        print(f"securedapi openapi: {exc}", file=err)
        return 2
    try:
        out.write(_render(document, args.format))
        out.flush()
    except BrokenPipeError:  # the reader went away (e.g. `| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _pick_document(apis: Sequence[Any], wanted: str | None, program_dir: Path) -> dict[str, Any]:
    names = sorted(api.name for api in apis)
    if not apis:
        raise _NoDocumentError(
            f"the program in {program_dir} declares no SecuredHttpApi, so there is no document to print"
        )
    if wanted is None and len(apis) > 1:
        raise _NoDocumentError(
            f"the program in {program_dir} declares {len(apis)} SecuredHttpApi components ({', '.join(names)}); "
            "choose one with --api NAME"
        )
    chosen = [api for api in apis if wanted is None or api.name == wanted]
    if not chosen:
        raise _NoDocumentError(
            f"the program declares no SecuredHttpApi named {wanted!r}; it declares: {', '.join(names)}"
        )
    if len(chosen) > 1:
        raise _NoDocumentError(
            f"the program declares {len(chosen)} SecuredHttpApi components named {wanted!r} (in other parents)"
        )
    text = chosen[0].outputs.get("openapi")
    if not isinstance(text, str):
        raise _NoDocumentError(f"SecuredHttpApi {chosen[0].name!r} has no openapi output (is securedapi up to date?)")
    document: dict[str, Any] = json.loads(text)
    return document


def _render(document: dict[str, Any], form: str) -> str:
    if form == "yaml":
        import yaml

        return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    from securedapi.openapi import render

    return render(document, pretty=True) + "\n"


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
