"""Write the pipeline ``init`` proposes: its sources, the identity rule and the activity mapping.

Paths in it are relative to the pipeline file. Each source names the shipped preset it was
recognised as, or the preset written for it; ``identity.link_on`` lists the kinds the
sources share (and those a source needs for its events to link), each with where it was
seen; ``activities`` maps every activity found to itself, with ``stage:`` and ``team:`` left
for the analyst.

Example:
    >>> # text = render_pipeline(result, pipeline_dir)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from journey_mining.init.models import InitResult, SourceGuess
from journey_mining.init.render import Lines, flow, scalar

MAX_MAPPED = 500


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def _source(lines: Lines, source: SourceGuess, pipeline_dir: Path, timezone: str | None) -> None:
    lines.add(f"  - name: {source.name}")
    if source.preset:
        alternatives = (
            f"; also fits: {', '.join(source.preset_alternatives)}"
            if source.preset_alternatives
            else ""
        )
        lines.add(
            f"    preset: {source.preset}", f"recognised: {source.preset_evidence}{alternatives}"
        )
    else:
        assert source.preset_file is not None
        why = "written by init: no shipped preset fits these columns"
        if source.needs_loader:
            why += f"; needs the loader's {', '.join(source.needs_loader)}"
        lines.add(f"    preset: {scalar(_relative(Path(source.preset_file), pipeline_dir))}", why)
    files = ", ".join(Path(f).name for f in source.files[:3])
    more = f", … {len(source.files)} files" if len(source.files) > 3 else ""
    lines.add(f"    path: {scalar(source.glob)}", f"{len(source.files)} file(s): {files}{more}")
    ts = source.timestamp
    if source.preset and timezone and ts is not None and ts.naive:
        lines.add(f"    timezone: {timezone}", f"from --timezone: {ts.column!r} carries no offset")


def render_pipeline(result: InitResult, name: str, pipeline_dir: Path, timezone: str | None) -> str:
    """The pipeline YAML for ``result`` (paths relative to ``pipeline_dir``)."""
    lines = Lines()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines.note(
        f"Written by `journey-mining init {result.exports_dir}` on {when}.\n"
        "Every guess is a comment saying what it saw; paths are relative to this file.\n"
        "Next: fill stage:/team: under activities (or leave them empty), write a happy path,\n"
        f"then: journey-mining run {Path(result.pipeline_file).name}"
    )
    for warning in result.warnings:
        lines.note(f"warning: {warning}")
    for skipped in result.skipped:
        lines.note(f"not loaded: {skipped.path}: {skipped.reason}")
    lines.add(f"name: {name}")
    lines.add(f"description: {scalar('exports in ' + Path(result.exports_dir).name)}")
    lines.add(
        f"data_dir: {scalar(_relative(Path(result.exports_dir), pipeline_dir))}",
        "the exports folder",
    )
    lines.add(f"warehouse: {scalar(name + '.duckdb')}")
    lines.note(
        f"happy_path: happy_paths/{name}.yaml   (write one: docs/pipelines.md; then uncomment)"
    )
    lines.add("")
    lines.add("sources:")
    for source in result.sources:
        _source(lines, source, pipeline_dir, timezone)
    lines.add("")
    lines.add("identity:")
    lines.add(
        f"  link_on: {flow(result.link_on)}", "the identifier kinds that join a customer's records"
    )
    for kind in result.link_on:
        lines.note(f"{kind}: {result.link_evidence.get(kind, '')}", 2)
    for note in result.notes:
        lines.note(note, 2)
    if "phone" in result.link_on:
        lines.add(
            "  normalise_phone: [phone]",
            "to E.164, so national and international numbers match",
        )
        lines.add(f"  phone_region: {scalar(result.phone_region)}", result.phone_evidence)
    if result.attribute_kinds:
        lines.add(
            f"  attributes: {flow(result.attribute_kinds)}",
            "kept on the customer (customer_attributes, segments), never a link",
        )
        for kind in result.attribute_kinds:
            lines.note(f"{kind}: {result.attribute_evidence.get(kind, '')}", 2)
    lines.add("")
    lines.add(
        "activities:", "every activity seen, mapped to itself: fill stage and team (or leave them)"
    )
    for source in result.sources:
        if not source.activities:
            continue
        lines.add(f"  {source.name}:")
        for activity in source.activities[:MAX_MAPPED]:
            lines.add(f"    {scalar(activity)}: {{activity: {scalar(activity)}, stage: , team: }}")
        if len(source.activities) > MAX_MAPPED:
            lines.note(
                f"… {len(source.activities) - MAX_MAPPED} more activities keep their own names", 4
            )
    return lines.text()
