"""Names and values from config that reach SQL or DuckDB, validated before they do.

Example:
    >>> check_name("crm_contacts", "source name"), check_timezone("europe/amsterdam")
    ('crm_contacts', 'europe/amsterdam')
"""

from __future__ import annotations

import difflib
import re
from functools import cache

import duckdb
import phonenumbers

from journey_mining.errors import ConfigError, InvalidIdentifier

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# A source column (CSV header, Parquet column) or one segment of a JSON path: printable,
# no quotes, backslashes or control characters, so it can be quoted safely in SQL.
_COLUMN_PATTERN = re.compile(r"^[^\"'\\\x00-\x1f\x7f]{1,200}$")
_MEMORY_PATTERN = re.compile(r"^\d+(\.\d+)?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


def check_memory_limit(value: str) -> str:
    """Validate a memory size for DuckDB's ``memory_limit``, such as ``2GB`` or ``512MiB``.

    Example:
        >>> check_memory_limit("2GB")
        '2GB'
    """
    if not _MEMORY_PATTERN.match(value):
        raise ConfigError(
            f"memory limit {value!r} is not a size. Fix: write a number and a unit, "
            "like 2GB, 1.5GB or 512MB."
        )
    return value


def check_phone_region(value: str) -> str:
    """Validate the region of phone numbers written without a country code (``NL``, ``US``).

    Example:
        >>> check_phone_region("nl")
        'NL'
    """
    region = value.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        close = difflib.get_close_matches(region, sorted(phonenumbers.SUPPORTED_REGIONS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(
            f"phone_region {value!r} is not a region phone numbers know. Fix: {hint}use a "
            "two-letter country code such as NL, DE, GB or US."
        )
    return region


def check_name(value: str, what: str) -> str:
    """Validate a name that becomes part of a SQL identifier (source, identifier kind).

    Example:
        >>> check_name("crm_contacts", "source name")
        'crm_contacts'
    """
    if not NAME_PATTERN.match(value):
        raise InvalidIdentifier(
            f"{what} {value!r} is not allowed. Fix: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. crm_contacts)."
        )
    return value


def check_column(value: str, what: str = "column") -> str:
    """Validate a column name or JSON path from config before it is quoted into SQL."""
    segments = value.split(".")
    if not value or not all(_COLUMN_PATTERN.match(s) for s in segments):
        raise InvalidIdentifier(
            f"{what} {value!r} is not a usable column name or JSON path. Fix: remove quotes, "
            "backslashes and control characters; separate JSON keys with dots."
        )
    return value


_HEADER_PATTERN = re.compile(r"^[^\x00-\x1f\x7f]{1,1000}$")


def check_header(value: str, what: str = "column") -> str:
    """Validate a source column name from config: any header an export can have (quotes,
    brackets, dots, unicode) but control characters. Columns are quoted as data, never
    pasted into SQL (``expressions.quote_identifier``); a JSON lines path is checked
    further, segment by segment (``check_column``).

    Example:
        >>> check_header("Contact's Phone No.")
        "Contact's Phone No."
    """
    if not _HEADER_PATTERN.match(value):
        raise InvalidIdentifier(
            f"{what} {value[:80]!r} is not a usable column name. Fix: remove control "
            "characters (tabs, line breaks) from it."
        )
    return value


@cache
def _known_zones() -> dict[str, str]:
    """The time zones DuckDB knows (ICU), by lower-cased name: what timezone() accepts."""
    con = duckdb.connect()
    try:
        names = [str(r[0]) for r in con.execute("SELECT name FROM pg_timezone_names()").fetchall()]
    finally:
        con.close()
    return {name.lower(): name for name in names}


def check_timezone(value: str, where: str = "") -> str:
    """Validate a time zone name (IANA, as DuckDB knows it; case does not matter).

    ``where`` (the source and file it came from) starts the error message.

    Example:
        >>> check_timezone("America/New_York")
        'America/New_York'
    """
    zones = _known_zones()
    if value.lower() in zones:
        return value
    close = difflib.get_close_matches(value.lower(), list(zones), n=1)
    hint = f" (did you mean {', '.join(repr(zones[c]) for c in close)}?)" if close else ""
    raise ConfigError(
        f"{where}time zone {value!r} is not a known IANA time zone{hint}. Fix: write a name "
        "like Europe/Amsterdam, America/New_York or UTC."
    )
