"""Pre-commit guards written locally (pre-commit's own hook repos live on GitHub):
YAML that parses, no file over the size limit, no committed private key."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

MAX_BYTES = 512 * 1024
PRIVATE_KEY = re.compile(rb"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----")
AWS_SECRET = re.compile(rb"aws_secret_access_key\s*=\s*[A-Za-z0-9/+]{40}")


def problems(path: Path) -> list[str]:
    found = []
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        found.append(f"{len(data) // 1024} KiB is over the {MAX_BYTES // 1024} KiB limit")
    if PRIVATE_KEY.search(data) or AWS_SECRET.search(data):
        found.append("looks like a private key or AWS secret; remove it and rotate it")
    if path.suffix in {".yml", ".yaml"}:
        try:
            list(yaml.safe_load_all(data))
        except yaml.YAMLError as exc:
            found.append(f"invalid YAML: {' '.join(str(exc).split())}")
    return found


def main(argv: list[str]) -> int:
    status = 0
    for name in argv:
        path = Path(name)
        if not path.is_file() or path.is_symlink():
            continue
        for problem in problems(path):
            print(f"{name}: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
