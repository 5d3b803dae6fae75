"""S3 for the CI steps (artifact store, docs site): the bucket is checked before any work, and
every S3 failure becomes one paragraph with its cause instead of boto3's traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError

from publish.aws import aws_failure
from publish.errors import BadInputError

_MISSING = {"404", "NoSuchBucket", "NotFound"}


def require_bucket(s3: Any, bucket: str, *, option: str) -> None:
    """The bucket exists and the caller may use it (else one paragraph naming `option`)."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code")) in _MISSING:
            raise _missing_bucket(bucket, option) from None
        raise aws_failure(
            exc, f"cannot use the S3 bucket {bucket!r}", permissions="s3:ListBucket on it"
        ) from None
    except BotoCoreError as exc:
        raise aws_failure(
            exc, f"cannot use the S3 bucket {bucket!r}", permissions="s3:ListBucket on it"
        ) from None


def _missing_bucket(bucket: str, option: str) -> BadInputError:
    return BadInputError(
        f"the S3 bucket {bucket!r} does not exist",
        fix=f"create the bucket (on a laptop, `mesh-standins up` creates the artifact store's and "
        f"the docs site's buckets), or correct {option}",
    )


@contextmanager
def s3_errors(
    doing: str, permissions: str, *, bucket: str | None = None, option: str = "--bucket"
) -> Iterator[None]:
    """Turn a failed transfer into one paragraph (what was being done, the cause, the fix)."""
    try:
        yield
    except S3UploadFailedError as exc:
        if bucket and "NoSuchBucket" in str(exc):  # boto3 keeps only the message of the cause
            raise _missing_bucket(bucket, option) from None
        raise aws_failure(exc, doing, permissions=permissions) from None
    except (ClientError, BotoCoreError) as exc:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code"))
        if bucket and code in _MISSING:
            raise _missing_bucket(bucket, option) from None
        raise aws_failure(exc, doing, permissions=permissions) from None
