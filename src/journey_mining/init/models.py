"""The records of what ``init`` saw in a folder of exports and what it wrote.

Every guess carries ``evidence``: one line saying what it saw, which ``init`` also writes as
a YAML comment beside the guess.

Example:
    >>> TimestampGuess(column="at", format="iso", evidence="2 of 2 values ISO 8601").format
    'iso'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Kind = Literal["email", "phone", "user_id", "contact_id", "account", "id"]


class TimestampGuess(BaseModel):
    """A column read as the event time: its format, unit, zone and how sure the guess is."""

    column: str
    format: str  # iso | epoch_s | epoch_ms | epoch_us | a strptime pattern
    unit: str | None = None  # s | ms | us for epoch numbers
    offsets: list[str] = []  # offsets seen in the values (+01:00, Z, …)
    naive: bool = True  # some values carry no offset: they take ``timezone``
    timezone: str = "UTC"
    day_first: bool | None = None  # numeric day/month dates: which comes first
    ambiguous: bool = False  # every day ≤ 12: the values cannot tell day-first from month-first
    parsed: int = 0
    values: int = 0
    unparsed_examples: list[str] = []
    evidence: str = ""
    dst_gap: list[str] = []  # sampled local times that do not exist in ``timezone``
    dst_overlap: list[str] = []  # sampled local times that happen twice in ``timezone``


class IdentifierGuess(BaseModel):
    """A column holding identifiers of one kind (email, phone, a user or contact id, …)."""

    column: str
    category: Kind
    kind: str  # the identifier kind name in the pipeline (shared across sources)
    distinct: int = 0
    evidence: str = ""


class ColumnGuess(BaseModel):
    """A column with a role that is not an identifier (activity, resource, rating, channel)."""

    column: str
    evidence: str = ""
    values: list[tuple[str, int]] = []  # most frequent values with their counts


class SourceGuess(BaseModel):
    """One source: the files of one export, how to read them and the roles of their columns."""

    name: str
    system: str
    glob: str
    files: list[str]
    format: str  # csv | jsonl | json | parquet | xes
    compressed: bool = False
    delimiter: str = ","
    quote: str = '"'
    encoding: str = "utf-8"
    header: bool = True
    records_path: str | None = None  # JSON documents: where the records are ("" = top array)
    rows_sampled: int = 0
    columns: list[str] = []
    preset: str | None = None  # a shipped preset recognised by the file's columns
    preset_evidence: str = ""
    preset_alternatives: list[str] = []
    event_id: list[str] = []
    event_id_evidence: str = ""
    sequence: str | None = None
    timestamp: TimestampGuess | None = None
    timestamp_alternatives: list[str] = []
    milestones: list[TimestampGuess] = []  # wide export: one date column per milestone
    identifiers: list[IdentifierGuess] = []
    account: ColumnGuess | None = None
    activity: ColumnGuess | None = None
    activity_template: str | None = None  # field history exports: "{Field}:{NewValue}"
    events_where: tuple[str, str] | None = None
    activity_alternatives: list[ColumnGuess] = []
    activities: list[str] = []  # every activity value seen (what the mapping lists)
    channel: ColumnGuess | None = None
    resource: ColumnGuess | None = None
    rating: ColumnGuess | None = None
    needs_loader: list[str] = []  # loader features this source's preset needs (none at present)
    notes: list[str] = []
    preset_file: str | None = None  # the preset written for it (when none was recognised)


class SkippedFile(BaseModel):
    """A file in the folder that is not an event export, and why."""

    path: str
    reason: str


class InitResult(BaseModel):
    """What ``init`` detected in a folder of exports and the files it wrote."""

    exports_dir: str
    pipeline_file: str
    written: list[str]
    sources: list[SourceGuess]
    skipped: list[SkippedFile]
    link_on: list[str]
    link_evidence: dict[str, str]
    needs_loader: list[str]  # "<source>: <feature>" needing a loader feature to come (none now)
    warnings: list[str]
    notes: list[str] = []  # what joined identifier columns of different sources into one kind
    phone_region: str | None = None  # region of national phone numbers (from +CC numbers seen)
    phone_evidence: str = ""
    attribute_kinds: list[str] = []  # kinds kept on the customer (identity.attributes), not links
    attribute_evidence: dict[str, str] = {}  # kind -> what was seen (values spanning e-mails)
