"""Where each domain's artifacts are: `<dir>/<domain>/` or `<root>/domains/<domain>/target/`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from publish.errors import BadInputError


@dataclass(frozen=True, slots=True)
class DomainArtifacts:
    """Where one domain's artifacts are."""

    name: str
    directory: Path


def discover(
    root: Path, artifacts: Path | None = None, domains: Sequence[str] = ()
) -> list[DomainArtifacts]:
    """Find artifact directories: `<artifacts>/<domain>/` or `<root>/domains/<domain>/target/`."""
    if artifacts is not None:
        if not artifacts.is_dir():
            raise BadInputError(
                "is a file, not the artifacts directory"
                if artifacts.exists()
                else "the artifacts directory does not exist",
                file=artifacts,
                fix="pass --artifacts a directory laid out as <dir>/<domain>/manifest.json",
            )
        found = {p.parent.name: p.parent for p in sorted(artifacts.glob("*/manifest.json"))}
        layout = f"{artifacts}/<domain>/manifest.json"
    else:
        base = root / "domains"
        found = {p.parent.name: p.parent / "target" for p in sorted(base.glob("*/dbt_project.yml"))}
        layout = f"{base}/<domain>/target/manifest.json"
    blank = next((d for d in domains if not d.strip()), None)
    if blank is not None:
        raise BadInputError(
            f"--select (or --domain) {blank!r} names no domain",
            fix=f"pass a domain name (found: {', '.join(found) or 'none'}), or leave --select "
            "out to read every domain",
        )
    if domains:
        missing = [d for d in domains if d not in found]
        if missing:
            raise BadInputError(
                f"no artifacts for domain(s) {', '.join(missing)} (expected {layout}); "
                f"found: {', '.join(found) or 'none'}",
                file=artifacts or root / "domains",
                fix="build the domain (`dbt build` and `dbt docs generate` in domains/<domain>), "
                "download its artifacts, or correct --domain",
            )
        found = {d: found[d] for d in domains}
    if not found and artifacts is not None:
        _refuse_near_misses(artifacts, layout)
    if not found:
        raise BadInputError(
            f"no domain artifacts found (expected {layout})",
            file=artifacts or root / "domains",
            fix="run `dbt build` and `dbt docs generate` in each domain, or pass --artifacts",
        )
    return [DomainArtifacts(name, directory) for name, directory in found.items()]


def _refuse_near_misses(artifacts: Path, layout: str) -> None:
    """The two ways a careless --artifacts misses the layout: one domain's folder itself, or the
    artifacts as published with a docs site (`manifest.json.gz`)."""
    if (artifacts / "manifest.json").is_file():
        raise BadInputError(
            f"holds a manifest.json itself: one domain's artifacts, where {layout} is expected",
            file=artifacts,
            fix="put each domain's files in a folder named after the domain, <dir>/<domain>/, and "
            "pass <dir> (or leave --artifacts out to read each domains/<domain>/target/)",
        )
    zipped = sorted(artifacts.glob("*/manifest.json.gz"))
    if zipped:
        raise BadInputError(
            f"holds gzip-compressed artifacts ({zipped[0].relative_to(artifacts)} ...), where "
            f"{layout} is expected",
            file=artifacts,
            fix="decompress them (`gunzip -k <dir>/*/*.json.gz`) and pass the folder again",
        )
