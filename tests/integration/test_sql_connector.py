"""The SQL source against real PostgreSQL and MariaDB: incremental, transactional, streamed.

Each test builds its own small CRM schema (companies, contacts, deals, deal_stage_history)
under a unique name and drops it at the end. A server that does not answer within 3 s makes
its tests skip; everything else must pass.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pydantic
import pytest
import sqlalchemy as sa
import yaml

from journey_mining.config import (
    ConnectorPreset,
    SourceConfig,
    SqlSourceConfig,
    load_pipeline,
)
from journey_mining.connectors.compile import compile_source
from journey_mining.connectors.protocol import LoadContext, SourceLoad
from journey_mining.connectors.sql import load_sql_source
from journey_mining.errors import ConfigError, InvalidIdentifier, MissingColumn, SourceError
from journey_mining.warehouse import connect

SERVERS = {
    "postgres": [
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://root@127.0.0.1:5432/test",
    ],
    "mariadb": ["mysql+pymysql://root@127.0.0.1:3306/test"],
}
URL_ENV = "JM_TEST_SQL_URL"
SOURCE = "deal_stages"
DEAL_STAGES = ConnectorPreset.model_validate(
    {
        "name": "crm_deal_stage_history",
        "format": "sql",
        "system": "crm",
        "event_id": ["id"],
        "timestamp": {"column": "changed_at"},
        "activity": {"column": "stage"},
        "identifiers": {"crm_contact_id": "contact_id"},
        "required": ["deal_id"],
    }
)
T0 = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)


def _answering_url(kind: str) -> str | None:
    for url in SERVERS[kind]:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return url
        except sa.exc.SQLAlchemyError:
            continue
        finally:
            engine.dispose()
    return None


_URLS: dict[str, str | None] = {}


def server_url(kind: str) -> str:
    """The URL of a running server of ``kind``; the test skips when none answers in 3 s."""
    if kind not in _URLS:
        _URLS[kind] = _answering_url(kind)
    url = _URLS[kind]
    if url is None:
        pytest.skip(f"no {kind} server answers on 127.0.0.1 within 3 s ({SERVERS[kind][0]})")
    return url


class Crm:
    """A CRM schema of its own in a real database, plus a warehouse to load it into."""

    def __init__(self, kind: str, url: str, warehouse: Path) -> None:
        self.kind = kind
        self.url = url
        self.schema = f"crm_{uuid.uuid4().hex[:10]}"
        self.engine = sa.create_engine(url)
        self.warehouse = warehouse
        self.con = connect(warehouse)
        self.runs = 0

    def create(self) -> None:
        """The CRM tables, with two companies, contacts and deals; no stage history yet."""
        pg = self.kind == "postgres"
        text = "text" if pg else "varchar(100)"
        ts = "timestamptz" if pg else "datetime(6)"
        s = self.schema
        self.execute(f"CREATE {'SCHEMA' if pg else 'DATABASE'} {s}")
        for ddl in (
            f"CREATE TABLE {s}.companies (id integer PRIMARY KEY, name {text} NOT NULL, "
            f"domain {text}, updated_at {ts} NOT NULL)",
            f"CREATE TABLE {s}.contacts (id integer PRIMARY KEY, company_id integer, "
            f"email {text}, updated_at {ts} NOT NULL)",
            f"CREATE TABLE {s}.deals (id integer PRIMARY KEY, company_id integer, contact_id "
            f"integer, name {text}, amount decimal(12,2), updated_at {ts} NOT NULL)",
            f"CREATE TABLE {s}.deal_stage_history (id integer PRIMARY KEY, deal_id integer, "
            f"contact_id integer, stage {text}, changed_at {ts} NULL, updated_at {ts} NOT NULL)",
        ):
            self.execute(ddl)
        for table, rows in (
            ("companies", "(1, 'Acme', 'acme.com', :t), (2, 'Beta', 'beta.io', :t)"),
            ("contacts", "(11, 1, 'ann@acme.com', :t), (12, 2, 'bob@beta.io', :t)"),
            (
                "deals",
                "(101, 1, 11, 'Acme renewal', 1200.50, :t), (102, 2, 12, 'Beta pilot', 300, :t)",
            ),
        ):
            self.execute(f"INSERT INTO {s}.{table} VALUES {rows}", t=self.ts(T0))

    def ts(self, value: datetime) -> datetime:
        """A timestamp as this database stores it (MariaDB's datetime is naive)."""
        return value if self.kind == "postgres" else value.replace(tzinfo=None)

    def text(self, value: datetime) -> str:
        """The text a timestamp of this database lands as in the raw table."""
        return self.ts(value).isoformat()

    def execute(self, statement: str, **params: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.text(statement), params)

    def add_history(self, first_id: int, n: int, *, hours: int = 0, stage: str = "") -> None:
        """Stage changes ``first_id``..``first_id + n - 1``: deal 101/102 in turn, hourly."""
        rows = [
            {
                "id": i,
                "deal": 101 + i % 2,
                "contact": 11 + i % 2,
                "stage": stage or ("qualified", "proposal", "won")[i % 3],
                "at": self.ts(T0 + timedelta(hours=i)),
                "upd": self.ts(T0 + timedelta(hours=hours + i)),
            }
            for i in range(first_id, first_id + n)
        ]
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(
                    f"INSERT INTO {self.schema}.deal_stage_history "
                    "VALUES (:id, :deal, :contact, :stage, :at, :upd)"
                ),
                rows,
            )

    def source(self, **sql: Any) -> SourceConfig:
        spec = {"url_env": URL_ENV, "table": "deal_stage_history", "schema": self.schema}
        spec.update(sql)
        spec = {k: v for k, v in spec.items() if v is not None}
        return SourceConfig.model_validate({"name": SOURCE, "preset": DEAL_STAGES, "sql": spec})

    def load(self, source: SourceConfig | None = None, **kwargs: Any) -> SourceLoad:
        """Load ``source`` (the history by id) as run ``r<n>``; kwargs go to the context."""
        self.runs += 1
        source = source or self.source(cursor="id")
        preset = source.preset if isinstance(source.preset, ConnectorPreset) else DEAL_STAGES
        return load_sql_source(
            LoadContext(
                con=self.con,
                source=source,
                preset=preset,
                compiled=compile_source(source.name, preset, source.timezone),
                run_id=f"r{self.runs}",
                **kwargs,
            )
        )

    def origin(self, run: int, table: str = "deal_stage_history") -> str:
        return f"sql:{self.schema}.{table}@r{run}"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def state(self) -> tuple[list[tuple[Any, ...]], ...]:
        """Everything a load writes: raw rows, quarantine rows, the cursor."""
        return (
            self.rows("SELECT * FROM raw.deal_stages ORDER BY ALL"),
            self.rows("SELECT * FROM mining.quarantine ORDER BY ALL"),
            self.rows("SELECT * EXCLUDE (updated_at) FROM meta.source_cursors ORDER BY ALL"),
        )

    def close(self) -> None:
        self.con.close()
        self.execute(
            f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"
            if self.kind == "postgres"
            else f"DROP DATABASE IF EXISTS {self.schema}"
        )
        self.engine.dispose()


def _crm(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Crm]:
    url = server_url(kind)
    monkeypatch.setenv(URL_ENV, url)
    crm = Crm(kind, url, tmp_path / "warehouse.duckdb")
    try:
        crm.create()
        yield crm
    finally:
        crm.close()


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "mariadb"])
def crm(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Crm]:
    """The CRM schema on each server in turn."""
    yield from _crm(request.param, tmp_path, monkeypatch)


@pytest.fixture
def pg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Crm]:
    """The CRM schema on PostgreSQL."""
    yield from _crm("postgres", tmp_path, monkeypatch)


# --- incremental loading --------------------------------------------------------------------


def test_first_load_reads_every_row(crm: Crm) -> None:
    crm.add_history(1, 5)
    load = crm.load()
    assert [f.model_dump() for f in load.files] == [
        {
            "path": crm.origin(1),
            "status": "loaded",
            "rows_read": 5,
            "rows_loaded": 5,
            "rows_quarantined": 0,
        }
    ]
    assert crm.rows(
        "SELECT id, deal_id, contact_id, stage, changed_at, _file, _row, _load_id "
        "FROM raw.deal_stages ORDER BY _row"
    ) == [
        (
            str(i),
            str(101 + i % 2),
            str(11 + i % 2),
            ("qualified", "proposal", "won")[i % 3],
            crm.text(T0 + timedelta(hours=i)),
            crm.origin(1),
            i,
            f"r1:{SOURCE}",
        )
        for i in range(1, 6)
    ]


def test_second_load_reads_only_the_new_rows(crm: Crm) -> None:
    crm.add_history(1, 5)
    crm.load()
    crm.add_history(6, 3)
    load = crm.load()
    assert (load.files[0].path, load.rows_read, load.rows_loaded) == (crm.origin(2), 3, 3)
    assert crm.rows(
        "SELECT _file, count(*), min(id::INT), max(id::INT), min(_row), max(_row) "
        "FROM raw.deal_stages GROUP BY _file ORDER BY _file"
    ) == [(crm.origin(1), 5, 1, 5, 1, 5), (crm.origin(2), 3, 6, 8, 1, 3)]


def test_stored_cursor_is_the_highest_id_loaded(crm: Crm) -> None:
    crm.add_history(1, 5)
    crm.load()
    crm.add_history(6, 3)
    crm.load()
    assert crm.rows(
        "SELECT source, cursor_column, last_value, value_type FROM meta.source_cursors"
    ) == [(SOURCE, "id", "8", "integer")]


def test_load_without_new_rows_is_skipped_and_keeps_the_cursor(crm: Crm) -> None:
    crm.add_history(1, 5)
    crm.load()
    before = crm.state()
    load = crm.load()
    assert [(f.path, f.status, f.rows_read) for f in load.files] == [(crm.origin(2), "skipped", 0)]
    assert crm.state() == before


def test_timestamp_cursor_is_stored_with_its_type_and_compared_as_a_time(crm: Crm) -> None:
    crm.add_history(1, 4)  # updated_at = T0 + 1..4 h
    source = crm.source(cursor="updated_at")
    crm.load(source)
    # Row 2 is edited (updated_at moves past the stored cursor) and row 5 is new.
    crm.execute(
        f"UPDATE {crm.schema}.deal_stage_history SET stage = 'lost', updated_at = :t WHERE id = 2",
        t=crm.ts(T0 + timedelta(hours=10)),
    )
    crm.add_history(5, 1)
    load = crm.load(source)
    assert load.rows_read == 2
    assert crm.rows(
        f"SELECT id, stage, _row FROM raw.deal_stages WHERE _file = '{crm.origin(2)}' ORDER BY _row"
    ) == [("5", "won", 1), ("2", "lost", 2)]
    expected_type = "timestamptz" if crm.kind == "postgres" else "timestamp"
    assert crm.rows("SELECT cursor_column, last_value, value_type FROM meta.source_cursors") == [
        ("updated_at", crm.text(T0 + timedelta(hours=10)), expected_type)
    ]


def test_query_is_wrapped_and_filtered_by_the_cursor(crm: Crm) -> None:
    s = crm.schema
    query = (
        f"SELECT h.id, h.deal_id, h.contact_id, h.stage, h.changed_at, d.name AS deal_name, "
        f"d.amount FROM {s}.deal_stage_history h JOIN {s}.deals d ON d.id = h.deal_id;"
    )
    source = crm.source(table=None, schema=None, query=query, cursor="id")
    crm.add_history(1, 2)
    crm.load(source)
    crm.add_history(3, 1)
    load = crm.load(source)
    assert load.files[0].path == "sql:query@r2"
    assert crm.rows("SELECT _file, id, deal_name, amount FROM raw.deal_stages ORDER BY id") == [
        ("sql:query@r1", "1", "Beta pilot", "300.00"),
        ("sql:query@r1", "2", "Acme renewal", "1200.50"),
        ("sql:query@r2", "3", "Beta pilot", "300.00"),
    ]


def test_without_cursor_each_load_replaces_the_earlier_rows(crm: Crm) -> None:
    source = crm.source()
    crm.add_history(1, 3)
    crm.execute(f"UPDATE {crm.schema}.deal_stage_history SET changed_at = NULL WHERE id = 3")
    crm.load(source)
    crm.add_history(4, 2)
    load = crm.load(source)
    assert [
        (f.path, f.status, f.rows_read, f.rows_loaded, f.rows_quarantined) for f in load.files
    ] == [(crm.origin(2), "reloaded", 5, 4, 1)]
    assert crm.rows("SELECT _file, count(*) FROM raw.deal_stages GROUP BY ALL") == [
        (crm.origin(2), 4)
    ]
    assert crm.rows("SELECT file, row_no FROM mining.quarantine") == [(crm.origin(2), 3)]
    assert crm.rows("SELECT count(*) FROM meta.source_cursors") == [(0,)]


def test_changing_the_cursor_column_reads_in_full_again(crm: Crm) -> None:
    crm.add_history(1, 3)
    crm.load(crm.source(cursor="id"))
    load = crm.load(crm.source(cursor="updated_at"))
    assert [(f.status, f.rows_read) for f in load.files] == [("reloaded", 3)]
    assert crm.rows("SELECT _file, count(*) FROM raw.deal_stages GROUP BY ALL") == [
        (crm.origin(2), 3)
    ]
    assert crm.rows("SELECT cursor_column, last_value FROM meta.source_cursors") == [
        ("updated_at", crm.text(T0 + timedelta(hours=3)))
    ]


# --- quarantine and transactions ------------------------------------------------------------


def test_row_with_null_timestamp_goes_to_quarantine_with_its_reason(crm: Crm) -> None:
    crm.add_history(1, 3)
    crm.execute(f"UPDATE {crm.schema}.deal_stage_history SET changed_at = NULL WHERE id = 2")
    load = crm.load()
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (3, 2, 1)
    rows = crm.rows(
        "SELECT source, file, row_no, reason, raw_row, load_id, run_id FROM mining.quarantine"
    )
    assert [r[:4] + r[5:] for r in rows] == [
        (SOURCE, crm.origin(1), 2, "missing timestamp 'changed_at'", f"r1:{SOURCE}", "r1")
    ]
    assert yaml.safe_load(rows[0][4]) == {
        "id": "2",
        "deal_id": "101",
        "contact_id": "11",
        "stage": "won",
        "changed_at": None,
        "updated_at": crm.text(T0 + timedelta(hours=2)),
    }
    # The cursor covers the quarantined row: the next load does not read it again.
    assert crm.load().files[0].status == "skipped"
    assert crm.rows("SELECT count(*) FROM mining.quarantine") == [(1,)]


def test_missing_required_column_stops_the_load_and_changes_nothing(crm: Crm) -> None:
    crm.add_history(1, 3)
    crm.load()
    before = crm.state()
    crm.add_history(4, 2)
    query = f"SELECT id, contact_id, stage, changed_at FROM {crm.schema}.deal_stage_history"
    with pytest.raises(MissingColumn, match="required column 'deal_id' is missing"):
        crm.load(crm.source(table=None, schema=None, query=query, cursor="id"))
    assert crm.state() == before


@pytest.mark.postgres
def test_error_in_a_later_batch_rolls_back_the_earlier_batches(pg: Crm) -> None:
    pg.add_history(1, 5)
    pg.load()
    before = pg.state()
    pg.add_history(6, 45)  # ids 6..50; the query divides by zero at id 40, in the 5th batch
    query = f"SELECT *, 1 / (id - 40) AS boom FROM {pg.schema}.deal_stage_history"
    batches: list[int] = []
    with pytest.raises(SourceError, match="division by zero") as caught:
        pg.load(
            pg.source(table=None, schema=None, query=query, cursor="id", batch_size=7),
            on_rows=batches.append,
        )
    assert batches == [7, 14, 21, 28]  # four batches had been stored before the failure
    assert "reading from postgresql+psycopg://" in str(caught.value)
    assert pg.state() == before


# --- batching and streaming -----------------------------------------------------------------


def test_batches_keep_numbering_rows_across_the_load(crm: Crm) -> None:
    crm.add_history(1, 50)
    batches: list[int] = []
    load = crm.load(crm.source(cursor="id", batch_size=7), on_rows=batches.append)
    assert (load.rows_read, load.rows_loaded) == (50, 50)
    assert batches == [7, 14, 21, 28, 35, 42, 49, 50]
    assert crm.rows(
        "SELECT list(_row ORDER BY _row), list(id::INT ORDER BY _row) FROM raw.deal_stages"
    ) == [(list(range(1, 51)), list(range(1, 51)))]


@pytest.mark.postgres
def test_rows_are_fetched_through_a_server_side_cursor(
    pg: Crm, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg.add_history(1, 20)
    app = f"jm_{pg.schema}"  # names the loader's session in pg_stat_activity
    monkeypatch.setenv(URL_ENV, f"{pg.url}?application_name={app}")
    seen: list[str] = []
    watcher = sa.create_engine(pg.url)

    def look(_rows: int) -> None:
        with watcher.connect() as connection:
            found = connection.execute(
                sa.text("SELECT state, query FROM pg_stat_activity WHERE application_name = :app"),
                {"app": app},
            )
            seen.extend(f"{state}: {query}" for state, query in found)

    try:
        pg.load(pg.source(cursor="id", batch_size=5), on_rows=look)
    finally:
        watcher.dispose()
    # Between batches the loader's session waits in its transaction, fetching from a cursor.
    assert len(seen) == 4, seen
    assert all(q.startswith("idle in transaction: FETCH FORWARD") for q in seen), seen


# --- values ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_database_types_land_as_plain_text(pg: Crm) -> None:
    pg.execute(
        f"CREATE TABLE {pg.schema}.typed (id bigint, deal_id int, contact_id int, stage text, "
        "changed_at timestamptz, local_at timestamp, day date, amount numeric(10,3), "
        "ratio double precision, won boolean, tags jsonb, ref uuid, empty text)"
    )
    pg.execute(
        f"INSERT INTO {pg.schema}.typed VALUES (1, 101, 11, 'won', "
        "'2025-03-30 01:30:00+02', '2025-03-30 01:30:00', '2025-03-30', 12.5, 0.25, true, "
        "'{\"a\": [1, \"x\"]}', '00000000-0000-0000-0000-00000000002a', NULL)"
    )
    pg.load(pg.source(table="typed", cursor="id"))
    assert pg.rows(
        "SELECT changed_at, local_at, day, amount, ratio, won, tags, ref, empty FROM raw.deal_stages"
    ) == [
        (
            "2025-03-29T23:30:00+00:00",
            "2025-03-30T01:30:00",
            "2025-03-30",
            "12.500",
            "0.25",
            "true",
            '{"a": [1, "x"]}',
            "00000000-0000-0000-0000-00000000002a",
            None,
        )
    ]


# --- credentials ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_password_never_appears_in_the_error(pg: Crm, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "Sup3r-Secret-pw"
    monkeypatch.setenv(
        URL_ENV, f"postgresql://postgres:{secret}@127.0.0.1:5432/nope_{uuid.uuid4().hex[:8]}"
    )
    with pytest.raises(SourceError) as caught:
        pg.load()
    message = str(caught.value)
    assert "connecting to postgresql+psycopg://postgres:***@127.0.0.1:5432/nope_" in message
    assert "does not exist" in message
    printed = "".join(traceback.format_exception(caught.value))
    assert secret not in message and secret not in printed and secret not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_password_is_masked_when_mariadb_refuses(crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "An0ther-Secret"
    bad = sa.engine.make_url(crm.url).set(password=secret, database=f"nope_{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv(URL_ENV, bad.render_as_string(hide_password=False))
    with pytest.raises(SourceError) as caught:
        crm.load()
    assert secret not in "".join(traceback.format_exception(caught.value))
    assert ":***@127.0.0.1" in str(caught.value)


def test_missing_environment_variable_is_named(crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV)
    with pytest.raises(
        SourceError, match=rf"environment variable '{URL_ENV}' \(url_env\) is not set"
    ):
        crm.load()


def test_url_from_a_file_relative_to_the_base_dir(crm: Crm, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "crm.url").write_text(crm.url + "\nthe second line is ignored\n", encoding="utf-8")
    crm.add_history(1, 4)
    source = crm.source(url_env=None, url_file="secrets/crm.url", cursor="id")
    load = crm.load(source, base_dir=tmp_path)
    assert load.rows_loaded == 4


def test_missing_url_file_is_named(crm: Crm, tmp_path: Path) -> None:
    source = crm.source(url_env=None, url_file=str(tmp_path / "absent.url"), cursor="id")
    with pytest.raises(SourceError, match=r"absent.url' \(url_file\)"):
        crm.load(source)


def test_text_that_is_not_a_url_is_refused_without_quoting_it(
    crm: Crm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, "not a url with hunter2 inside")
    with pytest.raises(SourceError, match="is not a SQLAlchemy URL") as caught:
        crm.load()
    assert "hunter2" not in str(caught.value)


# --- names from config ----------------------------------------------------------------------


def test_unsafe_table_names_are_refused_by_the_config() -> None:
    with pytest.raises(pydantic.ValidationError, match="is not a usable column name"):
        SqlSourceConfig.model_validate({"url_env": URL_ENV, "table": 'deals"; DROP TABLE x; --'})


def test_unsafe_names_are_refused_in_a_pipeline_file(tmp_path: Path) -> None:
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text(
        yaml.safe_dump(
            {
                "name": "crm",
                "sources": [
                    {
                        "name": SOURCE,
                        "preset": DEAL_STAGES.model_dump(mode="json", exclude_defaults=True),
                        "sql": {"url_env": URL_ENV, "table": "deals", "cursor": "id' OR '1'='1"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="is not a usable column name"):
        load_pipeline(pipeline)


def test_unsafe_names_are_refused_before_connecting(tmp_path: Path) -> None:
    # A config built without validation still cannot put the name into SQL.
    sql = SqlSourceConfig.model_construct(
        url_env="NOT_SET_ANYWHERE", table="deals`; DROP DATABASE test; --\\", batch_size=10
    )
    source = SourceConfig.model_construct(name=SOURCE, preset=DEAL_STAGES, sql=sql)
    con = connect(tmp_path / "w.duckdb")
    with pytest.raises(InvalidIdentifier, match="is not a usable column name"):
        load_sql_source(
            LoadContext(con, source, DEAL_STAGES, compile_source(SOURCE, DEAL_STAGES, None), "r1")
        )
    con.close()


@pytest.mark.postgres
def test_odd_but_safe_names_are_quoted_by_the_dialect(pg: Crm) -> None:
    pg.execute(
        f'CREATE TABLE {pg.schema}."Deal Stage; History" ("Id" int, deal_id int, contact_id int, '
        'stage text, changed_at timestamptz, "order" int)'
    )
    pg.execute(
        f"INSERT INTO {pg.schema}.\"Deal Stage; History\" VALUES (7, 101, 11, 'won', :t, 1)", t=T0
    )
    load = pg.load(
        SourceConfig.model_validate(
            {
                "name": SOURCE,
                "preset": DEAL_STAGES.model_copy(update={"event_id": ("Id",)}),
                "sql": {
                    "url_env": URL_ENV,
                    "schema": pg.schema,
                    "table": "Deal Stage; History",
                    "cursor": "Id",
                },
            }
        )
    )
    assert load.rows_loaded == 1
    assert pg.rows('SELECT "Id", "order" FROM raw.deal_stages') == [("7", "1")]


# --- through the pipeline -------------------------------------------------------------------


@pytest.mark.postgres
def test_pipeline_loads_the_sql_source_incrementally(pg: Crm, tmp_path: Path) -> None:
    from journey_mining import pipeline as pipeline_module

    pg.add_history(1, 6)
    file = tmp_path / "pipeline.yaml"
    file.write_text(
        yaml.safe_dump(
            {
                "name": "crm",
                "warehouse": str(tmp_path / "pipeline.duckdb"),
                "identity": {"link_on": ["crm_contact_id"]},
                "sources": [
                    {
                        "name": SOURCE,
                        "preset": DEAL_STAGES.model_dump(mode="json", exclude_defaults=True),
                        "sql": {
                            "url_env": URL_ENV,
                            "schema": pg.schema,
                            "table": "deal_stage_history",
                            "cursor": "updated_at",
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    first = pipeline_module.run_pipeline(load_pipeline(file))
    pg.add_history(7, 2)
    # Row 2 is edited after the first load: its newer updated_at brings it in again.
    pg.execute(
        f"UPDATE {pg.schema}.deal_stage_history SET stage = 'lost', updated_at = :t WHERE id = 2",
        t=pg.ts(T0 + timedelta(hours=20)),
    )
    second = pipeline_module.run_pipeline(load_pipeline(file))
    assert (first.rows_loaded, second.rows_loaded) == (6, 3)
    con = duckdb.connect(str(tmp_path / "pipeline.duckdb"), read_only=True)
    try:
        # Both versions of row 2 are kept in raw; the journey has its latest, once.
        assert con.execute(
            "SELECT stage FROM raw.deal_stages WHERE id = '2' ORDER BY _file"
        ).fetchall() == [("won",), ("lost",)]
        assert con.execute(
            "SELECT source_activity FROM mining.journey_events WHERE event_id = "
            "(SELECT DISTINCT _jm_event_id FROM raw.deal_stages WHERE id = '2')"
        ).fetchall() == [("lost",)]
        assert con.execute("SELECT count(*) FROM mining.journey_events").fetchone() == (8,)
        assert con.execute(
            "SELECT files_loaded, files_skipped, rows_read, rows_loaded FROM mining.run_sources "
            "ORDER BY run_id"
        ).fetchall() == [(1, 0, 6, 6), (1, 0, 3, 3)]
    finally:
        con.close()
