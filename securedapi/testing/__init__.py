"""The offline harness: run any Pulumi Python program under AWS-shaped mocks and get its graph.

    from securedapi.testing import record

    graph = record("path/to/program", stack="dev")          # __main__.py under mocks, with Pulumi.dev.yaml
    routes = graph.of_type("aws:apigatewayv2/route:Route")
    assert all(r.inputs["authorizationType"] == "JWT" for r in routes if r.name != "health")

:func:`record` takes a program directory (its ``Pulumi.yaml``, ``Pulumi.<stack>.yaml`` and ``__main__.py``)
or a callable, optional ``config`` overrides, ``preview=True`` (ids and computed outputs unknown, as in
a first ``pulumi preview``) and ``on_resource`` (called with each resource as it registers). The
:class:`Recording` it returns has ``resources`` (each a :class:`RecordedResource`: ``type``, ``name``,
``urn``, ``parent``, ``inputs``, ``outputs``, ``state``), ``of_type``, ``named``, ``children`` and the
stack ``outputs``. A broken program or config raises :class:`ProgramError`, naming the file and line.
"""

from securedapi.testing.config import load_project
from securedapi.testing.errors import ProgramError
from securedapi.testing.mocks import ACCOUNT_ID, DEFAULT_REGION, AwsMocks, PreviewMocks
from securedapi.testing.recording import RecordedResource, Recording
from securedapi.testing.runner import record, run_program

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_REGION",
    "AwsMocks",
    "PreviewMocks",
    "ProgramError",
    "RecordedResource",
    "Recording",
    "load_project",
    "record",
    "run_program",
]
