"""The shared program runner: engine-shaped graph, config loading, preview unknowns, broken programs."""

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.output import Unknown

from securedapi.testing import ProgramError, load_project, run_program


class Box(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Box", name, None, None)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"bucketName": self.bucket.bucket})


def program() -> None:
    box = Box("box")
    table = aws.dynamodb.Table("table", hash_key="pk", attributes=[{"name": "pk", "type": "S"}])
    pulumi.export("table", table.name)
    pulumi.export("bucket", box.bucket.bucket)
    pulumi.export("region", aws.get_region().region)
    pulumi.export("setting", pulumi.Config().get("setting"))


def test_urns_parents_and_outputs_as_the_engine_records_them():
    rec = run_program(program, project="proj", stack="st", config={"proj:setting": "on", "aws:region": "eu-west-1"})
    box, bucket, table = rec.named("box"), rec.named("box-bucket"), rec.named("table")
    assert table.urn == "urn:pulumi:st::proj::aws:dynamodb/table:Table::table"
    assert box.urn == "urn:pulumi:st::proj::test:index:Box::box"
    assert bucket.urn == "urn:pulumi:st::proj::test:index:Box$aws:s3/bucket:Bucket::box-bucket"
    assert bucket.parent == box.urn and rec.children(box) == [bucket]
    assert box.outputs == {"bucketName": bucket.outputs["bucket"]}
    assert rec.outputs == {
        "table": table.outputs["name"],
        "bucket": bucket.outputs["bucket"],
        "region": "eu-west-1",
        "setting": "on",
    }
    assert table.outputs["arn"].startswith("arn:aws:dynamodb:eu-west-1:")


def test_preview_leaves_computed_outputs_unknown():
    rec = run_program(program, project="proj", stack="st", preview=True)
    table = rec.named("table")
    assert table.inputs["hashKey"] == "pk"
    assert isinstance(table.outputs["arn"], Unknown)
    assert isinstance(table.outputs["name"], Unknown)
    assert table.id is None
    assert rec.outputs["region"] == "us-east-1"  # invokes are answered in preview too


def test_project_and_stack_config(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text(
        "name: demo\nruntime: python\nconfig:\n  demo:size:\n    type: integer\n    default: 3\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-central-1\n  demo:origins: [a, b]\n")
    assert load_project(tmp_path, "dev") == (
        "demo",
        {"demo:size": "3", "aws:region": "eu-central-1", "demo:origins": '["a", "b"]'},
    )
    assert load_project(tmp_path, "other") == ("demo", {"demo:size": "3"})


def test_encrypted_config_is_refused(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  demo:token:\n    secure: AAABAx==\n")
    with pytest.raises(ProgramError, match="'demo:token' is encrypted"):
        load_project(tmp_path, "dev")


def test_broken_program_names_file_and_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\nraise RuntimeError('no bucket for you')\n")
    with pytest.raises(ProgramError) as failure:
        run_program(tmp_path)
    assert failure.value.file == str(tmp_path / "__main__.py")
    assert failure.value.line == 3
    assert "RuntimeError: no bucket for you" in str(failure.value)


def test_missing_project_file(tmp_path):
    (tmp_path / "__main__.py").write_text("")
    with pytest.raises(ProgramError, match=r"no Pulumi\.yaml"):
        run_program(tmp_path)
