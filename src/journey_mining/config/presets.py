"""Connector presets: how one kind of export (a system's file or table) becomes canonical events.

Every model forbids unknown keys, so a typo in YAML is an error that names the key, not a
silently ignored setting. Column names and JSON paths that reach SQL are validated here.

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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from journey_mining.config.names import check_header, check_name
from journey_mining.config.yamlfile import _explain, _read_yaml
from journey_mining.errors import ConfigError
from journey_mining.resources import resource_dir

_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimestampSpec(_Strict):
    """How a source writes its event time.

    ``format``: ``iso`` (ISO 8601; an offset or ``Z`` is honoured, naive values take
    ``timezone``), ``epoch_s``, ``epoch_ms``, ``epoch_us``, ``epoch_ns``, or a strptime pattern such as
    ``%d-%m-%Y %H:%M`` (day-first) or ``%Y-%m-%d`` (date only). ``offset_ms_column``:
    a column of milliseconds added to that time (Google Analytics' ``time``, the hit's
    offset into the visit that ``visitId`` starts). ``dst``: what a local time in a
    daylight-saving gap (02:30 on a spring-forward night) or overlap (01:30 on a fall-back
    night) becomes: ``quarantine`` (default: the row is quarantined with the reason),
    ``earliest`` or ``latest`` (the first or second instant of an overlap; a time in a gap
    is read with the offset before the change, i.e. shifted later by the gap).
    """

    column: str
    format: str = "iso"
    timezone: str = "UTC"
    offset_ms_column: str | None = None
    dst: Literal["quarantine", "earliest", "latest"] = "quarantine"

    _check_column = field_validator("column")(lambda v: check_header(v, "timestamp column"))
    _check_offset = field_validator("offset_ms_column")(
        lambda v: v if v is None else check_header(v, "timestamp offset column")
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
            check_header(self.column)
        if self.template is not None:
            fields = _TEMPLATE_FIELD.findall(self.template)
            if not fields:
                raise ValueError(f"template {self.template!r} names no {{column}}")
            for field in fields:
                check_header(field, "template column")
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

    _check_column = field_validator("column")(lambda v: check_header(v, "filter column"))


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
    (``requester.email``). Besides the event's activity and channel, a preset may name the
    row's ``episode`` (the sub-case: a ticket, deal or conversation id), its ``team`` (the
    delivering team or group the row itself names), its ``resource`` (owner, agent or
    assignee: pm4py's ``org:resource``), its ``rating`` (the customer's voice: a CSAT score,
    good/bad) and customer ``attributes`` (``{plan: properties.plan}``): see
    docs/connectors.md.
    """

    name: str
    description: str = ""
    format: Literal["csv", "jsonl", "json", "parquet", "xes", "sql"]
    records: str | None = None
    system: str
    csv: CsvOptions = CsvOptions()
    event_id: tuple[str, ...] = Field(min_length=1)
    timestamp: TimestampSpec
    sequence: str | None = None
    activity: ValueSpec
    channel: ValueSpec | None = None
    episode: ValueSpec | None = None
    team: ValueSpec | None = None
    resource: ValueSpec | None = None
    rating: ValueSpec | None = None
    identifiers: dict[str, str] = Field(min_length=1)
    account: str | None = None
    attributes: dict[str, str] = {}
    required: tuple[str, ...] = ()
    events_where: EventFilter | None = None
    milestones: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _milestone_roles(cls, data: object) -> object:
        """A wide milestone export: its time and activity come from the unpivoted cell.

        ``milestones: {<date column>: <activity>}`` with ``timestamp:`` giving only the
        format and zone: each filled cell lands as a row with ``_milestone`` (the activity),
        ``_milestone_column`` and ``_milestone_at`` (the cell's text); the preset reads those
        (``connectors/milestones.py``), and the record's id plus the milestone is the event id.
        """
        return fill_milestone_roles(data)

    @field_validator("identifiers")
    @classmethod
    def _check_identifiers(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, column in value.items():
            check_name(kind, "identifier kind")
            check_header(column, f"identifier column for {kind}")
        return value

    @field_validator("milestones")
    @classmethod
    def _check_milestones(cls, value: dict[str, str]) -> dict[str, str]:
        for column, activity in value.items():
            check_header(column, "milestone column")
            if not activity.strip():
                raise ValueError(f"milestone column {column!r} names no activity")
        return value

    @field_validator("attributes")
    @classmethod
    def _check_attributes(cls, value: dict[str, str]) -> dict[str, str]:
        for name, column in value.items():
            check_name(name, "attribute name")
            check_header(column, f"attribute column for {name}")
        return value

    @model_validator(mode="after")
    def _check_columns(self) -> ConnectorPreset:
        check_name(self.name, "preset name")
        event_id = [c for c in self.event_id if c != "@row"]
        for column in (*event_id, *self.required):
            check_header(column)
        for optional_column in (self.sequence, self.account, self.records):
            if optional_column is not None:
                check_header(optional_column)
        if self.records is not None and self.format != "json":
            raise ValueError("records (the path to the array of records) needs format: json")
        return self

    def required_columns(self) -> list[str]:
        """Columns a file of this preset must have (top-level keys for jsonl are not checked)."""
        event_id = [c for c in self.event_id if c != "@row"]
        offset = [self.timestamp.offset_ms_column] if self.timestamp.offset_ms_column else []
        columns = [
            self.timestamp.column,
            *offset,
            *event_id,
            *self.required,
            *self.activity.columns,
        ]
        return list(dict.fromkeys(columns))


MILESTONE = "_milestone"
MILESTONE_COLUMN = "_milestone_column"
MILESTONE_AT = "_milestone_at"


def fill_milestone_roles(data: object) -> object:
    """A milestone preset's raw mapping with its timestamp column, activity and event id filled.

    Example:
        >>> fill_milestone_roles({"milestones": {"Won": "won"}, "timestamp": {"format": "%Y-%m-%d"},
        ...                       "event_id": ["Id"]})["event_id"]
        ['Id', '_milestone']
    """
    if not isinstance(data, dict) or not data.get("milestones"):
        return data
    data = dict(data)
    ts = data.get("timestamp") or {}
    ts = dict(ts.model_dump() if isinstance(ts, BaseModel) else ts)
    if ts.get("column", MILESTONE_AT) != MILESTONE_AT:
        raise ValueError(
            "a milestone preset's timestamp names no column (each milestone column is one): "
            "remove timestamp.column"
        )
    activity = data.get("activity")
    activity = activity.model_dump() if isinstance(activity, BaseModel) else activity
    if activity is not None and (
        not isinstance(activity, dict)
        or {k: v for k, v in activity.items() if v is not None} != {"column": MILESTONE}
    ):
        raise ValueError("a milestone preset has no activity: each milestone names its own")
    if ts.get("offset_ms_column") is not None:
        raise ValueError("a milestone preset cannot add timestamp.offset_ms_column")
    data["timestamp"] = {**ts, "column": MILESTONE_AT}
    data["activity"] = {"column": MILESTONE}
    event_id = list(data.get("event_id") or [])
    if event_id and MILESTONE not in event_id:
        data["event_id"] = [*event_id, MILESTONE]
    return data


class TimestampOverride(_Strict):
    """A source's changes to its preset's timestamp: any of column, format, time zone, offset."""

    column: str | None = None
    format: str | None = None
    timezone: str | None = None
    offset_ms_column: str | None = None
    dst: Literal["quarantine", "earliest", "latest"] | None = None

    _check_columns = field_validator("column", "offset_ms_column")(
        lambda v: v if v is None else check_header(v, "timestamp column")
    )


def load_preset(name_or_path: str, base_dir: Path | None = None) -> ConnectorPreset:
    """Load a connector preset by name (shipped in ``connectors/``) or by file path.

    A relative file path resolves against ``base_dir`` (the pipeline file's folder), or the
    working directory when none is given.

    Example:
        >>> load_preset("segment_events").format
        'jsonl'
    """
    path = Path(name_or_path).expanduser()
    if path.suffix in (".yaml", ".yml") and not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    if path.suffix not in (".yaml", ".yml"):
        path = resource_dir("connectors") / f"{name_or_path}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in resource_dir("connectors").glob("*.yaml"))
            close = difflib.get_close_matches(name_or_path, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"unknown connector preset {name_or_path!r}. Fix: {hint}use one of {known}, "
                "or a preset file (a path ending in .yaml)."
            )
    data = _read_yaml(path, "connector preset")
    try:
        return ConnectorPreset.model_validate(data)
    except ValidationError as err:
        raise _explain(err, str(path), ConnectorPreset) from None
