"""Reading a declaration file: YAML parsed, pydantic errors explained in one line.

Example:
    >>> _read_yaml(Path("/no/such/pipeline.yaml"), "pipeline file")
    Traceback (most recent call last):
    ...
    journey_mining.errors.ConfigError: pipeline file '/no/such/pipeline.yaml' does not exist. Fix: check the path.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from journey_mining.errors import ConfigError
from journey_mining.safeyaml import read_limited_yaml

# pydantic's tags in an error's location for the branch of a union that failed
_UNION_TAG = re.compile(r"^(function-(before|after|wrap|plain)\[.*\]|ConnectorPreset)$")


def _read_yaml(path: Path, what: str) -> Any:
    """The parsed YAML of ``path``; a missing file's error names its absolute path.

    Loaded safely and with limits (``safeyaml``): a hostile file cannot exhaust the stack
    or memory.
    """
    if not path.is_file():
        raise ConfigError(f"{what} {os.path.abspath(path)!r} does not exist. Fix: check the path.")
    return read_limited_yaml(path, what)


def _explain(err: ValidationError, where: str, model: type[BaseModel]) -> ConfigError:
    """One line for the most useful error: an unknown key (likely a typo) first."""
    # an inline preset (a mapping where a name could stand) also fails the name branch
    # ("Input should be a valid string"): the mapping's own error says more
    errors = sorted(
        err.errors(), key=lambda e: (e["type"] != "extra_forbidden", e["type"] == "string_type")
    )
    first = errors[0]
    location = ".".join(str(p) for p in first["loc"] if not _UNION_TAG.match(str(p)))
    detail = first["msg"]
    if first["type"] == "extra_forbidden":
        detail = f"unknown key {location!r}; fix: remove it or check its spelling"
        if len(first["loc"]) == 1:
            close = difflib.get_close_matches(str(first["loc"][0]), list(model.model_fields), n=1)
            if close:
                detail = f"unknown key {location!r}; fix: did you mean {close[0]!r}?"
    elif first["type"] == "missing":
        detail = f"required key {location!r} is missing; fix: add it"
    elif location:
        detail = f"{location}: {detail}"
    return ConfigError(f"{where}: {detail}")
