"""Declarations validated once at the entry point: connector presets and pipelines.

Every model forbids unknown keys, so a typo in YAML is an error that names the key, not a
silently ignored setting. Names that reach SQL (source names, identifier kinds, column
names, JSON paths) and time zones are validated here. ``names``: the checks;
``presets``: connector presets; ``overrides``: a source's changes to its preset;
``pipeline``: pipelines and ``load_pipeline``.

Example:
    >>> preset = ConnectorPreset.model_validate({
    ...     "name": "tiny", "format": "csv", "system": "crm", "event_id": ["id"],
    ...     "timestamp": {"column": "at"}, "activity": {"value": "seen"},
    ...     "identifiers": {"email": "mail"}})
    >>> preset.timestamp.format
    'iso'
"""

from journey_mining.config.names import (
    NAME_PATTERN,
    check_column,
    check_header,
    check_memory_limit,
    check_name,
    check_timezone,
)
from journey_mining.config.overrides import apply_overrides, preset_columns
from journey_mining.config.pipeline import (
    BUILTIN_SEGMENTS,
    ActivityMapping,
    FindingsConfig,
    IdentityConfig,
    PipelineConfig,
    SourceConfig,
    SqlSourceConfig,
    load_pipeline,
)
from journey_mining.config.presets import (
    ConnectorPreset,
    CsvOptions,
    EventFilter,
    TimestampOverride,
    TimestampSpec,
    ValueSpec,
    load_preset,
)

__all__ = [
    "BUILTIN_SEGMENTS",
    "NAME_PATTERN",
    "ActivityMapping",
    "ConnectorPreset",
    "CsvOptions",
    "EventFilter",
    "FindingsConfig",
    "IdentityConfig",
    "PipelineConfig",
    "SourceConfig",
    "SqlSourceConfig",
    "TimestampOverride",
    "TimestampSpec",
    "ValueSpec",
    "apply_overrides",
    "check_column",
    "check_header",
    "check_memory_limit",
    "check_name",
    "check_timezone",
    "load_pipeline",
    "load_preset",
    "preset_columns",
]
