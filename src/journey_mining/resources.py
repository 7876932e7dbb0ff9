"""Where the shipped declarations (sql/, connectors/, pipelines/) live at run time.

In a wheel they are package data under ``journey_mining/_resources``; in a source
checkout (editable install, tests) they are the top-level folders of the repository.

Example:
    >>> (resource_dir("sql") / "marts").is_dir()
    True
"""

from __future__ import annotations

from pathlib import Path

from journey_mining.errors import JourneyMiningError

_PACKAGE_DIR = Path(__file__).resolve().parent
_KINDS = ("sql", "connectors", "pipelines")


def resource_dir(kind: str) -> Path:
    """Return the folder holding the shipped ``kind`` declarations (sql, connectors, pipelines)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {_KINDS}")
    for candidate in (_PACKAGE_DIR / "_resources" / kind, _PACKAGE_DIR.parents[1] / kind):
        if candidate.is_dir():
            return candidate
    raise JourneyMiningError(
        f"the shipped '{kind}' folder is missing from the installation at {_PACKAGE_DIR}. "
        "Fix: reinstall journey-mining (pip install --force-reinstall journey-mining)."
    )


def sql_file(relative: str) -> str:
    """Read one SQL model, e.g. ``sql_file("marts/variants.sql")``."""
    return (resource_dir("sql") / relative).read_text(encoding="utf-8")
