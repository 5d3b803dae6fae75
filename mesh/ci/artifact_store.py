"""The artifact store: each domain's production dbt artifacts in S3.

Layout: `s3://<bucket>/<prefix>/<domain>/<artifact>.json`. The merge job uploads after a
production build; pull requests download it as dbt's `--state` for slim builds; dbt-loom
reads upstream manifests from it (see `loom_configs`). Locally the bucket is moto's S3.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from mesh.project import Domain, write_loom_config
from publish.errors import BadInputError

ARTIFACTS = ("manifest.json", "catalog.json", "run_results.json", "sources.json")


@dataclass(frozen=True)
class ArtifactStore:
    bucket: str
    prefix: str = "dbt-artifacts/prod"

    @classmethod
    def from_url(cls, url: str | None) -> ArtifactStore:
        """`s3://bucket/prefix`, defaulting to MESH_ARTIFACT_STORE."""
        url = url or os.environ.get("MESH_ARTIFACT_STORE")
        if not url or not url.startswith("s3://"):
            raise BadInputError(
                f"no artifact store given (got {url!r})",
                fix="pass --store s3://<bucket>/<prefix> or set MESH_ARTIFACT_STORE",
            )
        bucket, _, prefix = url[len("s3://") :].partition("/")
        return cls(bucket=bucket, prefix=prefix.strip("/") or cls.prefix)

    def key(self, domain: str, artifact: str) -> str:
        return f"{self.prefix}/{domain}/{artifact}"

    def upload(self, s3: Any, domains: list[Domain]) -> list[str]:
        """Upload every artifact the domains' target/ holds; returns the keys written."""
        written = []
        for domain in domains:
            if not domain.manifest_path.is_file():
                raise BadInputError(
                    f"domain {domain.name!r} has no manifest to upload",
                    file=domain.manifest_path,
                    fix="build the domain first (`mesh build`), then upload",
                )
            for artifact in ARTIFACTS:
                path = domain.target_dir / artifact
                if path.is_file():
                    key = self.key(domain.name, artifact)
                    s3.upload_file(str(path), self.bucket, key)
                    written.append(key)
        return written

    def download(self, s3: Any, domains: list[str], dest: Path) -> dict[str, Path]:
        """Download each domain's artifacts into `dest/<domain>/`; missing ones are skipped."""
        found: dict[str, Path] = {}
        for name in domains:
            folder = dest / name
            folder.mkdir(parents=True, exist_ok=True)
            for artifact in ARTIFACTS:
                try:
                    s3.download_file(self.bucket, self.key(name, artifact), str(folder / artifact))
                except ClientError as exc:
                    if exc.response["Error"]["Code"] not in {"404", "NoSuchKey"}:
                        raise
            if (folder / "manifest.json").is_file():
                found[name] = folder
        return found

    def loom_configs(self, domains: list[Domain], dest: Path) -> dict[str, Path]:
        """A dbt-loom config per domain reading its upstream manifests from this store.

        The upstream names come from each domain's own dbt_loom.config.yml, so the file in
        git stays the single list of upstream domains; only the location changes.
        """
        return {
            domain.name: write_loom_config(
                dest / f"{domain.name}.dbt_loom.config.yml",
                [
                    {
                        "name": upstream,
                        "type": "s3",
                        "config": {
                            "bucket_name": self.bucket,
                            "object_name": self.key(upstream, "manifest.json"),
                        },
                    }
                    for upstream in domain.upstream_names
                ],
            )
            for domain in domains
        }
