"""The backend's table exactly as the project's program declares it (the program is the source of truth).

Shared by the backend tests and ``bench/lambdas.py``: the program runs once under mocks, and its
``dashboard-metadata`` table's inputs become the ``CreateTable`` request sent to moto.
"""

import functools
from pathlib import Path
from typing import Any

from securedapi.local.mocks import create_table_request
from securedapi.testing import run_program

ROOT = Path(__file__).resolve().parents[2]
TABLE = "dashboard-metadata"


@functools.cache
def declared_table_inputs() -> dict[str, Any]:
    """The inputs of the program's metadata table (dev stack)."""
    return run_program(ROOT, stack="dev").named(TABLE).inputs


def create_table(dynamodb: Any, name: str) -> None:
    """Create ``name`` with the declared key schema and indexes through the ``dynamodb`` client."""
    dynamodb.create_table(**create_table_request(declared_table_inputs(), name))
