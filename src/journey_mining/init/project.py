"""``init``: inspect a folder of exports, write a preset per unknown export and a pipeline.

Pure inspection: every file is read through DuckDB or Python on its first rows, in an
in-memory DuckDB, and nothing is loaded into a warehouse. Nothing is overwritten without
``force``.

Example:
    >>> # result = init_exports("exports", "pipelines/acme.yaml", timezone="Europe/Amsterdam")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import duckdb
import phonenumbers
import yaml
from pydantic import ValidationError

from journey_mining.config import ConnectorPreset
from journey_mining.errors import OutputExists, SourceError, UsageError
from journey_mining.init.activity import activity_values
from journey_mining.init.discover import find_exports, source_name, system_name
from journey_mining.init.kinds import attribute_kinds, choose_link_on, name_kinds
from journey_mining.init.models import (
    IdentifierGuess,
    InitResult,
    SkippedFile,
    SourceGuess,
    TimestampGuess,
)
from journey_mining.init.pipeline_yaml import render_pipeline
from journey_mining.init.profile import Profile, profile_columns
from journey_mining.init.recognise import recognise, template
from journey_mining.init.render import render_preset
from journey_mining.init.roles import detect_roles, identifier_category
from journey_mining.init.sample import read_sample
from journey_mining.init.timestamps import describe_format, offsets_seen

_NAME = re.compile(r"[^a-z0-9]+")


def _from_preset(
    con: duckdb.DuckDBPyConnection,
    guess: SourceGuess,
    preset: ConnectorPreset,
    profiles: list[Profile],
) -> None:
    by_name = {p.column: p for p in profiles}
    for kind, column in preset.identifiers.items():
        if column in by_name:
            p = by_name[column]
            guess.identifiers.append(
                IdentifierGuess(
                    column=column,
                    category=identifier_category(p) or "id",
                    kind=kind,
                    distinct=p.distinct,
                    evidence=f"{p.distinct:,} distinct values",
                )
            )
    if preset.events_where is not None:
        guess.events_where = (preset.events_where.column, preset.events_where.equals)
    table = f"sample_{guess.name}"
    nulls = set(preset.csv.null_values) if preset.format == "csv" else set()
    activities = activity_values(con, table, template(preset.activity), guess.events_where)
    guess.activities = [a for a in activities if a not in nulls]
    ts = preset.timestamp
    values = by_name[ts.column].values if ts.column in by_name else []
    offsets, naive = (
        offsets_seen(values) if ts.format == "iso" else ([], not ts.format.startswith("epoch"))
    )
    guess.timestamp = TimestampGuess(
        column=ts.column,
        format=ts.format,
        timezone=ts.timezone,
        offsets=offsets,
        naive=naive and "%z" not in ts.format,
        evidence=describe_format(ts.format, None, False),
    )


def _inspect(
    con: duckdb.DuckDBPyConnection, root: Path, timezone: str, day_first: bool | None
) -> tuple[list[SourceGuess], list[SkippedFile]]:
    groups, skipped = find_exports(root)
    taken: set[str] = set()
    sources: list[SourceGuess] = []
    for group in groups:
        name = source_name(group, taken)
        table = f"sample_{name}"
        try:
            sample = read_sample(con, table, group.format, group.files)
        except SourceError as err:
            skipped.append(SkippedFile(path=group.glob, reason=str(err)))
            continue
        if not sample.rows:
            skipped.append(SkippedFile(path=group.glob, reason="no rows"))
            continue
        profiles = profile_columns(con, table, sample.columns)
        guess = SourceGuess(
            name=name,
            system=system_name(group, name),
            glob=group.glob,
            files=[f.relative_to(root).as_posix() for f in group.files],
            format=sample.format,
            compressed=group.compressed,
            delimiter=sample.delimiter,
            quote=sample.quote,
            encoding=sample.encoding,
            header=sample.header,
            records_path=sample.records_path,
            rows_sampled=sample.rows,
            columns=sample.columns,
            notes=list(sample.notes),
        )
        preset, evidence, alternatives = recognise(con, sample, profiles)
        if preset is not None:
            guess.preset, guess.preset_evidence, guess.preset_alternatives = (
                preset.name,
                evidence,
                alternatives,
            )
            _from_preset(con, guess, preset, profiles)
        else:
            detect_roles(con, guess, table, profiles, day_first, timezone)
            reason = _not_an_event_export(guess)
            if reason:
                skipped.append(SkippedFile(path=group.glob, reason=reason))
                continue
        sources.append(guess)
    return sources, skipped


def _not_an_event_export(guess: SourceGuess) -> str | None:
    if guess.timestamp is None and not guess.milestones:
        return "no column reads as a time: not an event export"
    if not guess.identifiers:
        return (
            "no identifier column (e-mail, phone, user, contact or other id): it joins no journey"
        )
    return None


def _settle_day_first(sources: list[SourceGuess], day_first: bool | None) -> list[str]:
    """Ambiguous numeric dates follow the sources whose values decide it (when they agree)."""
    decided = {
        s.timestamp.day_first
        for s in sources
        if s.timestamp and s.timestamp.day_first is not None and not s.timestamp.ambiguous
    }
    warnings = []
    for s in sources:
        ts = s.timestamp
        if ts is None or not ts.ambiguous:
            continue
        if day_first is None and len(decided) == 1 and (value := decided.pop()) != ts.day_first:
            decided.add(value)
            ts.format = re.sub(r"%[dm]", _swap_day_month, ts.format)
            ts.day_first = value
            ts.evidence += "; read like the other exports, whose days go above 12"
        warnings.append(
            f"{s.name}: every day in {ts.column!r} is ≤ 12, so the values cannot tell "
            f"day-first from month-first; written {'day' if ts.day_first else 'month'}-first "
            f"({ts.format}). Check it (or pass --day-first / --month-first)."
        )
    return warnings


def _swap_day_month(match: re.Match[str]) -> str:
    return "%m" if match.group(0) == "%d" else "%d"


def _phone_region(
    con: duckdb.DuckDBPyConnection, sources: list[SourceGuess]
) -> tuple[str | None, str]:
    codes: Counter[int] = Counter()
    national = 0
    for s in sources:
        for ident in (i for i in s.identifiers if i.category == "phone"):
            column = ident.column.replace('"', '""')
            for (value,) in con.execute(
                f'SELECT DISTINCT trim("{column}") FROM "sample_{s.name}" WHERE "{column}" IS NOT NULL LIMIT 5000'
            ).fetchall():
                if str(value).startswith("+"):
                    try:
                        code = phonenumbers.parse(str(value), None).country_code
                    except phonenumbers.NumberParseException:
                        continue
                    if code is not None:
                        codes[code] += 1
                else:
                    national += 1
    if not codes:
        return None, f"{national:,} numbers and none with a country code: set the region (e.g. NL)"
    code, n = codes.most_common(1)[0]
    region = phonenumbers.region_code_for_country_code(code)
    return region, (
        f"+{code} ({region}) in {n:,} of the numbers written with a country code; "
        f"{national:,} written without one take this region: check it"
    )


def init_exports(
    exports_dir: str | Path,
    output: str | Path | None = None,
    force: bool = False,
    timezone: str | None = None,
    day_first: bool | None = None,
) -> InitResult:
    """Inspect ``exports_dir``; write the pipeline (``output``) and a preset per unknown export.

    ``timezone``: the zone of times written without an offset (default UTC, flagged).
    ``day_first``: how to read numeric dates whose values cannot tell (every day ≤ 12).
    """
    root = Path(exports_dir)
    if not root.is_dir():
        raise UsageError(
            f"exports folder {str(root.resolve())!r} does not exist. Fix: check the path."
        )
    name = _NAME.sub("_", root.resolve().name.lower()).strip("_") or "exports"
    name = name if name[0].isalpha() else "p_" + name
    pipeline_file = Path(output) if output else Path("pipelines") / f"{name}.yaml"
    pipeline_name = _NAME.sub("_", pipeline_file.stem.lower()).strip("_") or name
    con = duckdb.connect()
    try:
        sources, skipped = _inspect(con, root, timezone or "UTC", day_first)
        if not sources:
            raise UsageError(
                f"no event export found in {str(root.resolve())!r} "
                f"({len(skipped)} file(s) skipped). Fix: point init at the exports folder."
            )
        warnings = _settle_day_first(sources, day_first)
        notes = name_kinds(con, sources)
        kept = attribute_kinds(con, sources)
        link_on, evidence = choose_link_on(con, sources, kept)
        region, region_evidence = _phone_region(con, sources) if "phone" in link_on else (None, "")
    finally:
        con.close()
    preset_dir = pipeline_file.parent / "connectors"
    for s in sources:
        if not s.preset:
            s.preset_file = str(preset_dir / f"{s.name}.yaml")
    needs = [f"{s.name}: {feature}" for s in sources for feature in s.needs_loader]
    result = InitResult(
        exports_dir=str(root),
        pipeline_file=str(pipeline_file),
        written=[],
        sources=sources,
        skipped=skipped,
        link_on=link_on,
        link_evidence=evidence,
        needs_loader=needs,
        warnings=warnings,
        notes=notes,
        phone_region=region,
        phone_evidence=region_evidence,
        attribute_kinds=list(kept),
        attribute_evidence=kept,
    )
    texts = {Path(s.preset_file): render_preset(s) for s in sources if s.preset_file}
    for path, text in texts.items():
        _check_preset(
            path, text, bool(next(s for s in sources if s.preset_file == str(path)).needs_loader)
        )
    texts[pipeline_file] = render_pipeline(result, pipeline_name, pipeline_file.parent, timezone)
    existing = [str(p) for p in texts if p.exists()]
    if existing and not force:
        raise OutputExists(
            f"init would overwrite {', '.join(existing)}. Fix: pass --force to "
            "replace them, or -o another pipeline file."
        )
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result.written = [str(p) for p in texts]
    return result


def _check_preset(path: Path, text: str, needs_loader: bool) -> None:
    """A written preset the loader reads today must validate (one that needs a new feature cannot)."""
    if needs_loader:
        return
    try:
        ConnectorPreset.model_validate(yaml.safe_load(text))
    except ValidationError as err:
        raise SourceError(f"init wrote a preset the loader cannot read ({path}): {err}") from None
