"""Service errors raised by handlers, answered with the status the model gives each error."""

from __future__ import annotations

from mesh_standins.datazone.model import service_model

# Errors the real service returns although the DataZone model does not declare them.
_UNMODELED_STATUS = {
    "SerializationException": 400,
    "UnknownOperationException": 404,
    "NotImplementedException": 501,
    "IdempotentParameterMismatchException": 400,
}


def error_status(code: str) -> int:
    """HTTP status for an error code: the model's `httpStatusCode`, else a known default."""
    if code in _UNMODELED_STATUS:
        return _UNMODELED_STATUS[code]
    shape = service_model().shape_for(code)
    return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))


class ServiceError(Exception):
    """An error answered to the client as `x-amzn-ErrorType: <code>` with a JSON message."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else error_status(code)


def not_found(kind: str, identifier: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", f"{kind} {identifier} not found")


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message)


def invalid(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)
