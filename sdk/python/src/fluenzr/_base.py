"""What the sync and async clients share: configuration, requests, answers, retry policy."""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import re
import time
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import quote

import httpx

from ._errors import (
    STATUS_BY_CODE,
    APIConnectionError,
    APITimeoutError,
    FluenzrError,
    RateLimitError,
    error_class,
)
from ._version import __version__

log = logging.getLogger("fluenzr")

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
# The server answers 408 to a request still running after 30 s; wait a little longer than that.
DEFAULT_TIMEOUT = httpx.Timeout(40.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A longer Retry-After is not waited for: the error goes to the caller with its retry_after.
MAX_RETRY_AFTER = 60.0

Timeout = Union[float, httpx.Timeout, None]
Envelope = Tuple[Any, Optional[Dict[str, Any]]]
# A body sent as it is (a CSV file) rather than as JSON: its bytes and their media type.
RawBody = Tuple[bytes, str]


def path_id(value: str, name: str) -> str:
    """An id for a URL path, refused when empty (it would name the collection instead)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return quote(value, safe="")


def query_string(params: Mapping[str, Any]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def parse_retry_after(headers: httpx.Headers) -> Optional[float]:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date)."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(raw)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _object(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _make_error(
    response: httpx.Response,
    message: str,
    code: str,
    status: int,
    details: Dict[str, Any],
    graphql_errors: Optional[List[Dict[str, Any]]] = None,
) -> FluenzrError:
    request_id = details.get("requestId") or response.headers.get("request-id")
    common: Dict[str, Any] = dict(
        code=code,
        status=status,
        details=details,
        request_id=str(request_id) if request_id else None,
        headers=dict(response.headers),
        graphql_errors=graphql_errors,
    )
    cls = error_class(status)
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=parse_retry_after(response.headers), **common)
    return cls(message, **common)


class BaseClient:
    """Configuration and the request/answer rules both clients follow."""

    def __init__(
        self,
        api_key: Optional[str],
        base_url: Optional[str],
        timeout: Timeout,
        max_retries: int,
        default_headers: Optional[Mapping[str, str]],
    ) -> None:
        api_key = api_key if api_key is not None else os.environ.get("FLUENZR_API_KEY")
        if not api_key:
            raise FluenzrError(
                "No API key: pass api_key=... or set FLUENZR_API_KEY", code="MISSING_API_KEY"
            )
        base_url = base_url or os.environ.get("FLUENZR_BASE_URL") or DEFAULT_BASE_URL
        base_url = base_url.rstrip("/")
        if base_url.endswith("/v1"):  # the API page gives its address with /v1
            base_url = base_url[: -len("/v1")]
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.api_key = api_key
        self.base_url = base_url
        self.timeout: Timeout = timeout
        self.max_retries = max_retries
        self._default_headers = dict(default_headers or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _headers(
        self, idempotency_key: Optional[str], content_type: Optional[str]
    ) -> Dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json",
            "User-Agent": f"fluenzr-python/{__version__}",
            **self._default_headers,
        }
        if content_type is not None:
            headers["Content-Type"] = content_type
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    @staticmethod
    def _idempotency_key(method: str, given: Optional[str], read: bool = False) -> Optional[str]:
        """Every write carries a key, made once per call, so that its retries replay it; a
        read (a GET, or a POST that only reads: a GraphQL query) carries only a key it is given."""
        if given is not None:
            return None if method == "GET" else given
        if method == "GET" or read:
            return None
        return f"fluenzr-py-{uuid.uuid4()}"

    @staticmethod
    def _encode(body: Any, raw: Optional[RawBody]) -> Tuple[Optional[bytes], Optional[str]]:
        """The bytes to send and their media type: ``raw`` as it is, else ``body`` as JSON."""
        if raw is not None:
            return raw
        if body is None:
            return None, None
        content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return content, "application/json"

    # --- retries ---------------------------------------------------------------------------

    @staticmethod
    def _retryable(response: httpx.Response) -> bool:
        status = response.status_code
        if status in (408, 429) or status >= 500:
            return True
        if status == 409:
            # Only the idempotency layer's "still being processed" answer names the key.
            try:
                details = response.json()["error"]["details"]
            except (ValueError, KeyError, TypeError):
                return False
            return isinstance(details, dict) and "idempotencyKey" in details
        return False

    @staticmethod
    def _backoff(attempt: int) -> float:
        delay: float = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
        return delay * (1 - 0.25 * random.random())

    def _retry_delay(self, attempt: int, response: Optional[httpx.Response]) -> Optional[float]:
        """How long to wait before retry number ``attempt + 1``, or None not to retry."""
        if attempt >= self.max_retries:
            return None
        if response is None:
            return self._backoff(attempt)
        if not self._retryable(response):
            return None
        retry_after = parse_retry_after(response.headers)
        if retry_after is None:
            return self._backoff(attempt)
        return retry_after if retry_after <= MAX_RETRY_AFTER else None

    @staticmethod
    def _transport_error(err: httpx.TransportError) -> Optional[APIConnectionError]:
        """The SDK's error for a failed exchange, or None when retrying cannot help."""
        if isinstance(err, httpx.TimeoutException):
            return APITimeoutError(f"The request timed out ({type(err).__name__})")
        if isinstance(err, (httpx.NetworkError, httpx.RemoteProtocolError)):
            return APIConnectionError(f"Connection failed: {err or type(err).__name__}")
        return None

    # --- answers ---------------------------------------------------------------------------

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    def _error(self, response: httpx.Response) -> FluenzrError:
        """The exception for an error answer (the REST envelope, else whatever came)."""
        body = self._json(response)
        if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
            return self._graphql_error(body["errors"], response)
        error = _object(body.get("error")) if isinstance(body, dict) else {}
        status = response.status_code
        if "code" in error:
            code = str(error["code"])
            message = str(error.get("message", ""))
        else:
            code = "HTTP_ERROR"
            text = response.text.strip()
            message = f"HTTP {status}" + (f": {text[:200]}" if text else "")
        return _make_error(response, message, code, status, _object(error.get("details")))

    def _graphql_error(self, errors: List[Any], response: httpx.Response) -> FluenzrError:
        """The exception for a GraphQL answer's ``errors``, chosen by the first one's code."""
        first = _object(errors[0])
        extensions = _object(first.get("extensions"))
        code = str(extensions.get("code") or "GRAPHQL_ERROR")
        status = STATUS_BY_CODE.get(code, response.status_code)
        message = str(first.get("message", "GraphQL error"))
        return _make_error(
            response,
            message,
            code,
            status,
            _object(extensions.get("details")),
            graphql_errors=[e for e in errors if isinstance(e, dict)],
        )

    def _envelope(self, response: httpx.Response) -> Envelope:
        """``(data, meta)`` of a successful REST answer; raises the answer's error otherwise."""
        if not response.is_success:
            raise self._error(response)
        body = self._json(response)
        if not isinstance(body, dict) or body.get("success") is not True or "data" not in body:
            raise FluenzrError(
                f"Unexpected answer from {response.request.url.path}: not a success envelope",
                code="INVALID_RESPONSE",
                status=response.status_code,
                request_id=response.headers.get("request-id"),
            )
        meta = body.get("meta")
        return body["data"], meta if isinstance(meta, dict) else None

    def _graphql_data(self, response: httpx.Response) -> Dict[str, Any]:
        body = self._json(response)
        if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
            raise self._graphql_error(body["errors"], response)
        if not response.is_success:
            raise self._error(response)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise FluenzrError(
                "Unexpected GraphQL answer: no data and no errors",
                code="INVALID_RESPONSE",
                status=response.status_code,
                request_id=response.headers.get("request-id"),
            )
        data: Dict[str, Any] = body["data"]
        return data


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def operation_type(document: str, operation_name: Optional[str] = None) -> str:
    """The type of the operation a GraphQL document runs: ``query`` (also the ``{ … }``
    shorthand), ``mutation`` or ``subscription``. With ``operation_name``, that operation's;
    without it, the only one's (a document with several counts as a mutation unless all are
    queries). Comments and strings are skipped; a document that cannot be read counts as a
    mutation, so it keeps its key."""
    operations: List[Tuple[str, Optional[str]]] = []
    depth = 0
    i = 0
    n = len(document)
    while i < n:
        c = document[i]
        if c == "#":
            while i < n and document[i] not in "\r\n":
                i += 1
        elif c == '"':
            if document.startswith('"""', i):
                end = document.find('"""', i + 3)
                if end < 0:
                    return "mutation"
                i = end + 3
            else:
                i += 1
                while i < n and document[i] != '"':
                    i += 2 if document[i] == "\\" else 1
                i += 1
        elif c == "{":
            if depth == 0:
                operations.append(("query", None))
            depth += 1
            i += 1
        elif c == "}":
            depth -= 1
            i += 1
        elif depth == 0 and (c.isalpha() or c == "_"):
            match = _NAME.match(document, i)
            word = match.group(0) if match else c
            i += len(word)
            if word in ("query", "mutation", "subscription", "fragment"):
                start = i
                while start < n and document[start].isspace():
                    start += 1
                name_match = _NAME.match(document, start)
                name = name_match.group(0) if name_match else None
                parens = 0
                while i < n and (parens > 0 or document[i] != "{"):
                    if document[i] == "(":
                        parens += 1
                    elif document[i] == ")":
                        parens -= 1
                    i += 1
                if word != "fragment":
                    operations.append((word, name))
                i += 1
                depth = 1
        else:
            i += 1
    if not operations or depth != 0:
        return "mutation"
    if operation_name is not None:
        named = [kind for kind, name in operations if name == operation_name]
        return named[0] if named else "mutation"
    kinds = {kind for kind, _ in operations}
    if kinds == {"query"}:
        return "query"
    return "mutation" if "mutation" in kinds else "subscription"
