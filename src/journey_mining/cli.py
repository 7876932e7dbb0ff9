"""The command line: parse options, call ``journey_mining.api``, render. Nothing else.

Library errors become one line on stderr and an exit code a scheduler can act on
(``ExitCode``, documented in docs/nightly.md): 0 ok, 1 failed, 2 bad usage or config,
3 ran with warnings under ``--strict``, 4 refused because another run holds the warehouse.

Example:
    $ journey-mining demo
    $ journey-mining run pipelines/demo.yaml --data-dir journey-mining-demo/exports
    $ journey-mining summary --warehouse journey-mining-demo/journeys.duckdb --json
    $ journey-mining report -w journey-mining-demo/journeys.duckdb -o report.html
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from journey_mining import api
from journey_mining.checkview import render_check
from journey_mining.errors import (
    ConfigError,
    JourneyMiningError,
    UsageError,
    WarehouseBusy,
    redact,
)
from journey_mining.init.show import render_init
from journey_mining.report.bars import ProgressBars
from journey_mining.report.listings import sources_table, variants_table
from journey_mining.report.terminal import findings_table, render_summary, run_table

app = typer.Typer(
    help="Discover the journeys customers actually take, and compare them with the happy path.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (CI logs, files) gets a width that keeps the tables readable.
# emoji off: ":x:" in a value or a file name is text, never an emoji
console = Console(width=None if sys.stdout.isatty() else 132, emoji=False)
errors = Console(stderr=True, emoji=False)


class ExitCode(IntEnum):
    """What the process's exit status tells a scheduler (cron, systemd, Airflow)."""

    OK = 0  # done; no warning (or warnings without --strict)
    FAILED = 1  # the run (or command) failed: a source unreadable, a crash; see stderr
    USAGE = 2  # bad usage or config: a typo in the pipeline, an unknown option; fix, rerun
    WARNINGS = 3  # ran to the end with warnings, and --strict was given
    BUSY = 4  # refused: another run holds the warehouse; try again later


WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        help=f"The DuckDB warehouse file to read (default: the pipeline's, or ${api.WAREHOUSE_ENV}).",
    ),
]
PipelineOption = Annotated[
    Path | None,
    typer.Option("--pipeline", "-p", help="Read the warehouse this pipeline writes."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
StrictOption = Annotated[
    bool,
    typer.Option("--strict", help="Exit 3 when the run warns (a source that joins no other)."),
]


def _exit_code(err: JourneyMiningError) -> ExitCode:
    if isinstance(err, WarehouseBusy):
        return ExitCode.BUSY
    if isinstance(err, ConfigError | UsageError):
        return ExitCode.USAGE
    return ExitCode.FAILED


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Turn a library error into one clear line and its exit code."""
    try:
        yield
    except JourneyMiningError as err:
        errors.print(f"[red]error:[/] {escape(redact(str(err)))}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=_exit_code(err)) from None


def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM (systemd stop, a scheduler's timeout) ends the run as Ctrl-C does: recorded aborted."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _warehouse(warehouse: Path | None, pipeline: Path | None) -> Path:
    with _clear_errors():
        return api.locate_warehouse(warehouse, pipeline)


def _finish_run(result: api.RunResult, json_output: bool, strict: bool) -> None:
    """Print the JSON record (``--json``), the warnings on stderr; exit 3 on warnings if strict."""
    if json_output:  # one line when written to a file or pipe (JSON lines), indented on a terminal
        indent = 2 if sys.stdout.isatty() else None
        print(api.run_record(result).model_dump_json(indent=indent))
    for warning in result.warnings:
        errors.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if strict and result.warnings:
        errors.print(
            f"[red]--strict:[/] the run finished with {len(result.warnings)} warning(s); "
            f"exit {int(ExitCode.WARNINGS)}.",
            highlight=False,
        )
        raise typer.Exit(code=ExitCode.WARNINGS)


def _print_run(result: api.RunResult) -> None:
    console.print(run_table(result.run_id, result.sources))
    console.print(
        f"{result.journeys:,} journeys, {result.variants:,} variants "
        f"({result.variants_aligned:,} aligned now, {result.variants_from_cache:,} from cache)"
    )
    if result.report:
        console.print(f"Report: {escape(result.report)}", highlight=False)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo exports and warehouse.")] = Path(
        "journey-mining-demo"
    ),
    customers: Annotated[
        int, typer.Option(min=1, help="How many demo customers to generate.")
    ] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 7,
    json_output: JsonOption = False,
    strict: StrictOption = False,
) -> None:
    """Generate the demo company's exports, run the demo pipeline on them, print the summary."""
    with _clear_errors(), _stoppable(), ProgressBars(errors) as bars:
        result = api.demo(out, customers=customers, seed=seed, progress=bars)
    if not json_output:
        _print_run(result)
        with _clear_errors():
            render_summary(api.summary(result.warehouse), console)
        console.print(
            f"\nExports: {result.exports_dir}\nWarehouse: {result.warehouse} (schema mining)\n"
            f"Discovered model: {result.discovered_model} ({result.discovered_with})\n"
            f"Next: journey-mining variants -w {result.warehouse}"
        )
    _finish_run(result, json_output, strict)


@app.command()
def run(
    pipeline: Annotated[Path, typer.Argument(help="The pipeline YAML file.")],
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder the sources' paths are relative to.")
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", "-w", help="DuckDB file (default: the pipeline's)."),
    ] = None,
    outputs_dir: Annotated[
        Path | None, typer.Option(help="Folder for the discovered BPMN model.")
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            help="Cap on DuckDB's memory, e.g. 2GB (default: the pipeline's, or 80% of RAM)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the run table.")] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the run record as JSON (nothing else on stdout).")
    ] = False,
    strict: StrictOption = False,
) -> None:
    """Run a declared pipeline: ingest → stitch → journeys → mine → compare → write tables.

    Exit codes: 0 ok, 1 failed, 2 bad usage or config, 3 warnings under --strict,
    4 refused because another run holds the warehouse.
    """
    with _clear_errors(), _stoppable(), ProgressBars(errors) as bars:
        result = api.run(
            pipeline,
            data_dir=data_dir,
            warehouse=warehouse,
            outputs_dir=outputs_dir,
            progress=bars,
            memory_limit=memory_limit,
        )
    if not json_output:
        _print_run(result)
        if not quiet:
            with _clear_errors():
                render_summary(api.summary(result.warehouse), console)
    _finish_run(result, json_output, strict)


@app.command()
def check(
    pipeline: Annotated[Path, typer.Argument(help="The pipeline YAML file.")],
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder the sources' paths are relative to.")
    ] = None,
    rows: Annotated[int, typer.Option(help="Parsed events shown per source.")] = 5,
    quarantined: Annotated[
        int, typer.Option(help="Rows that would be quarantined shown per source.")
    ] = 20,
    json_output: JsonOption = False,
) -> None:
    """Dry run: validate the pipeline, count each source's rows, show parsed and quarantined rows.

    Nothing is written and no warehouse is opened. Exit codes: 0 every source loads,
    1 a source cannot be loaded, 2 the pipeline or a preset is invalid.
    """
    with _clear_errors():
        result = api.check(pipeline, data_dir, sample_rows=rows, quarantine_rows=quarantined)
    if json_output:
        print(result.model_dump_json(indent=2 if sys.stdout.isatty() else None))
    else:
        render_check(result, console)
    if not result.ok:
        raise typer.Exit(code=ExitCode.FAILED)


@app.command()
def init(
    exports_dir: Annotated[Path, typer.Argument(help="The folder holding the exports.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The pipeline to write (default: pipelines/<folder>.yaml)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that exist.")] = False,
    timezone: Annotated[
        str | None, typer.Option(help="Zone of times written without an offset (default UTC).")
    ] = None,
    day_first: Annotated[
        bool | None,
        typer.Option(
            "--day-first/--month-first",
            help="How to read numeric dates whose days are all ≤ 12 (default: as the other exports).",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Inspect a folder of exports and write a pipeline for them (and a preset per unknown export)."""
    with _clear_errors():
        result = api.init(exports_dir, output, force=force, timezone=timezone, day_first=day_first)
    if json_output:
        print(result.model_dump_json(indent=2))
        return
    render_init(result, console)
    for warning in result.warnings:
        errors.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)


@app.command()
def variants(
    warehouse: WarehouseOption = None,
    pipeline: PipelineOption = None,
    top: Annotated[int, typer.Option(min=1, help="How many variants to show.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """List the discovered variants, most frequent first."""
    path = _warehouse(warehouse, pipeline)
    with _clear_errors():
        frame = api.variants(path, top=top)
    if json_output:
        console.print_json(frame.to_json(orient="records", date_format="iso"))
        return
    console.print(variants_table(frame, f"Variants in {escape(str(path))}"))


@app.command()
def summary(
    warehouse: WarehouseOption = None,
    pipeline: PipelineOption = None,
    json_output: JsonOption = False,
    top: Annotated[int, typer.Option(min=1, help="Rows per section.")] = 10,
) -> None:
    """Summarise a warehouse: journeys, variants, conformance, deviations, funnel, friction, stitching."""
    path = _warehouse(warehouse, pipeline)
    with _clear_errors():
        result = api.summary(path, top=top)
    if json_output:
        print(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    render_summary(result, console)


@app.command()
def findings(
    warehouse: WarehouseOption = None,
    pipeline: PipelineOption = None,
    all_findings: Annotated[
        bool, typer.Option("--all", help="Every finding, tested or not, not only the default view.")
    ] = False,
    segment: Annotated[
        str | None,
        typer.Option(help="Findings computed within each value of this segment attribute."),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="How many findings to show.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """List the findings: what differs about journeys that do not reach the goal (docs/findings.md)."""
    path = _warehouse(warehouse, pipeline)
    with _clear_errors():
        frame = api.findings(path, all_findings=all_findings, segment=segment)
    if json_output:
        print(frame.head(top).to_json(orient="records", date_format="iso"))
        return
    console.print(findings_table(frame.head(top), f"Findings in {escape(str(path))}"))


@app.command()
def report(
    pipeline_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PIPELINE]",
            help="A pipeline YAML file: its warehouse, and its outputs.report as the output.",
        ),
    ] = None,
    warehouse: WarehouseOption = None,
    pipeline: PipelineOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The HTML file to write (default: report.html)."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the report.")] = None,
) -> None:
    """Write the self-contained HTML report: process map, variants, funnel, findings, journey map."""
    with _clear_errors():
        target_warehouse, target = api.report_targets(pipeline_file or pipeline, warehouse, out)
        result = api.report(target_warehouse, target, title=title)
    console.print(
        f"Report: {escape(str(result.path))} ({result.bytes / 1e6:.1f} MB, {result.seconds:.1f} s)"
    )
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


@app.command()
def sources(
    pipeline: Annotated[Path, typer.Argument(help="The pipeline YAML file.")],
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", "-w", help="DuckDB file (default: the pipeline's)."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List the pipeline's sources with their last load: rows, quarantined, cursor, when."""
    with _clear_errors():
        statuses = api.sources(pipeline, warehouse)
    if json_output:
        print(json.dumps([s.model_dump(mode="json") for s in statuses], indent=2))
        return
    console.print(sources_table(statuses, f"Sources of {escape(str(pipeline))}"))


def main() -> None:
    """Entry point of the ``journey-mining`` command."""
    app()
