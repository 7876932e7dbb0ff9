"""The code stays readable: short modules, short functions (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "journey_mining"
#: the demo generator (seeded synthetic companies) is exempt from the module size
EVERY_MODULE = sorted(
    p for p in PACKAGE.rglob("*.py") if "demo" not in p.relative_to(PACKAGE).parts
)
#: where no function may be over 60 lines
SHORT_FUNCTIONS = sorted(
    [
        *(PACKAGE / "connectors").glob("*.py"),
        *(PACKAGE / "config").glob("*.py"),
        *(PACKAGE / "transform").glob("*.py"),
        PACKAGE / "pipeline.py",
    ]
)


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


@pytest.mark.parametrize("module", EVERY_MODULE, ids=_name)
def test_modules_are_at_most_400_lines(module: Path) -> None:
    assert len(module.read_text(encoding="utf-8").splitlines()) <= 400


@pytest.mark.parametrize("module", SHORT_FUNCTIONS, ids=_name)
def test_connector_config_runner_and_pipeline_functions_are_at_most_60_lines(
    module: Path,
) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []
