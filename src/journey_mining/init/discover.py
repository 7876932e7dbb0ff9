"""Find the exports in a folder and group the files of one export into one source.

Files whose names differ only in their digits (dates, part numbers) in the same folder are
one export delivered in parts; the source's glob matches them and the parts still to come
(``export_2025-01-31.json`` → ``export_*.json``; ``contacts.csv`` → ``contacts*.csv``), but
never another export's files.

Example:
    >>> name_pattern("export_2025-01-31.json")
    'export_*-*-*.json'
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

from journey_mining.init.models import SkippedFile

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",  # JSON lines or a JSON document: the content decides
    ".parquet": "parquet",
    ".xes": "xes",
}
_DIGITS = re.compile(r"\d+")
_NOT_NAME = re.compile(r"[^a-z0-9]+")


@dataclass
class FileGroup:
    """The files of one export: where they are, their glob and the format their name says."""

    folder: str  # relative to the exports folder, posix, "" at the top
    glob: str  # relative to the exports folder
    format: str
    files: list[Path] = field(default_factory=list)
    compressed: bool = False


def export_format(path: Path) -> tuple[str | None, bool]:
    """The format a file's name says (``csv``, ``jsonl``, …) and whether it is gzipped."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    return (FORMATS.get(suffixes[-1]) if suffixes else None), compressed


def name_pattern(name: str) -> str:
    """A file name with each run of digits as ``*``."""
    return _DIGITS.sub("*", name)


def find_exports(root: Path) -> tuple[list[FileGroup], list[SkippedFile]]:
    """Every export under ``root`` grouped into sources, and the files that are not exports."""
    groups: dict[tuple[str, str, str], FileGroup] = {}
    skipped: list[SkippedFile] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        fmt, compressed = export_format(path)
        if fmt is None:
            skipped.append(SkippedFile(path=relative.as_posix(), reason="not an export format"))
            continue
        if path.stat().st_size == 0:
            skipped.append(SkippedFile(path=relative.as_posix(), reason="empty file"))
            continue
        folder = relative.parent.as_posix() if relative.parent != Path(".") else ""
        plain = path.name[:-3] if compressed else path.name
        key = (folder, name_pattern(plain), fmt)
        group = groups.setdefault(key, FileGroup(folder=folder, glob="", format=fmt))
        group.files.append(path)
        group.compressed = group.compressed or compressed
    by_folder: dict[str, list[FileGroup]] = {}
    for group in groups.values():
        by_folder.setdefault(group.folder, []).append(group)
    for folder_groups in by_folder.values():
        for group in folder_groups:
            others = [f.name for g in folder_groups if g is not group for f in g.files]
            group.glob = _glob(group, others)
    return list(groups.values()), skipped


def _glob(group: FileGroup, others: list[str]) -> str:
    """The widest of a few globs that matches the group's files and none of ``others``."""
    names = [p.name for p in group.files]
    some_plain = any(not n.endswith(".gz") for n in names)
    some_gz = any(n.endswith(".gz") for n in names)
    first = names[0][:-3] if names[0].endswith(".gz") else names[0]
    pattern = name_pattern(first)
    candidates = []
    if "*" in pattern:
        prefix, suffix = pattern[: pattern.index("*")], pattern[pattern.rindex("*") + 1 :]
        if prefix or not suffix.startswith("."):
            candidates.append(prefix + "*" + suffix)
        candidates.append(pattern)
    else:
        stem, dot, ext = first.partition(".")
        candidates.append(f"{stem}*{dot}{ext}")
        candidates.append(first)
    for candidate in candidates:
        glob = candidate + ("*" if some_gz and some_plain else ".gz" if some_gz else "")
        if all(fnmatch.fnmatchcase(n, glob) for n in names) and not any(
            fnmatch.fnmatchcase(o, glob) for o in others
        ):
            return f"{group.folder}/{glob}" if group.folder else glob
    return f"{group.folder}/{names[0]}" if group.folder else names[0]


def source_name(group: FileGroup, taken: set[str]) -> str:
    """A source name (lowercase identifier) from the folder and file names, not yet ``taken``.

    Example:
        >>> group = FileGroup(folder="crm", glob="crm/contacts*.csv", format="csv")
        >>> source_name(group, set())
        'crm_contacts'
    """
    stem = Path(group.glob).name.split(".")[0].replace("*", " ")
    parts = [_NOT_NAME.sub("_", p.lower()).strip("_") for p in (*group.folder.split("/"), stem)]
    parts = [p for p in parts if p]
    name = "_".join(dict.fromkeys(parts)) or "export"
    if not name[0].isalpha():
        name = "s_" + name
    name = name[:60].rstrip("_")
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def system_name(group: FileGroup, source: str) -> str:
    """The system a source's events come from: its top folder (``crm``), else the source name."""
    top = group.folder.split("/")[0] if group.folder else ""
    name = _NOT_NAME.sub("_", top.lower()).strip("_")
    return name if name and name[0].isalpha() else source
