"""securedapi.testing as another team uses it (the README's "Test your own program"), on examples/python."""

from pathlib import Path

import pytest
from pulumi.output import Unknown

from securedapi.testing import ProgramError, record

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python"


def test_record_a_program_directory_and_assert_on_its_graph() -> None:
    graph = record(EXAMPLE, stack="dev")
    routes = graph.of_type("aws:apigatewayv2/route:Route")
    assert {r.inputs["routeKey"]: r.inputs["authorizationType"] for r in routes} == {
        "GET /health": "NONE",
        "GET /me": "JWT",
        "GET /admin/ping": "JWT",
    }
    api = graph.named("api")
    assert api.type == "securedapi:index:SecuredHttpApi"
    assert api.outputs["publicRoutes"] == {"GET /health": "uptime checks"}
    assert {r.parent for r in graph.children(api)} == {api.urn}
    assert graph.outputs["apiUrl"].startswith("https://") and graph.outputs["apiUrl"].endswith(".amazonaws.com/")


def test_preview_leaves_ids_and_computed_outputs_unknown() -> None:
    graph = record(EXAMPLE, stack="dev", preview=True)
    [stage] = graph.of_type("aws:apigatewayv2/stage:Stage")
    assert stage.id is None and isinstance(stage.outputs["invokeUrl"], Unknown)
    assert isinstance(graph.outputs["apiUrl"], Unknown)
    assert stage.inputs["name"] == "$default"  # what the program set is known


def test_config_overrides_and_broken_programs(tmp_path: Path) -> None:
    graph = record(EXAMPLE, stack="dev", config={"securedapi-example-python:domainPrefix": "team-auth"})
    [domain] = graph.of_type("aws:cognito/userPoolDomain:UserPoolDomain")
    assert domain.inputs["domain"] == "team-auth"
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\nraise ValueError('no table configured')\n")
    with pytest.raises(ProgramError, match=r"__main__.py:3: ValueError: no table configured"):
        record(tmp_path)


def test_stack_references_read_the_outputs_given_to_the_mocks() -> None:
    import pulumi

    from securedapi.testing import AwsMocks, PreviewMocks

    def program() -> None:
        network = pulumi.StackReference("acme/network/prod")
        pulumi.export("vpc", network.get_output("vpcId"))
        pulumi.export("missing", network.get_output("nothing"))

    given = {"acme/network/prod": {"vpcId": "vpc-0abc"}}
    for mocks in (AwsMocks(stack_references=given), PreviewMocks(stack_references=given)):
        graph = record(program, mocks=mocks, preview=isinstance(mocks, PreviewMocks))
        assert graph.outputs["vpc"] == "vpc-0abc" and graph.outputs.get("missing") is None
    assert record(program).outputs.get("vpc") is None  # no outputs given: every output is missing


def test_on_resource_sees_each_resource_as_it_registers() -> None:
    import pulumi_aws as aws

    seen = []

    def program() -> None:
        group = aws.cloudwatch.LogGroup("logs")
        aws.cloudwatch.LogStream("stream", log_group_name=group.name)

    graph = record(program, on_resource=seen.append)
    assert sorted(r.name for r in seen) == ["logs", "stream"]
    assert all(any(r is s for s in seen) for r in graph.resources) and len(seen) == len(graph.resources)
