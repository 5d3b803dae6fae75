"""Upload the static docs portal to S3 (the bucket a CDN or S3 website serves)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from mesh.ci.s3 import s3_errors
from publish.errors import BadInputError


def upload_site(s3: Any, site: Path, bucket: str, prefix: str = "") -> int:
    """Upload every file under `site` with its content type; returns the number uploaded."""
    if not (site / "index.html").is_file():
        raise BadInputError(
            "no docs portal to upload (index.html missing)",
            file=site,
            fix="generate it first with `mesh docs portal --out site`",
        )
    count = 0
    # no HeadBucket first: the docs role may only put objects; a missing bucket fails the first
    # upload, before anything is written
    with s3_errors(
        f"uploading the docs portal to s3://{bucket}",
        "s3:PutObject",
        bucket=bucket,
        option="--bucket (or MESH_DOCS_BUCKET)",
    ):
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            key = "/".join(filter(None, [prefix.strip("/"), path.relative_to(site).as_posix()]))
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type})
            count += 1
    return count
