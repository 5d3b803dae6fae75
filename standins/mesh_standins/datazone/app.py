"""The request pipeline, independent of the HTTP server: route, count, fault, parse, validate,
deduplicate by clientToken, run the handler under the store lock, serialize, fault again
(`after` rules: the state change is kept, the response is lost)."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.model import OperationModel

from mesh_standins.datazone.admin import PREFIX, handle_admin
from mesh_standins.datazone.errors import ServiceError, conflict
from mesh_standins.datazone.faults import CallCounter, Faults
from mesh_standins.datazone.handlers import Context, load_handlers
from mesh_standins.datazone.handlers.indexing import rebuild
from mesh_standins.datazone.model import is_read_operation, router
from mesh_standins.datazone.protocol import parse_request, serialize_error, serialize_output
from mesh_standins.datazone.state import Store, check_writable
from mesh_standins.datazone.validation import validate_input

log = logging.getLogger(__name__)
Response = tuple[int, dict[str, str], bytes]
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/")
DEFAULT_ACCOUNT = "123456789012"  # moto's default account, so Glue ARNs line up
DEFAULT_PAGE_SIZE = 50


def _idempotency_member(op: OperationModel) -> str | None:
    shape = op.input_shape
    if shape is None:
        return None
    return next((n for n, m in shape.members.items() if m.metadata.get("idempotencyToken")), None)


def _fingerprint(params: Mapping[str, Any], token_member: str) -> str:
    return json.dumps(
        {k: v for k, v in params.items() if k != token_member}, sort_keys=True, default=repr
    )


class Emulator:
    """One emulated DataZone endpoint: state, handlers, counters and faults."""

    def __init__(
        self,
        *,
        state_file: Path | None = None,
        glue_endpoint: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        account: str = DEFAULT_ACCOUNT,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.store = Store()
        self.handlers = load_handlers()
        self.calls = CallCounter()
        self.faults = Faults()
        self.state_file = state_file
        self.glue_endpoint = glue_endpoint
        self.page_size = page_size
        self.account = account
        #: why the last save failed (None once a save succeeds); shown by /_emulator/health
        self.persist_error: str | None = None
        if state_file is not None:
            if state_file.exists():
                self.store.load(state_file)
                rebuild(self.store)
            check_writable(state_file)

    def reset(self) -> None:
        with self.store.lock:
            self.store.clear()
            self.persist()
        self.calls.clear()
        self.faults.clear()

    def persist(self) -> None:
        """Save the state file. A failure is logged and reported by the health route, never
        answered to the write that caused it: that write was applied and stays in memory."""
        if self.state_file is None:
            return
        with self.store.lock:
            try:
                self.store.save(self.state_file)
            except OSError as err:
                if self.persist_error is None:
                    log.error("cannot save the state file %s: %s", self.state_file, err)
                self.persist_error = f"{self.state_file}: {err}"
            else:
                self.persist_error = None

    def context(self, operation: str, headers: Mapping[str, str]) -> Context:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        m = _CREDENTIAL.search(auth)
        caller, region = (m.group(1), m.group(2)) if m else ("anonymous", "us-east-1")
        return Context(
            self.store, operation, caller, region, self.account, self.page_size, self.glue_endpoint
        )

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Response:
        """Answer one HTTP request (target = raw path + query)."""
        split = urlsplit(target)
        if split.path.startswith(PREFIX):
            status, doc = handle_admin(self, method, split.path, body)
            return status, {"Content-Type": "application/json"}, json.dumps(doc).encode()
        query = parse_qs(split.query, keep_blank_values=True)
        found = router().match(method, split.path, query)
        if found is None:
            return serialize_error(
                ServiceError(
                    "UnknownOperationException",
                    f"No DataZone operation matches {method} {split.path}",
                )
            )
        op, path_params = found
        self.calls.hit(op.name)
        try:
            self._inject(op.name, after=False)
            response = self._dispatch(op, path_params, query, headers, body)
            self._inject(op.name, after=True)
            return response
        except ServiceError as err:
            return serialize_error(err)
        except Exception as err:  # a bug in a handler must still answer like the service
            log.exception("%s failed", op.name)
            return serialize_error(ServiceError("InternalServerException", f"{op.name}: {err!r}"))

    def _inject(self, operation: str, *, after: bool) -> None:
        delay, fault = self.faults.check(operation, after=after)
        if delay:
            time.sleep(delay)
        if fault is not None:
            raise fault

    def _dispatch(
        self,
        op: OperationModel,
        path_params: Mapping[str, str],
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Response:
        handler = self.handlers.get(op.name)
        if handler is None:
            raise ServiceError(
                "NotImplementedException",
                f"DataZone emulator does not implement operation {op.name}",
            )
        params = parse_request(op, path_params, query, headers, body)
        validate_input(op.name, op.input_shape, params)  # type: ignore[arg-type]
        token_member = _idempotency_member(op)
        token = params.get(token_member) if token_member else None
        with self.store.lock:
            if token is not None:
                key = f"{op.name}|{token}"
                seen = self.store.idempotency.get(key)
                fingerprint = _fingerprint(params, token_member or "")
                if seen is not None:
                    if seen["request"] != fingerprint:
                        raise conflict(
                            f"clientToken {token} was already used with different parameters"
                        )
                    return seen["status"], seen["headers"], seen["body"].encode()
            output = handler(self.context(op.name, headers), params)
            status, out_headers, out_body = serialize_output(op, output)
            if token is not None:
                self.store.remember(
                    key,
                    {
                        "request": fingerprint,
                        "status": status,
                        "headers": out_headers,
                        "body": out_body.decode(),
                    },
                )
            if not is_read_operation(op.name):
                self.persist()
        return status, out_headers, out_body
