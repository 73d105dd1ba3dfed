"""The SDK's exceptions: one base class, one subclass per family of API error."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Type

# The HTTP status each API error code has over REST (GraphQL errors carry only the code).
STATUS_BY_CODE: Dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "BAD_REQUEST": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "PLAN_REQUIRED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "SUPPRESSED": 409,
    "DOMAIN_NOT_AUTHENTICATED": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "QUOTA_EXCEEDED": 413,
    "REQUEST_TIMEOUT": 408,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
}


class FluenzrError(Exception):
    """Any error the SDK raises.

    ``code`` is the API's error code (``VALIDATION_ERROR``, ``NOT_FOUND``…), ``status`` the HTTP
    status (``None`` when no answer came), ``details`` the error's details (``field`` names the
    offending input where there is one), ``request_id`` the id to quote to support.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: Optional[int] = None,
        details: Optional[Mapping[str, Any]] = None,
        request_id: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        graphql_errors: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details: Dict[str, Any] = dict(details or {})
        self.request_id = request_id
        self.headers: Dict[str, str] = dict(headers or {})
        #: Every error of a GraphQL answer (``None`` for REST).
        self.graphql_errors = graphql_errors

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        request = f" (request {self.request_id})" if self.request_id else ""
        return f"{self.code}{status}: {self.message}{request}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class ValidationError(FluenzrError):
    """400: the request was refused as invalid (``VALIDATION_ERROR`` or ``BAD_REQUEST``)."""


class AuthenticationError(FluenzrError):
    """401: the API key is missing, wrong or revoked (``UNAUTHENTICATED``)."""


class PermissionDeniedError(FluenzrError):
    """403: not allowed (``FORBIDDEN``), or API keys need the Pro plan (``PLAN_REQUIRED``)."""


class NotFoundError(FluenzrError):
    """404: no such resource in this workspace (``NOT_FOUND``)."""


class ConflictError(FluenzrError):
    """409: a duplicate (an email already used) or an illegal state change (``CONFLICT``), or
    making a contact at a suppressed address active (``SUPPRESSED``)."""


class RateLimitError(FluenzrError):
    """429: too many requests (``RATE_LIMITED``); ``retry_after`` is the wait in seconds."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(FluenzrError):
    """5xx: the server (or a proxy in front of it) failed."""


class APIConnectionError(FluenzrError):
    """No answer: the connection failed or broke."""

    def __init__(self, message: str, *, code: str = "CONNECTION_ERROR") -> None:
        super().__init__(message, code=code)


class APITimeoutError(APIConnectionError):
    """No answer in time."""

    def __init__(self, message: str = "The request timed out") -> None:
        super().__init__(message, code="TIMEOUT")


class WebhookVerificationError(FluenzrError):
    """A webhook delivery's signature or timestamp did not verify."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="INVALID_WEBHOOK_SIGNATURE")


_BY_STATUS: Dict[int, Type[FluenzrError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class(status: Optional[int]) -> Type[FluenzrError]:
    """The exception class for an HTTP status."""
    if status is None:
        return FluenzrError
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, FluenzrError)
