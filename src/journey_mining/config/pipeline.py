"""Pipelines: which sources, identity rules, activity mapping, happy path and outputs.

``load_pipeline`` is the one entry point: it validates the file, resolves every source's
preset once (shipped name or file, with the source's ``columns:`` and ``timestamp:``
overrides applied, time zones checked) and keeps the results on the pipeline
(``PipelineConfig.preset``). Every relative path in a pipeline — ``data_dir``,
``warehouse``, ``outputs_dir``, preset files, the happy path, ``url_file`` — resolves
against the pipeline file's folder.

Example:
    >>> from journey_mining.resources import resource_dir
    >>> pipeline = load_pipeline(resource_dir("pipelines") / "demo.yaml")
    >>> pipeline.preset("crm_contacts").name, pipeline.data_path().name
    ('hubspot_contacts', 'exports')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from journey_mining.config.names import (
    check_column,
    check_header,
    check_memory_limit,
    check_name,
    check_phone_region,
    check_timezone,
)
from journey_mining.config.overrides import apply_overrides
from journey_mining.config.presets import ConnectorPreset, TimestampOverride, _Strict, load_preset
from journey_mining.config.yamlfile import _explain, _read_yaml
from journey_mining.errors import ConfigError


class SqlSourceConfig(_Strict):
    """A table or query of a SQL database reached through SQLAlchemy.

    The URL (with its credentials) never sits in the pipeline: ``url_env`` names an
    environment variable holding it, or ``url_file`` a file outside the repository whose
    first line is it. ``cursor`` is an increasing column (``updated_at``, ``id``): each run
    loads only rows above the last value stored in the warehouse.
    """

    url_env: str | None = None
    url_file: str | None = None
    table: str | None = None
    db_schema: str | None = Field(default=None, alias="schema")
    query: str | None = None
    cursor: str | None = None
    batch_size: int = Field(default=50_000, ge=1)

    @model_validator(mode="after")
    def _check(self) -> SqlSourceConfig:
        if (self.url_env is None) == (self.url_file is None):
            raise ValueError("give exactly one of url_env (an environment variable) or url_file")
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of table or query")
        for name in (self.table, self.db_schema, self.cursor):
            if name is not None:
                check_column(name, "SQL table, schema or cursor column")
        return self


class SourceConfig(_Strict):
    """One source of a pipeline: a preset applied to the files matching ``path``, or to a SQL table.

    ``columns``, ``timestamp`` and ``timezone`` change the preset for this source
    (``overrides``): ``columns: {Email: "E-mail Address"}`` reads the preset's ``Email``
    from the export's ``E-mail Address``; ``timestamp: {format: "%d/%m/%Y %H:%M"}``
    replaces its format. Files outside the pipeline's data folder are refused unless
    ``allow_outside_data_dir: true``.
    """

    name: str
    preset: str | ConnectorPreset
    path: str | None = None
    sql: SqlSourceConfig | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    timestamp: TimestampOverride | None = None
    timezone: str | None = None
    team: str | None = None
    channel: str | None = None
    allow_outside_data_dir: bool = False

    _check_name = field_validator("name")(lambda v: check_name(v, "source name"))

    @field_validator("columns")
    @classmethod
    def _check_columns(cls, value: dict[str, str]) -> dict[str, str]:
        for key, column in value.items():
            check_header(key, "columns: key")
            check_header(column, f"column for {key}")
        return value

    @model_validator(mode="after")
    def _one_location(self) -> SourceConfig:
        if (self.path is None) == (self.sql is None):
            raise ValueError(
                f"source {self.name!r}: give exactly one of path (export files) or sql (a database)"
            )
        zone = self.timestamp.timezone if self.timestamp is not None else None
        if self.timezone is not None and zone is not None and zone != self.timezone:
            raise ValueError(
                f"source {self.name!r}: timezone {self.timezone!r} and timestamp.timezone "
                f"{zone!r} differ; fix: give the time zone once"
            )
        return self

    def resolve_preset(self, base_dir: Path | None = None) -> ConnectorPreset:
        """The preset with this source's overrides applied, its time zone checked.

        A preset given by file resolves against ``base_dir`` (the pipeline file's folder).
        """
        where = f"source {self.name!r}"
        preset = (
            self.preset
            if isinstance(self.preset, ConnectorPreset)
            else load_preset(self.preset, base_dir)
        )
        resolved = apply_overrides(preset, self.columns, self.timestamp, self.timezone, where)
        check_timezone(
            resolved.timestamp.timezone,
            f"{where} (preset {preset.name!r}): ",
        )
        return resolved


class ActivityMapping(_Strict):
    """What a source activity means in the journey: its name, stage, team and channel."""

    activity: str | None = None
    stage: str | None = None
    team: str | None = None
    channel: str | None = None


PLACEHOLDERS = ("n/a", "na", "-", "--", "none", "null", "nil", "unknown", "test", "?")
"""Identifier values that name nobody (compared lower-cased): never a link."""


class IdentityConfig(_Strict):
    """Which identifier kinds join one customer's records across systems.

    An identifier value seen on rows with more than ``shared_identifier_limit`` distinct
    values of another linking kind (a shared inbox, a test account) is *shared*: reported
    in ``mining.shared_identifiers`` and, unless ``link_shared_identifiers``, not used as a
    link. Kinds in ``many_per_customer`` (device ids) are not counted against a value. A
    source whose journeys join another source's less than ``join_warning_ratio`` times as
    often as the other sources' do (or never) gets a warning (see ``mining.stitching``).

    Every identifier is trimmed; kinds in ``normalise_email`` are also lower-cased (any
    case-insensitive id may be listed). Kinds in ``normalise_phone`` are read as phone
    numbers and written in E.164 (``+31612345678``), numbers without a country code taking
    ``phone_region`` (``NL``), so national and international spellings link. Kinds in
    ``attributes`` (a household or company account number) are kept on the customer, never
    used as a link: each becomes a customer attribute of its own name (and a segment when
    listed in ``segments:``).
    ``placeholders``: values that name nobody (``n/a``, ``-``, ``unknown``, ``test``, …,
    compared lower-cased after trimming); an identifier holding one is no identifier.
    """

    link_on: tuple[str, ...] = ("email", "crm_contact_id", "product_user_id")
    normalise_email: tuple[str, ...] = ("email",)
    normalise_phone: tuple[str, ...] = ()
    phone_region: str | None = None
    attributes: tuple[str, ...] = ()
    shared_identifier_limit: int = Field(default=20, ge=1)
    link_shared_identifiers: bool = False
    many_per_customer: tuple[str, ...] = ()
    join_warning_ratio: float = Field(default=0.25, ge=0.0, le=1.0)
    placeholders: tuple[str, ...] = PLACEHOLDERS

    @field_validator("placeholders")
    @classmethod
    def _lower_placeholders(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip().lower() for v in value)

    @field_validator("link_on", "normalise_email", "many_per_customer", "normalise_phone")
    @classmethod
    def _check_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_name(v, "identifier kind") for v in value)

    @field_validator("attributes")
    @classmethod
    def _check_attribute_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_name(v, "identifier kind kept as an attribute") for v in value)

    @field_validator("phone_region")
    @classmethod
    def _check_region(cls, value: str | None) -> str | None:
        return None if value is None else check_phone_region(value)

    @model_validator(mode="after")
    def _check_roles(self) -> IdentityConfig:
        both = [k for k in self.attributes if k in self.link_on]
        if both:
            raise ValueError(
                f"identifier kind {both[0]!r} is both in link_on and in attributes; fix: keep "
                "it in attributes (kept on the customer, never a link) or in link_on, not both"
            )
        if self.normalise_phone and self.phone_region is None:
            raise ValueError(
                "normalise_phone needs phone_region, the region of numbers written without a "
                "country code; fix: add phone_region: NL (or your country's code)"
            )
        return self


BUILTIN_SEGMENTS = ("first_channel", "first_system", "start_month")
"""Segments every journey has without a declared attribute: the channel and system of its first
event, and the month it started (``2025-03``)."""


class FindingsConfig(_Strict):
    """How findings are tested: the goal's negations, contact activities, thresholds.

    ``negations``: activities that mean the goal will not be reached (``deal_lost``,
    ``churned``): the outcome restated, never an exposure. ``contacts``: customer-initiated
    contacts (``ticket_opened``, ``call_received``) for the repeat-contact finding, with its
    window ``repeat_contact_within``. A finding is tested when both its groups hold at least
    ``min_journeys`` journeys, and shown by default when its Benjamini–Hochberg q-value is
    below ``q_threshold``.
    """

    negations: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    repeat_contact_within: str | float = "7d"
    min_journeys: int = Field(default=30, ge=5)
    q_threshold: float = Field(default=0.05, gt=0.0, lt=1.0)


class OutputsConfig(_Strict):
    """Files a run writes after it succeeds (paths relative to ``outputs_dir``)."""

    report: str | None = None
    report_title: str | None = None


class PipelineConfig(_Strict):
    """A declared pipeline: sources, identity rules, activity mapping, happy path, outputs."""

    name: str
    description: str = ""
    data_dir: str = "."
    warehouse: str = "journeys.duckdb"
    outputs_dir: str | None = None
    outputs: OutputsConfig = OutputsConfig()
    sources: tuple[SourceConfig, ...] = Field(min_length=1)
    identity: IdentityConfig = IdentityConfig()
    activities: dict[str, dict[str, ActivityMapping | Literal["drop"]]] = Field(
        default_factory=dict
    )
    unmapped: Literal["keep", "drop"] = "keep"
    happy_path: str | None = None
    goal: str | None = None
    findings: FindingsConfig = FindingsConfig()
    segments: tuple[str, ...] = ()
    discovery_noise: float = Field(default=0.0, ge=0.0, lt=1.0)
    memory_limit: str | None = None
    _base_dir: Path | None = PrivateAttr(default=None)
    _presets: dict[str, ConnectorPreset] = PrivateAttr(default_factory=dict)

    @field_validator("memory_limit")
    @classmethod
    def _check_memory_limit(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return check_memory_limit(value)
        except ConfigError as err:
            raise ValueError(str(err)) from None

    @field_validator("segments")
    @classmethod
    def _check_segments(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_name(v, "segment") for v in value)

    @model_validator(mode="after")
    def _check_sources(self) -> PipelineConfig:
        names = [s.name for s in self.sources]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"source names {duplicated} are used twice; fix: rename one")
        unknown = sorted(set(self.activities) - set(names))
        if unknown:
            raise ValueError(
                f"activities are mapped for unknown source(s) {unknown}; fix: use one of {names}"
            )
        return self

    @property
    def base_dir(self) -> Path:
        """The pipeline file's folder (the working directory for a pipeline built in code)."""
        return self._base_dir or Path.cwd()

    def path(self, value: str | Path) -> Path:
        """A path from the pipeline, resolved against the pipeline file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else Path(os.path.normpath(self.base_dir / path))

    def data_path(self) -> Path:
        """``data_dir``: the folder the sources' globs are relative to."""
        return self.path(self.data_dir)

    def warehouse_path(self) -> Path:
        """``warehouse``: the DuckDB file."""
        return self.path(self.warehouse)

    def outputs_path(self) -> Path | None:
        """``outputs_dir`` (where discovered_model.bpmn goes), if given."""
        return None if self.outputs_dir is None else self.path(self.outputs_dir)

    def happy_path_file(self) -> Path | None:
        """The happy path file, resolved against the pipeline file's folder."""
        return None if self.happy_path is None else self.path(self.happy_path)

    def preset(self, source: str) -> ConnectorPreset:
        """The resolved preset of ``source``: loaded once, overrides applied, zone checked."""
        if not self._presets:
            self._resolve_presets()
        return self._presets[source]

    def _resolve_presets(self, where: str = "") -> None:
        """Resolve every source's preset; errors start with ``where`` (the pipeline file)."""
        presets = {}
        for source in self.sources:
            try:
                presets[source.name] = source.resolve_preset(self.base_dir)
            except ConfigError as err:
                if not where:
                    raise
                raise type(err)(f"{where}: {err}") from None
        self._presets = presets


def load_pipeline(path: str | Path) -> PipelineConfig:
    """Read and validate a pipeline YAML file and resolve its sources' presets, once.

    Example:
        >>> load_pipeline("pipelines/demo.yaml").name  # doctest: +SKIP
        'demo'
    """
    file = Path(path).expanduser().absolute()
    data = _read_yaml(file, "pipeline file")
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping with name and sources. Fix the file.")
    try:
        pipeline = PipelineConfig.model_validate(data)
    except ValidationError as err:
        raise _explain(err, str(file), PipelineConfig) from None
    pipeline._base_dir = file.parent
    pipeline._resolve_presets(where=str(file))
    return pipeline
