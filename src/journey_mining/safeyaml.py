"""YAML declarations loaded safely and with limits: no file can exhaust the stack or memory.

A pipeline, preset or happy path never needs more than ``MAX_DEPTH`` levels of nesting,
``MAX_ALIASES`` aliases or ``MAX_BYTES`` bytes; a file beyond them (a 50,000-deep value, a
"billion laughs" of aliases) is a ``ConfigError`` naming the file, not a ``RecursionError``
or minutes of work.

Example:
    >>> _load("a: [1, 2]")
    {'a': [1, 2]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from journey_mining.errors import ConfigError

MAX_DEPTH = 64
MAX_ALIASES = 64
MAX_BYTES = 10_000_000


class _Limits(Exception):
    """A YAML document nested deeper, or using more aliases, than a declaration needs."""


class _LimitedLoader(yaml.SafeLoader):
    """``SafeLoader`` with a bound on nesting depth and on alias uses (billion laughs)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Limits(f"more than {MAX_ALIASES} aliases (*name)")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Limits(f"values nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _load(text: str) -> Any:
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_limited_yaml(path: Path, what: str) -> Any:
    """The parsed YAML of an existing file ``path`` (a ``what``), within the limits."""
    if path.stat().st_size > MAX_BYTES:
        raise ConfigError(
            f"{path}: {what} of {path.stat().st_size:,} bytes is larger than a declaration "
            f"can be ({MAX_BYTES:,}). Fix: check that this is the right file."
        )
    try:
        return _load(path.read_text(encoding="utf-8"))
    except _Limits as err:
        raise ConfigError(f"{path}: {what} has {err}. Fix: simplify it.") from None
    except yaml.YAMLError as err:
        detail = " ".join(str(err).split())[:300]
        raise ConfigError(f"{path}: not valid YAML ({detail}). Fix the syntax.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {what} is not UTF-8 text. Fix: save it as UTF-8.") from None
