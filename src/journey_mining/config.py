"""Declarations validated once at the entry point: connector presets and pipelines.

Every model forbids unknown keys, so a typo in YAML is an error that names the key,
not a silently ignored setting. Names that reach SQL (source names, identifier kinds,
column names, JSON paths) are validated here.

Example:
    >>> preset = ConnectorPreset.model_validate({
    ...     "name": "tiny", "format": "csv", "system": "crm", "event_id": ["id"],
    ...     "timestamp": {"column": "at"}, "activity": {"value": "seen"},
    ...     "identifiers": {"email": "mail"}})
    >>> preset.timestamp.format
    'iso'
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from journey_mining.errors import ConfigError, InvalidIdentifier
from journey_mining.resources import resource_dir

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# A source column (CSV header, Parquet column) or one segment of a JSON path: printable,
# no quotes, backslashes or control characters, so it can be quoted safely in SQL.
_COLUMN_PATTERN = re.compile(r"^[^\"'\\\x00-\x1f\x7f]{1,200}$")
_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimestampSpec(_Strict):
    """How a source writes its event time.

    ``format``: ``iso`` (ISO 8601; an offset or ``Z`` is honoured, naive values take
    ``timezone``), ``epoch_s``, ``epoch_ms``, or a strptime pattern such as
    ``%d-%m-%Y %H:%M`` (day-first) or ``%Y-%m-%d`` (date only). ``offset_ms_column``:
    a column of milliseconds added to that time (Google Analytics' ``time``, the hit's
    offset into the visit that ``visitId`` starts).
    """

    column: str
    format: str = "iso"
    timezone: str = "UTC"
    offset_ms_column: str | None = None

    _check_column = field_validator("column")(lambda v: check_column(v, "timestamp column"))
    _check_offset = field_validator("offset_ms_column")(
        lambda v: v if v is None else check_column(v, "timestamp offset column")
    )


class ValueSpec(_Strict):
    """A canonical field taken from a column, a fixed value, or a template like ``deal_{stage}``."""

    column: str | None = None
    value: str | None = None
    template: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ValueSpec:
        given = [k for k in ("column", "value", "template") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of column, value or template")
        if self.column is not None:
            check_column(self.column)
        if self.template is not None:
            fields = _TEMPLATE_FIELD.findall(self.template)
            if not fields:
                raise ValueError(f"template {self.template!r} names no {{column}}")
            for field in fields:
                check_column(field, "template column")
        return self

    @property
    def columns(self) -> list[str]:
        """The source columns this value reads."""
        if self.column is not None:
            return [self.column]
        if self.template is not None:
            return _TEMPLATE_FIELD.findall(self.template)
        return []


class EventFilter(_Strict):
    """Rows where ``column`` equals ``equals`` are events; the others only link identifiers."""

    column: str
    equals: str

    _check_column = field_validator("column")(lambda v: check_column(v, "filter column"))


class CsvOptions(_Strict):
    """Reader options for CSV exports."""

    delimiter: str = ","
    quote: str = '"'
    encoding: Literal["utf-8", "latin-1", "utf-16"] = "utf-8"
    header: bool = True
    null_values: tuple[str, ...] = ("",)


class ConnectorPreset(_Strict):
    """How one kind of export (a system's file) becomes canonical events.

    Columns are CSV/Parquet column names; for ``jsonl`` they are dotted JSON paths
    (``requester.email``).
    """

    name: str
    description: str = ""
    format: Literal["csv", "jsonl", "parquet", "xes", "sql"]
    system: str
    csv: CsvOptions = CsvOptions()
    event_id: tuple[str, ...] = Field(min_length=1)
    timestamp: TimestampSpec
    sequence: str | None = None
    activity: ValueSpec
    channel: ValueSpec | None = None
    identifiers: dict[str, str] = Field(min_length=1)
    account: str | None = None
    required: tuple[str, ...] = ()
    events_where: EventFilter | None = None

    @field_validator("identifiers")
    @classmethod
    def _check_identifiers(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, column in value.items():
            check_name(kind, "identifier kind")
            check_column(column, f"identifier column for {kind}")
        return value

    @model_validator(mode="after")
    def _check_columns(self) -> ConnectorPreset:
        check_name(self.name, "preset name")
        event_id = () if self.event_id == ("@row",) else self.event_id
        for column in (*event_id, *self.required):
            check_column(column)
        for optional_column in (self.sequence, self.account):
            if optional_column is not None:
                check_column(optional_column)
        return self

    def required_columns(self) -> list[str]:
        """Columns a file of this preset must have (top-level keys for jsonl are not checked)."""
        event_id = () if self.event_id == ("@row",) else self.event_id
        offset = [self.timestamp.offset_ms_column] if self.timestamp.offset_ms_column else []
        columns = [
            self.timestamp.column,
            *offset,
            *event_id,
            *self.required,
            *self.activity.columns,
        ]
        return list(dict.fromkeys(columns))


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
    """One source of a pipeline: a preset applied to the files matching ``path``, or to a SQL table."""

    name: str
    preset: str | ConnectorPreset
    path: str | None = None
    sql: SqlSourceConfig | None = None
    timezone: str | None = None
    team: str | None = None
    channel: str | None = None

    _check_name = field_validator("name")(lambda v: check_name(v, "source name"))

    @model_validator(mode="after")
    def _one_location(self) -> SourceConfig:
        if (self.path is None) == (self.sql is None):
            raise ValueError(
                f"source {self.name!r}: give exactly one of path (export files) or sql (a database)"
            )
        return self


class ActivityMapping(_Strict):
    """What a source activity means in the journey: its name, stage, team and channel."""

    activity: str | None = None
    stage: str | None = None
    team: str | None = None
    channel: str | None = None


class IdentityConfig(_Strict):
    """Which identifier kinds join one customer's records across systems.

    An identifier value seen on rows with more than ``shared_identifier_limit`` distinct
    values of another linking kind (a shared inbox, a test account) is *shared*: reported
    in ``mining.shared_identifiers`` and, unless ``link_shared_identifiers``, not used as a
    link. Kinds in ``many_per_customer`` (device ids) are not counted against a value. A
    source whose journeys join another source's less than ``join_warning_ratio`` times as
    often as the other sources' do (or never) gets a warning (see ``mining.stitching``).
    """

    link_on: tuple[str, ...] = ("email", "crm_contact_id", "product_user_id")
    normalise_email: tuple[str, ...] = ("email",)
    shared_identifier_limit: int = Field(default=20, ge=1)
    link_shared_identifiers: bool = False
    many_per_customer: tuple[str, ...] = ()
    join_warning_ratio: float = Field(default=0.25, ge=0.0, le=1.0)

    @field_validator("link_on", "normalise_email", "many_per_customer")
    @classmethod
    def _check_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_name(v, "identifier kind") for v in value)


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
    activities: dict[str, dict[str, ActivityMapping | Literal["drop"]]] = {}
    unmapped: Literal["keep", "drop"] = "keep"
    happy_path: str | None = None
    goal: str | None = None
    findings: FindingsConfig = FindingsConfig()
    segments: tuple[str, ...] = ()
    discovery_noise: float = Field(default=0.0, ge=0.0, lt=1.0)
    memory_limit: str | None = None
    base_dir: Path = Path(".")

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

    def happy_path_file(self) -> Path | None:
        """The happy path file, resolved against the pipeline file's folder."""
        if self.happy_path is None:
            return None
        path = Path(self.happy_path)
        return path if path.is_absolute() else self.base_dir / path


def _read_yaml(path: Path, what: str) -> Any:
    if not path.is_file():
        raise ConfigError(f"{what} {str(path)!r} does not exist. Fix: check the path.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err}). Fix the syntax.") from None


def _explain(err: ValidationError, where: str, model: type[BaseModel]) -> ConfigError:
    """One line for the most useful error: an unknown key (likely a typo) first."""
    errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    location = ".".join(str(p) for p in first["loc"])
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


def load_preset(name_or_path: str) -> ConnectorPreset:
    """Load a connector preset by name (shipped in ``connectors/``) or by file path.

    Example:
        >>> load_preset("segment_events").format
        'jsonl'
    """
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = resource_dir("connectors") / f"{name_or_path}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in resource_dir("connectors").glob("*.yaml"))
            raise ConfigError(
                f"unknown connector preset {name_or_path!r}. Fix: use one of {known}."
            )
    data = _read_yaml(path, "connector preset")
    try:
        return ConnectorPreset.model_validate(data)
    except ValidationError as err:
        raise _explain(err, str(path), ConnectorPreset) from None


def resolve_preset(source: SourceConfig) -> ConnectorPreset:
    """The preset a source uses, loaded if it was given by name."""
    if isinstance(source.preset, ConnectorPreset):
        return source.preset
    return load_preset(source.preset)


def load_pipeline(path: str | Path) -> PipelineConfig:
    """Read and validate a pipeline YAML file; relative happy path paths resolve beside it.

    Example:
        >>> load_pipeline("pipelines/demo.yaml").name  # doctest: +SKIP
        'demo'
    """
    file = Path(path)
    data = _read_yaml(file, "pipeline file")
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping with name and sources. Fix the file.")
    try:
        pipeline = PipelineConfig.model_validate({**data, "base_dir": file.resolve().parent})
    except ValidationError as err:
        raise _explain(err, str(file), PipelineConfig) from None
    for source in pipeline.sources:
        resolve_preset(source)  # fail early on an unknown or invalid preset
    return pipeline
