"""Pipelines: presets resolved once with the source's overrides, zones checked, one path rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from journey_mining.config import load_pipeline
from journey_mining.errors import ConfigError, MissingColumn, SourceError
from journey_mining.pipeline import run_pipeline
from tests.conftest import TinyProject, write

# Salesforce LeadHistory as Data Loader exports it: upper-case API names.
DATA_LOADER_LEADS = """
ID,ISDELETED,LEADID,CREATEDBYID,CREATEDDATE,FIELD,DATATYPE,OLDVALUE,NEWVALUE
h1,false,L1,U1,31/01/2025 14:05,Status,Picklist,Open,Working
h2,false,L1,U1,01/02/2025 09:30,Owner,EntityId,U1,U2
h3,false,L1,U2,03/02/2025 16:45,Status,Picklist,Working,Converted
"""
UPPER_CASE = {
    "Id": "ID",
    "LeadId": "LEADID",
    "CreatedDate": "CREATEDDATE",
    "CreatedById": "CREATEDBYID",
    "Field": "FIELD",
    "NewValue": "NEWVALUE",
}


def _leads(tiny: TinyProject, **source: object) -> Path:
    tiny.file("LeadHistory.csv", DATA_LOADER_LEADS)
    return tiny.pipeline(
        {
            "sources": [
                {
                    "name": "leads",
                    "preset": "salesforce_lead_history",
                    "path": "LeadHistory.csv",
                    **source,
                }
            ],
            "identity": {"link_on": ["salesforce_lead_id"]},
        }
    )


def test_columns_and_timestamp_overrides_read_a_differently_named_export(
    tiny: TinyProject,
) -> None:
    _leads(
        tiny,
        columns=UPPER_CASE,
        timestamp={"format": "%d/%m/%Y %H:%M", "timezone": "Europe/London"},
    )
    pipeline = load_pipeline(tiny.pipeline_file)
    preset = pipeline.preset("leads")
    assert (preset.event_id, preset.identifiers, preset.activity.template) == (
        ("ID",),
        {"salesforce_lead_id": "LEADID"},
        "{FIELD}:{NEWVALUE}",
    )
    assert (preset.events_where.column if preset.events_where else None) == "FIELD"
    tiny.run()
    assert tiny.rows(
        "SELECT activity, strftime(ts, '%Y-%m-%d %H:%M'), source_row "
        "FROM mining.journey_events ORDER BY ordinal"
    ) == [("Status:Working", "2025-01-31 14:05", 1), ("Status:Converted", "2025-02-03 16:45", 3)]
    assert tiny.rows("SELECT resource FROM staging.stg_leads ORDER BY row_no") == [
        ("U1",),
        ("U1",),
        ("U2",),
    ]


def test_without_the_override_the_missing_column_error_says_how_to_map_it(
    tiny: TinyProject,
) -> None:
    _leads(tiny)
    with pytest.raises(MissingColumn) as caught:
        tiny.run()
    message = str(caught.value)
    assert "LeadHistory.csv: required column 'CreatedDate' is missing (preset " in message
    assert "columns: {'CreatedDate': '<its name>'}" in message


def test_a_role_can_be_mapped_to_a_column(tiny: TinyProject) -> None:
    tiny.file(
        "contacts.csv",
        """
        Record ID,E-mail Address,Created,Company Name
        101,Ann@Acme.com,2025-01-02 09:00:00,Acme
        """,
    )
    tiny.pipeline(
        {
            "sources": [
                {
                    "name": "crm",
                    "preset": "hubspot_contacts",
                    "path": "contacts.csv",
                    "columns": {"email": "E-mail Address", "timestamp": "Created"},
                }
            ],
            "identity": {"link_on": ["email", "crm_contact_id"]},
        }
    )
    tiny.run()
    assert tiny.rows("SELECT kind, value FROM mining.identity_map ORDER BY kind") == [
        ("crm_contact_id", "101"),
        ("email", "ann@acme.com"),
    ]


def test_an_unknown_columns_key_is_an_error_with_the_closest_name(tiny: TinyProject) -> None:
    _leads(tiny, columns={"LeadID": "LEADID"})
    with pytest.raises(ConfigError) as caught:
        load_pipeline(tiny.pipeline_file)
    message = str(caught.value)
    assert message.startswith(f"{tiny.pipeline_file}: source 'leads': columns: key 'LeadID'")
    assert "did you mean 'LeadId'?" in message


def test_an_unknown_time_zone_fails_at_load_naming_the_source_and_the_fix(
    tiny: TinyProject,
) -> None:
    _leads(tiny, timezone="Europe/Amsterdm")
    with pytest.raises(ConfigError) as caught:
        load_pipeline(tiny.pipeline_file)
    assert str(caught.value) == (
        f"{tiny.pipeline_file}: source 'leads' (preset 'salesforce_lead_history'): time zone "
        "'Europe/Amsterdm' is not a known IANA time zone (did you mean 'Europe/Amsterdam'?). "
        "Fix: write a name like Europe/Amsterdam, America/New_York or UTC."
    )
    assert not tiny.warehouse.exists()


def test_a_preset_file_is_read_once_when_the_pipeline_loads(tiny: TinyProject) -> None:
    tiny.file("app.jsonl", '{"id": 1, "user": "u1", "at": "2025-01-02T09:00:00Z", "e": "x"}\n')
    preset = {
        "name": "app_events",
        "format": "jsonl",
        "system": "product",
        "event_id": ["id"],
        "timestamp": {"column": "at"},
        "activity": {"column": "e"},
        "identifiers": {"product_user_id": "user"},
    }
    write(tiny.root / "presets" / "app.yaml", yaml.safe_dump(preset))
    tiny.pipeline(
        {
            "sources": [{"name": "app", "preset": "presets/app.yaml", "path": "app.jsonl"}],
            "identity": {"link_on": ["product_user_id"]},
        }
    )
    pipeline = load_pipeline(tiny.pipeline_file)
    (tiny.root / "presets" / "app.yaml").unlink()  # nothing reads it again
    result = run_pipeline(pipeline, data_dir=tiny.exports)
    assert result.rows_loaded == 1


def test_relative_paths_resolve_against_the_pipeline_file_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    write(project / "exports" / "log.csv", "case:concept:name,concept:name,time:timestamp\n")
    with (project / "exports" / "log.csv").open("a") as log:
        log.write("c1,a,2025-01-01T00:00:00Z\nc1,b,2025-01-01T01:00:00Z\n")
    write(project / "paths" / "happy.yaml", "name: p\ngoal: b\nsteps: [a, b]\n")
    write(
        project / "pipelines" / "p.yaml",
        """
        name: p
        data_dir: ../exports
        warehouse: ../out/w.duckdb
        outputs_dir: ../out/models
        happy_path: ../paths/happy.yaml
        sources:
          - name: log
            preset: {name: log, format: csv, system: log, event_id: ["@row"],
                     timestamp: {column: "time:timestamp"}, activity: {column: "concept:name"},
                     identifiers: {case_id: "case:concept:name"}}
            path: log.csv
        identity: {link_on: [case_id]}
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_pipeline(load_pipeline(project / "pipelines" / "p.yaml"))
    assert result.journeys == 1
    assert Path(result.warehouse) == project / "out" / "w.duckdb"
    assert (project / "out" / "models" / "discovered_model.bpmn").is_file()
    assert os.listdir(elsewhere) == []


def test_missing_files_are_named_by_their_absolute_path(
    tiny: TinyProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tiny.root)
    with pytest.raises(ConfigError, match=f"pipeline file '{tiny.root}/nope.yaml' does not"):
        load_pipeline("nope.yaml")
    tiny.pipeline(
        {
            "sources": [{"name": "app", "preset": "presets/missing.yaml", "path": "a.jsonl"}],
            "identity": {"link_on": ["product_user_id"]},
        }
    )
    with pytest.raises(ConfigError, match=f"'{tiny.root}/presets/missing.yaml' does not exist"):
        load_pipeline("pipeline.yaml")
    _leads(tiny, path="nowhere/*.csv")
    pipeline = load_pipeline("pipeline.yaml")
    with pytest.raises(SourceError, match=f"no file matches '{tiny.root}/exports/nowhere/"):
        run_pipeline(pipeline, data_dir=Path("exports"))
