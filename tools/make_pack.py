"""Build the self-contained policy pack directory to publish: ``make pack`` (``python tools/make_pack.py OUT``).

``pulumi policy publish`` uploads the pack directory alone, and Pulumi installs it as
``~/.pulumi/policies/<org>/pulumi-analyzer-securedapi-v<version>``: a virtualenv ``venv`` inside the pack,
built with ``pip install -r requirements.txt`` run in the pack directory. So the directory carries what it
needs: ``__main__.py`` (builds the pack from the library), ``PulumiPolicy.yaml`` (``virtualenv: venv``),
the securedapi wheel of this checkout and a ``requirements.txt`` naming it. The wheel's metadata pins
pulumi and pulumi-policy to the tested minors; the rest comes from PyPI. A wheel inside the directory
(rather than a git requirement) keeps the published pack exactly the code that was tested, and installable
where the repository is private.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACK_SOURCE = ROOT / "policy"


def build_wheel(out: Path) -> Path:
    """Build the securedapi wheel of this checkout into ``out``; return its path."""
    uv = Path(sys.executable).parent / "uv"
    if uv.is_file():
        # sdist first, then the wheel from it: the build never writes into the source tree
        command = [str(uv), "build", "--quiet", "--out-dir", str(out), str(ROOT)]
    else:
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)]
    subprocess.run(command, check=True)
    [wheel] = out.glob("securedapi-*.whl")
    return wheel


def build_pack(out: Path) -> Path:
    """Write the publishable pack directory to ``out`` (replacing it) and return it."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="securedapi-wheel-") as tmp:
        built = build_wheel(Path(tmp))
        wheel = Path(shutil.copy2(built, out / built.name))
    shutil.copy2(PACK_SOURCE / "__main__.py", out / "__main__.py")
    project = yaml.safe_load((PACK_SOURCE / "PulumiPolicy.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = "venv"  # inside the pack, as Pulumi installs published packs
    (out / "PulumiPolicy.yaml").write_text(
        "# The securedapi policy pack, self-contained: publish with `pulumi policy publish <org>` from here.\n"
        + yaml.safe_dump(project, sort_keys=False)
    )
    (out / "requirements.txt").write_text(
        "# The securedapi distribution this pack was built from (its metadata pins pulumi and pulumi-policy).\n"
        f"./{wheel.name}\n"
    )
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "dist" / "policy-pack"
    pack = build_pack(out.resolve())
    print(f"wrote {pack}: {', '.join(sorted(p.name for p in pack.iterdir()))}")
    print(f"publish it with: cd {pack} && pulumi policy publish <org>")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
