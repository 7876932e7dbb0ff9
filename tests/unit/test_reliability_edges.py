"""The edges a nightly run meets: a file rewritten while read, a renamed identifier column,
hostile config, credentials in URLs, files outside the data folder, odd file names, threads.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import journey_mining as jm
from journey_mining.cli import app
from journey_mining.connectors import files
from journey_mining.errors import WarehouseBusy
from tests.unit.test_run_conventions import CRM, SUPPORT, project, rows

runner = CliRunner()


def test_a_file_rewritten_while_it_is_read_is_loaded_again_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    contacts = tmp_path / "exports" / "contacts.csv"
    full = contacts.read_bytes()
    copy = files.snapshot

    def emptied_while_read(path: Path, target: Path) -> Any:
        if path.name != "contacts.csv":
            return copy(path, target)
        contacts.write_bytes(b"")  # the export job truncates the file as we read it …
        try:
            return copy(path, target)
        finally:
            contacts.write_bytes(full)  # … and writes it again

    monkeypatch.setattr(files, "snapshot", emptied_while_read)
    first = jm.run(pipeline)
    monkeypatch.undo()
    (crm,) = [s for s in first.sources if s.source == "crm"]
    assert (crm.rows_read, crm.files[0].status) == (0, "loaded")
    warehouse = tmp_path / "w.duckdb"
    manifest = "SELECT size_bytes, rows_read FROM meta.loaded_files WHERE path = 'contacts.csv'"
    assert rows(warehouse, manifest) == [(0, 0)]  # what was read, not what is there now
    second = jm.run(pipeline)
    (crm,) = [s for s in second.sources if s.source == "crm"]
    assert (crm.rows_read, crm.rows_loaded, crm.files[0].status) == (3, 3, "reloaded")
    assert rows(warehouse, manifest) == [(len(full), 3)]
    assert rows(warehouse, "SELECT count(*) FROM raw.crm") == [(3,)]


def test_an_identifier_column_gone_from_a_new_export_warns_and_strict_exits_3(
    tmp_path: Path,
) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    assert runner.invoke(app, ["run", str(pipeline), "--quiet"]).exit_code == 0
    crm = {**CRM, "path": "contacts*.csv"}
    project(tmp_path, [crm, SUPPORT])
    (tmp_path / "exports" / "contacts_2.csv").write_text(
        "contact_id,e-mail,created\nc9,dee@acme.com,2025-02-01 09:00:00\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["run", str(pipeline), "--quiet", "--strict"])
    assert result.exit_code == 3, result.output
    assert "contacts_2.csv has no column 'email' (identifier 'email') that earlier exports had" in (
        " ".join(result.output.split())
    )


@pytest.mark.parametrize(
    "text,says",
    [
        ("name: x\nsources: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested more than 64"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "name: *i\nsources: []\n",
            "",
        ),
    ],
    ids=["50000_deep", "billion_laughs"],
)
def test_hostile_yaml_is_one_config_error_at_once(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2 and time.monotonic() - started < 5
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and len(line) < 700 and says in line, line


@pytest.mark.parametrize("zone", ["UTC; x", "Mars/Olympus"])
def test_a_bad_time_zone_in_config_is_a_config_error_naming_it(tmp_path: Path, zone: str) -> None:
    pipeline = project(tmp_path, [{**CRM, "timezone": zone}])
    result = runner.invoke(app, ["run", str(pipeline)])
    assert result.exit_code == 2
    assert f"time zone {zone!r} is not a known IANA time zone" in " ".join(result.output.split())


def test_a_password_in_a_url_query_string_is_masked_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_DB", "postgresql://reader@127.0.0.1:1/test?password=S3cr3tPw")
    sql = {**CRM, "name": "db", "path": None, "sql": {"url_env": "CRM_DB", "table": "contacts"}}
    del sql["path"]
    pipeline = project(tmp_path, [CRM, sql])
    result = runner.invoke(app, ["run", str(pipeline)])
    assert result.exit_code == 1
    assert "S3cr3tPw" not in result.output and "password=***" in result.output
    (error,) = rows(tmp_path / "w.duckdb", "SELECT error FROM mining.runs")[0]
    assert "S3cr3tPw" not in error and "***" in error


def test_files_outside_the_data_folder_are_refused_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    outside = {**SUPPORT, "name": "peek", "path": "../secret.csv"}
    pipeline = project(tmp_path, [CRM, outside])
    result = runner.invoke(app, ["run", str(pipeline)])
    assert result.exit_code == 1
    line = " ".join(result.output.split())
    assert "is outside the data folder" in line and "allow_outside_data_dir: true" in line
    assert "root:x" not in line
    project(tmp_path, [CRM, {**outside, "allow_outside_data_dir": True}])
    allowed = " ".join(runner.invoke(app, ["run", str(pipeline)]).output.split())
    assert "required column 'at' is missing" in allowed and "root:x:0" in allowed


def test_file_names_and_values_print_verbatim_never_as_markup_or_emoji(tmp_path: Path) -> None:
    odd = "[prod] :x: [b] contacts.csv"
    pipeline = project(tmp_path, [{**CRM, "path": "[[]prod] *contacts.csv"}])
    (tmp_path / "exports" / odd).write_text("contact_id,email\nc1,a@b.c\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(pipeline)])
    assert result.exit_code == 1
    assert f"{odd}: required column 'created' is missing" in " ".join(result.output.split())
    assert "❌" not in result.output


def test_threads_get_the_projects_errors_and_readers_work_during_a_run(tmp_path: Path) -> None:
    pipeline = project(tmp_path, [CRM, SUPPORT])
    journeys = jm.run(pipeline).journeys
    outcomes: list[tuple[str, object]] = []

    def run() -> None:
        try:
            outcomes.append(("ran", jm.run(pipeline).journeys))
        except WarehouseBusy as err:
            outcomes.append(("busy", err))
        except Exception as err:  # the point: no raw DuckDB error escapes
            outcomes.append(("raw", f"{type(err).__name__}: {err}"))

    def read() -> None:
        for _ in range(5):
            try:
                outcomes.append(("read", jm.summary(tmp_path / "w.duckdb").journeys))
            except Exception as err:
                outcomes.append(("raw", f"{type(err).__name__}: {err}"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds.count("raw") == 0, outcomes
    assert kinds.count("read") == 10 and kinds.count("ran") + kinds.count("busy") == 2
    assert kinds.count("ran") >= 1
    assert {value for kind, value in outcomes if kind in ("ran", "read")} == {journeys}
    assert not (tmp_path / "w.duckdb.building").exists()


def test_a_preset_can_read_columns_with_any_header(tmp_path: Path) -> None:
    odd = {
        "name": "odd",
        "path": "odd.csv",
        "preset": {
            "name": "odd",
            "format": "csv",
            "system": "odd",
            "event_id": ["@row"],
            "timestamp": {"column": "Created At."},
            "activity": {"column": 'Say "what" [/]'},
            "identifiers": {"email": "Contact's E-mail"},
        },
    }
    pipeline = project(tmp_path, [odd], identity={"link_on": ["email"]})
    (tmp_path / "exports" / "odd.csv").write_text(
        '"Contact\'s E-mail","Created At.","Say ""what"" [/]"\n'
        "a@b.c,2025-01-01T10:00:00Z,called\nd@e.f,2025-01-02T10:00:00Z,emailed\n",
        encoding="utf-8",
    )
    result = jm.run(pipeline)
    assert (result.sources[0].rows_loaded, result.journeys) == (2, 2)
    assert rows(
        tmp_path / "w.duckdb", "SELECT activity FROM mining.journey_events ORDER BY ts"
    ) == [("called",), ("emailed",)]
