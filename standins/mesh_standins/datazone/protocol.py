"""rest-json wire format from the operation's shapes: request -> input, output -> response.

Handlers work with plain dicts keyed by member names; timestamps are epoch seconds (floats).
Output dicts may carry extra keys: only members of the output shape are serialized.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from mesh_standins.datazone.errors import ServiceError

JSON_TYPE = "application/json"


def _bad(message: str) -> ServiceError:
    return ServiceError("SerializationException", message)


def parse_timestamp(value: Any) -> float:
    """Epoch seconds from the wire forms botocore sends: numbers, ISO 8601 or HTTP dates."""
    if isinstance(value, bool):
        raise _bad(f"Invalid timestamp {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            pass
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError):
                raise _bad(f"Invalid timestamp {value!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.timestamp()
    raise _bad(f"Invalid timestamp {value!r}")


def _scalar_from_text(shape: Shape, text: str) -> Any:
    """URI, query and header values arrive as text; convert them by the member's type."""
    t = shape.type_name
    try:
        if t in ("integer", "long"):
            return int(text)
        if t in ("double", "float"):
            return float(text)
    except ValueError:
        raise _bad(f"Value {text!r} is not a valid {t}") from None
    if t == "boolean":
        if text not in ("true", "false"):
            raise _bad(f"Value {text!r} is not a valid boolean")
        return text == "true"
    if t == "timestamp":
        return parse_timestamp(text)
    if t == "jsonvalue" or shape.serialization.get("jsonvalue"):
        return json.loads(base64.b64decode(text))
    return text


def _from_json(shape: Shape, value: Any) -> Any:
    """Body JSON -> member-named dicts; type mismatches are left for the validator to report."""
    if value is None:
        return None
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        out = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            if wire in value:
                out[name] = _from_json(member, value[wire])
        return out
    if t == "list" and isinstance(value, list):
        return [_from_json(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if t == "map" and isinstance(value, dict):
        return {k: _from_json(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if t == "timestamp":
        return parse_timestamp(value)
    if t == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise _bad("Blob member is not valid base64") from None
    return value


def parse_request(
    op: OperationModel,
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """Map URI labels, query string, headers and body to the operation's input members."""
    shape = op.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = {}
    lower_headers = {k.lower(): v for k, v in headers.items()}
    payload = shape.serialization.get("payload")
    body_members = {}
    for name, member in shape.members.items():
        loc = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if loc == "uri":
            if wire in path_params:
                params[name] = _scalar_from_text(member, path_params[wire])
        elif loc == "querystring":
            if member.type_name == "map":
                taken = {
                    m.serialization.get("name", n)
                    for n, m in shape.members.items()
                    if m.serialization.get("location") == "querystring" and m is not member
                }
                params[name] = {k: v[0] for k, v in query.items() if k not in taken}
            elif wire in query:
                values = query[wire]
                if member.type_name == "list":
                    params[name] = [_scalar_from_text(member.member, v) for v in values]  # type: ignore[attr-defined]
                else:
                    params[name] = _scalar_from_text(member, values[0])
        elif loc == "header":
            if wire.lower() in lower_headers:
                params[name] = _scalar_from_text(member, lower_headers[wire.lower()])
        elif loc == "headers":
            prefix = wire.lower()
            params[name] = {
                k[len(prefix) :]: v for k, v in lower_headers.items() if k.startswith(prefix)
            }
        elif name == payload:
            if member.type_name in ("blob", "string"):
                params[name] = body if member.type_name == "blob" else body.decode()
            elif body:
                params[name] = _from_json(member, _load_json(body))
        else:
            body_members[name] = member
    if body_members and body and not payload:
        doc = _load_json(body)
        if not isinstance(doc, dict):
            raise _bad("Request body must be a JSON object")
        for name, member in body_members.items():
            wire = member.serialization.get("name", name)
            if wire in doc and doc[wire] is not None:
                params[name] = _from_json(member, doc[wire])
    return params


def _load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise _bad("Request body is not valid JSON") from None
    except RecursionError:  # a 500 otherwise (FIDELITY.md, RQ-2)
        raise ServiceError(
            "ValidationException", "Request body nests JSON deeper than the service accepts"
        ) from None


def _timestamp_out(shape: Shape, value: float, default: str) -> Any:
    fmt = shape.serialization.get("timestampFormat", default)
    if fmt == "unixTimestamp":
        return round(value, 3)
    if fmt == "rfc822":
        return formatdate(value, usegmt=True)
    return (
        dt.datetime.fromtimestamp(value, dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _to_json(shape: Shape, value: Any) -> Any:
    t = shape.type_name
    if t == "structure":
        assert isinstance(shape, StructureShape)
        out = {}
        for name, member in shape.members.items():
            v = value.get(name)
            if v is None:
                continue
            out[member.serialization.get("name", name)] = _to_json(member, v)
            if shape.is_tagged_union:
                break  # a union carries exactly one member
        return out
    if t == "list":
        return [_to_json(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if t == "map":
        return {k: _to_json(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if t == "timestamp":
        return _timestamp_out(shape, value, "unixTimestamp")
    if t == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    return value


def serialize_output(
    op: OperationModel, output: Mapping[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for an operation's output, placed where the shape says."""
    status = int(op.http.get("responseCode", 200))
    headers = {"Content-Type": JSON_TYPE}
    shape = op.output_shape
    if shape is None:
        return status, headers, b"{}"
    assert isinstance(shape, StructureShape)
    payload = shape.serialization.get("payload")
    body: dict[str, Any] = {}
    raw: bytes | None = None
    for name, member in shape.members.items():
        value = output.get(name)
        if value is None:
            continue
        loc = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if loc == "header":
            text = (
                _timestamp_out(member, value, "rfc822")
                if member.type_name == "timestamp"
                else str(value).lower()
                if member.type_name == "boolean"
                else str(value)
            )
            headers[wire] = str(text)
        elif loc == "headers":
            headers.update({wire + k: str(v) for k, v in value.items()})
        elif loc == "statusCode":
            status = int(value)
        elif name == payload:
            if member.type_name == "blob":
                raw = value.encode() if isinstance(value, str) else bytes(value)
                headers["Content-Type"] = "application/octet-stream"
            elif member.type_name == "string":
                raw = value.encode()
                headers["Content-Type"] = "text/plain"
            else:
                raw = json.dumps(_to_json(member, value), separators=(",", ":")).encode()
        else:
            body[wire] = _to_json(member, value)
    if raw is None:
        raw = b"" if payload else json.dumps(body, separators=(",", ":")).encode()
    return status, headers, raw


def serialize_error(error: ServiceError) -> tuple[int, dict[str, str], bytes]:
    """rest-json error: the code in `x-amzn-ErrorType` (what botocore reads first) and a message."""
    body = json.dumps({"message": error.message}).encode()
    return error.status, {"Content-Type": JSON_TYPE, "x-amzn-ErrorType": error.code}, body
