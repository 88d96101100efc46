"""The error every part of the harness raises when a program or its configuration is broken."""

import os
import traceback
from pathlib import Path
from typing import IO

_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent) + os.sep
"""securedapi's own code (an editable install is not under site-packages): never the user's line."""


class ProgramError(Exception):
    """The program (or its project/stack configuration) is broken."""

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, cause: BaseException | None = None
    ) -> None:
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")
        self.file = file
        self.line = line
        self.cause = cause

    @classmethod
    def from_exception(cls, exc: BaseException, program_file: str | None = None) -> "ProgramError":
        """Name the innermost frame of the user's program (not securedapi, pulumi or site-packages) that raised."""
        if isinstance(exc, ProgramError):
            return exc
        if isinstance(exc, SyntaxError):
            return cls(f"SyntaxError: {exc.msg}", file=exc.filename, line=exc.lineno, cause=exc)
        frames = traceback.extract_tb(exc.__traceback__)
        site = os.sep + "site-packages" + os.sep
        own = [
            f
            for f in frames
            if site not in f.filename and "/pulumi/" not in f.filename and not f.filename.startswith(_PACKAGE_DIR)
        ]
        candidates = own or list(frames)
        frame = candidates[-1] if candidates else None
        text = f"{type(exc).__name__}: {exc}"
        if frame is None:
            return cls(text, file=program_file, cause=exc)
        return cls(text, file=frame.filename, line=frame.lineno, cause=exc)


def report_program_error(prog: str, exc: ProgramError, *, debug: bool, err: IO[str]) -> None:
    """What a command prints for a broken program: one paragraph naming file and line, the traceback with --debug."""
    cause = exc.cause or exc.__cause__
    hint = "" if debug or cause is None else " (run with --debug for the traceback)"
    print(f"{prog}: the program is broken: {exc}{hint}", file=err)
    if debug and cause is not None:
        traceback.print_exception(cause, file=err)
