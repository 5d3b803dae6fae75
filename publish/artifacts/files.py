"""Read one dbt artifact file: find its schema version, decode it with that version's structs.

Every file's `metadata.dbt_schema_version` is read first and dispatched to the parser for that
version; any other version is refused with a clear error, as is a file that is not valid JSON. A
manifest entry that breaks its schema (an unused doc block without a name, a test of an odd
package) is skipped with a warning instead of rejecting the whole domain; only a broken model,
which the mesh does use, is an error.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal, NoReturn

import msgspec

from publish.artifacts.schemas import (
    CatalogV1,
    DocV12,
    EntryKind,
    GroupV12,
    ManifestV12,
    ManifestV12Entries,
    NodeV12,
    RunResultsV6,
    SourcesV3,
    SourceV12,
)
from publish.errors import BadInputError

ArtifactKind = Literal["manifest", "catalog", "run-results", "sources"]

FILE_NAMES: dict[ArtifactKind, str] = {
    "manifest": "manifest.json",
    "catalog": "catalog.json",
    "run-results": "run_results.json",
    "sources": "sources.json",
}

#: (kind, schema version) -> parser. What writes each version, checked against dbt-core's JSON
#: schemas (schemas/dbt/ of each 1.x branch), dbt Fusion's Rust structs (crates/dbt-schemas) and
#: files written by dbt-core 1.11.16 and 1.7.3:
#: - manifest v9 (dbt-core 1.5), v10 (1.6), v11 (1.7), v12 (1.8 - 1.11; dbt Fusion from
#:   2.0.0-preview.98), v20 (Fusion 2.0.0-beta to preview.97, the structs of its v12): the fields
#:   read have one shape in all of them (publish.artifacts.schemas); v20 is read with a warning;
#: - run-results v4 (dbt-core 1.0 - 1.6), v5 (1.7), v6 (1.8+ and Fusion): likewise;
#: - catalog v1 and sources v3: every dbt-core since 1.0, and Fusion.
#: Refused: manifest v8 and older (dbt-core 1.4 and older: `REFUSED`), and any version not
#: listed (a newer dbt's, until someone checks it).
PARSERS: dict[tuple[ArtifactKind, str], type[msgspec.Struct]] = {
    ("manifest", "v9"): ManifestV12,
    ("manifest", "v10"): ManifestV12,
    ("manifest", "v11"): ManifestV12,
    ("manifest", "v12"): ManifestV12,
    ("manifest", "v20"): ManifestV12,
    ("catalog", "v1"): CatalogV1,
    ("run-results", "v4"): RunResultsV6,
    ("run-results", "v5"): RunResultsV6,
    ("run-results", "v6"): RunResultsV6,
    ("sources", "v3"): SourcesV3,
}
#: the dbt versions that write the manifest versions above, for error messages
DBT_VERSIONS = "dbt-core 1.5 to 1.11 and dbt Fusion"
#: versions read as another, with the warning a plan carries (the file's path is put before it)
READ_AS: dict[tuple[ArtifactKind, str], str] = {
    ("manifest", "v20"): "manifest v20, which dbt Fusion's previews wrote (2.0.0-beta to "
    "preview.97), is read as manifest v12, as Fusion writes it since: the fields the mesh reads "
    "are the same in both (dbt Fusion's Rust structs); nothing checks the rest",
}
#: kind -> (the newest of its versions refused as too old, why they are)
REFUSED: dict[ArtifactKind, tuple[int, str]] = {
    "manifest": (
        8,
        "manifest v8 and older are written by dbt-core 1.4 and older, before model access, groups, "
        "contracts and versions (which decide what the mesh publishes) and before tests named "
        "the model they test (`attached_node`)",
    ),
}

_VERSION_RE = re.compile(
    rb'"dbt_schema_version"\s*:\s*"https?://schemas\.getdbt\.com/dbt/([a-z-]+)/(v\d+)\.json"'
)
_HEAD = 1 << 16  # dbt writes `metadata` first: the version is near the start of the file

FIXES: dict[ArtifactKind, str] = {
    "manifest": "re-run `dbt build` and `dbt docs generate` in the domain (or download its "
    "artifacts again) with dbt-core 1.11, the version pinned in pyproject.toml",
    "catalog": "run `dbt docs generate` in the domain after its build (or download its "
    "catalog.json again) with dbt-core 1.11",
    "run-results": "re-run `dbt build` in the domain (or download its run_results.json again) with "
    "dbt-core 1.11, or delete the file to publish without build and test status",
    "sources": "re-run `dbt source freshness` in the domain with dbt-core 1.11, or delete the file "
    "to publish without source freshness",
}

_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}
#: manifest sections decoded entry by entry when the whole file does not match its schema
_SECTIONS: dict[str, type[msgspec.Struct]] = {
    "nodes": NodeV12,
    "sources": SourceV12,
    "groups": GroupV12,
    "docs": DocV12,
}


def supported_versions(kind: ArtifactKind) -> list[str]:
    return [version for (k, version) in PARSERS if k == kind]


def decoder(parser: type[Any]) -> msgspec.json.Decoder[Any]:
    found = _DECODERS.get(parser)
    if found is None:
        found = _DECODERS[parser] = msgspec.json.Decoder(parser)
    return found


def schema_version(path: Path, kind: ArtifactKind, data: bytes) -> str:
    """The file's dbt schema version (`v12`), checked to be of `kind` and readable here."""
    match = _VERSION_RE.search(data, 0, _HEAD) or _VERSION_RE.search(data)
    if match is None:
        _raise_without_version(path, kind, data)
    found_kind, version = match.group(1).decode(), match.group(2).decode()
    if found_kind != kind:
        raise BadInputError(
            f"this is a dbt {found_kind} artifact ({version}), but a {kind} was expected here",
            file=path,
            fix=f"put the {kind} in {FILE_NAMES[kind]} ({FIXES[kind]})",
        )
    if (kind, version) not in PARSERS:
        readable = ", ".join(supported_versions(kind))
        last, why = REFUSED.get(kind, (0, ""))
        reason = f": {why}" if int(version[1:]) <= last else ""
        raise BadInputError(
            f"the {kind} has dbt schema version {version} (metadata.dbt_schema_version), which "
            f"the mesh does not read{reason}; it reads {kind} {readable}, as written by "
            f"{DBT_VERSIONS}",
            file=path,
            fix=FIXES[kind],
        )
    return version


def read_bytes(path: Path, kind: ArtifactKind) -> bytes:
    """The file's bytes as UTF-8 JSON: a byte-order mark (Windows editors write one; PowerShell's
    `>` writes UTF-16) is taken off or re-encoded, a gzip-compressed file is refused by name."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(
            f"the dbt {kind} file does not exist", file=path, fix=FIXES[kind]
        ) from None
    except IsADirectoryError:
        raise BadInputError(
            f"is a folder, not the dbt {kind} file", file=path, fix=FIXES[kind]
        ) from None
    except OSError as exc:
        raise BadInputError(
            f"cannot read the file ({exc.strerror})", file=path, fix=FIXES[kind]
        ) from exc
    if data[:3] == codecs.BOM_UTF8:
        return data[3:]
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            pass  # not text after all: refused below as it is
    if data[:2] == b"\x1f\x8b":
        raise BadInputError(
            f"the {kind} is gzip-compressed (a `.json.gz` saved under the name dbt gives it)",
            file=path,
            fix=f"decompress it (`gunzip -c FILE.gz > {path.name}`), or {FIXES[kind]}",
        )
    return data


def read_artifact(
    path: Path, kind: ArtifactKind, warnings: list[str] | None = None
) -> msgspec.Struct:
    """Parse one artifact file with the parser of its schema version.

    Manifest entries skipped because they break the schema, and a version read as another
    (`READ_AS`), are reported in `warnings`.
    """
    data = read_bytes(path, kind)
    version = schema_version(path, kind, data)
    parser = PARSERS[(kind, version)]
    note = READ_AS.get((kind, version))
    if note is not None and warnings is not None:
        warnings.append(f"{path}: {note}")
    try:
        return decoder(parser).decode(data)
    except msgspec.ValidationError as exc:
        if parser is ManifestV12:
            manifest, skipped = _manifest_by_entry(path, data, version)
            if warnings is not None:
                warnings += skipped
            return manifest
        problem = f"the {kind} does not match dbt's {kind} {version} schema: {exc}"
    except msgspec.DecodeError as exc:
        problem = (
            f"the {kind} is not valid JSON ({exc}); the file is probably truncated (an "
            "interrupted run or download)"
        )
    raise BadInputError(problem, file=path, fix=FIXES[kind])


def manifest_without(path: Path, unique_ids: Collection[str]) -> bytes | None:
    """The manifest at `path` without the nodes `unique_ids`, every other entry byte for byte as
    dbt wrote it (msgspec's Raw: nothing else is decoded); None when it has none of them.

    For handing dbt a `--state` folder in which some production nodes do not exist.
    """
    data = read_bytes(path, "manifest")
    entries = decoder(dict[str, msgspec.Raw])
    try:
        document = entries.decode(data)
        nodes = entries.decode(document["nodes"]) if "nodes" in document else {}
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise BadInputError(
            f"the manifest is not valid JSON ({exc}); the file is probably truncated",
            file=path,
            fix=FIXES["manifest"],
        ) from None
    dropped = [unique_id for unique_id in unique_ids if unique_id in nodes]
    if not dropped:
        return None
    for unique_id in dropped:
        del nodes[unique_id]
    document["nodes"] = msgspec.Raw(msgspec.json.encode(nodes))
    return msgspec.json.encode(document)


def _manifest_by_entry(path: Path, data: bytes, version: str) -> tuple[ManifestV12, list[str]]:
    """Decode a manifest entry by entry, skipping (with a warning) entries that break the schema.

    A broken model is still an error: the mesh builds, checks and publishes models, and leaving
    one out would read as its removal.
    """
    try:
        entries = decoder(ManifestV12Entries).decode(data)
    except msgspec.ValidationError as exc:
        raise BadInputError(
            f"the manifest does not match dbt's manifest {version} schema: {exc}",
            file=path,
            fix=FIXES["manifest"],
        ) from None
    warnings: list[str] = []
    sections: dict[str, dict[str, Any]] = {}
    for section, parser in _SECTIONS.items():
        entry_decoder = decoder(parser)
        decoded: dict[str, Any] = {}
        for key, raw in getattr(entries, section).items():
            try:
                decoded[key] = entry_decoder.decode(raw)
            except msgspec.ValidationError as exc:
                problem = str(exc).replace("`$", f"`{section}[{key!r}]", 1)
                if section == "nodes" and _kind(raw) == "model":
                    raise BadInputError(
                        f"model {key} does not match dbt's manifest {version} schema: {problem}",
                        file=path,
                        fix=FIXES["manifest"],
                    ) from None
                warnings.append(
                    f"{path}: skipped {section} entry {key}, which does not match dbt's manifest "
                    f"{version} schema ({problem}); the mesh does not use it"
                )
        sections[section] = decoded
    return ManifestV12(metadata=entries.metadata, **sections), warnings


def _kind(raw: msgspec.Raw) -> str | None:
    try:
        return decoder(EntryKind).decode(raw).resource_type
    except msgspec.ValidationError:
        return None


def _raise_without_version(path: Path, kind: ArtifactKind, data: bytes) -> NoReturn:
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"the {kind} is not JSON text (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start} is not UTF-8): a binary file, or a dbt artifact saved in another form",
            file=path,
            fix=FIXES[kind],
        ) from None
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"the {kind} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "the file is probably truncated (an interrupted run or download)",
            file=path,
            fix=FIXES[kind],
        ) from None
    found = None
    if isinstance(document, dict) and isinstance(document.get("metadata"), dict):
        found = document["metadata"].get("dbt_schema_version")
    problem = (
        f"the {kind} has an unrecognised dbt schema version {found!r}"
        if found
        else f"this is not a dbt {kind}: it has no metadata.dbt_schema_version"
    )
    raise BadInputError(problem, file=path, fix=FIXES[kind])
