"""Phone numbers as identifiers: every way of writing one number becomes its E.164 form.

``identity.normalise_phone: [phone]`` with ``identity.phone_region: NL`` makes the kind
``phone`` read ``+31612345678`` for ``06 12345678``, ``+31 6 1234 5678``, ``0031612345678``
and ``(06) 1234-5678`` alike, so a call log writing national numbers links to a CRM
writing E.164. Numbers are parsed by Google's libphonenumber (the ``phonenumbers``
package); a number written without a country code takes ``phone_region``. A value that
is no possible phone number (too short, letters) reads as no identifier: a row with no
other linking identifier is quarantined as ``missing identifier``.

Parsing is Python, so it is not run per row: the SQL function ``jm_phone_e164`` is a
vectorised (Arrow) DuckDB function that parses each distinct value of a chunk once, and
remembers the numbers it has parsed (a bounded cache), so a million rows of a hundred
thousand customers cost a hundred thousand parses.

Example:
    >>> e164("06 12345678", "NL"), e164("+31 6 1234 5678", "NL"), e164("n/a", "NL")
    ('+31612345678', '+31612345678', None)
"""

from __future__ import annotations

from functools import lru_cache

import duckdb
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.func import FunctionNullHandling, PythonUDFType

from journey_mining.connectors.expressions import quote_literal

FUNCTION = "jm_phone_e164"


@lru_cache(maxsize=262_144)
def e164(value: str, region: str) -> str | None:
    """``value`` as an E.164 number (``+31612345678``), or None when it is no possible number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _normalise(values: pa.Array, regions: pa.Array) -> pa.Array:
    """The Arrow function: each distinct value of the chunk parsed once."""
    if len(values) == 0:
        return pa.array([], pa.string())
    region = str(regions[0].as_py())
    distinct = pc.unique(values)
    parsed = pa.array(
        [None if v is None else e164(v, region) for v in distinct.to_pylist()], pa.string()
    )
    return pc.take(parsed, pc.index_in(values, value_set=distinct))


def register_phone_function(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``jm_phone_e164(text, region)`` available on ``con`` (once per connection)."""
    try:
        con.create_function(
            FUNCTION,
            _normalise,
            ["varchar", "varchar"],
            "varchar",
            type=PythonUDFType.ARROW,
            null_handling=FunctionNullHandling.SPECIAL,  # it returns NULL for no number
        )
    except duckdb.Error as err:
        if "already" not in str(err).lower():
            raise


def phone_expression(field: str, region: str) -> str:
    """SQL reading the text in ``field`` as an E.164 number (NULL when it is none).

    Example:
        >>> phone_expression("_f2", "NL")
        "jm_phone_e164(_f2, 'NL')"
    """
    return f"{FUNCTION}({field}, {quote_literal(region)})"


def uses_phone_function(sql: str) -> bool:
    """Whether compiled SQL calls the phone function (the connection then needs it)."""
    return FUNCTION in sql
