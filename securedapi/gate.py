"""The offline policy gate: run a Pulumi Python program under mocks and evaluate the securedapi pack.

    securedapi gate [PROGRAM_DIR] [--stack NAME] [--format text|json|sarif]
                    [--policy-config FILE] [--preview] [--debug]

PROGRAM_DIR defaults to the current directory; its config comes from ``Pulumi.<stack>.yaml``. The
program runs in this process, with the dependencies of the environment securedapi is installed in; the
pack runs beside it, started as Pulumi's language host starts a pack, and is evaluated with the engine's
own semantics (see :mod:`securedapi.policy.engine`): each resource is analyzed as it registers. Exit
status: 0 no mandatory violation, 1 at least one, 2 the program, the pack or the policy config is broken
(one-paragraph message; the traceback with --debug).
"""

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from securedapi import __version__
from securedapi.policy.analysis import Analysis, StreamedAnalysis
from securedapi.policy.config import ConfigError, RawConfig, load_policy_config
from securedapi.policy.config import parse_policy_config as parse_config_document
from securedapi.policy.engine import PackAnalyzer, Report, start_pack
from securedapi.policy.pack_process import PackStartError
from securedapi.testing import ProgramError, Recording, load_project, run_program
from securedapi.testing.errors import report_program_error

PROG = "securedapi gate"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}


def evaluate(
    program: str | Path | Callable[[], Any],
    *,
    stack: str = "dev",
    policy_config: RawConfig | dict[str, Any] | str | Path | None = None,
    preview: bool = False,
    config: dict[str, str] | None = None,
    project: str | None = None,
) -> Report:
    """Run ``program`` (a directory or a callable) under mocks and evaluate the pack.

    ``policy_config`` is a path to a ``--policy-pack-config`` JSON file or the parsed document.
    Raises :class:`ProgramError` or :class:`ConfigError`.
    """
    raw, source = _policy_config(policy_config)
    return _gate(program, stack, preview, raw, source, config=config, project=project)[0]


def _identity(
    program: str | Path | Callable[[], Any],
    stack: str,
    config: dict[str, str] | None = None,
    project: str | None = None,
) -> tuple[str, dict[str, str]]:
    """The project name and stack config the program will run with (as the harness reads them)."""
    name, stack_config = project or "project", dict(config or {})
    if not callable(program) and Path(program, "Pulumi.yaml").is_file():
        try:
            found, stack_config = load_project(program, stack)
            name, stack_config = project or found, {**stack_config, **(config or {})}
        except ProgramError:
            pass  # reported when the program runs
    return name, stack_config


def _policy_config(value: RawConfig | dict[str, Any] | str | Path | None) -> tuple[RawConfig | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, (str, Path)):
        return load_policy_config(value), str(value)
    if all(isinstance(v, tuple) for v in value.values()):
        return value, None  # already parsed
    return parse_config_document(value), None


# -- output -----------------------------------------------------------------------------------------------------------


def render_json(report: Report) -> str:
    """``{"violations": [...], "resources": N, "policies": M}`` plus exemptions, declarations and notes."""
    return json.dumps(
        {
            "violations": [v.to_json() for v in report.violations],
            "resources": report.resources,
            "policies": len(report.policies),
            "stack": f"{report.project}/{report.stack}",
            "exemptions": [
                {
                    "policy": e.policy,
                    "target": e.target,
                    "route": e.route,
                    "reason": e.reason,
                    "expires": e.expires.isoformat() if e.expires else None,
                    "expired": e.expired(),
                }
                for e in report.exemptions
            ],
            "declarations": [d.to_json() for d in report.declarations],
            "notes": report.notes,
        },
        indent=2,
    )


def render_text(report: Report, program_file: str | None) -> str:
    lines = [
        f"policy pack 'securedapi' on {report.project}/{report.stack}: {report.resources} resources, "
        f"{len(report.policies)} policies"
        + (
            f" ({sum(1 for lvl in report.levels.values() if lvl == 'disabled')} disabled)"
            if "disabled" in report.levels.values()
            else ""
        )
    ]
    for v in sorted(report.violations, key=lambda v: v.enforcement != "mandatory"):
        lines += [
            "",
            f"{v.enforcement.upper()}  {v.policy}" + (f"  [{v.severity}]" if v.severity else ""),
            f"  resource: {v.resource_type}  {v.name!r}",
            f"  urn:      {v.urn}",
            *(f"  {line}" for line in v.message.splitlines()),
        ]
    for e in report.exemptions:
        state = "EXPIRED, no longer applies" if e.expired() else "applies"
        lines.append(f"exemption ({e.policy}): {e.describe()} - {state}")
    lines += [f"declared ({d.policy}): {d.describe()}" for d in report.declarations]
    lines += [f"note: {n}" for n in report.notes]
    mandatory = len(report.mandatory)
    advisory = len(report.violations) - mandatory
    verdict = "FAIL" if mandatory else "PASS"
    lines += [
        "",
        f"{verdict}: {mandatory} mandatory, {advisory} advisory violation(s)"
        + (f" in {program_file}" if program_file else ""),
    ]
    return "\n".join(lines)


def _source_line(program_file: str | None, names: Sequence[str]) -> int:
    """The first line of the program that mentions one of ``names`` as a string literal (1 if none)."""
    if not program_file:
        return 1
    try:
        text = Path(program_file).read_text().splitlines()
    except OSError:
        return 1
    for name in names:
        for quote in ('"', "'"):
            needle = f"{quote}{name}{quote}"
            for number, line in enumerate(text, 1):
                if needle in line:
                    return number
    return 1


def render_sarif(report: Report, program_file: str | None, recording_names: dict[str, list[str]]) -> str:
    """SARIF 2.1.0: one rule per policy; each result located at the resource URN (logical location) and
    at the program line that declares the resource or its component (physical location)."""
    index = {p.name: i for i, p in enumerate(report.policies)}
    rules = [
        {
            "id": p.name,
            "name": "".join(part.title() for part in p.name.split("-")),
            "shortDescription": {"text": p.description},
            "fullDescription": {"text": p.description},
            "help": {"text": p.remediation or p.description},
            "defaultConfiguration": {
                "level": SARIF_LEVELS[report.levels.get(p.name, p.enforcement)],
                "enabled": report.levels.get(p.name, p.enforcement) != "disabled",
            },
            "properties": {
                "enforcementLevel": report.levels.get(p.name, p.enforcement),
                "severity": p.severity,
                "policyType": p.kind,
            },
        }
        for p in report.policies
    ]
    uri = None
    if program_file:
        try:
            uri = os.path.relpath(program_file).replace(os.sep, "/")
        except ValueError:
            uri = Path(program_file).as_posix()
    results = []
    for v in report.violations:
        location: dict[str, Any] = {
            "logicalLocations": [{"fullyQualifiedName": v.urn, "name": v.name, "kind": "resource"}]
        }
        if uri:
            location["physicalLocation"] = {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": _source_line(program_file, recording_names.get(v.urn, [v.name]))},
            }
        results.append(
            {
                "ruleId": v.policy,
                "ruleIndex": index.get(v.policy, -1),
                "level": SARIF_LEVELS.get(v.enforcement, "warning"),
                "message": {"text": v.message},
                "locations": [location],
                "properties": {
                    "enforcementLevel": v.enforcement,
                    "severity": v.severity,
                    "resourceType": v.resource_type,
                    "urn": v.urn,
                },
            }
        )
    return json.dumps(
        {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "securedapi-policy",
                            "version": __version__,
                            "informationUri": "https://www.pulumi.com/docs/iac/crossguard/",
                            "rules": rules,
                        }
                    },
                    "results": results,
                    "properties": {"stack": f"{report.project}/{report.stack}", "resources": report.resources},
                }
            ],
        },
        indent=2,
    )


# -- CLI --------------------------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Offline policy gate: run a Pulumi Python program under mocks and evaluate the securedapi "
        "policy pack with the Pulumi engine's semantics. Exit 0: no mandatory violation; 1: at least "
        "one; 2: the program, the pack or the policy config is broken.",
    )
    parser.add_argument(
        "program_dir",
        nargs="?",
        default=".",
        help="Pulumi Python program directory (default: the current directory)",
    )
    parser.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml config to use (default: dev)")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    parser.add_argument(
        "--policy-config", metavar="FILE", help="policy pack config JSON, as for `pulumi preview --policy-pack-config`"
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="evaluate as `pulumi preview` of a new stack sees it (ids, computed outputs unknown)",
    )
    parser.add_argument("--debug", action="store_true", help="print tracebacks of program errors")
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run the gate; return the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parser().parse_args(argv)
    program_dir = Path(args.program_dir)
    program_file = str((program_dir / "__main__.py").resolve())
    try:
        raw, source = _policy_config(args.policy_config)
        if not program_dir.is_dir():
            raise ProgramError(f"{program_dir} is not a directory (expected a Pulumi program directory)")
        if not (program_dir / f"Pulumi.{args.stack}.yaml").is_file():
            print(f"{PROG}: note: no Pulumi.{args.stack}.yaml in {program_dir}; using Pulumi.yaml defaults", file=err)
        report, recording = _gate(program_dir, args.stack, args.preview, raw, source)
    except ConfigError as exc:
        print(f"securedapi gate: the policy config is broken: {exc}", file=err)
        return 2
    except PackStartError as exc:
        print(f"{PROG}: {exc}", file=err)
        return 2
    except ProgramError as exc:
        report_program_error("securedapi gate", exc, debug=args.debug, err=err)
        return 2
    except Exception as exc:  # a bug in the pack or the gate itself
        problem = ProgramError.from_exception(exc)
        print(
            f"securedapi gate: evaluating the policy pack failed: {problem} (run with --debug for the traceback)",
            file=err,
        )
        if args.debug:
            traceback.print_exception(exc, file=err)
        return 2

    if args.format == "json":
        rendered = render_json(report)
    elif args.format == "sarif":
        rendered = render_sarif(report, program_file, name_chains(recording))
    else:
        rendered = render_text(report, program_file)
    try:
        print(rendered, file=out)
        out.flush()
    except BrokenPipeError:  # the reader went away (e.g. `| head`): the verdict stands
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as the Python docs advise
    return 1 if report.mandatory else 0


def _gate(
    program: str | Path | Callable[[], Any],
    stack: str,
    preview: bool,
    raw: RawConfig | None,
    source: str | None,
    *,
    config: dict[str, str] | None = None,
    project: str | None = None,
) -> tuple[Report, Recording]:
    """The pack and the program side by side, as the engine runs them: the pack starts (and its config is
    checked against its schemas) while the program runs, and analyzes each resource as it registers.

    A pack that does not start and a broken config are reported before a broken program."""
    name, stack_config = _identity(program, stack, config, project)
    process = start_pack(project=name, stack=stack, config=stack_config, dry_run=preview)
    try:

        def connect() -> Analysis:
            analyzer = PackAnalyzer(process)
            return analyzer.analysis(
                raw, config_source=source, project=name, stack=stack, config=stack_config, dry_run=preview
            )

        streamed = StreamedAnalysis(connect)
        try:
            recording = run_program(
                program, stack=stack, preview=preview, config=config, project=project, on_resource=streamed.add
            )
        except ProgramError:
            streamed.ready()
            raise
        return streamed.finish(recording), recording
    finally:
        process.close()


def name_chains(recording: Recording) -> dict[str, list[str]]:
    """URN -> the resource's logical name followed by its ancestors' (to find it in the program's source)."""
    by_urn = {r.urn: r for r in recording.resources}
    chains: dict[str, list[str]] = {}
    for resource in recording.resources:
        chain, parent = [resource.name], resource.parent
        while parent in by_urn:
            chain.append(by_urn[parent].name)
            parent = by_urn[parent].parent
        chains[resource.urn] = chain
    return chains


if __name__ == "__main__":
    sys.exit(main())
