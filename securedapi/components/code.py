"""The Lambda code directory and its handlers, checked before deployment without importing user code.

Lambda's Python runtime splits a handler ``"pkg.module.function"`` at its last dot and imports
``pkg.module`` with the code directory first on ``sys.path``
(https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html): the module must be
``<code_path>/pkg/module.py`` (or a package ``<code_path>/pkg/module/__init__.py``) and define
``function``. Here the module is parsed (:mod:`ast`), never imported, so no user code runs at preview.
"""

import ast
from functools import lru_cache
from pathlib import Path

MAX_HANDLER_LENGTH = 128
"""Lambda's limit on the ``Handler`` string (CreateFunction)."""


class CodeError(ValueError):
    """The code directory or a handler is wrong; ``arg`` names the argument."""

    def __init__(self, arg: str, message: str) -> None:
        super().__init__(message)
        self.arg = arg


def check_code_path(code_path: object) -> Path:
    """The code directory as a path; raise :class:`CodeError` unless it is an existing directory.

    A relative path is relative to the working directory, the program's directory under ``pulumi up``.
    """
    if not isinstance(code_path, str) or not code_path:
        raise CodeError("code_path", f"must be the path of the directory of the handler modules, got {code_path!r}")
    path = Path(code_path)
    if not path.exists():
        raise CodeError("code_path", f"{code_path!r} does not exist (relative to {Path.cwd()})")
    if not path.is_dir():
        raise CodeError("code_path", f"{code_path!r} is not a directory (Lambda code is one directory, archived)")
    return path


def check_handler(code_path: Path, handler: str, arg: str) -> None:
    """Raise :class:`CodeError` (naming ``arg``) unless ``handler`` names a function that a module in
    ``code_path`` defines."""
    if len(handler) > MAX_HANDLER_LENGTH:
        raise CodeError(arg, f"{handler!r} is longer than Lambda's {MAX_HANDLER_LENGTH} characters")
    module, function = handler.rsplit(".", 1)
    parts = module.split(".")
    candidates = [code_path.joinpath(*parts).with_suffix(".py"), code_path.joinpath(*parts, "__init__.py")]
    source = next((c for c in candidates if c.is_file()), None)
    if source is None:
        expected = " or ".join(str(c.relative_to(code_path)) for c in candidates)
        raise CodeError(arg, f"{handler!r}: no module {module!r} in code_path {str(code_path)!r} (expected {expected})")
    names, star, error = _top_level_names(source.resolve(), source.stat().st_mtime_ns)
    relative = source.relative_to(code_path)
    if error:
        raise CodeError(arg, f"{handler!r}: {relative} cannot be imported: {error}")
    if function not in names and not star:
        defined = sorted(n for n in names if not n.startswith("_"))
        listing = f"; it defines {', '.join(defined)}" if defined else ""
        raise CodeError(arg, f"{handler!r}: {relative} defines no {function!r}{listing}")


@lru_cache(maxsize=256)
def _top_level_names(source: Path, mtime_ns: int) -> tuple[frozenset[str], bool, str | None]:
    """Names bound at module level (functions, classes, assignments, imports, also under if/try/with), whether
    the module has a ``from ... import *``, and the syntax error if it does not parse. Cached per file version."""
    try:
        tree = ast.parse(source.read_bytes(), filename=str(source))
    except SyntaxError as exc:
        return frozenset(), False, f"SyntaxError at line {exc.lineno}: {exc.msg}"
    except (OSError, ValueError) as exc:
        return frozenset(), False, str(exc)
    names: set[str] = set()
    star = False
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                star = star or alias.name == "*"
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
            for field in ("body", "orelse", "finalbody"):
                pending.extend(getattr(node, field, []))
            pending.extend(s for handler in getattr(node, "handlers", []) for s in handler.body)
    return frozenset(names), star, None
