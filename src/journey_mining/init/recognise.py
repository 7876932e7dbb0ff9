"""Recognise a shipped preset's export by its columns, and check the preset reads its values.

A preset fits a sample when the format agrees (CSV delimiter, encoding and header too),
every column it needs is there (timestamp, event id, activity, filter and required columns,
and at least one identifier column), its timestamp format reads at least half the sampled
times, and its ``events_where`` value occurs. The fitting preset that reads the most of the
sample's columns wins; a template activity part that never varies in the sample (an XES
``lifecycle:transition`` that is always ``complete``) counts against a preset.

Example:
    >>> names = [p.name for p in shipped_presets()]
    >>> "hubspot_contacts" in names and "event_log_csv" in names
    True
"""

from __future__ import annotations

from functools import lru_cache

import duckdb

from journey_mining.config import ConnectorPreset, ValueSpec, load_preset
from journey_mining.init.profile import Profile
from journey_mining.init.sample import Sample
from journey_mining.init.timestamps import parsed_count
from journey_mining.resources import resource_dir

ROW = "@row"


@lru_cache(maxsize=1)
def _presets() -> tuple[ConnectorPreset, ...]:
    paths = sorted(resource_dir("connectors").glob("*.yaml"))
    presets = (load_preset(str(p)) for p in paths)
    return tuple(p for p in presets if p.format != "sql")


def shipped_presets() -> list[ConnectorPreset]:
    """Every shipped file preset (``connectors/*.yaml``), by name."""
    return list(_presets())


def template(spec: ValueSpec) -> str:
    """A value spec as a template: ``{column}``, the template, or the fixed value.

    Example:
        >>> template(ValueSpec(column="event"))
        '{event}'
    """
    if spec.column is not None:
        return "{" + spec.column + "}"
    if spec.template is not None:
        return spec.template
    return (spec.value or "").replace("{", "(").replace("}", ")")


def needed_columns(preset: ConnectorPreset) -> list[str]:
    """The columns a file must have for the preset to read it (identifiers aside)."""
    columns = [preset.timestamp.column, *preset.activity.columns, *preset.required]
    if preset.timestamp.offset_ms_column:
        columns.append(preset.timestamp.offset_ms_column)
    columns.extend(c for c in preset.event_id if c != ROW)
    if preset.events_where is not None:
        columns.append(preset.events_where.column)
    return list(dict.fromkeys(columns))


def read_columns(preset: ConnectorPreset) -> list[str]:
    """Every column the preset reads."""
    extra = [*preset.identifiers.values()]
    extra += preset.channel.columns if preset.channel else []
    extra += [c for c in (preset.account, preset.sequence) if c]
    return list(dict.fromkeys([*needed_columns(preset), *extra]))


def _compatible(preset: ConnectorPreset, sample: Sample) -> bool:
    if preset.format != sample.format:
        return False
    if preset.format != "csv":
        return True
    csv = preset.csv
    encoding_ok = csv.encoding == sample.encoding or (
        csv.encoding == "latin-1" and sample.encoding == "utf-8"
    )
    return csv.delimiter == sample.delimiter and csv.header == sample.header and encoding_ok


def _score(
    con: duckdb.DuckDBPyConnection,
    preset: ConnectorPreset,
    sample: Sample,
    by_name: dict[str, Profile],
) -> tuple[int, str] | None:
    present = set(sample.columns)
    if not _compatible(preset, sample) or not set(needed_columns(preset)) <= present:
        return None
    if not present & set(preset.identifiers.values()):
        return None
    times = by_name[preset.timestamp.column].values
    read = parsed_count(con, times, preset.timestamp.format) if times else 0
    if times and read < 0.5 * len(times):
        return None
    where = preset.events_where
    if (
        where is not None
        and sample.rows
        and where.equals not in [v for v, _ in by_name[where.column].top]
    ):
        return None
    columns = read_columns(preset)
    score = sum(c in present for c in columns)
    if any(by_name[c].distinct <= 1 for c in preset.activity.columns if c in by_name) and (
        preset.activity.template is not None
    ):
        score -= 10
    evidence = (
        f"{sum(c in present for c in columns)} of the {len(columns)} columns it reads are here "
        f"({', '.join(columns[:5])}{', …' if len(columns) > 5 else ''}); "
        f"{preset.timestamp.column!r} reads as {preset.timestamp.format} in {read:,} of "
        f"{len(times):,} sampled values"
    )
    return score, evidence


def recognise(
    con: duckdb.DuckDBPyConnection, sample: Sample, profiles: list[Profile]
) -> tuple[ConnectorPreset | None, str, list[str]]:
    """The shipped preset that fits the sample best, why, and the other presets that fit."""
    by_name = {p.column: p for p in profiles}
    fits: list[tuple[int, str, ConnectorPreset]] = []
    for preset in shipped_presets():
        scored = _score(con, preset, sample, by_name)
        if scored is not None:
            fits.append((scored[0], scored[1], preset))
    if not fits:
        return None, "", []
    fits.sort(key=lambda f: (-f[0], f[2].name))
    best = fits[0]
    return best[2], best[1], [f[2].name for f in fits[1:]]
