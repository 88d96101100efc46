"""The distribution as other repositories get it: the wheel, a fresh virtualenv outside the checkout, the pack
directory `make pack` writes. Built once per session (uv installs from its cache in seconds)."""

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = str(Path(sys.executable).parent / "uv")


def _make_pack_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_pack", ROOT / "tools" / "make_pack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clean_env() -> dict[str, str]:
    """The caller's environment without anything that would make this checkout importable."""
    drop = ("PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("AWS_")}


def make_venv(directory: Path, *requirements: str, cwd: Path | None = None) -> Path:
    """A new virtualenv at ``directory`` with ``requirements`` installed (uv, from its cache); its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = directory / "bin" / "python"
    subprocess.run(
        [UV, "pip", "install", "--quiet", "--python", str(python), *requirements],
        check=True,
        cwd=cwd,
        env=clean_env(),
    )
    return python


@pytest.fixture(scope="session")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make pack` writes: the self-contained pack directory (with the wheel inside)."""
    return _make_pack_module().build_pack(tmp_path_factory.mktemp("dist") / "policy-pack")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def wheel(pack_dir: Path) -> Path:
    [built] = pack_dir.glob("securedapi-*.whl")
    return built


@pytest.fixture(scope="session")
def installed_pack(pack_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The pack copied alone where Pulumi installs published packs, its venv built from its own requirements."""
    home = tmp_path_factory.mktemp("home")
    installed = home / ".pulumi" / "policies" / "acme" / "pulumi-analyzer-securedapi-v0.2.0"
    shutil.copytree(pack_dir, installed)
    # Pulumi runs `python -m venv venv` and `venv/bin/python -m pip install -r requirements.txt` in the pack
    # directory (sdk/python/toolchain/pip.go); uv does the same install, faster.
    make_venv(installed / "venv", "-r", "requirements.txt", cwd=installed)
    yield installed


@pytest.fixture(scope="session")
def other_repo_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another team's project virtualenv, outside this checkout, with securedapi[local] installed from the wheel."""
    return make_venv(tmp_path_factory.mktemp("team") / ".venv", f"securedapi[local] @ {wheel.as_uri()}")
