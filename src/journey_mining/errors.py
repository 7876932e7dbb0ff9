"""The project's error types: every failure a user can cause is a `JourneyMiningError`.

Each message names the bad value, where it came from and what to do about it, so the
CLI can print it as one line and exit non-zero.

Example:
    >>> try:
    ...     raise ConfigError("pipeline.yaml: unknown key 'sorces'. Fix: did you mean 'sources'?")
    ... except JourneyMiningError as err:
    ...     print(err)
    pipeline.yaml: unknown key 'sorces'. Fix: did you mean 'sources'?
"""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(\w[\w+.-]*://[^:/@\s'\"]+:)[^@\s'\"]+@")
_SECRET_PARAM = re.compile(
    r"((?:[?&;]|\b)(?:password|passwd|pwd|secret|token|api[_-]?key|sslpassword|"
    r"access[_-]?key)=)[^&\s'\"]+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with every credential in a URL masked: user info and secret query values.

    Example:
        >>> redact("failed: postgresql://ann:pa55@db/crm?sslmode=require&password=x1 (host db)")
        'failed: postgresql://ann:***@db/crm?sslmode=require&password=*** (host db)'
    """
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub(r"\1***@", text))


def excerpt(value: object, limit: int = 80) -> str:
    """A bounded ``repr`` of a bad value for an error message (never the whole of a huge one).

    Example:
        >>> excerpt("x" * 100, 10)
        "'xxxxxxxxx… (102 characters)"
    """
    try:
        text = repr(value) if not isinstance(value, (list, dict)) else _shallow(value)
    except RecursionError:
        text = f"<a {type(value).__name__} nested too deep>"
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} characters)"


def _shallow(value: list[object] | dict[object, object]) -> str:
    """The first few items of a list or mapping, nested values only named by their type."""

    def short(item: object) -> str:
        return f"<{type(item).__name__}>" if isinstance(item, (list, dict)) else repr(item)[:40]

    if isinstance(value, dict):
        items = [f"{short(k)}: {short(v)}" for k, v in list(value.items())[:5]]
        return "{" + ", ".join(items) + (", …}" if len(value) > 5 else "}")
    return "[" + ", ".join(short(v) for v in value[:5]) + (", …]" if len(value) > 5 else "]")


class JourneyMiningError(Exception):
    """Base class of every error this project raises on purpose."""


class ConfigError(ValueError, JourneyMiningError):
    """A pipeline, connector preset or happy path declaration is invalid."""


class InvalidIdentifier(ConfigError):
    """A table, column or source name from config is not a safe SQL identifier."""


class SourceError(JourneyMiningError):
    """A source cannot be read (missing file, missing required column, unreadable format)."""


class MissingColumn(KeyError, SourceError):
    """A required column is absent from a source file."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class WarehouseError(JourneyMiningError):
    """The DuckDB warehouse is missing, locked, or lacks the tables a command needs."""


class OutOfMemory(WarehouseError):
    """DuckDB ran out of memory in a stage: the message names the stage, the cap and the fix."""


class SqlTestFailed(WarehouseError):
    """A zero-row test query in ``sql/tests/`` returned rows: an invariant of the tables broke."""


class UnknownActivity(KeyError, ConfigError):
    """A happy path or mapping names an activity the data never produces."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MiningError(JourneyMiningError):
    """Process discovery or conformance checking failed on the given log or model."""


class ReportError(JourneyMiningError):
    """The HTML report cannot be built or written (layout tool missing, output not writable)."""


class WarehouseBusy(WarehouseError):
    """Another run holds the warehouse: this one is refused (CLI exit code 4)."""


class UsageError(ValueError, JourneyMiningError):
    """A command was called in a way it cannot work: no warehouse named, a file in the way."""


class OutputExists(FileExistsError, UsageError):
    """A file the command would write exists already (pass ``--force`` to replace it)."""
