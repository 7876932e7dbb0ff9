"""The command line: parse options, call ``journey_mining.api``, render. Nothing else.

Library errors become one line on stderr and a non-zero exit.

Example:
    $ journey-mining demo
    $ journey-mining run pipelines/demo.yaml --data-dir journey-mining-demo/exports
    $ journey-mining summary --warehouse journey-mining-demo/journeys.duckdb --json
    $ journey-mining report -w journey-mining-demo/journeys.duckdb -o report.html
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from journey_mining import api
from journey_mining.errors import JourneyMiningError
from journey_mining.report.terminal import render_summary

app = typer.Typer(
    help="Discover the journeys customers actually take, and compare them with the happy path.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (CI logs, files) gets a width that keeps the tables readable.
console = Console(width=None if sys.stdout.isatty() else 132)
errors = Console(stderr=True)

DEFAULT_WAREHOUSE = Path("journey-mining-demo/journeys.duckdb")
WarehouseOption = Annotated[
    Path, typer.Option("--warehouse", "-w", help="The DuckDB warehouse file to read.")
]


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Turn a library error into one clear line and exit code 1."""
    try:
        yield
    except JourneyMiningError as err:
        errors.print(f"[red]error:[/] {err}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None


@contextmanager
def _status() -> Iterator[Callable[[str], None]]:
    if not sys.stderr.isatty():
        yield lambda _message: None
        return
    with errors.status("starting") as status:
        yield lambda message: status.update(message)


def _print_run(result: api.RunResult) -> None:
    table = Table(title=f"Run {result.run_id}", title_justify="left")
    for column in ("source", "files loaded", "files skipped", "rows read", "loaded", "quarantined"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source in result.sources:
        loaded = sum(f.status != "skipped" for f in source.files)
        table.add_row(
            source.source,
            str(loaded),
            str(len(source.files) - loaded),
            f"{source.rows_read:,}",
            f"{source.rows_loaded:,}",
            f"{source.rows_quarantined:,}",
        )
    console.print(table)
    console.print(
        f"{result.journeys:,} journeys, {result.variants:,} variants "
        f"({result.variants_aligned:,} aligned now, {result.variants_from_cache:,} from cache)"
    )
    if result.report:
        console.print(f"Report: {result.report}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo exports and warehouse.")] = Path(
        "journey-mining-demo"
    ),
    customers: Annotated[
        int, typer.Option(min=1, help="How many demo customers to generate.")
    ] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 7,
) -> None:
    """Generate the demo company's exports, run the demo pipeline on them, print the summary."""
    with _clear_errors(), _status() as say:
        result = api.demo(out, customers=customers, seed=seed, progress=say)
    _print_run(result)
    with _clear_errors():
        render_summary(api.summary(result.warehouse), console)
    console.print(
        f"\nExports: {result.exports_dir}\nWarehouse: {result.warehouse} (schema mining)\n"
        f"Discovered model: {result.discovered_model} ({result.discovered_with})\n"
        f"Next: journey-mining variants -w {result.warehouse}"
    )


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
) -> None:
    """Run a declared pipeline: ingest → stitch → journeys → mine → compare → write tables."""
    with _clear_errors(), _status() as say:
        result = api.run(
            pipeline,
            data_dir=data_dir,
            warehouse=warehouse,
            outputs_dir=outputs_dir,
            progress=say,
            memory_limit=memory_limit,
        )
    _print_run(result)
    if not quiet:
        with _clear_errors():
            render_summary(api.summary(result.warehouse), console)


@app.command()
def variants(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    top: Annotated[int, typer.Option(min=1, help="How many variants to show.")] = 20,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """List the discovered variants, most frequent first."""
    with _clear_errors():
        frame = api.variants(warehouse, top=top)
    if json_output:
        console.print_json(frame.to_json(orient="records", date_format="iso"))
        return
    table = Table(title=f"Variants in {warehouse}", title_justify="left")
    for column in ("#", "journeys", "share", "cum.", "fitness", "fits path", "activities"):
        table.add_column(column, justify="left" if column == "activities" else "right")
    for row in frame.to_dict("records"):
        fitness = row["fitness"]
        table.add_row(
            str(row["rank"]),
            f"{row['n_cases']:,}",
            f"{row['share']:.1%}",
            f"{row['cumulative_share']:.0%}",
            "–" if pd.isna(fitness) else f"{fitness:.2f}",
            "yes" if row["fits_path"] is True else "no",
            " → ".join(str(a) for a in row["activities"]),
        )
    console.print(table)


@app.command()
def summary(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of tables.")
    ] = False,
    top: Annotated[int, typer.Option(min=1, help="Rows per section.")] = 10,
) -> None:
    """Summarise a warehouse: journeys, variants, conformance, deviations, funnel, friction."""
    with _clear_errors():
        result = api.summary(warehouse, top=top)
    if json_output:
        print(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    render_summary(result, console)


@app.command()
def findings(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    all_findings: Annotated[
        bool, typer.Option("--all", help="Every finding, tested or not, not only the default view.")
    ] = False,
    segment: Annotated[
        str | None,
        typer.Option(help="Findings computed within each value of this segment attribute."),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="How many findings to show.")] = 20,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """List the findings: what differs about journeys that do not reach the goal (docs/findings.md)."""
    with _clear_errors():
        frame = api.findings(warehouse, all_findings=all_findings, segment=segment)
    if json_output:
        print(frame.head(top).to_json(orient="records", date_format="iso"))
        return
    table = Table(title=f"Findings in {warehouse}", title_justify="left")
    columns = (
        "#",
        "segment",
        "kind",
        "finding",
        "exposed",
        "goal with",
        "without",
        "points [95% CI]",
        "q",
        "repl.",
        "default",
    )
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("segment", "kind", "finding") else "right"
        )
    for row in frame.head(top).to_dict("records"):

        def points(value: object) -> str:
            return "–" if value is None or pd.isna(value) else f"{float(value) * 100:+.0f}"  # type: ignore[call-overload, arg-type]

        table.add_row(
            str(row["rank"]),
            "all" if row["segment"] is None else f"{row['segment']}={row['segment_value']}",
            str(row["kind"]),
            escape(str(row["label"])),
            f"{row['n_exposed']:,}/{row['n_population']:,}",
            "–" if pd.isna(row["rate_exposed"]) else f"{row['rate_exposed']:.0%}",
            "–" if pd.isna(row["rate_unexposed"]) else f"{row['rate_unexposed']:.0%}",
            f"{points(row['difference'])} [{points(row['difference_low'])}…{points(row['difference_high'])}]",
            "–" if pd.isna(row["q_value"]) else f"{row['q_value']:.1g}",
            "yes" if row["replicated"] else "no",
            "yes" if row["in_default_view"] else "no",
        )
    console.print(table)


@app.command()
def report(
    pipeline: Annotated[
        Path | None,
        typer.Argument(help="A pipeline YAML file: its warehouse and outputs.report are used."),
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", "-w", help="The DuckDB warehouse file to report on."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The HTML file to write (default: report.html)."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the report.")] = None,
) -> None:
    """Write the self-contained HTML report: process map, variants, funnel, findings, journey map."""
    with _clear_errors():
        target_warehouse, target = api.report_targets(pipeline, warehouse, out)
        with _status() as say:
            say("building the report")
            result = api.report(target_warehouse, target, title=title)
    console.print(f"Report: {result.path} ({result.bytes / 1e6:.1f} MB, {result.seconds:.1f} s)")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)


@app.command()
def sources(
    pipeline: Annotated[Path, typer.Argument(help="The pipeline YAML file.")],
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", "-w", help="DuckDB file (default: the pipeline's)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """List the pipeline's sources with their last load: rows, quarantined, cursor, when."""
    with _clear_errors():
        statuses = api.sources(pipeline, warehouse)
    if json_output:
        print(json.dumps([s.model_dump(mode="json") for s in statuses], indent=2))
        return
    table = Table(title=f"Sources of {pipeline}", title_justify="left")
    for column in (
        "source",
        "preset",
        "location",
        "files",
        "rows",
        "quarantined",
        "cursor",
        "last load",
    ):
        table.add_column(
            column, justify="right" if column in ("files", "rows", "quarantined") else "left"
        )
    for s in statuses:
        table.add_row(
            s.source,
            s.preset,
            s.location,
            f"{s.files_loaded:,}",
            f"{s.rows_loaded:,}",
            f"{s.rows_quarantined:,}",
            s.cursor or "–",
            s.last_loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC") if s.last_loaded_at else "never",
        )
    console.print(table)


def main() -> None:
    """Entry point of the ``journey-mining`` command."""
    app()
